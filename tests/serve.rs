//! Runs `roadmap serve` as staff would and talks to it over real HTTP on 127.0.0.1 only: pages and
//! content types, refused traversal (encoded, `..`, symbolic links), rebuilds after edits, the error
//! overlay for content and template errors, deleted/renamed/half-written files, and bounded resources
//! over many edits. Every wait is bounded in count and time; each server is killed when its test ends.

mod common;

use common::copy_site;

use std::collections::VecDeque;
use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, SocketAddrV4, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const PROJECT: &str = "hekichi-online-shinryo-shien";
const PAGE: &str = "/projects/hekichi-online-shinryo-shien/";
/// The longest any single wait in these tests may take.
const LIMIT: Duration = Duration::from_secs(60);
const STEP: Duration = Duration::from_millis(50);

/// A running `roadmap serve`, killed when dropped.
struct Serve {
    child: Child,
    port: u16,
    site: tempfile::TempDir,
    /// The server's TMPDIR: its private build lives here, and goes with it.
    tmp: tempfile::TempDir,
    stdout: mpsc::Receiver<String>,
    stderr: Arc<Mutex<VecDeque<String>>>,
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Reads lines in a thread so that the child never blocks on a full pipe.
fn drain(stream: impl Read + Send + 'static, sink: impl Fn(String) + Send + 'static) {
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            sink(line);
        }
    });
}

fn start() -> Serve {
    start_in(copy_site())
}

fn start_in(site: tempfile::TempDir) -> Serve {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut child = Command::new(env!("CARGO_BIN_EXE_roadmap"))
        .args(["serve", "--port", "0", "--root"])
        .arg(site.path())
        .env("TMPDIR", tmp.path())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start roadmap serve");
    let (tx, stdout) = mpsc::channel();
    let stderr = Arc::new(Mutex::new(VecDeque::new()));
    drain(child.stdout.take().expect("stdout"), move |line| {
        let _ = tx.send(line);
    });
    let lines = Arc::clone(&stderr);
    drain(child.stderr.take().expect("stderr"), move |line| {
        let mut lines = lines.lock().expect("lock");
        lines.push_back(line);
        if lines.len() > 200 {
            lines.pop_front();
        }
    });
    let mut serve = Serve {
        child,
        port: 0,
        site,
        tmp,
        stdout,
        stderr,
    };
    serve.port = serve.wait_for_url();
    serve
}

impl Serve {
    /// The port of the URL the server prints, which must be on 127.0.0.1.
    fn wait_for_url(&self) -> u16 {
        let deadline = Instant::now() + LIMIT;
        while Instant::now() < deadline {
            let Ok(line) = self.stdout.recv_timeout(Duration::from_secs(1)) else {
                continue;
            };
            if let Some(at) = line.find("http://") {
                let url = line[at..].split_whitespace().next().expect("url");
                let rest = url
                    .strip_prefix("http://127.0.0.1:")
                    .unwrap_or_else(|| panic!("not a loopback URL: {url}"));
                return rest
                    .trim_end_matches('/')
                    .parse()
                    .unwrap_or_else(|_| panic!("no port in {url}"));
            }
        }
        panic!("roadmap serve printed no URL; stderr: {:?}", self.stderr());
    }

    fn stderr(&self) -> Vec<String> {
        self.stderr.lock().expect("lock").iter().cloned().collect()
    }

    fn get(&self, target: &str) -> Reply {
        request(self.port, "GET", target)
    }

    fn page(&self, target: &str) -> String {
        let reply = self.get(target);
        assert_eq!(reply.status, 200, "{target}: {}", reply.text());
        reply.text()
    }

    fn status(&self) -> serde_json::Value {
        serde_json::from_str(&self.get("/__roadmap/status").text()).expect("status JSON")
    }

    fn version(&self) -> u64 {
        self.status()["version"].as_u64().expect("version")
    }

    /// Waits (bounded) until a rebuild after `since` has the outcome `ok`; returns the status.
    fn wait_for_build(&self, since: u64, ok: bool) -> serde_json::Value {
        let deadline = Instant::now() + LIMIT;
        loop {
            let status = self.status();
            if status["version"].as_u64() > Some(since) && status["ok"] == ok {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "no {} build after version {since}: {status}\nstderr: {:?}",
                if ok { "good" } else { "failed" },
                self.stderr()
            );
            std::thread::sleep(STEP);
        }
    }

    fn content(&self, name: &str) -> PathBuf {
        self.site.path().join("content").join(name)
    }

