//! The content stage: finds every project file under `content/`, reads them in parallel, and checks
//! what no single file can (two files with the same slug or the same 事業名).

pub(crate) mod front_matter;
pub mod project;
pub(crate) mod slips;
pub(crate) mod table;

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use walkdir::WalkDir;

use crate::diagnostics::{Diagnostic, SourceFile};
use crate::model::Project;
use crate::vocabulary::is_slug;

pub use project::{Context, ProjectFile};

pub const CONTENT_DIR: &str = "content";
const PROJECT_SUFFIX: &str = ".md";
/// The largest content file read: a sheet is 3–6 KB.
pub const MAX_FILE_BYTES: u64 = 256 * 1024;
/// The longest file name (without `.md`) a project may have: it becomes a folder and a file name
/// in the output (`data/projects/<slug>.json`) and part of the URL, which should stay readable.
pub const MAX_SLUG_LENGTH: usize = 100;

/// Finds, reads and validates every project under `root/content`, taking a file's project from
/// `reuse` (given the file's path) where it has one instead of reading the file: the live preview
/// reads again only the files that changed. Returns the projects in file order with their notices,
/// or every problem found in every file.
pub fn load_projects_reusing(
    root: &Path,
    context: &Context<'_>,
    reuse: &(dyn Fn(&Path) -> Option<ProjectFile> + Sync),
) -> Result<Vec<ProjectFile>, Vec<Diagnostic>> {
    load_projects_in(root, Path::new(CONTENT_DIR), context, reuse)
}

/// As [`load_projects_reusing`], for the project files under `root/dir` only (`dir` relative to
/// `root`: `content/r6` for an edition).
pub fn load_projects_in(
    root: &Path,
    dir: &Path,
    context: &Context<'_>,
    reuse: &(dyn Fn(&Path) -> Option<ProjectFile> + Sync),
) -> Result<Vec<ProjectFile>, Vec<Diagnostic>> {
    let (paths, mut errors) = discover(root, dir);
    let results: Vec<Result<ProjectFile, Vec<Diagnostic>>> = paths
        .par_iter()
        .map(|path| reuse(path).map_or_else(|| load_project(root, path, context), Ok))
        .collect();
    let mut files = Vec::with_capacity(results.len());
    for result in results {
        match result {
            Ok(file) => files.push(file),
            Err(mut e) => errors.append(&mut e),
        }
    }
    let projects: Vec<&Project> = files.iter().map(|f| f.project.as_ref()).collect();
    errors.extend(duplicates(&projects, |p| &p.slug, "slug（ファイル名）"));
    errors.extend(duplicates(&projects, |p| &p.name, "事業名（name）"));
    if projects.is_empty() && errors.is_empty() {
        errors.push(Diagnostic::in_file(
            dir,
            "事業ファイル（.md）が1つもありません。",
        ));
    }
    if errors.is_empty() {
        Ok(files)
    } else {
        Err(errors)
    }
}

/// The mistakes in the content files that can be found without the configuration and the
/// vocabulary ([`project::read_structure`]): reported beside a broken `config.toml` or vocabulary.
pub fn check_structure(root: &Path) -> Vec<Diagnostic> {
    let (paths, mut errors) = discover(root, Path::new(CONTENT_DIR));
    let found: Vec<Vec<Diagnostic>> = paths
        .par_iter()
        .map(|path| {
            let display = relative(root, path);
            let text = std::fs::read(path)
                .map_err(|e| {
                    vec![Diagnostic::in_file(
                        &display,
                        format!("ファイルを読めません: {e}"),
                    )]
                })
                .and_then(|bytes| decode(&display, bytes));
            match text {
                Ok(text) => project::read_structure(&SourceFile::new(display, text)),
                Err(e) => e,
            }
        })
        .collect();
    errors.extend(found.into_iter().flatten());
    errors
}

