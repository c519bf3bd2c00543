//! The render stage: decides which pages the site has and renders each with the theme's Tera templates.
//!
//! Templates are minified ([`compact`]) and compiled once; each page gets a small context built from the
//! model and the indexes, and comes out of Tera already minified.
//! Links are relative to the page (`root` is `./`, `../` or `../../`), so the site works from any
//! sub-path of any host.

pub mod bounds;
pub mod charts;
pub mod compact;
pub mod data;
pub mod feeds;
pub mod routes;
pub mod search;
pub mod views;

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use tera::{Context, Tera};
use walkdir::WalkDir;

use crate::fiscal_year::FiscalYear;
use crate::indexes::Indexes;
use crate::model::Site;
use crate::vocabulary::CategoryId;
use routes::PageKind;
use views::Link;

pub const TEMPLATES_DIR: &str = "templates";
pub const STATIC_DIR: &str = "static";

/// Every template a theme must provide.
pub const REQUIRED_TEMPLATES: &[&str] = &[
    "base.html",
    "index.html",
    "project.html",
    "fields.html",
    "field.html",
    "category.html",
    "departments.html",
    "department.html",
    "budget.html",
    "accessibility.html",
    "data.html",
    "timeline.html",
    "search.html",
    "404.html",
];

/// Where a stage writes its files: `(path relative to the output, bytes)`, from any thread.
pub type WriteFile<'a, E> = dyn Fn(&str, &[u8]) -> Result<(), E> + Sync + 'a;

/// Compiled templates of one theme.
pub struct Renderer {
    /// The templates as the theme's author wrote them: errors are reported against these.
    as_written: Tera,
    /// The templates minified once when loaded ([`compact`]); `None` if the theme cannot be, and
    /// then each page is minified after rendering.
    compacted: Option<Tera>,
}

/// What pages are rendered from: the site, its indexes, and every project's list line as a Tera
/// value, made once and shared by the list pages (Tera values are reference-counted, so the home,
/// field, category, department and budget pages share them instead of each converting every
/// project again).
pub struct Source<'a> {
    pub site: &'a Site,
    pub indexes: &'a Indexes,
    summaries: Vec<tera::Value>,
}

impl<'a> Source<'a> {
    pub fn new(site: &'a Site, indexes: &'a Indexes) -> Source<'a> {
        let summaries = site
            .projects
            .par_iter()
            .map(|project| tera::Value::from_serializable(&views::summary(site, project)))
            .collect();
        Source {
            site,
            indexes,
            summaries,
        }
    }

    /// The list lines of `projects` (indexes into the site's projects), in that order.
    fn summaries(&self, projects: &[usize]) -> Vec<tera::Value> {
        projects
            .iter()
            .map(|&p| self.summaries[p].clone())
            .collect()
    }
}

/// A problem with the theme.
#[derive(Debug, thiserror::Error)]
pub enum ThemeError {
    #[error("テーマのテンプレートを読めません（{path}）: {message}")]
    Read { path: PathBuf, message: String },
    #[error("テンプレートに誤りがあります: {0}")]
    Template(String),
    #[error("テーマに必要なテンプレート {0} がありません。")]
    Missing(String),
    #[error("ページ {page} を描画できません（テンプレート {template}）: {message}")]
    Render {
        page: String,
        template: &'static str,
        message: String,
    },
}

impl Renderer {
    /// Reads and compiles every `*.html` template under `theme_dir/templates`.
    pub fn load(theme_dir: &Path) -> Result<Renderer, ThemeError> {
        let templates = read_templates(theme_dir)?;
        // Compiled as written first, so that errors point at the lines the theme's author wrote.
        let tera = compile(templates.clone())?;
        for required in REQUIRED_TEMPLATES {
            if !tera.get_template_names().any(|n| n == *required) {
                return Err(ThemeError::Missing((*required).to_string()));
            }
        }
        Ok(Renderer {
            as_written: tera,
            compacted: compacted_tera(templates),
        })
    }

