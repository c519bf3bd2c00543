//! Editions (issue 15): a site with `content/r6/` and `content/r7/` publishes both whole under
//! `/r6/` and `/r7/` and the latest again at the root. Built from the sample editions in
//! `tests/fixtures/editions/` (sample data, never the published content), and checked against
//! those files read here with plain `toml`, independently of the generator's own loader.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use roadmap::pipeline::{self, BuildOptions, Failure};
use scraper::{Html, Selector};

mod common;

use common::{grouped, repo, snapshot};

const BASE_URL: &str = "https://example.jp/dx/roadmap/";

fn fixture(code: &str) -> PathBuf {
    repo().join("tests/fixtures/editions").join(code)
}

fn site_with(codes: &[&str], flat: bool) -> tempfile::TempDir {
    common::editions_site(codes, flat)
}

fn build(root: &Path) -> PathBuf {
    let output = root.join("site");
    pipeline::build(&BuildOptions {
        root: root.to_path_buf(),
        output: output.clone(),
        base_url: Some(BASE_URL.to_string()),
        preview: false,
    })
    .unwrap_or_else(|e| panic!("build failed: {e}"));
    output
}

/// The three builds the tests compare: R6 alone without edition folders, R6 alone in its folder,
/// and R6 with R7.
struct Builds {
    _dirs: Vec<tempfile::TempDir>,
    flat: PathBuf,
    r6_only: PathBuf,
    both: PathBuf,
}

fn builds() -> &'static Builds {
    static BUILDS: OnceLock<Builds> = OnceLock::new();
    BUILDS.get_or_init(|| {
        let flat = site_with(&["r6"], true);
        let r6_only = site_with(&["r6"], false);
        let both = site_with(&["r6", "r7"], false);
        Builds {
            flat: build(flat.path()),
            r6_only: build(r6_only.path()),
            both: build(both.path()),
            _dirs: vec![flat, r6_only, both],
        }
    })
}

/// The budget (thousand yen) and name of each sample project of an edition, by slug.
fn budgets(code: &str) -> BTreeMap<String, (u64, String)> {
    common::front_matters(&fixture(code))
        .into_iter()
        .map(|(slug, front)| {
            let budget = front["budget"].as_integer().expect("budget") as u64;
            let name = front["name"].as_str().expect("name").to_string();
            (slug, (budget, name))
        })
        .collect()
}

/// The `renamed_from` of each sample file of edition `code` that has one: new file name → old.
fn renamed(code: &str) -> BTreeMap<String, String> {
    common::front_matters(&fixture(code))
        .into_iter()
        .filter_map(|(slug, front)| {
            let old = front.get("renamed_from")?.as_str()?.to_string();
            Some((slug, old))
        })
        .collect()
}

/// The text of each part of a page's main content (the parts of an article for a project page).
fn main_parts(html: &Html) -> Vec<String> {
    html.select(&select("main > article > *, main > :not(article)"))
        .map(|e| e.text().collect::<String>())
        .collect()
}

fn total(code: &str) -> u64 {
    budgets(code).values().map(|(b, _)| b).sum()
}

fn page(site: &Path, relative: &str) -> Html {
    let path = site.join(relative);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Html::parse_document(&text)
}

fn select(selector: &str) -> Selector {
    Selector::parse(selector).expect("selector")
}

/// The visible text of a page's main content, without whitespace.
fn main_text(html: &Html) -> String {
    html.select(&select("main"))
        .flat_map(|m| m.text())
        .collect::<String>()
        .split_whitespace()
        .collect()
}

fn canonical(html: &Html) -> Option<String> {
    html.select(&select("link[rel=canonical]"))
        .next()
        .and_then(|l| l.value().attr("href").map(str::to_string))
}

/// (a) Adding an edition never breaks a URL: every file a one-edition build published — with or
/// without an edition folder — is still there once R7 is added, and R6's own pages keep their
/// facts (each page but the project pages byte for byte; the project pages their budgets).
#[test]
fn every_url_of_a_one_edition_build_still_resolves() {
    let b = builds();
    let after = snapshot(&b.both);
    for before in [&b.flat, &b.r6_only] {
        let missing: Vec<PathBuf> = snapshot(before)
            .into_keys()
            .filter(|path| !after.contains_key(path))
            .collect();
        assert!(missing.is_empty(), "gone after R7 was added: {missing:?}");
    }
    let r6_alone = snapshot(&b.r6_only);
    let mut compared = 0;
    for (path, bytes) in &r6_alone {
        if !path.starts_with("r6") || path.starts_with("r6/projects") {
            continue;
        }
        let Some(now) = after.get(path) else {
            panic!("{} is gone", path.display());
        };
        if path.extension().is_some_and(|e| e == "html") {
            // The pages now link the same page in R7: every part of their content stays.
            let parts = |b: &[u8]| main_parts(&Html::parse_document(&String::from_utf8_lossy(b)));
            let now = parts(now);
            for part in parts(bytes) {
                assert!(now.contains(&part), "{}: {part}", path.display());
            }
        } else if !path.starts_with("r6/assets") {
            // Open data and the search index, byte for byte.
            assert_eq!(now, bytes, "{} changed when R7 was added", path.display());
        }
        compared += 1;
    }
    assert!(compared > 20, "{compared} pages of /r6/ compared");
    for (slug, (budget, name)) in budgets("r6") {
        let html = page(&b.both, &format!("r6/projects/{slug}/index.html"));
        let text = main_text(&html);
        assert!(text.contains(&name), "{slug}");
        assert!(
            text.contains(&format!("令和6年度事業費{}千円", grouped(budget))),
            "{slug}: its R6 budget"
        );
    }
    let home = main_text(&page(&b.both, "r6/index.html"));
    assert!(home.contains(&grouped(total("r6"))), "R6 total on /r6/");
}

