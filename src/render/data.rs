//! Open data: every fact of every project as CSV and JSON, after the Digital Agency's rules for
//! machine-readable government data (行政データにおける機械可読性に関するルール).
//!
//! CSV files are UTF-8 with a BOM and CRLF line ends (Excel reads them right), one header row with
//! ASCII column names (their Japanese names are on the data page), the publisher's 全国地方公共団体コード
//! first in every row as the 自治体標準オープンデータセット has it (empty when the configuration does not
//! name one), one value per cell, numbers without commas or units, 0/1 codes, fiscal years in
//! 西暦 with 和暦 beside them, no line breaks inside a field. Multi-valued facts (departments, the
//! roadmap) go to long-format files. The JSON holds the same facts with the Markdown texts as written.
//!
//! CSV cells hold no platform-dependent characters (機種依存文字): ① is written (1), Ⅲ III, ㎞ km
//! (see [`super::plain_form`]), as the rules ask of tabular data opened in spreadsheets. The JSON
//! and the pages keep the text as written: JSON is Unicode by definition (RFC 8259), is read by
//! programs rather than spreadsheets, and is the one lossless copy (the plain form is lossy: ① and
//! ⑴ both become (1)), so a user who needs the original characters finds them there. The CSV and
//! the JSON join on the project ID, never on a text.

use rayon::prelude::*;
use serde::Serialize;

use super::EncodeError;
use super::plain_form::plain_form;
use crate::config::{License, SourceDocument};
use crate::fiscal_year::{EndYear, FiscalYear, WrittenYear};
use crate::model::{Project, RowCounts, Site, YearBasis};
use crate::money::Budget;

