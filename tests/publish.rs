//! What a published build may say: only what was decided. Run as the web team would, on copies of
//! the site: inferred roadmap years are marked and counted from the content files themselves, no
//! local address is ever published, statements in the publisher's name come only from the
//! configuration, sums never wrap, and `check` fails wherever `build` would.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::copy_site;

/// Every file under `dir`, relative.
fn files(dir: &Path) -> Vec<PathBuf> {
    common::snapshot(dir).into_keys().collect()
}

fn roadmap(root: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_roadmap"))
        .args(args)
        .arg("--root")
        .arg(root)
        .output()
        .expect("run roadmap")
}

fn build(root: &Path, output: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["build", "--output", output.to_str().expect("utf8")];
    args.extend_from_slice(extra);
    roadmap(root, &args)
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn read(dir: &Path, relative: &str) -> String {
    fs::read_to_string(dir.join(relative)).unwrap_or_else(|e| panic!("{relative}: {e}"))
}

/// Replaces the first `from` in a file of the site (relative to its root).
fn edit(root: &Path, file: &str, from: &str, to: &str) {
    let path = root.join(file);
    let text = fs::read_to_string(&path).expect("read");
    assert!(text.contains(from), "{file} has no {from:?}");
    fs::write(&path, text.replacen(from, to, 1)).expect("write");
}

/// The 1-based line of the first occurrence of `needle` in a file of the site.
fn line_of(root: &Path, file: &str, needle: &str) -> usize {
    let text = fs::read_to_string(root.join(file)).expect("read");
    let offset = text.find(needle).expect("needle");
    text[..offset].matches('\n').count() + 1
}

/// A roadmap row as the content files write it, read with the toml crate (not the program).
struct Row {
    slug: String,
    label: String,
    inferred: bool,
    reason: Option<String>,
    years: Vec<String>,
    end: String,
}

fn front_matter(text: &str) -> toml::Table {
    let inner = text
        .strip_prefix("+++\n")
        .and_then(|rest| rest.split_once("\n+++"))
        .map(|(front, _)| front)
        .expect("front matter");
    inner.parse().expect("toml")
}

fn content_rows(root: &Path) -> Vec<Row> {
    let mut rows = Vec::new();
    let mut paths: Vec<PathBuf> = fs::read_dir(root.join(common::SHEETS))
        .expect("content")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    paths.sort();
    for path in paths {
        let slug = path.file_stem().and_then(|s| s.to_str()).expect("slug");
        let front = front_matter(&fs::read_to_string(&path).expect("read"));
        let end = front["end"].as_str().expect("end").to_string();
        for initiative in front["initiatives"].as_array().expect("initiatives") {
            for row in initiative
                .get("roadmap")
                .and_then(|r| r.as_array())
                .into_iter()
                .flatten()
            {
                let basis = row["basis"].as_str().expect("basis");
                assert!(basis == "推定" || basis == "資料どおり", "{slug}: {basis}");
                rows.push(Row {
                    slug: slug.to_string(),
                    label: row["label"].as_str().expect("label").to_string(),
                    inferred: basis == "推定",
                    reason: row.get("reason").and_then(|r| r.as_str()).map(String::from),
                    years: row["years"]
                        .as_array()
                        .expect("years")
                        .iter()
                        .filter_map(|y| y.as_str().map(String::from))
                        .collect(),
                    end: end.clone(),
                });
            }
        }
    }
    rows
}

/// 「R6」 → 6 (content files here write 令和 years for roadmap rows).
fn reiwa(code: &str) -> u32 {
    code.trim_start_matches('R').parse().expect("R year")
}

fn squash(text: &str) -> String {
    text.split_whitespace().collect()
}

#[test]
fn inferred_rows_are_counted_marked_and_published_as_such() {
    let site = copy_site();
    let root = site.path();
    let rows = content_rows(root);
    let inferred: Vec<&Row> = rows.iter().filter(|r| r.inferred).collect();
    assert!(!inferred.is_empty(), "the real content has inferred rows");
    let projects_with_inferred = {
        let mut slugs: Vec<&str> = inferred.iter().map(|r| r.slug.as_str()).collect();
        slugs.dedup();
        slugs.len()
    };

    // check says how many, as a notice; the build goes on.
    let checked = roadmap(root, &["check"]);
    assert!(checked.status.success(), "{}", stderr(&checked));
    let expected = format!(
        "ロードマップの {} 行のうち {} 行（{} 事業）は、年度を推定しています",
        rows.len(),
        inferred.len(),
        projects_with_inferred
    );
    assert!(stderr(&checked).contains(&expected), "{}", stderr(&checked));
    assert!(stderr(&checked).contains("お知らせ"));

    let out = tempfile::tempdir().expect("tempdir");
    let output = out.path().join("site");
    let built = build(root, &output, &[]);
    assert!(built.status.success(), "{}", stderr(&built));
    assert!(stderr(&built).contains(&expected), "build prints it too");

    // The data page gives the exact count.
    let data = squash(&read(&output, "data/index.html"));
    assert!(
        data.contains(&format!(
            "ロードマップの{}行のうち{}行（{}事業）は",
            rows.len(),
            inferred.len(),
            projects_with_inferred
        )),
        "data page count"
    );

    // roadmap.csv: one line per row and year; years_inferred and the reason match the file (in
    // the plain form the CSV files hold: ① is (1) there; tests/open_data.rs checks that form).
    let plain = |text: &str| roadmap::render::plain_form::plain_form(text).into_owned();
    let csv_text = read(&output, "data/roadmap.csv");
    let mut reader = csv::Reader::from_reader(csv_text.trim_start_matches('\u{FEFF}').as_bytes());
    let headers = reader.headers().expect("headers").clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("column {name}"))
    };
    let records: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("record")).collect();
    let expected_lines: usize = rows.iter().map(|r| r.years.len()).sum();
    assert_eq!(records.len(), expected_lines);
    for row in &rows {
        let lines: Vec<&csv::StringRecord> = records
            .iter()
            .filter(|r| {
                r[column("project_id")] == row.slug && r[column("row_label")] == plain(&row.label)
            })
            .collect();
        assert!(!lines.is_empty(), "{}: {}", row.slug, row.label);
        for line in lines {
            assert_eq!(
                &line[column("years_inferred")],
                if row.inferred { "1" } else { "0" },
                "{}: {}",
                row.slug,
                row.label
            );
            assert_eq!(
                &line[column("years_basis_note")],
                plain(row.reason.as_deref().unwrap_or_default())
            );
            // in_project_period: 0 exactly for years after a decided end (no row starts early).
            let western: u32 = line[column("fiscal_year")].parse().expect("year");
            let after_end = row.end != "未定" && western - 2018 > reiwa(&row.end);
            assert_eq!(
                &line[column("in_project_period")],
                if after_end { "0" } else { "1" }
            );
        }
    }

    // The JSON says the same, and the schema documents the fields.
    let json: serde_json::Value =
        serde_json::from_str(&read(&output, "data/projects.json")).expect("json");
    assert_eq!(json["roadmap_rows"]["rows"], rows.len());
    assert_eq!(json["roadmap_rows"]["inferred"], inferred.len());
    let json_inferred = json["projects"]
        .as_array()
        .expect("projects")
        .iter()
        .flat_map(|p| p["initiatives"].as_array().into_iter().flatten())
        .flat_map(|i| i["roadmap"].as_array().into_iter().flatten())
        .filter(|r| r["years_basis"] == "inferred" && r["years_basis_note"].is_string())
        .count();
    assert_eq!(json_inferred, inferred.len());
    let schema = read(&output, "data/projects.schema.json");
    for field in [
        "years_basis",
        "years_basis_note",
        "years_outside_project_period",
    ] {
        assert!(schema.contains(field), "the schema documents {field}");
    }

    // The timeline marks each project that has inferred rows, with its count, in words.
    let timeline = squash(&read(&output, "timeline/index.html"));
    for slug in inferred.iter().map(|r| r.slug.as_str()) {
        let count = inferred.iter().filter(|r| r.slug == slug).count();
        let link = format!("../projects/{slug}/\"");
        let at = timeline.find(&link).expect("project in the timeline");
        let row_end = timeline[at..].find("</th>").expect("row header") + at;
        assert!(
            timeline[at..row_end].contains(&format!("ロードマップの{count}行は年度を推定")),
            "{slug}: timeline mark"
        );
    }

    // A web team can refuse to publish while any inferred row remains.
    edit(
        root,
        "config.toml",
        "publish_inferred_years = true",
        "publish_inferred_years = false",
    );
    let refused = roadmap(root, &["check"]);
    assert_eq!(refused.status.code(), Some(1));
    let report = stderr(&refused);
    let errors = report
        .matches("年度を推定した行は公開しない設定です")
        .count();
    assert_eq!(errors, inferred.len(), "one error per inferred row");
    assert!(report.contains(&format!("内容に {} 件の誤りがあります。", inferred.len())));
    let first = inferred[0];
    let file = format!("content/r6/{}.md", first.slug);
    assert!(
        report.contains(&format!(
            "{file}:{}:",
            line_of(root, &file, "basis = \"推定\"")
        )),
        "the first error names the file and line:\n{report}"
    );
    let blocked = build(root, &output, &[]);
    assert_eq!(blocked.status.code(), Some(1));
    assert!(
        output.join("index.html").is_file(),
        "the published output stays as it was"
    );
}

