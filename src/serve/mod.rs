//! `roadmap serve`: a live preview for staff. Builds the site into a private temporary directory, serves
//! it on the loopback address, rebuilds when a file is saved and makes open pages reload.
//!
//! A failed rebuild keeps the last good site (the pipeline replaces its output only on success) and
//! every page then shows the same diagnostics as `roadmap check`, in an overlay. The published
//! `output/` is never touched, and nothing preview-only is ever written into a build.

pub mod browser;
pub(crate) mod connections;
pub(crate) mod files;
pub(crate) mod http;
pub(crate) mod origin;
pub(crate) mod overlay;
pub(crate) mod server;
pub(crate) mod state;
pub(crate) mod watch;
pub(crate) mod write_timeout;

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, TryLockError};
use std::time::{Duration, Instant};

use tokio::net::TcpListener;

use crate::config::CONFIG_FILE;
use crate::pipeline::BuildOptions;
use crate::terminal::{notice, say};
use http::App;
use origin::AllowedHosts;
use state::Live;
use watch::{Builder, Watch};

/// The port tried first when none is given, so that a bookmark keeps working.
pub const DEFAULT_PORT: u16 = 8000;
/// How long stopping waits for a build in progress before removing its output anyway.
const STOP_WAIT: Duration = Duration::from_secs(10);

/// What `roadmap serve` was asked to do.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub root: PathBuf,
    /// `None`: [`DEFAULT_PORT`] if free, else any free port. `Some(0)`: any free port.
    pub port: Option<u16>,
    pub bind: IpAddr,
    /// `--open`: open the preview in the browser once it is ready.
    pub open: bool,
}

/// Why the preview could not start (exit status 2).
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("{0}")]
    Usage(String),
    /// A system call failed; `doing` says what the preview was doing, in Japanese.
    #[error("{doing}: {source}")]
    Io {
        doing: &'static str,
        #[source]
        source: std::io::Error,
    },
    #[error("ファイルの変更を見張れません: {0}")]
    Watch(#[from] notify::Error),
}

/// The context of a failed system call.
fn io(doing: &'static str) -> impl FnOnce(std::io::Error) -> ServeError {
    move |source| ServeError::Io { doing, source }
}

/// The prefix of the preview's temporary folders.
const WORKDIR_PREFIX: &str = "roadmap-serve-";
/// The file in a preview's temporary folder that names the process using it.
const WORKDIR_PID: &str = "roadmap-serve.pid";

/// Builds, serves and watches until the process is stopped (Ctrl+C).
pub fn run(options: &ServeOptions) -> Result<(), ServeError> {
    let root = site_root(&options.root)?;
    let runtime = server::runtime().map_err(io("プレビューのサーバーを用意できません"))?;
    let listener = {
        let _inside = runtime.enter();
        bind(options.bind, options.port)?
    };
    let port = listener
        .local_addr()
        .map_err(io("待ち受けているポートが分かりません"))?
        .port();
    let url = url_of(port, options.bind);
    remove_stale_workdirs(&std::env::temp_dir());
    let workdir = tempfile::Builder::new()
        .prefix(WORKDIR_PREFIX)
        .tempdir()
        .map_err(io("作業用の一時フォルダを作れません"))?;
    std::fs::write(
        workdir.path().join(WORKDIR_PID),
        std::process::id().to_string(),
    )
    .map_err(io("作業用の一時フォルダに書き込めません"))?;
    let output = workdir.path().join("site");
    let live = Arc::new(Live::new(output.clone()));
    let build = BuildOptions {
        root: root.clone(),
        output: output.clone(),
        base_url: Some(url.clone()),
        preview: true,
    };
    let builder = Builder::new(build, Arc::clone(&live));
    // Watch before the first build, so that a save during it is not missed.
    let watch = Watch::start(&root)?;
    builder.run("最初の作成");
    stop_cleanly_on_signal(workdir.path(), Arc::clone(&builder.rebuilder));
    std::thread::Builder::new()
        .name("roadmap-watch".to_string())
        .spawn(move || watch.run(&builder))
        .map_err(io("ファイルを見張るスレッドを始められません"))?;
    greet(&url, options.bind);
    if options.open {
        browser::open_in_background(&url);
    }
    let app = Arc::new(App::new(output, live));
    runtime.block_on(server::serve(
        listener,
        app,
        AllowedHosts::new(options.bind, port),
    ));
    drop(workdir);
    Ok(())
}

/// The site folder as an absolute path, if it has a `config.toml`.
fn site_root(root: &Path) -> Result<PathBuf, ServeError> {
    let missing = || {
        ServeError::Usage(format!(
            "{} に {CONFIG_FILE} がありません。--root でサイトのフォルダ（config.toml のある場所）を指定してください。",
            root.display()
        ))
    };
    let root = root.canonicalize().map_err(|_| missing())?;
    if root.join(CONFIG_FILE).is_file() {
        Ok(root)
    } else {
        Err(missing())
    }
}

