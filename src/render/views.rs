//! What templates see: small, flat, already-formatted views of the model.
//!
//! Numbers are formatted here (「4,202」, 「約420万円」, 「令和6年度（2024年度）」) so that templates only place
//! text, and each page's context holds only what that page shows.

use serde::Serialize;

use super::routes;
use crate::config::{AccessibilityPolicy, Contact, License};
use crate::fiscal_year::{EndYear, FiscalYear};
use crate::indexes::{Group, TotalRow};
use crate::markdown;
use crate::model::{Initiative, Project, RoadmapRow, Site, StepOutcome};
use crate::money::Budget;

/// A link: text and a URL relative to the site root (to be prefixed with the page's `root`).
#[derive(Debug, Clone, Serialize)]
pub struct Link {
    pub name: String,
    pub url: String,
}

/// Site-wide facts every page shows. Statements in someone's name (publisher, licence, contact,
/// accessibility commitment) are here only when the configuration makes them.
#[derive(Debug, Clone, Serialize)]
pub struct SiteView {
    /// The site name, naming the scope when the site covers only part of the source.
    pub title: String,
    pub description: String,
    pub language: String,
    pub publisher: Option<String>,
    pub source: SourceView,
    pub budget_year: String,
    pub budget_year_short: String,
    pub license: Option<License>,
    pub contact: Option<Contact>,
    pub accessibility: Option<AccessibilityPolicy>,
    pub branding: BrandingView,
}

/// The publisher's logo, header links and footer line, as the default theme shows them.
#[derive(Debug, Clone, Serialize)]
pub struct BrandingView {
    pub logo: Option<LogoView>,
    pub links: Vec<Link>,
    pub footer: Option<String>,
}

/// A logo: `src` is an absolute URL, or a path from the site root (to be prefixed with `root`).
#[derive(Debug, Clone, Serialize)]
pub struct LogoView {
    pub src: String,
    pub absolute: bool,
    pub alt: String,
}

/// The source document, as the pages credit it.
#[derive(Debug, Clone, Serialize)]
pub struct SourceView {
    pub title: String,
    pub author: Option<String>,
    pub url: Option<String>,
    /// The part of the document the site covers, when only a part.
    pub scope: Option<String>,
}

/// A project as a line of a list.
#[derive(Debug, Clone, Serialize)]
pub struct ProjectSummary {
    pub name: String,
    pub url: String,
    pub category: Link,
    pub departments: Vec<Link>,
    pub sections: Vec<String>,
    pub joint: bool,
    /// 「4,202」 (thousand yen, grouped).
    pub budget: String,
    pub budget_plain: String,
    pub account: String,
    pub general_account: bool,
    pub priority: bool,
    pub future: bool,
    pub period: String,
    /// For the list filters: codes and numbers as `data-` attributes.
    pub filter: FilterData,
}

/// What the list filters of the home page read from each row.
#[derive(Debug, Clone, Serialize)]
pub struct FilterData {
    pub category: String,
    /// Department slugs separated by spaces.
    pub departments: String,
    pub start: u16,
    /// Empty when the end is undecided.
    pub end: String,
    pub budget: u64,
}

/// A date as written in the content (`iso`, for `<time datetime>`) and in Japanese (「2026年11月25日」).
#[derive(Debug, Clone, Serialize)]
pub struct DateView {
    pub iso: String,
    pub japanese: String,
}

/// [`DateView`] of a date checked as YYYY-MM-DD when read.
pub fn date_view(date: &str) -> DateView {
    let japanese = match date.split('-').collect::<Vec<_>>().as_slice() {
        [y, m, d] => format!(
            "{y}年{}月{}日",
            m.trim_start_matches('0'),
            d.trim_start_matches('0')
        ),
        _ => date.to_string(),
    };
    DateView {
        iso: date.to_string(),
        japanese,
    }
}

/// A budget total: grouped thousand yen and the plain reading.
#[derive(Debug, Clone, Serialize)]
pub struct Amount {
    pub thousand_yen: String,
    pub plain: String,
}

