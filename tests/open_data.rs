//! Open data and feeds that other programs can trust: no CSV cell that a spreadsheet would run as
//! a formula, no platform-dependent character (機種依存文字) in a CSV cell while the pages keep the
//! text as written, the publisher's local government code only when configured, and a feed and
//! sitemap that parse as XML whatever the content and the base URL say.

mod common;

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use common::{copy_site, repo};
use unicode_normalization::UnicodeNormalization;

/// Runs `roadmap build` on `root` into `output`.
fn run_build(root: &Path, output: &Path, base_url: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_roadmap"))
        .args(["build", "--root"])
        .arg(root)
        .arg("--output")
        .arg(output)
        .args(["--base-url", base_url])
        .output()
        .expect("run roadmap")
}

/// Builds `root` into `output`, which must succeed.
fn build(root: &Path, output: &Path, base_url: &str) {
    let built = run_build(root, output, base_url);
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
}

fn edit(root: &Path, from: &str, to: &str) {
    let path = root.join("content/r6/hekichi-online-shinryo-shien.md");
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
    build(root, &output, "https://example.jp/");
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
    build(root, &output, "https://example.jp/a&b/'q'/");
    for file in ["feed.xml", "sitemap.xml"] {
        let text = fs::read_to_string(output.join(file)).expect("xml");
        roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("{file}: {e}"));
    }
    // A base URL with a control character is refused before anything is written.
    let refused = run_build(root, &out.path().join("bad"), "https://example.jp/\u{1}/");
    assert_eq!(refused.status.code(), Some(2));
    assert!(!out.path().join("bad").exists());
}

/// The Unicode blocks of 機種依存文字: where Unicode put the vendor extensions of Shift_JIS (NEC row
/// 13, IBM extensions) and their kin.
const PLATFORM_DEPENDENT_BLOCKS: &[(u32, u32, &str)] = &[
    (0x2100, 0x214F, "Letterlike Symbols"),
    (0x2150, 0x218F, "Number Forms"),
    (0x2460, 0x24FF, "Enclosed Alphanumerics"),
    (0x3200, 0x32FF, "Enclosed CJK Letters and Months"),
    (0x3300, 0x33FF, "CJK Compatibility"),
    (0x1F100, 0x1F1FF, "Enclosed Alphanumeric Supplement"),
    (0x1F200, 0x1F2FF, "Enclosed Ideographic Supplement"),
];

/// A character of those blocks whose NFKC form differs from it (so it has a plain form), other
/// than ℃ and Å, which JIS X 0208 itself has.
fn platform_dependent(c: char) -> bool {
    let code = u32::from(c);
    PLATFORM_DEPENDENT_BLOCKS
        .iter()
        .any(|&(first, last, _)| (first..=last).contains(&code))
        && !matches!(c, '\u{2103}' | '\u{212B}')
        && !std::iter::once(c).nfkc().eq(std::iter::once(c))
}

/// Every cell of the four CSV files of a built site: (file, column name, cell).
fn csv_cells(output: &Path) -> Vec<(String, String, String)> {
    let mut cells = Vec::new();
    for name in ["projects", "project_sections", "initiatives", "roadmap"] {
        let file = format!("data/{name}.csv");
        let text = fs::read_to_string(output.join(&file)).expect("csv");
        let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{FEFF}').as_bytes());
        let headers = reader.headers().expect("headers").clone();
        for record in reader.records() {
            for (header, cell) in headers.iter().zip(record.expect("record").iter()) {
                cells.push((file.clone(), header.to_string(), cell.to_string()));
            }
        }
    }
    cells
}

fn build_real_site(output: &Path) {
    build(&repo(), output, "https://example.jp/dx/roadmap/");
}

