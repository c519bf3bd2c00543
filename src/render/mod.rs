//! The render stage: turns the model and its indexes into the files of the site.
//!
//! - [`routes`]: every URL and output path;
//! - [`theme`]: the theme's templates, compiled once, and rendering one page ([`bounds`] keeps it finite);
//! - `pages`: what each page shows (template, title, context), built from [`views`];
//! - [`data`], [`search`], [`feeds`]: open data, the search index, sitemap and feed; [`plain_form`]:
//!   platform-dependent characters (①, ㎞) in the plain form the open data holds;
//! - [`charts`], [`compact`], [`escape`]: SVG bar charts, minifying templates, escaping text;
//! - [`memo`]: which pages a rebuild of the live preview need not render again.

pub(crate) mod bounds;
pub(crate) mod builtin;
pub(crate) mod charts;
pub mod compact;
pub(crate) mod data;
pub(crate) mod escape;
pub(crate) mod feeds;
pub(crate) mod labels;
pub mod memo;
mod pages;
pub mod plain_form;
pub mod routes;
pub mod search;
mod tera_messages;
pub(crate) mod theme;
pub(crate) mod views;

use rayon::prelude::*;

use crate::indexes::Indexes;
use crate::model::Site;

pub use escape::escape_xml;
pub use memo::PageMemo;
pub use theme::{Renderer, STATIC_DIR, ThemeError};

/// A file that could not be encoded as JSON or CSV: said as what it is (never as a disk failure,
/// never written as an empty file).
#[derive(Debug, thiserror::Error)]
#[error("{path} を作れません（{format} に変換できません）: {message}")]
pub struct EncodeError {
    pub path: String,
    pub format: &'static str,
    pub message: String,
}

impl EncodeError {
    pub fn json(path: &str, e: &serde_json::Error) -> EncodeError {
        EncodeError {
            path: path.to_string(),
            format: "JSON",
            message: e.to_string(),
        }
    }

    pub fn csv(path: &str, e: &csv::Error) -> EncodeError {
        EncodeError {
            path: path.to_string(),
            format: "CSV",
            message: e.to_string(),
        }
    }
}

/// Where a stage writes its files: `(path relative to the output, the file's bytes)`, from any
/// thread; the bytes in parts, one after another, so that a large file made of parts kept apart
/// (each project's JSON and CSV rows, see `Pieces`) is written without first being copied into
/// one.
pub type WriteFile<'a, E> = dyn Fn(&str, &[&[u8]]) -> Result<(), E> + Sync + 'a;

/// A file put together from pieces, in order: bytes borrowed from what the build keeps (each
/// project's encoded JSON and CSV rows) and bytes of its own (URLs, heads, separators, which
/// share one buffer). Written in parts ([`WriteFile`]), a file of tens of megabytes is never
/// copied into one buffer first: at 3 × 10,000 projects those buffers were ~270 MB of the
/// build's ~1.55 GB peak memory.
#[derive(Default)]
pub(crate) struct Pieces<'a> {
    own: Vec<u8>,
    order: Vec<Piece<'a>>,
}

#[derive(Clone, Copy)]
enum Piece<'a> {
    Kept(&'a [u8]),
    /// A range of [`Pieces::own`].
    Own(usize, usize),
}

impl<'a> Pieces<'a> {
    /// Bytes kept elsewhere, next.
    pub(crate) fn kept(&mut self, bytes: &'a [u8]) {
        if !bytes.is_empty() {
            self.order.push(Piece::Kept(bytes));
        }
    }

    /// Bytes of the file's own, next (joined with the own bytes just before them).
    pub(crate) fn own(&mut self, bytes: &[u8]) {
        let from = self.own.len();
        self.own.extend_from_slice(bytes);
        self.own_written(from);
    }

    /// The own bytes' buffer, to write into directly; [`Pieces::own_written`] then takes what
    /// was added as the next piece.
    pub(crate) fn own_buffer(&mut self) -> &mut Vec<u8> {
        &mut self.own
    }

