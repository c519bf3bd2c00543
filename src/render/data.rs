//! Open data: every fact of every project as CSV and JSON, after the Digital Agency's rules for
//! machine-readable government data (行政データにおける機械可読性に関するルール).
//!
//! CSV files are UTF-8 with a BOM and CRLF line ends (Excel reads them right), one header row with
//! ASCII column names, one value per cell, numbers without commas or units, 0/1 codes, fiscal years in
//! 西暦 with 和暦 beside them, no line breaks inside a field. Multi-valued facts (departments, the
//! roadmap) go to long-format files. The JSON holds the same facts with the Markdown texts as written.
//!
//! In both, every text is in its plain form: no platform-dependent characters (① → (1), Ⅲ → III,
//! ㎞ → km; see [`super::plain_form`]). The JSON gets it too: the rule is about the data, not the
//! format, and a user who joins the CSV and the JSON must find the same values in both. The pages
//! keep the text as written.

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
            projects_csv(c.projects).map_err(|e| EncodeError::csv("data/projects.csv", &e))
        }),
        ("data/project_sections.csv", |c| {
            sections_csv(c.projects).map_err(|e| EncodeError::csv("data/project_sections.csv", &e))
        }),
        ("data/initiatives.csv", |c| {
            initiatives_csv(c.projects).map_err(|e| EncodeError::csv("data/initiatives.csv", &e))
        }),
        ("data/roadmap.csv", |c| {
            roadmap_csv(c.projects).map_err(|e| EncodeError::csv("data/roadmap.csv", &e))
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
    scope: Option<String>,
    publisher: Option<String>,
    source: SourceRecord,
    license: Option<License>,
    count: usize,
    total_budget_thousand_yen: u64,
    roadmap_rows: RowCounts,
    projects: &'a [ProjectRecord],
}

#[derive(Serialize)]
struct SourceRecord {
    title: String,
    author: Option<String>,
    url: Option<String>,
}

impl<'a> Collection<'a> {
    fn new(site: &'a Site, total: Budget, records: &'a [ProjectRecord]) -> Collection<'a> {
        let config = &site.config;
        let SourceDocument {
            title, author, url, ..
        } = &config.source;
        Collection {
            title: plain(&config.full_title()),
            scope: config.source.scope.as_deref().map(plain),
            publisher: config.publisher.as_deref().map(plain),
            source: SourceRecord {
                title: plain(title),
                author: author.as_deref().map(plain),
                url: url.clone(),
            },
            license: config.license.as_ref().map(|l| License {
                name: plain(&l.name),
                short_name: plain(&l.short_name),
                url: l.url.clone(),
            }),
            count: records.len(),
            total_budget_thousand_yen: total.thousand_yen(),
            roadmap_rows: site.row_counts(),
            projects: records,
        }
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
        name: plain(name),
    }
}

/// A text of the open data: in its plain form (see the module's comment).
fn plain(text: &str) -> String {
    plain_form(text).into_owned()
}