/// Writes the files of `data/` that gather every project with `write(path relative to the output,
/// bytes)`, each as soon as it is made (side by side); returns how many. Each project's own file is
/// [`project_json`], written beside its page.
pub fn write_collection_files<E: Send + From<EncodeError>>(
    site: &Site,
    total: Budget,
    write: &super::WriteFile<'_, E>,
) -> Result<usize, E> {
    let records: Vec<ProjectRecord> = site.projects.par_iter().map(|p| record(site, p)).collect();
    let collection = Collection::new(site, total, &records);
    type Build = fn(&Collection<'_>) -> Result<Vec<u8>, EncodeError>;
    let builders: [(&str, Build); 6] = [
        ("data/projects.csv", |c| {
            projects_csv(c.code(), c.projects)
                .map_err(|e| EncodeError::csv("data/projects.csv", &e))
        }),
        ("data/project_sections.csv", |c| {
            sections_csv(c.code(), c.projects)
                .map_err(|e| EncodeError::csv("data/project_sections.csv", &e))
        }),
        ("data/initiatives.csv", |c| {
            initiatives_csv(c.code(), c.projects)
                .map_err(|e| EncodeError::csv("data/initiatives.csv", &e))
        }),
        ("data/roadmap.csv", |c| {
            roadmap_csv(c.code(), c.projects).map_err(|e| EncodeError::csv("data/roadmap.csv", &e))
        }),
        ("data/projects.json", |c| json("data/projects.json", c)),
        ("data/projects.schema.json", |_| {
            Ok(SCHEMA.as_bytes().to_vec())
        }),
    ];
    builders.par_iter().try_for_each(|(path, build)| {
        let bytes = build(&collection)?;
        write(path, &bytes)
    })?;
    Ok(builders.len())
}

/// A project's own JSON file: (path relative to the output, bytes).
pub fn project_json(site: &Site, project: &Project) -> Result<(String, Vec<u8>), EncodeError> {
    let path = super::routes::project_json(&project.slug);
    let bytes = json(&path, &record(site, project))?;
    Ok((path, bytes))
}

/// The JSON Schema of `projects.json` (and, under `$defs/project`, of each project's file).
pub const SCHEMA: &str = include_str!("projects.schema.json");

/// A code with its name.
#[derive(Debug, Clone, Serialize)]
pub struct Named {
    pub slug: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SectionRecord {
    pub slug: String,
    pub name: String,
    pub department: String,
}

/// A fiscal year in both calendars, the code and the era as the sheet writes them (H31 stays
/// 平成31年度); `fiscal_year` is null for an undecided end.
#[derive(Debug, Clone, Serialize)]
pub struct YearRecord {
    pub code: String,
    pub fiscal_year: Option<u16>,
    pub wareki: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct RowRecord {
    pub label: String,
    pub kind: &'static str,
    pub fiscal_years: Vec<u16>,
    /// 「as_written」 or 「inferred」.
    pub years_basis: &'static str,
    /// Why the years were inferred; null for rows as written.
    pub years_basis_note: Option<String>,
    /// The years of `fiscal_years` outside the project's own years.
    pub years_outside_project_period: Vec<u16>,
    pub year_labels: Vec<YearLabel>,
}

const AS_WRITTEN_CODE: &str = "as_written";
const INFERRED_CODE: &str = "inferred";

/// The code of a row's basis in the open data.
pub fn basis_code(basis: &YearBasis) -> &'static str {
    match basis {
        YearBasis::AsWritten => AS_WRITTEN_CODE,
        YearBasis::Inferred { .. } => INFERRED_CODE,
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct YearLabel {
    pub fiscal_year: u16,
    pub label: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct InitiativeRecord {
    pub title: String,
    pub description: String,
    pub roadmap: Vec<RowRecord>,
}

/// Every fact of a project.
#[derive(Debug, Clone, Serialize)]
pub struct ProjectRecord {
    pub id: String,
    pub name: String,
    pub field: Named,
    pub category: Named,
    pub departments: Vec<Named>,
    pub sections: Vec<SectionRecord>,
    pub joint: bool,
    pub budget_thousand_yen: u64,
    pub budget_fiscal_year: u16,
    pub account: Named,
    pub priority: bool,
    pub future: bool,
    pub start: YearRecord,
    pub end: YearRecord,
    pub sheet_number: Option<u32>,
    pub overview: String,
    pub situation: String,
    pub outcome: String,
    pub notes: String,
    pub initiatives: Vec<InitiativeRecord>,
    /// The project's page, relative to the site root.
    pub url: String,
}

/// Everything in `projects.json`: what the configuration says of the site and its source (absent
/// statements are null, never filled in), the counts and total, and every project.
#[derive(Serialize)]
struct Collection<'a> {
    title: String,
    scope: Option<&'a str>,
    publisher: Option<&'a str>,
    /// The publisher's 全国地方公共団体コード; null when the configuration does not name one.
    local_government_code: Option<&'a str>,
    source: SourceRecord<'a>,
    license: Option<&'a License>,
    count: usize,
    total_budget_thousand_yen: u64,
    roadmap_rows: RowCounts,
    projects: &'a [ProjectRecord],
}

#[derive(Serialize)]
struct SourceRecord<'a> {
    title: &'a str,
    author: Option<&'a str>,
    url: Option<&'a str>,
}

impl<'a> Collection<'a> {
    fn new(site: &'a Site, total: Budget, records: &'a [ProjectRecord]) -> Collection<'a> {
        let config = &site.config;
        let SourceDocument {
            title, author, url, ..
        } = &config.source;
        Collection {
            title: config.full_title(),
            scope: config.source.scope.as_deref(),
            publisher: config.publisher.as_deref(),
            local_government_code: config.local_government_code.as_ref().map(|c| c.as_str()),
            source: SourceRecord {
                title,
                author: author.as_deref(),
                url: url.as_deref(),
            },
            license: config.license.as_ref(),
            count: records.len(),
            total_budget_thousand_yen: total.thousand_yen(),
            roadmap_rows: site.row_counts(),
            projects: records,
        }
    }

    /// The code for the CSV files' first column: empty when not configured.
    fn code(&self) -> &'a str {
        self.local_government_code.unwrap_or_default()
    }
}

fn year(year: WrittenYear) -> YearRecord {
    YearRecord {
        code: year.code(),
        fiscal_year: Some(year.year().western()),
        wareki: year.japanese(),
    }
}

fn end_year(end: EndYear) -> YearRecord {
    match end {
        EndYear::Year(y) => year(y),
        EndYear::Undecided => YearRecord {
            code: end.code(),
            fiscal_year: None,
            wareki: end.code(),
        },
    }
}

fn named(slug: &str, name: &str) -> Named {
    Named {
        slug: slug.to_string(),
        name: name.to_string(),
    }
}

/// The record of one project.
pub fn record(site: &Site, project: &Project) -> ProjectRecord {
    let vocabulary = &site.vocabulary;
    let field = &vocabulary.field(project.category.field);
    let category = vocabulary.category(project.category);
    let account = &vocabulary.account(project.account);
    ProjectRecord {
        id: project.slug.clone(),
        name: project.name.clone(),
        field: named(&field.slug, &field.name),
        category: named(&category.slug, &category.name),
        departments: project
            .departments
            .iter()
            .map(|&d| {
                named(
                    &vocabulary.department(d).slug,
                    &vocabulary.department(d).name,
                )
            })
            .collect(),
        sections: project
            .sections
            .iter()
            .map(|&s| {
                let section = vocabulary.section(s);
                SectionRecord {
                    slug: section.slug.clone(),
                    name: section.name.clone(),
                    department: vocabulary.department(s.department).slug.clone(),
                }
            })
            .collect(),
        joint: project.is_joint(),
        budget_thousand_yen: project.budget.thousand_yen(),
        budget_fiscal_year: site.config.budget_year.western(),
        account: named(&account.slug, &account.name),
        priority: project.priority,
        future: project.future,
        start: year(project.start),
        end: end_year(project.end),
        sheet_number: project.sheet_number,
        overview: project.overview.trim().to_string(),
        situation: project.situation.trim().to_string(),
        outcome: project.outcome.trim().to_string(),
        notes: project.notes.clone(),
        initiatives: project
            .initiatives
            .iter()
            .map(|i| InitiativeRecord {
                title: i.title.clone(),
                description: i.description.trim().to_string(),
                roadmap: i
                    .roadmap
                    .iter()
                    .map(|r| RowRecord {
                        label: r.label.clone(),
                        kind: r.kind.label(),
                        fiscal_years: r.years.iter().map(|y| y.western()).collect(),
                        years_basis: basis_code(&r.basis),
                        years_basis_note: r.basis.reason().map(str::to_string),
                        years_outside_project_period: project
                            .years_outside(r)
                            .iter()
                            .map(|y| y.western())
                            .collect(),
                        year_labels: r
                            .year_labels
                            .iter()
                            .map(|(y, l)| YearLabel {
                                fiscal_year: y.western(),
                                label: l.clone(),
                            })
                            .collect(),
                    })
                    .collect(),
            })
            .collect(),
        url: super::routes::project_url(project),
    }
}

/// JSON is written compact: at 10,000 projects the pretty forms are 40 MB (the collection) and
/// 53 MB (the projects' own files) against 28 and 35 MB; browsers show it indented anyway.
fn json<T: Serialize>(path: &str, value: &T) -> Result<Vec<u8>, EncodeError> {
    let mut bytes = serde_json::to_vec(value).map_err(|e| EncodeError::json(path, &e))?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// A CSV writer with a BOM and CRLF line ends.
fn writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer("\u{FEFF}".as_bytes().to_vec())
}

/// Writes one data row. Every cell is in its plain form (no platform-dependent characters; the
/// records keep the text as written for the JSON). A text cell that a spreadsheet would run as a
/// formula (it starts with `=`, `+`, `-`, `@`, a tab or a carriage return: `=HYPERLINK(…)`,
/// `@SUM(…)`) gets a leading `'`, as OWASP recommends against CSV injection; the data page says so.
/// Numbers never start with these.
fn data_row<'c>(
    writer: &mut csv::Writer<Vec<u8>>,
    cells: impl IntoIterator<Item = &'c str>,
) -> Result<(), csv::Error> {
    for cell in cells {
        writer.write_field(inert(&plain_form(cell)).as_bytes())?;
    }
    // An empty record ends the row of fields written one by one.
    writer.write_record(None::<&[u8]>)
}

