//! Helpers shared by the integration tests: where the repository is, and copies of the site's sources
//! to change freely in a temporary directory.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

/// The repository root (where `config.toml` is).
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A copy of the site's sources (config, content, themes) in a temporary directory.
pub fn copy_site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::copy(repo().join("config.toml"), dir.path().join("config.toml")).expect("config");
    for sub in ["content", "themes"] {
        copy_dir(&repo().join(sub), &dir.path().join(sub));
    }
    dir
}

/// Copies a directory tree.
pub fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("mkdir");
    for entry in fs::read_dir(from).expect("read_dir").filter_map(|e| e.ok()) {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).expect("copy");
        }
    }
}

/// 1234567 → 「1,234,567」, written here independently of the program's own formatting.
pub fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Every file of a tree with its bytes, by path relative to the tree.
pub fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        for entry in fs::read_dir(&current).expect("read_dir").flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let relative = path.strip_prefix(dir).expect("prefix").to_path_buf();
                files.insert(relative, fs::read(&path).expect("read"));
            }
        }
    }
    files
}

/// The folder of the published edition's project files (the site's content is by edition).
pub const SHEETS: &str = "content/r6";

/// The published edition's project files in the repository.
pub fn sheets() -> PathBuf {
    repo().join(SHEETS)
}

/// The TOML front matter of a project file, read independently of the generator's loader.
pub fn front_matter(path: &Path) -> toml::Table {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.split("+++\n")
        .nth(1)
        .unwrap_or_else(|| panic!("{}: no front matter", path.display()))
        .parse()
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The front matter of every project file (`*.md`) directly in `dir`, by file name without `.md`.
pub fn front_matters(dir: &Path) -> BTreeMap<String, toml::Table> {
    let mut found = BTreeMap::new();
    for entry in fs::read_dir(dir).expect("folder") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|e| e != "md") {
            continue;
        }
        let slug = path
            .file_stem()
            .expect("stem")
            .to_string_lossy()
            .into_owned();
        found.insert(slug, front_matter(&path));
    }
    found
}

/// A site with the repository's config, theme and vocabulary, and the sample editions `codes` of
/// `tests/fixtures/editions` under `content/<code>/`; with `flat`, the one edition's files directly
/// in `content/` (a site without editions, as before them).
pub fn editions_site(codes: &[&str], flat: bool) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::copy(repo().join("config.toml"), dir.path().join("config.toml")).expect("config");
    copy_dir(&repo().join("themes"), &dir.path().join("themes"));
    let content = dir.path().join("content");
    fs::create_dir_all(&content).expect("mkdir");
    fs::copy(
        repo().join("content/vocabulary.toml"),
        content.join("vocabulary.toml"),
    )
    .expect("vocabulary");
    for code in codes {
        let target = if flat {
            content.clone()
        } else {
            content.join(code)
        };
        copy_dir(&repo().join("tests/fixtures/editions").join(code), &target);
    }
    dir
}
