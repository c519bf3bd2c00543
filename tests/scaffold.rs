//! Runs `roadmap new` as staff would: the new file names every key with its allowed values, `check`
//! lists what is left to fill and passes once it is filled; `--from` starts next year's edition of an
//! existing project; nothing is ever overwritten and wrong names are refused.

mod common;

use common::copy_site;

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use roadmap::content::project::{INITIATIVE_KEYS, PROJECT_KEYS, ROW_KEYS};
use roadmap::vocabulary::Vocabulary;

fn roadmap(root: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_roadmap"))
        .args(args)
        .arg("--root")
        .arg(root)
        .output()
        .expect("run roadmap")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Replaces the first line that is exactly `from` with `to`.
fn fill(text: &str, from: &str, to: &str) -> String {
    let at = text
        .lines()
        .position(|l| l == from)
        .unwrap_or_else(|| panic!("no line {from:?}"));
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    lines[at] = to.to_string();
    lines.join("\n") + "\n"
}

#[test]
fn a_new_file_explains_every_key_and_passes_check_once_filled() {
    let site = copy_site();
    let created = roadmap(site.path(), &["new", "kenko-portal-r7"]);
    assert!(created.status.success(), "{}", stderr(&created));
    let path = site.path().join("content/r6/kenko-portal-r7.md");
    let text = fs::read_to_string(&path).expect("new file");

    for key in PROJECT_KEYS.iter().chain(INITIATIVE_KEYS).chain(ROW_KEYS) {
        let written = text.lines().any(|l| {
            let l = l.trim_start_matches("# ");
            l.starts_with(&format!("{key} ="))
                || l.starts_with(&format!("[[{key}]]"))
                || l.starts_with(&format!("[[initiatives.{key}]]"))
        });
        assert!(written, "key {key} is missing");
    }
    let vocabulary = Vocabulary::load(site.path()).expect("vocabulary");
    let mut names: Vec<&str> = vec![];
    for field in &vocabulary.fields {
        names.push(&field.name);
        names.extend(field.categories.iter().map(|c| c.name.as_str()));
    }
    for department in &vocabulary.departments {
        names.push(&department.name);
        names.extend(department.sections.iter().map(|s| s.name.as_str()));
    }
    names.extend(vocabulary.accounts.iter().map(|a| a.name.as_str()));
    for name in names {
        assert!(
            text.contains(&format!("\"{name}\"")),
            "{name} is not listed"
        );
    }
    // Every key line has a comment just above it.
    let lines: Vec<&str> = text.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        if !line.starts_with('#') && line.contains(" = ") {
            assert!(lines[i - 1].starts_with('#'), "no comment above {line:?}");
        }
    }

    // Unfilled, check names each placeholder with its line.
    let checked = roadmap(site.path(), &["check"]);
    assert_eq!(checked.status.code(), Some(1));
    let report = stderr(&checked);
    for key in [
        "name",
        "field",
        "departments",
        "budget",
        "priority",
        "future",
        "start",
        "end",
        "overview",
        "situation",
        "outcome",
    ] {
        assert!(
            report.contains(&format!("[{key}]")),
            "{key} not reported:\n{report}"
        );
    }
    assert!(report.contains(
        "content/r6/kenko-portal-r7.md:11:8: エラー: [name] 「name」がまだ書かれていません。"
    ));
    for key in [
        "field", "budget", "priority", "future", "start", "title", "label",
    ] {
        assert!(
            report.contains(&format!("「{key}」がまだ書かれていません。")),
            "{key} is not said to be unfilled:\n{report}"
        );
    }
    assert!(!report.contains("宣言されていません"), "{report}");

    // Filled, it passes and builds a page.
    let mut filled = text.clone();
    for (from, to) in [
        ("name = \"\"", "name = \"健康ポータル事業\""),
        ("field = \"\"", "field = \"暮らし・まち分野\""),
        ("category = \"\"", "category = \"医療・福祉\""),
        ("departments = [\"\"]", "departments = [\"健康福祉部\"]"),
        ("sections = [\"\"]", "sections = [\"医療薬務課\"]"),
        ("budget = ", "budget = 1200"),
        ("priority = ", "priority = true"),
        ("future = ", "future = false"),
        ("start = \"\"", "start = \"R7\""),
        ("end = \"\"", "end = \"未定\""),
        (
            "overview = \"\"\"",
            "overview = \"\"\"\n健康情報をまとめて見られるようにする。",
        ),
        (
            "situation = \"\"\"",
            "situation = \"\"\"\n- 情報が分かれている。",
        ),
        (
            "outcome = \"\"\"",
            "outcome = \"\"\"\n必要な情報にすぐ届く。",
        ),
        ("title = \"\"", "title = \"ポータル構築\""),
        ("label = \"\"", "label = \"構築\""),
        ("kind = \"\"", "kind = \"計画\""),
        ("years = [\"\"]", "years = [\"R7\", \"R8\"]"),
        ("basis = \"\"", "basis = \"資料どおり\""),
    ] {
        filled = fill(&filled, from, to);
    }
    fs::write(&path, filled).expect("write");
    let checked = roadmap(site.path(), &["check"]);
    assert!(checked.status.success(), "{}", stderr(&checked));
    let out = tempfile::tempdir().expect("tempdir");
    let output = out.path().join("site");
    let built = Command::new(env!("CARGO_BIN_EXE_roadmap"))
        .args(["build", "--root"])
        .arg(site.path())
        .arg("--output")
        .arg(&output)
        .output()
        .expect("build");
    assert!(built.status.success(), "{}", stderr(&built));
    let page =
        fs::read_to_string(output.join("projects/kenko-portal-r7/index.html")).expect("page");
    assert!(page.contains("健康ポータル事業") && page.contains("1,200千円"));
}