/// A cell that no spreadsheet will evaluate.
pub fn inert(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

fn finish(writer: csv::Writer<Vec<u8>>) -> Result<Vec<u8>, csv::Error> {
    writer
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))
}

fn flag(value: bool) -> &'static str {
    if value { "1" } else { "0" }
}

/// Markdown text on one line, as the sheets write it: list items start with 「・」, paragraphs join.
pub fn one_line(markdown: &str) -> String {
    markdown
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(
            |l| match l.strip_prefix("- ").or_else(|| l.strip_prefix("* ")) {
                Some(item) => format!("・{item}"),
                None => l.to_string(),
            },
        )
        .collect::<Vec<_>>()
        .join("")
}

/// A column of a CSV file: its name in the header, its Japanese name and what it holds (both shown
/// on data/index.html).
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Column {
    pub name: &'static str,
    pub japanese: &'static str,
    pub definition: &'static str,
}

const fn column(name: &'static str, japanese: &'static str, definition: &'static str) -> Column {
    Column {
        name,
        japanese,
        definition,
    }
}

/// The first column of every CSV file, as in the 自治体標準オープンデータセット.
pub const CODE_COLUMN: Column = column(
    "local_government_code",
    "全国地方公共団体コード",
    "発行者の全国地方公共団体コード（6桁、検査数字を含む）。設定（config.toml の local_government_code）にないときは空欄",
);

