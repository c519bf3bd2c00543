//! Combined open data of a site with editions (issue 15): at the root, every edition's projects
//! and roadmap cells in one long-format file each, with the edition's columns. This file exists
//! apart from `tests/open_data.rs` and `tests/editions.rs` so that the combined files have their
//! own checks: built from the sample editions in `tests/fixtures/editions/`, read back with the
//! `csv` crate, and compared with the content files' front matter read here with plain `toml`
//! (never with totals typed in by hand) and with each edition's own files.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use roadmap::pipeline::{self, BuildOptions};
use scraper::{Html, Selector};

mod common;

use common::{grouped, repo, snapshot};

const COMBINED_FILES: [&str; 6] = [
    "data/editions_projects.csv",
    "data/editions_roadmap.csv",
    "data/editions_projects.json",
    "data/editions_projects.schema.json",
    "data/editions_projects.csv.schema.json",
    "data/editions_roadmap.csv.schema.json",
];

/// The columns the combined CSV files put after the code, before an edition's own columns.
const EDITION_COLUMNS: [&str; 3] = ["edition", "edition_fiscal_year", "edition_wareki"];

fn site_with(codes: &[&str], flat: bool) -> tempfile::TempDir {
    common::editions_site(codes, flat)
}

fn build_into(root: &Path, output: &Path) {
    pipeline::build(&BuildOptions {
        root: root.to_path_buf(),
        output: output.to_path_buf(),
        base_url: Some("https://example.jp/dx/roadmap/".to_string()),
        preview: false,
    })
    .unwrap_or_else(|e| panic!("build failed: {e}"));
}

struct Built {
    dir: tempfile::TempDir,
    output: PathBuf,
}

fn built(codes: &[&str], flat: bool) -> Built {
    let dir = site_with(codes, flat);
    let output = dir.path().join("site");
    build_into(dir.path(), &output);
    Built { dir, output }
}

/// R6 and R7 in their folders.
fn both() -> &'static Built {
    static BUILT: OnceLock<Built> = OnceLock::new();
    BUILT.get_or_init(|| built(&["r6", "r7"], false))
}

/// The edition folders of a site's sources, oldest first (every sample is of 令和).
fn editions(root: &Path) -> Vec<String> {
    let mut codes: Vec<(u16, String)> = std::fs::read_dir(root.join("content"))
        .expect("content")
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter_map(|name| {
            let year = name.strip_prefix('r')?.parse::<u16>().ok()?;
            Some((year, name))
        })
        .collect();
    codes.sort();
    codes.into_iter().map(|(_, code)| code).collect()
}

/// 令和N年度 in 西暦: the fiscal year of an edition code, worked out here (令和1年度 is 2019).
fn western(code: &str) -> u16 {
    2018 + code[1..].parse::<u16>().expect("令和 edition")
}

/// The front matter of each project file of `content/<code>/`, by slug.
fn front_matters(root: &Path, code: &str) -> BTreeMap<String, toml::Table> {
    common::front_matters(&root.join("content").join(code))
}

fn budget(front: &toml::Table) -> u64 {
    u64::try_from(front["budget"].as_integer().expect("budget")).expect("not negative")
}

/// Every roadmap row of a project file, and every 実績 written as `done` on a plan's row: (kind,
/// basis, how many years).
fn roadmap_rows(front: &toml::Table) -> Vec<(String, String, usize)> {
    let mut rows = Vec::new();
    for initiative in front
        .get("initiatives")
        .and_then(|i| i.as_array())
        .into_iter()
        .flatten()
    {
        for row in initiative
            .get("roadmap")
            .and_then(|r| r.as_array())
            .into_iter()
            .flatten()
        {
            let text = |key: &str| {
                row.get(key)
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_string()
            };
            let years = row
                .get("years")
                .and_then(|y| y.as_array())
                .map_or(0, Vec::len);
            rows.push((text("kind"), text("basis"), years));
            // What was done of a planned step, written on the plan's row: its 実績, in the years
            // as written.
            if let Some(done) = row.get("done").and_then(|d| d.as_array()) {
                rows.push(("実績".to_string(), "資料どおり".to_string(), done.len()));
            }
        }
    }
    rows
}

