//! Maps a request path to a file of the preview output, and nothing outside it.
//!
//! The path is percent-decoded first and then split, so that encoded tricks (`%2e%2e`, `..%2f`) are
//! seen as the `..` segments they are and refused; a symbolic link is followed only if it still lands
//! inside the output. Directory paths serve their `index.html`.

use std::path::{Path, PathBuf};

/// What a request path leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A regular file inside the output.
    File(PathBuf),
    /// A directory asked for without its trailing `/`: the browser must come back with one, or the
    /// page's relative links would point one level too high.
    Redirect(String),
    NotFound,
    /// An attempt to reach outside the output.
    Forbidden,
    /// A path that is not a valid `/`-rooted, percent-encoded UTF-8 path.
    BadRequest,
}

/// Resolves the path part of a request target (`/a/b/?q` → `output/a/b/index.html`).
pub fn resolve(output: &Path, request_target: &str) -> Target {
    let raw = path_part(request_target);
    if !raw.starts_with('/') {
        return Target::BadRequest;
    }
    let Some(decoded) = percent_decode(raw) else {
        return Target::BadRequest;
    };
    let Some(segments) = safe_segments(&decoded) else {
        return Target::Forbidden;
    };
    let Ok(real_output) = output.canonicalize() else {
        return Target::NotFound;
    };
    let mut path = real_output.clone();
    path.extend(&segments);
    match inside(&real_output, &path) {
        Inside::Dir(_) if !raw.ends_with('/') => Target::Redirect(directory_url(&segments)),
        Inside::Dir(dir) => match inside(&real_output, &dir.join("index.html")) {
            Inside::File(file) => Target::File(file),
            Inside::Outside => Target::Forbidden,
            Inside::Dir(_) | Inside::Missing => Target::NotFound,
        },
        Inside::File(file) => Target::File(file),
        Inside::Outside => Target::Forbidden,
        Inside::Missing => Target::NotFound,
    }
}

/// The request target without its query string or fragment.
pub fn path_part(request_target: &str) -> &str {
    request_target
        .split(['?', '#'])
        .next()
        .unwrap_or(request_target)
}

/// The query string of a request target (without `?`), or `""`.
pub fn query_part(request_target: &str) -> &str {
    request_target
        .split_once('?')
        .map_or("", |(_, q)| q.split('#').next().unwrap_or(""))
}

/// The non-empty segments of a decoded path, or `None` if any would leave the directory it is in.
fn safe_segments(decoded: &str) -> Option<Vec<&str>> {
    if decoded.contains(['\0', '\\']) {
        return None;
    }
    let segments: Vec<&str> = decoded.split('/').filter(|s| !s.is_empty()).collect();
    let unsafe_segment = |s: &&str| *s == ".." || *s == "." || s.contains(':');
    if segments.iter().any(unsafe_segment) {
        return None;
    }
    Some(segments)
}

enum Inside {
    File(PathBuf),
    Dir(PathBuf),
    Outside,
    Missing,
}

/// Where `path` really is once every symbolic link is followed, if it exists.
fn inside(real_output: &Path, path: &Path) -> Inside {
    let Ok(real) = path.canonicalize() else {
        return Inside::Missing;
    };
    if !real.starts_with(real_output) {
        return Inside::Outside;
    }
    if real.is_dir() {
        Inside::Dir(real)
    } else if real.is_file() {
        Inside::File(real)
    } else {
        Inside::Missing
    }
}

/// `/a/b/` from decoded segments, each re-encoded (never `//host`, so never an open redirect).
fn directory_url(segments: &[&str]) -> String {
    let mut url = String::from("/");
    for segment in segments {
        url.push_str(&percent_encode(segment));
        url.push('/');
    }
    url
}

/// Decodes `%XX` escapes; `None` for a malformed escape or a result that is not UTF-8.
pub fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Escapes everything but unreserved characters, for one path segment.
fn percent_encode(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for byte in segment.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The `Content-Type` for a file, by its extension.
pub fn content_type(path: &Path) -> &'static str {
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    match extension.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "csv" => "text/csv; charset=utf-8",
        "xml" => "application/xml; charset=utf-8",
        "svg" => "image/svg+xml",
        "txt" => "text/plain; charset=utf-8",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "pdf" => "application/pdf",
        _ => "application/octet-stream",
    }
}

