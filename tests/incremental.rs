//! The live preview's partial rebuilds: after each kind of edit a staff member makes, the preview's
//! output is the same tree, byte for byte, as a full build of the same files, and only what changed
//! was read and rendered again — on the real site (one edition, `content/r6/`) and on a site with
//! two editions (the samples in `tests/fixtures/editions/`).

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

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
            ..
        } => (read, projects, written, removed),
        RebuildKind::Full => panic!("expected a partial rebuild, got a full one"),
    }
}

/// How many pages that gather projects a partial rebuild kept as they were.
fn kept(kind: &RebuildKind) -> usize {
    match *kind {
        RebuildKind::Partial { kept, .. } => kept,
        RebuildKind::Full => panic!("expected a partial rebuild, got a full one"),
    }
}

/// The project files of edition `code` under `root`.
fn projects_in(root: &Path, code: &str) -> usize {
    fs::read_dir(root.join("content").join(code))
        .expect("edition folder")
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "md"))
        .count()
}

/// The pages (HTML files) a build published in edition `code`'s folder, or with `None` at the root
/// (outside every edition's folder, `editions`).
fn pages_in(output: &Path, place: Option<&str>, editions: &[&str]) -> usize {
    let dir = match place {
        Some(code) => output.join(code),
        None => output.to_path_buf(),
    };
    WalkDir::new(&dir)
        .into_iter()
        .filter_entry(|e| {
            place.is_some() || e.depth() != 1 || !editions.iter().any(|code| e.file_name() == *code)
        })
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter(|e| e.path().extension().is_some_and(|x| x == "html"))
        .count()
}

fn rebuilder(root: &Path, output: &Path) -> Rebuilder {
    Rebuilder::new(BuildOptions {
        root: root.to_path_buf(),
        output: output.to_path_buf(),
        base_url: Some(BASE_URL.to_string()),
        preview: true,
    })
}

