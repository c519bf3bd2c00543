//! Builds the real `content/` into a temporary directory and checks the published site against the
//! content files, read here independently of the generator's own loader (plain `toml`).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use roadmap::pipeline::{self, BuildOptions};
use scraper::{ElementRef, Html, Selector};

mod common;

use common::grouped;
use common::repo as root;

/// One build of the real site, shared by every test of this file.
fn site() -> &'static Path {
    static SITE: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, output) = SITE.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let output = dir.path().join("site");
        pipeline::build(&BuildOptions {
            root: root(),
            output: output.clone(),
            base_url: Some("https://example.jp/dx/roadmap/".to_string()),
            preview: false,
        })
        .unwrap_or_else(|e| panic!("build failed: {e}"));
        (dir, output)
    });
    output
}

/// A project file as the content format describes it, read with plain `toml`.
struct ContentFile {
    slug: String,
    front: toml::Table,
}

impl ContentFile {
    fn str(&self, key: &str) -> &str {
        self.front[key]
            .as_str()
            .unwrap_or_else(|| panic!("{}: {key}", self.slug))
    }
    fn strings(&self, key: &str) -> Vec<&str> {
        self.front[key]
            .as_array()
            .unwrap_or_else(|| panic!("{}: {key}", self.slug))
            .iter()
            .filter_map(|v| v.as_str())
            .collect()
    }
    fn budget(&self) -> u64 {
        self.front["budget"].as_integer().map_or(0, |b| b as u64)
    }
    fn account(&self) -> &str {
        self.front
            .get("account")
            .and_then(|a| a.as_str())
            .unwrap_or("一般会計")
    }
    fn flag(&self, key: &str) -> bool {
        self.front[key]
            .as_bool()
            .unwrap_or_else(|| panic!("{}: {key}", self.slug))
    }
    fn initiatives(&self) -> Vec<&toml::Table> {
        self.front["initiatives"]
            .as_array()
            .map(|a| a.iter().filter_map(|i| i.as_table()).collect())
            .unwrap_or_default()
    }
}

fn content_files() -> Vec<ContentFile> {
    let mut files: Vec<ContentFile> = std::fs::read_dir(common::sheets())
        .expect("content dir")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .map(|path| {
            let text = std::fs::read_to_string(&path).expect("read");
            let front = text.split("+++\n").nth(1).expect("front matter");
            ContentFile {
                slug: path
                    .file_stem()
                    .expect("stem")
                    .to_string_lossy()
                    .into_owned(),
                front: front
                    .parse()
                    .unwrap_or_else(|e| panic!("{}: {e}", path.display())),
            }
        })
        .collect();
    files.sort_by(|a, b| a.slug.cmp(&b.slug));
    files
}

fn page(relative: &str) -> Html {
    let path = site().join(relative);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Html::parse_document(&text)
}

fn select(selector: &str) -> Selector {
    Selector::parse(selector).expect("selector")
}

fn text(element: ElementRef<'_>) -> String {
    element.text().collect::<String>()
}

/// All visible text of a page, whitespace removed (Japanese has none that matters).
fn page_text(html: &Html) -> String {
    html.root_element()
        .select(&select("body"))
        .map(text)
        .collect::<String>()
        .split_whitespace()
        .collect()
}

fn squash(text: &str) -> String {
    text.split_whitespace().collect()
}

/// 「令和6年度（2024年度）」 for "R6", "H31"; written here from the handbook's rule, not the crate's code.
fn era_long(code: &str) -> String {
    let (era, n): (char, u16) = (
        code.chars().next().expect("era"),
        code[1..].parse().expect("year"),
    );
    // The era as the sheet writes it: H31 stays 平成31年度 (the same fiscal year as 令和元年度).
    let (name, western) = match era {
        'R' => ("令和", 2018 + n),
        'H' => ("平成", 1988 + n),
        _ => panic!("era {code}"),
    };
    if n == 1 {
        format!("{name}元年度（{western}年度）")
    } else {
        format!("{name}{n}年度（{western}年度）")
    }
}

/// A year code from `config.toml`'s `[roadmap]` table (`first_year`, `last_year`, `current_year`).
fn roadmap_year(key: &str) -> Option<String> {
    let config: toml::Table = std::fs::read_to_string(root().join("config.toml"))
        .expect("config")
        .parse()
        .expect("toml");
    Some(config.get("roadmap")?.get(key)?.as_str()?.to_string())
}