#[test]
fn rows_outside_the_project_years_get_a_notice_and_a_note() {
    let site = copy_site();
    let root = site.path();
    let rows = content_rows(root);
    let outside: Vec<&Row> = rows
        .iter()
        .filter(|r| r.end != "未定" && r.years.iter().any(|y| reiwa(y) > reiwa(&r.end)))
        .collect();
    assert!(!outside.is_empty(), "the real content has such rows");
    let checked = roadmap(root, &["check"]);
    assert!(checked.status.success());
    let notices = stderr(&checked).matches("事業終期（").count();
    assert_eq!(notices, outside.len(), "{}", stderr(&checked));

    let out = tempfile::tempdir().expect("tempdir");
    let output = out.path().join("site");
    assert!(build(root, &output, &[]).status.success());
    for row in outside {
        let page = squash(&read(&output, &format!("projects/{}/index.html", row.slug)));
        let note = format!("「{}」", squash(&row.label));
        let at = page.find(&format!("{note}：")).unwrap_or_else(|| {
            panic!("{}: {} has no note", row.slug, row.label);
        });
        let item = &page[at..at + page[at..].find("</li>").expect("li end")];
        assert!(
            item.contains("事業終期（") && item.contains("より後の年度です。"),
            "{}: {item}",
            row.slug
        );
    }
}

