//! The whole pipeline, stage after stage: config → content → model/indexes → render → write.
//!
//! `check` runs the first stages and writes nothing; `build` runs them all. Both report every content
//! problem at once.

pub mod incremental;

use std::path::{Path, PathBuf};
use std::time::Instant;

use rayon::prelude::*;

use crate::config::SiteConfig;
use crate::content::{self, Context};
use crate::diagnostics::{self, Diagnostic};
use crate::indexes::Indexes;
use crate::model::Site;
use crate::money::Budget;
use crate::progress::Progress;
use crate::render::{self, Renderer, ThemeError};
use crate::vocabulary::Vocabulary;
use crate::write::{Staging, WriteError};

pub const THEMES_DIR: &str = "themes";

/// Why a build or check did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    /// Problems in the files staff edit (exit status 1).
    #[error("内容に {} 件の誤りがあります。", .0.len())]
    Content(Vec<Diagnostic>),
    /// A broken theme (exit status 1).
    #[error(transparent)]
    Theme(#[from] ThemeError),
    /// The output could not be written (exit status 2).
    #[error(transparent)]
    Write(#[from] WriteError),
    /// A file could not be encoded as JSON or CSV (exit status 2).
    #[error(transparent)]
    Encode(#[from] render::EncodeError),
    /// The command was pointed at something that is not a site (exit status 2).
    #[error("{0}")]
    Usage(String),
}

impl Failure {
    /// The process exit status for this failure.
    pub fn exit_code(&self) -> u8 {
        match self {
            Failure::Content(_) | Failure::Theme(_) => 1,
            Failure::Write(_) | Failure::Encode(_) | Failure::Usage(_) => 2,
        }
    }
}

/// What `build` was asked to do.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    pub root: PathBuf,
    pub output: PathBuf,
    pub base_url: Option<String>,
    /// A build for the local preview (`roadmap serve`): its local base URL is used for absolute
    /// links, which a published build never does.
    pub preview: bool,
}

/// What a successful build did.
#[derive(Debug, Clone)]
pub struct BuildReport {
    pub pages: usize,
    pub assets: usize,
    pub projects: usize,
    pub total: Budget,
    pub seconds: f64,
    /// What looks wrong but may be right; the build went on.
    pub notices: Vec<Diagnostic>,
    /// False when no public base URL is set: canonical links, the sitemap and the feed were left out.
    pub absolute_urls: bool,
    /// Folders a killed earlier build had left, removed at the start of this one.
    pub removed_stale: Vec<PathBuf>,
}

/// What a successful check found.
#[derive(Debug, Clone)]
pub struct CheckReport {
    pub projects: usize,
    pub notices: Vec<Diagnostic>,
}

/// A site as read, with the notices about its files.
pub struct Loaded {
    pub site: Site,
    pub notices: Vec<Diagnostic>,
}

/// Reads and validates everything under `root`: config, vocabulary, content.
pub fn load_site(root: &Path) -> Result<Site, Failure> {
    load(root).map(|loaded| loaded.site)
}

/// As [`load_site`], keeping the notices.
pub fn load(root: &Path) -> Result<Loaded, Failure> {
    load_site_reusing(root, &|_| None)
}

/// As [`load`], taking projects from `reuse` where it has them (see
/// [`content::load_projects_reusing`]).
fn load_site_reusing(
    root: &Path,
    reuse: &(dyn Fn(&Path) -> Option<content::ProjectFile> + Sync),
) -> Result<Loaded, Failure> {
    if !root.join(crate::config::CONFIG_FILE).is_file() {
        return Err(Failure::Usage(format!(
            "{} に {} がありません。--root でサイトのフォルダ（config.toml のある場所）を指定してください。",
            root.display(),
            crate::config::CONFIG_FILE
        )));
    }
    let config = SiteConfig::load(root);
    let vocabulary = Vocabulary::load(root);
    let (config, vocabulary) = match (config, vocabulary) {
        (Ok(c), Ok(v)) => (c, v),
        (c, v) => {
            let mut errors = c.err().unwrap_or_default();
            errors.extend(v.err().unwrap_or_default());
            // What can be checked of the content files without them, so nothing waits behind.
            errors.extend(content::check_structure(root));
            return Err(content_failure(errors));
        }
    };
    let context = Context {
        config: &config,
        vocabulary: &vocabulary,
    };
    let files = content::load_projects_reusing(root, &context, reuse).map_err(content_failure)?;
    let mut notices = Vec::new();
    let mut projects = Vec::with_capacity(files.len());
    for file in files {
        notices.extend(file.notices);
        projects.push(file.project);
    }
    let mut site = Site {
        config,
        vocabulary,
        projects,
    };
    site.sort_projects();
    diagnostics::sort(&mut notices);
    notices.extend(inferred_rows_notice(&site));
    Ok(Loaded { site, notices })
}

/// How many roadmap rows have inferred years, said once per check and build.
fn inferred_rows_notice(site: &Site) -> Option<Diagnostic> {
    let counts = site.row_counts();
    (counts.inferred > 0).then(|| {
        Diagnostic::in_file(
            Path::new(content::CONTENT_DIR),
            format!(
                "ロードマップの {} 行のうち {} 行（{} 事業）は、年度を推定しています（basis = \"推定\"）。サイトには「推定」と理由を示して載せます。",
                counts.rows, counts.inferred, counts.projects_with_inferred
            ),
        )
        .with_hint("原本で年度を確かめたら years を直し、basis = \"資料どおり\" にして reason を消してください。推定の行を公開しないときは config.toml に [roadmap] publish_inferred_years = false と書きます。")
        .as_notice()
    })
}

/// The indexes, or the content failure of a sum too large to hold.
fn build_indexes(site: &Site) -> Result<Indexes, Failure> {
    Indexes::build(site).map_err(|e| {
        Failure::Content(vec![
            Diagnostic::in_file(Path::new(content::CONTENT_DIR), e.to_string())
                .with_hint("事業費（budget）が千円単位で書かれているか確かめてください。"),
        ])
    })
}

fn content_failure(mut errors: Vec<Diagnostic>) -> Failure {
    diagnostics::sort(&mut errors);
    Failure::Content(errors)
}

fn theme_dir(root: &Path, site: &Site) -> PathBuf {
    root.join(THEMES_DIR).join(&site.config.theme)
}

/// Loads the theme; says once when its templates cannot be minified when loaded, so each page
/// is minified after rendering (slower; the README says how to write templates that can be).
fn load_theme(
    root: &Path,
    site: &Site,
    notices: &mut Vec<Diagnostic>,
) -> Result<Renderer, Failure> {
    let theme = theme_dir(root, site);
    let renderer = Renderer::load(&theme)?;
    if !renderer.is_compacted() {
        notices.push(
            Diagnostic::in_file(
                &Path::new(THEMES_DIR).join(&site.config.theme),
                "テーマのテンプレートを読み込み時に圧縮できないため、ページごとに圧縮します（作成が遅くなります）。",
            )
            .with_hint("HTML の属性の間に Tera のタグ（<td{% if … %} class=\"…\"{% endif %}> など）を置かず、要素ごとに書き分けてください（README の「ファイルの配置」）。")
            .as_notice(),
        );
    }
    Ok(renderer)
}

/// Refuses an output that would replace the sources or a folder the build did not write (see
/// [`crate::write::guard`]), before anything is created or renamed.
fn check_output_is_safe(root: &Path, output: &Path) -> Result<(), Failure> {
    crate::write::guard::check(root, output)
        .map(|_| ())
        .map_err(|refusal| Failure::Usage(refusal.to_string()))
}

/// Validates everything a build reads and renders every file a build would write, in memory,
/// writing nothing: whatever would make `build` fail makes `check` fail, with the same message.
pub fn check(root: &Path) -> Result<CheckReport, Failure> {
    let Loaded { site, mut notices } = load(root)?;
    let renderer = load_theme(root, &site, &mut notices)?;
    let indexes = build_indexes(&site)?;
    let discard = |path: &str, _: &[u8]| -> Result<(), Failure> {
        crate::write::check_name(path)?;
        Ok(())
    };
    render_files(
        &site,
        &indexes,
        &renderer,
        &Scope::All,
        &discard,
        &Progress::default(),
    )?;
    Ok(CheckReport {
        projects: site.projects.len(),
        notices,
    })
}

/// Builds the site into `options.output`, replacing it only if every page was written.
pub fn build(options: &BuildOptions) -> Result<BuildReport, Failure> {
    build_with_progress(options, &Progress::default())
}

/// As [`build`], counting the pages written in `progress` (for a progress bar).
pub fn build_with_progress(
    options: &BuildOptions,
    progress: &Progress,
) -> Result<BuildReport, Failure> {
    let started = Instant::now();
    let Loaded { mut site, notices } = load(&options.root)?;
    set_base_url(&mut site, options)?;
    let mut report = build_site(options, &site, progress, None, started)?;
    report.notices.splice(0..0, notices);
    Ok(report)
}

/// Applies `--base-url`, refusing anything but an http or https URL.
fn set_base_url(site: &mut Site, options: &BuildOptions) -> Result<(), Failure> {
    site.config.allow_local_base_url = options.preview;
    match &options.base_url {
        Some(url) => site.config.set_base_url(url).map_err(|e| {
            Failure::Usage(format!(
                "--base-url: {}（例: --base-url https://www.pref.aomori.lg.jp/dx/roadmap/）",
                e.0
            ))
        }),
        None => Ok(()),
    }
}

/// Builds a loaded site (its base URL already set) into `options.output`, replacing the output only
/// if every file was written; each file written is also noted in `written`, if given.
fn build_site(
    options: &BuildOptions,
    site: &Site,
    progress: &Progress,
    written: Option<&incremental::Written>,
    started: Instant,
) -> Result<BuildReport, Failure> {
    check_output_is_safe(&options.root, &options.output)?;
    let theme = theme_dir(&options.root, site);
    let mut theme_notices = Vec::new();
    let renderer = load_theme(&options.root, site, &mut theme_notices)?;
    let indexes = build_indexes(site)?;
    let staging = Staging::begin(&options.output)?;
    let write = |path: &str, bytes: &[u8]| -> Result<(), Failure> {
        staging.write(path, bytes)?;
        if let Some(written) = written {
            written.note(path, bytes);
        }
        Ok(())
    };
    let rendered = render_files(site, &indexes, &renderer, &Scope::All, &write, progress)?;
    // The built-in theme's static files, then the theme's own over them.
    let mut assets: Vec<String> = Vec::new();
    for (path, bytes) in render::builtin::static_files() {
        staging.write(path, bytes)?;
        assets.push(path.to_string());
    }
    let static_dir = theme.join(render::STATIC_DIR);
    if static_dir.is_dir() {
        for path in staging.copy_tree(&static_dir)? {
            if !assets.contains(&path) {
                assets.push(path);
            }
        }
    }
    if let Some(written) = written {
        written.note_assets(&assets);
    }
    let removed_stale = staging.removed_stale.clone();
    staging.commit()?;
    Ok(BuildReport {
        pages: rendered.pages,
        assets: assets.len() + rendered.files - rendered.pages,
        projects: site.projects.len(),
        total: indexes.budget.total,
        seconds: started.elapsed().as_secs_f64(),
        notices: theme_notices,
        absolute_urls: site.config.public_base_url().is_some(),
        removed_stale,
    })
}

/// Which project pages (and project JSON files) a render makes; every other file is always made.
enum Scope<'a> {
    All,
    /// Only the projects at these positions of `site.projects`.
    Projects(&'a std::collections::HashSet<usize>),
}

impl Scope<'_> {
    fn includes(&self, page: render::routes::PageKind) -> bool {
        match (self, page) {
            (Scope::Projects(chosen), render::routes::PageKind::Project(i)) => chosen.contains(&i),
            _ => true,
        }
    }
}

