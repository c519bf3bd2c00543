//! Every URL of the site and every file a build writes, in one place: pages, a project's open-data
//! file, the data files. Nothing else spells a path, so changing the URL scheme (editions, say) is a
//! change to this file.
//!
//! URLs are relative to the site root (`""` for the home page, else ending in `/`); links in pages
//! are made relative to each page (`root` is `./`, `../` or `../../`), so the site works from any
//! sub-path of any host.
//!
//! With editions (see [`crate::editions`]) every edition is published whole under its code
//! (`r6/projects/<slug>/`: its permanent URLs, the canonical ones), and the latest edition once more
//! at the root ([`Mount`]); the URLs below are then relative to an edition's root.

use crate::indexes::Indexes;
use crate::model::{Project, Site};
use crate::vocabulary::{CategoryId, DepartmentId, FieldId};

/// A page of the site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PageKind {
    Home,
    Project(usize),
    Fields,
    Field(FieldId),
    Category(CategoryId),
    Departments,
    Department(DepartmentId),
    Budget,
    Accessibility,
    Data,
    Timeline,
    Search,
    /// What changed from the edition before (editions but the first).
    Changes,
    NotFound,
    /// At the root of a site with editions, a page of an earlier edition that the latest does not
    /// have: its position in the latest edition's [`crate::editions::Catalogue::absent`].
    Absent(usize),
}

/// Where a render of one edition is published.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mount {
    /// A site without editions, at the root, as always.
    Whole,
    /// An edition in its own folder (`r6/`): its permanent URLs.
    EditionFolder,
    /// The latest edition again at the root.
    LatestAtRoot,
    /// The latest edition's folder and the root at once: a page rendered once, its links to the
    /// site root holding [`SITE_ROOT_MARK`] where the two copies differ ([`unmark`]).
    LatestInBoth,
}

/// Stands, in a page rendered for [`Mount::LatestInBoth`], for the step from the latest edition's
/// folder up to the site root: `../` in the folder's copy, nothing in the root's. A control
/// character, which no input can hold: content, configuration and vocabulary refuse it, and a
/// theme holding it is rendered twice instead ([`super::Renderer::can_render_once_for_both`]).
pub const SITE_ROOT_MARK: u8 = 0x01;

/// The two copies of a page rendered for [`Mount::LatestInBoth`]: (in the latest edition's folder,
/// at the root); `None` when a [`SITE_ROOT_MARK`] in it is not where a link to the site root puts
/// it, right after the page's way up to its edition's root (`./`, `../`…). The marks are found
/// once, and each copy made piece by piece between them.
pub fn unmark(html: Vec<u8>) -> Option<(Vec<u8>, Vec<u8>)> {
    let marks: Vec<usize> = memchr::memchr_iter(SITE_ROOT_MARK, &html).collect();
    if marks.is_empty() {
        return Some((html.clone(), html));
    }
    if !marks.iter().all(|&at| html[..at].ends_with(b"./")) {
        return None;
    }
    let mut folder = Vec::with_capacity(html.len() + 2 * marks.len());
    let mut root = Vec::with_capacity(html.len() - marks.len());
    let mut from = 0;
    for &at in &marks {
        let piece = &html[from..at];
        folder.extend_from_slice(piece);
        folder.extend_from_slice(b"../");
        root.extend_from_slice(piece);
        from = at + 1;
    }
    folder.extend_from_slice(&html[from..]);
    root.extend_from_slice(&html[from..]);
    Some((folder, root))
}

/// Whether a page of the latest edition differs between its folder and the root only in its links
/// to the site root, so that it can be rendered once for both ([`Mount::LatestInBoth`]): every
/// page but the data page, which at the root also lists every edition's combined files (and the
/// pages the root keeps of earlier editions, which only the root has).
pub fn renders_once_for_both(page: PageKind) -> bool {
    !matches!(page, PageKind::Data | PageKind::Absent(_))
}