    fn edit(&self, file: &Path, from: &str, to: &str) {
        let text = fs::read_to_string(file).expect("read");
        assert!(text.contains(from), "{} has no {from:?}", file.display());
        fs::write(file, text.replacen(from, to, 1)).expect("write");
    }

    /// The serve-only output directory, as the server reports it.
    fn output(&self) -> PathBuf {
        PathBuf::from(self.status()["output"].as_str().expect("output"))
    }
}

/// An HTTP response.
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// A minimal HTTP/1.0 client: the request line is sent exactly as given, unnormalised.
fn request(port: u16, method: &str, target: &str) -> Reply {
    let address = SocketAddrV4::new(Ipv4Addr::LOCALHOST, port);
    let mut stream =
        TcpStream::connect_timeout(&address.into(), Duration::from_secs(10)).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(40)))
        .expect("timeout");
    write!(
        stream,
        "{method} {target} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n\r\n"
    )
    .expect("send");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("read reply");
    parse_reply(&raw)
}

fn parse_reply(raw: &[u8]) -> Reply {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("end of headers");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .expect("status line");
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    Reply {
        status,
        headers,
        body: raw[split + 4..].to_vec(),
    }
}

/// The local addresses this process's port listens on, from /proc/net/tcp{,6} (Linux).
fn listening_addresses(port: u16) -> Vec<String> {
    let mut found = Vec::new();
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        let Ok(text) = fs::read_to_string(table) else {
            continue;
        };
        for line in text.lines().skip(1) {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let (Some(local), Some(state)) = (fields.get(1), fields.get(3)) else {
                continue;
            };
            let Some((address, hex_port)) = local.split_once(':') else {
                continue;
            };
            if *state == "0A" && u16::from_str_radix(hex_port, 16) == Ok(port) {
                found.push(address.to_string());
            }
        }
    }
    found
}

#[test]
fn serves_the_site_with_the_right_types_on_loopback_only() {
    let serve = start();
    if Path::new("/proc/net/tcp").exists() {
        assert_eq!(
            listening_addresses(serve.port),
            ["0100007F"],
            "127.0.0.1 only"
        );
    }
    let cases = [
        ("/", "text/html; charset=utf-8"),
        (PAGE, "text/html; charset=utf-8"),
        ("/data/projects.csv", "text/csv; charset=utf-8"),
        ("/data/projects.json", "application/json"),
        ("/sitemap.xml", "application/xml; charset=utf-8"),
        ("/feed.xml", "application/xml; charset=utf-8"),
        ("/favicon.svg", "image/svg+xml"),
        ("/assets/style.css", "text/css; charset=utf-8"),
        ("/robots.txt", "text/plain; charset=utf-8"),
        ("/__roadmap/live.js", "text/javascript; charset=utf-8"),
    ];
    for (target, content_type) in cases {
        let reply = serve.get(target);
        assert_eq!(reply.status, 200, "{target}");
        assert_eq!(reply.header("Content-Type"), Some(content_type), "{target}");
        let has_script = reply.text().contains("/__roadmap/live.js\" data-version=");
        assert_eq!(
            has_script,
            content_type.starts_with("text/html"),
            "{target}"
        );
    }
    let csv = serve.get("/data/projects.csv");
    let built = fs::read(serve.output().join("data/projects.csv")).expect("csv");
    assert_eq!(
        csv.body, built,
        "files other than pages are served unchanged"
    );

    let missing = serve.get("/no-such-page/");
    assert_eq!(missing.status, 404);
    assert!(
        missing.text().contains("ページが見つかりません"),
        "the site's 404 page"
    );
    let bare = serve.get(PAGE.trim_end_matches('/'));
    assert_eq!(bare.status, 301);
    assert_eq!(bare.header("Location"), Some(PAGE));
    assert_eq!(request(serve.port, "POST", "/").status, 405);
    assert_eq!(request(serve.port, "HEAD", PAGE).status, 200);
    assert!(request(serve.port, "HEAD", PAGE).body.is_empty());
}

