//! The open-data page: the files, their columns, the terms of use and the caveats.

use super::*;

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

pub(super) fn data_context(site: &Site, context: &mut PageContext) {
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