/// Every page of the site, in a fixed order.
pub fn pages(site: &Site, indexes: &Indexes) -> Vec<PageKind> {
    let mut pages = vec![
        PageKind::Home,
        PageKind::Fields,
        PageKind::Departments,
        PageKind::Budget,
        PageKind::Accessibility,
        PageKind::Data,
        PageKind::Timeline,
        PageKind::Search,
        PageKind::NotFound,
    ];
    if site
        .edition
        .as_ref()
        .is_some_and(|place| place.changes.is_some())
    {
        pages.push(PageKind::Changes);
    }
    pages.extend((0..site.projects.len()).map(PageKind::Project));
    pages.extend(site.vocabulary.field_ids().map(PageKind::Field));
    pages.extend(indexes.categories.iter().map(|c| PageKind::Category(c.id)));
    pages.extend(site.vocabulary.department_ids().map(PageKind::Department));
    pages
}

/// The URL of a page relative to the site root (`""` for the home page, else ending in `/`).
pub fn url(site: &Site, page: PageKind) -> String {
    match page {
        PageKind::Home => String::new(),
        PageKind::Project(i) => project_url(&site.projects[i]),
        PageKind::Fields => "fields/".to_string(),
        PageKind::Field(f) => field_url(site, f),
        PageKind::Category(id) => category_url(site, id),
        PageKind::Departments => "departments/".to_string(),
        PageKind::Department(d) => department_url(site, d),
        PageKind::Budget => "budget/".to_string(),
        PageKind::Accessibility => "accessibility/".to_string(),
        PageKind::Data => "data/".to_string(),
        PageKind::Timeline => "timeline/".to_string(),
        PageKind::Search => "search/".to_string(),
        PageKind::Changes => "changes/".to_string(),
        PageKind::NotFound => "404.html".to_string(),
        PageKind::Absent(i) => absent(site, i).map_or_else(String::new, |a| a.url.clone()),
    }
}

/// When the facts a page shows last changed (YYYY-MM-DD): a project's page, its project's date;
/// a page that gathers projects, the latest date of the edition; none for the 404 page and the
/// root's pages for URLs the latest edition lacks.
pub fn page_date(site: &Site, page: PageKind) -> Option<&str> {
    match page {
        PageKind::Project(i) => Some(site.project_date(&site.projects[i])),
        PageKind::NotFound | PageKind::Absent(_) => None,
        _ => Some(site.latest_date()),
    }
}

/// The page of an earlier edition that the root keeps at position `i`.
pub fn absent(site: &Site, i: usize) -> Option<&crate::editions::AbsentPage> {
    site.edition.as_ref()?.absent.get(i)
}

/// The pages the root keeps of earlier editions (only the latest edition has any).
pub fn absent_pages(site: &Site) -> Vec<PageKind> {
    match &site.edition {
        Some(place) if place.is_latest() => (0..place.absent.len()).map(PageKind::Absent).collect(),
        _ => Vec::new(),
    }
}

/// An edition's folder, relative to the site root: `r6/`.
pub fn edition_root(code: &str) -> String {
    format!("{code}/")
}

/// A URL or file of edition `code`, relative to the site root: `r6/projects/x/`.
pub fn in_edition(code: &str, relative: &str) -> String {
    format!("{code}/{relative}")
}

/// Where a file at `relative` of `site` published at `mount` is written, relative to the output:
/// once, or twice for [`Mount::LatestInBoth`] (in the edition's folder, at the root).
pub fn written_at(site: &Site, mount: Mount, relative: &str) -> Vec<String> {
    let code = site
        .edition
        .as_ref()
        .map(|place| place.edition.code.as_str());
    match (mount, code) {
        (Mount::EditionFolder, Some(code)) => vec![in_edition(code, relative)],
        (Mount::LatestInBoth, Some(code)) => {
            vec![in_edition(code, relative), relative.to_string()]
        }
        _ => vec![relative.to_string()],
    }
}

/// Where a site's canonical (permanent) URLs start, relative to the site root: its edition's
/// folder, or the root of a site without editions.
pub fn canonical_root(site: &Site) -> String {
    site.edition
        .as_ref()
        .map_or_else(String::new, |place| edition_root(&place.edition.code))
}

/// A page's canonical URL relative to the site root: in its edition's folder with editions.
pub fn canonical_path(site: &Site, page: PageKind) -> String {
    format!("{}{}", canonical_root(site), url(site, page))
}

