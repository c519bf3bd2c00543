//! Answers the preview's HTTP requests: files of the output, the preview's own endpoints, and the
//! long-poll that tells open pages when to reload.
//!
//! Routing is a pure function from method and target to a [`Reply`], so it is tested without a socket;
//! [`answer`] runs it off the async runtime (it reads files) and waits for changes there too, and
//! [`server`](super::server) turns replies into HTTP responses.

use std::fs;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use hyper::Method;
use tokio::sync::Semaphore;

use super::files::{self, Target};
use super::overlay::{self, PREFIX};
use super::state::Live;

/// How long a page's request for news may wait before being answered "no change".
const LONG_POLL: Duration = Duration::from_secs(25);
/// How many such requests may wait at once (one per open tab); more are answered at once.
pub const MAX_WAITING: usize = 64;
/// How many requests may read files at once; more wait their turn. Bounds the threads and the
/// memory that many clients asking at once can take.
pub const MAX_READING: usize = 8;

/// What the server needs to answer requests.
pub struct App {
    pub output: PathBuf,
    pub live: Arc<Live>,
    waiting: AtomicUsize,
    reading: Semaphore,
}

/// An answer, before it becomes an HTTP response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
    pub location: Option<String>,
}

/// What a request asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Reply(Reply),
    /// Wait until the version differs from this one, then answer with the new version.
    WaitForChange(u64),
}

impl Reply {
    fn new(status: u16, content_type: &'static str, body: impl Into<Vec<u8>>) -> Reply {
        Reply {
            status,
            content_type,
            body: body.into(),
            location: None,
        }
    }

    pub fn text(status: u16, message: &str) -> Reply {
        Reply::new(status, "text/plain; charset=utf-8", message)
    }

    fn json(value: &serde_json::Value) -> Reply {
        Reply::new(200, "application/json", value.to_string())
    }
}

impl App {
    pub fn new(output: PathBuf, live: Arc<Live>) -> App {
        App {
            output,
            live,
            waiting: AtomicUsize::new(0),
            reading: Semaphore::new(MAX_READING),
        }
    }

    /// Decides the answer to a request.
    pub fn route(&self, method: &Method, target: &str) -> Action {
        if !matches!(*method, Method::GET | Method::HEAD) {
            return Action::Reply(Reply::text(405, "GET と HEAD だけを受け付けます。"));
        }
        let path = files::path_part(target);
        match path.strip_prefix(PREFIX) {
            Some(endpoint) => self.endpoint(endpoint, files::query_part(target)),
            None => Action::Reply(self.file(target)),
        }
    }

    /// The preview's own resources under `/__roadmap/`.
    fn endpoint(&self, name: &str, query: &str) -> Action {
        let reply = match name {
            "events" => return Action::WaitForChange(since(query)),
            "status" => Reply::json(&overlay::status_json(&self.live.snapshot())),
            "live.js" => Reply::new(200, "text/javascript; charset=utf-8", overlay::SCRIPT),
            "overlay.css" => Reply::new(200, "text/css; charset=utf-8", overlay::STYLE),
            _ => Reply::text(404, "ありません。"),
        };
        Action::Reply(reply)
    }

    /// A file of the output; HTML pages get the reload script and, after a failed build, the overlay.
    fn file(&self, target: &str) -> Reply {
        let status = self.live.snapshot();
        if !status.built {
            return Reply::new(
                503,
                "text/html; charset=utf-8",
                overlay::placeholder_page(&status),
            );
        }
        match files::resolve(&self.output, target) {
            Target::File(path) => match fs::read(&path) {
                Ok(bytes) => self.page(200, files::content_type(&path), bytes),
                Err(_) => self.not_found(),
            },
            Target::Redirect(location) => Reply {
                location: Some(location),
                ..Reply::text(301, "末尾に / を付けたアドレスに移動します。")
            },
            Target::NotFound => self.not_found(),
            Target::Forbidden => Reply::text(403, "サイトの外のファイルは見せられません。"),
            Target::BadRequest => Reply::text(400, "アドレスの形が正しくありません。"),
        }
    }