/// The record of one project.
pub fn record(site: &Site, project: &Project) -> ProjectRecord {
    let vocabulary = &site.vocabulary;
    let field = &vocabulary.field(project.category.field);
    let category = vocabulary.category(project.category);
    let account = &vocabulary.account(project.account);
    ProjectRecord {
        id: project.slug.clone(),
        name: plain(&project.name),
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
                    name: plain(&section.name),
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
        overview: plain(project.overview.trim()),
        situation: plain(project.situation.trim()),
        outcome: plain(project.outcome.trim()),
        notes: plain(&project.notes),
        initiatives: project
            .initiatives
            .iter()
            .map(|i| InitiativeRecord {
                title: plain(&i.title),
                description: plain(i.description.trim()),
                roadmap: i
                    .roadmap
                    .iter()
                    .map(|r| RowRecord {
                        label: plain(&r.label),
                        kind: r.kind.label(),
                        fiscal_years: r.years.iter().map(|y| y.western()).collect(),
                        years_basis: basis_code(&r.basis),
                        years_basis_note: r.basis.reason().map(plain),
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
                                label: plain(l),
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

/// Writes one data row. Every cell is in its plain form (the records' texts are already; this
/// holds for any other cell too). A text cell that a spreadsheet would run as a formula (it starts
/// with `=`, `+`, `-`, `@`, a tab or a carriage return: `=HYPERLINK(…)`, `@SUM(…)`) gets a leading
/// `'`, as OWASP recommends against CSV injection; the data page says so. Numbers never start with
/// these.
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

/// The columns of `projects.csv`, with their Japanese definitions (shown on data/index.html).
pub const PROJECT_COLUMNS: &[(&str, &str)] = &[
    ("id", "事業ID（事業ページのURLの名前。変わりません）"),
    ("name", "事業名"),
    ("field_code", "分野のコード"),
    ("field", "分野"),
    ("category_code", "項目のコード"),
    ("category", "項目"),
    (
        "joint",
        "複数の部局の共同事業か（1=共同、0=単独）。部局・課は project_sections.csv",
    ),
    ("budget_thousand_yen", "事業費（千円、整数）"),
    ("budget_fiscal_year", "事業費の年度（西暦の年度）"),
    ("account_code", "会計のコード"),
    ("account", "会計（一般会計、病院事業会計など）"),
    ("priority", "重点枠事業（1=該当、0=該当しない）"),
    ("future", "将来対応分（1=該当、0=該当しない）"),
    ("start_fiscal_year", "事業始期（西暦の年度）"),
    (
        "start_wareki",
        "事業始期（和暦。資料の元号のまま：平成31年度など）",
    ),
    (
        "end_fiscal_year",
        "事業終期（西暦の年度。未定のときは空欄）",
    ),
    (
        "end_wareki",
        "事業終期（和暦。資料の元号のまま。または「未定」）",
    ),
    (
        "end_undecided",
        "事業終期が未定か（1=未定、0=決まっている）",
    ),
    (
        "sheet_number",
        "元資料の番号（資料に番号がある事業だけ。ほかは空欄）",
    ),
    ("overview", "概要（改行なし。箇条書きは「・」で始まる）"),
    ("situation", "現状・課題（同上）"),
    ("outcome", "デジタル活用によってどう変わるか（同上）"),
    ("initiative_count", "取組の数。取組は initiatives.csv"),
    ("url", "事業ページのURL（サイトのルートからの相対パス）"),
];

fn projects_csv(records: &[ProjectRecord]) -> Result<Vec<u8>, csv::Error> {
    let mut w = writer();
    w.write_record(PROJECT_COLUMNS.iter().map(|(name, _)| *name))?;
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
pub const SECTION_COLUMNS: &[(&str, &str)] = &[
    ("project_id", "事業ID"),
    ("department_code", "担当部局のコード"),
    ("department", "担当部局"),
    ("section_code", "担当課等のコード"),
    ("section", "担当課等"),
];

fn sections_csv(records: &[ProjectRecord]) -> Result<Vec<u8>, csv::Error> {
    let mut w = writer();
    w.write_record(SECTION_COLUMNS.iter().map(|(name, _)| *name))?;
    for r in records {
        for s in &r.sections {
            let department = r
                .departments
                .iter()
                .find(|d| d.slug == s.department)
                .map_or("", |d| d.name.as_str());
            data_row(
                &mut w,
                [r.id.as_str(), &s.department, department, &s.slug, &s.name],
            )?;
        }
    }
    finish(w)
}

/// The columns of `initiatives.csv`.
pub const INITIATIVE_COLUMNS: &[(&str, &str)] = &[
    ("project_id", "事業ID"),
    ("initiative_no", "取組の番号（事業の中で1から）"),
    ("title", "取組の名前"),
    ("description", "取組の説明（改行なし）"),
];

fn initiatives_csv(records: &[ProjectRecord]) -> Result<Vec<u8>, csv::Error> {
    let mut w = writer();
    w.write_record(INITIATIVE_COLUMNS.iter().map(|(name, _)| *name))?;
    for r in records {
        for (i, initiative) in r.initiatives.iter().enumerate() {
            data_row(
                &mut w,
                [
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
pub const ROADMAP_COLUMNS: &[(&str, &str)] = &[
    ("project_id", "事業ID"),
    ("fiscal_year", "年度（西暦）"),
    ("fiscal_year_wareki", "年度（和暦）"),
    ("initiative_no", "取組の番号（initiatives.csv と対応）"),
    ("row_no", "ロードマップの行の番号（取組の中で1から）"),
    ("row_label", "ロードマップの行の名前"),
    ("kind", "区分（計画 または 実績）"),
    ("year_label", "その年度の欄に書かれた文字（ない場合は空欄）"),
    (
        "years_inferred",
        "この行の年度を推定したか（1=推定、元資料の文字から年度が読み取れない行。0=元資料の文字から年度が決まる行）",
    ),
    (
        "years_basis_note",
        "年度を推定した理由（years_inferred が 1 のとき。0 のときは空欄）",
    ),
    (
        "in_project_period",
        "その年度が事業期間（事業始期〜事業終期）の中か（1=中、0=外。事業終期より後の年度に書かれた行など）",
    ),
];

fn roadmap_csv(records: &[ProjectRecord]) -> Result<Vec<u8>, csv::Error> {
    let mut w = writer();
    w.write_record(ROADMAP_COLUMNS.iter().map(|(name, _)| *name))?;
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