/// With edition folders, the project files outside them (directly in `content/` or in another
/// folder): each is an error, since it would belong to no edition.
pub fn projects_outside_editions(root: &Path, editions: &[String]) -> Vec<Diagnostic> {
    let content = root.join(CONTENT_DIR);
    // The top level is listed here, not walked: a walk reads each edition's folder (10,000 files
    // in a large one) before it can be told to skip it.
    let Ok(top) = std::fs::read_dir(&content) else {
        return Vec::new();
    };
    let mut others: Vec<std::fs::DirEntry> = top
        .filter_map(Result::ok)
        .filter(|entry| {
            let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
            !(is_dir
                && editions
                    .iter()
                    .any(|code| entry.file_name() == code.as_str()))
        })
        .collect();
    others.sort_by_key(std::fs::DirEntry::file_name);
    let example = editions.last().map_or("r6", String::as_str);
    others
        .iter()
        .flat_map(|entry| {
            // Only a real folder is looked into, as a walk that does not follow links would.
            let depth = if entry.file_type().is_ok_and(|t| t.is_dir()) {
                usize::MAX
            } else {
                0
            };
            WalkDir::new(entry.path())
                .max_depth(depth)
                .sort_by_file_name()
                .into_iter()
                .filter_map(Result::ok)
        })
        .filter(|entry| matches!(project_file_name(entry.path()), FileName::Project))
        .map(|entry| {
            Diagnostic::in_file(
                &relative(root, entry.path()),
                "年度のフォルダの外に事業ファイルがあります。どの年度版の事業か分からないため読みません。",
            )
            .with_hint(format!(
                "事業ファイルは年度のフォルダ（content/{example}/ など）に置きます。このファイルを載せる年度のフォルダに移してください。"
            ))
        })
        .collect()
}

/// The project files under `root/dir`, sorted, and problems with the tree itself.
fn discover(root: &Path, dir: &Path) -> (Vec<PathBuf>, Vec<Diagnostic>) {
    let content = root.join(dir);
    let mut paths = Vec::new();
    let mut errors = Vec::new();
    let real_content = match content.canonicalize() {
        Ok(p) => p,
        Err(e) => {
            errors.push(Diagnostic::in_file(
                dir,
                format!("{} フォルダを開けません: {e}", dir.display()),
            ));
            return (paths, errors);
        }
    };
    for entry in WalkDir::new(&content).sort_by_file_name() {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                let path = e
                    .path()
                    .map_or_else(|| dir.to_path_buf(), |p| relative(root, p));
                errors.push(Diagnostic::in_file(&path, format!("読めません: {e}")));
                continue;
            }
        };
        let path = entry.path();
        if entry.path_is_symlink() && path.is_dir() {
            errors.push(
                Diagnostic::in_file(
                    &relative(root, path),
                    "フォルダへのリンク（シンボリックリンク）は読みません。",
                )
                .with_hint(
                    "事業ファイルは content フォルダの中に、ファイルそのものを置いてください。",
                ),
            );
            continue;
        }
        match project_file_name(path) {
            FileName::Project => {}
            FileName::Other => continue,
            FileName::Mistaken(hint) => {
                errors.push(
                    Diagnostic::in_file(
                        &relative(root, path),
                        "事業ファイルのようですが、名前が .md で終わらないため読めません。",
                    )
                    .with_hint(hint),
                );
                continue;
            }
        }
        if entry.path_is_symlink() {
            match path.canonicalize() {
                Ok(target) if target.starts_with(&real_content) && target.is_file() => {}
                Ok(_) | Err(_) => {
                    errors.push(
                        Diagnostic::in_file(
                            &relative(root, path),
                            "content フォルダの外を指すリンク（シンボリックリンク）は読みません。",
                        )
                        .with_hint("ファイルそのものを content フォルダに置いてください。"),
                    );
                    continue;
                }
            }
        } else if !entry.file_type().is_file() {
            continue;
        }
        paths.push(path.to_path_buf());
    }
    (paths, errors)
}

