//! The whole pipeline, stage after stage: config → content → model/indexes → render → write.
//!
//! `check` runs the first stages and writes nothing; `build` runs them all. Both report every content
//! problem at once.

pub mod incremental;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

use rayon::prelude::*;

use crate::config::SiteConfig;
use crate::content::{self, Context};
use crate::diagnostics::{self, Diagnostic};
use crate::editions::{self, Catalogue, Edition, EditionPlace};
use crate::indexes::Indexes;
use crate::model::Site;
use crate::money::Budget;
use crate::progress::Progress;
use crate::render::routes::{Mount, PageKind};
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

/// Every edition of a site as read, oldest first (one site when `content/` has no edition
/// folder), with the notices about all their files.
pub struct LoadedEditions {
    pub sites: Vec<Site>,
    pub notices: Vec<Diagnostic>,
}

/// Reads and validates everything under `root`: config, vocabulary, content. With edition
/// folders, the latest edition.
pub fn load_site(root: &Path) -> Result<Site, Failure> {
    load(root).map(|loaded| loaded.site)
}

/// As [`load_site`], keeping the notices (of every edition).
pub fn load(root: &Path) -> Result<Loaded, Failure> {
    let LoadedEditions { mut sites, notices } = load_editions(root)?;
    match sites.pop() {
        Some(site) => Ok(Loaded { site, notices }),
        None => Err(Failure::Usage("事業ファイルがありません。".to_string())),
    }
}

/// Reads every edition under `root` (see [`crate::editions`]): each from its own folder with its
/// own vocabulary (`content/<code>/vocabulary.toml`, else `content/vocabulary.toml`) and years;
/// every problem of every edition is reported at once.
pub fn load_editions(root: &Path) -> Result<LoadedEditions, Failure> {
    load_editions_reusing(root, &|_| None)
}

/// As [`load_editions`], taking a project from `reuse` (given its file's path) where it has one
/// instead of reading the file (see [`content::load_projects_in`]): the live preview reads again
/// only the files that changed, in every edition.
pub(crate) fn load_editions_reusing(
    root: &Path,
    reuse: &(dyn Fn(&Path) -> Option<content::ProjectFile> + Sync),
) -> Result<LoadedEditions, Failure> {
    check_is_site(root)?;
    let found = editions::discover(root).map_err(content_failure)?;
    if found.is_empty() {
        let Loaded { site, notices } = load_site_reusing(root, reuse)?;
        return Ok(LoadedEditions {
            sites: vec![site],
            notices,
        });
    }
    let codes: Vec<String> = found.iter().map(|e| e.code.clone()).collect();
    let mut errors = content::projects_outside_editions(root, &codes);
    let config = match SiteConfig::load(root) {
        Ok(config) => config,
        Err(e) => {
            errors.extend(e);
            errors.extend(content::check_structure(root));
            return Err(content_failure(errors));
        }
    };
    for code in config.editions.keys() {
        if !codes.contains(code) {
            errors.push(
                Diagnostic::in_file(
                    Path::new(crate::config::CONFIG_FILE),
                    format!("[editions.{code}] の年度版のフォルダ content/{code}/ がありません。"),
                )
                .with_key(format!("editions.{code}"))
                .with_hint(
                    "フォルダの名前を確かめるか、使わない [editions.…] の表を消してください。",
                ),
            );
        }
    }
    let mut notices = borrowed_date_notices(&config, &found);
    let results: Vec<Result<Loaded, Vec<Diagnostic>>> = found
        .par_iter()
        .map(|edition| load_edition(root, &config, edition, reuse))
        .collect();
    let mut sites = Vec::with_capacity(results.len());
    for result in results {
        match result {
            Ok(loaded) => {
                notices.extend(loaded.notices);
                sites.push(loaded.site);
            }
            Err(e) => errors.extend(e),
        }
    }
    if !errors.is_empty() {
        return Err(content_failure(errors));
    }
    let listed: Vec<(Edition, &[std::sync::Arc<crate::model::Project>])> = found
        .iter()
        .cloned()
        .zip(sites.iter().map(|site| site.projects.as_slice()))
        .collect();
    let catalogue = std::sync::Arc::new(Catalogue::build(root, &listed).map_err(content_failure)?);
    // Each edition but the first with what changed since the one before.
    let changes: Vec<Option<std::sync::Arc<crate::changes::Changes>>> = (0..sites.len())
        .into_par_iter()
        .map(|i| {
            let before = i.checked_sub(1)?;
            Some(std::sync::Arc::new(crate::changes::Changes::between(
                (&found[before], &sites[before]),
                (&found[i], &sites[i]),
                &catalogue,
            )))
        })
        .collect();
    for ((site, edition), changes) in sites.iter_mut().zip(found).zip(changes) {
        site.edition = Some(EditionPlace {
            edition,
            catalogue: catalogue.clone(),
            changes,
            absent: Vec::new(),
        });
    }
    Ok(LoadedEditions { sites, notices })
}