/// (b) The root shows the latest edition with its own total; /r6/ keeps R6's.
#[test]
fn the_root_shows_the_latest_edition_with_its_own_total() {
    let b = builds();
    let (r6, r7) = (total("r6"), total("r7"));
    assert_ne!(r6, r7, "the sample editions differ in total");
    for (relative, edition, sum, other) in [
        ("index.html", "令和7年度", r7, r6),
        ("r7/index.html", "令和7年度", r7, r6),
        ("r6/index.html", "令和6年度", r6, r7),
    ] {
        let html = page(&b.both, relative);
        let total_line: String = html
            .select(&select("dl"))
            .next()
            .map(|dl| dl.text().collect::<String>())
            .unwrap_or_default()
            .split_whitespace()
            .collect();
        assert!(
            total_line.contains(&format!("{edition}の事業費の合計{}千円", grouped(sum))),
            "{relative}: {total_line}"
        );
        assert!(!total_line.contains(&grouped(other)), "{relative}");
    }
    // The open data of the root is the latest edition's.
    let csv = std::fs::read(b.both.join("data/projects.csv")).expect("csv");
    let mut reader = csv::Reader::from_reader(&csv[3..]);
    let column = reader
        .headers()
        .expect("headers")
        .iter()
        .position(|h| h == "budget_thousand_yen")
        .expect("budget column");
    let sum: u64 = reader
        .records()
        .map(|r| r.expect("record")[column].parse::<u64>().expect("integer"))
        .sum();
    assert_eq!(sum, r7);
}

/// (c) A page at the root names its permanent URL in the latest edition's folder as canonical;
/// each edition's page its own; the sitemap lists only those.
#[test]
fn canonical_urls_are_the_permanent_edition_urls() {
    let b = builds();
    assert_eq!(
        canonical(&page(&b.both, "index.html")).as_deref(),
        Some(format!("{BASE_URL}r7/").as_str())
    );
    let slug = "hekichi-chiiki-iryo-shien";
    for (relative, edition) in [
        (format!("projects/{slug}/index.html"), "r7"),
        (format!("r7/projects/{slug}/index.html"), "r7"),
        (format!("r6/projects/{slug}/index.html"), "r6"),
    ] {
        assert_eq!(
            canonical(&page(&b.both, &relative)),
            Some(format!("{BASE_URL}{edition}/projects/{slug}/")),
            "{relative}"
        );
    }
    let sitemap = std::fs::read_to_string(b.both.join("sitemap.xml")).expect("sitemap");
    let doc = roxmltree::Document::parse(&sitemap).expect("well-formed");
    let locs: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("loc"))
        .filter_map(|n| n.text())
        .collect();
    assert!(
        locs.iter().all(|l| l.starts_with(&format!("{BASE_URL}r6/"))
            || l.starts_with(&format!("{BASE_URL}r7/")))
    );
    for (code, slugs) in [("r6", budgets("r6")), ("r7", budgets("r7"))] {
        for slug in slugs.keys() {
            let url = format!("{BASE_URL}{code}/projects/{slug}/");
            assert!(locs.contains(&url.as_str()), "{url} in the sitemap");
        }
    }
}

/// (d) A project R7 no longer lists keeps its root URL: a page, not indexed, that says so and
/// links the project's page in R6; its open-data file stays too.
#[test]
fn a_dropped_project_says_it_is_absent_and_links_its_edition() {
    let b = builds();
    let (r6, r7) = (budgets("r6"), budgets("r7"));
    let moved = renamed("r7");
    let dropped: Vec<&String> = r6
        .keys()
        .filter(|s| !r7.contains_key(*s) && !moved.values().any(|old| old == *s))
        .collect();
    assert_eq!(dropped.len(), 2, "the sample drops two projects");
    // A renamed project's old root URL says where it is now.
    for (new, old) in &moved {
        let text = main_text(&page(&b.both, &format!("projects/{old}/index.html")));
        assert!(text.contains("ファイル名（URL）が変わり"), "{old}: {text}");
        assert!(text.contains(&r7[new].1), "{old}: the new name");
    }
    for slug in dropped {
        let html = page(&b.both, &format!("projects/{slug}/index.html"));
        let text = main_text(&html);
        assert!(
            text.contains("この事業は最新の令和7年度版には載っていません"),
            "{slug}: {text}"
        );
        assert!(text.contains(&r6[slug].1), "{slug}: its name");
        let links: Vec<&str> = html
            .select(&select("main a[href]"))
            .filter_map(|a| a.value().attr("href"))
            .collect();
        assert!(
            links.contains(&format!("../../r6/projects/{slug}/").as_str()),
            "{slug}: {links:?}"
        );
        let robots = html
            .select(&select("meta[name=robots]"))
            .filter_map(|m| m.value().attr("content"))
            .collect::<String>();
        assert!(robots.contains("noindex"), "{slug}");
        assert!(canonical(&html).is_none(), "{slug}");
        let json: serde_json::Value = serde_json::from_slice(
            &std::fs::read(b.both.join(format!("data/projects/{slug}.json"))).expect("json"),
        )
        .expect("parse");
        assert_eq!(json["budget_thousand_yen"].as_u64(), Some(r6[slug].0));
        assert_eq!(json["budget_fiscal_year"].as_u64(), Some(2024));
        // The R6 page says R7 does not list it.
        let text = main_text(&page(&b.both, &format!("r6/projects/{slug}/index.html")));
        assert!(
            text.contains(
                "これは令和6年度版のページです。この事業は最新の令和7年度版には載っていません。"
            ),
            "{slug}: {text}"
        );
    }
}