    /// Whether pages come out of the templates already minified.
    pub fn is_compacted(&self) -> bool {
        self.compacted.is_some()
    }

    /// Renders one page to minified HTML, as published.
    pub fn render(&self, source: &Source<'_>, page: PageKind) -> Result<Vec<u8>, ThemeError> {
        let Some(compacted) = &self.compacted else {
            return Ok(compact::minify_page(&self.render_html(source, page)?));
        };
        // Straight into bytes: `Tera::render` would check the whole page is UTF-8 once more to
        // make a `String`.
        let (template, context) = context(source, page);
        let mut html = Vec::with_capacity(PAGE_CAPACITY);
        match compacted.render_to(template, &context, bounds::BoundedPage::new(&mut html)) {
            Ok(()) => Ok(html),
            // Rendered again from the templates as written, so that the error shows the line the
            // theme's author wrote rather than the minified template.
            Err(e) => Err(self
                .render_html(source, page)
                .err()
                .unwrap_or_else(|| render_error(source.site, page, template, &e))),
        }
    }

    /// Renders one page with the templates as written, without minifying it.
    pub fn render_html(&self, source: &Source<'_>, page: PageKind) -> Result<String, ThemeError> {
        let (template, context) = context(source, page);
        let mut html = Vec::with_capacity(PAGE_CAPACITY);
        self.as_written
            .render_to(template, &context, bounds::BoundedPage::new(&mut html))
            .map_err(|e| render_error(source.site, page, template, &e))?;
        String::from_utf8(html).map_err(|e| ThemeError::Render {
            page: routes::url(source.site, page),
            template,
            message: e.to_string(),
        })
    }
}

/// Room for a typical page (a project page is 8–16 KB), so rendering seldom grows the buffer.
const PAGE_CAPACITY: usize = 16 * 1024;

fn render_error(
    site: &Site,
    page: PageKind,
    template: &'static str,
    e: &tera::Error,
) -> ThemeError {
    ThemeError::Render {
        page: routes::url(site, page),
        template,
        message: error_chain(e),
    }
}