/// The prefix that leads from a page back to the root of the whole site (above every edition's
/// folder).
pub fn site_root_prefix(page_url: &str, mount: Mount) -> String {
    match mount {
        Mount::EditionFolder => format!("{}../", root_prefix(page_url)),
        Mount::Whole | Mount::LatestAtRoot => root_prefix(page_url),
        Mount::LatestInBoth => format!("{}{}", root_prefix(page_url), char::from(SITE_ROOT_MARK)),
    }
}

/// A project's page in edition `code`, relative to the site root.
pub fn edition_project_url(code: &str, slug: &str) -> String {
    in_edition(code, &project_url_of(slug))
}

/// The file a page is written to, relative to the output directory.
pub fn output_path(site: &Site, page: PageKind) -> String {
    match page {
        PageKind::NotFound => url(site, page),
        _ => format!("{}index.html", url(site, page)),
    }
}

/// The prefix that leads from a page back to the site root.
pub fn root_prefix(url: &str) -> String {
    match url.matches('/').count() {
        0 => "./".to_string(),
        depth => "../".repeat(depth),
    }
}

/// The path of a URL (`https://host/dx/roadmap/` → `/dx/roadmap/`).
pub fn url_path(url: &str) -> String {
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    match after_scheme.find('/') {
        Some(slash) => after_scheme[slash..].to_string(),
        None => "/".to_string(),
    }
}

/// The open-data file of one project, relative to the output.
pub fn project_json(slug: &str) -> String {
    format!("data/projects/{slug}.json")
}

/// Every file that belongs to project `i` alone: its page and its open-data file. (Everything else
/// gathers projects and is made again whenever any project changes.)
pub fn project_files(site: &Site, i: usize) -> [String; 2] {
    [
        output_path(site, PageKind::Project(i)),
        project_json(&site.projects[i].slug),
    ]
}

/// A project's page.
pub fn project_url(project: &Project) -> String {
    project_url_of(&project.slug)
}

/// The page of the project with file name `slug`.
pub fn project_url_of(slug: &str) -> String {
    format!("projects/{slug}/")
}

/// A field's list of projects.
pub fn field_url(site: &Site, field: FieldId) -> String {
    format!("fields/{}/", site.vocabulary.field(field).slug)
}

/// A category's list of projects.
pub fn category_url(site: &Site, id: CategoryId) -> String {
    format!(
        "fields/{}/{}/",
        site.vocabulary.field(id.field).slug,
        site.vocabulary.category(id).slug
    )
}

/// A department's list of projects.
pub fn department_url(site: &Site, department: DepartmentId) -> String {
    format!(
        "departments/{}/",
        site.vocabulary.department(department).slug
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_path_keeps_the_sub_path() {
        assert_eq!(url_path("https://example.jp/dx/roadmap/"), "/dx/roadmap/");
        assert_eq!(url_path("http://127.0.0.1:8000/"), "/");
        assert_eq!(url_path("http://127.0.0.1:8000"), "/");
    }

    #[test]
    fn a_page_for_both_places_is_cut_at_its_marks_only_where_links_put_them() {
        let page =
            b"<a href=\"../../\x01r6/projects/x/\">R6</a><a href=\"./\x01r7/\">R7</a>".to_vec();
        let Some((folder, root)) = unmark(page) else {
            panic!("every mark is after ./");
        };
        assert_eq!(
            folder,
            b"<a href=\"../../../r6/projects/x/\">R6</a><a href=\"./../r7/\">R7</a>"
        );
        assert_eq!(
            root,
            b"<a href=\"../../r6/projects/x/\">R6</a><a href=\"./r7/\">R7</a>"
        );
        assert_eq!(unmark(b"<p>\x01</p>".to_vec()), None);
        assert_eq!(unmark(b"<a href=\"../../\x01r6/\">\x01</a>".to_vec()), None);
        let plain = b"<p>no mark</p>".to_vec();
        assert_eq!(unmark(plain.clone()), Some((plain.clone(), plain)));
        assert_eq!(unmark(b"\x01".to_vec()), None);
        assert_eq!(
            unmark(b"./\x01".to_vec()),
            Some((b"./../".to_vec(), b"./".to_vec()))
        );
    }

    #[test]
    fn root_prefix_follows_depth() {
        assert_eq!(root_prefix(""), "./");
        assert_eq!(root_prefix("budget/"), "../");
        assert_eq!(root_prefix("projects/a/"), "../../");
        assert_eq!(root_prefix("fields/a/b/"), "../../../");
    }
}