/// The western year of a code (`R6` → 2024, `H31` → 2019).
fn western(code: &str) -> u16 {
    let n: u16 = code[1..].parse().expect("year");
    if code.starts_with('H') {
        1988 + n
    } else {
        2018 + n
    }
}

/// The roadmap's columns as headers read them: each year in both eras, 「今年度」 after the current one.
fn roadmap_headers() -> Vec<String> {
    let first = western(&roadmap_year("first_year").expect("first_year"));
    let last = western(&roadmap_year("last_year").expect("last_year"));
    let current = roadmap_year("current_year").map(|c| western(&c));
    (first..=last)
        .map(|y| {
            let label = squash(&era_long(&format!("R{}", y - 2018)));
            if current == Some(y) {
                format!("{label}今年度")
            } else {
                label
            }
        })
        .collect()
}

#[test]
fn every_project_has_a_page() {
    let files = content_files();
    assert_eq!(
        files.len(),
        27,
        "the 暮らし・まち分野 roadmap has 27 projects"
    );
    let pages: BTreeSet<String> = std::fs::read_dir(site().join("projects"))
        .expect("projects dir")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("index.html").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    let slugs: BTreeSet<String> = files.iter().map(|f| f.slug.clone()).collect();
    assert_eq!(pages, slugs);
}

#[test]
fn each_project_page_shows_the_facts_of_its_file() {
    for file in content_files() {
        let html = page(&format!("projects/{}/index.html", file.slug));
        let body = page_text(&html);
        let h1: Vec<String> = html.select(&select("h1")).map(text).collect();
        assert_eq!(h1, vec![file.str("name").to_string()], "{}", file.slug);
        let must_show = |what: &str, expected: &str| {
            assert!(
                body.contains(&squash(expected)),
                "{}: {what} 「{expected}」 not shown",
                file.slug
            );
        };
        must_show("field", file.str("field"));
        must_show("category", file.str("category"));
        for d in file.strings("departments") {
            must_show("department", d);
        }
        for s in file.strings("sections") {
            must_show("section", s);
        }
        must_show("budget", &format!("{}千円", grouped(file.budget())));
        must_show("account", file.account());
        must_show("start", &era_long(file.str("start")));
        let end = file.str("end");
        must_show(
            "end",
            &if end == "未定" {
                end.to_string()
            } else {
                era_long(end)
            },
        );
        let facts: String = html.select(&select("dl.facts")).map(text).collect();
        let facts = squash(&facts);
        for (key, label) in [("priority", "重点枠事業"), ("future", "将来対応分")] {
            let expected = if file.flag(key) {
                "該当する"
            } else {
                "該当しない"
            };
            assert!(
                facts.contains(&format!("{label}{expected}")),
                "{}: {label}",
                file.slug
            );
        }
        for key in ["overview", "situation", "outcome"] {
            for line in file.str(key).lines().map(|l| l.trim_start_matches("- ")) {
                if !line.trim().is_empty() {
                    must_show(key, line);
                }
            }
        }
        check_initiative_headings(&file, &html);
        check_roadmap(&file, &html);
    }
}

/// Each 取組 is headed 「取組N　title」, except a title that already carries its number
/// (「取組１　授業実践先進校創出プログラム」), which is shown as written and never numbered twice.
fn check_initiative_headings(file: &ContentFile, html: &Html) {
    let headings: Vec<String> = html
        .select(&select("section[aria-labelledby=initiatives] h3"))
        .map(|h| squash(&text(h)))
        .collect();
    let expected: Vec<String> = file
        .initiatives()
        .iter()
        .enumerate()
        .map(|(i, initiative)| {
            let title = initiative["title"].as_str().unwrap_or_default();
            let numbered = title
                .strip_prefix("取組")
                .and_then(|rest| rest.chars().next())
                .is_some_and(|c| c.is_ascii_digit() || ('０'..='９').contains(&c));
            if numbered {
                squash(title)
            } else {
                squash(&format!("取組{}　{title}", i + 1))
            }
        })
        .collect();
    assert_eq!(headings, expected, "{}", file.slug);
}