    /// Takes the bytes added to [`Pieces::own_buffer`] since `from` (its length before) as the
    /// next piece.
    pub(crate) fn own_written(&mut self, from: usize) {
        let end = self.own.len();
        match self.order.last_mut() {
            Some(Piece::Own(_, last_end)) if *last_end == from => *last_end = end,
            _ if from == end => {}
            _ => self.order.push(Piece::Own(from, end)),
        }
    }

    /// The pieces in order, for [`WriteFile`].
    pub(crate) fn parts(&self) -> Vec<&[u8]> {
        self.order
            .iter()
            .map(|piece| match *piece {
                Piece::Kept(bytes) => bytes,
                Piece::Own(start, end) => &self.own[start..end],
            })
            .collect()
    }
}

/// JSON values already encoded, as the parts of a list after `open` and before `close`, with
/// commas and no spaces, as serde_json writes a list; for a file written in parts
/// ([`WriteFile`]).
fn json_list_parts<'v>(
    open: &'v [u8],
    values: impl Iterator<Item = &'v [u8]>,
    close: &'v [u8],
) -> Vec<&'v [u8]> {
    let mut parts = vec![open];
    for (n, value) in values.enumerate() {
        if n > 0 {
            parts.push(b",");
        }
        parts.push(value);
    }
    parts.push(close);
    parts
}

/// What pages are rendered from: the site, its indexes, and, made once and shared (they are
/// reference-counted, [`memo::Premade`]), every project's list line — the home, field, category,
/// department and budget pages share them instead of each converting every project again — each
/// project's row of the timeline, and the site-wide view every page shows.
pub struct Source<'a> {
    pub site: &'a Site,
    pub indexes: &'a Indexes,
    /// Where the pages are published (an edition's folder, the root).
    pub mount: routes::Mount,
    /// Made when a page first needs them (a render of a few project pages never does), and shared
    /// with [`Source::remounted`] copies.
    summaries: std::sync::Arc<std::sync::OnceLock<Vec<memo::Premade>>>,
    /// Each project's row of the timeline, made and shared as the list lines are.
    timeline_rows: std::sync::Arc<std::sync::OnceLock<Vec<memo::Premade>>>,
    pub(crate) site_view: memo::Premade,
    /// The roadmap's year columns, the same on every project page.
    pub(crate) year_columns: memo::Premade,
    /// The site's open data, when the render has it: each project's list line and timeline row
    /// are taken from (and kept with) its data ([`data::ProjectData::list_line`]).
    data: Option<&'a data::OpenData>,
}

/// A project's list line, made once for every page that lists it (see [`memo::Premade`]).
fn summary_value(site: &Site, project: &crate::model::Project) -> memo::Premade {
    memo::Premade::of(views::summary(site, project))
}

/// A project's list line, from its open data when `data` has it.
fn list_line(
    site: &Site,
    data: Option<&data::OpenData>,
    i: usize,
    project: &crate::model::Project,
) -> memo::Premade {
    match data.and_then(|d| d.project_as(i, project)) {
        Some(kept) => kept.list_line(|| summary_value(site, project)),
        None => summary_value(site, project),
    }
}

