//! What the preview server knows about its builds, shared between the builder and the request threads.
//!
//! A version number changes whenever what a browser should show changes (a new good build, or a new set
//! of problems); open pages wait for it to change and then reload. The problems of a failed build are
//! kept here, while the output directory keeps the last good build.

use std::path::PathBuf;
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::diagnostics::Diagnostic;
use crate::pipeline::Failure;

/// Why the last build failed, ready to be shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// `content`, `theme`, `write` or `usage`.
    pub kind: ProblemKind,
    /// One line, as `roadmap check` ends its report: 「内容に 2 件の誤りがあります。」.
    pub summary: String,
    /// The content problems, each with its file, line, key, message and hint.
    pub diagnostics: Vec<Diagnostic>,
    /// The whole report exactly as `roadmap check` prints it.
    pub text: String,
}

/// What kind of failure the preview shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemKind {
    /// Mistakes in the files staff edit.
    Content,
    /// A broken theme.
    Theme,
    /// The output could not be written.
    Write,
    /// A data file could not be encoded.
    Encode,
    /// The command was pointed at something that is not a site.
    Usage,
}

impl ProblemKind {
    /// The word the preview's status endpoint uses.
    pub fn code(self) -> &'static str {
        match self {
            ProblemKind::Content => "content",
            ProblemKind::Theme => "theme",
            ProblemKind::Write => "write",
            ProblemKind::Encode => "encode",
            ProblemKind::Usage => "usage",
        }
    }
}

impl Problem {
    pub fn from_failure(failure: &Failure) -> Problem {
        let (kind, diagnostics) = match failure {
            Failure::Content(d) => (ProblemKind::Content, d.clone()),
            Failure::Theme(_) => (ProblemKind::Theme, Vec::new()),
            Failure::Write(_) => (ProblemKind::Write, Vec::new()),
            Failure::Encode(_) => (ProblemKind::Encode, Vec::new()),
            Failure::Usage(_) => (ProblemKind::Usage, Vec::new()),
        };
        let mut text: String = diagnostics.iter().map(ToString::to_string).collect();
        text.push_str(&failure.to_string());
        text.push('\n');
        Problem {
            kind,
            summary: failure.to_string(),
            diagnostics,
            text,
        }
    }
}

/// The state after the latest build.
#[derive(Debug, Clone)]
pub struct Status {
    pub version: u64,
    /// Whether the output holds a good build (false until the first build succeeds).
    pub built: bool,
    /// `None` when the latest build succeeded.
    pub problem: Option<Problem>,
    /// How long the latest build took.
    pub seconds: f64,
    /// The directory being served.
    pub output: PathBuf,
}

/// The shared status and a way to wait for it to change.
pub struct Live {
    status: Mutex<Status>,
    changed: Condvar,
}

impl Live {
    pub fn new(output: PathBuf) -> Live {
        Live {
            status: Mutex::new(Status {
                version: 0,
                built: false,
                problem: None,
                seconds: 0.0,
                output,
            }),
            changed: Condvar::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Status> {
        // A panic elsewhere while holding the lock leaves a status that is still consistent.
        self.status.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn snapshot(&self) -> Status {
        self.lock().clone()
    }

    /// Records a good build: pages must reload to show it.
    pub fn succeeded(&self, seconds: f64) {
        let mut status = self.lock();
        status.version += 1;
        status.built = true;
        status.problem = None;
        status.seconds = seconds;
        self.changed.notify_all();
    }

    /// Records a failed build; pages reload only if the problems are new.
    pub fn failed(&self, problem: Problem, seconds: f64) {
        let mut status = self.lock();
        status.seconds = seconds;
        if status.problem.as_ref() != Some(&problem) {
            status.version += 1;
            status.problem = Some(problem);
            self.changed.notify_all();
        }
    }

    /// Waits until the version differs from `since` or `timeout` has passed; returns the version.
    pub fn wait_for_change(&self, since: u64, timeout: Duration) -> u64 {
        let deadline = Instant::now() + timeout;
        let mut status = self.lock();
        while status.version == since {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            status = match self.changed.wait_timeout(status, left) {
                Ok((guard, _)) => guard,
                Err(poisoned) => poisoned.into_inner().0,
            };
        }
        status.version
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn problem(message: &str) -> Problem {
        Problem::from_failure(&Failure::Content(vec![Diagnostic::in_file(
            std::path::Path::new("content/a.md"),
            message,
        )]))
    }

    #[test]
    fn versions_change_with_what_pages_show() {
        let live = Live::new(PathBuf::from("out"));
        live.succeeded(0.1);
        assert_eq!(live.snapshot().version, 1);
        live.failed(problem("x"), 0.1);
        assert_eq!(live.snapshot().version, 2);
        live.failed(problem("x"), 0.1);
        assert_eq!(live.snapshot().version, 2, "same problem, no reload");
        live.failed(problem("y"), 0.1);
        assert_eq!(live.snapshot().version, 3);
        let status = live.snapshot();
        assert!(status.built);
        assert!(
            status
                .problem
                .is_some_and(|p| p.text.contains("content/a.md: エラー: y"))
        );
        live.succeeded(0.1);
        assert!(live.snapshot().problem.is_none());
    }

    #[test]
    fn waiting_ends_on_change_or_timeout() {
        let live = Arc::new(Live::new(PathBuf::from("out")));
        let started = Instant::now();
        assert_eq!(live.wait_for_change(0, Duration::from_millis(50)), 0);
        assert!(started.elapsed() >= Duration::from_millis(50));
        let other = Arc::clone(&live);
        let builder = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(50));
            other.succeeded(0.0);
        });
        assert_eq!(live.wait_for_change(0, Duration::from_secs(10)), 1);
        builder.join().expect("builder thread");
        assert_eq!(live.wait_for_change(0, Duration::from_secs(10)), 1);
    }
}