#[test]
fn never_serves_anything_outside_the_output() {
    let serve = start();
    let secret = "SECRET-7f3a9c";
    fs::write(serve.tmp.path().join("secret.txt"), secret).expect("secret");
    // The output is TMPDIR/roadmap-serve-*/site: two levels below the secret.
    let attempts = [
        "/../Cargo.toml",
        "/../../secret.txt",
        "/%2e%2e/%2e%2e/secret.txt",
        "/%2E%2E/%2E%2E/secret.txt",
        "/..%2f..%2fsecret.txt",
        "/..%2F..%2Fsecret.txt",
        "/%2e%2e%2f%2e%2e%2fsecret.txt",
        "/projects/../../../secret.txt",
        "/projects/%2e%2e/%2e%2e/%2e%2e/secret.txt",
        "/..\\..\\secret.txt",
        "/%5c..%5c..%5csecret.txt",
        "/%2e%2e%5c%2e%2e%5csecret.txt",
        "/.%2e/.%2e/secret.txt",
        "/%00../secret.txt",
        "../../secret.txt",
        "/%c0%ae%c0%ae/secret.txt",
    ];
    for target in attempts {
        let reply = serve.get(target);
        assert!(
            [400, 403, 404].contains(&reply.status),
            "{target}: status {}",
            reply.status
        );
        assert!(!reply.text().contains(secret), "{target} leaked the secret");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::symlink;
        let output = serve.output();
        symlink(serve.tmp.path().join("secret.txt"), output.join("leak.txt")).expect("symlink");
        symlink(serve.tmp.path(), output.join("up")).expect("symlink");
        symlink(output.join("assets/style.css"), output.join("same.css")).expect("symlink");
        for target in ["/leak.txt", "/up/secret.txt", "/up/"] {
            let reply = serve.get(target);
            assert_eq!(reply.status, 403, "{target}");
            assert!(!reply.text().contains(secret), "{target} leaked the secret");
        }
        assert_eq!(serve.get("/same.css").status, 200, "links inside are fine");
    }
}

#[test]
fn edits_rebuild_and_errors_show_on_every_page_until_fixed() {
    let serve = start();
    assert!(serve.page(PAGE).contains("4,202千円"));
    let file = serve.content(&format!("{PROJECT}.md"));

    // A good edit: the page changes by itself.
    let before = serve.version();
    let started = Instant::now();
    serve.edit(&file, "budget = 4202", "budget = 5555");
    serve.wait_for_build(before, true);
    println!("rebuild seen after {:?}", started.elapsed());
    let page = serve.page(PAGE);
    assert!(page.contains("5,555千円"), "the new budget is served");
    assert!(!page.contains("roadmap-overlay"));

    // An open page asking for news is answered at once with the new version.
    let events = serve.get(&format!("/__roadmap/events?since={before}"));
    let news: serde_json::Value = serde_json::from_str(&events.text()).expect("events JSON");
    assert!(news["version"].as_u64() > Some(before));

    // A broken edit: the last good site stays, and every page explains the error.
    let before = serve.version();
    serve.edit(&file, "budget = 5555", "budget = \"5,555\"");
    let status = serve.wait_for_build(before, false);
    let diagnostic = &status["problem"]["diagnostics"][0];
    assert_eq!(diagnostic["path"], format!("content/{PROJECT}.md"));
    assert_eq!(diagnostic["line"], 7);
    assert_eq!(diagnostic["column"], 10);
    assert_eq!(diagnostic["key"], "budget");
    assert!(
        diagnostic["hint"]
            .as_str()
            .is_some_and(|h| h.contains("budget = 5555"))
    );
    assert!(
        status["problem"]["text"]
            .as_str()
            .is_some_and(|t| t.contains("内容に 1 件の誤りがあります。"))
    );
    for target in [PAGE, "/", "/budget/"] {
        let page = serve.page(target);
        assert!(
            page.contains("role=\"alertdialog\""),
            "{target} has the overlay"
        );
        assert!(
            page.contains(&format!("<code>content/{PROJECT}.md</code> の 7 行目")),
            "{target}"
        );
        assert!(
            page.contains("直し方: &quot; &quot; とカンマを外して"),
            "{target}"
        );
    }
    assert!(
        serve.page(PAGE).contains("5,555千円"),
        "the last good build is still served"
    );
    let not_found = serve.get("/no-such-page/");
    assert_eq!(not_found.status, 404);
    assert!(
        not_found.text().contains("roadmap-overlay"),
        "404 pages explain too"
    );

    // Fixed: the overlay goes.
    let before = serve.version();
    serve.edit(&file, "budget = \"5,555\"", "budget = 4202");
    serve.wait_for_build(before, true);
    let page = serve.page(PAGE);
    assert!(!page.contains("roadmap-overlay"));
    assert!(page.contains("4,202千円"));
}

