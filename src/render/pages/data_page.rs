//! The open-data page: the files, their columns, the terms of use and the caveats.

use super::*;
use crate::money::Budget;

/// The credit line users of the data are asked to give (PDL1.0 §4) — only under a configured
/// licence; the parts not configured (publisher, public URL) are left out, never filled in.
pub(super) fn credit_line(site: &Site) -> Option<String> {
    let config = &site.config;
    let license = config.license.as_ref()?;
    let publisher = config.publisher.as_deref().unwrap_or_default();
    let url = config
        .public_base_url()
        .map(|u| format!("（{u}）"))
        .unwrap_or_default();
    Some(format!(
        "出典：{publisher}「{}」{url}、{}",
        config.full_title(),
        license.short_name
    ))
}

pub(super) fn data_context(source: &Source<'_>, page_url: &str, context: &mut PageContext) {
    let site = source.site;
    #[derive(serde::Serialize)]
    struct DataFile {
        path: &'static str,
        title: &'static str,
        description: &'static str,
        columns: &'static [data::Column],
    }
    let files = vec![
        DataFile {
            path: "data/projects.csv",
            title: "事業の一覧（CSV）",
            description: "1行に1事業。事業名、分野・項目、事業費、会計、重点枠事業・将来対応分、事業期間、概要などの文章。",
            columns: data::PROJECT_COLUMNS,
        },
        DataFile {
            path: "data/project_sections.csv",
            title: "担当部局・課（CSV）",
            description: "1行に1つの事業と担当課の組。共同事業は複数の行になります。",
            columns: data::SECTION_COLUMNS,
        },
        DataFile {
            path: "data/initiatives.csv",
            title: "取組（CSV）",
            description: "1行に1つの取組。",
            columns: data::INITIATIVE_COLUMNS,
        },
        DataFile {
            path: "data/roadmap.csv",
            title: "ロードマップ（CSV、縦持ち）",
            description: "1行に、事業・ロードマップの行・年度の組を1つ。その年度に計画（または実績）がある組だけを含みます。",
            columns: data::ROADMAP_COLUMNS,
        },
    ];
    context.insert("files", &files);
    context.insert(
        "local_government_code",
        &site
            .config
            .local_government_code
            .as_ref()
            .map(|c| c.as_str()),
    );
    context.insert("plain_form", &plain_form_examples());
    // The sitemap exists only with a public base URL; the page links it so crawlers find it
    // even where robots.txt is not read (a site under a sub-path).
    context.insert("sitemap", &site.config.public_base_url().is_some());
    context.insert("project_count", &site.projects.len());
    context.insert("row_counts", &site.row_counts());
    context.insert("combined", &combined_view(source, page_url));
}

/// A combined file of a site with editions, as the data page lists it.
#[derive(serde::Serialize)]
struct CombinedFile {
    path: &'static str,
    title: &'static str,
    description: &'static str,
    /// The JSON Schema of the file (of one row, for a CSV file).
    schema: &'static str,
}

/// An edition's count and total, which the rows of that edition in the combined files add up to.
#[derive(serde::Serialize)]
struct EditionTotal {
    /// 「令和6年度版」.
    name: String,
    code: String,
    count: usize,
    /// `None` only if the sum did not fit (the build stops before that).
    total: Option<views::Amount>,
    /// The edition's budget page (its 事業費の合計), relative to this page.
    budget_url: String,
}

/// What the data page says of the combined files at the site root.
#[derive(serde::Serialize)]
struct CombinedView {
    /// From this page to the site root, where the combined files are.
    up: String,
    /// This page's edition: 「令和6年度版」.
    name: String,
    /// This page's edition's code: `r6`.
    code: String,
    /// Whether `editions` is every edition (the root's page) rather than this page's own: an
    /// edition's page keeps its permanent URL's content when later editions are added.
    every_edition: bool,
    files: Vec<CombinedFile>,
    edition_columns: &'static [data::Column],
    editions: Vec<EditionTotal>,
}

/// The combined files, when the site has editions.
fn combined_view(source: &Source<'_>, page_url: &str) -> Option<CombinedView> {
    let site = source.site;
    let place = site.edition.as_ref()?;
    let up = routes::site_root_prefix(page_url, source.mount);
    let budget_url = |code: &str| format!("{up}{}", routes::in_edition(code, "budget/"));
    let every_edition = source.mount == routes::Mount::LatestAtRoot;
    let editions = if every_edition {
        place
            .catalogue
            .editions
            .iter()
            .map(|e| EditionTotal {
                name: e.edition.name(),
                code: e.edition.code.clone(),
                count: e.projects.len(),
                total: Budget::total(e.projects.values().map(|p| p.budget))
                    .ok()
                    .map(views::amount),
                budget_url: budget_url(&e.edition.code),
            })
            .collect()
    } else {
        vec![EditionTotal {
            name: place.edition.name(),
            code: place.edition.code.clone(),
            count: site.projects.len(),
            total: Some(views::amount(source.indexes.budget.total)),
            budget_url: budget_url(&place.edition.code),
        }]
    };
    let files = vec![
        CombinedFile {
            path: data::COMBINED_PROJECTS_CSV,
            title: "すべての年度版の事業（CSV）",
            description: "1行に、事業と年度版の組を1つ。同じ事業は、載っている年度版ごとに1行ずつあります。",
            schema: data::COMBINED_PROJECTS_CSV_SCHEMA,
        },
        CombinedFile {
            path: data::COMBINED_ROADMAP_CSV,
            title: "すべての年度版のロードマップ（CSV、縦持ち）",
            description: "1行に、ロードマップの欄（事業・ロードマップの行・年度の組）と年度版の組を1つ。",
            schema: data::COMBINED_ROADMAP_CSV_SCHEMA,
        },
        CombinedFile {
            path: data::COMBINED_JSON,
            title: "すべての年度版の事業（JSON）",
            description: "年度版ごとに、その年度版の projects.json と同じ内容を、年度版の古い順に並べたもの。",
            schema: data::COMBINED_JSON_SCHEMA,
        },
    ];
    Some(CombinedView {
        up,
        name: place.edition.name(),
        code: place.edition.code.clone(),
        every_edition,
        files,
        edition_columns: data::EDITION_COLUMNS,
        editions,
    })
}

/// A platform-dependent character and the plain form the CSV files hold instead.
#[derive(serde::Serialize)]
struct PlainFormExample {
    written: char,
    plain: String,
}

/// Examples for the data page, one of each kind (circled digit, Roman numeral, unit, bracketed
/// ideograph, squared katakana, № sign), each with the plain form the CSV writer really gives.
fn plain_form_examples() -> Vec<PlainFormExample> {
    ['①', 'Ⅲ', '㎞', '㈱', '㍉', '№']
        .into_iter()
        .filter_map(|written| {
            crate::render::plain_form::plain_char(written)
                .map(|plain| PlainFormExample { written, plain })
        })
        .collect()
}