/// (e) A project page lists the project's budget in every edition and links the others.
#[test]
fn a_project_page_lists_every_editions_budget() {
    let b = builds();
    let (r6, r7) = (budgets("r6"), budgets("r7"));
    let moved = renamed("r7");
    let mut changed = 0;
    for (slug, (budget7, _)) in &r7 {
        let slug6 = moved.get(slug).unwrap_or(slug);
        let budget6 = r6.get(slug6).map(|(b, _)| *b);
        changed += usize::from(budget6.is_some_and(|b| b != *budget7));
        for (relative, up) in [
            (format!("projects/{slug}/index.html"), "../../"),
            (format!("r7/projects/{slug}/index.html"), "../../../"),
        ] {
            let html = page(&b.both, &relative);
            let rows: Vec<Vec<String>> = html
                .select(&select("table.editions-table tbody tr"))
                .map(|tr| {
                    tr.select(&select("th, td"))
                        .map(|c| c.text().collect::<String>().trim().to_string())
                        .collect()
                })
                .collect();
            let expected_r6 = budget6.map_or("載っていません".to_string(), grouped);
            assert_eq!(rows.len(), 2, "{relative}");
            assert_eq!(
                rows[0][..2],
                ["令和6年度版".to_string(), expected_r6],
                "{relative}"
            );
            assert_eq!(
                rows[1][..2],
                ["令和7年度版".to_string(), grouped(*budget7)],
                "{relative}"
            );
            let to_r6 = format!("{up}r6/projects/{slug6}/");
            let linked = html
                .select(&select("table.editions-table a[href]"))
                .any(|a| a.value().attr("href") == Some(to_r6.as_str()));
            assert_eq!(linked, budget6.is_some(), "{relative}");
        }
    }
    assert_eq!(changed, 3, "the sample changes three budgets");
    let text = main_text(&page(
        &b.both,
        "r6/projects/hekichi-chiiki-iryo-shien/index.html",
    ));
    assert!(text.contains(
        "これは令和6年度版のページです。最新の令和7年度版のこの事業のページもご覧ください。"
    ));
    // One edition alone shows no such table or note.
    let alone = page(
        &b.r6_only,
        "r6/projects/hekichi-chiiki-iryo-shien/index.html",
    );
    assert!(
        alone
            .select(&select("table.editions-table"))
            .next()
            .is_none()
    );
}

/// (f) With edition folders, a project file directly in `content/` (or in a folder that is not an
/// edition's) is an error naming the file and where project files go.
#[test]
fn a_project_outside_the_edition_folders_is_an_error() {
    let dir = site_with(&["r6", "r7"], false);
    let content = dir.path().join("content");
    std::fs::copy(
        fixture("r6").join("korei-mimamori-ict.md"),
        content.join("stray.md"),
    )
    .expect("copy");
    std::fs::create_dir_all(content.join("old")).expect("mkdir");
    std::fs::copy(
        fixture("r6").join("korei-mimamori-ict.md"),
        content.join("old/other.md"),
    )
    .expect("copy");
    let Err(Failure::Content(errors)) = pipeline::check(dir.path()) else {
        panic!("a project outside the editions must be an error");
    };
    let paths: Vec<PathBuf> = errors.iter().map(|e| e.path.clone()).collect();
    assert_eq!(
        paths,
        [
            PathBuf::from("content/old/other.md"),
            PathBuf::from("content/stray.md")
        ],
        "{errors:?}"
    );
    for error in &errors {
        let text = error.to_string();
        assert!(
            text.contains("事業ファイルは年度のフォルダ（content/r7/ など）に置きます"),
            "{text}"
        );
    }
}

/// Each edition's diagnostics name its own files (`content/r7/x.md`).
#[test]
fn an_editions_errors_name_its_folder() {
    let dir = site_with(&["r6", "r7"], false);
    let path = dir.path().join("content/r7/korei-mimamori-ict.md");
    let text = std::fs::read_to_string(&path).expect("read");
    std::fs::write(&path, text.replace("budget = ", "budget = \"x\" # ")).expect("write");
    let Err(Failure::Content(errors)) = pipeline::check(dir.path()) else {
        panic!("a bad budget must be an error");
    };
    assert!(
        errors
            .iter()
            .all(|e| e.path == Path::new("content/r7/korei-mimamori-ict.md")),
        "{errors:?}"
    );
}

