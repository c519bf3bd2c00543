//! What each page shows: its template, title, breadcrumbs and a small context built from the model
//! and the indexes ([`context`] chooses), with one module per page family.

mod budget;
mod changes;
mod data_page;
mod departments;
mod editions;
mod fields;
mod home;
mod timeline;

use tera::Context;

use super::labels::Labels;
use super::memo::{Fingerprint, Premade};
use super::routes::{self, PageKind};
use super::views::{self, Link};
use super::{Source, charts, data};
use crate::fiscal_year::FiscalYear;
use crate::indexes::Indexes;
use crate::model::Site;
use crate::vocabulary::{CategoryId, DepartmentId, FieldId};

/// A page's context, remembering the names it was given: `docs/theme.md` lists them, and a test
/// checks the two agree. Made for a fingerprint ([`PageContext::for_fingerprint`]), it keeps only
/// the fingerprint of its values (see [`super::memo`]).
#[derive(Default)]
pub(super) struct PageContext {
    context: Context,
    names: Vec<&'static str>,
    fingerprint: Option<Fingerprint>,
}

impl PageContext {
    fn for_fingerprint() -> PageContext {
        PageContext {
            fingerprint: Some(Fingerprint::new()),
            ..PageContext::default()
        }
    }

    pub(super) fn insert<T: serde::Serialize + ?Sized>(&mut self, name: &'static str, value: &T) {
        if !self.names.contains(&name) {
            self.names.push(name);
        }
        match &mut self.fingerprint {
            Some(fingerprint) => fingerprint.add(name, value),
            None => self.context.insert(name, value),
        }
    }

    pub(super) fn tera(&self) -> &Context {
        &self.context
    }

    #[cfg(test)]
    pub(super) fn names(&self) -> &[&'static str] {
        &self.names
    }
}

/// Every project's row of the timeline, in the order of the site's projects (see [`Source`]).
pub(super) fn timeline_rows(
    site: &Site,
    data: Option<&super::data::OpenData>,
    parallel: bool,
) -> Vec<Premade> {
    timeline::rows(site, data, parallel)
}

/// Whether a page lists projects with their list lines ([`Source`]'s summaries).
pub(super) fn lists_projects(page: PageKind) -> bool {
    matches!(
        page,
        PageKind::Home
            | PageKind::Field(_)
            | PageKind::Category(_)
            | PageKind::Department(_)
            | PageKind::Budget
    )
}

fn link(name: impl Into<String>, url: impl Into<String>) -> Link {
    Link {
        name: name.into(),
        url: url.into(),
    }
}

/// The template and the context of a page.
pub(super) fn context(
    source: &Source<'_>,
    labels: &Labels,
    page: PageKind,
) -> (&'static str, PageContext) {
    let mut context = PageContext::default();
    let template = fill(source, labels, page, &mut context);
    (template, context)
}

/// The fingerprint of a page rendered by way of `mode` (see [`super::memo`]): made from the same
/// values as its context, without making them into Tera values.
pub(super) fn fingerprint(
    source: &Source<'_>,
    labels: &Labels,
    page: PageKind,
    mode: &str,
) -> Option<u64> {
    let mut context = PageContext::for_fingerprint();
    let template = fill(source, labels, page, &mut context);
    context.fingerprint?.finish(mode, template)
}

