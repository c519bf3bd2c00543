//! The output folder can never destroy anything else: `--output` spellings that lead to the sources,
//! to the site root or above it, to a file, or to a folder the build did not write are refused before
//! anything is touched; stale work folders of killed builds are removed only when they are ours.
//! Real processes for the red team's cases, and a property test over generated paths.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::copy_site;
use proptest::prelude::*;

fn build(root: &Path, output: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_roadmap"))
        .args(["build", "--root"])
        .arg(root)
        .args(["--output", output])
        .current_dir(root)
        .output()
        .expect("run roadmap")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Every file under `dir` with its bytes (missing: empty).
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        let Ok(entries) = fs::read_dir(&current) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let meta = fs::symlink_metadata(&path).expect("meta");
            if meta.is_dir() {
                stack.push(path);
            } else if meta.is_file() {
                files.insert(path.clone(), fs::read(&path).expect("read"));
            } else {
                files.insert(path.clone(), Vec::new());
            }
        }
    }
    files
}

/// What must survive every build unchanged: the sources and the folders no build wrote.
fn sources(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut all = inputs(root);
    for part in ["docs", ".git"] {
        all.extend(snapshot(&root.join(part)));
    }
    all
}

/// What a build reads: nothing may be added to it, removed or changed.
fn inputs(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut all = BTreeMap::new();
    for part in ["config.toml", "content", "themes"] {
        let path = root.join(part);
        if path.is_file() {
            all.insert(path.clone(), fs::read(&path).expect("read"));
        } else {
            all.extend(snapshot(&path));
        }
    }
    all
}

fn site_with_foreign_folders() -> tempfile::TempDir {
    let site = copy_site();
    for (folder, file) in [(".git", "HEAD"), ("docs", "guide.md")] {
        fs::create_dir_all(site.path().join(folder)).expect("mkdir");
        fs::write(site.path().join(folder).join(file), "keep").expect("write");
    }
    site
}

#[test]
fn outputs_that_reach_the_sources_are_refused_before_anything_is_touched() {
    let site = site_with_foreign_folders();
    let root = site.path();
    let name = root
        .file_name()
        .and_then(|n| n.to_str())
        .expect("name")
        .to_string();
    let before = sources(root);
    let entries_before: Vec<PathBuf> = fs::read_dir(root)
        .expect("read_dir")
        .flatten()
        .map(|e| e.path())
        .collect();
    for output in [
        "build/../content".to_string(),
        format!("nope/../../{name}"),
        "nope/../..".to_string(),
        "config.toml".to_string(),
        ".git".to_string(),
        "docs".to_string(),
        "themes/default".to_string(),
        "./content/./".to_string(),
        ".".to_string(),
    ] {
        let result = build(root, &output);
        assert_eq!(
            result.status.code(),
            Some(2),
            "{output}: {}",
            stderr(&result)
        );
        let message = stderr(&result);
        assert!(message.contains("書き出し先"), "{output}: {message}");
        assert!(sources(root) == before, "{output} changed the sources");
        let mut entries: Vec<PathBuf> = fs::read_dir(root)
            .expect("read_dir")
            .flatten()
            .map(|e| e.path())
            .collect();
        entries.sort();
        let mut expected = entries_before.clone();
        expected.sort();
        assert_eq!(entries, expected, "{output} created or renamed something");
    }
    // The message names both the output and what it would destroy.
    let result = build(root, "build/../content");
    let message = stderr(&result);
    let content = fs::canonicalize(root.join("content")).expect("content");
    assert!(
        message.contains(&content.display().to_string()),
        "{message}"
    );
}

