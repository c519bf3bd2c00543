//! A theme's templates, read and compiled once: as written (errors point at the lines the theme's
//! author wrote) and minified once ([`super::compact`]), so each page comes out of Tera already
//! minified. Rendering one page is bounded ([`super::bounds`]). A site's theme holds only what it
//! changes: every template it lacks is the built-in default theme's ([`super::builtin`]).

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use tera::Tera;
use walkdir::WalkDir;

use super::escape::{write_escaped_xml, write_escaped_xml_keeping_mark};
use super::labels::Labels;
use super::memo::PageMemo;
use super::pages::{context, fingerprint};
use super::routes::{self, PageKind};
use super::{Source, bounds, compact};
use crate::model::Site;

pub const TEMPLATES_DIR: &str = "templates";
pub const STATIC_DIR: &str = "static";
/// The theme built into the program; its folder under `themes/` may be absent.
pub const DEFAULT_THEME: &str = "default";

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
    "absent.html",
];

/// Compiled templates of one theme.
pub struct Renderer {
    /// The templates as the theme's author wrote them: errors are reported against these.
    as_written: Tera,
    /// The templates minified once when loaded ([`compact`]); `None` if the theme cannot be, and
    /// then each page is minified after rendering.
    compacted: Option<Tera>,
    /// The page titles and breadcrumb names the theme chooses.
    labels: Labels,
    /// The compacted templates again, escaping with [`write_escaped_xml_keeping_mark`], when a page
    /// of the latest edition can be rendered once for its folder and the root
    /// ([`routes::Mount::LatestInBoth`]): only the built-in templates, whose links to the site
    /// root are written as made, with labels without [`routes::SITE_ROOT_MARK`]. (A theme's own
    /// template might change a link with a filter — `urlencode`, `json_encode` — so that the mark
    /// could not be found again: such a theme's pages are rendered twice.)
    for_both: Option<Tera>,
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
    #[error("テーマの言葉（{path}）を読めません: {message}")]
    Labels { path: PathBuf, message: String },
    #[error("ページ {page} を描画できません（テンプレート {template}）: {message}")]
    Render {
        page: String,
        template: &'static str,
        message: String,
    },
}

impl Renderer {
    /// Reads and compiles the theme's templates over the built-in default theme's.
    pub fn load(theme_dir: &Path) -> Result<Renderer, ThemeError> {
        let (templates, builtin) = theme_templates(theme_dir)?;
        // Compiled as written first, so that errors point at the lines the theme's author wrote.
        let tera = compile(templates.clone(), write_escaped_xml)?;
        for required in REQUIRED_TEMPLATES {
            if !tera.get_template_names().any(|n| n == *required) {
                return Err(ThemeError::Missing((*required).to_string()));
            }
        }
        let labels = super::labels::load(theme_dir)?;
        let mark = char::from(routes::SITE_ROOT_MARK);
        let can_mark = builtin && !labels.texts().iter().any(|text| text.contains(mark));
        // Minified once, compiled with each escape that is needed.
        let compacted_templates = compacted(templates);
        let compiled = |escape: EscapeFn| {
            compacted_templates
                .clone()
                .and_then(|templates| compile(templates, escape).ok())
        };
        Ok(Renderer {
            as_written: tera,
            compacted: compiled(write_escaped_xml),
            labels,
            for_both: if can_mark {
                compiled(write_escaped_xml_keeping_mark)
            } else {
                None
            },
        })
    }

    /// Whether the latest edition's pages can be rendered once for its folder and the root (see
    /// [`routes::Mount::LatestInBoth`]).
    pub fn can_render_once_for_both(&self) -> bool {
        self.for_both.is_some()
    }

    /// Renders one page of the latest edition once for its folder and the root: (the folder's
    /// copy, the root's), each as [`Renderer::render`] would make it with the source mounted there.
    /// `source` is mounted at [`routes::Mount::LatestInBoth`]; without
    /// [`Renderer::can_render_once_for_both`] this is an error.
    pub fn render_for_both(
        &self,
        source: &Source<'_>,
        page: PageKind,
    ) -> Result<BothCopies, ThemeError> {
        let (template, context) = context(source, &self.labels, page);
        let Some(for_both) = &self.for_both else {
            return Err(ThemeError::Render {
                page: routes::url(source.site, page),
                template,
                message: "このテーマでは、最新の年度版のページを2か所分まとめて描画できません。"
                    .to_string(),
            });
        };
        let mut html = Vec::with_capacity(PAGE_CAPACITY);
        match for_both.render_to(
            template,
            context.tera(),
            bounds::BoundedPage::new(&mut html),
        ) {
            Ok(()) => match routes::unmark(html) {
                Some(both) => Ok(both),
                // A mark not where a link puts it: some text held the character after all. Each
                // place is rendered on its own instead.
                None => Ok((
                    self.render(&source.remounted(routes::Mount::EditionFolder), page)?,
                    self.render(&source.remounted(routes::Mount::LatestAtRoot), page)?,
                )),
            },
            Err(e) => Err(self.error_as_written(source, page, template, &e)),
        }
    }

    /// As [`Renderer::render_for_both`], unless `memo` says the page, written at `paths` (in the
    /// folder, at the root), would come out as it was (`None`).
    pub fn render_for_both_unless_unchanged(
        &self,
        source: &Source<'_>,
        page: PageKind,
        memo: &PageMemo,
        paths: &[String],
    ) -> Result<Option<BothCopies>, ThemeError> {
        if memo.is_unchanged(paths, fingerprint(source, &self.labels, page, "both")) {
            return Ok(None);
        }
        self.render_for_both(source, page).map(Some)
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
        let (template, context) = context(source, &self.labels, page);
        let mut html = Vec::with_capacity(PAGE_CAPACITY);
        match compacted.render_to(
            template,
            context.tera(),
            bounds::BoundedPage::new(&mut html),
        ) {
            Ok(()) => Ok(html),
            Err(e) => Err(self.error_as_written(source, page, template, &e)),
        }
    }