/// The columns of `projects.csv`.
pub const PROJECT_COLUMNS: &[Column] = &[
    CODE_COLUMN,
    column(
        "id",
        "事業ID",
        "事業ID（事業ページのURLの名前。変わりません）",
    ),
    column(
        "name",
        "事業名",
        "事業シートの事業名（英字の全角・半角も資料のまま）",
    ),
    column(
        "field_code",
        "分野コード",
        "分野の英字のコード（語彙ファイルの slug）",
    ),
    column("field", "分野", "分野の名前（暮らし・まち分野など）"),
    column(
        "category_code",
        "項目コード",
        "項目の英字のコード（語彙ファイルの slug）",
    ),
    column("category", "項目", "分野の中の項目の名前（医療・福祉など）"),
    column(
        "joint",
        "共同事業",
        "複数の部局の共同事業か（1=共同、0=単独）。部局・課は project_sections.csv",
    ),
    column(
        "budget_thousand_yen",
        "事業費（千円）",
        "事業費（千円、整数）",
    ),
    column(
        "budget_fiscal_year",
        "事業費の年度",
        "事業費の年度（西暦の年度）",
    ),
    column(
        "account_code",
        "会計コード",
        "会計の英字のコード（語彙ファイルの slug）",
    ),
    column("account", "会計", "会計（一般会計、病院事業会計など）"),
    column(
        "priority",
        "重点枠事業",
        "重点枠事業（1=該当、0=該当しない）",
    ),
    column("future", "将来対応分", "将来対応分（1=該当、0=該当しない）"),
    column(
        "start_fiscal_year",
        "事業始期（西暦）",
        "事業始期（西暦の年度）",
    ),
    column(
        "start_wareki",
        "事業始期（和暦）",
        "事業始期（和暦。資料の元号のまま：平成31年度など）",
    ),
    column(
        "end_fiscal_year",
        "事業終期（西暦）",
        "事業終期（西暦の年度。未定のときは空欄）",
    ),
    column(
        "end_wareki",
        "事業終期（和暦）",
        "事業終期（和暦。資料の元号のまま。または「未定」）",
    ),
    column(
        "end_undecided",
        "事業終期未定",
        "事業終期が未定か（1=未定、0=決まっている）",
    ),
    column(
        "sheet_number",
        "資料番号",
        "元資料の番号（資料に番号がある事業だけ。ほかは空欄）",
    ),
    column(
        "overview",
        "概要",
        "概要（改行なし。箇条書きは「・」で始まる）",
    ),
    column("situation", "現状・課題", "現状・課題（同上）"),
    column(
        "outcome",
        "デジタル活用によってどう変わるか",
        "デジタル活用によってどう変わるか（同上）",
    ),
    column(
        "initiative_count",
        "取組数",
        "取組の数。取組は initiatives.csv",
    ),
    column(
        "url",
        "事業ページのURL",
        "事業ページのURL（サイトのルートからの相対パス）",
    ),
];