/// A notice for each edition whose date is borrowed: config.toml's `updated` is the date of the
/// configured edition (`[roadmap] budget_year`); another edition without its own
/// `[editions.<code>] published` shows that date on its pages, in the sitemap and in the feed, though
/// nobody said it. The editor is told, with the key to write.
fn borrowed_date_notices(config: &SiteConfig, found: &[Edition]) -> Vec<Diagnostic> {
    found
        .iter()
        .filter(|edition| edition.year != config.budget_year)
        .filter(|edition| {
            config
                .editions
                .get(&edition.code)
                .and_then(|settings| settings.published.as_ref())
                .is_none()
        })
        .map(|edition| {
            let (code, name) = (&edition.code, edition.year.japanese());
            Diagnostic::in_file(
                Path::new(crate::config::CONFIG_FILE),
                format!(
                    "{name}版（content/{code}/）の公開日がありません。この年度版のページの更新日、サイトマップと新着情報の日付には、config.toml の updated（{}、{}版の日付）を使います。",
                    config.updated,
                    config.budget_year.japanese()
                ),
            )
            .with_key(format!("editions.{code}.published"))
            .with_hint(format!(
                "{name}版を公開した日を、config.toml の [editions.{code}] に published = \"2027-04-01\" のように年-月-日で書いてください。事業ファイルに updated があれば、その事業のページはそちらの日付を使います。"
            ))
            .as_notice()
        })
        .collect()
}

/// One edition from its folder: the configuration for its years, its vocabulary, its projects.
fn load_edition(
    root: &Path,
    config: &SiteConfig,
    edition: &Edition,
    reuse: &(dyn Fn(&Path) -> Option<content::ProjectFile> + Sync),
) -> Result<Loaded, Vec<Diagnostic>> {
    let config = config.for_edition(&edition.code, edition.year);
    let vocabulary = Vocabulary::load_file(root, &edition.vocabulary_file(root))?;
    let context = Context {
        config: &config,
        vocabulary: &vocabulary,
    };
    let files = content::load_projects_in(root, &edition.dir(), &context, reuse)?;
    Ok(assemble(config, vocabulary, files, &edition.dir()))
}

/// A site of the projects read from `dir` (in display order), with the notices about their
/// files and the count of inferred rows.
fn assemble(
    config: SiteConfig,
    vocabulary: Vocabulary,
    files: Vec<content::ProjectFile>,
    dir: &Path,
) -> Loaded {
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
        edition: None,
    };
    site.sort_projects();
    diagnostics::sort(&mut notices);
    notices.extend(inferred_rows_notice(&site, dir));
    Loaded { site, notices }
}

fn check_is_site(root: &Path) -> Result<(), Failure> {
    if root.join(crate::config::CONFIG_FILE).is_file() {
        return Ok(());
    }
    Err(Failure::Usage(format!(
        "{} に {} がありません。--root でサイトのフォルダ（config.toml のある場所）を指定してください。",
        root.display(),
        crate::config::CONFIG_FILE
    )))
}

/// As [`load`], taking projects from `reuse` where it has them (see
/// [`content::load_projects_reusing`]).
fn load_site_reusing(
    root: &Path,
    reuse: &(dyn Fn(&Path) -> Option<content::ProjectFile> + Sync),
) -> Result<Loaded, Failure> {
    check_is_site(root)?;
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
    Ok(assemble(
        config,
        vocabulary,
        files,
        Path::new(content::CONTENT_DIR),
    ))
}