    fn page(&self, status: u16, content_type: &'static str, bytes: Vec<u8>) -> Reply {
        if files::is_html(content_type) {
            Reply::new(
                status,
                content_type,
                overlay::inject(&bytes, &self.live.snapshot()),
            )
        } else {
            Reply::new(status, content_type, bytes)
        }
    }

    /// The site's own 404 page with status 404, or a short text if it has none.
    fn not_found(&self) -> Reply {
        match files::resolve(&self.output, "/404.html") {
            Target::File(path) => match fs::read(&path) {
                Ok(bytes) => self.page(404, "text/html; charset=utf-8", bytes),
                Err(_) => Reply::text(404, "ページが見つかりません。"),
            },
            _ => Reply::text(404, "ページが見つかりません。"),
        }
    }

    /// Waits for a change (bounded in time), then answers with the current version.
    fn wait_and_reply(&self, since: u64) -> Reply {
        let version = self.live.wait_for_change(since, LONG_POLL);
        Reply::json(&serde_json::json!({ "version": version }))
    }
}

/// The `since` parameter of an events request (0 if absent or malformed).
fn since(query: &str) -> u64 {
    query
        .split('&')
        .find_map(|pair| pair.strip_prefix("since="))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// Answers one request. Routing reads files, so it runs on the runtime's blocking threads (at most
/// [`MAX_READING`] at once); so do long-polls (at most [`MAX_WAITING`] at once, more are answered
/// at once), so that waiting pages never hold up files.
pub async fn answer(app: &Arc<App>, method: Method, target: String) -> Reply {
    let failed = || {
        Reply::text(
            500,
            "プレビューの中で問題が起きました。ページを開き直してください。",
        )
    };
    let routed = {
        let Ok(_reading) = app.reading.acquire().await else {
            return failed();
        };
        let router = Arc::clone(app);
        tokio::task::spawn_blocking(move || router.route(&method, &target)).await
    };
    match routed {
        Ok(Action::Reply(reply)) => reply,
        Ok(Action::WaitForChange(since)) => wait(app, since).await,
        Err(_) => failed(),
    }
}

/// Answers a page's request for news once the site changes (or [`LONG_POLL`] has passed).
async fn wait(app: &Arc<App>, since: u64) -> Reply {
    let Some(turn) = Waiting::enter(app) else {
        return current_version(app);
    };
    let waiter = Arc::clone(app);
    let waited = tokio::task::spawn_blocking(move || {
        let _turn = turn;
        waiter.wait_and_reply(since)
    });
    waited.await.unwrap_or_else(|_| current_version(app))
}

fn current_version(app: &App) -> Reply {
    let version = app.live.snapshot().version;
    Reply::json(&serde_json::json!({ "version": version }))
}

/// One of the [`MAX_WAITING`] places for a waiting page; given back when dropped.
struct Waiting(Arc<App>);

impl Waiting {
    fn enter(app: &Arc<App>) -> Option<Waiting> {
        if app.waiting.fetch_add(1, Ordering::SeqCst) >= MAX_WAITING {
            app.waiting.fetch_sub(1, Ordering::SeqCst);
            return None;
        }
        Some(Waiting(Arc::clone(app)))
    }
}

impl Drop for Waiting {
    fn drop(&mut self) {
        self.0.waiting.fetch_sub(1, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::Diagnostic;
    use crate::pipeline::Failure;
    use crate::serve::state::Problem;

    fn app() -> (tempfile::TempDir, App) {
        let dir = tempfile::tempdir().expect("tempdir");
        let output = dir.path().join("site");
        fs::create_dir_all(output.join("p")).expect("mkdir");
        fs::write(output.join("index.html"), "<html><body>top</body></html>").expect("write");
        fs::write(output.join("404.html"), "<html><body>404</body></html>").expect("write");
        fs::write(output.join("p/data.csv"), "a,b\r\n").expect("write");
        let live = Arc::new(Live::new(output.clone()));
        (dir, App::new(output, live))
    }

    fn reply(app: &App, target: &str) -> Reply {
        match app.route(&Method::GET, target) {
            Action::Reply(r) => r,
            Action::WaitForChange(_) => panic!("{target} should not wait"),
        }
    }

    #[test]
    fn before_a_good_build_every_page_explains() {
        let (_dir, app) = app();
        app.live.failed(
            Problem::from_failure(&Failure::Content(vec![Diagnostic::in_file(
                std::path::Path::new("content/a.md"),
                "誤り",
            )])),
            0.0,
        );
        let r = reply(&app, "/");
        assert_eq!(r.status, 503);
        let body = String::from_utf8(r.body).expect("utf8");
        assert!(
            body.contains("roadmap-overlay") && body.contains("content/a.md"),
            "{body}"
        );
    }

    #[test]
    fn pages_get_the_script_and_files_do_not() {
        let (_dir, app) = app();
        app.live.succeeded(0.0);
        let page = reply(&app, "/");
        assert_eq!(page.status, 200);
        assert!(String::from_utf8_lossy(&page.body).contains("/__roadmap/live.js"));
        let csv = reply(&app, "/p/data.csv");
        assert_eq!(csv.content_type, "text/csv; charset=utf-8");
        assert_eq!(csv.body, b"a,b\r\n");
        let missing = reply(&app, "/nothing/");
        assert_eq!(missing.status, 404);
        assert!(String::from_utf8_lossy(&missing.body).contains("404"));
        assert_eq!(reply(&app, "/p").location.as_deref(), Some("/p/"));
        assert_eq!(reply(&app, "/%2e%2e/x").status, 403);
    }

    #[test]
    fn waiting_pages_are_bounded_and_answered_on_change() {
        let (_dir, app) = app();
        let app = Arc::new(app);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .max_blocking_threads(MAX_WAITING + MAX_READING)
            .enable_all()
            .build()
            .expect("runtime");
        let events = || answer(&app, Method::GET, "/__roadmap/events?since=0".to_string());
        runtime.block_on(async {
            let waiting: Vec<_> = (0..MAX_WAITING)
                .map(|_| {
                    let app = Arc::clone(&app);
                    tokio::spawn(async move {
                        answer(&app, Method::GET, "/__roadmap/events?since=0".to_string()).await
                    })
                })
                .collect();
            let deadline = std::time::Instant::now() + Duration::from_secs(60);
            while app.waiting.load(Ordering::SeqCst) < MAX_WAITING {
                assert!(std::time::Instant::now() < deadline, "pages never waited");
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            let extra = events().await;
            assert_eq!(
                extra.body, br#"{"version":0}"#,
                "one too many is answered at once"
            );
            app.live.succeeded(0.0);
            for page in waiting {
                assert_eq!(page.await.expect("task").body, br#"{"version":1}"#);
            }
            assert_eq!(app.waiting.load(Ordering::SeqCst), 0);
        });
    }

    #[test]
    fn endpoints_answer_and_events_wait() {
        let (_dir, app) = app();
        assert_eq!(
            app.route(&Method::GET, "/__roadmap/events?since=4"),
            Action::WaitForChange(4)
        );
        assert_eq!(reply(&app, "/__roadmap/live.js").status, 200);
        assert_eq!(reply(&app, "/__roadmap/nothing").status, 404);
        let status = reply(&app, "/__roadmap/status");
        assert_eq!(status.content_type, "application/json");
        match app.route(&Method::POST, "/") {
            Action::Reply(r) => assert_eq!(r.status, 405),
            Action::WaitForChange(_) => panic!("POST must not wait"),
        }
    }
}
