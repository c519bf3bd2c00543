//! What templates see: small, flat, already-formatted views of the model.
//!
//! Numbers are formatted here (「4,202」, 「約420万円」, 「令和6年度（2024年度）」) so that templates only place
//! text, and each page's context holds only what that page shows.

use serde::Serialize;

use crate::fiscal_year::FiscalYear;
use crate::indexes::TotalRow;
use crate::markdown;
use crate::model::{Initiative, Project, RoadmapRow, Site};
use crate::money::Budget;
use crate::vocabulary::CategoryId;

/// A link: text and a URL relative to the site root (to be prefixed with the page's `root`).
#[derive(Debug, Clone, Serialize)]
pub struct Link {
    pub name: String,
    pub url: String,
}

/// Site-wide facts every page shows.
#[derive(Debug, Clone, Serialize)]
pub struct SiteView {
    pub title: String,
    pub description: String,
    pub language: String,
    pub publisher: String,
    pub source_title: String,
    pub budget_year: String,
    pub budget_year_short: String,
    pub license: crate::config::License,
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
}

/// One cell of a roadmap row.
#[derive(Debug, Clone, Serialize)]
pub struct RoadmapCell {
    /// 「計画」 or 「実績」 when the row covers the year; empty otherwise.
    pub kind: &'static str,
    pub label: String,
    /// The cell continues from the previous year (for drawing the bar).
    pub continues: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct RoadmapRowView {
    pub label: String,
    pub kind: &'static str,
    pub cells: Vec<RoadmapCell>,
}

#[derive(Debug, Clone, Serialize)]
pub struct InitiativeView {
    pub number: usize,
    pub title: String,
    pub description_html: String,
    pub rows: Vec<RoadmapRowView>,
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
}

pub fn site_view(site: &Site) -> SiteView {
    let config = &site.config;
    SiteView {
        title: config.title.clone(),
        description: config.description.clone(),
        language: config.language.clone(),
        publisher: config.publisher.clone(),
        source_title: config.source_title.clone(),
        budget_year: config.budget_year.long(),
        budget_year_short: config.budget_year.japanese(),
        license: config.license.clone(),
    }
}

pub fn project_url(project: &Project) -> String {
    format!("projects/{}/", project.slug)
}

pub fn field_url(site: &Site, field: usize) -> String {
    format!("fields/{}/", site.vocabulary.fields[field].slug)
}

pub fn category_url(site: &Site, id: CategoryId) -> String {
    format!(
        "fields/{}/{}/",
        site.vocabulary.fields[id.field].slug,
        site.vocabulary.category(id).slug
    )
}

pub fn department_url(site: &Site, department: usize) -> String {
    format!(
        "departments/{}/",
        site.vocabulary.departments[department].slug
    )
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
        url: project_url(project),
        category: Link {
            name: vocabulary.category(project.category).name.clone(),
            url: category_url(site, project.category),
        },
        departments: project
            .departments
            .iter()
            .map(|&d| Link {
                name: vocabulary.departments[d].name.clone(),
                url: department_url(site, d),
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
        account: vocabulary.accounts[project.account].name.clone(),
        general_account: project.account == 0,
        priority: project.priority,
        future: project.future,
        period: period(project),
        filter: FilterData {
            category: vocabulary.category(project.category).slug.clone(),
            departments: project
                .departments
                .iter()
                .map(|&d| vocabulary.departments[d].slug.as_str())
                .collect::<Vec<_>>()
                .join(" "),
            start: project.start.western(),
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
    format!("{}〜{}", project.start.japanese(), end_short(project))
}

fn end_short(project: &Project) -> String {
    project.end.year().map_or_else(
        || crate::fiscal_year::UNDECIDED.to_string(),
        |y| y.japanese(),
    )
}

pub fn year_columns(years: &[FiscalYear]) -> Vec<YearColumn> {
    years
        .iter()
        .map(|y| YearColumn {
            code: y.code(),
            japanese: y.japanese(),
            western: y.western(),
        })
        .collect()
}

pub fn project_view(site: &Site, project: &Project, years: &[FiscalYear]) -> ProjectView {
    ProjectView {
        summary: summary(site, project),
        json_url: super::data::json_path(&project.slug),
        field: Link {
            name: site.vocabulary.fields[project.category.field].name.clone(),
            url: field_url(site, project.category.field),
        },
        start: project.start.long(),
        end: project.end.long(),
        sheet_number: project.sheet_number,
        overview_html: markdown::to_html(&project.overview),
        situation_html: markdown::to_html(&project.situation),
        outcome_html: markdown::to_html(&project.outcome),
        notes_html: markdown::to_html(&project.notes),
        initiatives: project
            .initiatives
            .iter()
            .enumerate()
            .map(|(i, initiative)| initiative_view(i + 1, initiative, years))
            .collect(),
    }
}

fn initiative_view(number: usize, initiative: &Initiative, years: &[FiscalYear]) -> InitiativeView {
    InitiativeView {
        number,
        title: initiative.title.clone(),
        description_html: markdown::to_html(&initiative.description),
        rows: initiative
            .roadmap
            .iter()
            .map(|row| row_view(row, years))
            .collect(),
    }
}

fn row_view(row: &RoadmapRow, years: &[FiscalYear]) -> RoadmapRowView {
    let cells = years
        .iter()
        .enumerate()
        .map(|(i, &year)| {
            let covered = row.covers(year);
            RoadmapCell {
                kind: if covered { row.kind.label() } else { "" },
                label: row.year_labels.get(&year).cloned().unwrap_or_default(),
                continues: covered && i > 0 && row.covers(years[i - 1]),
            }
        })
        .collect();
    RoadmapRowView {
        label: row.label.clone(),
        kind: row.kind.label(),
        cells,
    }
}

pub fn total_rows(rows: &[TotalRow], urls: impl Fn(usize) -> Option<String>) -> Vec<TotalRowView> {
    rows.iter()
        .enumerate()
        .map(|(i, r)| TotalRowView {
            label: r.label.clone(),
            url: urls(i),
            count: r.count,
            total: r.total.grouped(),
            joint: r.joint,
        })
        .collect()
}