#[test]
fn template_errors_show_in_the_overlay_too() {
    let serve = start();
    let template = serve
        .site
        .path()
        .join("themes/default/templates/project.html");
    let original = fs::read_to_string(&template).expect("template");
    let before = serve.version();
    fs::write(&template, format!("{original}\n{{% for x in %}}\n")).expect("break");
    let status = serve.wait_for_build(before, false);
    assert_eq!(status["problem"]["kind"], "theme");
    let page = serve.page("/");
    assert!(
        page.contains("テーマ（テンプレート）に誤りがあります"),
        "{page}"
    );
    assert!(page.contains("project.html"), "the template is named");
    let before = serve.version();
    fs::write(&template, original).expect("fix");
    serve.wait_for_build(before, true);
    assert!(!serve.page("/").contains("roadmap-overlay"));
}

#[test]
fn survives_deleted_renamed_and_half_written_files() {
    let serve = start();
    let file = serve.content(&format!("{PROJECT}.md"));
    let text = fs::read(&file).expect("read");

    let before = serve.version();
    fs::remove_file(&file).expect("delete");
    serve.wait_for_build(before, true);
    assert_eq!(serve.get(PAGE).status, 404, "a deleted project's page goes");

    let before = serve.version();
    fs::write(&file, &text).expect("re-add");
    serve.wait_for_build(before, true);
    assert_eq!(
        serve.get(PAGE).status,
        200,
        "a re-added project's page comes back"
    );

    let renamed = serve.content("hekichi-online-r7.md");
    let before = serve.version();
    fs::rename(&file, &renamed).expect("rename");
    serve.wait_for_build(before, true);
    assert_eq!(serve.get(PAGE).status, 404);
    assert_eq!(serve.get("/projects/hekichi-online-r7/").status, 200);

    // Saved half-way, cut inside a multi-byte character: an error, then fine once complete.
    let half = text.len() / 2;
    let cut = (half..text.len())
        .find(|&i| text[i] >= 0x80 && text[i] < 0xC0)
        .expect("a continuation byte");
    let before = serve.version();
    fs::write(&renamed, &text[..cut]).expect("half write");
    let status = serve.wait_for_build(before, false);
    assert_eq!(
        status["problem"]["diagnostics"][0]["path"],
        "content/hekichi-online-r7.md"
    );
    let before = serve.version();
    fs::write(&renamed, &text).expect("complete write");
    serve.wait_for_build(before, true);
    assert!(
        serve
            .page("/projects/hekichi-online-r7/")
            .contains("4,202千円")
    );
}

#[test]
fn a_burst_of_saves_is_one_rebuild() {
    let serve = start();
    let file = serve.content(&format!("{PROJECT}.md"));
    let text = fs::read_to_string(&file).expect("read");
    let before = serve.version();
    for budget in 1..=10 {
        fs::write(
            &file,
            text.replace("budget = 4202", &format!("budget = {budget}")),
        )
        .expect("write");
    }
    serve.wait_for_build(before, true);
    std::thread::sleep(Duration::from_millis(800));
    assert_eq!(serve.version(), before + 1, "ten saves, one rebuild");
    assert!(serve.page(PAGE).contains(">10千円<"));
}

/// Open file handles and resident memory (KiB) of a process (Linux /proc).
fn resources(pid: u32) -> Option<(usize, u64)> {
    let fds = fs::read_dir(format!("/proc/{pid}/fd")).ok()?.count();
    let status = fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let rss = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some((fds, rss))
}

/// Makes `edits` edits in a row, alternately good and broken, each waited for; returns the
/// resources after a warm-up and at the end.
fn edit_many_times(edits: u32) -> Option<((usize, u64), (usize, u64))> {
    let serve = start();
    let file = serve.content(&format!("{PROJECT}.md"));
    let text = fs::read_to_string(&file).expect("read");
    let warm_up = 10.min(edits);
    let mut first = None;
    for i in 0..edits {
        if i == warm_up {
            std::thread::sleep(Duration::from_millis(300));
            first = resources(serve.child.id());
        }
        let before = serve.version();
        let good = i % 2 == 0;
        let budget = if good {
            format!("budget = {}", 1000 + i)
        } else {
            format!("budget = \"{},{:03}\"", 1 + i / 1000, i % 1000)
        };
        fs::write(&file, text.replace("budget = 4202", &budget)).expect("write");
        serve.wait_for_build(before, good);
        if i % 4 == 0 {
            assert_eq!(serve.get(PAGE).status, 200);
        }
    }
    std::thread::sleep(Duration::from_millis(300));
    let last = resources(serve.child.id());
    println!("{edits} edits: after warm-up {first:?}, at the end {last:?} (fds, RSS KiB)");
    Some((first?, last?))
}