#[test]
fn csv_cells_hold_no_platform_dependent_character_and_pages_keep_them() {
    let out = tempfile::tempdir().expect("tempdir");
    let output = out.path().join("site");
    build_real_site(&output);
    for (file, column, cell) in csv_cells(&output) {
        let found: Vec<char> = cell.chars().filter(|&c| platform_dependent(c)).collect();
        assert!(found.is_empty(), "{file} {column}: {found:?} in {cell}");
    }
    // The content does write such characters (the test would prove nothing otherwise): every
    // roadmap label with one is on its project's page as written, and in the JSON as written.
    let mut labels = 0;
    for entry in fs::read_dir(common::sheets()).expect("content") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|e| e != "md") {
            continue;
        }
        let slug = path.file_stem().and_then(|s| s.to_str()).expect("slug");
        let text = fs::read_to_string(&path).expect("read");
        let front = text.split("+++").nth(1).expect("front matter");
        let front: toml::Table = toml::from_str(front).expect("toml");
        let page = fs::read_to_string(output.join(format!("projects/{slug}/index.html")))
            .expect("project page");
        let json = fs::read_to_string(output.join(format!("data/projects/{slug}.json")))
            .expect("project json");
        let initiatives = front.get("initiatives").and_then(|i| i.as_array());
        for row in initiatives
            .into_iter()
            .flatten()
            .filter_map(|i| i.get("roadmap").and_then(|r| r.as_array()))
            .flatten()
        {
            let Some(label) = row.get("label").and_then(|l| l.as_str()) else {
                continue;
            };
            if label.chars().any(platform_dependent) {
                labels += 1;
                assert!(page.contains(label), "{slug}: the page shows {label}");
                let in_json = serde_json::to_string(label).expect("json string");
                assert!(json.contains(&in_json), "{slug}: the JSON has {label}");
            }
        }
    }
    assert!(labels > 0, "the content writes labels such as ①");
    let page = fs::read_to_string(output.join("data/index.html")).expect("data page");
    assert!(page.contains("機種依存文字"), "the data page says so");
}

#[test]
fn a_circled_number_becomes_a_number_in_brackets_in_the_csv_only() {
    let site = copy_site();
    let root = site.path();
    edit(
        root,
        "label = \"整備概要作成\"",
        "label = \"⑫整備概要作成（約3㎞、Ⅲ期）\"",
    );
    let out = tempfile::tempdir().expect("tempdir");
    let output = out.path().join("site");
    build(root, &output, "https://example.jp/");
    let plain = "(12)整備概要作成（約3km、III期）";
    let labels: Vec<String> = csv_cells(&output)
        .into_iter()
        .filter(|(file, column, _)| file == "data/roadmap.csv" && column == "row_label")
        .map(|(_, _, cell)| cell)
        .filter(|cell| cell.contains("整備概要作成"))
        .collect();
    assert!(!labels.is_empty());
    assert!(labels.iter().all(|l| l == plain), "{labels:?}");
    let page = fs::read_to_string(output.join("projects/hekichi-online-shinryo-shien/index.html"))
        .expect("page");
    assert!(page.contains("⑫整備概要作成（約3㎞、Ⅲ期）"));
    assert!(!page.contains(plain));
}

#[test]
fn the_local_government_code_is_the_first_column_only_when_configured() {
    let site = copy_site();
    let root = site.path();
    let out = tempfile::tempdir().expect("tempdir");
    // Not configured (the repository's config.toml): the column is there, every cell empty.
    let output = out.path().join("without");
    build(root, &output, "https://example.jp/");
    let cells = csv_cells(&output);
    let codes: Vec<&(String, String, String)> = cells
        .iter()
        .filter(|(_, column, _)| column == "local_government_code")
        .collect();
    assert!(!codes.is_empty());
    assert!(codes.iter().all(|(_, _, cell)| cell.is_empty()));
    let json: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(output.join("data/projects.json")).expect("json"))
            .expect("parse");
    assert!(json["local_government_code"].is_null());

    // Configured with the publisher: the code in every row of every file, first.
    let config = root.join("config.toml");
    let text = fs::read_to_string(&config).expect("config");
    let commented = "# local_government_code = \"020001\"";
    assert!(text.contains(commented));
    let code = "022012";
    fs::write(
        &config,
        text.replace(
            commented,
            &format!("publisher = \"青森市\"\nlocal_government_code = \"{code}\""),
        ),
    )
    .expect("write");
    let output = out.path().join("with");
    build(root, &output, "https://example.jp/");
    for name in ["projects", "project_sections", "initiatives", "roadmap"] {
        let text = fs::read_to_string(output.join(format!("data/{name}.csv"))).expect("csv");
        let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{FEFF}').as_bytes());
        assert_eq!(
            &reader.headers().expect("headers")[0],
            "local_government_code"
        );
        let mut rows = 0;
        for record in reader.records() {
            assert_eq!(&record.expect("record")[0], code, "{name}");
            rows += 1;
        }
        assert!(rows > 0, "{name}");
    }
    let json: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(output.join("data/projects.json")).expect("json"))
            .expect("parse");
    assert_eq!(json["local_government_code"], code);
    let page = fs::read_to_string(output.join("data/index.html")).expect("data page");
    assert!(page.contains(code));
}