#[test]
fn a_build_without_a_public_base_url_holds_no_local_address() {
    let site = copy_site();
    let root = site.path();
    let out = tempfile::tempdir().expect("tempdir");
    let local = [
        "127.0.0.1",
        "localhost",
        "[::1]",
        "0.0.0.0",
        "rel=canonical",
        "og:url",
    ];
    let assert_clean = |output: &Path, how: &str| {
        for file in files(output) {
            let text = fs::read(output.join(&file)).expect("read");
            let text = String::from_utf8_lossy(&text);
            for needle in local {
                assert!(
                    !text.contains(needle),
                    "{how}: {} contains {needle}",
                    file.display()
                );
            }
        }
        assert!(!output.join("sitemap.xml").exists(), "{how}: sitemap");
        assert!(!output.join("feed.xml").exists(), "{how}: feed");
        assert!(!read(output, "robots.txt").contains("Sitemap"), "{how}");
        assert!(!read(output, "index.html").contains("feed.xml"), "{how}");
    };

    // The shipped config has no base URL at all.
    let shipped = fs::read_to_string(root.join("config.toml")).expect("config");
    assert!(
        !shipped
            .lines()
            .any(|l| l.starts_with("base_url") || (!l.starts_with('#') && l.contains("127.0.0.1")))
    );
    let output = out.path().join("none");
    let built = build(root, &output, &[]);
    assert!(built.status.success(), "{}", stderr(&built));
    assert!(stdout(&built).contains("公開先のURLが設定されていないため"));
    assert!(stdout(&built).contains("--base-url"));
    assert_clean(&output, "no base_url");

    // A loopback address, in the config or on the command line, counts as none.
    edit(
        root,
        "config.toml",
        "language = ",
        "base_url = \"http://127.0.0.1:8000/\"\nlanguage = ",
    );
    let output = out.path().join("loopback");
    assert!(build(root, &output, &[]).status.success());
    assert_clean(&output, "config loopback");
    let output = out.path().join("localhost");
    assert!(
        build(root, &output, &["--base-url", "http://localhost:3000/"])
            .status
            .success()
    );
    assert_clean(&output, "--base-url localhost");

    // A public one gives canonical links, the sitemap and the feed.
    let output = out.path().join("public");
    let built = build(root, &output, &["--base-url", "https://example.jp/dx/"]);
    assert!(built.status.success());
    assert!(!stdout(&built).contains("公開先のURLが設定されていないため"));
    assert!(read(&output, "index.html").contains("https://example.jp/dx/"));
    // The sitemap lists each page once, at its permanent URL (the edition's folder).
    assert!(read(&output, "sitemap.xml").contains("https://example.jp/dx/r6/projects/"));
    assert!(read(&output, "feed.xml").contains("https://example.jp/dx/"));
    assert!(read(&output, "robots.txt").contains("Sitemap: https://example.jp/dx/sitemap.xml"));

    // Anything but http(s) is refused before anything is written.
    let output = out.path().join("script");
    let refused = build(root, &output, &["--base-url", "javascript:alert(1)//"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(stderr(&refused).contains("--base-url"));
    assert!(!output.exists());
}

#[test]
fn statements_in_the_publishers_name_come_only_from_the_config() {
    let site = copy_site();
    let root = site.path();
    let out = tempfile::tempdir().expect("tempdir");
    let claims = [
        "発行：",
        "PDL",
        "利用規約（",
        "までお知らせください",
        "アクセシビリティ方針",
        "問題があれば公開しません",
        "人の目で",
    ];
    // The shipped config names no publisher, licence, contact or policy: no page makes a claim.
    let output = out.path().join("plain");
    assert!(build(root, &output, &[]).status.success());
    for file in files(&output) {
        let text =
            String::from_utf8_lossy(&fs::read(output.join(&file)).expect("read")).to_string();
        for claim in claims {
            assert!(
                !text.contains(claim),
                "{} says {claim} unconfigured",
                file.display()
            );
        }
    }
    let json: serde_json::Value =
        serde_json::from_str(&read(&output, "data/projects.json")).expect("json");
    assert!(json["publisher"].is_null() && json["license"].is_null());

    // Configured, each appears, and the links are the configured ones.
    let config = fs::read_to_string(root.join("config.toml")).expect("config");
    let config = config.replace("updated = ", "publisher = \"試験県\"\nupdated = ")
        + "\n[license]\nname = \"公共データ利用規約（第1.0版）\"\nshort_name = \"PDL1.0\"\nurl = \"https://example.jp/pdl\"\n"
        + "[contact]\nname = \"試験県 DX推進課\"\nurl = \"https://example.jp/contact\"\n"
        + "[accessibility]\npolicy = \"試験県は取り組みます。\"\ntarget = \"AA に準拠することを目標とします。\"\n";
    fs::write(root.join("config.toml"), config).expect("write");
    let output = out.path().join("configured");
    let built = build(root, &output, &["--base-url", "https://example.jp/"]);
    assert!(built.status.success(), "{}", stderr(&built));
    let home = read(&output, "index.html");
    assert!(home.contains("発行：試験県"));
    assert!(home.contains("https://example.jp/pdl"));
    let accessibility = read(&output, "accessibility/index.html");
    assert!(accessibility.contains("試験県は取り組みます。"));
    assert!(accessibility.contains("https://example.jp/contact"));
    assert!(accessibility.contains("ウェブアクセシビリティ方針"));
    assert!(read(&output, "data/index.html").contains("出典：試験県"));
    assert!(read(&output, "feed.xml").contains("<name>試験県</name>"));

    // A licence link that would run script is refused at its line.
    edit(
        root,
        "config.toml",
        "url = \"https://example.jp/pdl\"",
        "url = \"javascript:alert(1)\"",
    );
    let refused = roadmap(root, &["check"]);
    assert_eq!(refused.status.code(), Some(1));
    let line = line_of(root, "config.toml", "javascript:");
    assert!(
        stderr(&refused).contains(&format!("config.toml:{line}:")),
        "{}",
        stderr(&refused)
    );
    assert!(stderr(&refused).contains("[license.url]"));
}

#[test]
fn the_scope_is_named_with_the_site_name_and_every_total() {
    let site = copy_site();
    let root = site.path();
    let config: toml::Table = fs::read_to_string(root.join("config.toml"))
        .expect("config")
        .parse()
        .expect("toml");
    let scope = config["source"]["scope"]
        .as_str()
        .expect("scope")
        .to_string();
    let out = tempfile::tempdir().expect("tempdir");
    let output = out.path().join("site");
    assert!(build(root, &output, &[]).status.success());
    for file in files(&output)
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "html"))
    {
        let html = read(&output, file.to_str().expect("utf8"));
        let title = html
            .split_once("<title>")
            .and_then(|(_, rest)| rest.split_once("</title>"))
            .map(|(t, _)| t)
            .expect("title");
        assert!(title.contains(&scope), "{}: {title}", file.display());
    }
    for page in ["index.html", "budget/index.html"] {
        let text = squash(&read(&output, page));
        assert!(
            text.contains(&format!("{scope}の事業費の合計"))
                || text.contains(&format!("{scope}の令和6年度の事業費の合計")),
            "{page}"
        );
        assert!(text.contains("元資料全体の合計ではありません"), "{page}");
    }

    // A title that does not name the scope gets it added.
    edit(
        root,
        "config.toml",
        "title = \"青森県 DX関連事業ロードマップ（令和6年度）暮らし・まち分野\"",
        "title = \"DX関連事業ロードマップ\"",
    );
    let output = out.path().join("short");
    assert!(build(root, &output, &[]).status.success());
    assert!(
        read(&output, "index.html")
            .contains(&format!("<title>DX関連事業ロードマップ（{scope}）</title>"))
    );
}

