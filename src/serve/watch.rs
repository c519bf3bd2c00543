//! Watches the files a build reads and rebuilds once per burst of saves.
//!
//! Editors save in several steps (write a temporary file, rename it, touch it again); events are
//! collected until none has come for [`QUIET`], so one save is one rebuild. Editor scratch files and
//! everything outside `config.toml`, `content/` and `themes/` are ignored.

use crate::terminal::{notice, say, warn};
use std::collections::BTreeSet;
use std::ffi::OsStr;
use std::path::{Component, Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use notify::event::{AccessKind, AccessMode};
use notify::{EventKind, RecursiveMode, Watcher};

use super::state::{Live, Problem};
use crate::config::CONFIG_FILE;
use crate::content::CONTENT_DIR;
use crate::pipeline::incremental::{RebuildKind, RebuildReport, Rebuilder};
use crate::pipeline::{BuildOptions, THEMES_DIR};

/// How long to wait after the last event before rebuilding.
pub const QUIET: Duration = Duration::from_millis(150);
/// The longest a rebuild is put off while events keep coming.
const MAX_DELAY: Duration = Duration::from_secs(1);

type Events = Receiver<notify::Result<notify::Event>>;

/// Runs builds and records their outcome for the server.
pub struct Builder {
    pub live: Arc<Live>,
    /// Redoes only what changed; locked while a build writes, so that stopping can wait for it
    /// before removing the output.
    pub rebuilder: Arc<Mutex<Rebuilder>>,
}

impl Builder {
    pub fn new(options: BuildOptions, live: Arc<Live>) -> Builder {
        Builder {
            live,
            rebuilder: Arc::new(Mutex::new(Rebuilder::new(options))),
        }
    }

    /// Builds once, keeps the last good output on failure, and tells the terminal what happened.
    pub fn run(&self, cause: &str) {
        let mut rebuilder = self.rebuilder.lock().unwrap_or_else(|e| e.into_inner());
        let started = Instant::now();
        let result = rebuilder.build();
        let seconds = started.elapsed().as_secs_f64();
        match result {
            Ok(report) => {
                self.live.succeeded(seconds);
                if !report.build.notices.is_empty() {
                    let notices = crate::diagnostics::notices_text(&report.build.notices, Some(10));
                    notice(notices.trim_end());
                }
                say(&format!("{cause}: {}", describe_rebuild(&report, seconds)));
            }
            Err(failure) => {
                let problem = Problem::from_failure(&failure);
                warn(problem.text.trim_end());
                self.live.failed(problem, seconds);
                say(&failed_line(cause, seconds, self.live.snapshot().built));
            }
        }
    }
}

/// One line on a failed build: what the browser shows until the mistake is fixed. Before the first
/// good build there is no earlier site to show, and the line says so.
fn failed_line(cause: &str, seconds: f64, built: bool) -> String {
    let shown = if built {
        "直すまで、最後に正しく作れたときのサイトを表示し、ブラウザにも誤りを表示します。"
    } else {
        "まだ一度も作れていないため、ブラウザには誤りの説明だけを表示します。直して保存すると作り直します。"
    };
    format!("{cause}: 誤りがあるため作れませんでした（{seconds:.2} 秒）。{shown}")
}

/// One line on what a rebuild did and how long it took.
fn describe_rebuild(report: &RebuildReport, seconds: f64) -> String {
    let site = format!(
        "事業 {} 件、事業費合計 {}",
        report.build.projects,
        report.build.total.display()
    );
    match report.kind {
        RebuildKind::Full => format!(
            "すべて作り直しました（{} ページ、{site}、{seconds:.2} 秒）。",
            report.build.pages
        ),
        RebuildKind::Partial {
            read,
            projects,
            kept,
            written,
            removed,
        } => format!(
            "変わったところだけ作り直しました（読み直したファイル {read} 件、事業ページ {projects} 件と一覧など {} ページを作成、内容が前と同じ一覧など {kept} ページはそのまま、書き換え {written} ファイル、削除 {removed} ファイル、{site}、{seconds:.2} 秒）。",
            report.build.pages - projects
        ),
    }
}

/// A file watcher with its events.
pub struct Watch {
    root: PathBuf,
    watcher: Box<dyn Watcher + Send>,
    events: Events,
}

impl Watch {
    /// Starts watching `root` (an absolute, canonical path). Falls back to polling if the system's
    /// notifications cannot be used.
    pub fn start(root: &Path) -> Result<Watch, notify::Error> {
        let (tx, events) = mpsc::channel();
        let watcher: Box<dyn Watcher + Send> = match notify::recommended_watcher(tx.clone()) {
            Ok(w) => Box::new(w),
            Err(_) => {
                let config =
                    notify::Config::default().with_poll_interval(Duration::from_millis(500));
                Box::new(notify::PollWatcher::new(tx, config)?)
            }
        };
        let mut watch = Watch {
            root: root.to_path_buf(),
            watcher,
            events,
        };
        watch.watcher.watch(root, RecursiveMode::NonRecursive)?;
        watch.watch_trees();
        Ok(watch)
    }

    /// (Re)watches `content/` and `themes/`, which may have been deleted and made again.
    fn watch_trees(&mut self) {
        for dir in [CONTENT_DIR, THEMES_DIR] {
            let path = self.root.join(dir);
            let _ = self.watcher.unwatch(&path);
            if path.is_dir()
                && let Err(e) = self.watcher.watch(&path, RecursiveMode::Recursive)
            {
                warn(&format!(
                    "注意: {} の変更を見張れません: {e}",
                    path.display()
                ));
            }
        }
    }

    /// Rebuilds after each burst of relevant changes, for as long as the watcher lives.
    pub fn run(mut self, builder: &Builder) {
        while let Some(changed) = self.next_burst() {
            if changed.iter().any(|p| p == CONTENT_DIR || p == THEMES_DIR) {
                self.watch_trees();
            }
            builder.run(&describe(&changed));
        }
    }

    /// Waits for a relevant change, then for quiet; returns the changed paths (relative to the root).
    fn next_burst(&self) -> Option<BTreeSet<String>> {
        next_burst(&self.events, &self.root)
    }
}

/// Waits for a relevant change among `events`, then gathers every change that follows until none
/// has come for [`QUIET`] (or [`MAX_DELAY`] has passed): one burst of saves, one rebuild. Events
/// already waiting are all taken at once, whatever the timing.
fn next_burst(events: &Events, root: &Path) -> Option<BTreeSet<String>> {
    let mut changed = BTreeSet::new();
    while changed.is_empty() {
        let event = events.recv().ok()?;
        collect(root, event, &mut changed);
    }
    let first = Instant::now();
    while first.elapsed() < MAX_DELAY {
        match events.recv_timeout(QUIET) {
            Ok(event) => collect(root, event, &mut changed),
            Err(RecvTimeoutError::Timeout) => break,
            Err(RecvTimeoutError::Disconnected) => return None,
        }
    }
    Some(changed)
}

fn collect(root: &Path, event: notify::Result<notify::Event>, changed: &mut BTreeSet<String>) {
    let event = match event {
        Ok(event) => event,
        Err(e) => {
            // Lost events (a full queue, a vanished directory): rebuild to be safe.
            changed.insert(format!("（見張りの通知: {e}）"));
            return;
        }
    };
    if !is_change(&event.kind) && !event.need_rescan() {
        return;
    }
    for path in &event.paths {
        if let Some(relative) = relevant(root, path) {
            changed.insert(relative);
        }
    }
    if event.need_rescan() {
        changed.insert("（まとめて変更）".to_string());
    }
}

/// Whether an event kind can mean that a file's content changed.
fn is_change(kind: &EventKind) -> bool {
    match kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) => false,
        _ => true,
    }
}

