//! The timeline: every project's years on one table, with the roadmap rows whose years are inferred.

use super::*;

pub(super) fn timeline_context(site: &Site, indexes: &Indexes, context: &mut PageContext) {
    #[derive(serde::Serialize)]
    struct Cell {
        /// 「実施」, 「実施（終期未定）」 or empty.
        text: &'static str,
        starts: bool,
    }
    #[derive(serde::Serialize)]
    struct Row {
        name: String,
        url: String,
        period: String,
        cells: Vec<Cell>,
        /// How many of the project's roadmap rows have inferred years.
        inferred: usize,
    }
    #[derive(serde::Serialize)]
    struct Group {
        name: String,
        url: String,
        rows: Vec<Row>,
    }
    let config = &site.config;
    let first = site
        .projects
        .iter()
        .map(|p| p.start.year())
        .min()
        .map_or(config.first_year, |y| y.min(config.first_year));
    let years: Vec<FiscalYear> = FiscalYear::range(first, config.last_year).collect();
    let row = |i: usize| {
        let project = &site.projects[i];
        let cells = years
            .iter()
            .map(|&year| {
                let open_end = project.end.year().is_none() && year == config.last_year;
                Cell {
                    text: match (project.runs_in(year), open_end) {
                        (true, true) => "実施（終期未定）",
                        (true, false) => "実施",
                        (false, _) => "",
                    },
                    starts: year == project.start.year(),
                }
            })
            .collect();
        Row {
            name: project.name.clone(),
            url: routes::project_url(project),
            period: views::period(project),
            cells,
            inferred: project.rows().filter(|r| r.basis.is_inferred()).count(),
        }
    };
    let groups: Vec<Group> = indexes
        .categories
        .iter()
        .filter(|g| !g.projects.is_empty())
        .map(|g| Group {
            name: site.vocabulary.category(g.id).name.clone(),
            url: routes::category_url(site, g.id),
            rows: g.projects.iter().map(|&i| row(i)).collect(),
        })
        .collect();
    context.insert("years", &views::year_columns(&years));
    context.insert("groups", &groups);
    context.insert("count", &site.projects.len());
    context.insert("row_counts", &site.row_counts());
}