/// The roadmap table: one column per fiscal year R6…R10 with its Western year, and each covered cell
/// saying 計画 or 実績 in text.
fn check_roadmap(file: &ContentFile, html: &Html) {
    let table = html
        .select(&select("table.roadmap"))
        .next()
        .unwrap_or_else(|| panic!("{}: no roadmap table", file.slug));
    let headers: Vec<String> = table
        .select(&select("thead th.year"))
        .map(|th| squash(&text(th)))
        .collect();
    assert_eq!(headers, roadmap_headers(), "{}", file.slug);
    let rows: Vec<ElementRef<'_>> = table
        .select(&select("tbody tr"))
        .filter(|tr| tr.select(&select("th[scope=row]")).next().is_some())
        .collect();
    let expected_rows: Vec<&toml::Table> = file
        .initiatives()
        .into_iter()
        .flat_map(|i| {
            i.get("roadmap")
                .and_then(|r| r.as_array())
                .into_iter()
                .flatten()
        })
        .filter_map(|r| r.as_table())
        .collect();
    assert_eq!(
        rows.len(),
        expected_rows.len(),
        "{}: roadmap rows",
        file.slug
    );
    for (tr, row) in rows.iter().zip(expected_rows) {
        let label = row["label"].as_str().unwrap_or_default();
        let th = tr
            .select(&select("th"))
            .next()
            .map(text)
            .unwrap_or_default();
        // The row header is the label, then, for inferred years, 「（年度は推定・注N）」 in words.
        let inferred = match row["basis"].as_str() {
            Some("推定") => true,
            Some("資料どおり") => false,
            other => panic!("{}: {label}: basis {other:?}", file.slug),
        };
        let th = squash(&th);
        assert!(
            th.starts_with(&squash(label)),
            "{}: {th} is not {label}",
            file.slug
        );
        assert_eq!(
            th.contains("年度は推定"),
            inferred,
            "{}: {label}: inferred rows, and only those, say 年度は推定",
            file.slug
        );
        if inferred {
            // Its reason is in the notes below the table, with the row's label.
            let reason = row["reason"].as_str().unwrap_or_default();
            let noted = html
                .select(&select("ol.row-notes li"))
                .map(|li| squash(&text(li)))
                .any(|li| li.contains(&squash(label)) && li.contains(&squash(reason)));
            assert!(noted, "{}: the reason for {label} is not shown", file.slug);
        }
        let kind = row["kind"].as_str().unwrap_or_default();
        let years: Vec<&str> = row["years"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|y| y.as_str())
            .collect();
        let cells: Vec<String> = tr
            .select(&select("td"))
            .map(|td| squash(&text(td)))
            .collect();
        assert_eq!(cells.len(), 5, "{}: {label}", file.slug);
        for (year, cell) in ["R6", "R7", "R8", "R9", "R10"].iter().zip(&cells) {
            if years.contains(year) {
                assert!(
                    cell.starts_with(kind),
                    "{}: {label} {year} should say {kind}: {cell}",
                    file.slug
                );
                if let Some(year_label) = row
                    .get("year_labels")
                    .and_then(|l| l.get(*year))
                    .and_then(|l| l.as_str())
                {
                    assert!(
                        cell.contains(&squash(year_label)),
                        "{}: {label} {year}",
                        file.slug
                    );
                }
            } else {
                assert!(
                    cell.is_empty(),
                    "{}: {label} {year} should be empty: {cell}",
                    file.slug
                );
            }
        }
    }
}

/// Every page of the output, as paths relative to it.
/// The `href` of a page's `<link rel=canonical>`, if it has one.
fn canonical_url(html: &str) -> Option<String> {
    html.split("<link ").skip(1).find_map(|tag| {
        let tag = &tag[..tag.find('>')?];
        if !tag.contains("rel=canonical") && !tag.contains("rel=\"canonical\"") {
            return None;
        }
        let start = tag.find("href=")? + "href=".len();
        let rest = tag[start..].trim_start_matches('"');
        let end = rest.find(['"', ' ']).unwrap_or(rest.len());
        Some(rest[..end].to_string())
    })
}

