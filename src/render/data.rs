//! Open data: every fact of every project as CSV and JSON, after the Digital Agency's rules for
//! machine-readable government data (行政データにおける機械可読性に関するルール).
//!
//! CSV files are UTF-8 with a BOM and CRLF line ends (Excel reads them right), one header row with
//! ASCII column names (their Japanese names are on the data page), the publisher's 全国地方公共団体コード
//! first in every row as the 自治体標準オープンデータセット has it (empty when the configuration does not
//! name one), one value per cell, numbers without commas or units, 0/1 codes, fiscal years in
//! 西暦 with 和暦 beside them, no line breaks inside a field. Multi-valued facts (departments, the
//! roadmap) go to long-format files. The JSON holds the same facts with the Markdown texts as written.
//!
//! CSV cells hold no platform-dependent characters (機種依存文字): ① is written (1), Ⅲ III, ㎞ km
//! (see [`super::plain_form`]), as the rules ask of tabular data opened in spreadsheets. The JSON
//! and the pages keep the text as written: JSON is Unicode by definition (RFC 8259), is read by
//! programs rather than spreadsheets, and is the one lossless copy (the plain form is lossy: ① and
//! ⑴ both become (1)), so a user who needs the original characters finds them there. The CSV and
//! the JSON join on the project ID, never on a text.
//!
//! A site with editions also has, at its root, combined files ([`write_combined_files`]): every
//! edition's projects and roadmap cells in one long-format CSV each (and one JSON), each row an
//! edition's own row with the edition's columns after the code. The rows of every CSV file come
//! from one row builder per file ([`project_rows`], [`roadmap_rows`] …), whichever file they go
//! to, so an edition's own file and the combined one cannot disagree.

use rayon::prelude::*;
use serde::Serialize;

use super::plain_form::plain_form;
use super::{EncodeError, Pieces};
use crate::config::{License, SourceDocument};
use crate::fiscal_year::{EndYear, FiscalYear, WrittenYear};
use crate::model::{Project, RoadmapRow, RowCounts, RowKind, Site, YearBasis};
use crate::money::Budget;

/// One project's open data, made once and put into every file that holds it (its own JSON file,
/// its edition's collection files, the combined files of every edition): its record as JSON and
/// its rows of each CSV file, encoded, without the cells that lead them. With it, the project's part
/// of its edition's search index, which is made and kept the same way.
#[derive(Debug)]
pub struct ProjectData {
    slug: String,
    /// The record as JSON up to its URL's value (`{"id":…,…,"url":`): the URL is relative to
    /// where the file is (the edition's root for its own files, the site root for the combined).
    json_head: String,
    /// The project's page, relative to its edition's root.
    url: String,
    /// For each of [`TABLES`], the project's rows: each row's cells encoded, each cell followed by
    /// a comma; a row of `projects.csv` without its last cell, the page's URL.
    rows: Vec<Vec<Box<[u8]>>>,
    search: super::search::SearchEntry,
    /// The project's list line ([`super::views::summary`]: the project and its edition's
    /// vocabulary), made when a render first needs it. Kept with the rest, so the preview does not
    /// make it again for a project that did not change.
    list_line: std::sync::OnceLock<super::memo::Premade>,
    /// The project's row of the timeline (the project, its edition's configuration and whether
    /// the timeline has a column of earlier years), made and kept alike: one without that column,
    /// one with it.
    timeline_rows: [std::sync::OnceLock<super::memo::Premade>; 2],
}

impl ProjectData {
    /// The open data of `project` of `site`.
    pub fn of(site: &Site, project: &Project) -> Result<ProjectData, EncodeError> {
        let mut r = record(site, project);
        let url = std::mem::take(&mut r.url);
        let path = super::routes::project_json(&project.slug);
        let json = serde_json::to_string(&r).map_err(|e| EncodeError::json(&path, &e))?;
        // The URL is the record's last field: its empty value is cut off and written per file.
        let json_head = json
            .strip_suffix("\"\"}")
            .filter(|head| head.ends_with("\"url\":"))
            .ok_or_else(|| EncodeError {
                path: path.clone(),
                format: "JSON",
                message: "事業の記録の最後の項目が url ではありません。".to_string(),
            })?
            .to_string();
        let rows = TABLES
            .iter()
            .map(|table| table_rows(&r, table))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ProjectData {
            slug: project.slug.clone(),
            json_head,
            url,
            rows,
            search: super::search::SearchEntry::of(site, project)?,
            list_line: std::sync::OnceLock::new(),
            timeline_rows: Default::default(),
        })
    }

    /// The project's list line, made with `make` the first time.
    pub(crate) fn list_line(
        &self,
        make: impl FnOnce() -> super::memo::Premade,
    ) -> super::memo::Premade {
        self.list_line.get_or_init(make).clone()
    }

    /// The project's row of the timeline with a column of earlier years or without (`earlier`),
    /// made with `make` the first time.
    pub(crate) fn timeline_row(
        &self,
        earlier: bool,
        make: impl FnOnce() -> super::memo::Premade,
    ) -> super::memo::Premade {
        self.timeline_rows[usize::from(earlier)]
            .get_or_init(make)
            .clone()
    }

    /// The record as JSON, its page's URL after `url_prefix` (the path from where the file is to
    /// the edition's root).
    fn push_json(&self, url_prefix: &str, out: &mut Vec<u8>) {
        out.extend_from_slice(self.json_head.as_bytes());
        self.push_json_end(url_prefix, out);
    }

    /// [`ProjectData::push_json`] as pieces of a larger file: the record as kept, then its end.
    fn push_json_pieces<'d>(&'d self, url_prefix: &str, out: &mut Pieces<'d>) {
        out.kept(self.json_head.as_bytes());
        let from = out.own_buffer().len();
        self.push_json_end(url_prefix, out.own_buffer());
        out.own_written(from);
    }

    /// What follows [`ProjectData::json_head`]: the URL's value and the record's end.
    fn push_json_end(&self, url_prefix: &str, out: &mut Vec<u8>) {
        let url = format!("{url_prefix}{}", self.url);
        // A string always encodes.
        let _ = serde_json::to_writer(&mut *out, &url);
        out.push(b'}');
    }

    /// The project's own JSON file: (path relative to its edition's root, bytes).
    pub fn json_file(&self) -> (String, Vec<u8>) {
        let mut bytes = Vec::with_capacity(self.json_head.len() + self.url.len() + 4);
        self.push_json("", &mut bytes);
        bytes.push(b'\n');
        (super::routes::project_json(&self.slug), bytes)
    }
}

/// An edition's open data: each of its projects', in the order of the site's projects. Made once
/// per build for its own files and the combined ones; the preview keeps it and makes again only
/// the projects that changed ([`OpenData::reusing`]).
#[derive(Debug, Default)]
pub struct OpenData {
    projects: Vec<std::sync::Arc<ProjectData>>,
}