impl<'a> Source<'a> {
    pub fn new(site: &'a Site, indexes: &'a Indexes) -> Source<'a> {
        Source::mounted(site, indexes, routes::Mount::Whole)
    }

    /// The source of pages published at `mount`.
    pub fn mounted(site: &'a Site, indexes: &'a Indexes, mount: routes::Mount) -> Source<'a> {
        Source {
            site,
            indexes,
            mount,
            summaries: std::sync::Arc::default(),
            timeline_rows: std::sync::Arc::default(),
            site_view: memo::Premade::of(views::site_view(site)),
            year_columns: memo::Premade::of(views::year_columns(
                site,
                &site.config.roadmap_years(),
            )),
            data: None,
        }
    }

    /// The same source, taking each project's list line and timeline row from `data` (the
    /// site's open data) and keeping them there.
    pub fn with_data(self, data: Option<&'a data::OpenData>) -> Source<'a> {
        Source { data, ..self }
    }

    /// The same source for pages published at `mount` (the list lines are shared, not made again).
    pub fn remounted(&self, mount: routes::Mount) -> Source<'a> {
        Source {
            site: self.site,
            indexes: self.indexes,
            mount,
            summaries: std::sync::Arc::clone(&self.summaries),
            timeline_rows: std::sync::Arc::clone(&self.timeline_rows),
            site_view: self.site_view.clone(),
            year_columns: self.year_columns.clone(),
            data: self.data,
        }
    }

    /// Makes now, in parallel, the values that one of `pages` shares with others: every
    /// project's list line when a page lists projects, every project's row when the timeline is
    /// among them; before they are rendered (the root of a site with editions, say, has only its
    /// data page and the pages of absent projects to render, which need neither).
    pub fn make_shared_values_for(&self, pages: &[routes::PageKind]) {
        let site = self.site;
        if pages.iter().any(|&page| self::pages::lists_projects(page))
            && self.summaries.get().is_none()
        {
            // Made into Tera values now too: the pages that list projects use them all.
            let made = site
                .projects
                .par_iter()
                .enumerate()
                .map(|(i, project)| {
                    let line = list_line(site, self.data, i, project);
                    line.value();
                    line
                })
                .collect();
            let _ = self.summaries.set(made);
        }
        if pages.contains(&routes::PageKind::Timeline) && self.timeline_rows.get().is_none() {
            let _ = self
                .timeline_rows
                .set(self::pages::timeline_rows(site, self.data, true));
        }
    }

    /// Every project's row of the timeline, in the order of the site's projects; made here, on
    /// one thread, if [`Source::make_shared_values_for`] did not make them (as the list lines).
    fn timeline_rows(&self) -> &Vec<memo::Premade> {
        let site = self.site;
        self.timeline_rows
            .get_or_init(|| self::pages::timeline_rows(site, self.data, false))
    }

    /// Every project's list line, in the order of the site's projects; made here, on one thread,
    /// if [`Source::make_shared_values_for`] did not make them (never with rayon inside the lock:
    /// a thread waiting for rayon's work could take another page's and ask for the lines again).
    fn all_summaries(&self) -> &Vec<memo::Premade> {
        let site = self.site;
        self.summaries.get_or_init(|| {
            site.projects
                .iter()
                .enumerate()
                .map(|(i, project)| list_line(site, self.data, i, project))
                .collect()
        })
    }

    /// The list lines of `projects` (indexes into the site's projects), in that order.
    fn summaries(&self, projects: &[usize]) -> Vec<memo::Premade> {
        let all = self.all_summaries();
        projects
            .iter()
            .filter_map(|&p| all.get(p).cloned())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file of pieces is its pieces in order; own bytes in a row are one part, so a file of
    /// many small own pieces between kept ones is not written in as many parts.
    #[test]
    fn pieces_keep_their_order_and_join_own_bytes_in_a_row() {
        let kept = [b"kept one".to_vec(), Vec::new(), b"kept two".to_vec()];
        let mut pieces = Pieces::default();
        pieces.own(b"[");
        pieces.own(b"");
        pieces.kept(&kept[0]);
        pieces.own(b",");
        pieces.kept(&kept[1]);
        let buffer = pieces.own_buffer();
        let from = buffer.len();
        buffer.extend_from_slice(b" written ");
        pieces.own_written(from);
        pieces.kept(&kept[2]);
        pieces.own(b"]");
        let parts = pieces.parts();
        assert_eq!(parts.concat(), b"[kept one, written kept two]");
        let expected: [&[u8]; 5] = [b"[", b"kept one", b", written ", b"kept two", b"]"];
        assert_eq!(parts, expected);
    }
}