fn roadmap(root: &Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_roadmap"))
        .args(args)
        .arg("--root")
        .arg(root)
        .output()
        .expect("run roadmap")
}

/// `roadmap new --from r6/<slug>` copies the project into the next edition's folder, made for it,
/// under the same name with its 事業名 (the same 事業), and says where in Japanese; `--from <slug>`
/// alone asks which edition, listing those that have it.
#[test]
fn new_from_an_edition_writes_the_next_edition() {
    let dir = site_with(&["r6"], false);
    let slug = "korei-mimamori-ict";
    let made = roadmap(dir.path(), &["new", "--from", &format!("r6/{slug}")]);
    let said = String::from_utf8_lossy(&made.stdout).into_owned();
    assert!(
        made.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&made.stderr)
    );
    assert!(
        said.contains(&format!("content/r7/{slug}.md を作りました")),
        "{said}"
    );
    let copy = std::fs::read_to_string(dir.path().join(format!("content/r7/{slug}.md")))
        .expect("the copy");
    let original =
        std::fs::read_to_string(fixture("r6").join(format!("{slug}.md"))).expect("original");
    assert!(
        copy.contains("令和7年度版の事業ファイルとして作りました"),
        "{copy}"
    );
    assert!(
        copy.ends_with(&original["+++\n".len()..]),
        "the rest as it was"
    );
    // The same again is refused; the file is kept.
    let again = roadmap(dir.path(), &["new", "--from", &format!("r6/{slug}")]);
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("すでにあります"));
    // Without the edition: which one?
    let asked = roadmap(dir.path(), &["new", "--from", slug, "x-r8"]);
    let stderr = String::from_utf8_lossy(&asked.stderr).into_owned();
    assert_eq!(asked.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!("--from r7/{slug}"))
            && stderr.contains("r6（令和6年度版）、r7（令和7年度版）"),
        "{stderr}"
    );
    assert!(!dir.path().join("content/r7/x-r8.md").exists());
    assert!(!dir.path().join("content/x-r8.md").exists());
}