fn projects_csv(code: &str, records: &[ProjectRecord]) -> Result<Vec<u8>, csv::Error> {
    let mut w = writer();
    w.write_record(PROJECT_COLUMNS.iter().map(|c| c.name))?;
    for r in records {
        let end_fiscal_year = r.end.fiscal_year.map(|y| y.to_string()).unwrap_or_default();
        let start_fiscal_year = r
            .start
            .fiscal_year
            .map(|y| y.to_string())
            .unwrap_or_default();
        data_row(
            &mut w,
            [
                code,
                r.id.as_str(),
                &r.name,
                &r.field.slug,
                &r.field.name,
                &r.category.slug,
                &r.category.name,
                flag(r.joint),
                &r.budget_thousand_yen.to_string(),
                &r.budget_fiscal_year.to_string(),
                &r.account.slug,
                &r.account.name,
                flag(r.priority),
                flag(r.future),
                &start_fiscal_year,
                &r.start.wareki,
                &end_fiscal_year,
                &r.end.wareki,
                flag(r.end.fiscal_year.is_none()),
                &r.sheet_number.map(|n| n.to_string()).unwrap_or_default(),
                &one_line(&r.overview),
                &one_line(&r.situation),
                &one_line(&r.outcome),
                &r.initiatives.len().to_string(),
                &r.url,
            ],
        )?;
    }
    finish(w)
}

/// The columns of `project_sections.csv`.
pub const SECTION_COLUMNS: &[Column] = &[
    CODE_COLUMN,
    column("project_id", "事業ID", "事業ID（projects.csv の id）"),
    column(
        "department_code",
        "担当部局コード",
        "担当部局の英字のコード（語彙ファイルの slug）",
    ),
    column("department", "担当部局", "担当部局の名前"),
    column(
        "section_code",
        "担当課等コード",
        "担当課等の英字のコード（語彙ファイルの slug）",
    ),
    column("section", "担当課等", "担当課等の名前"),
];

fn sections_csv(code: &str, records: &[ProjectRecord]) -> Result<Vec<u8>, csv::Error> {
    let mut w = writer();
    w.write_record(SECTION_COLUMNS.iter().map(|c| c.name))?;
    for r in records {
        for s in &r.sections {
            let department = r
                .departments
                .iter()
                .find(|d| d.slug == s.department)
                .map_or("", |d| d.name.as_str());
            data_row(
                &mut w,
                [
                    code,
                    r.id.as_str(),
                    &s.department,
                    department,
                    &s.slug,
                    &s.name,
                ],
            )?;
        }
    }
    finish(w)
}

/// The columns of `initiatives.csv`.
pub const INITIATIVE_COLUMNS: &[Column] = &[
    CODE_COLUMN,
    column("project_id", "事業ID", "事業ID（projects.csv の id）"),
    column("initiative_no", "取組番号", "取組の番号（事業の中で1から）"),
    column("title", "取組名", "取組の名前"),
    column("description", "取組の説明", "取組の説明（改行なし）"),
];

fn initiatives_csv(code: &str, records: &[ProjectRecord]) -> Result<Vec<u8>, csv::Error> {
    let mut w = writer();
    w.write_record(INITIATIVE_COLUMNS.iter().map(|c| c.name))?;
    for r in records {
        for (i, initiative) in r.initiatives.iter().enumerate() {
            data_row(
                &mut w,
                [
                    code,
                    r.id.as_str(),
                    &(i + 1).to_string(),
                    &initiative.title,
                    &one_line(&initiative.description),
                ],
            )?;
        }
    }
    finish(w)
}