fn html_pages() -> Vec<PathBuf> {
    walk(site())
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
        .collect()
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("dir").filter_map(|e| e.ok()) {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out.sort();
    out
}

#[test]
fn every_internal_link_resolves_to_a_file() {
    let pages = html_pages();
    assert!(pages.len() > 27);
    let config: toml::Table = std::fs::read_to_string(root().join("config.toml"))
        .expect("config")
        .parse()
        .expect("toml");
    // The only external links: the URLs the configuration gives (licence, source, contact).
    let external: Vec<&str> = ["license", "source", "contact"]
        .iter()
        .filter_map(|table| config.get(*table)?.get("url")?.as_str())
        .collect();
    let mut checked = 0;
    for path in pages {
        let html = Html::parse_document(&std::fs::read_to_string(&path).expect("read"));
        let dir = path.parent().expect("parent");
        let anchors = select("a[href], link[href]");
        let links = html.select(&anchors).filter_map(|a| a.value().attr("href"));
        for href in links {
            if href.starts_with("https://example.jp/") && href.contains("/dx/roadmap/") {
                continue; // canonical URL, from the base URL
            }
            if external.contains(&href) {
                continue; // a URL from the configuration
            }
            if path.ends_with("404.html") && href.starts_with("/dx/roadmap/") {
                // The 404 page is served at any depth: its links start from the base URL's path.
                let target = site().join(&href["/dx/roadmap/".len()..]);
                let target = if href.ends_with('/') {
                    target.join("index.html")
                } else {
                    target
                };
                assert!(target.is_file(), "404.html: {href}");
                checked += 1;
                continue;
            }
            assert!(
                !href.starts_with('/'),
                "{}: root-relative link {href} breaks sub-path hosting",
                path.display()
            );
            assert!(
                !href.contains("://"),
                "{}: external link {href}",
                path.display()
            );
            let target = href.split('#').next().unwrap_or_default();
            let mut resolved = dir.join(target);
            if target.is_empty() || target.ends_with('/') {
                resolved = resolved.join("index.html");
            }
            assert!(
                resolved.is_file(),
                "{}: link {href} → {} missing",
                path.display(),
                resolved.display()
            );
            checked += 1;
        }
    }
    assert!(checked > 500, "only {checked} links checked");
}

/// Numbers of a column of a table, read from its cells.
fn number(cell: &str) -> u64 {
    let digits: String = cell
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == ',')
        .filter(|c| *c != ',')
        .collect();
    digits
        .parse()
        .unwrap_or_else(|_| panic!("not a number: {cell}"))
}

#[test]
fn every_budget_table_adds_up_to_the_content_total() {
    let files = content_files();
    let total: u64 = files.iter().map(|f| f.budget()).sum();
    let general: u64 = files
        .iter()
        .filter(|f| f.account() == "一般会計")
        .map(|f| f.budget())
        .sum();
    let html = page("budget/index.html");
    let tables: Vec<ElementRef<'_>> = html.select(&select("table.totals")).collect();
    assert_eq!(
        tables.len(),
        5,
        "account, category, department, priority, future"
    );
    for table in &tables {
        let caption = table
            .select(&select("caption"))
            .next()
            .map(text)
            .unwrap_or_default();
        let mut count = 0;
        let mut sum = 0;
        for tr in table.select(&select("tbody tr")) {
            let cells: Vec<String> = tr.select(&select("td")).map(text).collect();
            count += number(&cells[0]);
            sum += number(&cells[1]);
        }
        let foot: Vec<String> = table.select(&select("tfoot td")).map(text).collect();
        assert_eq!((count, sum), (files.len() as u64, total), "{caption}: rows");
        assert_eq!(
            (number(&foot[0]), number(&foot[1])),
            (files.len() as u64, total),
            "{caption}: total row"
        );
    }
    let stats = squash(
        &html
            .select(&select("dl.stats"))
            .map(text)
            .collect::<String>(),
    );
    assert!(
        stats.contains(&format!("{}千円", grouped(total))),
        "{stats}"
    );
    assert!(
        stats.contains(&format!("一般会計{}千円", grouped(general))),
        "{stats}"
    );
    let account_rows: Vec<String> = tables[0].select(&select("tbody th")).map(text).collect();
    assert_eq!(account_rows, ["一般会計", "病院事業会計"]);
}

#[test]
fn list_pages_add_up_to_their_subtotals() {
    let files = content_files();
    let mut lists = 0;
    for path in html_pages() {
        let html = Html::parse_document(&std::fs::read_to_string(&path).expect("read"));
        for table in html.select(&select("table.projects")) {
            let Some(foot) = table.select(&select("tfoot td.num")).next() else {
                continue;
            };
            let rows: Vec<ElementRef<'_>> = table.select(&select("tbody tr")).collect();
            let mut sum = 0;
            for tr in &rows {
                let name = tr
                    .select(&select("th a"))
                    .next()
                    .map(text)
                    .unwrap_or_default();
                let file = files
                    .iter()
                    .find(|f| f.str("name") == name)
                    .unwrap_or_else(|| panic!("unknown project {name}"));
                let cell = tr
                    .select(&select("td.num"))
                    .next()
                    .map(text)
                    .unwrap_or_default();
                assert_eq!(number(&cell), file.budget(), "{}: {name}", path.display());
                sum += file.budget();
            }
            assert_eq!(number(&text(foot)), sum, "{}", path.display());
            lists += 1;
        }
    }
    assert!(lists >= 20, "{lists} project lists checked");
}

