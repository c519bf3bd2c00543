//! The preview's HTTP layer: accepts connections with tokio, speaks HTTP/1.1 with hyper, and answers with
//! [`http::answer`]. It exists so that misbehaving clients, one or thousands, can neither stop the
//! preview nor make its memory grow:
//!
//! - a request's line and headers are limited in size and number (larger ones get 431);
//! - a client has [`HEADER_READ_TIMEOUT`] to send its headers, and a response waits at most
//!   [`WRITE_TIMEOUT`] for a client that does not read it;
//! - at most [`MAX_CONNECTIONS`] connections are open (fewer if the process may open few files); more
//!   take the place of the longest idle one, and failing to accept (no file handles left) is waited
//!   out, never fatal;
//! - only requests addressed to this computer's own names pass ([`origin`](super::origin)), and only
//!   `GET` and `HEAD` are answered.

use std::convert::Infallible;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::header::{
    CACHE_CONTROL, CONTENT_TYPE, HOST, HeaderName, HeaderValue, LOCATION, ORIGIN,
    X_CONTENT_TYPE_OPTIONS,
};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::runtime::Runtime;

use super::connections::{Admission, Connections, MIN_CONNECTIONS};
use super::http::{self, App, MAX_READING, MAX_WAITING, Reply};
use super::origin::{Addressed, AllowedHosts};
use super::write_timeout::WriteTimeout;

/// How long a client may take to send a request's line and headers; also how long a kept-alive
/// connection may stay idle between requests.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a response may wait, without any progress, for a client that does not read it.
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(5);
/// The most connections open at once. A browser opens about six to one host, plus one waiting
/// request per open tab; each open connection costs a file handle and about 16 KiB of buffers
/// (up to [`MAX_HEADER_BYTES`] more while it sends its headers).
pub const MAX_CONNECTIONS: usize = 256;
/// The most bytes of a request's line and headers. Browsers send one or two KiB, more with many
/// cookies; nginx allows 32 KiB by default.
pub const MAX_HEADER_BYTES: usize = 64 * 1024;
/// The most header lines of a request (browsers send about 15).
pub const MAX_HEADERS: usize = 64;
/// Connections the system may hold for the preview before it accepts them.
const BACKLOG: u32 = 1024;
/// The longest to wait for a shed connection to close before accepting again.
const SHED_WAIT: Duration = Duration::from_secs(1);
/// How long to wait before accepting again after accepting failed.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(20);
/// Shortest time between two warnings about accepting, so that a flood cannot flood the terminal.
const WARN_EVERY: Duration = Duration::from_secs(10);
/// File handles freed for reading pages when the system says none are left.
const FILE_RESERVE: usize = 16;

// hyper refuses (panics on) a buffer smaller than 8 KiB.
const _: () = assert!(MAX_HEADER_BYTES >= 8 * 1024);

/// The runtime that serves the preview: connections on the thread that calls `block_on` (the work
/// per request there is parsing and copying; reading files and waiting for changes go to blocking
/// threads), so that what a connection allocates is freed on the thread that allocated it and the
/// allocator can reuse it at once.
pub fn runtime() -> io::Result<Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .max_blocking_threads(MAX_WAITING + MAX_READING)
        .thread_name("roadmap-http")
        .enable_io()
        .enable_time()
        .build()
}

/// Listens on `address`. Must be called inside the runtime ([`Runtime::enter`]).
pub fn listen(address: SocketAddr) -> io::Result<TcpListener> {
    let socket = match address {
        SocketAddr::V4(_) => TcpSocket::new_v4()?,
        SocketAddr::V6(_) => TcpSocket::new_v6()?,
    };
    // As the standard library does on Unix: a restart may reuse a port whose old connections linger.
    #[cfg(unix)]
    socket.set_reuseaddr(true)?;
    socket.bind(address)?;
    socket.listen(BACKLOG)
}