/// How many roadmap rows of the projects in `dir` have inferred years, said once per check and
/// build.
fn inferred_rows_notice(site: &Site, dir: &Path) -> Option<Diagnostic> {
    let counts = site.row_counts();
    (counts.inferred > 0).then(|| {
        Diagnostic::in_file(
            dir,
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
    let LoadedEditions { sites, mut notices } = load_editions(root)?;
    let Some(latest) = sites.last() else {
        return Err(Failure::Usage("事業ファイルがありません。".to_string()));
    };
    let renderer = load_theme(root, latest, &mut notices)?;
    let prepared = prepare(sites)?;
    let discard = |path: &str, _: &[&[u8]]| -> Result<(), Failure> {
        crate::write::check_name(path)?;
        Ok(())
    };
    render_all(
        &prepared,
        &renderer,
        &Plan::all(&prepared),
        None,
        &discard,
        None,
        &Progress::default(),
    )?;
    Ok(CheckReport {
        projects: prepared.last().map_or(0, |p| p.site.projects.len()),
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
    let LoadedEditions { mut sites, notices } = load_editions(&options.root)?;
    for site in &mut sites {
        set_base_url(site, options)?;
    }
    let prepared = prepare(sites)?;
    let result = build_prepared(options, &prepared, progress, None, started);
    drop_later(prepared);
    let mut report = result?;
    report.notices.splice(0..0, notices);
    Ok(report)
}

/// Frees `value` on a thread of its own when one can be started, else here: what a build read
/// and made is large (at 3 × 10,000 projects, 0.4 s on one core after the last file is written),
/// and neither `roadmap build`, which exits without waiting for that thread, nor the preview need
/// wait for it.
fn drop_later<T: Send + 'static>(value: T) {
    let _ = std::thread::Builder::new()
        .name("roadmap-free".to_string())
        .spawn(move || drop(value));
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

/// One edition ready to render: the site and its indexes.
struct Prepared {
    site: Site,
    indexes: Indexes,
}

/// Builds each edition's indexes and, with editions, gives the latest the pages of earlier
/// editions that the root keeps ([`absent_pages`]).
fn prepare(sites: Vec<Site>) -> Result<Vec<Prepared>, Failure> {
    // Each edition's indexes side by side (the first error, in edition order, is reported).
    let mut prepared = sites
        .into_par_iter()
        .map(|site| {
            let indexes = build_indexes(&site)?;
            Ok(Prepared { site, indexes })
        })
        .collect::<Vec<Result<Prepared, Failure>>>()
        .into_iter()
        .collect::<Result<Vec<Prepared>, Failure>>()?;
    let absent = absent_pages(&prepared);
    if let Some(place) = prepared
        .last_mut()
        .and_then(|latest| latest.site.edition.as_mut())
    {
        place.absent = absent;
    }
    Ok(prepared)
}

/// [`prepare`] for unit tests elsewhere in the crate: each edition with its indexes.
#[cfg(test)]
pub(crate) fn prepare_for_tests(sites: Vec<Site>) -> Result<Vec<(Site, Indexes)>, Failure> {
    prepare(sites).map(|prepared| prepared.into_iter().map(|p| (p.site, p.indexes)).collect())
}

/// The pages of earlier editions whose URL the latest edition does not have (a project no longer
/// listed, a category left empty, a department reorganised away), each with the latest edition
/// that has it: the root keeps those URLs, so that no URL a build published ever breaks.
fn absent_pages(prepared: &[Prepared]) -> Vec<editions::AbsentPage> {
    let Some((latest, earlier)) = prepared.split_last() else {
        return Vec::new();
    };
    let have: std::collections::HashSet<String> =
        render::routes::pages(&latest.site, &latest.indexes)
            .into_iter()
            .map(|page| render::routes::url(&latest.site, page))
            .collect();
    let mut absent: std::collections::BTreeMap<String, editions::AbsentPage> =
        std::collections::BTreeMap::new();
    for p in earlier.iter().rev() {
        let Some(place) = &p.site.edition else {
            continue;
        };
        let vocabulary = &p.site.vocabulary;
        for page in render::routes::pages(&p.site, &p.indexes) {
            let (title, project) = match page {
                PageKind::Project(i) => (p.site.projects[i].name.clone(), true),
                PageKind::Field(f) => (vocabulary.field(f).name.clone(), false),
                PageKind::Category(c) => (vocabulary.category(c).name.clone(), false),
                PageKind::Department(d) => (vocabulary.department(d).name.clone(), false),
                _ => continue,
            };
            let url = render::routes::url(&p.site, page);
            if have.contains(&url) || absent.contains_key(&url) {
                continue;
            }
            // A 事業 renamed since: the latest edition lists it under its new file name.
            let renamed_to = match page {
                PageKind::Project(i) => {
                    let catalogue = &place.catalogue;
                    catalogue
                        .key_of(&place.edition, &p.site.projects[i].slug)
                        .and_then(|key| catalogue.editions.last()?.projects.get(key))
                        .map(|entry| editions::Renamed {
                            url: render::routes::project_url_of(&entry.slug),
                            name: entry.name.clone(),
                        })
                }
                _ => None,
            };
            absent.insert(
                url.clone(),
                editions::AbsentPage {
                    url,
                    title,
                    project,
                    renamed_to,
                    found_in: place.edition.clone(),
                },
            );
        }
    }
    absent.into_values().collect()
}

/// Builds prepared editions (base URLs already set) into `options.output`, replacing the output
/// only if every file was written; each file written is also noted in `written`, if given.
fn build_prepared(
    options: &BuildOptions,
    prepared: &[Prepared],
    progress: &Progress,
    written: Option<&incremental::Written>,
    started: Instant,
) -> Result<BuildReport, Failure> {
    let Some(latest) = prepared.last() else {
        return Err(Failure::Usage("事業ファイルがありません。".to_string()));
    };
    let site = &latest.site;
    check_output_is_safe(&options.root, &options.output)?;
    let theme = theme_dir(&options.root, site);
    let mut theme_notices = Vec::new();
    let renderer = load_theme(&options.root, site, &mut theme_notices)?;
    let staging = Staging::begin(&options.output)?;
    let write = |path: &str, bytes: &[&[u8]]| -> Result<(), Failure> {
        staging.write(path, bytes)?;
        if let Some(written) = written {
            written.note(path, bytes);
        }
        Ok(())
    };
    let mut rendered = render_all(
        prepared,
        &renderer,
        &Plan::all(prepared),
        None,
        &write,
        written.map(incremental::Written::pages),
        progress,
    )?;
    match written {
        Some(written) => written.keep_open_data(std::mem::take(&mut rendered.open_data)),
        None => drop_later(std::mem::take(&mut rendered.open_data)),
    }
    // The built-in theme's static files, then the theme's own over them: at the root, and in each
    // edition's folder (its pages link them relative to the edition's root).
    let mut assets: Vec<String> = Vec::new();
    let mut prefixes = vec![String::new()];
    prefixes.extend(
        prepared
            .iter()
            .filter_map(|p| p.site.edition.as_ref())
            .map(|place| render::routes::edition_root(&place.edition.code)),
    );
    let static_dir = theme.join(render::STATIC_DIR);
    for prefix in &prefixes {
        for (path, bytes) in render::builtin::static_files() {
            let path = format!("{prefix}{path}");
            staging.write(&path, &[bytes])?;
            assets.push(path);
        }
        if static_dir.is_dir() {
            for path in staging.copy_tree(&static_dir, prefix)? {
                if !assets.contains(&path) {
                    assets.push(path);
                }
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
        total: latest.indexes.budget.total,
        seconds: started.elapsed().as_secs_f64(),
        notices: theme_notices,
        absolute_urls: site.config.public_base_url().is_some(),
        removed_stale,
    })
}

/// What a render of one site makes: the files that gather projects, and which projects' own files
/// (a project's page and its open-data JSON).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Scope {
    /// Every file.
    All,
    /// Every file that gathers projects (every page but a project's, the open data, the search
    /// index, the sitemap and feeds), and the own files of the projects at these positions of
    /// `site.projects`.
    Collection(HashSet<usize>),
    /// Only the own files of the projects at these positions: nothing that gathers projects.
    Projects(HashSet<usize>),
}

impl Scope {
    /// Nothing at all.
    fn nothing() -> Scope {
        Scope::Projects(HashSet::new())
    }

    fn includes(&self, page: PageKind) -> bool {
        match (self, page) {
            (Scope::Collection(chosen) | Scope::Projects(chosen), PageKind::Project(i)) => {
                chosen.contains(&i)
            }
            (Scope::Projects(_), _) => false,
            (Scope::All | Scope::Collection(_), _) => true,
        }
    }

    /// Whether the files that gather projects are made.
    fn collection(&self) -> bool {
        !matches!(self, Scope::Projects(_))
    }

    /// Whether both scopes make the same project pages.
    fn same_projects(&self, other: &Scope) -> bool {
        match (self, other) {
            (Scope::All, Scope::All) => true,
            (
                Scope::Collection(mine) | Scope::Projects(mine),
                Scope::Collection(theirs) | Scope::Projects(theirs),
            ) => mine == theirs,
            _ => false,
        }
    }

    /// How many project pages of a site of `projects` projects are made.
    fn project_pages(&self, projects: usize) -> usize {
        match self {
            Scope::All => projects,
            Scope::Collection(chosen) | Scope::Projects(chosen) => chosen.len(),
        }
    }

    fn is_nothing(&self) -> bool {
        matches!(self, Scope::Projects(chosen) if chosen.is_empty())
    }

    /// The pages of `site` in this scope, in the fixed order of [`render::routes::pages`].
    fn pages(&self, site: &Site, indexes: &Indexes) -> Vec<PageKind> {
        if self.is_nothing() {
            return Vec::new();
        }
        render::routes::pages(site, indexes)
            .into_iter()
            .filter(|&page| self.includes(page))
            .collect()
    }
}

/// What a render makes, in each place a site is published: a scope for each edition's folder
/// (oldest first, as the prepared editions; none for a site without editions), and one for the
/// root (the latest edition again, or the single edition; with editions, its collection includes
/// the pages the root keeps of earlier editions and their JSON).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Plan {
    folders: Vec<Scope>,
    root: Scope,
}

impl Plan {
    /// Everything: a full build.
    fn all(prepared: &[Prepared]) -> Plan {
        let with_folders = prepared.last().is_some_and(|p| p.site.edition.is_some());
        Plan {
            folders: if with_folders {
                vec![Scope::All; prepared.len()]
            } else {
                Vec::new()
            },
            root: Scope::All,
        }
    }
}

/// How many files a render made, and how many of them were pages; and each edition's open data it
/// made (see [`open_data`]).
#[derive(Default)]
struct Rendered {
    pages: usize,
    files: usize,
    open_data: Vec<Option<render::data::OpenData>>,
}

/// The files of one site that do not depend on where it is published: its open data (the projects'
/// own JSON too), search index and feed. The latest edition is published twice, in its folder and
/// at the root: they are made once, for its folder, and written in both places (when both places
/// make the same project pages).
#[derive(Clone, Copy)]
enum Shared<'a> {
    /// Made and written here.
    Make,
    /// Made and written here, and at once with `root` at the root (counted in `written`).
    MakeForRoot {
        root: &'a render::WriteFile<'a, Failure>,
        written: &'a std::sync::atomic::AtomicUsize,
    },
    /// Not made here: the other place writes them here too.
    Skip,
}

/// The latest edition's pages that `plan` makes both in its folder and at the root and that are
/// rendered once for both ([`Mount::LatestInBoth`]), when the theme allows it.
fn once_for_both(latest: &Prepared, renderer: &Renderer, plan: &Plan) -> HashSet<PageKind> {
    let (Some(folder), true) = (plan.folders.last(), renderer.can_render_once_for_both()) else {
        return HashSet::new();
    };
    let at_root: HashSet<PageKind> = plan
        .root
        .pages(&latest.site, &latest.indexes)
        .into_iter()
        .collect();
    folder
        .pages(&latest.site, &latest.indexes)
        .into_iter()
        .filter(|&page| render::routes::renders_once_for_both(page) && at_root.contains(&page))
        .collect()
}

/// Which of the latest edition's pages one render makes for both places, its folder and the root.
#[derive(Clone, Copy)]
enum Both<'a> {
    /// None: a site without editions, or an earlier edition's folder.
    Neither,
    /// The latest edition's folder: these pages are rendered once and written in the folder and,
    /// with `root`, at the root; so are their projects' JSON files, unless `json_shared` (then
    /// [`Shared::MakeForRoot`] writes them there).
    Make {
        pages: &'a HashSet<PageKind>,
        root: &'a render::WriteFile<'a, Failure>,
        json_shared: bool,
    },
    /// The root: these pages were made by the folder's render.
    MadeInFolder(&'a HashSet<PageKind>),
}

/// Renders the files `plan` asks for, of every edition, but the theme's static files. A
/// single-edition site is rendered as it always was; with editions, each edition in its folder
/// (`r6/…`) and the latest again at the root, with the pages the root keeps of earlier editions,
/// all side by side.
fn render_all(
    prepared: &[Prepared],
    renderer: &Renderer,
    plan: &Plan,
    reuse: Option<&Reuse<'_>>,
    write: &render::WriteFile<'_, Failure>,
    memo: Option<&render::PageMemo>,
    progress: &Progress,
) -> Result<Rendered, Failure> {
    let Some((latest, _)) = prepared.split_last() else {
        return Ok(Rendered::default());
    };
    let open_data = open_data(prepared, plan, reuse)?;
    let data_of = |e: usize| open_data.get(e).and_then(Option::as_ref);
    let last = prepared.len() - 1;
    let Some(place) = &latest.site.edition else {
        progress.set_total(plan.root.pages(&latest.site, &latest.indexes).len());
        let rendered = render_files(
            &latest.site,
            &latest.indexes,
            renderer,
            &plan.root,
            Mount::Whole,
            &Feeds::Whole,
            Shared::Make,
            Both::Neither,
            data_of(last),
            write,
            memo,
            progress,
        )?;
        return Ok(Rendered {
            open_data,
            ..rendered
        });
    };
    let root_keeps = plan.root.collection();
    let total: usize = prepared
        .iter()
        .zip(&plan.folders)
        .map(|(p, scope)| scope.pages(&p.site, &p.indexes).len())
        .sum::<usize>()
        + plan.root.pages(&latest.site, &latest.indexes).len()
        + if root_keeps { place.absent.len() } else { 0 };
    progress.set_total(total);
    let share = root_keeps
        && plan
            .folders
            .get(last)
            .is_some_and(|folder| folder.collection() && folder.same_projects(&plan.root));
    let shared_at_root = std::sync::atomic::AtomicUsize::new(0);
    let once = once_for_both(latest, renderer, plan);
    // The root's sitemap lists every edition's pages.
    let root_feeds = Feeds::Root(if root_keeps {
        prepared
            .iter()
            .flat_map(|p| sitemap_entries(&p.site, &p.indexes))
            .collect()
    } else {
        Vec::new()
    });
    // Each edition's folder (by position), then the root; each render is itself parallel, and
    // side by side (with the root's files of every edition) they leave no core idle while one of
    // them finishes.
    let places: Vec<Option<usize>> = (0..prepared.len()).map(Some).chain([None]).collect();
    let every_edition = || -> Result<usize, Failure> {
        if !root_keeps {
            return Ok(0);
        }
        // Once, at the root: every edition's projects and roadmap cells in combined files, and
        // the open data of the projects the latest edition no longer has.
        let editions: Vec<render::data::EditionData<'_>> = prepared
            .iter()
            .enumerate()
            .filter_map(|(e, p)| Some((&p.site, p.indexes.budget.total, data_of(e)?)))
            .collect();
        let combined = render::data::write_combined_files(&editions, write)?;
        Ok(combined + write_absent_json(prepared, &open_data, &place.absent, write)?)
    };
    let in_places = || -> Vec<Result<Rendered, Failure>> {
        places
            .par_iter()
            .map(|place| -> Result<Rendered, Failure> {
                let Some(e) = *place else {
                    return render_files(
                        &latest.site,
                        &latest.indexes,
                        renderer,
                        &plan.root,
                        Mount::LatestAtRoot,
                        &root_feeds,
                        if share { Shared::Skip } else { Shared::Make },
                        Both::MadeInFolder(&once),
                        data_of(last),
                        write,
                        memo,
                        progress,
                    );
                };
                let (p, Some(scope)) = (&prepared[e], plan.folders.get(e)) else {
                    return Ok(Rendered::default());
                };
                let Some(edition) = &p.site.edition else {
                    return Ok(Rendered::default());
                };
                let code = edition.edition.code.as_str();
                let prefixed = |path: &str, bytes: &[&[u8]]| -> Result<(), Failure> {
                    write(&render::routes::in_edition(code, path), bytes)
                };
                render_files(
                    &p.site,
                    &p.indexes,
                    renderer,
                    scope,
                    Mount::EditionFolder,
                    &Feeds::Edition,
                    if share && e == last {
                        Shared::MakeForRoot {
                            root: write,
                            written: &shared_at_root,
                        }
                    } else {
                        Shared::Make
                    },
                    if e == last {
                        Both::Make {
                            pages: &once,
                            root: write,
                            json_shared: share,
                        }
                    } else {
                        Both::Neither
                    },
                    data_of(e),
                    &prefixed,
                    memo,
                    progress,
                )
            })
            .collect()
    };
    let (results, every_edition) = rayon::join(in_places, every_edition);
    let mut rendered = Rendered::default();
    for result in results {
        let r = result?;
        rendered.pages += r.pages;
        rendered.files += r.files;
    }
    rendered.files += shared_at_root.into_inner() + every_edition?;
    rendered.open_data = open_data;
    Ok(rendered)
}

/// Each edition's open data from an earlier build, for a rebuild: with it, only the projects
/// that changed are made again.
pub(crate) struct Reuse<'a> {
    /// Each edition's, oldest first (none where that build did not make it).
    pub before: &'a [Option<render::data::OpenData>],
    /// Whether the project of the edition at this position is as it was in that build.
    pub unchanged: &'a (dyn Fn(usize, &crate::model::Project) -> bool + Sync),
}

/// The open data of each edition whose files `plan` makes (its own collection files, or the
/// combined files of every edition at the root), oldest first; `None` for the others.
fn open_data(
    prepared: &[Prepared],
    plan: &Plan,
    reuse: Option<&Reuse<'_>>,
) -> Result<Vec<Option<render::data::OpenData>>, Failure> {
    let last = prepared.len().saturating_sub(1);
    let with_editions = prepared.last().is_some_and(|p| p.site.edition.is_some());
    prepared
        .par_iter()
        .enumerate()
        .map(|(e, p)| {
            let needed = plan.folders.get(e).is_some_and(Scope::collection)
                || (plan.root.collection() && (e == last || with_editions));
            let before = reuse.and_then(|reuse| reuse.before.get(e).and_then(Option::as_ref));
            let data = match (reuse, before) {
                // Brought up to date also when not needed now, so that the next build has it.
                (Some(reuse), Some(before)) => {
                    render::data::OpenData::reusing(&p.site, Some(before), &|project| {
                        (reuse.unchanged)(e, project)
                    })
                }
                _ if !needed => return Ok(None),
                _ => render::data::OpenData::of(&p.site),
            };
            Ok(Some(data?))
        })
        .collect()
}

/// Writes, at the root, the open-data file of each project the latest edition no longer has: the
/// file of the latest edition that has the project (it names its own fiscal year), so that its URL
/// stays. Returns how many.
fn write_absent_json(
    prepared: &[Prepared],
    open_data: &[Option<render::data::OpenData>],
    absent: &[editions::AbsentPage],
    write: &render::WriteFile<'_, Failure>,
) -> Result<usize, Failure> {
    let absent: Vec<&editions::AbsentPage> = absent.iter().filter(|a| a.project).collect();
    // Each edition an absent page was found in, with its open data and its projects by URL.
    type Found<'a> = (
        &'a Site,
        Option<&'a render::data::OpenData>,
        HashMap<String, usize>,
    );
    let mut found: HashMap<&str, Found<'_>> = HashMap::new();
    for a in &absent {
        let code = a.found_in.code.as_str();
        if found.contains_key(code) {
            continue;
        }
        let Some((e, p)) = prepared
            .iter()
            .enumerate()
            .find(|(_, p)| p.site.edition.as_ref().map(|e| &e.edition) == Some(&a.found_in))
        else {
            continue;
        };
        let by_url = p
            .site
            .projects
            .iter()
            .enumerate()
            .map(|(i, project)| (render::routes::project_url(project), i))
            .collect();
        let data = open_data.get(e).and_then(Option::as_ref);
        found.insert(code, (&p.site, data, by_url));
    }
    absent
        .par_iter()
        .map(|a| -> Result<usize, Failure> {
            let Some((site, data, by_url)) = found.get(a.found_in.code.as_str()) else {
                return Ok(0);
            };
            let Some(&i) = by_url.get(&a.url) else {
                return Ok(0);
            };
            let Some((path, json)) = render::data::project_json(site, *data, i)? else {
                return Ok(0);
            };
            write(&path, &[&json])?;
            Ok(1)
        })
        .try_reduce(|| 0, |a, b| Ok(a + b))
}

/// The sitemap's entries for one site: each page's canonical URL (relative to the site root) and
/// its date.
fn sitemap_entries(site: &Site, indexes: &Indexes) -> Vec<(String, String)> {
    render::routes::pages(site, indexes)
        .into_iter()
        .filter_map(|p| {
            let date = render::routes::page_date(site, p)?;
            Some((render::routes::canonical_path(site, p), date.to_string()))
        })
        .collect()
}

/// Which of `robots.txt`, the sitemap and the feed a render writes.
enum Feeds {
    /// A single-edition site: all three, as always.
    Whole,
    /// An edition's folder: its own sitemap and feed.
    Edition,
    /// The root of a site with editions: `robots.txt`, the sitemap of every edition's pages (these
    /// canonical URLs with their dates), and the latest edition's feed.
    Root(Vec<(String, String)>),
}

/// Renders the files of one site in `scope` (never the theme's static files) — pages, open data,
/// the search index, sitemap and feeds, and at the root of a site with editions the pages it keeps
/// of earlier editions — handing each to `write` as soon as it is made.
#[allow(clippy::too_many_arguments)]
fn render_files(
    site: &Site,
    indexes: &Indexes,
    renderer: &Renderer,
    scope: &Scope,
    mount: Mount,
    feeds: &Feeds,
    shared: Shared<'_>,
    both: Both<'_>,
    data: Option<&render::data::OpenData>,
    write: &render::WriteFile<'_, Failure>,
    memo: Option<&render::PageMemo>,
    progress: &Progress,
) -> Result<Rendered, Failure> {
    let mut pages = scope.pages(site, indexes);
    if pages.is_empty() && !scope.collection() {
        return Ok(Rendered::default());
    }
    if mount == Mount::LatestAtRoot && scope.collection() {
        pages.extend(render::routes::absent_pages(site));
    }
    if let Both::MadeInFolder(made) = both {
        pages.retain(|page| !made.contains(page));
        if pages.is_empty() && !scope.collection() {
            return Ok(Rendered::default());
        }
    }
    let source = render::Source::mounted(site, indexes, mount).with_data(data);
    source.make_shared_values_for(&pages);
    let marked = match both {
        Both::Make {
            pages: once,
            root,
            json_shared,
        } if !once.is_empty() => Some(Marked {
            source: source.remounted(Mount::LatestInBoth),
            pages: once,
            root,
            json_at_root: !json_shared,
        }),
        _ => None,
    };
    let marked = marked.as_ref();
    // Each page made for both places is a page at the root too, and so is its project's JSON.
    let at_root = |project_files: usize| -> usize {
        marked.map_or(0, |m| {
            m.pages.len()
                + if m.json_at_root {
                    m.pages
                        .iter()
                        .filter(|p| matches!(p, PageKind::Project(_)))
                        .count()
                } else {
                    0
                }
        }) + project_files
    };
    let keep = |path: &str, bytes: &[&[u8]]| -> Result<(), Failure> {
        if let Shared::MakeForRoot { root, written } = shared {
            root(path, bytes)?;
            written.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        write(path, bytes)
    };
    let make = !matches!(shared, Shared::Skip);
    let json = make.then_some(&keep as &render::WriteFile<'_, Failure>);
    let root_pages = marked.map_or(0, |m| m.pages.len());
    if !scope.collection() {
        let project_files = write_pages(
            &source, marked, renderer, &pages, data, write, json, memo, progress,
        )?;
        return Ok(Rendered {
            pages: pages.len() + root_pages,
            files: pages.len() + at_root(project_files),
            ..Rendered::default()
        });
    }
    // Pages, open data, the search index and the feeds are independent: made and written side by
    // side.
    let (project_files, ((data_files, search_files), feeds)) = rayon::join(
        || {
            write_pages(
                &source, marked, renderer, &pages, data, write, json, memo, progress,
            )
        },
        || {
            rayon::join(
                || {
                    if !make {
                        return (Ok(0), Ok(0));
                    }
                    rayon::join(
                        || match data {
                            Some(data) => render::data::write_collection_files(
                                site,
                                indexes.budget.total,
                                data,
                                &keep,
                            ),
                            None => Ok(0),
                        },
                        || match data {
                            Some(data) => {
                                render::search::write_files(site, &data.search_entries(), &keep)
                            }
                            None => {
                                let entries = site
                                    .projects
                                    .par_iter()
                                    .map(|project| render::search::SearchEntry::of(site, project))
                                    .collect::<Result<Vec<_>, _>>()?;
                                let entries: Vec<_> = entries.iter().collect();
                                render::search::write_files(site, &entries, &keep)
                            }
                        },
                    )
                },
                || write_feeds(site, indexes, feeds, make.then_some(&keep), write),
            )
        },
    );
    Ok(Rendered {
        pages: pages.len() + root_pages,
        files: pages.len() + at_root(project_files?) + data_files? + search_files? + feeds?,
        ..Rendered::default()
    })
}

/// Writes `robots.txt` and, when the site has a public base URL, the sitemap and the Atom feed
/// (both need absolute URLs), as `feeds` says, the feed with `feed` (none: not made here, see
/// [`Shared`]); returns how many files.
fn write_feeds(
    site: &Site,
    indexes: &Indexes,
    feeds: &Feeds,
    feed: Option<&render::WriteFile<'_, Failure>>,
    write: &render::WriteFile<'_, Failure>,
) -> Result<usize, Failure> {
    let mut count = 0;
    if !matches!(feeds, Feeds::Edition) {
        write("robots.txt", &[render::feeds::robots(site).as_bytes()])?;
        count += 1;
    }
    let Some(base_url) = site.config.public_base_url() else {
        return Ok(count);
    };
    let own;
    let listed = match feeds {
        Feeds::Root(all) => all,
        Feeds::Whole | Feeds::Edition => {
            own = sitemap_entries(site, indexes);
            &own
        }
    };
    write(
        "sitemap.xml",
        &[render::feeds::sitemap(base_url, listed).as_bytes()],
    )?;
    count += 1;
    if let Some(feed) = feed {
        let feed_base = format!("{base_url}{}", render::routes::canonical_root(site));
        feed(
            "feed.xml",
            &[render::feeds::atom(site, &feed_base).as_bytes()],
        )?;
        count += 1;
    }
    Ok(count)
}

/// The pages of the latest edition rendered once for its folder and the root (see [`Both`]).
struct Marked<'a> {
    /// The latest edition's source for [`Mount::LatestInBoth`].
    source: render::Source<'a>,
    pages: &'a HashSet<PageKind>,
    /// Writes at the root.
    root: &'a render::WriteFile<'a, Failure>,
    /// Whether their projects' JSON files are written at the root here.
    json_at_root: bool,
}

/// Renders and writes the pages, and beside each project's page its own open-data JSON with `json`
/// (none: not made here, see [`Shared`]), taken from the edition's open data when it was made; the
/// pages of `marked` are rendered once and written at the root too. Returns how many JSON files
/// were written in this place (those at the root are counted by the caller). With `memo`, a page
/// that gathers projects is not rendered nor written when it would come out as it was.
#[allow(clippy::too_many_arguments)]
fn write_pages(
    source: &render::Source<'_>,
    marked: Option<&Marked<'_>>,
    renderer: &Renderer,
    pages: &[PageKind],
    data: Option<&render::data::OpenData>,
    write: &render::WriteFile<'_, Failure>,
    json: Option<&render::WriteFile<'_, Failure>>,
    memo: Option<&render::PageMemo>,
    progress: &Progress,
) -> Result<usize, Failure> {
    // Pages that list many projects take longest: started first, they do not hold up the end.
    let mut order = pages.to_vec();
    order.sort_by_key(|page| matches!(page, PageKind::Project(_)));
    order
        .par_iter()
        .map(|&page| -> Result<usize, Failure> {
            let site = source.site;
            let path = render::routes::output_path(site, page);
            let both = marked.filter(|m| m.pages.contains(&page));
            // Only pages that gather projects: a project's page is made when the plan says.
            let memo = memo.filter(|_| !matches!(page, PageKind::Project(_)));
            // `None`: kept as it was (see [`render::PageMemo`]).
            match both {
                Some(m) => {
                    let made = match memo {
                        Some(memo) => {
                            let at = render::routes::written_at(site, m.source.mount, &path);
                            renderer.render_for_both_unless_unchanged(&m.source, page, memo, &at)?
                        }
                        None => Some(renderer.render_for_both(&m.source, page)?),
                    };
                    if let Some((folder, root)) = made {
                        write(&path, &[&folder])?;
                        (m.root)(&path, &[&root])?;
                    }
                    progress.add(2);
                }
                None => {
                    let made = match memo {
                        Some(memo) => {
                            let at = render::routes::written_at(site, source.mount, &path);
                            renderer.render_unless_unchanged(source, page, memo, &at)?
                        }
                        None => Some(renderer.render(source, page)?),
                    };
                    if let Some(html) = made {
                        write(&path, &[&html])?;
                    }
                    progress.add(1);
                }
            }
            if let (PageKind::Project(i), Some(write_json)) = (page, json) {
                let Some((path, bytes)) = render::data::project_json(site, data, i)? else {
                    return Ok(0);
                };
                write_json(&path, &[&bytes])?;
                if let Some(m) = both.filter(|m| m.json_at_root) {
                    (m.root)(&path, &[&bytes])?;
                }
                return Ok(1);
            }
            Ok(0)
        })
        .try_reduce(|| 0, |a, b| Ok(a + b))
}