#[test]
fn budgets_are_bounded_and_sums_never_wrap() {
    let site = copy_site();
    let root = site.path();
    let file = "content/r6/hekichi-online-shinryo-shien.md";
    for huge in ["18446744073709551615", "20000000000000000", "1000000001"] {
        edit(root, file, "budget = 4202", &format!("budget = {huge}"));
        let checked = roadmap(root, &["check"]);
        assert_eq!(checked.status.code(), Some(1), "{huge}");
        let line = line_of(root, file, &format!("budget = {huge}"));
        let report = stderr(&checked);
        assert!(
            report.contains(&format!("{file}:{line}:10: エラー: [budget]")),
            "{huge}: {report}"
        );
        assert!(report.contains("大きすぎます"), "{report}");
        edit(root, file, &format!("budget = {huge}"), "budget = 4202");
    }
    // The bound itself is accepted, and the total is exact.
    edit(root, file, "budget = 4202", "budget = 1000000000");
    let out = tempfile::tempdir().expect("tempdir");
    let output = out.path().join("site");
    let built = build(root, &output, &[]);
    assert!(built.status.success(), "{}", stderr(&built));
    let expected: u64 = 1_392_520 - 4202 + 1_000_000_000;
    let json: serde_json::Value =
        serde_json::from_str(&read(&output, "data/projects.json")).expect("json");
    let sum: u64 = json["projects"]
        .as_array()
        .expect("projects")
        .iter()
        .map(|p| p["budget_thousand_yen"].as_u64().expect("budget"))
        .sum();
    assert_eq!(json["total_budget_thousand_yen"].as_u64(), Some(sum));
    assert_eq!(sum, expected);
    // A budget that looks like yen is a notice, not an error.
    edit(root, file, "budget = 1000000000", "budget = 4202000");
    let checked = roadmap(root, &["check"]);
    assert!(checked.status.success());
    let line = line_of(root, file, "budget = 4202000");
    assert!(
        stderr(&checked).contains(&format!("{file}:{line}:10: お知らせ: [budget]")),
        "{}",
        stderr(&checked)
    );
    assert!(stderr(&checked).contains("budget = 4202 と書きます"));
}