/// A CSV file of the output read back: its header and rows, after checking the conventions of
/// every CSV file of the site (UTF-8 with a BOM, CRLF line ends).
fn read_csv(output: &Path, relative: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let bytes = std::fs::read(output.join(relative)).unwrap_or_else(|e| panic!("{relative}: {e}"));
    let text = std::str::from_utf8(&bytes).expect("UTF-8");
    let body = text.strip_prefix('\u{FEFF}').expect("a BOM");
    assert!(body.ends_with("\r\n"), "{relative}: CRLF");
    assert_eq!(
        body.matches('\n').count(),
        body.matches("\r\n").count(),
        "{relative}: every line ends in CRLF"
    );
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    let header = reader
        .headers()
        .expect("header")
        .iter()
        .map(str::to_string)
        .collect();
    let rows = reader
        .records()
        .map(|r| r.expect("record").iter().map(str::to_string).collect())
        .collect();
    (header, rows)
}

fn column(header: &[String], name: &str) -> usize {
    header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name} in {header:?}"))
}

/// The combined file's rows of each edition, by edition code, in the file's order of editions.
fn by_edition(header: &[String], rows: &[Vec<String>]) -> Vec<(String, Vec<Vec<String>>)> {
    let edition = column(header, "edition");
    let mut groups: Vec<(String, Vec<Vec<String>>)> = Vec::new();
    for row in rows {
        match groups.last_mut() {
            Some((code, group)) if *code == row[edition] => group.push(row.clone()),
            _ => {
                assert!(
                    groups.iter().all(|(code, _)| *code != row[edition]),
                    "the rows of {} are together",
                    row[edition]
                );
                groups.push((row[edition].clone(), vec![row.clone()]));
            }
        }
    }
    groups
}

/// A combined row without the edition's columns: an edition's own row, as its own file has it.
fn without_edition(header: &[String], row: &[String]) -> Vec<String> {
    header
        .iter()
        .zip(row)
        .filter(|(h, _)| !EDITION_COLUMNS.contains(&h.as_str()))
        .map(|(_, cell)| cell.clone())
        .collect()
}

/// The combined projects file has a row per project and edition; each edition's rows add up to
/// the edition's count and total as its content files say, and are its own `projects.csv` with
/// the edition's columns (the URL from the site root, in the edition's folder).
#[test]
fn each_editions_rows_add_up_to_its_own_content() {
    let b = both();
    let codes = editions(b.dir.path());
    assert_eq!(codes, ["r6", "r7"]);
    let (header, rows) = read_csv(&b.output, "data/editions_projects.csv");
    assert_eq!(header[0], "local_government_code");
    assert_eq!(header[1..4], EDITION_COLUMNS);
    let groups = by_edition(&header, &rows);
    assert_eq!(
        groups
            .iter()
            .map(|(code, _)| code.as_str())
            .collect::<Vec<_>>(),
        codes,
        "every edition, oldest first"
    );
    let (id, budget_col, url) = (
        column(&header, "id"),
        column(&header, "budget_thousand_yen"),
        column(&header, "url"),
    );
    let (year, wareki, budget_year) = (
        column(&header, "edition_fiscal_year"),
        column(&header, "edition_wareki"),
        column(&header, "budget_fiscal_year"),
    );
    let mut totals = BTreeSet::new();
    for (code, group) in &groups {
        let fronts = front_matters(b.dir.path(), code);
        let expected_total: u64 = fronts.values().map(budget).sum();
        let sum: u64 = group
            .iter()
            .map(|r| r[budget_col].parse::<u64>().expect("an integer"))
            .sum();
        assert_eq!(sum, expected_total, "{code}: the sum of its rows");
        assert_eq!(group.len(), fronts.len(), "{code}: a row per project");
        totals.insert(sum);
        let ids: BTreeSet<&str> = group.iter().map(|r| r[id].as_str()).collect();
        assert_eq!(
            ids,
            fronts.keys().map(String::as_str).collect::<BTreeSet<_>>(),
            "{code}"
        );
        for row in group {
            assert_eq!(row[year], western(code).to_string(), "{code}");
            assert_eq!(row[budget_year], row[year], "{code}: its own year's budget");
            assert_eq!(row[wareki], format!("令和{}年度", &code[1..]), "{code}");
            assert_eq!(row[url], format!("{code}/projects/{}/", row[id]));
            assert!(
                b.output.join(&row[url]).join("index.html").is_file(),
                "{}",
                row[url]
            );
        }
        // The edition's own file, the same rows in the same order.
        let (own_header, own_rows) = read_csv(&b.output, &format!("{code}/data/projects.csv"));
        assert_eq!(without_edition(&header, &header), own_header);
        let own_url = column(&own_header, "url");
        let combined: Vec<Vec<String>> = group
            .iter()
            .map(|r| {
                let mut row = without_edition(&header, r);
                row[own_url] = row[own_url]
                    .strip_prefix(&format!("{code}/"))
                    .expect("in the edition's folder")
                    .to_string();
                row
            })
            .collect();
        assert_eq!(combined, own_rows, "{code}: its own projects.csv");
    }
    assert_eq!(totals.len(), 2, "the sample editions differ in total");
}