/// The yearly routine as the issue tries it: the real sheets copied whole from `r6` to `r7` build,
/// and each edition's total is the sum of its own files.
#[test]
fn the_real_sheets_copied_to_the_next_edition_build() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::copy(repo().join("config.toml"), dir.path().join("config.toml")).expect("config");
    common::copy_dir(&repo().join("themes"), &dir.path().join("themes"));
    let content = dir.path().join("content");
    std::fs::create_dir_all(&content).expect("mkdir");
    std::fs::copy(
        repo().join("content/vocabulary.toml"),
        content.join("vocabulary.toml"),
    )
    .expect("vocabulary");
    let mut sum = 0u64;
    for entry in std::fs::read_dir(common::sheets())
        .expect("content")
        .flatten()
    {
        let path = entry.path();
        let name = entry.file_name();
        if path.extension().is_some_and(|e| e == "md") {
            let front = common::front_matter(&path);
            sum += front["budget"].as_integer().expect("budget") as u64;
            for code in ["r6", "r7"] {
                std::fs::create_dir_all(content.join(code)).expect("mkdir");
                std::fs::copy(&path, content.join(code).join(&name)).expect("copy");
            }
        } else if path.is_file() {
            std::fs::copy(&path, content.join(&name)).expect("copy");
        }
    }
    // A copied sheet whose project ended before R7 is said once, at its end key, in R7 only.
    let ended: usize = std::fs::read_dir(content.join("r7"))
        .expect("r7")
        .flatten()
        .filter(|e| {
            let front = common::front_matter(&e.path());
            let end = front["end"].as_str().expect("end");
            end.strip_prefix('R')
                .and_then(|n| n.parse::<u32>().ok())
                .is_some_and(|n| n < 7)
        })
        .count();
    let report = pipeline::check(dir.path()).unwrap_or_else(|e| panic!("check: {e}"));
    let said: Vec<_> = report
        .notices
        .iter()
        .filter(|n| n.message.contains("この年度版の年度"))
        .collect();
    assert!(ended > 0, "some real sheets end in R6");
    assert_eq!(said.len(), ended, "{said:?}");
    assert!(
        said.iter()
            .all(|n| n.path.starts_with("content/r7") && n.key.as_deref() == Some("end"))
    );
    // R7 has no date of its own: its pages would show config.toml's `updated` (R6's), and the
    // editor is told so, once, at the key to write; R6's own date is not questioned.
    let borrowed = |report: &pipeline::CheckReport| -> Vec<(String, Option<String>)> {
        report
            .notices
            .iter()
            .filter(|n| n.message.contains("公開日がありません"))
            .map(|n| (n.path.display().to_string(), n.key.clone()))
            .collect()
    };
    assert_eq!(
        borrowed(&report),
        vec![(
            "config.toml".to_string(),
            Some("editions.r7.published".to_string())
        )]
    );

    let output = build(dir.path());
    for (prefix, code) in [("", "r7"), ("r6/", "r6"), ("r7/", "r7")] {
        let home = std::fs::read_to_string(output.join(prefix).join("index.html"))
            .unwrap_or_else(|e| panic!("{code}: {e}"));
        assert!(
            home.contains(&grouped(sum)),
            "{prefix}index.html shows the total {}",
            grouped(sum)
        );
    }
    // config.toml names the R6 document only: R7's pages never borrow its names with the year
    // changed (the prefecture has not said what its R7 document is called).
    let config: toml::Table = std::fs::read_to_string(dir.path().join("config.toml"))
        .expect("config")
        .parse()
        .expect("toml");
    let r6_title = config["title"].as_str().expect("title");
    let r6_source = config["source"]["title"].as_str().expect("source title");
    let r6_home = std::fs::read_to_string(output.join("r6/index.html")).expect("r6");
    assert!(r6_home.contains(r6_title) && r6_home.contains(r6_source));
    let r7_home = std::fs::read_to_string(output.join("r7/index.html")).expect("r7");
    for name in [r6_title, r6_source] {
        for year in ["令和6年度", "令和６年度"] {
            if name.contains(year) {
                for guess in [
                    name.replace(year, "令和7年度"),
                    name.replace(year, "令和７年度"),
                ] {
                    assert!(!r7_home.contains(&guess), "R7 guessed the name {guess}");
                }
            }
        }
        assert!(!r7_home.contains(name), "R7 shows R6's name {name}");
    }
    assert!(r7_home.contains("事業ロードマップ（令和7年度版）"));
    assert!(r7_home.contains("令和7年度版の元資料（資料名は設定されていません）"));

    // Named in config.toml, an edition shows its names.
    let with_names = std::fs::read_to_string(dir.path().join("config.toml")).expect("config")
        + "\n[editions.r7]\ntitle = \"見本のサイト名（令和7年度）\"\nsource_title = \"見本の元資料名\"\n";
    std::fs::write(dir.path().join("config.toml"), with_names).expect("write");
    let output = build(dir.path());
    let r7_home = std::fs::read_to_string(output.join("r7/index.html")).expect("r7");
    assert!(r7_home.contains("見本のサイト名（令和7年度）") && r7_home.contains("見本の元資料名"));

    // Given its own date, R7 shows it and nothing is said.
    let with_date = std::fs::read_to_string(dir.path().join("config.toml")).expect("config")
        + "published = \"2025-06-02\"\n";
    std::fs::write(dir.path().join("config.toml"), with_date).expect("write");
    let report = pipeline::check(dir.path()).unwrap_or_else(|e| panic!("check: {e}"));
    assert_eq!(borrowed(&report), vec![]);
    let output = build(dir.path());
    for path in ["r7/index.html", "index.html", "r6/index.html"] {
        let shown = page(&output, path)
            .select(&select(".page-updated time"))
            .next()
            .and_then(|t| t.value().attr("datetime").map(str::to_string));
        let expected = if path.starts_with("r6") {
            config["updated"].as_str().expect("updated")
        } else {
            "2025-06-02"
        };
        assert_eq!(shown.as_deref(), Some(expected), "{path}");
    }
}

