//! The files around the pages that other programs read: `sitemap.xml` for search engines,
//! `robots.txt`, and an Atom feed of the projects (`feed.xml`). All URLs are absolute, from the base
//! URL; dates come from the config, never the clock, so output stays deterministic.

use super::escape_xml as escape;
use crate::model::Site;

/// `sitemap.xml` listing `pages` (URLs relative to the site root).
pub fn sitemap(site: &Site, pages: &[String]) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for page in pages {
        xml.push_str(&format!(
            "  <url><loc>{}</loc><lastmod>{}</lastmod></url>\n",
            escape(&format!("{}{page}", site.config.base_url)),
            escape(&site.config.updated)
        ));
    }
    xml.push_str("</urlset>\n");
    xml
}

/// `robots.txt`: everything may be read; points at the sitemap.
pub fn robots(site: &Site) -> String {
    format!(
        "User-agent: *\nAllow: /\nSitemap: {}sitemap.xml\n",
        site.config.base_url
    )
}

/// An Atom feed with one entry per project.
pub fn atom(site: &Site) -> String {
    let config = &site.config;
    let updated = format!("{}T00:00:00+09:00", config.updated);
    let mut xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">\n  <title>{}</title>\n  <subtitle>{}</subtitle>\n  <id>{}</id>\n  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}feed.xml\"/>\n  <updated>{updated}</updated>\n  <author><name>{}</name></author>\n  <rights>{}（{}）</rights>\n",
        escape(&config.language),
        escape(&config.title),
        escape(&config.description),
        escape(&config.base_url),
        escape(&config.base_url),
        escape(&config.base_url),
        escape(&config.publisher),
        escape(&config.license.name),
        escape(&config.license.short_name),
    );
    for project in &site.projects {
        let url = format!("{}projects/{}/", config.base_url, project.slug);
        let category = &site.vocabulary.category(project.category).name;
        let departments: Vec<&str> = project
            .departments
            .iter()
            .map(|&d| site.vocabulary.departments[d].name.as_str())
            .collect();
        let summary = format!(
            "{}（{}）{}事業費 {}。{}",
            category,
            departments.join("・"),
            config.budget_year.japanese(),
            project.budget.display(),
            crate::render::data::one_line(&project.overview)
        );
        xml.push_str(&format!(
            "  <entry>\n    <title>{}</title>\n    <id>{}</id>\n    <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n    <updated>{updated}</updated>\n    <summary>{}</summary>\n  </entry>\n",
            escape(&project.name),
            escape(&url),
            escape(&url),
            escape(&summary)
        ));
    }
    xml.push_str("</feed>\n");
    xml
}