fn assert_bounded(edits: u32) {
    if let Some(((fds_before, rss_before), (fds_after, rss_after))) = edit_many_times(edits) {
        assert!(
            fds_after <= fds_before + 4,
            "file handles grew: {fds_before} → {fds_after}"
        );
        assert!(
            rss_after <= rss_before + 32 * 1024,
            "memory grew: {rss_before} KiB → {rss_after} KiB"
        );
    }
}

#[test]
fn many_edits_keep_file_handles_and_memory_bounded() {
    assert_bounded(40);
}

/// The soak: `cargo test --release --test serve -- --ignored soak`.
#[test]
#[ignore = "takes minutes: 1,000 rebuilds"]
fn soak_1000_edits() {
    assert_bounded(1000);
}

#[test]
fn the_published_output_is_untouched_and_has_no_reload_script() {
    let serve = start();
    assert!(
        !serve.site.path().join("output").exists(),
        "serve never writes the published output"
    );
    let out = tempfile::tempdir().expect("tempdir");
    let output = out.path().join("site");
    let built = Command::new(env!("CARGO_BIN_EXE_roadmap"))
        .args(["build", "--root"])
        .arg(serve.site.path())
        .arg("--output")
        .arg(&output)
        .output()
        .expect("build");
    assert!(built.status.success());
    let mut pages = 0;
    for entry in walkdir::WalkDir::new(&output)
        .into_iter()
        .filter_map(|e| e.ok())
    {
        if entry.file_type().is_file() {
            let bytes = fs::read(entry.path()).expect("read");
            let text = String::from_utf8_lossy(&bytes);
            assert!(!text.contains("__roadmap"), "{}", entry.path().display());
            assert!(
                !text.contains("roadmap-overlay"),
                "{}",
                entry.path().display()
            );
            pages += 1;
        }
    }
    assert!(pages > 50);
    // The serve output's own files have no script either: it is added only when served.
    let served = fs::read_to_string(serve.output().join("index.html")).expect("index");
    assert!(!served.contains("__roadmap"));
}

#[cfg(unix)]
#[test]
fn stopping_removes_the_private_build() {
    let mut serve = start();
    let output = serve.output();
    assert!(output.is_dir());
    // Stop while a rebuild is (most likely) writing: it is waited for, then everything is removed.
    let file = serve.content(&format!("{PROJECT}.md"));
    serve.edit(&file, "budget = 4202", "budget = 4203");
    std::thread::sleep(Duration::from_millis(250));
    let killed = Command::new("kill")
        .args(["-TERM", &serve.child.id().to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    let deadline = Instant::now() + LIMIT;
    let status = loop {
        if let Some(status) = serve.child.try_wait().expect("wait") {
            break status;
        }
        assert!(Instant::now() < deadline, "serve did not stop");
        std::thread::sleep(STEP);
    };
    assert!(status.success());
    assert!(!output.exists(), "the temporary build is removed");
    let left: Vec<_> = fs::read_dir(serve.tmp.path())
        .expect("tmp")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name())
        .collect();
    assert!(left.is_empty(), "nothing is left in TMPDIR: {left:?}");
}

#[test]
fn a_busy_port_or_a_wrong_root_is_a_clear_error() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().expect("addr").port().to_string();
    let site = copy_site();
    let busy = Command::new(env!("CARGO_BIN_EXE_roadmap"))
        .args(["serve", "--port", &port, "--root"])
        .arg(site.path())
        .output()
        .expect("run");
    assert_eq!(busy.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&busy.stderr)
            .contains(&format!("ポート {port} で待ち受けられません"))
    );
    let empty = tempfile::tempdir().expect("tempdir");
    let wrong = Command::new(env!("CARGO_BIN_EXE_roadmap"))
        .args(["serve", "--port", "0", "--root"])
        .arg(empty.path())
        .output()
        .expect("run");
    assert_eq!(wrong.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("config.toml がありません"));
}

#[test]
fn a_broken_site_at_start_is_explained_until_fixed() {
    let site = copy_site();
    let file = site.path().join("content").join(format!("{PROJECT}.md"));
    let text = fs::read_to_string(&file).expect("read");
    fs::write(
        &file,
        text.replace(
            "field = \"暮らし・まち分野\"",
            "field = \"くらし・まち分野\"",
        ),
    )
    .expect("break");
    let serve = start_in(site);
    let reply = serve.get(PAGE);
    assert_eq!(reply.status, 503);
    assert!(
        reply.text().contains("もしかして: 暮らし・まち分野"),
        "{}",
        reply.text()
    );
    let before = serve.version();
    fs::write(&file, text).expect("fix");
    serve.wait_for_build(before, true);
    assert!(serve.page(PAGE).contains("4,202千円"));
}