/// The combined roadmap file has a row per roadmap cell and edition: as many per edition as the
/// edition's own `roadmap.csv`, and as the years of its content files' roadmap rows; the kind and
/// the basis (推定 is `years_inferred` 1) as the files say.
#[test]
fn each_editions_roadmap_cells_are_its_own() {
    let b = both();
    let (header, rows) = read_csv(&b.output, "data/editions_roadmap.csv");
    assert_eq!(header[1..4], EDITION_COLUMNS);
    let groups = by_edition(&header, &rows);
    let (kind, inferred) = (column(&header, "kind"), column(&header, "years_inferred"));
    let codes = editions(b.dir.path());
    assert_eq!(
        groups
            .iter()
            .map(|(code, _)| code.clone())
            .collect::<Vec<_>>(),
        codes
    );
    let mut all = 0;
    for (code, group) in &groups {
        let fronts = front_matters(b.dir.path(), code);
        let content_rows: Vec<(String, String, usize)> =
            fronts.values().flat_map(roadmap_rows).collect();
        let cells = |wanted_kind: Option<&str>, wanted_basis: Option<&str>| -> usize {
            content_rows
                .iter()
                .filter(|(k, b, _)| {
                    wanted_kind.is_none_or(|w| w == k) && wanted_basis.is_none_or(|w| w == b)
                })
                .map(|(_, _, years)| years)
                .sum()
        };
        assert_eq!(group.len(), cells(None, None), "{code}: a row per cell");
        for k in ["計画", "実績"] {
            let written = group.iter().filter(|r| r[kind] == k).count();
            assert_eq!(written, cells(Some(k), None), "{code}: {k}");
        }
        assert!(
            group
                .iter()
                .all(|r| ["計画", "実績"].contains(&r[kind].as_str()))
        );
        if *code == "r7" {
            assert!(cells(Some("実績"), None) > 0, "the R7 sample records 実績");
        }
        for (basis, flag) in [("推定", "1"), ("資料どおり", "0")] {
            let written = group.iter().filter(|r| r[inferred] == flag).count();
            assert_eq!(written, cells(None, Some(basis)), "{code}: {basis}");
        }
        let (own_header, own_rows) = read_csv(&b.output, &format!("{code}/data/roadmap.csv"));
        assert_eq!(without_edition(&header, &header), own_header);
        let combined: Vec<Vec<String>> =
            group.iter().map(|r| without_edition(&header, r)).collect();
        assert_eq!(combined, own_rows, "{code}: its own roadmap.csv");
        all += own_rows.len();
    }
    assert_eq!(rows.len(), all, "the sum of every edition's cells");
    assert!(all > 0);
}

