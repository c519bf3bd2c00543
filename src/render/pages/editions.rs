//! What a page says of the other editions: a project page links the same project (the same file
//! name) in every edition with its budget there, and an edition that is not the latest says so; the
//! root's page for a URL the latest edition no longer has says where it is. It exists so that the
//! editions read as one roadmap over the years rather than unrelated sites.

use crate::model::{Project, Site};
use crate::render::Source;
use crate::render::routes;

/// One edition's line of a project's history.
#[derive(serde::Serialize)]
pub(super) struct HistoryRow {
    /// 「令和6年度版」.
    pub edition: String,
    /// The project's budget in that edition, in thousand yen with commas; `None` when the edition
    /// does not list the project.
    pub budget: Option<String>,
    /// The project's page in that edition, relative to this page; `None` for this page itself and
    /// for an edition without the project.
    pub url: Option<String>,
    /// The 事業名 in that edition, when it differs from this page's.
    pub name: Option<String>,
    /// Whether the row is this page's edition.
    pub current: bool,
}

/// A project among the editions.
#[derive(serde::Serialize)]
pub(super) struct ProjectEditions {
    /// This page's edition: 「令和6年度版」.
    pub name: String,
    /// Whether this page's edition is the latest.
    pub latest: bool,
    /// The latest edition: 「令和7年度版」.
    pub latest_name: String,
    /// The project's page in the latest edition, relative to this page; `None` when the latest
    /// edition does not list it.
    pub latest_url: Option<String>,
    /// The latest edition's home page, relative to this page.
    pub latest_home: String,
    /// Every edition, oldest first.
    pub history: Vec<HistoryRow>,
    /// A bar chart of the budget in each edition that lists the project (SVG; the table beside
    /// it gives the same numbers in text).
    pub chart: String,
}

/// The project among the editions, when the site has more than one.
pub(super) fn project_editions(
    source: &Source<'_>,
    project: &Project,
    page_url: &str,
) -> Option<ProjectEditions> {
    let site: &Site = source.site;
    let place = site.edition.as_ref()?;
    let catalogue = &place.catalogue;
    if catalogue.editions.len() < 2 {
        return None;
    }
    let latest = catalogue.latest()?;
    let up = routes::site_root_prefix(page_url, source.mount);
    let key = catalogue
        .key_of(&place.edition, &project.slug)
        .unwrap_or(&project.slug);
    let history: Vec<HistoryRow> = catalogue
        .history(key)
        .map(|(edition, entry)| {
            let current = *edition == place.edition;
            HistoryRow {
                edition: edition.name(),
                budget: entry.map(|e| e.budget.grouped()),
                url: entry.filter(|_| !current).map(|e| {
                    format!(
                        "{up}{}",
                        routes::edition_project_url(&edition.code, &e.slug)
                    )
                }),
                name: entry
                    .filter(|e| e.name != project.name)
                    .map(|e| e.name.clone()),
                current,
            }
        })
        .collect();
    let in_latest = catalogue.editions.last().and_then(|e| e.projects.get(key));
    let names: Vec<(String, u64)> = catalogue
        .history(key)
        .filter_map(|(edition, entry)| Some((edition.name(), entry?.budget.thousand_yen())))
        .collect();
    let bars: Vec<crate::render::charts::Bar<'_>> = names
        .iter()
        .map(|(label, value)| crate::render::charts::Bar {
            label,
            value: *value,
        })
        .collect();
    let chart = crate::render::charts::bar_chart(
        &format!("{}の年度版ごとの事業費の棒グラフ", project.name),
        &bars,
    );
    Some(ProjectEditions {
        name: place.edition.name(),
        latest: place.is_latest(),
        latest_name: latest.name(),
        latest_url: in_latest
            .map(|e| format!("{up}{}", routes::edition_project_url(&latest.code, &e.slug))),
        latest_home: format!("{up}{}", routes::edition_root(&latest.code)),
        history,
        chart,
    })
}

/// The root's page for a URL of an earlier edition that the latest does not have.
#[derive(serde::Serialize)]
pub(super) struct AbsentView {
    /// What the page was called (the 事業名 for a project).
    pub title: String,
    /// Whether it was a project's page.
    pub project: bool,
    /// The latest edition: 「令和7年度版」.
    pub latest_name: String,
    /// The latest edition that has the page: 「令和6年度版」.
    pub found_in: String,
    /// The page in that edition, relative to this page.
    pub url: String,
    /// A 事業 renamed since: its page in the latest edition (relative to this page) and its name.
    pub renamed_url: Option<String>,
    pub renamed_name: Option<String>,
}

pub(super) fn absent_view(source: &Source<'_>, i: usize, page_url: &str) -> Option<AbsentView> {
    let absent = routes::absent(source.site, i)?;
    let latest = source.site.edition.as_ref()?.catalogue.latest()?;
    let up = routes::site_root_prefix(page_url, source.mount);
    Some(AbsentView {
        title: absent.title.clone(),
        project: absent.project,
        latest_name: latest.name(),
        found_in: absent.found_in.name(),
        url: format!(
            "{up}{}",
            routes::in_edition(&absent.found_in.code, &absent.url)
        ),
        renamed_url: absent
            .renamed_to
            .as_ref()
            .map(|r| format!("{up}{}", routes::in_edition(&latest.code, &r.url))),
        renamed_name: absent.renamed_to.as_ref().map(|r| r.name.clone()),
    })
}

/// A link to the same page in one edition.
#[derive(serde::Serialize)]
pub(super) struct EditionLink {
    /// 「令和6年度版」.
    pub name: String,
    /// The page in that edition (its permanent URL), relative to this page.
    pub url: String,
    /// Whether this page shows that edition.
    pub current: bool,
    pub latest: bool,
}

/// The same page in every edition, for pages every edition has at the same URL (the home page
/// with its filters, search, the indexes, the budget, the timeline, open data): how a reader picks
/// another edition. `None` on a site with one edition and on other pages.
pub(super) fn edition_links(
    source: &Source<'_>,
    page: routes::PageKind,
    page_url: &str,
) -> Option<Vec<EditionLink>> {
    use routes::PageKind as K;
    if !matches!(
        page,
        K::Home | K::Fields | K::Departments | K::Budget | K::Timeline | K::Search | K::Data
    ) {
        return None;
    }
    let place = source.site.edition.as_ref()?;
    let catalogue = &place.catalogue;
    if catalogue.editions.len() < 2 {
        return None;
    }
    let up = routes::site_root_prefix(page_url, source.mount);
    let latest = catalogue.latest();
    Some(
        catalogue
            .editions
            .iter()
            .rev()
            .map(|e| EditionLink {
                name: e.edition.name(),
                url: format!("{up}{}{page_url}", routes::edition_root(&e.edition.code)),
                current: e.edition == place.edition,
                latest: Some(&e.edition) == latest,
            })
            .collect(),
    )
}