/// The path relative to the root, if a build reads it and it is not an editor's scratch file.
pub fn relevant(root: &Path, path: &Path) -> Option<String> {
    let relative = path.strip_prefix(root).ok()?;
    let first = match relative.components().next()? {
        Component::Normal(name) => name,
        _ => return None,
    };
    if first != OsStr::new(CONFIG_FILE) && first != CONTENT_DIR && first != THEMES_DIR {
        return None;
    }
    if first == OsStr::new(CONFIG_FILE) && relative.components().count() > 1 {
        return None;
    }
    let name = relative.file_name()?.to_string_lossy();
    if is_scratch(&name) || (first == CONTENT_DIR && !read_from_content(path, relative)) {
        return None;
    }
    Some(relative.to_string_lossy().replace('\\', "/"))
}

/// Whether a path under `content/` can change a build: project files, the vocabulary, and folders
/// (which may hold project files). Other tools' temporary files there (`sed -i`) are not.
fn read_from_content(path: &Path, relative: &Path) -> bool {
    let extension = relative.extension().and_then(OsStr::to_str);
    matches!(extension, Some("md" | "toml")) || relative == Path::new(CONTENT_DIR) || path.is_dir()
}

/// Temporary files that editors write beside the file being saved.
fn is_scratch(name: &str) -> bool {
    name.starts_with(".#")
        || name.starts_with('#')
        || name.starts_with(".~lock.")
        || name.ends_with('~')
        || name == "4913"
        || [".swp", ".swx", ".swo", ".tmp", ".crswap", ".kate-swp"]
            .iter()
            .any(|ext| name.ends_with(ext))
}