/// The columns of `roadmap.csv`: one line per project, roadmap row and fiscal year it covers.
pub const ROADMAP_COLUMNS: &[Column] = &[
    CODE_COLUMN,
    column("project_id", "事業ID", "事業ID（projects.csv の id）"),
    column(
        "fiscal_year",
        "年度（西暦）",
        "計画・実績がある年度（西暦の年度、4月始まり）",
    ),
    column(
        "fiscal_year_wareki",
        "年度（和暦）",
        "同じ年度の和暦（令和6年度など）",
    ),
    column(
        "initiative_no",
        "取組番号",
        "取組の番号（initiatives.csv と対応）",
    ),
    column(
        "row_no",
        "行番号",
        "ロードマップの行の番号（取組の中で1から）",
    ),
    column("row_label", "行の名前", "ロードマップの行の名前"),
    column("kind", "区分", "区分（計画 または 実績）"),
    column(
        "year_label",
        "年度の欄の文字",
        "その年度の欄に書かれた文字（ない場合は空欄）",
    ),
    column(
        "years_inferred",
        "年度の推定",
        "この行の年度を推定したか（1=推定、元資料の文字から年度が読み取れない行。0=元資料の文字から年度が決まる行）",
    ),
    column(
        "years_basis_note",
        "推定の理由",
        "年度を推定した理由（years_inferred が 1 のとき。0 のときは空欄）",
    ),
    column(
        "in_project_period",
        "事業期間内",
        "その年度が事業期間（事業始期〜事業終期）の中か（1=中、0=外。事業終期より後の年度に書かれた行など）",
    ),
];

fn roadmap_csv(code: &str, records: &[ProjectRecord]) -> Result<Vec<u8>, csv::Error> {
    let mut w = writer();
    w.write_record(ROADMAP_COLUMNS.iter().map(|c| c.name))?;
    for r in records {
        for (i, initiative) in r.initiatives.iter().enumerate() {
            for (j, row) in initiative.roadmap.iter().enumerate() {
                for &fy in &row.fiscal_years {
                    let label = row
                        .year_labels
                        .iter()
                        .find(|l| l.fiscal_year == fy)
                        .map_or("", |l| l.label.as_str());
                    data_row(
                        &mut w,
                        [
                            code,
                            r.id.as_str(),
                            &fy.to_string(),
                            &FiscalYear::from_western(fy).japanese(),
                            &(i + 1).to_string(),
                            &(j + 1).to_string(),
                            &row.label,
                            row.kind,
                            label,
                            flag(row.years_basis == INFERRED_CODE),
                            row.years_basis_note.as_deref().unwrap_or_default(),
                            flag(!row.years_outside_project_period.contains(&fy)),
                        ],
                    )?;
                }
            }
        }
    }
    finish(w)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_keeps_bullets_as_the_sheets_write_them() {
        assert_eq!(one_line("- 一つ目\n- 二つ目\n"), "・一つ目・二つ目");
        assert_eq!(one_line("段落。\n\n次の段落。"), "段落。次の段落。");
    }

    #[test]
    fn cells_a_spreadsheet_would_run_are_made_inert() {
        for formula in [
            "=HYPERLINK(\"x\")",
            "+cmd|' /C calc'!A0",
            "-2+3",
            "@SUM(A1)",
            "\t=1",
            "\r=1",
        ] {
            assert_eq!(inert(formula), format!("'{formula}"));
        }
        for plain in ["4202", "へき地", "a=b", "", "'quoted"] {
            assert_eq!(inert(plain), plain);
        }
        let mut w = writer();
        data_row(&mut w, ["=1+1", "普通"]).expect("row");
        let bytes = finish(w).expect("csv");
        assert_eq!(String::from_utf8_lossy(&bytes), "\u{FEFF}'=1+1,普通\r\n");
    }

    #[test]
    fn an_encoding_failure_is_said_as_what_it_is_never_an_empty_file() {
        let unencodable = std::collections::BTreeMap::from([((1u8, 2u8), 3u8)]);
        let error =
            json("data/x.json", &unencodable).expect_err("a map with tuple keys is not JSON");
        let message = error.to_string();
        assert!(
            message.contains("data/x.json") && message.contains("JSON"),
            "{message}"
        );
        let failure = crate::pipeline::Failure::from(error);
        assert_eq!(failure.exit_code(), 2);
    }

    #[test]
    fn the_schema_is_json() {
        let schema: serde_json::Value = serde_json::from_str(SCHEMA).expect("schema parses");
        assert_eq!(
            schema["$schema"],
            "https://json-schema.org/draft/2020-12/schema"
        );
    }
}