/// The yearly routine on the 27 real sheets: copy content/r6 to content/r7, change three
/// budgets, delete two files, add one. Both editions are published, the root shows R7's total,
/// R6's pages are as a one-edition build made them, the changes page lists exactly those six
/// changes, and the changed projects' pages show both budgets. Which files change is chosen from
/// the content (sorted file names), never typed in.
#[test]
fn the_yearly_routine_on_the_real_sheets() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::copy(repo().join("config.toml"), dir.path().join("config.toml")).expect("config");
    common::copy_dir(&repo().join("themes"), &dir.path().join("themes"));
    let content = dir.path().join("content");
    std::fs::create_dir_all(&content).expect("mkdir");
    std::fs::copy(
        repo().join("content/vocabulary.toml"),
        content.join("vocabulary.toml"),
    )
    .expect("vocabulary");
    common::copy_dir(&common::sheets(), &content.join("r6"));
    let one_edition = snapshot(&build(dir.path()));
    let _ = std::fs::remove_dir_all(dir.path().join("site"));

    common::copy_dir(&common::sheets(), &content.join("r7"));
    let r7 = content.join("r7");
    let mut names: Vec<String> = std::fs::read_dir(&r7)
        .expect("r7")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".md"))
        .collect();
    names.sort();
    let front = |name: &str| common::front_matter(&r7.join(name));
    let budget_of = |t: &toml::Table| t["budget"].as_integer().expect("budget");
    let name_of = |t: &toml::Table| t["name"].as_str().expect("name").to_string();
    let mut changed = Vec::new();
    for name in &names[0..3] {
        let t = front(name);
        let (old, new) = (budget_of(&t), budget_of(&t) + 1000);
        let text = std::fs::read_to_string(r7.join(name)).expect("read");
        let text = text.replacen(
            &format!("budget = {old}\n"),
            &format!("budget = {new}\n"),
            1,
        );
        std::fs::write(r7.join(name), text).expect("write");
        changed.push((
            name.trim_end_matches(".md").to_string(),
            name_of(&t),
            old,
            new,
        ));
    }
    let mut dropped = Vec::new();
    for name in &names[3..5] {
        dropped.push(name_of(&front(name)));
        std::fs::remove_file(r7.join(name)).expect("delete");
    }
    let template = std::fs::read_to_string(r7.join(&names[5])).expect("read");
    let old_name = name_of(&front(&names[5]));
    let added = "（テスト用の見本）令和7年度に加えた事業";
    std::fs::write(
        r7.join("mihon-r7-jigyo.md"),
        template.replacen(
            &format!("name = \"{old_name}\""),
            &format!("name = \"{added}\""),
            1,
        ),
    )
    .expect("add");

    let output = build(dir.path());
    let read = |path: &str| {
        std::fs::read_to_string(output.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
    };
    // R6 unchanged at its URLs: every file of the one-edition build's r6/ folder is the same.
    let both = snapshot(&output);
    // Every part of each R6 page's main content is still there, word for word (the two-edition
    // pages add parts: the budget in each edition, a notice that a newer edition exists).
    let parts = |bytes: &[u8]| -> Vec<String> {
        let html = Html::parse_document(&String::from_utf8_lossy(bytes));
        let children =
            Selector::parse("main > article > *, main > :not(article)").expect("selector");
        html.select(&children)
            .map(|e| e.text().collect::<String>())
            .collect()
    };
    for (path, bytes) in &one_edition {
        // Every URL of the one-edition build still resolves.
        let now = both
            .get(path)
            .unwrap_or_else(|| panic!("{} no longer published", path.display()));
        if path.starts_with("r6") && path.extension().is_some_and(|e| e == "html") {
            let after = parts(now);
            for part in parts(bytes) {
                assert!(
                    after.contains(&part),
                    "{}: R6's facts changed: {part}",
                    path.display()
                );
            }
        }
    }
    // The root shows R7 with its own total.
    let r7_total: i64 = std::fs::read_dir(&r7)
        .expect("r7")
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "md"))
        .map(|e| {
            common::front_matter(&e.path())["budget"]
                .as_integer()
                .expect("budget")
        })
        .sum();
    assert!(read("index.html").contains(&grouped(r7_total as u64)));
    // The changes page lists exactly those changes.
    let page = Html::parse_document(&read("r7/changes/index.html"));
    let list = |id: &str| -> Vec<String> {
        let selector =
            Selector::parse(&format!("#{id} + ul li a, #{id} + p + ul li a")).expect("selector");
        page.select(&selector).map(|a| a.text().collect()).collect()
    };
    assert_eq!(list("added"), [added.to_string()]);
    let mut listed_dropped = list("dropped");
    listed_dropped.sort();
    dropped.sort();
    assert_eq!(listed_dropped, dropped);
    let rows = Selector::parse("#budgets-caption").expect("selector");
    let table = page
        .select(&rows)
        .next()
        .and_then(|c| c.parent())
        .and_then(scraper::ElementRef::wrap)
        .expect("the budget table");
    let row_heads = Selector::parse("tbody th a").expect("selector");
    let mut budget_names: Vec<String> = table
        .select(&row_heads)
        .map(|a| a.text().collect())
        .collect();
    budget_names.sort();
    let mut expected: Vec<String> = changed.iter().map(|c| c.1.clone()).collect();
    expected.sort();
    assert_eq!(budget_names, expected);
    let text: String = page.root_element().text().collect();
    assert!(
        text.contains("ロードマップの取組の変更（0件）"),
        "no roadmap step changed"
    );
    // The changed projects' pages show both years' budgets.
    for (slug, _, old, new) in &changed {
        let page = read(&format!("r7/projects/{slug}/index.html"));
        assert!(
            page.contains(&grouped(*old as u64)) && page.contains(&grouped(*new as u64)),
            "{slug}"
        );
    }
}

/// 実績 beside 計画: the sample's done key and its 実績 row (paired with the plan row of the same
/// label) are said in words; R6's pages, whose sheets record no 実績, say so and claim nothing.
#[test]
fn results_are_said_beside_the_plan_and_never_invented() {
    let b = builds();
    let text = main_text(&page(
        &b.both,
        "r7/projects/hekichi-chiiki-iryo-shien/index.html",
    ));
    assert!(text.contains("計画どおり実施"), "{text}");
    assert!(text.contains("（見本）計画どおり交付しました。"));
    let html = page(&b.both, "r7/projects/korei-mimamori-ict/index.html");
    let text = main_text(&html);
    assert!(
        text.contains("計画より遅れて実施（実績：令和8年度）"),
        "{text}"
    );
    // The 実績 row is shown in its plan's row, not as a row of its own.
    let rows = html
        .select(&select("table.roadmap tbody th[scope=row]"))
        .filter(|th| {
            th.text()
                .collect::<String>()
                .contains("①モデル地区での検討・検証")
        })
        .count();
    assert_eq!(rows, 1);
    let cells: Vec<String> = html
        .select(&select("table.roadmap td.marked"))
        .map(|td| td.text().collect::<String>())
        .collect();
    assert!(
        cells
            .iter()
            .any(|c| c.contains("計画") && c.contains("実施なし")),
        "{cells:?}"
    );
    assert!(
        cells
            .iter()
            .any(|c| c.contains("計画") && c.contains("実施") && !c.contains("なし"))
    );
    for slug in budgets("r6").keys() {
        let text = main_text(&page(&b.both, &format!("r6/projects/{slug}/index.html")));
        assert!(
            text.contains("ロードマップの実績が記載されていません"),
            "{slug}"
        );
        for word in [
            "計画どおり実施",
            "実施なし",
            "遅れて実施",
            "実施されていない",
        ] {
            assert!(!text.contains(word), "{slug} claims {word}");
        }
    }
}