#[test]
fn home_lists_every_project_with_the_total() {
    let files = content_files();
    let html = page("index.html");
    let body = page_text(&html);
    let total: u64 = files.iter().map(|f| f.budget()).sum();
    assert!(body.contains(&format!("事業数{}件", files.len())), "count");
    assert!(body.contains(&format!("{}千円", grouped(total))), "total");
    for file in &files {
        assert!(body.contains(&squash(file.str("name"))), "{}", file.slug);
    }
}

#[test]
fn a_joint_project_appears_on_each_department_page_and_says_so() {
    let files = content_files();
    let joint: Vec<&ContentFile> = files
        .iter()
        .filter(|f| f.strings("departments").len() > 1)
        .collect();
    assert!(!joint.is_empty());
    let vocabulary: toml::Table = std::fs::read_to_string(root().join("content/vocabulary.toml"))
        .expect("vocabulary")
        .parse()
        .expect("toml");
    let slug_of = |name: &str| -> String {
        vocabulary["departments"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|d| d["name"].as_str() == Some(name))
            .and_then(|d| d["slug"].as_str())
            .unwrap_or_else(|| panic!("{name}"))
            .to_string()
    };
    for file in joint {
        for department in file.strings("departments") {
            let body = page_text(&page(&format!(
                "departments/{}/index.html",
                slug_of(department)
            )));
            assert!(body.contains(&squash(file.str("name"))), "{department}");
            assert!(body.contains("共同事業"), "{department}");
        }
    }
}

#[test]
fn field_and_category_pages_exist_for_every_declared_category() {
    let vocabulary: toml::Table = std::fs::read_to_string(root().join("content/vocabulary.toml"))
        .expect("vocabulary")
        .parse()
        .expect("toml");
    for field in vocabulary["fields"].as_array().into_iter().flatten() {
        let field_slug = field["slug"].as_str().expect("slug");
        assert!(
            site()
                .join(format!("fields/{field_slug}/index.html"))
                .is_file()
        );
        for category in field["categories"].as_array().into_iter().flatten() {
            let slug = category["slug"].as_str().expect("slug");
            let html = page(&format!("fields/{field_slug}/{slug}/index.html"));
            let h1: String = html.select(&select("h1")).map(text).collect();
            assert_eq!(h1, category["name"].as_str().expect("name"));
        }
    }
}

#[test]
fn pages_are_minified_and_keep_their_language() {
    let html = std::fs::read_to_string(site().join("index.html")).expect("read");
    assert!(
        html.starts_with("<!doctype html>") || html.starts_with("<!DOCTYPE html>"),
        "{}",
        &html[..40]
    );
    assert!(html.contains("<html lang=ja>") || html.contains("<html lang=\"ja\">"));
    assert!(
        !html.contains("\n  "),
        "indentation left in minified output"
    );
}

#[test]
fn era_conversion_on_pages() {
    assert_eq!(era_long("H31"), "平成31年度（2019年度）");
    assert_eq!(era_long("R1"), "令和元年度（2019年度）");
    assert_eq!(era_long("R6"), "令和6年度（2024年度）");
    assert_eq!(era_long("R10"), "令和10年度（2028年度）");
    let files = content_files();
    let h31 = files
        .iter()
        .find(|f| f.str("start") == "H31")
        .expect("a project starting in H31");
    let body = page_text(&page(&format!("projects/{}/index.html", h31.slug)));
    assert!(
        body.contains("事業始期平成31年度（2019年度）"),
        "H31 is shown as written, 平成31年度（2019年度）"
    );
    let undecided = files
        .iter()
        .find(|f| f.str("end") == "未定")
        .expect("an open-ended project");
    let body = page_text(&page(&format!("projects/{}/index.html", undecided.slug)));
    assert!(body.contains("事業終期未定"));
}