impl OpenData {
    /// The open data of every project of `site`.
    pub fn of(site: &Site) -> Result<OpenData, EncodeError> {
        OpenData::reusing(site, None, &|_| false)
    }

    /// The open data of every project of `site`, taken from `before` (an earlier build's of the
    /// same edition, with the same configuration and vocabulary) for the projects `unchanged` says
    /// are as they were then.
    pub fn reusing(
        site: &Site,
        before: Option<&OpenData>,
        unchanged: &(dyn Fn(&Project) -> bool + Sync),
    ) -> Result<OpenData, EncodeError> {
        let kept: std::collections::HashMap<&str, &std::sync::Arc<ProjectData>> = before
            .map(|b| b.projects.iter().map(|p| (p.slug.as_str(), p)).collect())
            .unwrap_or_default();
        let projects = site
            .projects
            .par_iter()
            .map(|project| match kept.get(project.slug.as_str()) {
                Some(&data) if unchanged(project) => Ok(std::sync::Arc::clone(data)),
                _ => ProjectData::of(site, project).map(std::sync::Arc::new),
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(OpenData { projects })
    }

    /// The search index entries of the edition's projects, in their order.
    pub fn search_entries(&self) -> Vec<&super::search::SearchEntry> {
        self.projects.iter().map(|p| &p.search).collect()
    }

    /// The open data of the project at position `i` of the site's projects.
    pub fn project(&self, i: usize) -> Option<&ProjectData> {
        self.projects.get(i).map(|p| &**p)
    }

    /// The open data at position `i`, if it is `project`'s (the same file name).
    pub(crate) fn project_as(&self, i: usize, project: &Project) -> Option<&ProjectData> {
        self.project(i).filter(|data| data.slug == project.slug)
    }
}

/// A CSV file made of each project's rows.
struct Table {
    path: &'static str,
    columns: &'static [Column],
    rows: Rows,
    /// Whether each row ends with the project page's URL (`projects.csv`).
    ends_with_url: bool,
}

/// The CSV files of an edition's `data/`, in the order of [`ProjectData::rows`].
const TABLES: [Table; 4] = [
    Table {
        path: "data/projects.csv",
        columns: PROJECT_COLUMNS,
        rows: project_rows,
        ends_with_url: true,
    },
    Table {
        path: "data/project_sections.csv",
        columns: SECTION_COLUMNS,
        rows: section_rows,
        ends_with_url: false,
    },
    Table {
        path: "data/initiatives.csv",
        columns: INITIATIVE_COLUMNS,
        rows: initiative_rows,
        ends_with_url: false,
    },
    Table {
        path: "data/roadmap.csv",
        columns: ROADMAP_COLUMNS,
        rows: roadmap_rows,
        ends_with_url: false,
    },
];

/// The combined files made of an edition's CSV files: (position in [`TABLES`], path).
const COMBINED_TABLES: [(usize, &str); 2] = [(0, COMBINED_PROJECTS_CSV), (3, COMBINED_ROADMAP_CSV)];

/// A record's rows of one CSV file, encoded (see [`ProjectData::rows`]). A row with more or fewer
/// cells than the file has columns after the code is an error, never a shifted file.
fn table_rows(r: &ProjectRecord, table: &Table) -> Result<Vec<Box<[u8]>>, EncodeError> {
    let expected = table.columns.len().saturating_sub(1);
    let mut rows = Vec::new();
    let mut wrong = None;
    let mut encoder = RowEncoder::new();
    (table.rows)(r, &mut |cells: &[&str]| {
        if cells.len() != expected {
            wrong.get_or_insert(cells.len());
            return Ok(());
        }
        let cells = match (table.ends_with_url, cells.split_last()) {
            (true, Some((_, before_url))) => before_url,
            _ => cells,
        };
        rows.push(encoder.encode(cells)?.into_boxed_slice());
        Ok(())
    })
    .map_err(|e| EncodeError::csv(table.path, &e))?;
    match wrong {
        Some(found) => Err(EncodeError {
            path: table.path.to_string(),
            format: "CSV",
            message: format!("行の欄の数（{found}）が項目の数（{expected}）と違います。"),
        }),
        None => Ok(rows),
    }
}

/// Encodes cells row by row as a CSV writer writes them (without a BOM; the lengths of rows are
/// checked by the caller), one writer for many rows.
struct RowEncoder {
    writer: csv::Writer<RowBuffer>,
    buffer: RowBuffer,
}

/// Where a [`RowEncoder`]'s writer puts the bytes, taken after each row.
#[derive(Clone, Default)]
struct RowBuffer(std::rc::Rc<std::cell::RefCell<Vec<u8>>>);

impl std::io::Write for RowBuffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl RowEncoder {
    fn new() -> RowEncoder {
        let buffer = RowBuffer::default();
        let writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .flexible(true)
            .buffer_capacity(1024)
            .from_writer(buffer.clone());
        RowEncoder { writer, buffer }
    }

    /// Cells encoded as one CSV row writes them, each followed by a comma. Every cell is in its
    /// plain form (no platform-dependent characters; the records keep the text as written for the
    /// JSON). A text cell that a spreadsheet would run as a formula (it starts with `=`, `+`, `-`,
    /// `@`, a tab or a carriage return: `=HYPERLINK(…)`, `@SUM(…)`) gets a leading `'`, as OWASP
    /// recommends against CSV injection; the data page says so. Numbers never start with these.
    fn encode(&mut self, cells: &[&str]) -> Result<Vec<u8>, csv::Error> {
        for cell in cells {
            self.writer
                .write_field(inert(&plain_form(cell)).as_bytes())?;
        }
        // An empty last cell: every cell before it is followed by a comma, and the row is never
        // one empty cell (which the writer would quote).
        self.writer.write_field(b"")?;
        self.writer.write_record(None::<&[u8]>)?;
        self.writer.flush()?;
        let mut bytes = std::mem::take(&mut *self.buffer.0.borrow_mut());
        // The line end.
        bytes.truncate(bytes.len().saturating_sub(2));
        Ok(bytes)
    }
}

/// The publisher's 全国地方公共団体コード, the first cell of every CSV row: empty when the
/// configuration does not name one.
fn publisher_code(site: &Site) -> &str {
    site.config
        .local_government_code
        .as_ref()
        .map_or("", |c| c.as_str())
}

/// The cells that lead an edition's rows in the combined CSV files: the publisher's code, then
/// the edition's ([`EDITION_COLUMNS`]).
fn edition_lead(site: &Site, edition: &crate::editions::Edition) -> [String; 4] {
    [
        publisher_code(site).to_string(),
        edition.code.clone(),
        edition.year.western().to_string(),
        edition.year.japanese(),
    ]
}

/// A CSV file: the BOM and header, then every row of `table` of `data`, each after `lead` (the
/// publisher's code), the URL from the edition's root.
fn csv_file<'d>(
    table: usize,
    header: &[Column],
    lead: &[String],
    data: &'d OpenData,
) -> Result<Pieces<'d>, csv::Error> {
    let mut out = Pieces::default();
    out.own(&csv_header(header)?);
    csv_rows(table, lead, data, "", &mut out)?;
    Ok(out)
}

