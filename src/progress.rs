//! A progress bar on the terminal for builds that take more than a moment.
//!
//! The pipeline counts the pages it has written in a [`Progress`]; the indicator draws a bar from it,
//! with the count and the seconds so far. It appears only on a terminal and only once a build has taken
//! more than a moment, and it erases itself before the build's summary is printed.

use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How long a build runs before the indicator appears.
const DELAY: Duration = Duration::from_millis(500);
const TICK: Duration = Duration::from_millis(100);

/// Pages written so far and pages to write, shared between the pipeline and the indicator.
#[derive(Debug, Default)]
pub struct Progress {
    done: AtomicUsize,
    total: AtomicUsize,
}

impl Progress {
    pub fn set_total(&self, total: usize) {
        self.total.store(total, Ordering::Relaxed);
    }

    pub fn add(&self, done: usize) {
        self.done.fetch_add(done, Ordering::Relaxed);
    }

    /// (done, total).
    pub fn get(&self) -> (usize, usize) {
        (
            self.done.load(Ordering::Relaxed),
            self.total.load(Ordering::Relaxed),
        )
    }
}

/// A bar of `width` cells for `done` of `total`.
fn bar(done: usize, total: usize, width: usize) -> String {
    let filled = (done.min(total) * width).checked_div(total).unwrap_or(0);
    format!("[{}{}]", "#".repeat(filled), "-".repeat(width - filled))
}

/// The running indicator; dropping it stops it and clears its line.
pub struct Indicator {
    done: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Indicator {
    /// Starts the indicator if standard error is a terminal and `--quiet` was not given; otherwise
    /// does nothing.
    pub fn start(label: &'static str, progress: Arc<Progress>) -> Indicator {
        let done = Arc::new(AtomicBool::new(false));
        let shown = std::io::stderr().is_terminal() && !crate::terminal::is_quiet();
        let thread = shown.then(|| {
            let done = Arc::clone(&done);
            std::thread::spawn(move || tick(label, &done, &progress))
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

fn tick(label: &str, done: &AtomicBool, progress: &Progress) {
    let started = Instant::now();
    let mut shown = false;
    while !done.load(Ordering::SeqCst) {
        std::thread::sleep(TICK);
        let elapsed = started.elapsed();
        if elapsed >= DELAY {
            let mut err = std::io::stderr().lock();
            let (pages, total) = progress.get();
            let _ = if total > 0 {
                write!(
                    err,
                    "\r{label} {} {pages}/{total} ページ {:.1} 秒",
                    bar(pages, total, 24),
                    elapsed.as_secs_f64()
                )
            } else {
                write!(err, "\r{label}… {:.1} 秒", elapsed.as_secs_f64())
            };
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
        let indicator = Indicator::start("作成中", Arc::new(Progress::default()));
        drop(indicator);
        assert!(started.elapsed() < Duration::from_secs(2));
    }

    #[test]
    fn the_bar_follows_the_count() {
        assert_eq!(bar(0, 10, 4), "[----]");
        assert_eq!(bar(5, 10, 4), "[##--]");
        assert_eq!(bar(10, 10, 4), "[####]");
        assert_eq!(bar(3, 0, 4), "[----]");
        let progress = Progress::default();
        progress.set_total(3);
        progress.add(2);
        assert_eq!(progress.get(), (2, 3));
    }
}