/// A line of a budget table.
#[derive(Debug, Clone, Serialize)]
pub struct TotalRowView {
    pub label: String,
    pub url: Option<String>,
    pub count: usize,
    pub total: String,
    pub joint: bool,
}

/// One column of the roadmap table.
#[derive(Debug, Clone, Serialize)]
pub struct YearColumn {
    pub code: String,
    pub japanese: String,
    pub western: u16,
    /// The configuration's current fiscal year (今年度).
    pub current: bool,
}

/// One cell of a roadmap row.
#[derive(Debug, Clone)]
pub struct RoadmapCell {
    /// 「計画」 or 「実績」 when the row covers the year; empty otherwise.
    pub kind: &'static str,
    pub label: String,
    /// The cell continues from the previous year (for drawing the bar).
    pub continues: bool,
    /// Against the plan, for a step whose 実績 is recorded: 「実施」 (done that year), 「実施なし」
    /// (planned for a year up to 今年度, not done), 「計画外に実施」; empty otherwise.
    pub result: &'static str,
}

/// What a [`RoadmapCell`] gives its page: its four fields.
#[derive(Serialize, PartialEq)]
#[serde(rename = "RoadmapCell")]
struct CellFields<'a> {
    kind: &'a str,
    label: &'a str,
    continues: bool,
    result: &'a str,
}

/// The cell of a year a row does not cover, the most common cell of a roadmap table.
const EMPTY_FIELDS: CellFields<'static> = CellFields {
    kind: "",
    label: "",
    continues: false,
    result: "",
};

/// [`EMPTY_FIELDS`] made into a Tera value once and shared by every page
/// ([`super::memo::Premade`]).
static EMPTY_CELL: std::sync::LazyLock<super::memo::Premade> =
    std::sync::LazyLock::new(|| super::memo::Premade::of(EMPTY_FIELDS));

