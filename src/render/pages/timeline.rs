//! The timeline: every project's years on one table, opening on the roadmap's own years (earlier
//! years in one column), with each project's roadmap rows in words under its name.

use rayon::prelude::*;

use super::*;
use crate::model::Project;

#[derive(serde::Serialize)]
struct Cell {
    /// 「実施」, 「実施（終期未定）」 or empty.
    text: &'static str,
    starts: bool,
    /// The column of the current fiscal year (今年度).
    current: bool,
}

/// A roadmap row in words: 「計画：令和6年度〜令和8年度（年度は推定）」.
#[derive(serde::Serialize)]
struct StepLine {
    label: String,
    kind: &'static str,
    years: String,
    inferred: bool,
    /// 「実績 令和8年度（計画より遅れて実施）」 when the step records 実績; empty otherwise.
    actual: String,
}

#[derive(serde::Serialize)]
struct InitiativeLines {
    heading: String,
    steps: Vec<StepLine>,
}

#[derive(serde::Serialize)]
struct Row {
    name: String,
    url: String,
    period: String,
    cells: Vec<Cell>,
    /// How many of the project's roadmap rows have inferred years.
    inferred: usize,
    /// How many roadmap rows the project has, and each initiative's, in words.
    steps: usize,
    initiatives: Vec<InitiativeLines>,
}

#[derive(serde::Serialize)]
struct Group {
    name: String,
    url: String,
    /// [`Row`] values, shared ([`Source`]).
    rows: Vec<Premade>,
}

/// The column of the years before the roadmap's first, when some project began before it.
#[derive(serde::Serialize)]
struct EarlierColumn {
    /// 「令和5年度以前」.
    japanese: String,
    /// 「2023年度以前」.
    western: String,
}

/// The roadmap's years, and the column of earlier years when some project began before them.
fn columns(site: &Site) -> (Vec<FiscalYear>, Option<EarlierColumn>) {
    let config = &site.config;
    let years: Vec<FiscalYear> = FiscalYear::range(config.first_year, config.last_year).collect();
    let earlier = site
        .projects
        .iter()
        .any(|p| p.start.year() < config.first_year)
        .then(|| {
            let last = FiscalYear::from_western(config.first_year.western() - 1);
            EarlierColumn {
                japanese: format!("{}以前", last.japanese()),
                western: format!("{}年度以前", last.western()),
            }
        });
    (years, earlier)
}

/// Every project's row of the timeline, in the order of the site's projects, as values made once
/// for the pages of a render ([`Source`]), or kept with the projects' open data in `data`; in
/// parallel with `parallel`.
pub(super) fn rows(
    site: &Site,
    data: Option<&crate::render::data::OpenData>,
    parallel: bool,
) -> Vec<Premade> {
    let (years, earlier) = columns(site);
    let earlier = earlier.is_some();
    let row = |(i, project): (usize, &std::sync::Arc<Project>)| {
        let make = || Premade::of(row(site, &years, earlier, project));
        match data.and_then(|d| d.project_as(i, project)) {
            Some(kept) => kept.timeline_row(earlier, make),
            None => make(),
        }
    };
    if parallel {
        site.projects.par_iter().enumerate().map(row).collect()
    } else {
        site.projects.iter().enumerate().map(row).collect()
    }
}

/// A project's row: its years on the table, and its roadmap rows in words.
fn row(site: &Site, years: &[FiscalYear], earlier: bool, project: &Project) -> Row {
    let config = &site.config;
    let mut cells: Vec<Cell> = Vec::with_capacity(years.len() + 1);
    if earlier {
        let before = project.start.year() < config.first_year;
        cells.push(Cell {
            text: if before { "実施" } else { "" },
            starts: before,
            current: false,
        });
    }
    cells.extend(years.iter().map(|&year| {
        let open_end = project.end.year().is_none() && year == config.last_year;
        Cell {
            text: match (project.runs_in(year), open_end) {
                (true, true) => "実施（終期未定）",
                (true, false) => "実施",
                (false, _) => "",
            },
            starts: year == project.start.year(),
            current: config.current_year == Some(year),
        }
    }));
    Row {
        name: project.name.clone(),
        url: routes::project_url(project),
        period: views::period(project),
        cells,
        inferred: project.rows().filter(|r| r.basis.is_inferred()).count(),
        steps: project.rows().count(),
        initiatives: initiative_lines(project, views::results_until(site)),
    }
}

pub(super) fn timeline_context(source: &Source<'_>, context: &mut PageContext) {
    let (site, indexes) = (source.site, source.indexes);
    let config = &site.config;
    let (years, earlier) = columns(site);
    let rows = source.timeline_rows();
    let groups: Vec<Group> = indexes
        .categories
        .iter()
        .filter(|g| !g.projects.is_empty())
        .map(|g| Group {
            name: site.vocabulary.category(g.id).name.clone(),
            url: routes::category_url(site, g.id),
            rows: g
                .projects
                .iter()
                .filter_map(|&i| rows.get(i).cloned())
                .collect(),
        })
        .collect();
    let first_project_year = site.projects.iter().map(|p| p.start.year()).min();
    context.insert("years", &views::year_columns(site, &years));
    context.insert(
        "columns",
        &(1 + years.len() + usize::from(earlier.is_some())),
    );
    context.insert(
        "has_current",
        &config.current_year.is_some_and(|y| years.contains(&y)),
    );
    context.insert("earlier", &earlier);
    context.insert(
        "first_year",
        &first_project_year
            .map_or(config.first_year, |y| y.min(config.first_year))
            .japanese(),
    );
    context.insert("groups", &groups);
    context.insert("count", &site.projects.len());
    context.insert("row_counts", &site.row_counts());
}

/// Each initiative's roadmap rows as lines of words.
fn initiative_lines(
    project: &Project,
    until: crate::fiscal_year::FiscalYear,
) -> Vec<InitiativeLines> {
    project
        .initiatives
        .iter()
        .enumerate()
        .filter(|(_, initiative)| !initiative.roadmap.is_empty())
        .map(|(n, initiative)| InitiativeLines {
            heading: views::initiative_heading(n + 1, &initiative.title),
            steps: initiative
                .roadmap
                .iter()
                .map(|row| StepLine {
                    label: row.label.clone(),
                    kind: row.kind.label(),
                    years: views::years_text(&row.years),
                    inferred: row.basis.is_inferred(),
                    actual: row.actual.as_ref().map_or_else(String::new, |a| {
                        let done = if a.years.is_empty() {
                            "なし".to_string()
                        } else {
                            views::years_text(&a.years)
                        };
                        let outcome = row
                            .progress(until)
                            .map_or("", crate::model::StepOutcome::words);
                        format!("実績 {done}（{outcome}）")
                    }),
                })
                .collect(),
        })
        .collect()
}
