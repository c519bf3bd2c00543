//! A line on the terminal that shows a long build is still working, with the seconds so far.
//!
//! The pipeline does not report how many pages it has written, so this is an elapsed-time indicator
//! rather than a bar. It appears only on a terminal and only once a build has taken more than a moment,
//! and it erases itself before the build's summary is printed.

use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How long a build runs before the indicator appears.
const DELAY: Duration = Duration::from_millis(500);
const TICK: Duration = Duration::from_millis(100);

/// The running indicator; dropping it stops it and clears its line.
pub struct Indicator {
    done: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Indicator {
    /// Starts the indicator if standard error is a terminal; otherwise does nothing.
    pub fn start(label: &'static str) -> Indicator {
        let done = Arc::new(AtomicBool::new(false));
        let thread = std::io::stderr().is_terminal().then(|| {
            let done = Arc::clone(&done);
            std::thread::spawn(move || tick(label, &done))
        });
        Indicator { done, thread }
    }
}

impl Drop for Indicator {
    fn drop(&mut self) {
        self.done.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn tick(label: &str, done: &AtomicBool) {
    let started = Instant::now();
    let mut shown = false;
    while !done.load(Ordering::SeqCst) {
        std::thread::sleep(TICK);
        let elapsed = started.elapsed();
        if elapsed >= DELAY {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r{label}… {:.1} 秒", elapsed.as_secs_f64());
            let _ = err.flush();
            shown = true;
        }
    }
    if shown {
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r\x1b[K");
        let _ = err.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stops_when_dropped() {
        let started = Instant::now();
        let indicator = Indicator::start("作成中");
        drop(indicator);
        assert!(started.elapsed() < Duration::from_secs(2));
    }
}