/// Puts a page's values into `context`; returns its template.
fn fill(
    source: &Source<'_>,
    labels: &Labels,
    page: PageKind,
    context: &mut PageContext,
) -> &'static str {
    let (site, indexes) = (source.site, source.indexes);
    let page_url = routes::url(site, page);
    context.insert("site", &source.site_view);
    // The 404 page is served at any depth, so its links start from the site's path on the host
    // (from the base URL): right on any host and port, under a sub-path too.
    let public_base_url = site.config.public_base_url();
    let root = match page {
        PageKind::NotFound => public_base_url.map_or_else(|| "/".to_string(), routes::url_path),
        _ => routes::root_prefix(&page_url),
    };
    context.insert("root", &root);
    // Absolute URLs only from a public base URL: never a local address, never a guess.
    // With editions, the permanent URL in the edition's folder, also for the latest edition's
    // pages at the root.
    let canonical =
        public_base_url.map(|base| format!("{base}{}", routes::canonical_path(site, page)));
    context.insert("canonical", &canonical);
    context.insert(
        "indexable",
        &!matches!(page, PageKind::NotFound | PageKind::Absent(_)),
    );
    let (titles, crumbs) = (&labels.titles, &labels.breadcrumbs);
    let home = link(&crumbs.home, "");
    let fields = link(&crumbs.fields, "fields/");
    let departments = link(&crumbs.departments, "departments/");
    let vocabulary = &site.vocabulary;
    let (template, title, crumbs, section) = match page {
        PageKind::Home => {
            home::home_context(source, context);
            ("index.html", site.config.full_title(), vec![], "home")
        }
        PageKind::Project(i) => {
            let project = &site.projects[i];
            let years = site.config.roadmap_years();
            context.insert("project", &views::project_view(site, project, &years));
            context.insert("years", &source.year_columns);
            let contacts = views::contacts(site, project);
            let declared = contacts
                .iter()
                .any(|c| c.ways.any || c.sections.iter().any(|s| s.ways.any));
            context.insert("contacts", &contacts);
            context.insert("contacts_declared", &declared);
            context.insert(
                "editions",
                &editions::project_editions(source, project, &page_url),
            );
            let field = &vocabulary.field(project.category.field);
            let crumbs = vec![
                home,
                fields,
                link(&field.name, routes::field_url(site, project.category.field)),
                link(
                    &vocabulary.category(project.category).name,
                    routes::category_url(site, project.category),
                ),
            ];
            ("project.html", project.name.clone(), crumbs, "fields")
        }
        PageKind::Fields => {
            fields::fields_context(site, indexes, context);
            ("fields.html", titles.fields.clone(), vec![home], "fields")
        }
        PageKind::Field(f) => {
            fields::field_context(source, f, context);
            let name = vocabulary.field(f).name.clone();
            ("field.html", name, vec![home, fields], "fields")
        }
        PageKind::Category(id) => {
            fields::category_context(source, id, context);
            let crumbs = vec![
                home,
                fields,
                link(
                    &vocabulary.field(id.field).name,
                    routes::field_url(site, id.field),
                ),
            ];
            (
                "category.html",
                vocabulary.category(id).name.clone(),
                crumbs,
                "fields",
            )
        }
        PageKind::Departments => {
            departments::departments_context(site, indexes, context);
            (
                "departments.html",
                titles.departments.clone(),
                vec![home],
                "departments",
            )
        }
        PageKind::Department(d) => {
            departments::department_context(source, d, context);
            let name = vocabulary.department(d).name.clone();
            (
                "department.html",
                name,
                vec![home, departments],
                "departments",
            )
        }
        PageKind::Budget => {
            budget::budget_context(source, context);
            ("budget.html", titles.budget.clone(), vec![home], "budget")
        }
        PageKind::Accessibility => (
            "accessibility.html",
            // A policy is the publisher's own: the page is called one only when configured.
            if site.config.accessibility.is_some() {
                titles.accessibility_policy.clone()
            } else {
                titles.accessibility.clone()
            },
            vec![home],
            "accessibility",
        ),
        PageKind::Data => {
            data_page::data_context(source, &page_url, context);
            ("data.html", titles.data.clone(), vec![home], "data")
        }
        PageKind::Timeline => {
            timeline::timeline_context(source, context);
            (
                "timeline.html",
                titles.timeline.clone(),
                vec![home],
                "timeline",
            )
        }
        PageKind::Search => {
            // The spellings search treats as one, for the page to list (「子ども／子供／こども」).
            context.insert("variants", &site.vocabulary.search_variants());
            ("search.html", titles.search.clone(), vec![home], "search")
        }
        PageKind::Changes => {
            changes::changes_context(source, &page_url, context);
            let title = site
                .edition
                .as_ref()
                .and_then(|place| {
                    let previous = &place.changes.as_ref()?.previous;
                    Some(format!("{}からの変更点", previous.name()))
                })
                .unwrap_or_default();
            ("changes.html", title, vec![home], "changes")
        }
        PageKind::NotFound => ("404.html", titles.not_found.clone(), vec![], ""),
        PageKind::Absent(i) => {
            let absent = editions::absent_view(source, i, &page_url);
            let title = absent
                .as_ref()
                .map_or_else(String::new, |a| a.title.clone());
            context.insert("absent", &absent);
            ("absent.html", title, vec![home], "")
        }
    };
    let changes_link = site.edition.as_ref().and_then(|place| {
        let previous = &place.changes.as_ref()?.previous;
        Some(link(
            format!("{}からの変更点", previous.name()),
            routes::url(site, PageKind::Changes),
        ))
    });
    context.insert("changes_link", &changes_link);
    context.insert(
        "edition_links",
        &editions::edition_links(source, page, &page_url),
    );
    context.insert(
        "updated",
        &routes::page_date(site, page).map(views::date_view),
    );
    context.insert("credit", &data_page::credit_line(site));
    context.insert("title", &title);
    context.insert("breadcrumbs", &crumbs);
    context.insert("section", section);
    template
}

