//! The live preview's partial rebuilds: after each kind of edit a staff member makes, the preview's
//! output is the same tree, byte for byte, as a full build of the same files, and only what changed
//! was read and rendered again.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use roadmap::pipeline::incremental::{RebuildKind, Rebuilder};
use roadmap::pipeline::{self, BuildOptions, Failure};
use walkdir::WalkDir;

const BASE_URL: &str = "http://127.0.0.1:8123/";

/// Every file under `dir`, by relative path, with its bytes.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let relative = e
                .path()
                .strip_prefix(dir)
                .expect("inside")
                .to_string_lossy();
            (relative.to_string(), fs::read(e.path()).expect("read"))
        })
        .collect()
}

/// Folders under `dir` with nothing in them.
fn empty_folders(dir: &Path) -> Vec<String> {
    WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_dir())
        .filter(|e| {
            fs::read_dir(e.path())
                .map(|mut d| d.next().is_none())
                .unwrap_or(false)
        })
        .map(|e| e.path().display().to_string())
        .collect()
}

/// Asserts that `output` is what a full build of `root` makes.
fn assert_same_as_full_build(root: &Path, output: &Path, step: &str) {
    let fresh = root.join(format!("fresh-{}", step.replace(' ', "-")));
    pipeline::build(&BuildOptions {
        root: root.to_path_buf(),
        output: fresh.clone(),
        base_url: Some(BASE_URL.to_string()),
        preview: true,
    })
    .expect("full build");
    let (partial, full) = (tree(output), tree(&fresh));
    let only_partial: Vec<&String> = partial.keys().filter(|k| !full.contains_key(*k)).collect();
    let only_full: Vec<&String> = full.keys().filter(|k| !partial.contains_key(*k)).collect();
    assert!(
        only_partial.is_empty() && only_full.is_empty(),
        "{step}: files only in the preview {only_partial:?}, only in a full build {only_full:?}"
    );
    let differing: Vec<&String> = partial
        .iter()
        .filter(|(k, v)| full.get(*k) != Some(*v))
        .map(|(k, _)| k)
        .collect();
    assert!(differing.is_empty(), "{step}: files differ: {differing:?}");
    assert!(
        empty_folders(output).is_empty(),
        "{step}: empty folders left: {:?}",
        empty_folders(output)
    );
    fs::remove_dir_all(fresh).expect("clean");
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = fs::read_to_string(path).expect("read");
    assert!(text.contains(from), "{} has {from}", path.display());
    fs::write(path, text.replacen(from, to, 1)).expect("write");
}

fn partial(kind: &RebuildKind) -> (usize, usize, usize, usize) {
    match *kind {
        RebuildKind::Partial {
            read,
            projects,
            written,
            removed,
        } => (read, projects, written, removed),
        RebuildKind::Full => panic!("expected a partial rebuild, got a full one"),
    }
}

#[test]
fn every_kind_of_edit_gives_what_a_full_build_gives() {
    let site = common::copy_site();
    let root = site.path();
    let output = root.join("preview");
    let content = root.join("content");
    let mut rebuilder = Rebuilder::new(BuildOptions {
        root: root.to_path_buf(),
        output: output.clone(),
        base_url: Some(BASE_URL.to_string()),
        preview: true,
    });

    let first = rebuilder.build().expect("first build");
    assert_eq!(first.kind, RebuildKind::Full);
    assert_same_as_full_build(root, &output, "first");

    let nothing = rebuilder.build().expect("rebuild without changes");
    assert_eq!(
        partial(&nothing.kind),
        (0, 0, 0, 0),
        "nothing changed, nothing written"
    );

    // A budget changed: one file read, one project page rendered, its page and the lists rewritten.
    let project = content.join("hekichi-online-shinryo-shien.md");
    edit(&project, "budget = 4202", "budget = 5202");
    let report = rebuilder.build().expect("budget edit");
    let (read, projects, written, removed) = partial(&report.kind);
    assert_eq!((read, projects, removed), (1, 1, 0));
    assert!(written > 3 && written < 60, "{written} files rewritten");
    assert!(
        report.build.pages < 54,
        "{} pages rendered",
        report.build.pages
    );
    assert_same_as_full_build(root, &output, "budget");

    // A new project, next year's edition of an existing one.
    let added = content.join("hekichi-online-shinryo-shien-r7.md");
    fs::copy(&project, &added).expect("copy");
    edit(
        &added,
        "name = \"へき地オンライン診療支援対策事業\"",
        "name = \"へき地オンライン診療支援対策事業（令和7年度）\"",
    );
    let (read, projects, _, removed) = partial(&rebuilder.build().expect("added").kind);
    assert_eq!((read, projects, removed), (1, 1, 0));
    assert_same_as_full_build(root, &output, "added");

    // Renamed: the old page and JSON go, the new ones come.
    fs::rename(&added, content.join("hekichi-r7.md")).expect("rename");
    let (_, projects, _, removed) = partial(&rebuilder.build().expect("renamed").kind);
    assert_eq!(projects, 1);
    assert!(removed >= 2, "{removed} files removed");
    assert_same_as_full_build(root, &output, "renamed");

    // Broken, as a half-written save: the build fails and the preview keeps the last good site.
    let before = tree(&output);
    let good = fs::read_to_string(&project).expect("read");
    fs::write(&project, &good.as_bytes()[..good.len() / 3]).expect("half-written");
    match rebuilder.build() {
        Err(Failure::Content(problems)) => assert!(!problems.is_empty()),
        other => panic!("a half-written file must fail the build: {other:?}"),
    }
    assert!(
        tree(&output) == before,
        "a failed rebuild changed the preview"
    );
    fs::write(&project, &good).expect("fixed");
    let (read, _, _, _) = partial(&rebuilder.build().expect("fixed").kind);
    assert_eq!(read, 0, "the fixed file is as the last good build read it");
    assert_same_as_full_build(root, &output, "fixed");

    // Deleted.
    fs::remove_file(content.join("hekichi-r7.md")).expect("delete");
    let (_, _, _, removed) = partial(&rebuilder.build().expect("deleted").kind);
    assert!(removed >= 2, "{removed} files removed");
    assert_same_as_full_build(root, &output, "deleted");

    // The site's settings: everything is built again.
    edit(
        &root.join("config.toml"),
        "title = \"",
        "title = \"（試験）",
    );
    let report = rebuilder.build().expect("config edit");
    assert_eq!(report.kind, RebuildKind::Full);
    assert_same_as_full_build(root, &output, "config");

    // The theme: likewise.
    let style = root.join("themes/default/static/assets/style.css");
    let mut css = fs::read_to_string(&style).expect("read");
    css.push_str("\n/* 試験 */\n");
    fs::write(&style, css).expect("write");
    let report = rebuilder.build().expect("theme edit");
    assert_eq!(report.kind, RebuildKind::Full);
    assert_same_as_full_build(root, &output, "theme");
}