/// The templates of a theme, by name relative to its `templates` folder, in order of name.
fn read_templates(theme_dir: &Path) -> Result<Vec<(String, String)>, ThemeError> {
    let templates_dir = theme_dir.join(TEMPLATES_DIR);
    let mut templates = Vec::new();
    for entry in WalkDir::new(&templates_dir).sort_by_file_name() {
        let entry = entry.map_err(|e| ThemeError::Read {
            path: templates_dir.clone(),
            message: e.to_string(),
        })?;
        if !entry.file_type().is_file() {
            continue;
        }
        let path = entry.path();
        let name = path
            .strip_prefix(&templates_dir)
            .unwrap_or(path)
            .to_string_lossy()
            .replace('\\', "/");
        let text = std::fs::read_to_string(path).map_err(|e| ThemeError::Read {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        templates.push((name, text));
    }
    Ok(templates)
}

fn compile(templates: Vec<(String, String)>) -> Result<Tera, ThemeError> {
    let hint = macro_hint(&templates);
    let mut tera = Tera::new();
    // The same five characters as everywhere else in the site ([`escape_xml`]).
    tera.set_escape_fn(write_escaped_xml);
    // Counted against each page's budget, so nested loops cannot run without end.
    tera.register_function("range", bounds::range);
    tera.add_raw_templates(templates)
        .map_err(|e| ThemeError::Template(format!("{}{hint}", error_chain(&e))))?;
    Ok(tera)
}

/// A theme written for Tera 1 uses macros, which Tera 2 does not have: say what replaces them.
fn macro_hint(templates: &[(String, String)]) -> &'static str {
    let uses_macros = templates
        .iter()
        .any(|(_, text)| compact::has_statement(text, &["macro", "import"]));
    if uses_macros {
        "\n（Tera 2 には macro と import がありません。共通部品は {% component 名前(引数) %}…{% endcomponent 名前 %} で定義し、{{<名前 引数={値}/>}} で呼び出します。themes/default/templates/components.html が例です。）"
    } else {
        ""
    }
}

/// The templates minified once ([`compact::compact`]), compiled; `None` if any one cannot be.
fn compacted_tera(templates: Vec<(String, String)>) -> Option<Tera> {
    let compacted = templates
        .into_iter()
        .map(|(name, text)| compact::compact(&text).map(|text| (name, text)))
        .collect::<Option<Vec<_>>>()?;
    compile(compacted).ok()
}

fn link(name: impl Into<String>, url: impl Into<String>) -> Link {
    Link {
        name: name.into(),
        url: url.into(),
    }
}

/// The template and the context of a page.
fn context(source: &Source<'_>, page: PageKind) -> (&'static str, Context) {
    let (site, indexes) = (source.site, source.indexes);
    let page_url = routes::url(site, page);
    let mut context = Context::new();
    context.insert("site", &views::site_view(site));
    // The 404 page is served at any depth, so its links start from the site's path on the host
    // (from the base URL): right on any host and port, under a sub-path too.
    let public_base_url = site.config.public_base_url();
    let root = match page {
        PageKind::NotFound => public_base_url.map_or_else(|| "/".to_string(), routes::url_path),
        _ => routes::root_prefix(&page_url),
    };
    context.insert("root", &root);
    // Absolute URLs only from a public base URL: never a local address, never a guess.
    let canonical = public_base_url.map(|base| format!("{base}{page_url}"));
    context.insert("canonical", &canonical);
    context.insert("indexable", &(page != PageKind::NotFound));
    let home = link("トップ", "");
    let fields = link("分野・項目別", "fields/");
    let departments = link("部局別", "departments/");
    let vocabulary = &site.vocabulary;
    let (template, title, crumbs, section) = match page {
        PageKind::Home => {
            home_context(source, &mut context);
            ("index.html", site.config.full_title(), vec![], "home")
        }
        PageKind::Project(i) => {
            let project = &site.projects[i];
            let years = site.config.roadmap_years();
            context.insert("project", &views::project_view(site, project, &years));
            context.insert("years", &views::year_columns(&years));
            let field = &vocabulary.fields[project.category.field];
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
            fields_context(site, indexes, &mut context);
            (
                "fields.html",
                "分野・項目別の事業一覧".to_string(),
                vec![home],
                "fields",
            )
        }
        PageKind::Field(f) => {
            field_context(source, f, &mut context);
            let name = vocabulary.fields[f].name.clone();
            ("field.html", name, vec![home, fields], "fields")
        }
        PageKind::Category(id) => {
            category_context(source, id, &mut context);
            let crumbs = vec![
                home,
                fields,
                link(
                    &vocabulary.fields[id.field].name,
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
            departments_context(site, indexes, &mut context);
            (
                "departments.html",
                "部局別の事業一覧".to_string(),
                vec![home],
                "departments",
            )
        }
        PageKind::Department(d) => {
            department_context(source, d, &mut context);
            let name = vocabulary.departments[d].name.clone();
            (
                "department.html",
                name,
                vec![home, departments],
                "departments",
            )
        }
        PageKind::Budget => {
            budget_context(source, &mut context);
            (
                "budget.html",
                "予算の内訳".to_string(),
                vec![home],
                "budget",
            )
        }
        PageKind::Accessibility => (
            "accessibility.html",
            // A policy is the publisher's own: the page is called one only when configured.
            if site.config.accessibility.is_some() {
                "ウェブアクセシビリティ方針".to_string()
            } else {
                "ウェブアクセシビリティ".to_string()
            },
            vec![home],
            "accessibility",
        ),
        PageKind::Data => {
            data_context(site, &mut context);
            (
                "data.html",
                "オープンデータ".to_string(),
                vec![home],
                "data",
            )
        }
        PageKind::Timeline => {
            timeline_context(site, indexes, &mut context);
            (
                "timeline.html",
                "すべての事業の年次計画".to_string(),
                vec![home],
                "timeline",
            )
        }
        PageKind::Search => (
            "search.html",
            "サイト内検索".to_string(),
            vec![home],
            "search",
        ),
        PageKind::NotFound => ("404.html", "ページが見つかりません".to_string(), vec![], ""),
    };
    context.insert("credit", &credit_line(site));
    context.insert("title", &title);
    context.insert("breadcrumbs", &crumbs);
    context.insert("section", section);
    (template, context)
}

fn home_context(source: &Source<'_>, context: &mut Context) {
    let (site, indexes) = (source.site, source.indexes);
    context.insert("projects", &source.summaries);
    context.insert("count", &site.projects.len());
    context.insert("total", &views::amount(indexes.budget.total));
    context.insert("categories", &category_rows(site, indexes));
    // The filters' choices: every declared category and department, by slug.
    let vocabulary = &site.vocabulary;
    let categories: Vec<&crate::vocabulary::Term> = vocabulary
        .category_ids()
        .map(|id| vocabulary.category(id))
        .collect();
    let departments: Vec<crate::vocabulary::Term> = vocabulary
        .departments
        .iter()
        .map(|d| crate::vocabulary::Term {
            slug: d.slug.clone(),
            name: d.name.clone(),
        })
        .collect();
    context.insert("filter_categories", &categories);
    context.insert("filter_departments", &departments);
    context.insert("years", &views::year_columns(&site.config.roadmap_years()));
    context.insert(
        "department_count",
        &indexes
            .departments
            .iter()
            .filter(|d| !d.projects.is_empty())
            .count(),
    );
}

/// One line per category: its link, count and total.
fn category_rows(site: &Site, indexes: &Indexes) -> Vec<views::TotalRowView> {
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
struct FieldGroupView {
    name: String,
    url: String,
    count: usize,
    total: String,
    categories: Vec<views::TotalRowView>,
}

fn field_group(site: &Site, indexes: &Indexes, field: usize) -> FieldGroupView {
    let categories: Vec<views::TotalRowView> = category_rows(site, indexes)
        .into_iter()
        .zip(&indexes.categories)
        .filter(|(_, g)| g.id.field == field)
        .map(|(row, _)| row)
        .collect();
    let group = &indexes.fields[field];
    FieldGroupView {
        name: site.vocabulary.fields[field].name.clone(),
        url: routes::field_url(site, field),
        count: group.count,
        total: group.total.grouped(),
        categories,
    }
}

fn fields_context(site: &Site, indexes: &Indexes, context: &mut Context) {
    let groups: Vec<FieldGroupView> = (0..site.vocabulary.fields.len())
        .map(|f| field_group(site, indexes, f))
        .collect();
    context.insert("fields", &groups);
}

#[derive(serde::Serialize)]
struct CategorySection {
    name: String,
    url: String,
    /// [`views::ProjectSummary`] values, shared ([`Source`]).
    projects: Vec<tera::Value>,
    total: String,
}

fn field_context(source: &Source<'_>, field: usize, context: &mut Context) {
    let (site, indexes) = (source.site, source.indexes);
    let sections: Vec<CategorySection> = indexes
        .categories
        .iter()
        .filter(|g| g.id.field == field)
        .map(|g| CategorySection {
            name: site.vocabulary.category(g.id).name.clone(),
            url: routes::category_url(site, g.id),
            projects: source.summaries(&g.projects),
            total: g.total.grouped(),
        })
        .collect();
    let group = field_group(site, indexes, field);
    context.insert("field", &group);
    context.insert("categories", &sections);
}

fn category_context(source: &Source<'_>, id: CategoryId, context: &mut Context) {
    let (site, indexes) = (source.site, source.indexes);
    let vocabulary = &site.vocabulary;
    let group = indexes.category(id);
    let projects = group.map(|g| g.projects.as_slice()).unwrap_or_default();
    let name = &vocabulary.category(id).name;
    context.insert("category", name);
    context.insert(
        "field",
        &link(
            &vocabulary.fields[id.field].name,
            routes::field_url(site, id.field),
        ),
    );
    context.insert("projects", &source.summaries(projects));
    context.insert(
        "total",
        &views::amount(group.map(|g| g.total).unwrap_or_default()),
    );
    let by_department = group
        .map(|g| g.by_department.as_slice())
        .unwrap_or_default();
    context.insert("by_department", &views::total_rows(site, by_department));
    context.insert(
        "chart",
        &chart(
            site,
            &format!("{name}の部局別の事業費の棒グラフ"),
            by_department,
        ),
    );
}

fn departments_context(site: &Site, indexes: &Indexes, context: &mut Context) {
    #[derive(serde::Serialize)]
    struct Row {
        name: String,
        url: String,
        count: usize,
        total: String,
        sections: Vec<String>,
        joint_count: usize,
    }
    let rows: Vec<Row> = indexes
        .departments
        .iter()
        .map(|g| {
            let department = &site.vocabulary.departments[g.department];
            Row {
                name: department.name.clone(),
                url: routes::department_url(site, g.department),
                count: g.projects.len(),
                total: g.total.grouped(),
                sections: g
                    .sections
                    .iter()
                    .filter(|s| !s.projects.is_empty())
                    .map(|s| site.vocabulary.section(s.id).name.clone())
                    .collect(),
                joint_count: g
                    .projects
                    .iter()
                    .filter(|&&p| site.projects[p].is_joint())
                    .count(),
            }
        })
        .collect();
    context.insert("departments", &rows);
    context.insert("has_joint", &site.projects.iter().any(|p| p.is_joint()));
}

fn department_context(source: &Source<'_>, department: usize, context: &mut Context) {
    let (site, indexes) = (source.site, source.indexes);
    let group = &indexes.departments[department];
    let sections: Vec<CategorySection> = group
        .sections
        .iter()
        .map(|s| CategorySection {
            name: site.vocabulary.section(s.id).name.clone(),
            url: String::new(),
            projects: source.summaries(&s.projects),
            total: s.total.grouped(),
        })
        .collect();
    context.insert("department", &site.vocabulary.departments[department].name);
    let by_section = crate::indexes::section_rows(group);
    context.insert("by_section", &views::total_rows(site, &by_section));
    context.insert(
        "chart",
        &chart(
            site,
            &format!(
                "{}の課別の事業費の棒グラフ",
                site.vocabulary.departments[department].name
            ),
            &by_section,
        ),
    );
    context.insert("sections", &sections);
    context.insert("count", &group.projects.len());
    context.insert("total", &views::amount(group.total));
    let joint: Vec<usize> = group
        .projects
        .iter()
        .copied()
        .filter(|&p| site.projects[p].is_joint())
        .collect();
    let joint = source.summaries(&joint);
    context.insert("joint_projects", &joint);
}

/// A bar chart of the rows of a totals table.
fn chart(site: &Site, label: &str, rows: &[crate::indexes::TotalRow]) -> String {
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

fn budget_context(source: &Source<'_>, context: &mut Context) {
    let (site, indexes) = (source.site, source.indexes);
    let budget = &indexes.budget;
    context.insert("total", &views::amount(budget.total));
    context.insert("count", &budget.count);
    context.insert("by_account", &views::total_rows(site, &budget.by_account));
    context.insert("by_category", &views::total_rows(site, &budget.by_category));
    context.insert(
        "by_department",
        &views::total_rows(site, &budget.by_department),
    );
    context.insert(
        "chart_by_category",
        &chart(site, "項目別の事業費の棒グラフ", &budget.by_category),
    );
    context.insert(
        "chart_by_department",
        &chart(site, "部局別の事業費の棒グラフ", &budget.by_department),
    );
    context.insert("by_priority", &views::total_rows(site, &budget.by_priority));
    context.insert("by_future", &views::total_rows(site, &budget.by_future));
    // 「うち一般会計」 and so on: one line per account that has projects, by the account's id.
    #[derive(serde::Serialize)]
    struct AccountTotal {
        name: String,
        amount: views::Amount,
    }
    let accounts: Vec<AccountTotal> = budget
        .by_account
        .iter()
        .map(|r| AccountTotal {
            name: views::group_label(site, &r.group),
            amount: views::amount(r.total),
        })
        .collect();
    context.insert("accounts", &accounts);
    let joint: Vec<usize> = (0..site.projects.len())
        .filter(|&p| site.projects[p].is_joint())
        .collect();
    let joint = source.summaries(&joint);
    context.insert("joint_projects", &joint);
}

fn timeline_context(site: &Site, indexes: &Indexes, context: &mut Context) {
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

/// The credit line users of the data are asked to give (PDL1.0 §4) — only under a configured
/// licence; the parts not configured (publisher, public URL) are left out, never filled in.
fn credit_line(site: &Site) -> Option<String> {
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

fn data_context(site: &Site, context: &mut Context) {
    #[derive(serde::Serialize)]
    struct Column {
        name: &'static str,
        definition: &'static str,
    }
    #[derive(serde::Serialize)]
    struct DataFile {
        path: &'static str,
        title: &'static str,
        description: &'static str,
        columns: Vec<Column>,
    }
    let columns = |list: &[(&'static str, &'static str)]| {
        list.iter()
            .map(|&(name, definition)| Column { name, definition })
            .collect::<Vec<_>>()
    };
    let files = vec![
        DataFile {
            path: "data/projects.csv",
            title: "事業の一覧（CSV）",
            description: "1行に1事業。事業名、分野・項目、事業費、会計、重点枠事業・将来対応分、事業期間、概要などの文章。",
            columns: columns(data::PROJECT_COLUMNS),
        },
        DataFile {
            path: "data/project_sections.csv",
            title: "担当部局・課（CSV）",
            description: "1行に1つの事業と担当課の組。共同事業は複数の行になります。",
            columns: columns(data::SECTION_COLUMNS),
        },
        DataFile {
            path: "data/initiatives.csv",
            title: "取組（CSV）",
            description: "1行に1つの取組。",
            columns: columns(data::INITIATIVE_COLUMNS),
        },
        DataFile {
            path: "data/roadmap.csv",
            title: "ロードマップ（CSV、縦持ち）",
            description: "1行に、事業・ロードマップの行・年度の組を1つ。その年度に計画（または実績）がある組だけを含みます。",
            columns: columns(data::ROADMAP_COLUMNS),
        },
    ];
    context.insert("files", &files);
    context.insert("project_count", &site.projects.len());
    context.insert("row_counts", &site.row_counts());
}

/// Text made safe inside XML and HTML, in elements and in quoted attributes (SVG charts, feeds, the
/// preview's overlay): `&`, `<`, `>`, `"` and `'` as character references.
pub fn escape_xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match entity(c) {
            Some(reference) => out.push_str(reference),
            None => out.push(c),
        }
    }
    out
}

/// [`escape_xml`] as Tera's escape function, writing to Tera's output.
fn write_escaped_xml(text: &str, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let mut plain_from = 0;
    for (at, c) in text.char_indices() {
        if let Some(reference) = entity(c) {
            out.write_all(&text.as_bytes()[plain_from..at])?;
            out.write_all(reference.as_bytes())?;
            plain_from = at + c.len_utf8();
        }
    }
    out.write_all(&text.as_bytes()[plain_from..])
}

/// The character reference that stands for `c` in escaped text, if it needs one. A character XML
/// 1.0 does not allow at all (controls but tab and line breaks, U+FFFE, U+FFFF) becomes U+FFFD, so
/// no escaped text can make a feed or a page invalid; the content stage refuses them before that.
fn entity(c: char) -> Option<&'static str> {
    match c {
        '&' => Some("&amp;"),
        '<' => Some("&lt;"),
        '>' => Some("&gt;"),
        '"' => Some("&quot;"),
        '\'' => Some("&#39;"),
        '\t' | '\n' | '\r' => None,
        '\u{0}'..='\u{1F}' | '\u{FFFE}' | '\u{FFFF}' => Some("\u{FFFD}"),
        _ => None,
    }
}

/// A Tera error with its causes. Tera's report of a template error spans lines: the file, line and
/// column, the line quoted and a marker under the mistake.
fn error_chain(error: &tera::Error) -> String {
    let mut message = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A document reduced to what a reader and a browser see: elements with their attributes in
    /// order of name, text with runs of white space as one space, white-space-only text left out.
    fn canonical(html: &str) -> Vec<String> {
        fn walk(node: ego_tree::NodeRef<'_, scraper::Node>, out: &mut Vec<String>) {
            match node.value() {
                scraper::Node::Element(element) => {
                    let mut attributes: Vec<_> = element
                        .attrs()
                        .map(|(name, value)| format!("{name}={value:?}"))
                        .collect();
                    attributes.sort();
                    out.push(format!("<{} {}>", element.name(), attributes.join(" ")));
                    if element.name() == "noscript" {
                        // Parsed as a browser without scripts would, not as raw text.
                        let inner: String = node
                            .children()
                            .filter_map(|child| child.value().as_text().map(|t| t.to_string()))
                            .collect();
                        let fragment = scraper::Html::parse_fragment(&inner);
                        walk(fragment.tree.root(), out);
                    } else {
                        node.children().for_each(|child| walk(child, out));
                    }
                    out.push(format!("</{}>", element.name()));
                }
                scraper::Node::Text(text) => {
                    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
                    if !text.is_empty() {
                        out.push(text);
                    }
                }
                _ => node.children().for_each(|child| walk(child, out)),
            }
        }
        let document = scraper::Html::parse_document(html);
        let mut out = Vec::new();
        walk(document.tree.root(), &mut out);
        out
    }

    #[test]
    fn a_theme_with_tera_1_macros_is_told_what_replaces_them() {
        let templates = vec![
            (
                "m.html".to_string(),
                "{% macro row(p) %}<tr>{{ p }}</tr>{% endmacro row %}".to_string(),
            ),
            (
                "page.html".to_string(),
                "{% import \"m.html\" as m %}{{ m::row(p=1) }}".to_string(),
            ),
        ];
        let message = match compile(templates) {
            Err(ThemeError::Template(message)) => message,
            Err(other) => panic!("another error: {other}"),
            Ok(_) => panic!("Tera 2 accepted a macro"),
        };
        assert!(message.contains("component"), "{message}");
        assert!(message.contains("components.html"), "{message}");
        let plain = compile(vec![("t.html".to_string(), "{% if %}".to_string())]);
        assert!(
            matches!(plain, Err(ThemeError::Template(m)) if !m.contains("component")),
            "no hint without macros"
        );
    }

    #[test]
    fn tera_escapes_the_five_characters_as_escape_xml_does() {
        let tera =
            compile(vec![("t.html".to_string(), "{{ text }}".to_string())]).expect("compiles");
        let mut context = Context::new();
        let text = "漢<a href=\"/x\">'&'</a>字";
        context.insert("text", text);
        let rendered = tera.render("t.html", &context).expect("renders");
        assert_eq!(rendered, escape_xml(text));
        assert_eq!(
            rendered,
            "漢&lt;a href=&quot;/x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;字"
        );
    }

    /// A theme with a Tera tag between attributes cannot be compacted: its pages are minified after
    /// rendering instead, and still come out minified.
    #[test]
    fn a_theme_that_cannot_be_compacted_still_gives_minified_pages() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let site = crate::pipeline::load_site(root).expect("the real site loads");
        let indexes = Indexes::build(&site).expect("sums fit");
        let theme = tempfile::tempdir().expect("tempdir");
        let templates = theme.path().join(TEMPLATES_DIR);
        std::fs::create_dir_all(&templates).expect("mkdir");
        for (name, text) in
            read_templates(&root.join("themes").join(&site.config.theme)).expect("read")
        {
            let text = if name == "base.html" {
                text.replace(
                    "<main id=\"main\" class=\"wrap\">",
                    "<main id=\"main\"{% if root %} class=\"wrap\"{% endif %}>",
                )
            } else {
                text
            };
            std::fs::write(templates.join(name), text).expect("write");
        }
        let renderer = Renderer::load(theme.path()).expect("theme loads");
        assert!(!renderer.is_compacted());
        let page = renderer
            .render(&Source::new(&site, &indexes), PageKind::Home)
            .expect("render");
        let page = String::from_utf8(page).expect("utf8");
        assert!(
            page.contains("<main class=wrap id=main>"),
            "minified after rendering"
        );
        assert!(!page.contains("\n  <"), "no indentation left");
    }

    /// Every page of the real site, from templates minified once, is the same document as the
    /// page rendered from the templates as written and minified afterwards.
    #[test]
    fn compacted_templates_render_the_same_pages() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let site = crate::pipeline::load_site(root).expect("the real site loads");
        let indexes = Indexes::build(&site).expect("sums fit");
        let theme = root.join("themes").join(&site.config.theme);
        let compacted = Renderer::load(&theme).expect("theme loads");
        assert!(compacted.is_compacted(), "the default theme compacts");
        let as_written = Renderer {
            as_written: compile(read_templates(&theme).expect("read")).expect("compile"),
            compacted: None,
        };
        let mut bytes = (0usize, 0usize);
        let source = Source::new(&site, &indexes);
        for page in routes::pages(&site, &indexes) {
            let fast = compacted.render(&source, page).expect("render");
            let slow = as_written.render(&source, page).expect("render");
            bytes.0 += fast.len();
            bytes.1 += slow.len();
            let fast = String::from_utf8(fast).expect("utf8");
            let slow = String::from_utf8(slow).expect("utf8");
            let (fast_doc, slow_doc) = (canonical(&fast), canonical(&slow));
            if let Some(i) = (0..fast_doc.len().max(slow_doc.len()))
                .find(|&i| fast_doc.get(i) != slow_doc.get(i))
            {
                panic!(
                    "{} differs at node {i}: {:?} against {:?}",
                    routes::url(&site, page),
                    fast_doc.get(i.saturating_sub(2)..(i + 3).min(fast_doc.len())),
                    slow_doc.get(i.saturating_sub(2)..(i + 3).min(slow_doc.len()))
                );
            }
        }
        // What minifying afterwards still saves (quotes around values that came from the content,
        // Markdown's line breaks between blocks) stays small: 1.6 % on the real site.
        assert!(
            bytes.0 * 100 <= bytes.1 * 102,
            "compacted pages {} bytes, minified afterwards {}",
            bytes.0,
            bytes.1
        );
    }

    #[test]
    fn escape_makes_text_safe_in_xml() {
        assert_eq!(
            escape_xml("a<b>&\"c\"'"),
            "a&lt;b&gt;&amp;&quot;c&quot;&#39;"
        );
    }

    #[test]
    fn escaped_text_is_always_well_formed_xml() {
        let hostile = "a\u{1}b\u{b}c\u{ffff}d\u{fffe}e\tf\ng\u{7f}h";
        let xml = format!("<t>{}</t>", escape_xml(hostile));
        let parsed = roxmltree::Document::parse(&xml).expect("well-formed");
        assert_eq!(
            parsed.root_element().text(),
            Some("a\u{fffd}b\u{fffd}c\u{fffd}d\u{fffd}e\tf\ng\u{7f}h")
        );
    }
}