/// How many files a render made, and how many of them were pages.
struct Rendered {
    pages: usize,
    files: usize,
}

/// Renders every file of the site but the theme's static files — pages in `scope`, open data, the
/// search index, sitemap and feeds — handing each to `write` as soon as it is made.
fn render_files(
    site: &Site,
    indexes: &Indexes,
    renderer: &Renderer,
    scope: &Scope<'_>,
    write: &render::WriteFile<'_, Failure>,
    progress: &Progress,
) -> Result<Rendered, Failure> {
    let pages: Vec<render::routes::PageKind> = render::routes::pages(site, indexes)
        .into_iter()
        .filter(|&page| scope.includes(page))
        .collect();
    progress.set_total(pages.len());
    let source = render::Source::new(site, indexes);
    // Pages, open data, the search index and the feeds are independent: made and written side by
    // side.
    let (project_files, (data_files, (search_files, feeds))) = rayon::join(
        || write_pages(&source, renderer, &pages, write, progress),
        || {
            rayon::join(
                || render::data::write_collection_files(site, indexes.budget.total, write),
                || {
                    rayon::join(
                        || render::search::write_files(site, write),
                        || write_feeds(site, indexes, write),
                    )
                },
            )
        },
    );
    Ok(Rendered {
        pages: pages.len(),
        files: pages.len() + project_files? + data_files? + search_files? + feeds?,
    })
}

