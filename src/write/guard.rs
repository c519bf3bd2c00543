//! Decides, before anything is created or renamed, whether a folder may receive the built site.
//!
//! A build replaces its output folder whole. An `--output` that names the sources (`content/`,
//! `build/../content`, the site root, a folder above it, `config.toml`) or a folder the build did
//! not write (`.git`, `docs`) would be destroyed, so the path is resolved first — lexically and
//! through every part of it that exists, links included — and refused unless it is new, empty, or a
//! site that `roadmap build` wrote before (it carries [`MARKER`]).

use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};

/// The file every build writes at the top of its output, so that a later build knows the folder is
/// its own to replace. Staging folders carry it from their first moment, so that a stale one left by
/// a killed build is known to be ours too.
pub const MARKER: &str = ".roadmap-build";

/// What the marker file says to anyone who opens it.
pub const MARKER_TEXT: &str = "このフォルダは roadmap build が書き出したサイトです。次の roadmap build は、このフォルダを丸ごと作り直します。\n";

/// Why a folder may not receive the site.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error(
        "書き出し先 {output} は、サイトのフォルダ {root} そのもの、またはそれを含むフォルダです。書き出すと元のファイルが消えるため使えません。--output には別のフォルダ（例: output）を指定してください。"
    )]
    ContainsRoot { output: PathBuf, root: PathBuf },
    #[error(
        "書き出し先 {output} は、サイトが読む {input} {relation}です。書き出すと元のファイルが消えるため使えません。--output には別のフォルダ（例: output）を指定してください。"
    )]
    Input {
        output: PathBuf,
        input: PathBuf,
        relation: &'static str,
    },
    #[error(
        "書き出し先 {output} はファイルです（サイトのフォルダ {root} の外でも、ファイルを消すことはしません）。--output にはフォルダを指定してください。"
    )]
    File { output: PathBuf, root: PathBuf },
    #[error(
        "書き出し先 {output} は、roadmap build が書き出したものではないフォルダです（{marker} がありません）。書き出すと中のファイルが消えるため使えません。新しいフォルダか空のフォルダを指定してください（サイトのフォルダ: {root}）。"
    )]
    Foreign {
        output: PathBuf,
        root: PathBuf,
        marker: &'static str,
    },
    #[error("書き出し先 {output} を確かめられません: {message}")]
    Unreadable { output: PathBuf, message: String },
    #[error(
        "書き出し先 {output} の「..」の前の {missing} は、ないか、フォルダではありません。このパスはたどれないため、どこに書き出すか決められません。「..」を使わないパスか、あるフォルダだけを通るパスを --output に指定してください。"
    )]
    Untraversable { output: PathBuf, missing: PathBuf },
}

/// The files and folders a build reads, relative to the site root: never an output.
pub const INPUTS: &[&str] = &["config.toml", "content", "themes"];

/// Checks `output` against the site at `root`; returns the output as resolved.
pub fn check(root: &Path, output: &Path) -> Result<PathBuf, Refusal> {
    let root = resolve(root);
    let resolved = resolve(output);
    if root.starts_with(&resolved) {
        return Err(Refusal::ContainsRoot {
            output: resolved,
            root,
        });
    }
    for input in INPUTS.iter().map(|i| resolve(&root.join(i))) {
        let relation = if resolved == input {
            Some("そのもの")
        } else if resolved.starts_with(&input) {
            Some("の中")
        } else if input.starts_with(&resolved) {
            Some("を含むフォルダ")
        } else {
            None
        };
        if let Some(relation) = relation {
            return Err(Refusal::Input {
                output: resolved,
                input,
                relation,
            });
        }
    }
    // Past the sources' protection, so that `build/../content` is refused as the sources.
    if let Some(missing) = missing_before_parent(output) {
        return Err(Refusal::Untraversable {
            output: output.to_path_buf(),
            missing,
        });
    }
    match fs::symlink_metadata(&resolved) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(resolved),
        Err(e) => Err(Refusal::Unreadable {
            output: resolved,
            message: e.to_string(),
        }),
        Ok(meta) if !meta.is_dir() => Err(Refusal::File {
            output: resolved,
            root,
        }),
        Ok(_) if is_ours_or_empty(&resolved) => Ok(resolved),
        Ok(_) => Err(Refusal::Foreign {
            output: resolved,
            root,
            marker: MARKER,
        }),
    }
}

/// Whether a folder is empty, or holds a site that a build wrote: the marker, or — for sites written
/// before the marker existed — the pair of files only this program writes together.
pub fn is_ours_or_empty(dir: &Path) -> bool {
    let empty = fs::read_dir(dir).is_ok_and(|mut entries| entries.next().is_none());
    empty
        || dir.join(MARKER).is_file()
        || (dir.join("index.html").is_file() && dir.join("data/projects.schema.json").is_file())
}