#[test]
fn open_data_csv_reads_back_and_adds_up() {
    let files = content_files();
    let bytes = std::fs::read(site().join("data/projects.csv")).expect("projects.csv");
    assert!(bytes.starts_with("\u{FEFF}".as_bytes()), "UTF-8 BOM");
    let text = String::from_utf8(bytes[3..].to_vec()).expect("utf8");
    assert!(
        text.ends_with("\r\n") && !text.replace("\r\n", "").contains('\n'),
        "CRLF only, no line break inside a field"
    );
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().expect("headers").clone();
    assert!(
        headers
            .iter()
            .all(|h| h.chars().all(|c| c.is_ascii_lowercase() || c == '_')),
        "{headers:?}"
    );
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("{name}"))
    };
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("record")).collect();
    assert_eq!(rows.len(), files.len());
    let total: u64 = rows
        .iter()
        .map(|r| {
            r[column("budget_thousand_yen")]
                .parse::<u64>()
                .expect("integer")
        })
        .sum();
    assert_eq!(total, files.iter().map(|f| f.budget()).sum::<u64>());
    for row in &rows {
        let file = files
            .iter()
            .find(|f| f.slug == row[column("id")])
            .expect("id is a content slug");
        assert_eq!(&row[column("name")], file.str("name"));
        assert_eq!(
            &row[column("priority")],
            if file.flag("priority") { "1" } else { "0" }
        );
        let end = file.str("end");
        assert_eq!(
            &row[column("end_undecided")],
            if end == "未定" { "1" } else { "0" }
        );
        assert_eq!(row[column("end_fiscal_year")].is_empty(), end == "未定");
        assert_eq!(
            era_long(file.str("start")),
            format!(
                "{}（{}年度）",
                &row[column("start_wareki")],
                &row[column("start_fiscal_year")]
            )
        );
    }
}

#[test]
fn open_data_roadmap_is_long_format() {
    let files = content_files();
    let expected: usize = files
        .iter()
        .flat_map(|f| f.initiatives())
        .flat_map(|i| {
            i.get("roadmap")
                .and_then(|r| r.as_array())
                .into_iter()
                .flatten()
        })
        .map(|row| row["years"].as_array().map_or(0, |y| y.len()))
        .sum();
    let bytes = std::fs::read(site().join("data/roadmap.csv")).expect("roadmap.csv");
    let mut reader = csv::Reader::from_reader(&bytes[3..]);
    let headers = reader.headers().expect("headers").clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("{name}"))
    };
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("record")).collect();
    assert_eq!(rows.len(), expected);
    for row in &rows {
        let year: u16 = row[column("fiscal_year")].parse().expect("fiscal year");
        assert!((2024..=2028).contains(&year));
        let kind = &row[column("kind")];
        assert!(kind == "計画" || kind == "実績", "{kind}");
    }
}

#[test]
fn open_data_json_has_every_project_and_each_page_links_its_own() {
    let files = content_files();
    let all: serde_json::Value =
        serde_json::from_slice(&std::fs::read(site().join("data/projects.json")).expect("json"))
            .expect("parse");
    let projects = all["projects"].as_array().expect("projects");
    assert_eq!(projects.len(), files.len());
    assert_eq!(
        all["total_budget_thousand_yen"].as_u64(),
        Some(files.iter().map(|f| f.budget()).sum())
    );
    for file in &files {
        let own: serde_json::Value = serde_json::from_slice(
            &std::fs::read(site().join(format!("data/projects/{}.json", file.slug)))
                .expect("own json"),
        )
        .expect("parse");
        assert_eq!(own["name"], file.str("name"));
        assert_eq!(own["budget_thousand_yen"].as_u64(), Some(file.budget()));
        let html = page(&format!("projects/{}/index.html", file.slug));
        let href = format!("../../data/projects/{}.json", file.slug);
        assert!(
            html.select(&select("a[href]"))
                .any(|a| a.value().attr("href") == Some(href.as_str())),
            "{}",
            file.slug
        );
    }
    let schema: serde_json::Value = serde_json::from_slice(
        &std::fs::read(site().join("data/projects.schema.json")).expect("schema"),
    )
    .expect("parse");
    let required = schema["$defs"]["project"]["required"]
        .as_array()
        .expect("required");
    for key in required {
        let key = key.as_str().expect("key");
        assert!(
            projects.iter().all(|p| p.get(key).is_some()),
            "{key} missing in a project"
        );
    }
}