/// The BOM and the header row of a CSV file.
fn csv_header(header: &[Column]) -> Result<Vec<u8>, csv::Error> {
    let mut w = writer();
    w.write_record(header.iter().map(|c| c.name))?;
    finish(w)
}

/// Every row of `table` of `data`, each after the cells `lead`, the projects' URLs after
/// `url_prefix` (the path from the file to the edition's root), onto `out`: the rows as each
/// project keeps them, the lead, URLs and line ends between them.
fn csv_rows<'d>(
    table: usize,
    lead: &[String],
    data: &'d OpenData,
    url_prefix: &str,
    out: &mut Pieces<'d>,
) -> Result<(), csv::Error> {
    let mut encoder = RowEncoder::new();
    let lead: Vec<&str> = lead.iter().map(String::as_str).collect();
    let lead = encoder.encode(&lead)?;
    let with_url = TABLES.get(table).is_some_and(|t| t.ends_with_url);
    for project in &data.projects {
        let Some(rows) = project.rows.get(table) else {
            continue;
        };
        let url = if with_url {
            let url = format!("{url_prefix}{}", project.url);
            let mut url = encoder.encode(&[url.as_str()])?;
            url.pop();
            Some(url)
        } else {
            None
        };
        for row in rows {
            out.own(&lead);
            match &url {
                Some(url) => {
                    out.kept(row);
                    out.own(url);
                }
                None => out.kept(&row[..row.len().saturating_sub(1)]),
            }
            out.own(b"\r\n");
        }
    }
    Ok(())
}

/// `projects.json` of one edition (without the last line end), its projects' URLs after
/// `url_prefix`, put together from each project's JSON. JSON is written compact: at 10,000
/// projects the pretty forms are 40 MB (the collection) and 53 MB (the projects' own files)
/// against 28 and 35 MB; browsers show it indented anyway.
fn collection_json<'d>(
    site: &Site,
    total: Budget,
    data: &'d OpenData,
    url_prefix: &str,
    path: &str,
    out: &mut Pieces<'d>,
) -> Result<(), EncodeError> {
    let head = Collection::new(site, total, data.projects.len());
    let mut head = serde_json::to_vec(&head).map_err(|e| EncodeError::json(path, &e))?;
    // The projects are the last field, written empty: each project's JSON goes in their place.
    if !head.ends_with(b"\"projects\":[]}") {
        return Err(EncodeError {
            path: path.to_string(),
            format: "JSON",
            message: "projects が最後の項目ではありません。".to_string(),
        });
    }
    head.truncate(head.len() - 2);
    out.own(&head);
    for (n, project) in data.projects.iter().enumerate() {
        if n > 0 {
            out.own(b",");
        }
        project.push_json_pieces(url_prefix, out);
    }
    out.own(b"]}");
    Ok(())
}

/// Writes the files of `data/` that gather every project with `write(path relative to the output,
/// bytes)`, each as soon as it is made (side by side), from the edition's open data; returns how
/// many. Each project's own file is [`ProjectData::json_file`], written beside its page.
pub fn write_collection_files<E: Send + From<EncodeError>>(
    site: &Site,
    total: Budget,
    data: &OpenData,
    write: &super::WriteFile<'_, E>,
) -> Result<usize, E> {
    let lead = [publisher_code(site).to_string()];
    let files: Vec<&str> = TABLES
        .iter()
        .map(|t| t.path)
        .chain(["data/projects.json", "data/projects.schema.json"])
        .collect();
    files.par_iter().enumerate().try_for_each(|(n, &path)| {
        let pieces = match n {
            n if n < TABLES.len() => csv_file(n, TABLES[n].columns, &lead, data)
                .map_err(|e| EncodeError::csv(path, &e))?,
            n if n == TABLES.len() => {
                let mut pieces = Pieces::default();
                collection_json(site, total, data, "", path, &mut pieces)?;
                pieces.own(b"\n");
                pieces
            }
            _ => return write(path, &[SCHEMA.as_bytes()]),
        };
        write(path, &pieces.parts())
    })?;
    Ok(files.len())
}

/// The own JSON file of `site`'s `i`th project: (path relative to the edition's root, bytes), taken
/// from the edition's open data `data` when it was made, else made here; `None` without such a
/// project.
pub fn project_json(
    site: &Site,
    data: Option<&OpenData>,
    i: usize,
) -> Result<Option<(String, Vec<u8>)>, EncodeError> {
    if let Some(made) = data.and_then(|data| data.project(i)) {
        return Ok(Some(made.json_file()));
    }
    site.projects
        .get(i)
        .map(|project| Ok(ProjectData::of(site, project)?.json_file()))
        .transpose()
}

/// The JSON Schema of `projects.json` (and, under `$defs/project`, of each project's file).
pub const SCHEMA: &str = include_str!("projects.schema.json");

/// The combined files of a site with editions, at the root: every edition's projects and
/// roadmap cells in one long-format file each, a row per project (or cell) and edition.
pub const COMBINED_PROJECTS_CSV: &str = "data/editions_projects.csv";
pub const COMBINED_ROADMAP_CSV: &str = "data/editions_roadmap.csv";
pub const COMBINED_JSON: &str = "data/editions_projects.json";
pub const COMBINED_JSON_SCHEMA: &str = "data/editions_projects.schema.json";
/// The JSON Schemas of one row of each combined CSV file.
pub const COMBINED_PROJECTS_CSV_SCHEMA: &str = "data/editions_projects.csv.schema.json";
pub const COMBINED_ROADMAP_CSV_SCHEMA: &str = "data/editions_roadmap.csv.schema.json";

/// The JSON Schema of `editions_projects.json`; each edition's `data` is as `projects.schema.json`.
pub const COMBINED_SCHEMA: &str = include_str!("editions_projects.schema.json");

/// An edition as the combined files have it: its site, its total and its open data.
pub type EditionData<'a> = (&'a Site, Budget, &'a OpenData);