/// Whether a content type is an HTML page (the only kind that gets the reload script).
pub fn is_html(content_type: &str) -> bool {
    content_type.starts_with("text/html")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn site() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().expect("tempdir");
        let output = dir.path().join("site");
        fs::create_dir_all(output.join("projects/a")).expect("mkdir");
        fs::write(output.join("index.html"), "home").expect("write");
        fs::write(output.join("projects/a/index.html"), "a").expect("write");
        fs::write(output.join("data.csv"), "x").expect("write");
        fs::write(dir.path().join("secret.txt"), "secret").expect("write");
        let output = output.canonicalize().expect("canonical");
        (dir, output)
    }

    #[test]
    fn directories_serve_their_index() {
        let (_dir, output) = site();
        assert_eq!(
            resolve(&output, "/"),
            Target::File(output.join("index.html"))
        );
        assert_eq!(
            resolve(&output, "/projects/a/?x=1"),
            Target::File(output.join("projects/a/index.html"))
        );
        assert_eq!(
            resolve(&output, "/projects/a"),
            Target::Redirect("/projects/a/".to_string())
        );
        assert_eq!(resolve(&output, "/missing/"), Target::NotFound);
        assert_eq!(resolve(&output, "/projects/"), Target::NotFound);
    }

    #[test]
    fn traversal_is_refused_however_it_is_spelt() {
        let (_dir, output) = site();
        for target in [
            "/../secret.txt",
            "/%2e%2e/secret.txt",
            "/%2E%2E/secret.txt",
            "/..%2fsecret.txt",
            "/projects/..%2F..%2Fsecret.txt",
            "/projects/%2e%2e/%2e%2e/secret.txt",
            "/..\\secret.txt",
            "/./index.html",
            "/%00",
            "/C:/x",
        ] {
            assert_eq!(resolve(&output, target), Target::Forbidden, "{target}");
        }
        assert_eq!(resolve(&output, "secret.txt"), Target::BadRequest);
        assert_eq!(resolve(&output, "/%zz"), Target::BadRequest);
        assert_eq!(resolve(&output, "/%ff"), Target::BadRequest);
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_must_stay_inside() {
        let (dir, output) = site();
        std::os::unix::fs::symlink(dir.path().join("secret.txt"), output.join("leak.txt"))
            .expect("symlink");
        std::os::unix::fs::symlink(dir.path(), output.join("up")).expect("symlink");
        std::os::unix::fs::symlink(output.join("data.csv"), output.join("same.csv"))
            .expect("symlink");
        assert_eq!(resolve(&output, "/leak.txt"), Target::Forbidden);
        assert_eq!(resolve(&output, "/up/secret.txt"), Target::Forbidden);
        assert_eq!(resolve(&output, "/up/"), Target::Forbidden);
        assert_eq!(
            resolve(&output, "/same.csv"),
            Target::File(output.join("data.csv"))
        );
    }

    #[test]
    fn redirects_never_leave_the_host() {
        let (_dir, output) = site();
        assert_eq!(
            resolve(&output, "//projects/a"),
            Target::Redirect("/projects/a/".to_string())
        );
    }

    #[test]
    fn content_types_follow_extensions() {
        let cases = [
            ("a.html", "text/html; charset=utf-8"),
            ("a.CSV", "text/csv; charset=utf-8"),
            ("a.json", "application/json"),
            ("feed.xml", "application/xml; charset=utf-8"),
            ("f.svg", "image/svg+xml"),
            ("s.css", "text/css; charset=utf-8"),
            ("s.js", "text/javascript; charset=utf-8"),
            ("noext", "application/octet-stream"),
        ];
        for (name, expected) in cases {
            assert_eq!(content_type(Path::new(name)), expected, "{name}");
        }
    }

    #[test]
    fn queries_are_split_off() {
        assert_eq!(path_part("/a/?since=3#x"), "/a/");
        assert_eq!(query_part("/a/?since=3#x"), "since=3");
        assert_eq!(query_part("/a/"), "");
    }
}
