//! The files around the pages that other programs read: `sitemap.xml` for search engines,
//! `robots.txt`, and an Atom feed of the projects (`feed.xml`). The sitemap and the feed need
//! absolute URLs: they are made only from a public base URL (see `SiteConfig::public_base_url`).
//! Dates come from the config, never the clock, so output stays deterministic.

use super::escape::push_escaped_xml as push_escaped;
use super::escape_xml as escape;
use crate::model::Site;

/// `sitemap.xml` listing `pages` (URLs relative to the site root, each with its date) under
/// `base_url`.
pub fn sitemap(base_url: &str, pages: &[(String, String)]) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for (page, date) in pages {
        // Escaped piece by piece: each character is escaped alone.
        xml.push_str("  <url><loc>");
        push_escaped(&mut xml, base_url);
        push_escaped(&mut xml, page);
        xml.push_str("</loc><lastmod>");
        push_escaped(&mut xml, date);
        xml.push_str("</lastmod></url>\n");
    }
    xml.push_str("</urlset>\n");
    xml
}

/// `robots.txt`: everything may be read; points at the sitemap when there is one.
pub fn robots(site: &Site) -> String {
    let mut text = String::from("User-agent: *\nAllow: /\n");
    if let Some(base_url) = site.config.public_base_url() {
        text.push_str(&format!("Sitemap: {base_url}sitemap.xml\n"));
    }
    text
}

/// An Atom feed under `base_url` with one entry per project. Its author is the configured
/// publisher, or else the site itself (Atom requires one); its rights, the configured licence only.
pub fn atom(site: &Site, base_url: &str) -> String {
    let config = &site.config;
    let stamp = |date: &str| format!("{date}T00:00:00+09:00");
    let updated = stamp(site.latest_date());
    let title = config.full_title();
    let author = config.publisher.clone().unwrap_or_else(|| title.clone());
    let mut xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">\n  <title>{}</title>\n  <subtitle>{}</subtitle>\n  <id>{}</id>\n  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}feed.xml\"/>\n  <updated>{updated}</updated>\n  <author><name>{}</name></author>\n",
        escape(&config.language),
        escape(&title),
        escape(&config.description),
        escape(base_url),
        escape(base_url),
        escape(base_url),
        escape(&author),
    );
    if let Some(license) = &config.license {
        xml.push_str(&format!(
            "  <rights>{}（{}）</rights>\n",
            escape(&license.name),
            escape(&license.short_name)
        ));
    }
    let budget_year = config.budget_year.japanese();
    for project in &site.projects {
        let url = format!("{base_url}{}", super::routes::project_url(project));
        let category = &site.vocabulary.category(project.category).name;
        let departments: Vec<&str> = project
            .departments
            .iter()
            .map(|&d| site.vocabulary.department(d).name.as_str())
            .collect();
        let summary = format!(
            "{}（{}）{}事業費 {}。{}",
            category,
            departments.join("・"),
            budget_year,
            project.budget.display(),
            crate::render::data::one_line(&project.overview)
        );
        push_entry(
            &mut xml,
            &project.name,
            &url,
            &url,
            &stamp(site.project_date(project)),
            &summary,
        );
    }
    for entry in change_entries(site, base_url) {
        push_entry(
            &mut xml,
            &entry.title,
            &entry.id,
            &entry.link,
            &stamp(&entry.date),
            &entry.summary,
        );
    }
    xml.push_str("</feed>\n");
    xml
}

/// Appends an entry of the feed; every value escaped but `updated` (a time stamp).
fn push_entry(xml: &mut String, title: &str, id: &str, link: &str, updated: &str, summary: &str) {
    xml.push_str("  <entry>\n    <title>");
    push_escaped(xml, title);
    xml.push_str("</title>\n    <id>");
    push_escaped(xml, id);
    xml.push_str("</id>\n    <link rel=\"alternate\" type=\"text/html\" href=\"");
    push_escaped(xml, link);
    xml.push_str("\"/>\n    <updated>");
    xml.push_str(updated);
    xml.push_str("</updated>\n    <summary>");
    push_escaped(xml, summary);
    xml.push_str("</summary>\n  </entry>\n");
}

/// One change from the previous edition, as a feed entry.
struct ChangeEntry {
    title: String,
    id: String,
    link: String,
    date: String,
    summary: String,
}

/// An entry per change from the previous edition (see [`crate::changes`]), dated when the change
/// was made: the project's date for a project added, a budget changed or a step changed, the
/// edition's own date for a project no longer listed.
fn change_entries(site: &Site, base_url: &str) -> Vec<ChangeEntry> {
    let Some(place) = &site.edition else {
        return Vec::new();
    };
    let Some(changes) = place.changes.as_deref() else {
        return Vec::new();
    };
    let (now, was) = (place.edition.name(), changes.previous.name());
    let page = format!(
        "{base_url}{}",
        super::routes::url(site, super::routes::PageKind::Changes)
    );
    let here = |slug: &str| format!("{base_url}{}", super::routes::project_url_of(slug));
    let there = |slug: &str| {
        let up = base_url
            .strip_suffix(&super::routes::edition_root(&place.edition.code))
            .unwrap_or(base_url);
        format!(
            "{up}{}",
            super::routes::edition_project_url(&changes.previous.code, slug)
        )
    };
    let mut entries = Vec::new();
    for p in &changes.added {
        entries.push(ChangeEntry {
            title: format!("{now}に新しく載った事業：{}", p.name),
            id: format!("{page}#added-{}", p.slug),
            link: here(&p.slug),
            date: p.date.clone(),
            summary: format!("{now}の事業費 {}。", p.budget.display()),
        });
    }
    for p in &changes.dropped {
        entries.push(ChangeEntry {
            title: format!("{now}に載らなくなった事業：{}", p.name),
            id: format!("{page}#dropped-{}", p.slug),
            link: there(&p.slug),
            date: site.config.updated.clone(),
            summary: format!("{was}の事業費 {}。", p.budget.display()),
        });
    }
    for b in &changes.budgets {
        entries.push(ChangeEntry {
            title: format!("事業費の変更：{}", b.after.name),
            id: format!("{page}#budget-{}", b.after.slug),
            link: here(&b.after.slug),
            date: b.after.date.clone(),
            summary: format!(
                "{was} {} → {now} {}。",
                b.before.budget.display(),
                b.after.budget.display()
            ),
        });
    }
    for (i, s) in changes.steps.iter().enumerate() {
        let what = match &s.change {
            crate::changes::StepChangeKind::Added { .. } => "追加",
            crate::changes::StepChangeKind::Removed { .. } => "削除",
            crate::changes::StepChangeKind::Moved { .. } => "年度の変更",
        };
        entries.push(ChangeEntry {
            title: format!("ロードマップの{what}：{}", s.project.name),
            id: format!("{page}#step-{}-{i}", s.project.slug),
            link: here(&s.project.slug),
            date: s.project.date.clone(),
            summary: format!("{}：{}（{}）", s.initiative, s.label, s.row_kind),
        });
    }
    entries
}