/// Writes the combined files of a site with editions (see [`COMBINED_PROJECTS_CSV`]) with
/// `write`, from each edition's open data; returns how many. Writes nothing and returns 0 unless
/// every site is an edition (a site without edition folders has no combined files). Editions go
/// oldest first whatever the order given; within an edition, rows are in the order of its own
/// files, the same rows as its own files', after the edition's columns.
///
/// Every build that writes a site with editions — full or partial — makes these files with this
/// function, from every edition, so the two give the same bytes.
pub fn write_combined_files<E: Send + From<EncodeError>>(
    editions: &[EditionData<'_>],
    write: &super::WriteFile<'_, E>,
) -> Result<usize, E> {
    let mut placed = Vec::with_capacity(editions.len());
    for &(site, total, data) in editions {
        let Some(place) = &site.edition else {
            return Ok(0);
        };
        placed.push((&place.edition, site, total, data));
    }
    if placed.is_empty() {
        return Ok(0);
    }
    placed.sort_by(|a, b| {
        a.0.year
            .cmp(&b.0.year)
            .then_with(|| a.0.code.cmp(&b.0.code))
    });
    // Each edition's rows after its columns, its page URLs from the site root (where the combined
    // files are: in the edition's folder); the rows and JSON as each project keeps them.
    let csv = |n: usize| -> Result<(), E> {
        let (table, path) = COMBINED_TABLES[n];
        let mut pieces = Pieces::default();
        pieces.own(
            &csv_header(&combined_columns(TABLES[table].columns))
                .map_err(|e| EncodeError::csv(path, &e))?,
        );
        for &(edition, site, _, data) in &placed {
            csv_rows(
                table,
                &edition_lead(site, edition),
                data,
                &super::routes::edition_root(&edition.code),
                &mut pieces,
            )
            .map_err(|e| EncodeError::csv(path, &e))?;
        }
        write(path, &pieces.parts())
    };
    let combined_json = || -> Result<(), E> {
        let mut pieces = Pieces::default();
        pieces.own(b"{\"editions\":[");
        for (n, &(edition, site, total, data)) in placed.iter().enumerate() {
            if n > 0 {
                pieces.own(b",");
            }
            let head = EditionHead {
                edition: &edition.code,
                edition_fiscal_year: edition.year.western(),
                edition_wareki: edition.year.japanese(),
            };
            let head =
                serde_json::to_vec(&head).map_err(|e| EncodeError::json(COMBINED_JSON, &e))?;
            // `data` follows the edition's own fields.
            pieces.own(&head[..head.len().saturating_sub(1)]);
            pieces.own(b",\"data\":");
            let url_prefix = super::routes::edition_root(&edition.code);
            collection_json(site, total, data, &url_prefix, COMBINED_JSON, &mut pieces)?;
            pieces.own(b"}");
        }
        pieces.own(b"]}\n");
        write(COMBINED_JSON, &pieces.parts())
    };
    let whole = |path: &str, bytes: Result<Vec<u8>, EncodeError>| -> Result<(), E> {
        write(path, &[&bytes?])
    };
    type Write<'b, E> = Box<dyn Fn() -> Result<(), E> + Sync + 'b>;
    let writers: Vec<Write<'_, E>> = vec![
        Box::new(|| csv(0)),
        Box::new(|| csv(1)),
        Box::new(combined_json),
        Box::new(|| write(COMBINED_JSON_SCHEMA, &[COMBINED_SCHEMA.as_bytes()])),
        Box::new(|| {
            whole(
                COMBINED_PROJECTS_CSV_SCHEMA,
                row_schema(
                    COMBINED_PROJECTS_CSV_SCHEMA,
                    COMBINED_PROJECTS_CSV,
                    "DX関連事業ロードマップ すべての年度版の事業（CSV の1行）",
                    &combined_columns(PROJECT_COLUMNS),
                ),
            )
        }),
        Box::new(|| {
            whole(
                COMBINED_ROADMAP_CSV_SCHEMA,
                row_schema(
                    COMBINED_ROADMAP_CSV_SCHEMA,
                    COMBINED_ROADMAP_CSV,
                    "DX関連事業ロードマップ すべての年度版のロードマップ（CSV の1行）",
                    &combined_columns(ROADMAP_COLUMNS),
                ),
            )
        }),
    ];
    writers.par_iter().try_for_each(|write| write())?;
    Ok(writers.len())
}

/// What `editions_projects.json` says of an edition before its `data` (what its own
/// `projects.json` holds).
#[derive(Serialize)]
struct EditionHead<'a> {
    edition: &'a str,
    edition_fiscal_year: u16,
    edition_wareki: String,
}

/// The columns that say which edition a row of a combined file is of; they follow the code.
pub const EDITION_COLUMNS: &[Column] = &[
    column(
        "edition",
        "年度版",
        "年度版の記号（r6 など。年度版のフォルダとURLの名前で、その年度版だけのデータは r6/data/ にあります）",
    ),
    column(
        "edition_fiscal_year",
        "年度版の年度（西暦）",
        "年度版の年度（西暦の年度。令和6年度版なら 2024）",
    ),
    column(
        "edition_wareki",
        "年度版の年度（和暦）",
        "年度版の年度の和暦（令和6年度など）",
    ),
];

/// The columns of a combined file made from an edition's own file with `columns`: the code, the
/// edition's columns, then the rest.
pub fn combined_columns(columns: &[Column]) -> Vec<Column> {
    let rest = match columns.split_first() {
        Some((first, rest)) if first.name == CODE_COLUMN.name => rest,
        _ => columns,
    };
    let mut all = Vec::with_capacity(rest.len() + 1 + EDITION_COLUMNS.len());
    all.push(CODE_COLUMN);
    all.extend_from_slice(EDITION_COLUMNS);
    all.extend_from_slice(rest);
    all
}

/// The JSON Schema of one row of a CSV file, read as an object by its header's names (as
/// `csv.DictReader` and most CSV readers give it): every column required, every cell a string,
/// described by the same column definitions as the data page.
fn row_schema(
    path: &str,
    csv_path: &str,
    title: &str,
    columns: &[Column],
) -> Result<Vec<u8>, EncodeError> {
    #[derive(Serialize)]
    struct RowSchema<'a> {
        #[serde(rename = "$schema")]
        schema: &'static str,
        #[serde(rename = "$id")]
        id: &'a str,
        title: &'a str,
        description: String,
        #[serde(rename = "type")]
        kind: &'static str,
        required: Vec<&'static str>,
        #[serde(rename = "additionalProperties")]
        additional_properties: bool,
        properties: Properties<'a>,
    }
    /// The columns in their order in the file.
    struct Properties<'a>(&'a [Column]);
    #[derive(Serialize)]
    struct Property {
        #[serde(rename = "type")]
        kind: &'static str,
        title: &'static str,
        description: &'static str,
        #[serde(skip_serializing_if = "Option::is_none")]
        pattern: Option<&'static str>,
    }
    impl Serialize for Properties<'_> {
        fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            use serde::ser::SerializeMap;
            let mut map = serializer.serialize_map(Some(self.0.len()))?;
            for c in self.0 {
                let pattern = match c.name {
                    "local_government_code" => Some("^([0-9]{6})?$"),
                    "edition" => Some("^[rh][1-9][0-9]*$"),
                    "edition_fiscal_year" => Some("^[0-9]{4}$"),
                    _ => None,
                };
                let property = Property {
                    kind: "string",
                    title: c.japanese,
                    description: c.definition,
                    pattern,
                };
                map.serialize_entry(c.name, &property)?;
            }
            map.end()
        }
    }
    let file = csv_path.trim_start_matches("data/");
    let schema = RowSchema {
        schema: "https://json-schema.org/draft/2020-12/schema",
        id: path.trim_start_matches("data/"),
        title,
        description: format!(
            "{file} の1行を、1行目の項目名をキー、欄の文字を値としたオブジェクトとして読んだときの形式です。どの欄も文字列です（数値の欄も数字だけの文字列、空欄は空の文字列）。title は日本語の項目名、description は項目の意味です。"
        ),
        kind: "object",
        required: columns.iter().map(|c| c.name).collect(),
        additional_properties: false,
        properties: Properties(columns),
    };
    let mut bytes = serde_json::to_vec_pretty(&schema).map_err(|e| EncodeError::json(path, &e))?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// A code with its name.