/// Listens on the port asked for, or on [`DEFAULT_PORT`] or any free port.
/// Must be called inside the server's runtime.
fn bind(ip: IpAddr, port: Option<u16>) -> Result<TcpListener, ServeError> {
    let attempt = |port: u16| server::listen(SocketAddr::new(ip, port));
    match port {
        Some(port) => attempt(port).map_err(|e| {
            ServeError::Usage(format!(
                "{ip} のポート {port} で待ち受けられません（ほかのプログラムが使っているかもしれません）: {e}。--port で別の番号を指定するか、--port を付けずに実行してください。"
            ))
        }),
        None => attempt(DEFAULT_PORT)
            .or_else(|_| attempt(0))
            .map_err(|e| ServeError::Usage(format!("{ip} で待ち受けられません: {e}"))),
    }
}

/// The address to open in a browser (loopback when listening on every address).
fn url_of(port: u16, bind: IpAddr) -> String {
    let host = match bind {
        IpAddr::V4(v4) if v4.is_unspecified() => "127.0.0.1".to_string(),
        IpAddr::V6(v6) if v6.is_unspecified() => "[::1]".to_string(),
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => format!("[{v6}]"),
    };
    format!("http://{host}:{port}/")
}

fn greet(url: &str, bind: IpAddr) {
    say(&format!("プレビュー: {url} をブラウザで開いてください。"));
    say(
        "config.toml・content/・themes/ のファイルを保存すると、自動で作り直してページを新しくします。止めるには Ctrl+C を押します。",
    );
    if !bind.is_loopback() {
        say(&format!(
            "注意: {bind} で待ち受けています。このコンピューターの外（同じネットワークの人）からも見えます。"
        ));
    }
}

/// Removes the temporary folders of previews that were killed (`kill -9`, a closed terminal) and
/// so could not clean up: only folders of ours whose process has ended. Says so for each.
pub fn remove_stale_workdirs(temp: &Path) -> Vec<PathBuf> {
    let mut removed = Vec::new();
    let Ok(entries) = std::fs::read_dir(temp) else {
        return removed;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let ours = entry
            .file_name()
            .to_str()
            .is_some_and(|name| name.starts_with(WORKDIR_PREFIX));
        if !ours || entry.file_type().is_ok_and(|t| t.is_symlink()) {
            continue;
        }
        let Some(pid) = std::fs::read_to_string(path.join(WORKDIR_PID))
            .ok()
            .and_then(|text| text.trim().parse::<u32>().ok())
        else {
            continue;
        };
        if !process_is_running(pid) && std::fs::remove_dir_all(&path).is_ok() {
            say(&format!(
                "前回のプレビューが残した一時フォルダ {} を削除しました。",
                path.display()
            ));
            removed.push(path);
        }
    }
    removed
}

/// Whether a process is running (Linux: it has an entry in /proc). Elsewhere every process is
/// taken as running, so nothing is removed that might be in use.
fn process_is_running(pid: u32) -> bool {
    if cfg!(target_os = "linux") {
        Path::new("/proc").join(pid.to_string()).exists()
    } else {
        true
    }
}

/// Removes the temporary build on Ctrl+C (or a termination request) and exits. A build in progress
/// is waited for (up to [`STOP_WAIT`]), since it would otherwise write its files again.
fn stop_cleanly_on_signal<T: Send + 'static>(workdir: &Path, writing: Arc<Mutex<T>>) {
    let workdir = workdir.to_path_buf();
    let installed = ctrlc::set_handler(move || {
        // Held until exit, so that no build starts meanwhile.
        let _idle = wait_for_idle(&writing);
        let _ = std::fs::remove_dir_all(&workdir);
        say("プレビューを終了しました。");
        std::process::exit(0);
    });
    if let Err(e) = installed {
        notice(&format!(
            "注意: Ctrl+C の後片付けを用意できません（{e}）。次にプレビューを始めたときに片付けます。"
        ));
    }
}

/// The build lock, once no build is writing, or `None` after [`STOP_WAIT`].
fn wait_for_idle<T>(writing: &Mutex<T>) -> Option<MutexGuard<'_, T>> {
    let deadline = Instant::now() + STOP_WAIT;
    loop {
        match writing.try_lock() {
            Ok(guard) => return Some(guard),
            Err(TryLockError::Poisoned(poisoned)) => return Some(poisoned.into_inner()),
            Err(TryLockError::WouldBlock) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(TryLockError::WouldBlock) => return None,
        }
    }
}