/// A renamed_from naming a file no earlier edition has is an error at its file, line and key.
#[test]
fn a_renamed_from_without_an_earlier_file_is_an_error() {
    let dir = site_with(&["r6", "r7"], false);
    let file = dir.path().join("content/r7/mihon-shinki-jigyo.md");
    let text = std::fs::read_to_string(&file).expect("read");
    std::fs::write(
        &file,
        text.replacen("+++\n", "+++\nrenamed_from = \"no-such-project\"\n", 1),
    )
    .expect("write");
    let Err(Failure::Content(errors)) = pipeline::check(dir.path()) else {
        panic!("a renamed_from to nothing must fail");
    };
    assert_eq!(errors.len(), 1, "{errors:?}");
    let error = &errors[0];
    assert_eq!(error.path, Path::new("content/r7/mihon-shinki-jigyo.md"));
    assert_eq!(error.line(), 2);
    assert!(
        error
            .message
            .contains("no-such-project.md は、前の年度版のどのフォルダにもありません")
    );
}

/// 更新日 from the content: a project's `updated` on its page, in the sitemap and on its feed
/// entry; a page that gathers projects takes its edition's latest date; R6 keeps its own. The
/// feed has an entry per change the changes page lists.
#[test]
fn dates_come_from_the_content_and_the_feed_has_each_change() {
    let b = builds();
    let config: toml::Table = std::fs::read_to_string(repo().join("config.toml"))
        .expect("config")
        .parse()
        .expect("toml");
    let site_date = config["updated"].as_str().expect("updated").to_string();
    let own_date = |code: &str, slug: &str| -> String {
        common::front_matter(&fixture(code).join(format!("{slug}.md")))
            .get("updated")
            .and_then(|v| v.as_str())
            .map_or_else(|| site_date.clone(), str::to_string)
    };
    let shown = |path: &str| -> Option<String> {
        page(&b.both, path)
            .select(&select(".page-updated time"))
            .next()
            .and_then(|t| t.value().attr("datetime").map(str::to_string))
    };
    let mut latest7 = site_date.clone();
    for slug in budgets("r7").keys() {
        let date = own_date("r7", slug);
        assert_eq!(
            shown(&format!("r7/projects/{slug}/index.html")),
            Some(date.clone()),
            "{slug}"
        );
        latest7 = latest7.max(date);
    }
    assert!(latest7 > site_date, "the sample dates one project later");
    assert_eq!(shown("r7/index.html"), Some(latest7.clone()));
    assert_eq!(shown("index.html"), Some(latest7.clone()));
    assert_eq!(shown("r6/index.html"), Some(site_date.clone()));
    assert_eq!(shown("404.html"), None);

    let sitemap = std::fs::read_to_string(b.both.join("sitemap.xml")).expect("sitemap");
    let doc = roxmltree::Document::parse(&sitemap).expect("xml");
    for url in doc.descendants().filter(|n| n.has_tag_name("url")) {
        let text = |tag: &str| {
            url.children()
                .find(|n| n.has_tag_name(tag))
                .and_then(|n| n.text())
                .unwrap_or_default()
                .to_string()
        };
        let loc = text("loc");
        let relative = loc.strip_prefix(BASE_URL).expect("under the base URL");
        assert_eq!(
            shown(&format!("{relative}index.html")),
            Some(text("lastmod")),
            "{loc}"
        );
    }

    // One feed entry per change listed on the changes page, each dated.
    let changes = page(&b.both, "r7/changes/index.html");
    let listed = changes.select(&select(".change-list li")).count()
        - changes.select(&select("#renamed + ul li")).count()
        + changes
            .select(&select("table[data-sortable] tbody tr"))
            .count()
        + changes
            .select(&select("#steps-caption"))
            .next()
            .map_or(0, |caption| {
                scraper::ElementRef::wrap(caption.parent().expect("table"))
                    .expect("table")
                    .select(&select("tbody tr"))
                    .count()
            });
    let feed = std::fs::read_to_string(b.both.join("feed.xml")).expect("feed");
    let doc = roxmltree::Document::parse(&feed).expect("xml");
    let entries: Vec<(String, String)> = doc
        .descendants()
        .filter(|n| n.has_tag_name("entry"))
        .filter_map(|e| {
            let id = e
                .children()
                .find(|n| n.has_tag_name("id"))?
                .text()?
                .to_string();
            let updated = e
                .children()
                .find(|n| n.has_tag_name("updated"))?
                .text()?
                .to_string();
            Some((id, updated))
        })
        .filter(|(id, _)| id.contains("/changes/#"))
        .collect();
    assert_eq!(entries.len(), listed, "{entries:?}");
    let budget = entries
        .iter()
        .find(|(id, _)| id.ends_with("#budget-hekichi-chiiki-iryo-shien"))
        .expect("the budget change's entry");
    assert!(
        budget
            .1
            .starts_with(&own_date("r7", "hekichi-chiiki-iryo-shien"))
    );
}