#[test]
fn every_kind_of_edit_gives_what_a_full_build_gives() {
    let site = common::copy_site();
    let root = site.path();
    let output = root.join("preview");
    let content = root.join(common::SHEETS);
    let code = content
        .file_name()
        .and_then(|n| n.to_str())
        .expect("edition code")
        .to_string();
    let editions = [code.as_str()];
    let mut rebuilder = rebuilder(root, &output);

    let first = rebuilder.build().expect("first build");
    assert_eq!(first.kind, RebuildKind::Full);
    assert_same_as_full_build(root, &output, "first");

    let nothing = rebuilder.build().expect("rebuild without changes");
    assert_eq!(
        partial(&nothing.kind),
        (0, 0, 0, 0),
        "nothing changed, nothing written"
    );
    assert_eq!(nothing.build.pages, 0, "nothing changed, nothing rendered");

    // A budget changed: one file read; its page rendered again in the edition's folder and at the
    // root (the latest edition again), with every page that is not a project's; the other
    // projects' pages left alone.
    let n = projects_in(root, &code);
    let project = content.join("hekichi-online-shinryo-shien.md");
    edit(&project, "budget = 4202", "budget = 5202");
    let report = rebuilder.build().expect("budget edit");
    let (read, projects, written, removed) = partial(&report.kind);
    assert_eq!((read, projects, removed), (1, 2, 0));
    let all_files = tree(&output).len();
    assert!(
        written >= 4 && written <= all_files - 2 * 2 * (n - 1),
        "{written} files rewritten"
    );
    let others =
        pages_in(&output, Some(&code), &editions) - n + pages_in(&output, None, &editions) - n;
    // Those that would come out as they were are kept, not rendered: at least the timeline, in
    // the folder and at the root (it shows no budget).
    let kept_pages = kept(&report.kind);
    assert!(kept_pages >= 2, "{kept_pages} pages kept");
    assert_eq!(
        report.build.pages + kept_pages,
        others + 2,
        "pages rendered or kept"
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
    assert_eq!((read, projects, removed), (1, 2, 0));
    assert_same_as_full_build(root, &output, "added");

    // Renamed: the old page and JSON go, in the edition's folder and at the root; the new ones come.
    fs::rename(&added, content.join("hekichi-r7.md")).expect("rename");
    let (_, projects, _, removed) = partial(&rebuilder.build().expect("renamed").kind);
    assert_eq!(projects, 2);
    assert!(removed >= 4, "{removed} files removed");
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
    assert!(removed >= 4, "{removed} files removed");
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

/// The timeline has a column of earlier years only while some project began before the
/// roadmap's first year: one project's start adds or removes it, and with it a cell of every
/// project's row, not only of the edited project's.
#[test]
fn a_start_that_adds_or_removes_the_earlier_column_changes_every_row() {
    let site = common::copy_site();
    let root = site.path();
    let output = root.join("preview");
    let content = root.join(common::SHEETS);
    let config: toml::Table = fs::read_to_string(root.join("config.toml"))
        .expect("config")
        .parse()
        .expect("toml");
    let first_year = config
        .get("roadmap")
        .and_then(|roadmap| roadmap.get("first_year"))
        .and_then(|v| v.as_str())
        .expect("first_year")
        .to_string();
    let files: Vec<PathBuf> = fs::read_dir(&content)
        .expect("content")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    let set_start = |path: &Path, start: &str| {
        let line = line_starting(path, "start = ");
        edit(path, &line, &format!("start = \"{start}\""));
    };
    let has_earlier_column = |output: &Path| {
        fs::read_to_string(output.join("timeline/index.html"))
            .expect("timeline")
            .contains("以前")
    };
    let mut rebuilder = rebuilder(root, &output);
    rebuilder.build().expect("first build");
    assert!(
        has_earlier_column(&output),
        "the real site has projects begun before {first_year}"
    );
    // Every project begins in the first year: no column of earlier years.
    for file in &files {
        set_start(file, &first_year);
    }
    partial(&rebuilder.build().expect("every start").kind);
    assert!(!has_earlier_column(&output));
    assert_same_as_full_build(root, &output, "no earlier column");
    // One project begun earlier: the column is back, in every row.
    set_start(&files[0], "H31");
    let (read, _, _, _) = partial(&rebuilder.build().expect("one earlier").kind);
    assert_eq!(read, 1);
    assert!(has_earlier_column(&output));
    assert_same_as_full_build(root, &output, "earlier column");
    // And gone again.
    set_start(&files[0], &first_year);
    partial(&rebuilder.build().expect("none earlier").kind);
    assert!(!has_earlier_column(&output));
    assert_same_as_full_build(root, &output, "earlier column gone");
}

/// A partial rebuild says every notice a full build says: those about the files it did not read
/// again too, rebuild after rebuild.
#[test]
fn a_partial_rebuild_says_every_notice_a_full_build_says() {
    let site = common::copy_site();
    let root = site.path();
    let output = root.join("preview");
    let project = root
        .join(common::SHEETS)
        .join("hekichi-online-shinryo-shien.md");
    let full_build_notices = |step: &str| {
        let fresh = root.join(format!("fresh-{step}"));
        let report = pipeline::build(&BuildOptions {
            root: root.to_path_buf(),
            output: fresh.clone(),
            base_url: Some(BASE_URL.to_string()),
            preview: true,
        })
        .expect("full build");
        fs::remove_dir_all(fresh).expect("clean");
        report.notices
    };
    let mut rebuilder = rebuilder(root, &output);
    let first = rebuilder.build().expect("first build");
    let notices = full_build_notices("first");
    assert!(
        notices
            .iter()
            .any(|n| n.path != project.strip_prefix(root).expect("in the site")),
        "the real site has notices about other files than the one edited"
    );
    assert_eq!(first.build.notices, notices);
    for (step, budget) in [("one", "5202"), ("two", "6202"), ("three", "4202")] {
        let before = budget_line(&project);
        edit(&project, &before, &format!("budget = {budget}"));
        let report = rebuilder.build().expect(step);
        assert_eq!(partial(&report.kind).0, 1, "{step}: one file read");
        assert_eq!(report.build.notices, full_build_notices(step), "{step}");
    }
}

/// A site with the repository's config, theme and vocabulary, and the sample editions `codes` of
/// `tests/fixtures/editions/` under `content/<code>/`.
fn site_with_editions(codes: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let repo = common::repo();
    fs::copy(repo.join("config.toml"), dir.path().join("config.toml")).expect("config");
    common::copy_dir(&repo.join("themes"), &dir.path().join("themes"));
    let content = dir.path().join("content");
    fs::create_dir_all(&content).expect("mkdir");
    fs::copy(
        repo.join("content/vocabulary.toml"),
        content.join("vocabulary.toml"),
    )
    .expect("vocabulary");
    for code in codes {
        common::copy_dir(
            &repo.join("tests/fixtures/editions").join(code),
            &content.join(code),
        );
    }
    dir
}

/// The slugs of edition `code`'s projects.
fn slugs_in(root: &Path, code: &str) -> Vec<String> {
    let mut slugs: Vec<String> = fs::read_dir(root.join("content").join(code))
        .expect("edition folder")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .filter_map(|p| Some(p.file_stem()?.to_str()?.to_string()))
        .collect();
    slugs.sort();
    slugs
}

/// A slug edition `a` has and `b` has or lacks, as `in_b` says.
fn slug_of(root: &Path, a: &str, b: &str, in_b: bool) -> String {
    let theirs = slugs_in(root, b);
    slugs_in(root, a)
        .into_iter()
        .find(|slug| theirs.contains(slug) == in_b)
        .unwrap_or_else(|| panic!("no slug of {a} that {b} has: {in_b}"))
}

/// A project of edition `code` renamed from a file of an earlier edition (`renamed_from`): its slug
/// and the earlier file name.
fn renamed_in(root: &Path, code: &str) -> Option<(String, String)> {
    slugs_in(root, code).into_iter().find_map(|slug| {
        let path = root.join("content").join(code).join(format!("{slug}.md"));
        let text = fs::read_to_string(path).ok()?;
        let line = text.lines().find(|l| l.starts_with("renamed_from = "))?;
        let old = line.split('"').nth(1)?.to_string();
        Some((slug, old))
    })
}

/// The budget line of a project file.
fn budget_line(path: &Path) -> String {
    line_starting(path, "budget = ")
}

/// The first line of the file at `path` that starts with `start`.
fn line_starting(path: &Path, start: &str) -> String {
    fs::read_to_string(path)
        .expect("read")
        .lines()
        .find(|l| l.starts_with(start))
        .unwrap_or_else(|| panic!("{} has no line starting {start:?}", path.display()))
        .to_string()
}

/// With two editions: an edit in one edition renders again its files that gather projects, those
/// of the next edition and of the root, and the changed project's page wherever it is published;
/// every other edition keeps its files, and the output is what a full build makes.
#[test]
fn edits_to_a_site_with_editions_give_what_a_full_build_gives() {
    let (earlier, latest) = ("r6", "r7");
    let editions = [earlier, latest];
    let site = site_with_editions(&editions);
    let root = site.path();
    let output = root.join("preview");
    let folder = |code: &str| -> PathBuf { root.join("content").join(code) };
    let has = |code: &str, slug: &str| folder(code).join(format!("{slug}.md")).is_file();
    // The pages a place has that are not its projects' own (lists, indexes, budget … and, at the
    // root, the pages it keeps of earlier editions).
    let gathering = |code: Option<&str>| {
        let projects = projects_in(root, code.unwrap_or(latest));
        pages_in(&output, code, &editions) - projects
    };
    let mut rebuilder = rebuilder(root, &output);

    let first = rebuilder.build().expect("first build");
    assert_eq!(first.kind, RebuildKind::Full);
    assert_same_as_full_build(root, &output, "editions first");
    let nothing = rebuilder.build().expect("no change");
    assert_eq!(partial(&nothing.kind), (0, 0, 0, 0));

    // A budget edited in the latest edition: its own pages and the root's are made again, with the
    // project's page in every edition (each shows the budget of every edition); the earlier
    // edition's lists are left alone.
    let slug = slug_of(root, latest, earlier, true);
    let file = folder(latest).join(format!("{slug}.md"));
    let line = budget_line(&file);
    edit(&file, &line, &format!("{line}1"));
    let report = rebuilder
        .build()
        .expect("budget edit in the latest edition");
    let (read, projects, written, removed) = partial(&report.kind);
    assert_eq!((read, projects, removed), (1, 3, 0));
    assert!(written >= 6, "{written} files rewritten");
    assert!(kept(&report.kind) >= 2, "the timeline kept in both places");
    assert_eq!(
        report.build.pages + kept(&report.kind),
        gathering(Some(latest)) + gathering(None) + projects,
        "pages rendered or kept"
    );
    assert_same_as_full_build(root, &output, "budget in the latest edition");

    // A budget edited in the earlier edition: its pages, the next edition's that gather projects
    // (they may show changes from the previous edition) and the root's.
    let slug = slug_of(root, earlier, latest, true);
    let file = folder(earlier).join(format!("{slug}.md"));
    let line = budget_line(&file);
    edit(&file, &line, &format!("{line}2"));
    let report = rebuilder
        .build()
        .expect("budget edit in the earlier edition");
    let (read, projects, _, removed) = partial(&report.kind);
    assert_eq!((read, projects, removed), (1, 3, 0));
    assert_eq!(
        report.build.pages + kept(&report.kind),
        gathering(Some(earlier)) + gathering(Some(latest)) + gathering(None) + projects,
        "pages rendered or kept"
    );
    assert_same_as_full_build(root, &output, "budget in the earlier edition");

    // A budget edited in the latest edition for a 事業 it lists under a new file name
    // (renamed_from): the earlier edition's page of the old file name shows it, and is made again.
    let (renamed, old) = renamed_in(root, latest).expect("the sample editions have a rename");
    assert!(has(earlier, &old) && !has(earlier, &renamed));
    let file = folder(latest).join(format!("{renamed}.md"));
    let line = budget_line(&file);
    edit(&file, &line, &format!("{line}3"));
    let report = rebuilder.build().expect("budget edit of a renamed project");
    let (read, projects, _, removed) = partial(&report.kind);
    assert_eq!((read, projects, removed), (1, 3, 0));
    assert_eq!(
        report.build.pages + kept(&report.kind),
        gathering(Some(latest)) + gathering(None) + projects,
        "pages rendered or kept"
    );
    assert_same_as_full_build(root, &output, "budget of a renamed project");

    // The rename undone (renamed_from removed): two 事業 now, each page of both made again.
    edit(&file, &format!("renamed_from = \"{old}\"\n"), "");
    let report = rebuilder.build().expect("rename undone");
    let (read, projects, _, _) = partial(&report.kind);
    assert_eq!((read, projects), (1, 3));
    assert_same_as_full_build(root, &output, "rename undone");
    fs::write(
        &file,
        fs::read_to_string(&file).expect("read").replacen(
            "+++\n",
            &format!("+++\nrenamed_from = \"{old}\"\n"),
            1,
        ),
    )
    .expect("rename again");
    let report = rebuilder.build().expect("renamed again");
    assert_eq!(partial(&report.kind).1, 3);
    assert_same_as_full_build(root, &output, "renamed again");

    // A project added to the latest edition: published in its folder and at the root; the earlier
    // edition, which does not have it, renders nothing.
    let template = folder(latest).join(format!("{}.md", slugs_in(root, latest)[0]));
    let added = "shiken-tsuika-jigyo";
    let text = fs::read_to_string(&template).expect("read");
    let name = text
        .lines()
        .find(|l| l.starts_with("name = "))
        .expect("name line")
        .to_string();
    fs::write(
        folder(latest).join(format!("{added}.md")),
        text.replacen(&name, "name = \"（試験）追加した事業\"", 1),
    )
    .expect("add");
    assert!(!has(earlier, added));
    let report = rebuilder.build().expect("project added");
    let (read, projects, _, removed) = partial(&report.kind);
    assert_eq!((read, projects, removed), (1, 2, 0));
    assert_eq!(
        report.build.pages + kept(&report.kind),
        gathering(Some(latest)) + gathering(None) + projects,
        "pages rendered or kept"
    );
    assert_same_as_full_build(root, &output, "project added");

    // A project both editions have, deleted from the latest: its files there go; the root keeps its
    // URL with the page of an absent project; the earlier edition's page of it is made again (its
    // table of budgets by edition loses a row).
    let slug = slug_of(root, latest, earlier, true);
    fs::remove_file(folder(latest).join(format!("{slug}.md"))).expect("delete");
    let report = rebuilder.build().expect("shared project deleted");
    let (read, projects, _, removed) = partial(&report.kind);
    assert_eq!((read, projects), (0, 1));
    assert_eq!(
        removed, 2,
        "its page and JSON in the latest edition's folder"
    );
    assert!(!output.join(latest).join("projects").join(&slug).exists());
    assert!(
        output
            .join("projects")
            .join(&slug)
            .join("index.html")
            .is_file()
    );
    assert_eq!(
        report.build.pages + kept(&report.kind),
        gathering(Some(latest)) + gathering(None) + projects,
        "pages rendered or kept"
    );
    assert_same_as_full_build(root, &output, "shared project deleted");

    // The added project deleted: only the latest edition had it, so its URLs go everywhere.
    fs::remove_file(folder(latest).join(format!("{added}.md"))).expect("delete");
    let report = rebuilder.build().expect("added project deleted");
    let (_, projects, _, removed) = partial(&report.kind);
    assert_eq!((projects, removed), (0, 4));
    assert_same_as_full_build(root, &output, "added project deleted");

    // An edition's own vocabulary: added, then edited; each is a full build.
    let vocabulary = folder(earlier).join("vocabulary.toml");
    fs::copy(root.join("content/vocabulary.toml"), &vocabulary).expect("vocabulary");
    let report = rebuilder.build().expect("edition vocabulary added");
    assert_eq!(report.kind, RebuildKind::Full);
    assert_same_as_full_build(root, &output, "edition vocabulary added");
    let mut text = fs::read_to_string(&vocabulary).expect("read");
    text.push_str("\n# 試験\n");
    fs::write(&vocabulary, text).expect("write");
    let report = rebuilder.build().expect("edition vocabulary edited");
    assert_eq!(report.kind, RebuildKind::Full);
    assert_same_as_full_build(root, &output, "edition vocabulary edited");
    let after = rebuilder.build().expect("no change");
    assert_eq!(partial(&after.kind), (0, 0, 0, 0));

    // Files left alone for a few seconds are not read again (their size and times vouch for
    // them); an edit of the same length after that is still seen.
    std::thread::sleep(std::time::Duration::from_secs(4));
    let settled = rebuilder.build().expect("no change, files settled");
    assert_eq!(partial(&settled.kind), (0, 0, 0, 0));
    let slug = slug_of(root, earlier, latest, true);
    let file = folder(earlier).join(format!("{slug}.md"));
    let line = budget_line(&file);
    let last_digit = line.chars().last().expect("a digit");
    let other = if last_digit == '9' { '8' } else { '9' };
    let same_length = format!("{}{other}", &line[..line.len() - 1]);
    edit(&file, &line, &same_length);
    let report = rebuilder.build().expect("same-length edit");
    let (read, projects, _, _) = partial(&report.kind);
    assert_eq!((read, projects), (1, 3));
    assert_same_as_full_build(root, &output, "same-length edit of a settled file");
}