/// One line per category: its link, count and total.
pub(super) fn category_rows(site: &Site, indexes: &Indexes) -> Vec<views::TotalRowView> {
    indexes
        .categories
        .iter()
        .map(|g| views::TotalRowView {
            label: site.vocabulary.category(g.id).name.clone(),
            url: Some(routes::category_url(site, g.id)),
            count: g.projects.len(),
            total: g.total.grouped(),
            joint: false,
        })
        .collect()
}

#[derive(serde::Serialize)]
pub(super) struct CategorySection {
    pub name: String,
    pub url: String,
    /// [`views::ProjectSummary`] values, shared ([`Source`]).
    pub projects: Vec<Premade>,
    pub total: String,
}

/// A bar chart of the rows of a totals table.
pub(super) fn chart(site: &Site, label: &str, rows: &[crate::indexes::TotalRow]) -> String {
    let labels: Vec<String> = rows
        .iter()
        .map(|r| views::group_label(site, &r.group))
        .collect();
    let bars: Vec<charts::Bar<'_>> = rows
        .iter()
        .zip(&labels)
        .map(|(r, label)| charts::Bar {
            label,
            value: r.total.thousand_yen(),
        })
        .collect();
    charts::bar_chart(label, &bars)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeMap, BTreeSet};

    /// Every variable each template receives, over every page of the real site.
    fn variables() -> BTreeMap<&'static str, BTreeSet<&'static str>> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let site = crate::pipeline::load_site(root).expect("the real site loads");
        let indexes = Indexes::build(&site).expect("sums fit");
        let source = Source::new(&site, &indexes);
        let labels = crate::render::labels::load(&root.join("themes/default")).expect("labels");
        let mut found: BTreeMap<&'static str, BTreeSet<&'static str>> = BTreeMap::new();
        for page in routes::pages(&site, &indexes) {
            let (template, context) = context(&source, &labels, page);
            found
                .entry(template)
                .or_default()
                .extend(context.names().iter().copied());
        }
        // The pages only a site with editions has: the sample editions of the tests.
        let sample = tempfile::tempdir().expect("tempdir");
        std::fs::copy(root.join("config.toml"), sample.path().join("config.toml")).expect("copy");
        for (from, to) in [
            ("content/vocabulary.toml", "content/vocabulary.toml"),
            (
                "tests/fixtures/editions/r6/kyukyu-mobile-ict-hojo.md",
                "content/r6/kyukyu-mobile-ict-hojo.md",
            ),
            (
                "tests/fixtures/editions/r7/korei-mimamori-ict.md",
                "content/r7/korei-mimamori-ict.md",
            ),
        ] {
            let to = sample.path().join(to);
            std::fs::create_dir_all(to.parent().expect("folder")).expect("mkdir");
            std::fs::copy(root.join(from), to).expect("copy");
        }
        let loaded = crate::pipeline::load_editions(sample.path()).expect("the sample loads");
        let prepared = crate::pipeline::prepare_for_tests(loaded.sites).expect("sums fit");
        let (site, indexes) = prepared.last().expect("the latest edition");
        let source = Source::mounted(site, indexes, routes::Mount::LatestAtRoot);
        let sample_pages = routes::pages(site, indexes);
        assert!(sample_pages.contains(&PageKind::Changes));
        for page in routes::absent_pages(site).into_iter().chain(sample_pages) {
            let (template, context) = context(&source, &labels, page);
            found
                .entry(template)
                .or_default()
                .extend(context.names().iter().copied());
        }
        found
    }

    /// A page's fingerprint is the same each time its values are made again from the same site,
    /// differs from every other page's, and follows what the page shows: a budget changes the
    /// home page's and not the timeline's (which shows no budget).
    #[test]
    fn a_page_fingerprint_is_fixed_and_follows_its_values() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut site = crate::pipeline::load_site(root).expect("the real site loads");
        let labels = crate::render::labels::load(&root.join("themes/default")).expect("labels");
        let prints = |site: &Site| -> Vec<(PageKind, u64)> {
            let indexes = Indexes::build(site).expect("sums fit");
            // Each source makes its projects' list lines anew.
            let source = Source::new(site, &indexes);
            routes::pages(site, &indexes)
                .into_iter()
                .map(|page| {
                    let print = fingerprint(&source, &labels, page, "one");
                    (page, print.expect("every page has a fingerprint"))
                })
                .collect()
        };
        let first = prints(&site);
        assert_eq!(first, prints(&site), "the same site, the same fingerprints");
        let distinct: BTreeSet<u64> = first.iter().map(|(_, print)| *print).collect();
        assert_eq!(distinct.len(), first.len(), "each page its own");
        let project = std::sync::Arc::make_mut(&mut site.projects[0]);
        project.budget =
            crate::money::Budget::from_thousand_yen(project.budget.thousand_yen() + 1000);
        let after = prints(&site);
        let changed = |kind: PageKind| {
            let of = |prints: &[(PageKind, u64)]| prints.iter().find(|(p, _)| *p == kind).cloned();
            of(&first).expect("page") != of(&after).expect("page")
        };
        assert!(changed(PageKind::Home));
        assert!(changed(PageKind::Budget));
        assert!(!changed(PageKind::Timeline));
        assert!(!changed(PageKind::NotFound));
    }

    /// The pages said not to list projects make no list line: a render of only such pages need
    /// not make them ([`Source::make_shared_values_for`]).
    #[test]
    fn only_the_pages_said_to_list_projects_use_list_lines() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let site = crate::pipeline::load_site(root).expect("the real site loads");
        let indexes = Indexes::build(&site).expect("sums fit");
        let labels = crate::render::labels::load(&root.join("themes/default")).expect("labels");
        for page in routes::pages(&site, &indexes) {
            let source = Source::new(&site, &indexes);
            let _ = context(&source, &labels, page);
            assert_eq!(
                source.summaries.get().is_some(),
                lists_projects(page),
                "{page:?}"
            );
        }
    }

    /// The names in the first column of each table of `docs/theme.md`, by heading: 「すべての
    /// テンプレート」 and one heading per template (a heading may name several).
    fn documented() -> (BTreeSet<String>, BTreeMap<String, BTreeSet<String>>) {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let doc = std::fs::read_to_string(root.join("docs/theme.md")).expect("docs/theme.md");
        let part = doc
            .split_once("## テンプレートが受け取る値")
            .map(|(_, rest)| rest)
            .expect("the section of variables");
        let mut common = BTreeSet::new();
        let mut by_template: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let mut current: Vec<String> = Vec::new();
        for line in part.lines() {
            if let Some(heading) = line.strip_prefix("### ") {
                current = heading
                    .split('`')
                    .skip(1)
                    .step_by(2)
                    .map(str::to_string)
                    .collect();
                for template in &current {
                    by_template.entry(template.clone()).or_default();
                }
                continue;
            }
            let Some(name) = line
                .strip_prefix("| `")
                .and_then(|rest| rest.split_once('`'))
                .map(|(name, _)| name.to_string())
            else {
                continue;
            };
            if current.is_empty() {
                common.insert(name);
            } else {
                for template in &current {
                    by_template
                        .entry(template.clone())
                        .or_default()
                        .insert(name.clone());
                }
            }
        }
        (common, by_template)
    }

    /// `docs/theme.md` lists exactly the variables each template receives: none missing, none that
    /// the code does not give.
    #[test]
    fn the_theme_guide_lists_every_variable_and_no_other() {
        let (common, documented) = documented();
        let found = variables();
        assert_eq!(
            documented
                .keys()
                .map(String::as_str)
                .collect::<BTreeSet<_>>(),
            found.keys().copied().collect::<BTreeSet<_>>(),
            "the templates documented"
        );
        for (template, names) in found {
            let mut listed = common.clone();
            listed.extend(documented[template].iter().cloned());
            let given: BTreeSet<String> = names.iter().map(|n| n.to_string()).collect();
            assert_eq!(listed, given, "{template}");
        }
    }
}