/// Two files of one edition cannot both continue one earlier file: an error, not one page for two.
#[test]
fn two_files_renamed_from_one_are_an_error() {
    let dir = site_with(&["r6", "r7"], false);
    let (renamed, old) = renamed("r7")
        .into_iter()
        .next()
        .expect("the sample renames one");
    let text =
        std::fs::read_to_string(dir.path().join(format!("content/r7/{renamed}.md"))).expect("read");
    // Another 事業名 (two files may not share one), the same renamed_from.
    let text = text.replacen("name = \"", "name = \"（見本）二つ目の", 1);
    std::fs::write(dir.path().join("content/r7/mihon-futatsume.md"), text).expect("write");
    let Err(Failure::Content(errors)) = pipeline::check(dir.path()) else {
        panic!("two files renamed from {old} must fail");
    };
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].key.as_deref(), Some("renamed_from"));
    assert!(errors[0].line() > 1, "at the renamed_from line: {errors:?}");
    assert!(
        errors[0].message.contains("前の年度版の同じ事業"),
        "{}",
        errors[0].message
    );
}

/// The latest edition's pages are rendered once for its folder and the root (`Mount::LatestInBoth`):
/// each copy is byte for byte what rendering the page for that place alone gives, and the copies do
/// differ where they must (their links to the other editions).
#[test]
fn a_page_rendered_once_for_both_places_is_each_places_own_render() {
    use roadmap::indexes::Indexes;
    use roadmap::render::routes::{self, Mount};
    use roadmap::render::{Renderer, Source};

    let dir = site_with(&["r6", "r7"], false);
    let loaded = pipeline::load_editions(dir.path()).expect("the sample editions load");
    let latest = loaded.sites.last().expect("the latest edition");
    let indexes = Indexes::build(latest).expect("sums fit");
    let renderer = Renderer::load(&dir.path().join("themes/default")).expect("the theme loads");
    assert!(renderer.can_render_once_for_both());
    let folder = Source::mounted(latest, &indexes, Mount::EditionFolder);
    let root = Source::mounted(latest, &indexes, Mount::LatestAtRoot);
    let both = Source::mounted(latest, &indexes, Mount::LatestInBoth);
    let (mut pages, mut differing) = (0, 0);
    for page in routes::pages(latest, &indexes) {
        if !routes::renders_once_for_both(page) {
            continue;
        }
        let (in_folder, at_root) = renderer.render_for_both(&both, page).expect("renders");
        assert_eq!(
            in_folder,
            renderer.render(&folder, page).expect("renders"),
            "{page:?} in the folder"
        );
        assert_eq!(
            at_root,
            renderer.render(&root, page).expect("renders"),
            "{page:?} at the root"
        );
        assert!(!in_folder.contains(&routes::SITE_ROOT_MARK));
        pages += 1;
        differing += usize::from(in_folder != at_root);
    }
    assert!(pages > latest.projects.len(), "{pages} pages");
    assert!(
        differing > latest.projects.len(),
        "{differing} pages differ"
    );

    // Were a text ever to hold the mark's character (the content stage refuses it), the page is
    // rendered for each place instead of being cut at the text.
    let mut sites = loaded.sites.clone();
    let Some(latest) = sites.last_mut() else {
        panic!("the latest edition");
    };
    std::sync::Arc::make_mut(&mut latest.projects[0])
        .name
        .push('\u{1}');
    let latest = &*latest;
    let page = routes::PageKind::Project(0);
    let (in_folder, at_root) = renderer
        .render_for_both(
            &Source::mounted(latest, &indexes, Mount::LatestInBoth),
            page,
        )
        .expect("renders");
    assert_eq!(
        in_folder,
        renderer
            .render(
                &Source::mounted(latest, &indexes, Mount::EditionFolder),
                page
            )
            .expect("renders")
    );
    assert_eq!(
        at_root,
        renderer
            .render(
                &Source::mounted(latest, &indexes, Mount::LatestAtRoot),
                page
            )
            .expect("renders")
    );
    assert!(String::from_utf8_lossy(&in_folder).contains('\u{FFFD}'));
}

/// A theme with a template of its own (here the default's with a comment added) is rendered for
/// each place on its own: a filter in its links could hide the mark. The site is the same.
#[test]
fn a_theme_with_its_own_templates_builds_the_same_site_rendering_each_place() {
    let default = site_with(&["r6", "r7"], false);
    let own = site_with(&["r6", "r7"], false);
    let template = own.path().join("themes/default/templates/project.html");
    let text = std::fs::read_to_string(&template).expect("project.html");
    std::fs::write(&template, format!("{{# この事業のページ #}}{text}")).expect("write");
    let renderer =
        roadmap::render::Renderer::load(&own.path().join("themes/default")).expect("loads");
    assert!(!renderer.can_render_once_for_both());
    assert_eq!(
        snapshot(&build(default.path())),
        snapshot(&build(own.path()))
    );
}