/// The absolute path `path` names, as the system would follow it: each part that exists is
/// resolved to its real place (so links and `..` after a link go where the system goes), each part
/// that does not is taken as written, and `..` over a missing part removes it.
pub fn resolve(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut resolved = PathBuf::new();
    for component in absolute.components() {
        match component {
            Component::Prefix(_) | Component::RootDir => resolved.push(component.as_os_str()),
            Component::CurDir => {}
            Component::ParentDir => {
                resolved.pop();
            }
            Component::Normal(name) => {
                resolved.push(name);
                if let Ok(real) = fs::canonicalize(&resolved) {
                    resolved = real;
                }
            }
        }
    }
    resolved
}

/// The first part of `path` that a `..` goes up from but that is not a folder (missing, or a
/// file), if any: the system cannot follow such a path (`new/../site` names nothing while `new`
/// is missing), so the folder the build would write and the path a reader opens would differ.
fn missing_before_parent(path: &Path) -> Option<PathBuf> {
    let mut walked = PathBuf::new();
    for component in path.components() {
        if component == Component::ParentDir && !walked.as_os_str().is_empty() && !walked.is_dir() {
            return Some(walked);
        }
        walked.push(component.as_os_str());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("tempdir");
        for folder in ["content", "themes/default", "docs", ".git"] {
            fs::create_dir_all(dir.path().join(folder)).expect("mkdir");
        }
        fs::write(dir.path().join("config.toml"), "title = 't'").expect("write");
        fs::write(dir.path().join("docs/guide.md"), "guide").expect("write");
        fs::write(dir.path().join(".git/HEAD"), "ref: refs/heads/main").expect("write");
        dir
    }

    #[test]
    fn the_sources_and_foreign_folders_are_refused() {
        let site = site();
        let root = site.path();
        let refused = |output: &str| check(root, &root.join(output)).is_err();
        for output in [
            ".",
            "..",
            "content",
            "content/sub",
            "build/../content",
            "nope/../../",
            "nope/../../x/../",
            "themes",
            "themes/default/static",
            "config.toml",
            ".git",
            "docs",
            "./content/.",
        ] {
            assert!(refused(output), "{output} must be refused");
        }
        for output in ["output", "build/site", "docs/../output", "./output/."] {
            assert!(!refused(output), "{output} may be written");
        }
    }

    #[test]
    fn a_parent_of_a_missing_folder_is_refused_by_name() {
        let site = site();
        let root = site.path();
        for (output, missing) in [
            ("nope/../output", "nope"),
            ("docs/nope/../../output", "docs/nope"),
            ("nope/deeper/../../output", "nope/deeper"),
            ("docs/guide.md/../../output", "docs/guide.md"),
        ] {
            assert_eq!(
                check(root, &root.join(output)),
                Err(Refusal::Untraversable {
                    output: root.join(output),
                    missing: root.join(missing),
                }),
                "{output}"
            );
        }
        let message = check(root, &root.join("nope/../output"))
            .expect_err("refused")
            .to_string();
        assert!(
            message.contains("「..」の前の")
                && message.contains("フォルダではありません")
                && message.contains("nope"),
            "{message}"
        );
        assert!(!root.join("nope").exists());
    }

    #[test]
    fn links_are_followed_to_where_they_lead() {
        let site = site();
        let root = site.path();
        let outside = tempfile::tempdir().expect("tempdir");
        std::os::unix::fs::symlink(root.join("content"), outside.path().join("to-content"))
            .expect("link");
        std::os::unix::fs::symlink(root, outside.path().join("to-root")).expect("link");
        assert!(check(root, &outside.path().join("to-content")).is_err());
        assert!(check(root, &outside.path().join("to-root/output/..")).is_err());
        assert!(check(root, &outside.path().join("to-root/output")).is_ok());
        // `..` after a link goes up from where the link leads, as the system does.
        assert!(check(root, &outside.path().join("to-content/../themes")).is_err());
    }

    #[test]
    fn an_earlier_build_or_an_empty_folder_may_be_replaced() {
        let site = site();
        let root = site.path();
        let output = root.join("output");
        fs::create_dir_all(&output).expect("mkdir");
        assert!(check(root, &output).is_ok(), "empty");
        fs::write(output.join("notes.txt"), "mine").expect("write");
        assert!(matches!(check(root, &output), Err(Refusal::Foreign { .. })));
        fs::write(output.join(MARKER), MARKER_TEXT).expect("write");
        assert!(check(root, &output).is_ok(), "marked");
    }

    #[test]
    fn messages_name_both_paths() {
        let site = site();
        let root = site.path();
        let message = check(root, &root.join("build/../content"))
            .expect_err("refused")
            .to_string();
        assert!(message.contains(&resolve(&root.join("content")).display().to_string()));
        assert!(message.contains("サイトが読む"));
    }
}