#[test]
fn sitemap_feed_and_robots_describe_the_site() {
    let files = content_files();
    let sitemap = std::fs::read_to_string(site().join("sitemap.xml")).expect("sitemap");
    let doc = roxmltree::Document::parse(&sitemap).expect("well-formed sitemap");
    let locs: BTreeSet<String> = doc
        .descendants()
        .filter(|n| n.has_tag_name("loc"))
        .filter_map(|n| n.text().map(str::to_string))
        .collect();
    // Each page is listed once, at its canonical URL (a page of the latest edition at the root is
    // a copy whose canonical URL is in the edition's folder); 404 pages have none.
    let base = "https://example.jp/dx/roadmap/";
    let canonical: BTreeSet<String> = html_pages()
        .iter()
        .filter_map(|p| canonical_url(&std::fs::read_to_string(p).expect("page")))
        .collect();
    assert_eq!(locs, canonical, "the sitemap lists every canonical URL");
    for loc in &locs {
        let path = loc.strip_prefix(base).expect("under the base URL");
        let file = if path.is_empty() || path.ends_with('/') {
            site().join(path).join("index.html")
        } else {
            site().join(path)
        };
        assert!(file.is_file(), "{loc} is a file of the build");
    }
    assert!(
        locs.iter().all(|l| !l.contains("404")),
        "no 404 page in the sitemap"
    );
    let feed = std::fs::read_to_string(site().join("feed.xml")).expect("feed");
    let doc = roxmltree::Document::parse(&feed).expect("well-formed feed");
    let entries = doc
        .descendants()
        .filter(|n| n.has_tag_name("entry"))
        .count();
    assert_eq!(entries, files.len());
    let robots = std::fs::read_to_string(site().join("robots.txt")).expect("robots");
    assert!(robots.contains("Sitemap: https://example.jp/dx/roadmap/sitemap.xml"));
    let not_found = std::fs::read_to_string(site().join("404.html")).expect("404");
    assert!(
        not_found.contains("href=/dx/roadmap/fields/")
            || not_found.contains("href=\"/dx/roadmap/fields/\""),
        "404 links start from the base URL's path"
    );
    let home = page("index.html");
    let og: Vec<&str> = home
        .select(&select("meta[property^='og:']"))
        .filter_map(|m| m.value().attr("property"))
        .collect();
    assert!(og.contains(&"og:title") && og.contains(&"og:url"), "{og:?}");
}

#[test]
fn the_timeline_shows_every_project_over_its_years() {
    let files = content_files();
    let html = page("timeline/index.html");
    let table = html
        .select(&select("table.timeline"))
        .next()
        .expect("timeline table");
    let years: Vec<String> = table
        .select(&select("thead th.year:not(.earlier)"))
        .map(|th| squash(&text(th)))
        .collect();
    // The roadmap's own years, with one 「以前」 column first when a project began before them.
    let first = western(&roadmap_year("first_year").expect("first_year"));
    let earlier = files.iter().any(|f| western(f.str("start")) < first);
    let earlier_header = table
        .select(&select("thead th.earlier"))
        .next()
        .map(|th| squash(&text(th)));
    if earlier {
        let last = era_long(&format!("R{}", first - 1 - 2018));
        let expected = last
            .replacen("年度", "年度以前", 1)
            .replacen("年度）", "年度以前）", 1);
        assert_eq!(earlier_header, Some(squash(&expected)));
    } else {
        assert_eq!(earlier_header, None);
    }
    assert_eq!(years, roadmap_headers());
    let mut seen = 0;
    for tr in table.select(&select("tbody tr")) {
        let Some(name) = tr.select(&select("th[scope=row] a")).next().map(text) else {
            continue;
        };
        let file = files
            .iter()
            .find(|f| f.str("name") == name)
            .unwrap_or_else(|| panic!("{name}"));
        let start = western(file.str("start"));
        let end = if file.str("end") == "未定" {
            western(&roadmap_year("last_year").expect("last_year"))
        } else {
            western(file.str("end"))
        };
        let mut cells: Vec<String> = tr
            .select(&select("td"))
            .map(|td| squash(&text(td)))
            .collect();
        if earlier {
            let before = cells.remove(0);
            assert_eq!(before.starts_with("実施"), start < first, "{name} 以前");
        }
        assert_eq!(cells.len(), years.len());
        for (i, cell) in cells.iter().enumerate() {
            let year = first + i as u16;
            assert_eq!(
                cell.starts_with("実施"),
                (start..=end).contains(&year),
                "{name} {year}"
            );
        }
        if file.str("end") == "未定" {
            assert_eq!(cells.last().map(String::as_str), Some("実施（終期未定）"));
        }
        seen += 1;
    }
    assert_eq!(seen, files.len());
}