#[derive(Debug, Clone, Serialize)]
pub struct Named {
    pub slug: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SectionRecord {
    pub slug: String,
    pub name: String,
    pub department: String,
}

/// A fiscal year in both calendars, the code and the era as the sheet writes them (H31 stays
/// 平成31年度); `fiscal_year` is null for an undecided end.
#[derive(Debug, Clone, Serialize)]
pub struct YearRecord {
    pub code: String,
    pub fiscal_year: Option<u16>,
    pub wareki: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct RowRecord {
    pub label: String,
    pub kind: &'static str,
    pub fiscal_years: Vec<u16>,
    /// 「as_written」 or 「inferred」.
    pub years_basis: &'static str,
    /// Why the years were inferred; null for rows as written.
    pub years_basis_note: Option<String>,
    /// The years of `fiscal_years` outside the project's own years.
    pub years_outside_project_period: Vec<u16>,
    pub year_labels: Vec<YearLabel>,
}

const AS_WRITTEN_CODE: &str = "as_written";
const INFERRED_CODE: &str = "inferred";

/// The code of a row's basis in the open data.
pub fn basis_code(basis: &YearBasis) -> &'static str {
    match basis {
        YearBasis::AsWritten => AS_WRITTEN_CODE,
        YearBasis::Inferred { .. } => INFERRED_CODE,
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct YearLabel {
    pub fiscal_year: u16,
    pub label: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct InitiativeRecord {
    pub title: String,
    pub description: String,
    pub roadmap: Vec<RowRecord>,
}

/// Every fact of a project.
#[derive(Debug, Clone, Serialize)]
pub struct ProjectRecord {
    pub id: String,
    pub name: String,
    pub field: Named,
    pub category: Named,
    pub departments: Vec<Named>,
    pub sections: Vec<SectionRecord>,
    pub joint: bool,
    pub budget_thousand_yen: u64,
    pub budget_fiscal_year: u16,
    pub account: Named,
    pub priority: bool,
    pub future: bool,
    pub start: YearRecord,
    pub end: YearRecord,
    pub sheet_number: Option<u32>,
    pub overview: String,
    pub situation: String,
    pub outcome: String,
    pub notes: String,
    pub initiatives: Vec<InitiativeRecord>,
    /// The project's page, relative to the site root.
    pub url: String,
}

/// Everything in `projects.json`: what the configuration says of the site and its source (absent
/// statements are null, never filled in), the counts and total, and every project.
#[derive(Serialize)]
struct Collection<'a> {
    title: String,
    scope: Option<&'a str>,
    publisher: Option<&'a str>,
    /// The publisher's 全国地方公共団体コード; null when the configuration does not name one.
    local_government_code: Option<&'a str>,
    source: SourceRecord<'a>,
    license: Option<&'a License>,
    count: usize,
    total_budget_thousand_yen: u64,
    roadmap_rows: RowCounts,
    /// Written empty: [`collection_json`] puts each project's JSON in its place.
    projects: [(); 0],
}

#[derive(Serialize)]
struct SourceRecord<'a> {
    title: &'a str,
    author: Option<&'a str>,
    url: Option<&'a str>,
}

impl<'a> Collection<'a> {
    fn new(site: &'a Site, total: Budget, count: usize) -> Collection<'a> {
        let config = &site.config;
        let SourceDocument {
            title, author, url, ..
        } = &config.source;
        Collection {
            title: config.full_title(),
            scope: config.source.scope.as_deref(),
            publisher: config.publisher.as_deref(),
            local_government_code: config.local_government_code.as_ref().map(|c| c.as_str()),
            source: SourceRecord {
                title,
                author: author.as_deref(),
                url: url.as_deref(),
            },
            license: config.license.as_ref(),
            count,
            total_budget_thousand_yen: total.thousand_yen(),
            roadmap_rows: site.row_counts(),
            projects: [],
        }
    }
}

fn year(year: WrittenYear) -> YearRecord {
    YearRecord {
        code: year.code(),
        fiscal_year: Some(year.year().western()),
        wareki: year.japanese(),
    }
}

fn end_year(end: EndYear) -> YearRecord {
    match end {
        EndYear::Year(y) => year(y),
        EndYear::Undecided => YearRecord {
            code: end.code(),
            fiscal_year: None,
            wareki: end.code(),
        },
    }
}

fn named(slug: &str, name: &str) -> Named {
    Named {
        slug: slug.to_string(),
        name: name.to_string(),
    }
}

/// The record of one project.
pub fn record(site: &Site, project: &Project) -> ProjectRecord {
    let vocabulary = &site.vocabulary;
    let field = &vocabulary.field(project.category.field);
    let category = vocabulary.category(project.category);
    let account = &vocabulary.account(project.account);
    ProjectRecord {
        id: project.slug.clone(),
        name: project.name.clone(),
        field: named(&field.slug, &field.name),
        category: named(&category.slug, &category.name),
        departments: project
            .departments
            .iter()
            .map(|&d| {
                named(
                    &vocabulary.department(d).slug,
                    &vocabulary.department(d).name,
                )
            })
            .collect(),
        sections: project
            .sections
            .iter()
            .map(|&s| {
                let section = vocabulary.section(s);
                SectionRecord {
                    slug: section.slug.clone(),
                    name: section.name.clone(),
                    department: vocabulary.department(s.department).slug.clone(),
                }
            })
            .collect(),
        joint: project.is_joint(),
        budget_thousand_yen: project.budget.thousand_yen(),
        budget_fiscal_year: site.config.budget_year.western(),
        account: named(&account.slug, &account.name),
        priority: project.priority,
        future: project.future,
        start: year(project.start),
        end: end_year(project.end),
        sheet_number: project.sheet_number,
        overview: project.overview.trim().to_string(),
        situation: project.situation.trim().to_string(),
        outcome: project.outcome.trim().to_string(),
        notes: project.notes.clone(),
        initiatives: project
            .initiatives
            .iter()
            .map(|i| InitiativeRecord {
                title: i.title.clone(),
                description: i.description.trim().to_string(),
                roadmap: i
                    .roadmap
                    .iter()
                    .flat_map(|r| row_records(project, r))
                    .collect(),
            })
            .collect(),
        url: super::routes::project_url(project),
    }
}

/// The open-data rows of one roadmap row: the row as written, then, when the content records
/// what was done of a planned step (its 実績, held beside the plan in the model), that 実績 as a
/// row of its own with the plan's label, as the sheets write a 実績 row under its plan.
fn row_records(project: &Project, r: &RoadmapRow) -> Vec<RowRecord> {
    let labels = |labels: &std::collections::BTreeMap<FiscalYear, String>| {
        labels
            .iter()
            .map(|(y, l)| YearLabel {
                fiscal_year: y.western(),
                label: l.clone(),
            })
            .collect()
    };
    let outside = |years: &[FiscalYear]| {
        years
            .iter()
            .filter(|&&y| !project.runs_in(y))
            .map(|y| y.western())
            .collect()
    };
    let mut rows = vec![RowRecord {
        label: r.label.clone(),
        kind: r.kind.label(),
        fiscal_years: r.years.iter().map(|y| y.western()).collect(),
        years_basis: basis_code(&r.basis),
        years_basis_note: r.basis.reason().map(str::to_string),
        years_outside_project_period: outside(&r.years),
        year_labels: labels(&r.year_labels),
    }];
    if let Some(actual) = &r.actual {
        rows.push(RowRecord {
            label: r.label.clone(),
            kind: RowKind::Actual.label(),
            fiscal_years: actual.years.iter().map(|y| y.western()).collect(),
            years_basis: basis_code(&actual.basis),
            years_basis_note: actual.basis.reason().map(str::to_string),
            years_outside_project_period: outside(&actual.years),
            year_labels: labels(&actual.year_labels),
        });
    }
    rows
}

/// A CSV writer with a BOM and CRLF line ends.
fn writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer("\u{FEFF}".as_bytes().to_vec())
}

/// A cell that no spreadsheet will evaluate.
pub fn inert(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

fn finish(writer: csv::Writer<Vec<u8>>) -> Result<Vec<u8>, csv::Error> {
    writer
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))
}

fn flag(value: bool) -> &'static str {
    if value { "1" } else { "0" }
}