#[test]
fn the_budget_page_takes_each_accounts_total_by_its_id() {
    let site = copy_site();
    let root = site.path();
    let mut total = 0u64;
    for entry in fs::read_dir(root.join(common::SHEETS))
        .expect("content")
        .flatten()
    {
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "md") {
            continue;
        }
        let text = fs::read_to_string(&path).expect("read");
        total += front_matter(&text)["budget"].as_integer().expect("budget") as u64;
        let text = match text.find("account = ") {
            Some(at) => {
                let end = at + text[at..].find('\n').expect("line end");
                format!("{}account = \"病院事業会計\"{}", &text[..at], &text[end..])
            }
            None => text.replacen("priority = ", "account = \"病院事業会計\"\npriority = ", 1),
        };
        fs::write(&path, text).expect("write");
    }
    let out = tempfile::tempdir().expect("tempdir");
    let output = out.path().join("site");
    let built = build(root, &output, &[]);
    assert!(built.status.success(), "{}", stderr(&built));
    let page = squash(&read(&output, "budget/index.html"));
    assert!(!page.contains("うち一般会計"), "no general account line");
    let grouped = common::grouped(total);
    assert!(
        page.contains(&format!("うち病院事業会計</dt><dd>{grouped}")),
        "the hospital account holds the whole {grouped}"
    );
}