/// Each project page ends with where to ask: every department and section of its file, by name, and
/// only the phone numbers, addresses and pages the vocabulary declares (it declares none today).
#[test]
fn each_project_page_ends_with_whom_to_ask() {
    let vocabulary =
        std::fs::read_to_string(root().join("content/vocabulary.toml")).expect("vocabulary");
    let declares_contacts = vocabulary.contains("contact");
    for file in content_files() {
        let html = page(&format!("projects/{}/index.html", file.slug));
        let sections: Vec<ElementRef<'_>> = html.select(&select("article > section")).collect();
        let last = sections.last().expect("sections");
        let heading = last.select(&select("h2")).next().map(text);
        assert_eq!(
            heading.as_deref(),
            Some("この事業に関するお問い合わせ"),
            "{}",
            file.slug
        );
        let names: Vec<String> = last
            .select(&select(".contact-name"))
            .map(|e| squash(&text(e)))
            .collect();
        let mut expected: Vec<&str> = file.strings("departments");
        expected.extend(file.strings("sections"));
        let mut sorted_names: Vec<&str> = names.iter().map(String::as_str).collect();
        sorted_names.sort_unstable();
        expected.sort_unstable();
        assert_eq!(sorted_names, expected, "{}", file.slug);
        let ways = last
            .select(&select("a[href^='tel:'], a[href^='mailto:']"))
            .count();
        if !declares_contacts {
            assert_eq!(ways, 0, "{}: no contact is declared", file.slug);
            assert!(
                text(*last).contains("書かれていない"),
                "{}: says why there is no phone number",
                file.slug
            );
        }
    }
}

/// What the vocabulary declares for a department or section is on the page of each of its projects,
/// as a link a phone or mail program opens; a project of another department shows none of it. The
/// source document, once the config names its URL, is linked from every project page.
#[test]
fn declared_contacts_reach_the_pages_of_their_projects() {
    let copy = common::copy_site();
    let path = copy.path().join("content/vocabulary.toml");
    let vocabulary = std::fs::read_to_string(&path).expect("vocabulary");
    let declared = vocabulary
        .replace(
            "name = \"教育庁\"\n",
            "name = \"教育庁\"\ncontact = { url = \"https://www.example.lg.jp/kyoiku/\" }\n",
        )
        .replace(
            "{ slug = \"gakko-kyoiku\", name = \"学校教育課\" }",
            "{ slug = \"gakko-kyoiku\", name = \"学校教育課\", contact = { phone = \"017-734-0000\", email = \"gakko@example.lg.jp\" } }",
        );
    assert_ne!(
        declared, vocabulary,
        "the vocabulary still has 教育庁 and 学校教育課"
    );
    std::fs::write(&path, declared).expect("write");
    let config_path = copy.path().join("config.toml");
    let config = std::fs::read_to_string(&config_path).expect("config");
    let with_source = config.replace(
        "# url = \"https://…\"",
        "url = \"https://www.example.lg.jp/roadmap.pdf\"",
    );
    assert_ne!(
        with_source, config,
        "config.toml still has the [source] url placeholder"
    );
    std::fs::write(&config_path, with_source).expect("write");
    let output = copy.path().join("site");
    pipeline::build(&BuildOptions {
        root: copy.path().to_path_buf(),
        output: output.clone(),
        base_url: None,
        preview: false,
    })
    .unwrap_or_else(|e| panic!("build failed: {e}"));
    let mut pages_with_phone = 0;
    for file in content_files() {
        let html =
            std::fs::read_to_string(output.join(format!("projects/{}/index.html", file.slug)))
                .expect("page");
        let html = Html::parse_document(&html);
        let links: Vec<String> = html
            .select(&select("section.contact a"))
            .filter_map(|a| a.value().attr("href").map(str::to_string))
            .collect();
        assert!(
            links.contains(&"https://www.example.lg.jp/roadmap.pdf".to_string()),
            "{}: the source document is linked",
            file.slug
        );
        let in_charge = file.strings("sections").contains(&"学校教育課");
        pages_with_phone += usize::from(in_charge);
        assert_eq!(
            links.contains(&"tel:0177340000".to_string()),
            in_charge,
            "{}",
            file.slug
        );
        assert_eq!(
            links.contains(&"mailto:gakko@example.lg.jp".to_string()),
            in_charge,
            "{}",
            file.slug
        );
        assert_eq!(
            links.contains(&"https://www.example.lg.jp/kyoiku/".to_string()),
            file.strings("departments").contains(&"教育庁"),
            "{}",
            file.slug
        );
    }
    assert!(pages_with_phone > 0, "some project is 学校教育課's");
}