/// Markdown text on one line, as the sheets write it: list items start with 「・」, paragraphs join.
pub fn one_line(markdown: &str) -> String {
    markdown
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(
            |l| match l.strip_prefix("- ").or_else(|| l.strip_prefix("* ")) {
                Some(item) => format!("・{item}"),
                None => l.to_string(),
            },
        )
        .collect::<Vec<_>>()
        .join("")
}

/// Receives the cells of one CSV row that follow its leading cells.
type Emit<'e> = dyn FnMut(&[&str]) -> Result<(), csv::Error> + 'e;

/// The rows a project gives one CSV file, each handed to the callback without its leading cells:
/// [`project_rows`], [`section_rows`], [`initiative_rows`], [`roadmap_rows`].
type Rows = fn(&ProjectRecord, &mut Emit<'_>) -> Result<(), csv::Error>;

/// A column of a CSV file: its name in the header, its Japanese name and what it holds (both shown
/// on data/index.html).
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Column {
    pub name: &'static str,
    pub japanese: &'static str,
    pub definition: &'static str,
}

const fn column(name: &'static str, japanese: &'static str, definition: &'static str) -> Column {
    Column {
        name,
        japanese,
        definition,
    }
}

/// The first column of every CSV file, as in the 自治体標準オープンデータセット.
pub const CODE_COLUMN: Column = column(
    "local_government_code",
    "全国地方公共団体コード",
    "発行者の全国地方公共団体コード（6桁、検査数字を含む）。設定（config.toml の local_government_code）にないときは空欄",
);

/// The columns of `projects.csv`.
pub const PROJECT_COLUMNS: &[Column] = &[
    CODE_COLUMN,
    column(
        "id",
        "事業ID",
        "事業ID（事業ページのURLの名前。変わりません）",
    ),
    column(
        "name",
        "事業名",
        "事業シートの事業名（英字の全角・半角も資料のまま）",
    ),
    column(
        "field_code",
        "分野コード",
        "分野の英字のコード（語彙ファイルの slug）",
    ),
    column("field", "分野", "分野の名前（暮らし・まち分野など）"),
    column(
        "category_code",
        "項目コード",
        "項目の英字のコード（語彙ファイルの slug）",
    ),
    column("category", "項目", "分野の中の項目の名前（医療・福祉など）"),
    column(
        "joint",
        "共同事業",
        "複数の部局の共同事業か（1=共同、0=単独）。部局・課は project_sections.csv",
    ),
    column(
        "budget_thousand_yen",
        "事業費（千円）",
        "事業費（千円、整数）",
    ),
    column(
        "budget_fiscal_year",
        "事業費の年度",
        "事業費の年度（西暦の年度）",
    ),
    column(
        "account_code",
        "会計コード",
        "会計の英字のコード（語彙ファイルの slug）",
    ),
    column("account", "会計", "会計（一般会計、病院事業会計など）"),
    column(
        "priority",
        "重点枠事業",
        "重点枠事業（1=該当、0=該当しない）",
    ),
    column("future", "将来対応分", "将来対応分（1=該当、0=該当しない）"),
    column(
        "start_fiscal_year",
        "事業始期（西暦）",
        "事業始期（西暦の年度）",
    ),
    column(
        "start_wareki",
        "事業始期（和暦）",
        "事業始期（和暦。資料の元号のまま：平成31年度など）",
    ),
    column(
        "end_fiscal_year",
        "事業終期（西暦）",
        "事業終期（西暦の年度。未定のときは空欄）",
    ),
    column(
        "end_wareki",
        "事業終期（和暦）",
        "事業終期（和暦。資料の元号のまま。または「未定」）",
    ),
    column(
        "end_undecided",
        "事業終期未定",
        "事業終期が未定か（1=未定、0=決まっている）",
    ),
    column(
        "sheet_number",
        "資料番号",
        "元資料の番号（資料に番号がある事業だけ。ほかは空欄）",
    ),
    column(
        "overview",
        "概要",
        "概要（改行なし。箇条書きは「・」で始まる）",
    ),
    column("situation", "現状・課題", "現状・課題（同上）"),
    column(
        "outcome",
        "デジタル活用によってどう変わるか",
        "デジタル活用によってどう変わるか（同上）",
    ),
    column(
        "initiative_count",
        "取組数",
        "取組の数。取組は initiatives.csv",
    ),
    column(
        "url",
        "事業ページのURL",
        "事業ページのURL（サイトのルートからの相対パス）",
    ),
];

/// The row of one project in `projects.csv`, after the code column: the one place that reads a
/// record for that file (an edition's own and the combined one).
fn project_rows(r: &ProjectRecord, emit: &mut Emit<'_>) -> Result<(), csv::Error> {
    let end_fiscal_year = r.end.fiscal_year.map(|y| y.to_string()).unwrap_or_default();
    let start_fiscal_year = r
        .start
        .fiscal_year
        .map(|y| y.to_string())
        .unwrap_or_default();
    emit(&[
        r.id.as_str(),
        &r.name,
        &r.field.slug,
        &r.field.name,
        &r.category.slug,
        &r.category.name,
        flag(r.joint),
        &r.budget_thousand_yen.to_string(),
        &r.budget_fiscal_year.to_string(),
        &r.account.slug,
        &r.account.name,
        flag(r.priority),
        flag(r.future),
        &start_fiscal_year,
        &r.start.wareki,
        &end_fiscal_year,
        &r.end.wareki,
        flag(r.end.fiscal_year.is_none()),
        &r.sheet_number.map(|n| n.to_string()).unwrap_or_default(),
        &one_line(&r.overview),
        &one_line(&r.situation),
        &one_line(&r.outcome),
        &r.initiatives.len().to_string(),
        &r.url,
    ])
}

/// The columns of `project_sections.csv`.
pub const SECTION_COLUMNS: &[Column] = &[
    CODE_COLUMN,
    column("project_id", "事業ID", "事業ID（projects.csv の id）"),
    column(
        "department_code",
        "担当部局コード",
        "担当部局の英字のコード（語彙ファイルの slug）",
    ),
    column("department", "担当部局", "担当部局の名前"),
    column(
        "section_code",
        "担当課等コード",
        "担当課等の英字のコード（語彙ファイルの slug）",
    ),
    column("section", "担当課等", "担当課等の名前"),
];

/// The rows of one project in `project_sections.csv`, after the code column.
fn section_rows(r: &ProjectRecord, emit: &mut Emit<'_>) -> Result<(), csv::Error> {
    for s in &r.sections {
        let department = r
            .departments
            .iter()
            .find(|d| d.slug == s.department)
            .map_or("", |d| d.name.as_str());
        emit(&[r.id.as_str(), &s.department, department, &s.slug, &s.name])?;
    }
    Ok(())
}

/// The columns of `initiatives.csv`.
pub const INITIATIVE_COLUMNS: &[Column] = &[
    CODE_COLUMN,
    column("project_id", "事業ID", "事業ID（projects.csv の id）"),
    column("initiative_no", "取組番号", "取組の番号（事業の中で1から）"),
    column("title", "取組名", "取組の名前"),
    column("description", "取組の説明", "取組の説明（改行なし）"),
];

/// The rows of one project in `initiatives.csv`, after the code column.
fn initiative_rows(r: &ProjectRecord, emit: &mut Emit<'_>) -> Result<(), csv::Error> {
    for (i, initiative) in r.initiatives.iter().enumerate() {
        emit(&[
            r.id.as_str(),
            &(i + 1).to_string(),
            &initiative.title,
            &one_line(&initiative.description),
        ])?;
    }
    Ok(())
}

/// The columns of `roadmap.csv`: one line per project, roadmap row and fiscal year it covers.
pub const ROADMAP_COLUMNS: &[Column] = &[
    CODE_COLUMN,
    column("project_id", "事業ID", "事業ID（projects.csv の id）"),
    column(
        "fiscal_year",
        "年度（西暦）",
        "計画・実績がある年度（西暦の年度、4月始まり）",
    ),
    column(
        "fiscal_year_wareki",
        "年度（和暦）",
        "同じ年度の和暦（令和6年度など）",
    ),
    column(
        "initiative_no",
        "取組番号",
        "取組の番号（initiatives.csv と対応）",
    ),
    column(
        "row_no",
        "行番号",
        "ロードマップの行の番号（取組の中で1から）",
    ),
    column("row_label", "行の名前", "ロードマップの行の名前"),
    column("kind", "区分", "区分（計画 または 実績）"),
    column(
        "year_label",
        "年度の欄の文字",
        "その年度の欄に書かれた文字（ない場合は空欄）",
    ),
    column(
        "years_inferred",
        "年度の推定",
        "この行の年度を推定したか（1=推定、元資料の文字から年度が読み取れない行。0=元資料の文字から年度が決まる行）",
    ),
    column(
        "years_basis_note",
        "推定の理由",
        "年度を推定した理由（years_inferred が 1 のとき。0 のときは空欄）",
    ),
    column(
        "in_project_period",
        "事業期間内",
        "その年度が事業期間（事業始期〜事業終期）の中か（1=中、0=外。事業終期より後の年度に書かれた行など）",
    ),
];

/// The rows of one project in `roadmap.csv`, one per roadmap cell (a roadmap row and a fiscal year
/// it covers), after the code column: the one place that reads the roadmap rows of a record for
/// the CSV files (an edition's own and the combined one).
fn roadmap_rows(r: &ProjectRecord, emit: &mut Emit<'_>) -> Result<(), csv::Error> {
    for (i, initiative) in r.initiatives.iter().enumerate() {
        for (j, row) in initiative.roadmap.iter().enumerate() {
            for &fy in &row.fiscal_years {
                let label = row
                    .year_labels
                    .iter()
                    .find(|l| l.fiscal_year == fy)
                    .map_or("", |l| l.label.as_str());
                emit(&[
                    r.id.as_str(),
                    &fy.to_string(),
                    &FiscalYear::from_western(fy).japanese(),
                    &(i + 1).to_string(),
                    &(j + 1).to_string(),
                    &row.label,
                    row.kind,
                    label,
                    flag(row.years_basis == INFERRED_CODE),
                    row.years_basis_note.as_deref().unwrap_or_default(),
                    flag(!row.years_outside_project_period.contains(&fy)),
                ])?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_keeps_bullets_as_the_sheets_write_them() {
        assert_eq!(one_line("- 一つ目\n- 二つ目\n"), "・一つ目・二つ目");
        assert_eq!(one_line("段落。\n\n次の段落。"), "段落。次の段落。");
    }

    #[test]
    fn cells_a_spreadsheet_would_run_are_made_inert() {
        for formula in [
            "=HYPERLINK(\"x\")",
            "+cmd|' /C calc'!A0",
            "-2+3",
            "@SUM(A1)",
            "\t=1",
            "\r=1",
        ] {
            assert_eq!(inert(formula), format!("'{formula}"));
        }
        for plain in ["4202", "へき地", "a=b", "", "'quoted"] {
            assert_eq!(inert(plain), plain);
        }
        let bytes = RowEncoder::new().encode(&["=1+1", "普通"]).expect("row");
        assert_eq!(String::from_utf8_lossy(&bytes), "'=1+1,普通,");
    }

    #[test]
    fn an_encoding_failure_is_said_as_what_it_is_never_an_empty_file() {
        let unencodable = std::collections::BTreeMap::from([((1u8, 2u8), 3u8)]);
        let error = serde_json::to_vec(&unencodable)
            .map_err(|e| EncodeError::json("data/x.json", &e))
            .expect_err("a map with tuple keys is not JSON");
        let message = error.to_string();
        assert!(
            message.contains("data/x.json") && message.contains("JSON"),
            "{message}"
        );
        let failure = crate::pipeline::Failure::from(error);
        assert_eq!(failure.exit_code(), 2);
    }

    #[test]
    fn every_csv_file_starts_with_the_code_and_the_combined_ones_add_the_edition_after_it() {
        for columns in [
            PROJECT_COLUMNS,
            SECTION_COLUMNS,
            INITIATIVE_COLUMNS,
            ROADMAP_COLUMNS,
        ] {
            assert_eq!(columns[0].name, CODE_COLUMN.name);
            let combined: Vec<&str> = combined_columns(columns).iter().map(|c| c.name).collect();
            let mut expected = vec![CODE_COLUMN.name];
            expected.extend(EDITION_COLUMNS.iter().map(|c| c.name));
            expected.extend(columns[1..].iter().map(|c| c.name));
            assert_eq!(combined, expected);
        }
    }

    #[test]
    fn a_row_with_a_cell_too_many_or_too_few_is_an_error_never_a_shifted_file() {
        let record = |budget: u64| ProjectRecord {
            id: "x".to_string(),
            name: "事業".to_string(),
            field: named("f", "分野"),
            category: named("c", "項目"),
            departments: Vec::new(),
            sections: Vec::new(),
            joint: false,
            budget_thousand_yen: budget,
            budget_fiscal_year: 2024,
            account: named("general", "一般会計"),
            priority: false,
            future: false,
            start: end_year(EndYear::Undecided),
            end: end_year(EndYear::Undecided),
            sheet_number: None,
            overview: String::new(),
            situation: String::new(),
            outcome: String::new(),
            notes: String::new(),
            initiatives: Vec::new(),
            url: "projects/x/".to_string(),
        };
        let mut with_roadmap = record(2);
        with_roadmap.sections.push(SectionRecord {
            slug: "s".to_string(),
            name: "課".to_string(),
            department: "d".to_string(),
        });
        with_roadmap.initiatives.push(InitiativeRecord {
            title: "取組".to_string(),
            description: String::new(),
            roadmap: vec![RowRecord {
                label: "行".to_string(),
                kind: "計画",
                fiscal_years: vec![2024, 2025],
                years_basis: AS_WRITTEN_CODE,
                years_basis_note: None,
                years_outside_project_period: Vec::new(),
                year_labels: Vec::new(),
            }],
        });
        // A builder giving more or fewer cells than its file has columns is an error.
        for cells in [0, 2] {
            let table = Table {
                path: "data/x.csv",
                columns: &[CODE_COLUMN, CODE_COLUMN],
                rows: if cells == 0 {
                    |_, emit| emit(&[])
                } else {
                    |r, emit| emit(&[&r.id, &r.id])
                },
                ends_with_url: false,
            };
            let error = table_rows(&record(1), &table).expect_err("cells and columns differ");
            assert!(error.to_string().contains("data/x.csv"), "{error}");
        }
        // Every builder gives exactly its file's columns, in an edition's own file and in the
        // combined one, with the URL from where the file is.
        let data = |records: &[ProjectRecord]| OpenData {
            projects: records
                .iter()
                .map(|r| {
                    let mut head = r.clone();
                    head.url = String::new();
                    let json = serde_json::to_string(&head).expect("json");
                    std::sync::Arc::new(ProjectData {
                        slug: r.id.clone(),
                        json_head: json.strip_suffix("\"\"}").expect("url last").to_string(),
                        url: r.url.clone(),
                        rows: TABLES
                            .iter()
                            .map(|t| table_rows(r, t).expect("rows"))
                            .collect(),
                        search: Default::default(),
                        list_line: Default::default(),
                        timeline_rows: Default::default(),
                    })
                })
                .collect(),
        };
        let data = data(&[record(1), with_roadmap]);
        for (n, lines) in [(0, 2), (1, 1), (2, 1), (3, 2)] {
            for (lead, url_prefix) in [
                (vec![String::new()], ""),
                (
                    vec![
                        "020001".to_string(),
                        "r6".to_string(),
                        "2024".to_string(),
                        "令和6年度".to_string(),
                    ],
                    "r6/",
                ),
            ] {
                let columns = if lead.len() == 1 {
                    TABLES[n].columns.to_vec()
                } else {
                    combined_columns(TABLES[n].columns)
                };
                let mut pieces = Pieces::default();
                pieces.own(&csv_header(&columns).expect("header"));
                csv_rows(n, &lead, &data, url_prefix, &mut pieces).expect("rows");
                let text = String::from_utf8(pieces.parts().concat()).expect("utf-8");
                let mut reader =
                    csv::Reader::from_reader(text.trim_start_matches('\u{FEFF}').as_bytes());
                let header = reader.headers().expect("header").clone();
                assert_eq!(header.len(), columns.len(), "{}", TABLES[n].path);
                let rows: Vec<csv::StringRecord> = reader
                    .records()
                    .map(|r| r.expect("a row as long as the header"))
                    .collect();
                assert_eq!(rows.len(), lines, "{}", TABLES[n].path);
                if TABLES[n].ends_with_url {
                    for row in &rows {
                        assert_eq!(&row[row.len() - 1], format!("{url_prefix}projects/x/"));
                    }
                }
            }
        }
    }

    #[test]
    fn the_combined_schemas_are_json_and_name_every_column() {
        let schema: serde_json::Value =
            serde_json::from_str(COMBINED_SCHEMA).expect("schema parses");
        assert_eq!(
            schema["$defs"]["edition"]["properties"]["data"]["$ref"],
            "projects.schema.json"
        );
        let columns = combined_columns(ROADMAP_COLUMNS);
        let bytes = row_schema(
            COMBINED_ROADMAP_CSV_SCHEMA,
            COMBINED_ROADMAP_CSV,
            "見出し",
            &columns,
        )
        .expect("schema");
        let schema: serde_json::Value = serde_json::from_slice(&bytes).expect("parses");
        let required: Vec<&str> = schema["required"]
            .as_array()
            .expect("required")
            .iter()
            .filter_map(|v| v.as_str())
            .collect();
        assert_eq!(required, columns.iter().map(|c| c.name).collect::<Vec<_>>());
        assert_eq!(schema["$id"], "editions_roadmap.csv.schema.json");
        assert_eq!(schema["properties"]["kind"]["title"], "区分");
        assert_eq!(
            schema["properties"]["edition"]["pattern"],
            "^[rh][1-9][0-9]*$"
        );
    }

    #[test]
    fn the_schema_is_json() {
        let schema: serde_json::Value = serde_json::from_str(SCHEMA).expect("schema parses");
        assert_eq!(
            schema["$schema"],
            "https://json-schema.org/draft/2020-12/schema"
        );
    }
}