#[test]
fn check_fails_wherever_build_would() {
    // A misspelt variable in a template.
    let site = copy_site();
    let root = site.path();
    edit(
        root,
        "themes/default/templates/project.html",
        "{{ project.name }}</h1>",
        "{{ project.nmae }}</h1>",
    );
    let checked = roadmap(root, &["check"]);
    assert_eq!(checked.status.code(), Some(1), "{}", stdout(&checked));
    let out = tempfile::tempdir().expect("tempdir");
    let built = build(root, &out.path().join("site"), &[]);
    assert_eq!(built.status.code(), Some(1));
    let message = |o: &Output| {
        stderr(o)
            .lines()
            .filter(|l| l.contains("nmae") || l.contains("描画できません"))
            .map(String::from)
            .collect::<Vec<_>>()
    };
    assert!(!message(&checked).is_empty(), "{}", stderr(&checked));
    assert_eq!(message(&checked), message(&built), "the same message");

    // A file name too long to publish is refused by both, naming the file.
    let site = copy_site();
    let root = site.path();
    let long = "a".repeat(120);
    fs::copy(
        root.join("content/r6/hekichi-online-shinryo-shien.md"),
        root.join(format!("content/r6/{long}.md")),
    )
    .expect("copy");
    edit(
        root,
        &format!("content/r6/{long}.md"),
        "name = \"へき地オンライン診療支援対策事業\"",
        "name = \"長い名前の事業\"",
    );
    let checked = roadmap(root, &["check"]);
    assert_eq!(checked.status.code(), Some(1));
    assert!(stderr(&checked).contains(&format!(
        "content/r6/{long}.md: エラー: ファイル名が長すぎます"
    )));
    let built = build(root, &out.path().join("long"), &[]);
    assert_eq!(built.status.code(), Some(1));
}