/// What a file under `content/` is, by its name.
enum FileName {
    /// `<name>.md`: a project.
    Project,
    /// Not a project: the vocabulary, images, notes.
    Other,
    /// Meant as a project but not read as one; says how to name it.
    Mistaken(&'static str),
}

fn project_file_name(path: &Path) -> FileName {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let lower = name.to_lowercase();
    if name.starts_with('.') && lower.ends_with(PROJECT_SUFFIX) {
        return FileName::Mistaken(
            "ファイル名が「.」で始まっています。hekichi-online-shinryo.md のように名前を付けてください。",
        );
    }
    if name.ends_with(PROJECT_SUFFIX) {
        return FileName::Project;
    }
    if lower.ends_with(PROJECT_SUFFIX) {
        return FileName::Mistaken("拡張子は小文字の .md にしてください（.MD は読みません）。");
    }
    if lower.ends_with(".markdown") {
        return FileName::Mistaken("拡張子は .md にしてください（.markdown は読みません）。");
    }
    FileName::Other
}

/// Reads and validates one project file.
fn load_project(
    root: &Path,
    path: &Path,
    context: &Context<'_>,
) -> Result<ProjectFile, Vec<Diagnostic>> {
    let display = relative(root, path);
    // Read at most one byte past the limit: a huge file is never read whole (and no separate
    // look at its size, one system call per file fewer).
    // Room for any real sheet (3–6 KB) at once: read_to_end then reads it in one call.
    let mut bytes = Vec::with_capacity(32 * 1024);
    std::fs::File::open(path)
        .and_then(|file| file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes))
        .map_err(|e| {
            vec![Diagnostic::in_file(
                &display,
                format!("ファイルを読めません: {e}"),
            )]
        })?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        let size = std::fs::metadata(path).map_or(bytes.len() as u64, |m| m.len());
        return Err(vec![Diagnostic::in_file(
            &display,
            format!(
                "ファイルが大きすぎます（{} KB。{} KB まで）。",
                size / 1024,
                MAX_FILE_BYTES / 1024
            ),
        )
        .with_hint("事業ファイルは事業シート1枚の分です。別のファイルを貼り付けていないか確かめてください。")]);
    }
    let text = decode(&display, bytes)?;
    let file = SourceFile::new(display.clone(), text);
    let slug = project::slug_of(path).unwrap_or_default();
    if !is_slug(slug) {
        return Err(vec![file
            .error(format!("ファイル名「{slug}」はURLに使えません。"))
            .with_hint("ファイル名は半角の英小文字・数字・ハイフンだけで付けます（例: hekichi-online-shinryo.md）。")]);
    }
    if slug.len() > MAX_SLUG_LENGTH {
        return Err(vec![file
            .error(format!(
                "ファイル名が長すぎます（.md を除いて {} 文字。{MAX_SLUG_LENGTH} 文字まで）。",
                slug.len()
            ))
            .with_hint("ファイル名はURLになります。事業名のローマ字を短くした名前を付けてください（例: hekichi-online-shinryo.md）。")]);
    }
    project::read(&file, slug, context)
}

/// UTF-8 text with any BOM removed and CRLF line ends made LF (line numbers are unchanged).
pub fn decode(display: &Path, bytes: Vec<u8>) -> Result<String, Vec<Diagnostic>> {
    let text = String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
        vec![Diagnostic::in_file(
            display,
            format!("{line}行目に UTF-8 として読めない文字があります。"),
        )
        .with_hint("エディタで文字コードを UTF-8 にして保存し直してください（Shift_JIS では読めません）。")]
    })?;
    // Most files have neither a byte order mark nor Windows line ends: kept as read, not copied.
    let without_mark = text.strip_prefix('\u{FEFF}');
    if without_mark.is_none() && !text.contains('\r') {
        return Ok(text);
    }
    Ok(without_mark.unwrap_or(&text).replace("\r\n", "\n"))
}

/// Errors for values that two or more projects share.
fn duplicates<'p>(
    projects: &[&'p Project],
    key: impl Fn(&'p Project) -> &'p String,
    what: &str,
) -> Vec<Diagnostic> {
    let mut seen: HashMap<&String, &Project> = HashMap::new();
    let mut errors = Vec::new();
    for &project in projects {
        if let Some(first) = seen.get(key(project)) {
            errors.push(
                Diagnostic::in_file(
                    &project.source,
                    format!(
                        "{what}「{}」が {} と同じです。",
                        key(project),
                        first.source.display()
                    ),
                )
                .with_hint("事業ごとに違う名前にしてください。"),
            );
        } else {
            seen.insert(key(project), project);
        }
    }
    errors
}

/// `path` relative to `root`, for messages.
pub fn relative(root: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(root).unwrap_or(path).to_path_buf()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_drops_the_byte_order_mark_and_windows_line_ends() {
        let plain = "+++\nname = \"事業\"\n+++\n本文\r（行中の CR は残る）\n";
        let windows = plain.replace('\n', "\r\n");
        for (bytes, expected) in [
            (plain.to_string(), plain),
            (format!("\u{FEFF}{plain}"), plain),
            (windows.clone(), plain),
            (format!("\u{FEFF}{windows}"), plain),
        ] {
            let decoded = decode(Path::new("content/a.md"), bytes.into_bytes());
            assert_eq!(decoded.as_deref(), Ok(expected));
        }
    }
}