#[test]
fn from_an_existing_project_only_the_name_must_change() {
    let site = copy_site();
    let created = roadmap(
        site.path(),
        &[
            "new",
            "--from",
            "hekichi-online-shinryo-shien",
            "hekichi-online-shinryo-shien-r7",
        ],
    );
    assert!(created.status.success(), "{}", stderr(&created));
    // Only content/r6/ has the project: the copy goes to the next edition, under the new name.
    let path = site
        .path()
        .join("content/r7/hekichi-online-shinryo-shien-r7.md");
    let text = fs::read_to_string(&path).expect("copy");
    assert!(
        text.contains("\n# renamed_from = \"hekichi-online-shinryo-shien\"\n"),
        "the line that would make it the same 事業 renamed is offered, commented out: {text}"
    );
    assert!(
        text.starts_with("+++\n# content/r6/hekichi-online-shinryo-shien.md をもとに作りました")
    );
    assert!(text.contains("（もとの事業名: へき地オンライン診療支援対策事業）"));
    assert!(text.contains("\nname = \"\"\n"));
    assert!(text.contains("budget = 4202"), "everything else is kept");

    let checked = roadmap(site.path(), &["check"]);
    assert_eq!(checked.status.code(), Some(1));
    let report = stderr(&checked);
    assert!(
        report.contains("content/r7/hekichi-online-shinryo-shien-r7.md:"),
        "{report}"
    );
    assert!(
        report.contains("[name] 「name」がまだ書かれていません。"),
        "{report}"
    );
    assert!(report.contains("内容に 1 件の誤りがあります。"), "{report}");

    fs::write(
        &path,
        text.replace(
            "\nname = \"\"\n",
            "\nname = \"へき地オンライン診療支援対策事業（令和7年度）\"\n",
        ),
    )
    .expect("write");
    let checked = roadmap(site.path(), &["check"]);
    assert!(checked.status.success(), "{}", stderr(&checked));
}

#[test]
fn nothing_is_overwritten_and_wrong_names_are_refused() {
    let site = copy_site();
    let existing = site
        .path()
        .join("content/r6/hekichi-online-shinryo-shien.md");
    let before = fs::read(&existing).expect("read");
    let refused = roadmap(site.path(), &["new", "hekichi-online-shinryo-shien"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(stderr(&refused).contains("すでにあります。上書きはしません。"));
    assert_eq!(fs::read(&existing).expect("read"), before);

    // The same slug in a subfolder would clash as well.
    fs::create_dir_all(site.path().join("content/sub")).expect("mkdir");
    fs::write(site.path().join("content/sub/nested.md"), "x").expect("write");
    let refused = roadmap(site.path(), &["new", "nested"]);
    assert_eq!(refused.status.code(), Some(2), "{}", stderr(&refused));
    assert!(!site.path().join("content/r6/nested.md").exists());
    assert_eq!(
        fs::read_to_string(site.path().join("content/sub/nested.md")).expect("read"),
        "x"
    );

    for bad in ["Hekichi", "へき地", "a_b", "-a", "a-", "../escape"] {
        let refused = roadmap(site.path(), &["new", bad]);
        assert_eq!(refused.status.code(), Some(2), "{bad}");
        assert!(
            stderr(&refused).contains("ファイル名（URL）に使えません"),
            "{bad}"
        );
    }
    assert!(!site.path().join("escape.md").exists());

    let missing = roadmap(site.path(), &["new", "--from", "no-such-project", "other"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        stderr(&missing)
            .contains("no-such-project.md は、どの年度のフォルダ（content/r6/）にもありません"),
        "{}",
        stderr(&missing)
    );
    assert!(!site.path().join("content/r7/other.md").exists());
}