impl Serialize for RoadmapCell {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let fields = CellFields {
            kind: self.kind,
            label: &self.label,
            continues: self.continues,
            result: self.result,
        };
        if fields == EMPTY_FIELDS {
            EMPTY_CELL.serialize(serializer)
        } else {
            fields.serialize(serializer)
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct RoadmapRowView {
    pub label: String,
    pub kind: &'static str,
    pub cells: Vec<RoadmapCell>,
    /// The years are inferred, not read from the sheet.
    pub inferred: bool,
    /// The number of the row's note below the table, if it has one.
    pub note: Option<usize>,
    /// How the step went against its plan (「計画どおり実施」…); empty when no 実績 is recorded.
    pub progress: &'static str,
    /// 「実績：令和6年度、令和7年度」 or 「実績：なし」; empty when no 実績 is recorded.
    pub actual: String,
    pub actual_note: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct InitiativeView {
    pub number: usize,
    /// 「取組1　〇〇」, or the title alone when it already carries its number (「取組１　〇〇」).
    pub heading: String,
    pub title: String,
    pub description_html: String,
    pub rows: Vec<RoadmapRowView>,
}

/// A note below a project's roadmap table: why a row's years are inferred, and that a row reaches
/// outside the project's own years.
#[derive(Debug, Clone, Serialize)]
pub struct RowNote {
    pub number: usize,
    pub label: String,
    /// Why the years were inferred; empty for rows as written.
    pub reason: String,
    /// 「令和7年度〜令和10年度は、事業終期（令和6年度）より後の年度です。」, or empty.
    pub outside: String,
}

/// What a project page says about the basis of its roadmap's years.
#[derive(Debug, Clone, Serialize)]
pub struct RoadmapBasis {
    pub rows: usize,
    pub inferred: usize,
    pub notes: Vec<RowNote>,
}

/// Everything a project page shows.
#[derive(Debug, Clone, Serialize)]
pub struct ProjectView {
    #[serde(flatten)]
    pub summary: ProjectSummary,
    /// The project's JSON file, relative to the site root.
    pub json_url: String,
    pub field: Link,
    pub start: String,
    pub end: String,
    pub sheet_number: Option<u32>,
    pub overview_html: String,
    pub situation_html: String,
    pub outcome_html: String,
    pub notes_html: String,
    pub initiatives: Vec<InitiativeView>,
    pub roadmap_basis: RoadmapBasis,
    /// Whether any roadmap row records 実績.
    pub has_actual: bool,
    /// The last year results are compared up to: 「令和8年度」.
    pub results_until: String,
}

pub fn site_view(site: &Site) -> SiteView {
    let config = &site.config;
    SiteView {
        title: config.full_title(),
        description: config.description.clone(),
        language: config.language.clone(),
        publisher: config.publisher.clone(),
        source: SourceView {
            title: config.source.title.clone(),
            author: config.source.author.clone(),
            url: config.source.url.clone(),
            scope: config.source.scope.clone(),
        },
        budget_year: config.budget_year.long(),
        budget_year_short: config.budget_year.japanese(),
        license: config.license.clone(),
        contact: config.contact.clone(),
        accessibility: config.accessibility.clone(),
        branding: BrandingView {
            logo: config.branding.logo.as_ref().map(|src| LogoView {
                absolute: !crate::config::is_site_path(src),
                src: src.clone(),
                alt: config.branding.logo_alt.clone().unwrap_or_default(),
            }),
            links: config
                .branding
                .links
                .iter()
                .map(|l| Link {
                    name: l.name.clone(),
                    url: l.url.clone(),
                })
                .collect(),
            footer: config.branding.footer.clone(),
        },
    }
}

pub fn amount(budget: Budget) -> Amount {
    Amount {
        thousand_yen: budget.grouped(),
        plain: budget.plain(),
    }
}

pub fn summary(site: &Site, project: &Project) -> ProjectSummary {
    let vocabulary = &site.vocabulary;
    ProjectSummary {
        name: project.name.clone(),
        url: routes::project_url(project),
        category: Link {
            name: vocabulary.category(project.category).name.clone(),
            url: routes::category_url(site, project.category),
        },
        departments: project
            .departments
            .iter()
            .map(|&d| Link {
                name: vocabulary.department(d).name.clone(),
                url: routes::department_url(site, d),
            })
            .collect(),
        sections: project
            .sections
            .iter()
            .map(|&s| vocabulary.section(s).name.clone())
            .collect(),
        joint: project.is_joint(),
        budget: project.budget.grouped(),
        budget_plain: project.budget.plain(),
        account: vocabulary.account(project.account).name.clone(),
        general_account: project.account == crate::vocabulary::AccountId::DEFAULT,
        priority: project.priority,
        future: project.future,
        period: period(project),
        filter: FilterData {
            category: vocabulary.category(project.category).slug.clone(),
            departments: project
                .departments
                .iter()
                .map(|&d| vocabulary.department(d).slug.as_str())
                .collect::<Vec<_>>()
                .join(" "),
            start: project.start.year().western(),
            end: project
                .end
                .year()
                .map(|y| y.western().to_string())
                .unwrap_or_default(),
            budget: project.budget.thousand_yen(),
        },
    }
}

/// The years a project runs, as lists show them: 「令和6年度〜令和8年度」.
pub fn period(project: &Project) -> String {
    format!("{}〜{}", project.start.japanese(), project.end.japanese())
}

pub fn year_columns(site: &Site, years: &[FiscalYear]) -> Vec<YearColumn> {
    years
        .iter()
        .map(|&y| YearColumn {
            code: y.code(),
            japanese: y.japanese(),
            western: y.western(),
            current: site.config.current_year == Some(y),
        })
        .collect()
}

/// Where to ask about a project: one entry per department in charge, with its sections, each with
/// the phone, e-mail and web page the vocabulary declares (none when it declares none).
#[derive(Serialize)]
pub struct ContactView {
    pub name: String,
    /// The department's page on this site (its projects).
    pub url: String,
    pub ways: ContactWays,
    pub sections: Vec<SectionContact>,
}

#[derive(Serialize)]
pub struct SectionContact {
    pub name: String,
    pub ways: ContactWays,
}

#[derive(Serialize)]
pub struct ContactWays {
    pub phone: Option<String>,
    /// The number for a `tel:` link: digits only.
    pub phone_link: Option<String>,
    pub email: Option<String>,
    pub url: Option<String>,
    pub any: bool,
}

fn contact_ways(contact: &crate::vocabulary::Contact) -> ContactWays {
    ContactWays {
        phone: contact.phone().map(str::to_string),
        phone_link: contact
            .phone()
            .map(|p| p.chars().filter(char::is_ascii_digit).collect()),
        email: contact.email().map(str::to_string),
        url: contact.url().map(str::to_string),
        any: !contact.is_empty(),
    }
}

/// The project's departments in its order, each with those of the project's sections it declares.
pub fn contacts(site: &Site, project: &Project) -> Vec<ContactView> {
    let vocabulary = &site.vocabulary;
    project
        .departments
        .iter()
        .map(|&d| {
            let department = vocabulary.department(d);
            ContactView {
                name: department.name.clone(),
                url: routes::department_url(site, d),
                ways: contact_ways(&department.contact),
                sections: project
                    .sections
                    .iter()
                    .filter(|s| s.department == d)
                    .map(|&s| {
                        let section = vocabulary.section(s);
                        SectionContact {
                            name: section.name.clone(),
                            ways: contact_ways(&section.contact),
                        }
                    })
                    .collect(),
            }
        })
        .collect()
}

pub fn project_view(site: &Site, project: &Project, years: &[FiscalYear]) -> ProjectView {
    let until = results_until(site);
    let mut notes = Vec::new();
    let initiatives = project
        .initiatives
        .iter()
        .enumerate()
        .map(|(i, initiative)| {
            initiative_view(i + 1, initiative, project, years, until, &mut notes)
        })
        .collect();
    ProjectView {
        summary: summary(site, project),
        json_url: routes::project_json(&project.slug),
        field: Link {
            name: site.vocabulary.field(project.category.field).name.clone(),
            url: routes::field_url(site, project.category.field),
        },
        start: project.start.long(),
        end: project.end.long(),
        sheet_number: project.sheet_number,
        overview_html: markdown::to_html(&project.overview),
        situation_html: markdown::to_html(&project.situation),
        outcome_html: markdown::to_html(&project.outcome),
        notes_html: markdown::to_html(&project.notes),
        initiatives,
        roadmap_basis: RoadmapBasis {
            rows: project.rows().count(),
            inferred: project.rows().filter(|r| r.basis.is_inferred()).count(),
            notes,
        },
        has_actual: project.rows().any(|r| r.actual.is_some()),
        results_until: until.japanese(),
    }
}

/// The last fiscal year whose 実績 can be expected: 今年度 when configured, else the edition's
/// own year (never the build date).
pub fn results_until(site: &Site) -> FiscalYear {
    site.config.current_year.unwrap_or(site.config.budget_year)
}

fn initiative_view(
    number: usize,
    initiative: &Initiative,
    project: &Project,
    years: &[FiscalYear],
    until: FiscalYear,
    notes: &mut Vec<RowNote>,
) -> InitiativeView {
    InitiativeView {
        number,
        heading: initiative_heading(number, &initiative.title),
        title: initiative.title.clone(),
        description_html: markdown::to_html(&initiative.description),
        rows: initiative
            .roadmap
            .iter()
            .map(|row| {
                let note = row_note(row, project, notes.len() + 1);
                let number = note.as_ref().map(|n| n.number);
                notes.extend(note);
                RoadmapRowView {
                    note: number,
                    ..row_view(row, years, until)
                }
            })
            .collect(),
    }
}

/// 「取組1　〇〇」; a title that already starts with 取組 and a number (half or full width) is
/// not numbered again.
pub fn initiative_heading(number: usize, title: &str) -> String {
    let rest = title.trim_start().strip_prefix("取組").unwrap_or_default();
    let numbered = rest
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_digit() || ('０'..='９').contains(&c));
    if numbered {
        title.to_string()
    } else {
        format!("取組{number}　{title}")
    }
}

/// The note a row needs below the table, numbered `number`: its inferred years' reason, and the
/// years it has outside the project's own.
fn row_note(row: &RoadmapRow, project: &Project, number: usize) -> Option<RowNote> {
    let outside = project.years_outside(row);
    let outside = if outside.is_empty() {
        String::new()
    } else {
        outside_years_text(project, &outside)
    };
    let reason = row.basis.reason().unwrap_or_default().to_string();
    (!reason.is_empty() || !outside.is_empty()).then(|| RowNote {
        number,
        label: row.label.clone(),
        reason,
        outside,
    })
}

/// 「令和7年度〜令和10年度は、事業終期（令和6年度）より後の年度です。」
fn outside_years_text(project: &Project, outside: &[FiscalYear]) -> String {
    let (before, after): (Vec<FiscalYear>, Vec<FiscalYear>) =
        outside.iter().partition(|&&y| y < project.start.year());
    let mut parts = Vec::new();
    if !before.is_empty() {
        parts.push(format!(
            "{}は、事業始期（{}）より前の年度です。",
            years_text(&before),
            project.start.japanese()
        ));
    }
    if let (false, EndYear::Year(end)) = (after.is_empty(), project.end) {
        parts.push(format!(
            "{}は、事業終期（{}）より後の年度です。",
            years_text(&after),
            end.japanese()
        ));
    }
    parts.concat()
}

/// Years as words, runs joined: 「令和7年度〜令和10年度」, 「令和6年度、令和8年度」.
pub fn years_text(years: &[FiscalYear]) -> String {
    let mut runs: Vec<(FiscalYear, FiscalYear)> = Vec::new();
    for &year in years {
        match runs.last_mut() {
            Some((_, last)) if last.western() + 1 == year.western() => *last = year,
            _ => runs.push((year, year)),
        }
    }
    runs.iter()
        .map(|&(first, last)| {
            if first == last {
                first.japanese()
            } else {
                format!("{}〜{}", first.japanese(), last.japanese())
            }
        })
        .collect::<Vec<_>>()
        .join("、")
}

fn row_view(row: &RoadmapRow, years: &[FiscalYear], until: FiscalYear) -> RoadmapRowView {
    let marked = |year: FiscalYear| row.covers(year) || row.done_in(year);
    let cells = years
        .iter()
        .enumerate()
        .map(|(i, &year)| {
            let covered = row.covers(year);
            let label = row
                .year_labels
                .get(&year)
                .or_else(|| row.actual.as_ref().and_then(|a| a.year_labels.get(&year)))
                .cloned()
                .unwrap_or_default();
            RoadmapCell {
                kind: if covered { row.kind.label() } else { "" },
                label,
                continues: marked(year) && i > 0 && marked(years[i - 1]),
                result: cell_result(row, year, until),
            }
        })
        .collect();
    let actual = row.actual.as_ref();
    RoadmapRowView {
        label: row.label.clone(),
        kind: row.kind.label(),
        cells,
        inferred: row.basis.is_inferred(),
        note: None,
        progress: row.progress(until).map_or("", StepOutcome::words),
        actual: actual.map_or_else(String::new, |a| {
            if a.years.is_empty() {
                "実績：なし".to_string()
            } else {
                format!("実績：{}", years_text(&a.years))
            }
        }),
        actual_note: actual.map_or_else(String::new, |a| a.note.clone()),
    }
}

/// What a year's cell says of a step's 実績 against its plan (see [`RoadmapCell::result`]).
fn cell_result(row: &RoadmapRow, year: FiscalYear, until: FiscalYear) -> &'static str {
    if row.actual.is_none() {
        return "";
    }
    match (row.covers(year), row.done_in(year)) {
        (true, true) => "実施",
        (false, true) => "計画外に実施",
        (true, false) if year <= until => "実施なし",
        _ => "",
    }
}

/// The lines of a budget table, each labelled and linked from the ids it stands for.
pub fn total_rows(site: &Site, rows: &[TotalRow]) -> Vec<TotalRowView> {
    rows.iter()
        .map(|r| TotalRowView {
            label: group_label(site, &r.group),
            url: group_url(site, &r.group),
            count: r.count,
            total: r.total.grouped(),
            joint: r.is_joint(),
        })
        .collect()
}

/// The name of what a budget line stands for: 「病院事業会計」, 「環境政策部・警察本部（共同）」.
pub fn group_label(site: &Site, group: &Group) -> String {
    let vocabulary = &site.vocabulary;
    let flag = |name: &str, value: bool| {
        if value {
            name.to_string()
        } else {
            format!("{name}以外")
        }
    };
    match group {
        Group::Account(a) => vocabulary.account(*a).name.clone(),
        Group::Category(id) => vocabulary.category(*id).name.clone(),
        Group::Departments(departments) => {
            let names: Vec<&str> = departments
                .iter()
                .map(|&d| vocabulary.department(d).name.as_str())
                .collect();
            if departments.len() > 1 {
                format!("{}（共同）", names.join("・"))
            } else {
                names.concat()
            }
        }
        Group::Section(id) => vocabulary.section(*id).name.clone(),
        Group::Priority(value) => flag("重点枠事業", *value),
        Group::Future(value) => flag("将来対応分", *value),
    }
}

/// The page that lists what a budget line stands for, where there is one.
fn group_url(site: &Site, group: &Group) -> Option<String> {
    match group {
        Group::Category(id) => Some(routes::category_url(site, *id)),
        Group::Departments(departments) => match departments.as_slice() {
            [only] => Some(routes::department_url(site, *only)),
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A cell, empty or not, gives its page the value its four fields make (the empty one is
    /// shared, not made again).
    #[test]
    fn a_cell_gives_the_value_of_its_fields() {
        let cell =
            |kind: &'static str, label: &str, continues: bool, result: &'static str| RoadmapCell {
                kind,
                label: label.to_string(),
                continues,
                result,
            };
        for c in [
            cell("", "", false, ""),
            cell("計画", "", false, ""),
            cell("", "実証", false, ""),
            cell("", "", true, ""),
            cell("", "", false, "実施なし"),
            cell("実績", "導入", true, "実施"),
        ] {
            let fields = CellFields {
                kind: c.kind,
                label: &c.label,
                continues: c.continues,
                result: c.result,
            };
            assert_eq!(
                tera::Value::from_serializable(&c),
                tera::Value::from_serializable(&fields),
                "{c:?}"
            );
        }
    }

    #[test]
    fn a_title_that_carries_its_number_is_not_numbered_again() {
        assert_eq!(initiative_heading(2, "ポータル構築"), "取組2　ポータル構築");
        assert_eq!(
            initiative_heading(1, "取組１　授業実践先進校創出プログラム"),
            "取組１　授業実践先進校創出プログラム"
        );
        assert_eq!(initiative_heading(3, "取組3 研修"), "取組3 研修");
        assert_eq!(initiative_heading(1, "取組の見直し"), "取組1　取組の見直し");
    }

    #[test]
    fn years_are_written_as_runs() {
        let years: Vec<FiscalYear> = [7, 8, 9, 10].map(FiscalYear::reiwa).to_vec();
        assert_eq!(years_text(&years), "令和7年度〜令和10年度");
        let years: Vec<FiscalYear> = [6, 8, 9].map(FiscalYear::reiwa).to_vec();
        assert_eq!(years_text(&years), "令和6年度、令和8年度〜令和9年度");
        assert_eq!(years_text(&[FiscalYear::reiwa(1)]), "令和元年度");
    }
}