/// Each combined CSV file's schema requires exactly its header's columns (each with its Japanese
/// name); the JSON holds every edition with what its own `projects.json` holds, as its schema
/// requires.
#[test]
fn the_schemas_describe_the_combined_files() {
    let b = both();
    let read_json = |relative: &str| -> serde_json::Value {
        serde_json::from_slice(
            &std::fs::read(b.output.join(relative)).unwrap_or_else(|e| panic!("{relative}: {e}")),
        )
        .unwrap_or_else(|e| panic!("{relative}: {e}"))
    };
    let names = |value: &serde_json::Value| -> Vec<String> {
        value
            .as_array()
            .expect("an array")
            .iter()
            .map(|v| v.as_str().expect("a name").to_string())
            .collect()
    };
    for file in ["data/editions_projects.csv", "data/editions_roadmap.csv"] {
        let schema = read_json(&format!("{file}.schema.json"));
        let (header, rows) = read_csv(&b.output, file);
        let required = names(&schema["required"]);
        for name in &required {
            assert!(header.contains(name), "{file}: no column {name}");
        }
        assert_eq!(required, header, "{file}: every column required, in order");
        let properties = schema["properties"].as_object().expect("properties");
        for name in &header {
            let title = properties[name.as_str()]["title"]
                .as_str()
                .unwrap_or_default();
            assert!(!title.is_empty() && !title.is_ascii(), "{file}: {name}");
        }
        let edition = schema["properties"]["edition"]["pattern"]
            .as_str()
            .expect("a pattern");
        assert_eq!(edition, "^[rh][1-9][0-9]*$");
        assert!(rows.iter().all(|r| r[1].starts_with('r')));
    }

    let combined = read_json("data/editions_projects.json");
    let schema = read_json("data/editions_projects.schema.json");
    let project_schema = read_json("data/projects.schema.json");
    let edition_required = names(&schema["$defs"]["edition"]["required"]);
    let collection_required = names(&project_schema["required"]);
    let listed = combined["editions"].as_array().expect("editions");
    let codes = editions(b.dir.path());
    assert_eq!(listed.len(), codes.len());
    for (entry, code) in listed.iter().zip(&codes) {
        for key in &edition_required {
            assert!(entry.get(key).is_some(), "{code}: {key}");
        }
        assert_eq!(entry["edition"], code.as_str());
        assert_eq!(
            entry["edition_fiscal_year"].as_u64(),
            Some(western(code).into())
        );
        let data = &entry["data"];
        for key in &collection_required {
            assert!(data.get(key).is_some(), "{code}: data.{key}");
        }
        let fronts = front_matters(b.dir.path(), code);
        assert_eq!(data["count"].as_u64(), Some(fronts.len() as u64));
        let total: u64 = fronts.values().map(budget).sum();
        assert_eq!(data["total_budget_thousand_yen"].as_u64(), Some(total));
        // What the edition's own projects.json holds, the page URLs in the edition's folder.
        let mut own = read_json(&format!("{code}/data/projects.json"));
        for project in own["projects"].as_array_mut().expect("projects") {
            let url = project["url"].as_str().expect("url").to_string();
            project["url"] = format!("{code}/{url}").into();
        }
        assert_eq!(*data, own, "{code}");
    }
}

fn select(selector: &str) -> Selector {
    Selector::parse(selector).expect("selector")
}

/// The text of a page's main content, without whitespace.
fn main_text(html: &Html) -> String {
    html.select(&select("main"))
        .flat_map(|m| m.text())
        .collect::<String>()
        .split_whitespace()
        .collect()
}

fn page(output: &Path, relative: &str) -> Html {
    let text = std::fs::read_to_string(output.join(relative))
        .unwrap_or_else(|e| panic!("{relative}: {e}"));
    Html::parse_document(&text)
}

/// The links of a page's main content, resolved against the page's folder, relative to the
/// output.
fn links(output: &Path, relative: &str) -> Vec<String> {
    let html = page(output, relative);
    let folder = Path::new(relative).parent().unwrap_or(Path::new(""));
    html.select(&select("main a[href]"))
        .filter_map(|a| a.value().attr("href"))
        .filter(|href| !href.starts_with('#') && !href.contains("://"))
        .map(|href| {
            let mut parts: Vec<String> = folder
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            for segment in href.split('/') {
                match segment {
                    ".." => {
                        parts.pop();
                    }
                    "." | "" => {}
                    s => parts.push(s.to_string()),
                }
            }
            let joined = parts.join("/");
            if href.ends_with('/') {
                format!("{joined}/")
            } else {
                joined
            }
        })
        .collect()
}

/// The root's data page explains the combined files and links each edition's total (its budget
/// page); each edition's data page links the root's combined files and names its own total only.
#[test]
fn the_data_pages_explain_the_combined_files() {
    let b = both();
    let codes = editions(b.dir.path());
    let totals: Vec<(String, u64, usize)> = codes
        .iter()
        .map(|code| {
            let fronts = front_matters(b.dir.path(), code);
            (
                code.clone(),
                fronts.values().map(budget).sum(),
                fronts.len(),
            )
        })
        .collect();
    let edition_name = |code: &str| format!("令和{}年度版", &code[1..]);
    for relative in [
        "data/index.html",
        "r6/data/index.html",
        "r7/data/index.html",
    ] {
        let linked = links(&b.output, relative);
        for file in [
            "data/editions_projects.csv",
            "data/editions_roadmap.csv",
            "data/editions_projects.json",
        ] {
            assert!(
                linked.iter().any(|l| l == file),
                "{relative} links {file}: {linked:?}"
            );
        }
        for target in &linked {
            let path = b.output.join(target);
            let exists = if target.ends_with('/') {
                path.join("index.html").is_file()
            } else {
                path.is_file()
            };
            assert!(exists, "{relative} links {target}, which is missing");
        }
        let text = main_text(&page(&b.output, relative));
        assert!(
            text.contains("すべての年度版をまとめたデータ"),
            "{relative}"
        );
        for column in EDITION_COLUMNS {
            assert!(text.contains(column), "{relative}: {column}");
        }
        let at_root = !relative.starts_with('r');
        for (code, total, count) in &totals {
            let line = format!(
                "{}の事業費の合計（editionが{code}の行）:{count}件、{}千円",
                edition_name(code),
                grouped(*total)
            );
            let own = relative.starts_with(code.as_str());
            assert_eq!(text.contains(&line), at_root || own, "{relative}: {line}");
            let budget_page = format!("{code}/budget/");
            assert_eq!(
                linked.contains(&budget_page),
                at_root || own,
                "{relative}: {budget_page}"
            );
            if at_root || own {
                let budget = main_text(&page(&b.output, &format!("{budget_page}index.html")));
                assert!(budget.contains(&grouped(*total)), "{budget_page}: {total}");
            }
        }
    }
}