#[test]
fn a_stale_work_folder_is_removed_only_when_it_is_ours() {
    let site = copy_site();
    let root = site.path();
    let output = root.join("site");
    assert!(build(root, "site").status.success());
    assert!(
        output.join(".roadmap-build").is_file(),
        "every build marks its output"
    );

    // A killed build's staging folder (it carries the marker from its first moment).
    let stale = root.join(".site.staging");
    fs::create_dir_all(stale.join("projects/x")).expect("mkdir");
    fs::write(stale.join(".roadmap-build"), "x").expect("write");
    fs::write(stale.join("projects/x/index.html"), "half").expect("write");
    let result = build(root, "site");
    assert!(result.status.success(), "{}", stderr(&result));
    assert!(!stale.exists());
    let said = String::from_utf8_lossy(&result.stdout).into_owned();
    assert!(
        said.contains("作業用フォルダ") && said.contains("を削除しました"),
        "{said}"
    );

    // A folder of that name that is not ours is never deleted.
    fs::create_dir_all(&stale).expect("mkdir");
    fs::write(stale.join("mine.txt"), "keep").expect("write");
    let result = build(root, "site");
    assert_eq!(result.status.code(), Some(2));
    assert_eq!(fs::read(stale.join("mine.txt")).expect("kept"), b"keep");
}

/// Parts of generated output paths: moves up and down, links, missing folders, the sources.
fn part() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "..",
        ".",
        "content",
        "themes",
        "default",
        "docs",
        ".git",
        "config.toml",
        "output",
        "nope",
        "site",
        "to-root",
        "to-content",
        "to-outside",
    ])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Wherever a generated `--output` leads, a build never adds, removes or changes a file of the
    /// sources, nor removes or changes a file of a folder it did not write (a new site inside such a
    /// folder, `docs/site`, is what was asked); when it is accepted, the site is there.
    #[test]
    fn no_output_path_loses_a_source_file(parts in prop::collection::vec(part(), 1..6), from_outside in any::<bool>()) {
        let base = tempfile::tempdir().expect("tempdir");
        let root = base.path().join("site");
        let outside = base.path().join("outside");
        fs::create_dir_all(root.join("content/r6")).expect("mkdir");
        fs::create_dir_all(&outside).expect("mkdir");
        let repo = common::repo();
        fs::copy(repo.join("config.toml"), root.join("config.toml")).expect("config");
        fs::copy(repo.join("content/vocabulary.toml"), root.join("content/vocabulary.toml")).expect("vocabulary");
        fs::copy(
            repo.join("content/r6/hekichi-online-shinryo-shien.md"),
            root.join("content/r6/hekichi-online-shinryo-shien.md"),
        )
        .expect("project");
        common::copy_dir(&repo.join("themes"), &root.join("themes"));
        for (folder, file) in [(".git", "HEAD"), ("docs", "guide.md")] {
            fs::create_dir_all(root.join(folder)).expect("mkdir");
            fs::write(root.join(folder).join(file), "keep").expect("write");
        }
        fs::write(outside.join("keep.txt"), "keep").expect("write");
        std::os::unix::fs::symlink(&root, outside.join("to-root")).expect("link");
        std::os::unix::fs::symlink(root.join("content"), outside.join("to-content")).expect("link");
        std::os::unix::fs::symlink(&outside, root.join("to-outside")).expect("link");
        let before = sources(&root);
        let inputs_before = inputs(&root);
        let outside_before = fs::read(outside.join("keep.txt")).expect("read");

        let start = if from_outside { &outside } else { &root };
        let output: PathBuf = parts.iter().fold(start.clone(), |p, part| p.join(part));
        let result = roadmap::pipeline::build(&roadmap::pipeline::BuildOptions {
            root: root.clone(),
            output: output.clone(),
            base_url: None,
            preview: false,
        });
        prop_assert!(inputs(&root) == inputs_before, "{} changed the sources", output.display());
        let after = sources(&root);
        let kept = before.iter().all(|(path, bytes)| after.get(path) == Some(bytes));
        prop_assert!(kept, "{} lost or changed a file", output.display());
        prop_assert_eq!(fs::read(outside.join("keep.txt")).ok(), Some(outside_before));
        if result.is_ok() {
            prop_assert!(output.join("index.html").is_file(), "{}", output.display());
        }
    }
}
