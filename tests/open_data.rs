//! Open data and feeds that other programs can trust: no CSV cell that a spreadsheet would run as
//! a formula, and a feed and sitemap that parse as XML whatever the content and the base URL say.

mod common;

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use common::copy_site;

fn build(root: &Path, output: &Path, base_url: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_roadmap"))
        .args(["build", "--root"])
        .arg(root)
        .arg("--output")
        .arg(output)
        .args(["--base-url", base_url])
        .output()
        .expect("run roadmap")
}

fn edit(root: &Path, from: &str, to: &str) {
    let path = root.join("content/hekichi-online-shinryo-shien.md");
    let text = fs::read_to_string(&path).expect("read");
    assert!(text.contains(from), "no {from:?}");
    fs::write(&path, text.replacen(from, to, 1)).expect("write");
}

#[test]
fn no_csv_cell_runs_as_a_formula() {
    let site = copy_site();
    let root = site.path();
    let formulas = [
        (
            "name = \"へき地オンライン診療支援対策事業\"",
            "name = \"=HYPERLINK(\\\"https://example.com\\\",\\\"詳細\\\")\"",
        ),
        (
            "label = \"整備概要作成\"",
            "label = \"@SUM(1+1)*cmd|' /C calc'!A0\"",
        ),
        (
            "title = \"へき地オンライン診療整備\"",
            "title = \"+cmd|' /C notepad'!A0\"",
        ),
        ("label = \"コンサルタント委託\"", "label = \"-2+3\""),
    ];
    for (from, to) in formulas {
        edit(root, from, to);
    }
    let out = tempfile::tempdir().expect("tempdir");
    let output = out.path().join("site");
    let built = build(root, &output, "https://example.jp/");
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let mut neutralised = 0;
    for name in ["projects", "project_sections", "initiatives", "roadmap"] {
        let text = fs::read_to_string(output.join(format!("data/{name}.csv"))).expect("csv");
        let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{FEFF}').as_bytes());
        for record in reader.records() {
            for cell in record.expect("record").iter() {
                assert!(
                    !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                    "{name}.csv: {cell}"
                );
                if cell.starts_with("'=")
                    || cell.starts_with("'@")
                    || cell.starts_with("'+")
                    || cell.starts_with("'-")
                {
                    neutralised += 1;
                }
            }
        }
    }
    // The name is in projects.csv; each label in as many roadmap.csv lines as it has years.
    assert!(neutralised >= 4, "{neutralised}");
    // The JSON keeps the text as written (a program reads it, not a spreadsheet).
    let json = fs::read_to_string(output.join("data/projects.json")).expect("json");
    assert!(json.contains("\"name\":\"=HYPERLINK("));
    // The data page says what was done.
    let data = fs::read_to_string(output.join("data/index.html")).expect("data page");
    assert!(data.contains("アポストロフィ"));
}

#[test]
fn feeds_and_sitemaps_parse_as_xml() {
    let site = copy_site();
    let root = site.path();
    edit(
        root,
        "name = \"へき地オンライン診療支援対策事業\"",
        "name = \"<![CDATA[ ]]> & \\\"引用\\\" 'x' </entry>\"",
    );
    let out = tempfile::tempdir().expect("tempdir");
    let output = out.path().join("site");
    let built = build(root, &output, "https://example.jp/a&b/'q'/");
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    for file in ["feed.xml", "sitemap.xml"] {
        let text = fs::read_to_string(output.join(file)).expect("xml");
        roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("{file}: {e}"));
    }
    // A base URL with a control character is refused before anything is written.
    let refused = build(root, &out.path().join("bad"), "https://example.jp/\u{1}/");
    assert_eq!(refused.status.code(), Some(2));
    assert!(!out.path().join("bad").exists());
}