/// The combined files are the same bytes whatever the number of threads.
#[test]
fn the_combined_files_do_not_depend_on_the_thread_count() {
    let b = both();
    let dir = tempfile::tempdir().expect("tempdir");
    let output = dir.path().join("site");
    rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("pool")
        .install(|| build_into(b.dir.path(), &output));
    for file in COMBINED_FILES {
        assert_eq!(
            std::fs::read(output.join(file)).expect("one thread"),
            std::fs::read(b.output.join(file)).expect("default"),
            "{file}"
        );
    }
}

/// A site without edition folders writes no combined file, and its data page does not speak of
/// them; its open data is exactly an edition's own (the same bytes as R6's own files in a site
/// with editions).
#[test]
fn a_site_without_editions_has_no_combined_files() {
    let flat = built(&["r6"], true);
    let files = snapshot(&flat.output);
    let data: BTreeSet<String> = files
        .keys()
        .filter(|p| p.starts_with("data") && !p.starts_with("data/projects"))
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        data,
        [
            "data/index.html",
            "data/initiatives.csv",
            "data/project_sections.csv",
            "data/projects.csv",
            "data/projects.json",
            "data/projects.schema.json",
            "data/roadmap.csv",
        ]
        .map(String::from)
        .into_iter()
        .collect::<BTreeSet<_>>()
    );
    for file in COMBINED_FILES {
        assert!(!flat.output.join(file).exists(), "{file}");
    }
    let text = main_text(&page(&flat.output, "data/index.html"));
    assert!(!text.contains("年度版"), "{text}");
    let b = both();
    for file in [
        "projects.csv",
        "project_sections.csv",
        "initiatives.csv",
        "roadmap.csv",
        "projects.json",
    ] {
        assert_eq!(
            files.get(&PathBuf::from("data").join(file)),
            Some(&std::fs::read(b.output.join("r6/data").join(file)).expect("r6")),
            "{file}"
        );
    }
}

/// A site with one edition folder has the combined files too, with that edition alone.
#[test]
fn one_edition_in_its_folder_has_combined_files_of_it_alone() {
    let one = built(&["r6"], false);
    let (header, rows) = read_csv(&one.output, "data/editions_projects.csv");
    let groups = by_edition(&header, &rows);
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0].0, "r6");
    let fronts = front_matters(one.dir.path(), "r6");
    assert_eq!(rows.len(), fronts.len());
    // R6's data page says the same as with R7 beside it (its permanent URL keeps its content;
    // only the list of editions around it grows).
    let main = |output: &Path| -> String {
        page(output, "r6/data/index.html")
            .select(&select("main"))
            .map(|m| m.html())
            .collect()
    };
    assert!(!main(&one.output).is_empty());
    assert_eq!(main(&one.output), main(&both().output));
}

/// `docs/open-data.md` names every combined file and each edition column with its Japanese name
/// as the generated schema gives it.
#[test]
fn the_open_data_guide_names_the_combined_files_and_columns() {
    let guide =
        std::fs::read_to_string(repo().join("docs/open-data.md")).expect("docs/open-data.md");
    for file in COMBINED_FILES {
        assert!(guide.contains(&format!("`{file}`")), "{file}");
    }
    let b = both();
    let schema: serde_json::Value = serde_json::from_slice(
        &std::fs::read(b.output.join("data/editions_projects.csv.schema.json")).expect("schema"),
    )
    .expect("parse");
    for column in EDITION_COLUMNS {
        let japanese = schema["properties"][column]["title"]
            .as_str()
            .expect("title");
        assert!(
            guide.contains(&format!("| `{column}` | {japanese} |")),
            "{column} {japanese}"
        );
    }
}