/// What every connection needs.
struct Shared {
    app: Arc<App>,
    allowed: AllowedHosts,
    http: http1::Builder,
}

/// Accepts and answers connections for as long as the process runs.
pub async fn serve(listener: TcpListener, app: Arc<App>, allowed: AllowedHosts) {
    let connections = Arc::new(Connections::new(connection_limit()));
    let shared = Arc::new(Shared {
        app,
        allowed,
        http: http_settings(),
    });
    let mut warned = None;
    loop {
        match listener.accept().await {
            Ok((stream, _)) => match connections.admit() {
                Some((admission, shed)) => {
                    let _ = stream.set_nodelay(true);
                    tokio::spawn(connection(stream, admission, Arc::clone(&shared)));
                    // Accept again only once the connections shed for this one have closed, so
                    // that a flood cannot run ahead of them with open file handles.
                    for connection in shed {
                        let _ = tokio::time::timeout(SHED_WAIT, connection.closed()).await;
                    }
                }
                None => refuse(&stream),
            },
            Err(error) => back_off(&error, &connections, &mut warned).await,
        }
    }
}

fn http_settings() -> http1::Builder {
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT)
        .max_buf_size(MAX_HEADER_BYTES)
        .max_header_size(MAX_HEADER_BYTES)
        .max_headers(MAX_HEADERS);
    http
}

/// Answers requests on one connection until it closes, times out or is shed to make room.
async fn connection(stream: TcpStream, admission: Admission, shared: Arc<Shared>) {
    let slot = admission.slot();
    let io = TokioIo::new(WriteTimeout::new(stream, WRITE_TIMEOUT));
    let answering = Arc::clone(&slot);
    let service_shared = Arc::clone(&shared);
    let service = service_fn(move |request| {
        let busy = answering.begin();
        let shared = Arc::clone(&service_shared);
        async move {
            let response = respond(&shared, request).await;
            drop(busy);
            Ok::<_, Infallible>(response)
        }
    });
    // Errors here are the client's (gone, too slow, malformed request): nothing to report.
    tokio::select! {
        _ = shared.http.serve_connection(io, service) => {}
        () = slot.shed() => {}
    }
    drop(admission);
}

/// The response to one request.
async fn respond(shared: &Shared, request: Request<Incoming>) -> Response<Full<Bytes>> {
    if !addressed_here(&shared.allowed, &request) {
        return response(Reply::text(
            403,
            "このプレビューは、このコンピューターのアドレス（127.0.0.1 または localhost と、表示されたポート番号）で開いてください。ほかの名前のアドレスからの読み込みは、下書きを守るため受け付けません。",
        ));
    }
    let method = request.method().clone();
    let target = request
        .uri()
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_string();
    response(http::answer(&shared.app, method, target).await)
}

/// Whether the request names this preview in `Host`, `Origin` and its target.
fn addressed_here(allowed: &AllowedHosts, request: &Request<Incoming>) -> bool {
    let values = |name: HeaderName| {
        request
            .headers()
            .get_all(name)
            .iter()
            .map(|v| v.to_str().ok())
            .collect::<Option<Vec<&str>>>()
    };
    let (Some(hosts), Some(origins)) = (values(HOST), values(ORIGIN)) else {
        return false;
    };
    allowed.allows(&Addressed {
        hosts: &hosts,
        origins: &origins,
        authority: request.uri().authority().map(|a| a.as_str()),
    })
}

fn response(reply: Reply) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(reply.body)));
    *response.status_mut() =
        StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let headers = response.headers_mut();
    let mut set = |name: HeaderName, value: &str| {
        if let Ok(value) = HeaderValue::from_str(value) {
            headers.insert(name, value);
        }
    };
    set(CONTENT_TYPE, reply.content_type);
    set(CACHE_CONTROL, "no-store");
    set(X_CONTENT_TYPE_OPTIONS, "nosniff");
    if let Some(location) = &reply.location {
        set(LOCATION, location);
    }
    response
}