/// Writes `robots.txt` and, when the site has a public base URL, the sitemap and the Atom feed
/// (both need absolute URLs); returns how many files.
fn write_feeds(
    site: &Site,
    indexes: &Indexes,
    write: &render::WriteFile<'_, Failure>,
) -> Result<usize, Failure> {
    write("robots.txt", render::feeds::robots(site).as_bytes())?;
    let Some(base_url) = site.config.public_base_url() else {
        return Ok(1);
    };
    let listed: Vec<String> = render::routes::pages(site, indexes)
        .into_iter()
        .filter(|&p| p != render::routes::PageKind::NotFound)
        .map(|p| render::routes::url(site, p))
        .collect();
    write(
        "sitemap.xml",
        render::feeds::sitemap(site, base_url, &listed).as_bytes(),
    )?;
    write("feed.xml", render::feeds::atom(site, base_url).as_bytes())?;
    Ok(3)
}

/// Renders and writes the pages, and beside each project's page its own open-data JSON; returns
/// how many JSON files were written.
fn write_pages(
    source: &render::Source<'_>,
    renderer: &Renderer,
    pages: &[render::routes::PageKind],
    write: &render::WriteFile<'_, Failure>,
    progress: &Progress,
) -> Result<usize, Failure> {
    // Pages that list many projects take longest: started first, they do not hold up the end.
    let mut order = pages.to_vec();
    order.sort_by_key(|page| matches!(page, render::routes::PageKind::Project(_)));
    order
        .par_iter()
        .map(|&page| -> Result<usize, Failure> {
            let site = source.site;
            let html = renderer.render(source, page)?;
            write(&render::routes::output_path(site, page), &html)?;
            progress.add(1);
            if let render::routes::PageKind::Project(i) = page {
                let (path, json) = render::data::project_json(site, &site.projects[i])?;
                write(&path, &json)?;
                return Ok(1);
            }
            Ok(0)
        })
        .try_reduce(|| 0, |a, b| Ok(a + b))
}