/// A short description of what changed, for the terminal.
fn describe(changed: &BTreeSet<String>) -> String {
    let shown: Vec<&str> = changed.iter().take(3).map(String::as_str).collect();
    let more = changed.len().saturating_sub(shown.len());
    if more > 0 {
        format!("変更（{} ほか {more} 件）", shown.join("、"))
    } else {
        format!("変更（{}）", shown.join("、"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Before the first good build the terminal never claims to show an earlier site.
    #[test]
    fn a_failed_build_says_what_the_browser_shows() {
        let first = failed_line("起動", 0.1, false);
        assert!(!first.contains("最後に正しく作れた"), "{first}");
        assert!(first.contains("まだ一度も作れていない"), "{first}");
        let later = failed_line("保存", 0.1, true);
        assert!(later.contains("最後に正しく作れたときのサイト"), "{later}");
    }

    /// Ten saves waiting in the queue are one burst: taken together, whatever the machine's speed.
    #[test]
    fn a_burst_of_saves_is_gathered_into_one_rebuild() {
        let root = Path::new("/site");
        let (tx, rx) = std::sync::mpsc::channel();
        for _ in 0..10 {
            let event = notify::Event::new(EventKind::Modify(notify::event::ModifyKind::Any))
                .add_path(root.join("content/a.md"));
            tx.send(Ok(event)).expect("send");
        }
        let scratch = notify::Event::new(EventKind::Modify(notify::event::ModifyKind::Any))
            .add_path(root.join("content/.a.md.swp"));
        tx.send(Ok(scratch)).expect("send");
        let burst = next_burst(&rx, root).expect("a burst");
        assert_eq!(burst.into_iter().collect::<Vec<_>>(), ["content/a.md"]);
        assert!(
            rx.try_recv().is_err(),
            "every queued save was taken in the one burst"
        );
    }

    #[test]
    fn only_what_a_build_reads_is_relevant() {
        let root = Path::new("/site");
        let rel = |p: &str| relevant(root, Path::new(p));
        assert_eq!(rel("/site/config.toml").as_deref(), Some("config.toml"));
        assert_eq!(rel("/site/content/a.md").as_deref(), Some("content/a.md"));
        assert_eq!(
            rel("/site/themes/default/templates/base.html").as_deref(),
            Some("themes/default/templates/base.html")
        );
        assert_eq!(rel("/site/content").as_deref(), Some("content"));
        assert_eq!(rel("/site/output/index.html"), None);
        assert_eq!(rel("/site/target/debug/x"), None);
        assert_eq!(rel("/site/README.md"), None);
        assert_eq!(rel("/elsewhere/content/a.md"), None);
        assert_eq!(rel("/site/content/.a.md.swp"), None);
        assert_eq!(rel("/site/content/a.md~"), None);
        assert_eq!(rel("/site/content/4913"), None);
        assert_eq!(rel("/site/content/.#a.md"), None);
        assert_eq!(rel("/site/content/sedAb12Cd"), None);
        assert_eq!(
            rel("/site/content/vocabulary.toml").as_deref(),
            Some("content/vocabulary.toml")
        );
    }

    #[test]
    fn reads_are_not_changes() {
        assert!(!is_change(&EventKind::Access(AccessKind::Open(
            AccessMode::Any
        ))));
        assert!(is_change(&EventKind::Access(AccessKind::Close(
            AccessMode::Write
        ))));
        assert!(is_change(&EventKind::Any));
    }

    #[test]
    fn descriptions_stay_short() {
        let changed: BTreeSet<String> = (0..5).map(|i| format!("content/{i}.md")).collect();
        assert_eq!(
            describe(&changed),
            "変更（content/0.md、content/1.md、content/2.md ほか 2 件）"
        );
    }

    #[test]
    fn a_burst_of_saves_is_one_rebuild() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().canonicalize().expect("canonical");
        std::fs::create_dir_all(root.join("content")).expect("mkdir");
        let watch = Watch::start(&root).expect("watch");
        for i in 0..5 {
            std::fs::write(root.join("content/a.md"), format!("{i}")).expect("write");
            std::thread::sleep(Duration::from_millis(10));
        }
        std::fs::write(root.join("content/.a.md.swp"), "x").expect("write");
        let burst = watch.next_burst().expect("a burst");
        assert_eq!(burst.into_iter().collect::<Vec<_>>(), ["content/a.md"]);
        assert!(
            watch
                .events
                .recv_timeout(Duration::from_millis(300))
                .is_err(),
            "nothing is left after the burst"
        );
    }
}