    /// As [`Renderer::render`], unless `memo` says the page, written at `paths`, would come out
    /// as it was (`None`).
    pub fn render_unless_unchanged(
        &self,
        source: &Source<'_>,
        page: PageKind,
        memo: &PageMemo,
        paths: &[String],
    ) -> Result<Option<Vec<u8>>, ThemeError> {
        if memo.is_unchanged(paths, fingerprint(source, &self.labels, page, "one")) {
            return Ok(None);
        }
        self.render(source, page).map(Some)
    }

    /// The error of a page that failed with the minified templates, rendered again from the
    /// templates as written, so that the error shows the line the theme's author wrote rather than
    /// the minified template.
    fn error_as_written(
        &self,
        source: &Source<'_>,
        page: PageKind,
        template: &'static str,
        e: &tera::Error,
    ) -> ThemeError {
        self.render_html(source, page)
            .err()
            .unwrap_or_else(|| render_error(source.site, page, template, e))
    }

    /// Renders one page with the templates as written, without minifying it.
    pub fn render_html(&self, source: &Source<'_>, page: PageKind) -> Result<String, ThemeError> {
        let (template, context) = context(source, &self.labels, page);
        let mut html = Vec::with_capacity(PAGE_CAPACITY);
        self.as_written
            .render_to(
                template,
                context.tera(),
                bounds::BoundedPage::new(&mut html),
            )
            .map_err(|e| render_error(source.site, page, template, &e))?;
        String::from_utf8(html).map_err(|e| ThemeError::Render {
            page: routes::url(source.site, page),
            template,
            message: e.to_string(),
        })
    }
}

/// The two copies of a page rendered once for the latest edition's folder and the root: (the
/// folder's, the root's).
pub type BothCopies = (Vec<u8>, Vec<u8>);

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

/// The templates of a theme over the built-in default theme: each template the theme has replaces
/// the default's of the same name, the others are the default's. A theme folder that does not
/// exist is an error, unless it is the default theme's (built in). Also says whether every
/// template is the built-in one (a theme's own file that is the same text is).
fn theme_templates(theme_dir: &Path) -> Result<(Vec<(String, String)>, bool), ThemeError> {
    let mut templates: BTreeMap<String, String> = super::builtin::templates().into_iter().collect();
    let mut builtin = true;
    if theme_dir.is_dir() {
        for (name, text) in read_templates(theme_dir)? {
            let replaced = templates.insert(name, text.clone());
            builtin &= replaced.as_ref() == Some(&text);
        }
    } else if theme_dir.file_name() != Some(OsStr::new(DEFAULT_THEME)) {
        return Err(ThemeError::Read {
            path: theme_dir.to_path_buf(),
            message: "テーマのフォルダがありません。themes/ の下にフォルダを作るか、config.toml を theme = \"default\" にしてください".to_string(),
        });
    }
    Ok((templates.into_iter().collect(), builtin))
}

/// The templates of a theme, by name relative to its `templates` folder, in order of name (none
/// if it has no such folder).
fn read_templates(theme_dir: &Path) -> Result<Vec<(String, String)>, ThemeError> {
    let templates_dir = theme_dir.join(TEMPLATES_DIR);
    let mut templates = Vec::new();
    if !templates_dir.is_dir() {
        return Ok(templates);
    }
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

/// How Tera escapes text.
type EscapeFn = fn(&str, &mut dyn std::io::Write) -> std::io::Result<()>;

fn compile(templates: Vec<(String, String)>, escape: EscapeFn) -> Result<Tera, ThemeError> {
    let hint = macro_hint(&templates);
    let mut tera = Tera::new();
    // The same five characters as everywhere else in the site ([`escape_xml`]).
    tera.set_escape_fn(escape);
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

/// The templates minified once ([`compact::compact`]); `None` if any one cannot be.
fn compacted(templates: Vec<(String, String)>) -> Option<Vec<(String, String)>> {
    templates
        .into_iter()
        .map(|(name, text)| compact::compact(&text).map(|text| (name, text)))
        .collect()
}

/// A Tera error with its causes. Tera's report of a template error spans lines: the file, line and
/// column, the line quoted and a marker under the mistake.
fn error_chain(error: &tera::Error) -> String {
    let mut message = super::tera_messages::in_japanese(&error.to_string());
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
    use crate::indexes::Indexes;
    use crate::render::escape_xml;
    use tera::Context;

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
        let message = match compile(templates, write_escaped_xml) {
            Err(ThemeError::Template(message)) => message,
            Err(other) => panic!("another error: {other}"),
            Ok(_) => panic!("Tera 2 accepted a macro"),
        };
        assert!(message.contains("component"), "{message}");
        assert!(message.contains("components.html"), "{message}");
        let plain = compile(
            vec![("t.html".to_string(), "{% if %}".to_string())],
            write_escaped_xml,
        );
        assert!(
            matches!(plain, Err(ThemeError::Template(m)) if !m.contains("component")),
            "no hint without macros"
        );
    }

    #[test]
    fn tera_escapes_the_five_characters_as_escape_xml_does() {
        let tera = compile(
            vec![("t.html".to_string(), "{{ text }}".to_string())],
            write_escaped_xml,
        )
        .expect("compiles");
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
            as_written: compile(read_templates(&theme).expect("read"), write_escaped_xml)
                .expect("compile"),
            compacted: None,
            labels: super::super::labels::load(&theme).expect("labels"),
            for_both: None,
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
}