/// Tells a connection that cannot be taken (every open one is being answered) to come back, if its
/// socket takes the few bytes at once, and closes it.
fn refuse(stream: &TcpStream) {
    let body = "接続が多すぎるため、いまは応えられません。少し待ってから開き直してください。";
    let response = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: {}\r\nretry-after: 1\r\ncache-control: no-store\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.try_write(response.as_bytes());
}

/// After accepting failed: if the process has no file handles left, closes idle connections and
/// accepts fewer from now on; in any case waits a moment and goes on.
async fn back_off(error: &io::Error, connections: &Connections, warned: &mut Option<Instant>) {
    if out_of_file_handles(error) {
        let shed = connections.shrink(FILE_RESERVE);
        if warned.is_none_or(|at| at.elapsed() >= WARN_EVERY) {
            *warned = Some(Instant::now());
            crate::terminal::notice(&format!(
                "注意: 開けるファイルの数が上限に達したため、新しい接続を受け付けられませんでした（{error}）。使われていない接続 {shed} 件を閉じ、同時に開く接続を {} 件までにして続けます。",
                connections.limit()
            ));
        }
    }
    tokio::time::sleep(ACCEPT_BACKOFF).await;
}

/// Whether an error means that the process or the system has no file handles (or memory) left.
#[cfg(target_os = "linux")]
fn out_of_file_handles(error: &io::Error) -> bool {
    matches!(
        error.raw_os_error(),
        Some(libc::EMFILE | libc::ENFILE | libc::ENOBUFS | libc::ENOMEM)
    )
}

/// Elsewhere the back-off and the header timeout still free handles, more slowly.
#[cfg(not(target_os = "linux"))]
fn out_of_file_handles(_error: &io::Error) -> bool {
    false
}

/// [`MAX_CONNECTIONS`], or half the files the process may open if that is less, so that builds and
/// page reads keep handles of their own.
fn connection_limit() -> usize {
    match open_file_limit() {
        Some(files) => (files / 2).clamp(MIN_CONNECTIONS, MAX_CONNECTIONS),
        None => MAX_CONNECTIONS,
    }
}

/// The process's limit on open files (the soft limit, which is the one enforced).
#[cfg(target_os = "linux")]
fn open_file_limit() -> Option<usize> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `limit` is a valid, writable rlimit that outlives the call; the call only writes it.
    let status = unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) };
    (status == 0).then(|| usize::try_from(limit.rlim_cur).unwrap_or(usize::MAX))
}

#[cfg(not(target_os = "linux"))]
fn open_file_limit() -> Option<usize> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_keep_their_status_type_and_location() {
        let reply = Reply {
            location: Some("/p/".to_string()),
            ..Reply::text(301, "移動")
        };
        let response = response(reply);
        assert_eq!(response.status(), StatusCode::MOVED_PERMANENTLY);
        let header = |name| response.headers().get(name).and_then(|v| v.to_str().ok());
        assert_eq!(header(CONTENT_TYPE), Some("text/plain; charset=utf-8"));
        assert_eq!(header(CACHE_CONTROL), Some("no-store"));
        assert_eq!(header(X_CONTENT_TYPE_OPTIONS), Some("nosniff"));
        assert_eq!(header(LOCATION), Some("/p/"));
    }

    #[test]
    fn a_location_that_is_not_a_header_value_is_left_out() {
        let reply = Reply {
            location: Some("/a\r\nSet-Cookie: x".to_string()),
            ..Reply::text(301, "移動")
        };
        assert!(response(reply).headers().get(LOCATION).is_none());
    }

    #[test]
    fn the_connection_limit_leaves_handles_for_files() {
        let limit = connection_limit();
        assert!((MIN_CONNECTIONS..=MAX_CONNECTIONS).contains(&limit));
        if let Some(files) = open_file_limit() {
            assert!(limit <= files / 2 || limit == MIN_CONNECTIONS);
        }
    }
}
