//! Rebuilds for the live preview that redo only what an edit changed.
//!
//! A [`Rebuilder`] keeps what its last good build read and wrote: a hash of each content file with
//! the project read from it (in every edition), and a hash of every file written. A content file
//! untouched for a few seconds is not even read again: its size, times and inode vouch for it.
//! After an edit to content it parses again only the files whose bytes changed, renders again only
//! what depends on the projects that changed ([`plan`]: the changed projects' own pages and JSON in
//! every edition, and the files that gather projects in the editions that need them; of those
//! pages, only the ones whose context changed, see [`PageMemo`]), writes only the files whose bytes
//! changed, and removes those no longer made. The theme is compiled once for the partial builds
//! that follow a full one. A changed file is written beside its place as soon as it is made and
//! all are put in place once every file is made ([`write::Staged`]), so a failed render changes
//! nothing; the replaced files are freed, and the state for the next build put together, on other
//! threads after the answer. The first build, and any change to `config.toml`, a vocabulary, the
//! theme or the set of edition folders, is a full build, replaced atomically.
//!
//! The result is the same tree, byte for byte, as a full build of the same files (tested).

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime};

use rayon::prelude::*;
use walkdir::WalkDir;

use super::{
    BuildOptions, BuildReport, Failure, LoadedEditions, Plan, Prepared, Reuse, Scope, THEMES_DIR,
    build_prepared, drop_later, load_editions_reusing, load_theme, prepare, render_all,
    set_base_url,
};
use crate::config::CONFIG_FILE;
use crate::content::ProjectFile;
use crate::diagnostics::Diagnostic;
use crate::editions;
use crate::model::Site;
use crate::progress::Progress;
use crate::render::data::OpenData;
use crate::render::routes::{self, PageKind};
use crate::render::{PageMemo, Renderer};
use crate::vocabulary::VOCABULARY_FILE;
use crate::write;

/// What a file held when it was read: a hash of its bytes. (Sizes and times alone are not enough:
/// two saves of the same length within one tick of the file system's clock look alike. They stand
/// for the bytes only once the file has settled: see [`FileState`].)
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp(u64);

impl Stamp {
    fn of(path: &Path) -> Option<Stamp> {
        std::fs::read(path)
            .ok()
            .map(|bytes| Stamp(digest(&[&bytes])))
    }
}

/// What the file system says of a file: its size, its times and which file it is. It tells that a
/// file was not written since it was hashed, without reading it, only when the file had settled
/// ([`FileState::settled`]); otherwise the file is read and hashed again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FileState {
    len: u64,
    modified: Option<SystemTime>,
    /// When the file's status last changed (every write sets it; no program can set it back).
    changed: Option<SystemTime>,
    /// The device and inode, where the system has them.
    identity: Option<(u64, u64)>,
}

/// How long before a scan a file must have last changed for its state to stand for its bytes: more
/// than the coarsest clock of a file system (FAT's 2 s).
const SETTLED: Duration = Duration::from_secs(3);

impl FileState {
    fn of(path: &Path) -> Option<FileState> {
        let meta = std::fs::metadata(path).ok()?;
        #[cfg(unix)]
        let (changed, identity) = {
            use std::os::unix::fs::MetadataExt;
            let changed = u64::try_from(meta.ctime()).ok().and_then(|seconds| {
                let nanos = u32::try_from(meta.ctime_nsec()).ok()?;
                SystemTime::UNIX_EPOCH.checked_add(Duration::new(seconds, nanos))
            });
            (changed, Some((meta.dev(), meta.ino())))
        };
        #[cfg(not(unix))]
        let (changed, identity) = (None, None);
        Some(FileState {
            len: meta.len(),
            modified: meta.modified().ok(),
            changed,
            identity,
        })
    }

    /// Whether a file seen in this state by a scan that started at `scan` cannot have been written
    /// since without changing its state: it had last changed well before the scan, so any later
    /// write gives it a later change time. (A file saved just before the scan is hashed again at
    /// each scan until it settles.)
    fn settled(&self, scan: SystemTime) -> bool {
        self.changed
            .zip(scan.checked_sub(SETTLED))
            .is_some_and(|(changed, before)| changed < before)
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// A 64-bit checksum of a file's bytes, given in parts (XXH3: a rebuild hashes every file it makes,
/// some hundreds of megabytes, and SipHash took a tenth of its CPU time). The same bytes give the
/// same checksum however they are cut.
fn digest(parts: &[&[u8]]) -> u64 {
    match parts {
        [one] => xxhash_rust::xxh3::xxh3_64(one),
        _ => {
            let mut hasher = xxhash_rust::xxh3::Xxh3Default::new();
            for part in parts {
                hasher.update(part);
            }
            hasher.digest()
        }
    }
}

/// The files a build wrote: a hash of each by path relative to the output, and which were the
/// theme's static files.
#[derive(Debug, Default)]
pub(crate) struct Written {
    files: Mutex<HashMap<String, u64>>,
    assets: Mutex<Vec<String>>,
    /// Each edition's open data, for the next build to reuse.
    open_data: Mutex<Vec<Option<OpenData>>>,
    /// What each page that gathers projects was made from.
    pages: PageMemo,
}

impl Written {
    pub(crate) fn note(&self, path: &str, bytes: &[&[u8]]) {
        let hash = digest(bytes);
        lock(&self.files).insert(path.to_string(), hash);
    }

    pub(crate) fn note_assets(&self, paths: &[String]) {
        lock(&self.assets).extend_from_slice(paths);
    }

    pub(crate) fn keep_open_data(&self, open_data: Vec<Option<OpenData>>) {
        *lock(&self.open_data) = open_data;
    }

    pub(crate) fn pages(&self) -> &PageMemo {
        &self.pages
    }

    fn into_made(self) -> Made {
        Made {
            files: self.files.into_inner().unwrap_or_else(|e| e.into_inner()),
            assets: self.assets.into_inner().unwrap_or_else(|e| e.into_inner()),
            open_data: self
                .open_data
                .into_inner()
                .unwrap_or_else(|e| e.into_inner()),
            pages: self.pages.into_parts().0,
        }
    }
}

/// What a build made that the next one starts from: a hash of each file by path, the theme's
/// static files, each edition's open data, and what each page that gathers projects was made
/// from (by path).
struct Made {
    files: HashMap<String, u64>,
    assets: Vec<String>,
    open_data: Vec<Option<OpenData>>,
    pages: HashMap<String, u64>,
}

/// Everything a build reads besides the project files: when any of it changes, the next build is
/// a full one.
#[derive(Debug, PartialEq, Eq)]
struct Inputs {
    /// `config.toml`, the vocabularies (the site's and each edition's own, present or not) and
    /// every theme file, with their stamps.
    files: Vec<(PathBuf, Option<Stamp>)>,
    /// The edition folders, oldest first; `None` when they are in error (the build says why).
    editions: Option<Vec<String>>,
}

impl Inputs {
    fn read(root: &Path) -> Inputs {
        let found = editions::discover(root).ok();
        let mut names: Vec<PathBuf> = vec![CONFIG_FILE.into(), VOCABULARY_FILE.into()];
        names.extend(
            found
                .iter()
                .flatten()
                .map(editions::Edition::own_vocabulary),
        );
        let editions = found.map(|found| found.into_iter().map(|e| e.code).collect::<Vec<_>>());
        let mut files: Vec<(PathBuf, Option<Stamp>)> = names
            .iter()
            .map(|name| {
                let path = root.join(name);
                let stamp = Stamp::of(&path);
                (path, stamp)
            })
            .collect();
        for entry in WalkDir::new(root.join(THEMES_DIR))
            .sort_by_file_name()
            .into_iter()
            .flatten()
        {
            let path = entry.path().to_path_buf();
            let stamp = Stamp::of(&path);
            files.push((path, stamp));
        }
        Inputs { files, editions }
    }
}

/// What a scan saw of one content file.
#[derive(Debug, Clone, Copy)]
struct Seen {
    stamp: Stamp,
    /// The file's state before it was read; `None` when it cannot vouch for the bytes (it had not
    /// settled).
    settled: Option<FileState>,
}

/// What the last good build read and wrote.
struct Last {
    inputs: Inputs,
    /// By the content file's path, with the notices about the file.
    projects: HashMap<PathBuf, (Seen, ProjectFile)>,
    /// Each edition's projects, oldest first (one edition for a site without editions): the key of
    /// each file name (see [`project_keys`]).
    keys: Vec<HashMap<String, String>>,
    files: HashMap<String, u64>,
    assets: Vec<String>,
    /// Each edition's open data, oldest first (none where the build did not make it): the next
    /// build makes again only the changed projects'.
    open_data: Vec<Option<OpenData>>,
    /// What each page that gathers projects, of those in the output, was made from (see
    /// [`PageMemo`]).
    pages: HashMap<String, u64>,
    /// The theme as a partial build loaded it (the same until the inputs change), with its
    /// notices.
    theme: Option<Arc<LoadedTheme>>,
}

/// A theme's templates compiled, and what the build says of them.
struct LoadedTheme {
    renderer: Renderer,
    notices: Vec<Diagnostic>,
}

/// What a good build leaves for the next one to start from, before it is put together as [`Last`].
struct Remember {
    root: PathBuf,
    prepared: Vec<Prepared>,
    /// Every notice of the build (a notice names its file).
    notices: Vec<Diagnostic>,
    seen: HashMap<PathBuf, Seen>,
    inputs: Inputs,
    made: Made,
    theme: Option<Arc<LoadedTheme>>,
    /// Each edition's project keys, when the build worked them out (see [`project_keys`]).
    keys: Option<Vec<HashMap<String, String>>>,
}

impl Remember {
    /// Each project with its stamp and the notices about its file, each edition's project keys,
    /// and the files written.
    fn into_last(self) -> Last {
        let Remember {
            root,
            prepared,
            notices,
            seen,
            inputs,
            theme,
            keys,
            made:
                Made {
                    files,
                    assets,
                    open_data,
                    mut pages,
                },
        } = self;
        // Only pages in the output may be kept as they are.
        pages.retain(|path, _| files.contains_key(path));
        // Moved, not copied: a large site may have tens of thousands of notices.
        let mut by_file: HashMap<PathBuf, Vec<Diagnostic>> = HashMap::new();
        for notice in notices {
            match by_file.get_mut(notice.path.as_path()) {
                Some(file) => file.push(notice),
                None => {
                    by_file.insert(notice.path.clone(), vec![notice]);
                }
            }
        }
        let keys = keys.unwrap_or_else(|| prepared.iter().map(|p| project_keys(&p.site)).collect());
        // The rest of the editions (vocabularies, indexes, the catalogue) is freed off the way.
        let mut rest = prepared;
        let projects = rest
            .iter_mut()
            .flat_map(|p| std::mem::take(&mut p.site.projects))
            .filter_map(|project| {
                let path = root.join(&project.source);
                let seen = *seen.get(&path)?;
                let notices = by_file.remove(project.source.as_path()).unwrap_or_default();
                Some((path, (seen, ProjectFile { project, notices })))
            })
            .collect();
        drop_later(rest);
        Last {
            inputs,
            projects,
            keys,
            files,
            assets,
            open_data,
            pages,
            theme,
        }
    }
}

/// How a rebuild went about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RebuildKind {
    /// Everything read, rendered and written, the output replaced atomically.
    Full,
    /// Only what changed.
    Partial {
        /// Content files read again.
        read: usize,
        /// Project pages rendered again (a project is published in each edition that has it, and
        /// the latest edition's once more at the root).
        projects: usize,
        /// Pages that gather projects kept as they were, not rendered again: what they are made
        /// from did not change (see [`PageMemo`]).
        kept: usize,
        /// Files rewritten because their bytes changed.
        written: usize,
        /// Files removed because nothing makes them any more.
        removed: usize,
    },
}

/// What a rebuild did.
#[derive(Debug, Clone)]
pub struct RebuildReport {
    pub build: BuildReport,
    pub kind: RebuildKind,
}

/// Builds a site again and again into the same output, each time redoing only what changed.
pub struct Rebuilder {
    options: BuildOptions,
    last: Option<Next>,
}

/// What the next build starts from: ready, or being put together on a thread of its own after a
/// build answered (keeping 30,000 projects by file takes a fifth of a second, which the preview's
/// answer need not wait for).
enum Next {
    Ready(Box<Last>),
    Making(std::thread::JoinHandle<Last>),
}

impl Next {
    /// Puts the next build's state together on a thread of its own; `None` when no thread can be
    /// started (the next build is then a full one).
    fn start(remember: Remember) -> Option<Next> {
        std::thread::Builder::new()
            .name("roadmap-remember".to_string())
            .spawn(move || remember.into_last())
            .ok()
            .map(Next::Making)
    }

    /// The last build's state; `None` if putting it together failed (the next build is full).
    fn wait(self) -> Option<Last> {
        match self {
            Next::Ready(last) => Some(*last),
            Next::Making(thread) => thread.join().ok(),
        }
    }
}

impl Rebuilder {
    pub fn new(options: BuildOptions) -> Rebuilder {
        Rebuilder {
            options,
            last: None,
        }
    }

    /// Builds the site as it is now. On failure the output keeps the last good build.
    pub fn build(&mut self) -> Result<RebuildReport, Failure> {
        let started = Instant::now();
        let inputs = Inputs::read(&self.options.root);
        match self.last.take().and_then(Next::wait) {
            Some(last) if last.inputs == inputs => match self.partial(&last, inputs, started) {
                Ok((report, next)) => {
                    self.last = Next::start(next);
                    drop_later(last);
                    Ok(report)
                }
                // Nothing was written: the output is still the last good build.
                Err(failure @ (Failure::Content(_) | Failure::Theme(_) | Failure::Usage(_))) => {
                    self.last = Some(Next::Ready(Box::new(last)));
                    Err(failure)
                }
                // Some files may have been replaced: the next build starts afresh.
                Err(failure) => Err(failure),
            },
            last => match self.full(inputs, started) {
                Ok((report, next)) => {
                    self.last = Next::start(next);
                    Ok(report)
                }
                Err(failure) => {
                    // A failed full build leaves the output as it was.
                    self.last = last.map(|last| Next::Ready(Box::new(last)));
                    Err(failure)
                }
            },
        }
    }

    /// Loads every edition, taking unchanged projects from `last`; also returns each file's stamp.
    fn load(
        &self,
        last: Option<&Last>,
    ) -> Result<(LoadedEditions, HashMap<PathBuf, Seen>), Failure> {
        let seen: Mutex<HashMap<PathBuf, Seen>> = Mutex::new(HashMap::new());
        let scan = SystemTime::now();
        let reuse = |path: &Path| -> Option<ProjectFile> {
            let known = last.and_then(|last| last.projects.get(path));
            // A settled file in the same state as when it was hashed has the same bytes: not read.
            let state = FileState::of(path);
            if let Some((before, project)) = known
                && before.settled.is_some()
                && before.settled == state
            {
                lock(&seen).insert(path.to_path_buf(), *before);
                return Some(project.clone());
            }
            // Hashed before it is parsed, so that a save during the build is seen by the next one.
            let stamp = Stamp::of(path)?;
            let settled = state.filter(|state| state.settled(scan));
            lock(&seen).insert(path.to_path_buf(), Seen { stamp, settled });
            let (before, project) = known?;
            (before.stamp == stamp).then(|| project.clone())
        };
        let mut loaded = load_editions_reusing(&self.options.root, &reuse)?;
        for site in &mut loaded.sites {
            set_base_url(site, &self.options)?;
        }
        let seen = seen.into_inner().unwrap_or_else(|e| e.into_inner());
        Ok((loaded, seen))
    }

    fn full(&self, inputs: Inputs, started: Instant) -> Result<(RebuildReport, Remember), Failure> {
        let (LoadedEditions { sites, notices }, seen) = self.load(None)?;
        let prepared = prepare(sites)?;
        let written = Written::default();
        let mut build = build_prepared(
            &self.options,
            &prepared,
            &Progress::default(),
            Some(&written),
            started,
        )?;
        build.notices.splice(0..0, notices);
        let next = Remember {
            root: self.options.root.clone(),
            prepared,
            notices: build.notices.clone(),
            seen,
            inputs,
            made: written.into_made(),
            theme: None,
            keys: None,
        };
        let report = RebuildReport {
            build,
            kind: RebuildKind::Full,
        };
        Ok((report, next))
    }

    fn partial(
        &self,
        last: &Last,
        inputs: Inputs,
        started: Instant,
    ) -> Result<(RebuildReport, Remember), Failure> {
        let root = &self.options.root;
        let (LoadedEditions { sites, notices }, seen) = self.load(Some(last))?;
        let read = seen
            .iter()
            .filter(|(path, seen)| {
                last.projects
                    .get(*path)
                    .is_none_or(|(before, _)| before.stamp != seen.stamp)
            })
            .count();
        // Each edition's changed slugs: its projects edited or added, and those it no longer has.
        let changed: Vec<BTreeSet<String>> = sites
            .iter()
            .enumerate()
            .map(|(e, site)| {
                let mut slugs: BTreeSet<String> = site
                    .projects
                    .par_iter()
                    .filter(|project| {
                        let path = root.join(&project.source);
                        // A file whose bytes did not change gave the project the last build read.
                        last.projects.get(&path).is_none_or(|(before, file)| {
                            seen.get(&path).is_none_or(|now| now.stamp != before.stamp)
                                && file.project != **project
                        })
                    })
                    .map(|project| project.slug.clone())
                    .collect();
                if let Some(before) = last.keys.get(e) {
                    let now: HashSet<&str> =
                        site.projects.iter().map(|p| p.slug.as_str()).collect();
                    slugs.extend(
                        before
                            .keys()
                            .filter(|slug| !now.contains(slug.as_str()))
                            .cloned(),
                    );
                }
                slugs
            })
            .collect();
        let mut notices = notices;
        let Some(latest) = sites.last() else {
            return Err(Failure::Usage("事業ファイルがありません。".to_string()));
        };
        // The theme is as the last build had it (the inputs are the same): compiled once.
        let theme = match &last.theme {
            Some(theme) => Arc::clone(theme),
            None => {
                let mut theme_notices = Vec::new();
                let renderer = load_theme(root, latest, &mut theme_notices)?;
                Arc::new(LoadedTheme {
                    renderer,
                    notices: theme_notices,
                })
            }
        };
        notices.extend(theme.notices.iter().cloned());
        let renderer = &theme.renderer;
        let prepared = prepare(sites)?;
        let keys: Vec<HashMap<String, String>> =
            prepared.par_iter().map(|p| project_keys(&p.site)).collect();
        let edits = Edits::between(last, &keys, &changed);
        let plan = plan(&prepared, &keys, &edits);
        // Every file made; those whose bytes changed are written beside their place as they are
        // made, and put in place only once all are made, so that a failed render leaves the
        // output as it was (dropped, the staged files are removed).
        let output = &self.options.output;
        let made: Mutex<Vec<String>> = Mutex::new(Vec::new());
        let staged: Mutex<Vec<(write::Staged, String, u64)>> = Mutex::new(Vec::new());
        let keep = |path: &str, bytes: &[&[u8]]| -> Result<(), Failure> {
            let hash = digest(bytes);
            if last.files.get(path) != Some(&hash) {
                let file = write::stage_file(output, path, bytes)?;
                lock(&staged).push((file, path.to_string(), hash));
            }
            lock(&made).push(path.to_string());
            Ok(())
        };
        // A project's open data depends on the project and on the configuration and vocabulary,
        // which a partial build has as the last one had.
        let unchanged = |e: usize, project: &crate::model::Project| {
            changed
                .get(e)
                .is_some_and(|slugs| !slugs.contains(&project.slug))
        };
        let reuse = Reuse {
            before: &last.open_data,
            unchanged: &unchanged,
        };
        let memo = PageMemo::after(last.pages.clone());
        let mut rendered = render_all(
            &prepared,
            renderer,
            &plan,
            Some(&reuse),
            &keep,
            Some(&memo),
            &Progress::default(),
        )?;
        let open_data = std::mem::take(&mut rendered.open_data);
        let mut made = made.into_inner().unwrap_or_else(|e| e.into_inner());
        // The pages kept as they were are made too; every page's fingerprint is the last
        // build's unless made again now.
        let (pages, kept) = memo.into_parts();
        let kept_pages = kept.len();
        made.extend(kept);
        let mut staged = staged.into_inner().unwrap_or_else(|e| e.into_inner());
        // In path order, so that the files are put in place in the same order whatever the threads.
        staged.sort_by(|a, b| a.1.cmp(&b.1));
        let written = staged.len();

        let expected = expected_files(&prepared, &plan, last, &made);
        let mut files = last.files.clone();
        // The replaced files are freed off the way, as the last build's state is.
        let replaced = write::Replaced::beside(output);
        for (file, path, hash) in staged {
            file.commit(&replaced)?;
            files.insert(path, hash);
        }
        drop_later(replaced);
        let mut gone: Vec<String> = files
            .keys()
            .filter(|path| !expected.contains(path.as_str()))
            .cloned()
            .collect();
        gone.sort();
        for path in &gone {
            write::remove_file(output, path)?;
            files.remove(path);
        }

        let project_pages = prepared
            .iter()
            .zip(&plan.folders)
            .chain(prepared.last().map(|latest| (latest, &plan.root)))
            .map(|(p, scope)| scope.project_pages(p.site.projects.len()))
            .sum();
        let Some(latest) = prepared.last() else {
            return Err(Failure::Usage("事業ファイルがありません。".to_string()));
        };
        let build = BuildReport {
            pages: rendered.pages - kept_pages,
            assets: rendered.files - rendered.pages,
            projects: latest.site.projects.len(),
            total: latest.indexes.budget.total,
            seconds: started.elapsed().as_secs_f64(),
            absolute_urls: latest.site.config.public_base_url().is_some(),
            notices,
            removed_stale: Vec::new(),
        };
        let kind = RebuildKind::Partial {
            read,
            projects: project_pages,
            kept: kept_pages,
            written,
            removed: gone.len(),
        };
        let next = Remember {
            root: root.clone(),
            prepared,
            notices: build.notices.clone(),
            seen,
            inputs,
            theme: Some(theme),
            keys: Some(keys),
            made: Made {
                files,
                assets: last.assets.clone(),
                open_data,
                pages,
            },
        };
        Ok((RebuildReport { build, kind }, next))
    }
}

/// The key of each of a site's file names: the 事業 it is across editions (a file renamed with
/// `renamed_from` keeps its first file's key; see [`crate::editions::Catalogue`]); without editions,
/// the file name itself.
fn project_keys(site: &Site) -> HashMap<String, String> {
    site.projects
        .iter()
        .map(|project| {
            let key = site
                .edition
                .as_ref()
                .and_then(|place| place.catalogue.key_of(&place.edition, &project.slug))
                .unwrap_or(&project.slug);
            (project.slug.clone(), key.to_string())
        })
        .collect()
}

/// What changed since the last build.
struct Edits {
    /// Per edition, oldest first: whether its projects changed (one edited, added or removed, or
    /// one that is now another 事業 through a rename).
    edited: Vec<bool>,
    /// The 事業 changed anywhere: their keys before and after, and their file names.
    projects: HashSet<String>,
}

impl Edits {
    /// From each edition's changed file names (`changed`, oldest first) and the keys of the last
    /// build and of this one (`keys`, each edition's, oldest first).
    fn between(
        last: &Last,
        keys: &[HashMap<String, String>],
        changed: &[BTreeSet<String>],
    ) -> Edits {
        let mut edited = Vec::with_capacity(keys.len());
        let mut projects = HashSet::new();
        for (e, now) in keys.iter().enumerate() {
            let before = last.keys.get(e);
            let key_before = |slug: &str| before.and_then(|keys| keys.get(slug));
            let mut any = false;
            for slug in changed.get(e).into_iter().flatten() {
                projects.insert(slug.clone());
                projects.extend(key_before(slug).cloned());
                projects.extend(now.get(slug).cloned());
                any = true;
            }
            for (slug, key) in now {
                if let Some(old) = key_before(slug).filter(|old| *old != key) {
                    projects.extend([slug.clone(), key.clone(), old.clone()]);
                    any = true;
                }
            }
            edited.push(any);
        }
        Edits { edited, projects }
    }
}

/// What an edit makes stale. This is the one place that says which files depend on which change:
///
/// - an edition's files that gather projects (lists, indexes, budget, open data, search, feeds,
///   every page but a project's) depend on its own projects,
/// - and on the previous edition's (its page of changes from the previous edition);
/// - the root's depend on every edition (its sitemap lists every edition's pages, its data page and
///   combined open data every edition's projects, and it keeps the pages of earlier editions that
///   the latest lacks);
/// - a project's own page (and JSON) depends on that 事業 in every edition (its budget by
///   edition): a 事業 changed anywhere is made again wherever it is published.
///
/// `keys`: each edition's project keys, oldest first (see [`project_keys`]).
fn plan(prepared: &[Prepared], keys: &[HashMap<String, String>], edits: &Edits) -> Plan {
    let edited = |e: usize| edits.edited.get(e).copied().unwrap_or(false);
    let collection_is_stale = |e: usize| edited(e) || (e > 0 && edited(e - 1));
    let anything = edits.edited.iter().any(|&e| e);
    let no_keys = HashMap::new();
    let scope = |e: usize, collection: bool| {
        let p = &prepared[e];
        let keys = keys.get(e).unwrap_or(&no_keys);
        let pages: HashSet<usize> = p
            .site
            .projects
            .iter()
            .enumerate()
            .filter(|(_, project)| {
                edits.projects.contains(&project.slug)
                    || keys
                        .get(&project.slug)
                        .is_some_and(|key| edits.projects.contains(key))
            })
            .map(|(i, _)| i)
            .collect();
        if collection {
            Scope::Collection(pages)
        } else {
            Scope::Projects(pages)
        }
    };
    let with_folders = prepared.last().is_some_and(|p| p.site.edition.is_some());
    let folders = if with_folders {
        (0..prepared.len())
            .map(|e| scope(e, collection_is_stale(e)))
            .collect()
    } else {
        Vec::new()
    };
    let root = match prepared.len().checked_sub(1) {
        Some(latest) => scope(latest, anything),
        None => Scope::nothing(),
    };
    Plan { folders, root }
}

/// Every file the site has after a partial render: those just made, the theme's static files, and
/// of the last build's files, those of each place (an edition's folder, the root) whose files that
/// gather projects were not made again, and the own files of projects not made again.
fn expected_files<'a>(
    prepared: &[Prepared],
    plan: &Plan,
    last: &'a Last,
    made: &'a [String],
) -> HashSet<&'a str> {
    let mut expected: HashSet<&str> = made.iter().map(String::as_str).collect();
    expected.extend(last.assets.iter().map(String::as_str));
    // Where each folder's scope is, by the folder's name.
    let folders: HashMap<&str, &Scope> = prepared
        .iter()
        .zip(&plan.folders)
        .filter_map(|(p, scope)| Some((p.site.edition.as_ref()?.edition.code.as_str(), scope)))
        .collect();
    let scope_of = |path: &str| -> &Scope {
        path.split_once('/')
            .and_then(|(first, _)| folders.get(first).copied())
            .unwrap_or(&plan.root)
    };
    // The own files of the projects not made again where the rest was made again.
    let mut kept: HashSet<String> = HashSet::new();
    let places = prepared
        .iter()
        .zip(&plan.folders)
        .map(|(p, scope)| {
            let code = p
                .site
                .edition
                .as_ref()
                .map(|place| place.edition.code.as_str());
            (p, scope, code)
        })
        .chain(prepared.last().map(|latest| (latest, &plan.root, None)));
    for (p, scope, code) in places {
        if !scope.collection() {
            continue;
        }
        for i in 0..p.site.projects.len() {
            if scope.includes(PageKind::Project(i)) {
                continue;
            }
            for file in routes::project_files(&p.site, i) {
                kept.insert(match code {
                    Some(code) => routes::in_edition(code, &file),
                    None => file,
                });
            }
        }
    }
    for path in last.files.keys() {
        if !scope_of(path).collection() || kept.contains(path) {
            expected.insert(path);
        }
    }
    expected
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file written in parts has the checksum of its bytes, however they are cut.
    #[test]
    fn a_checksum_is_the_same_however_the_bytes_are_cut() {
        let whole = b"edition,code\nr6,1\n".repeat(1000);
        let cut: [&[u8]; 4] = [&whole[..7], &whole[7..5000], &[], &whole[5000..]];
        assert_eq!(digest(&[&whole]), digest(&cut));
        assert_ne!(digest(&[&whole]), digest(&[&whole[1..]]));
    }

    /// A file's state vouches for its bytes only once it has settled, and any write after that
    /// changes the state, even one of the same length.
    #[test]
    fn a_settled_state_changes_with_any_later_write() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("p.md");
        std::fs::write(&path, "budget = 1000").expect("write");
        let state = FileState::of(&path).expect("state");
        let now = SystemTime::now();
        assert!(!state.settled(now), "just written: not settled");
        if cfg!(unix) {
            assert!(state.settled(now + SETTLED * 2), "settled for a later scan");
        }
        // Past any file system clock's tick, a write of the same length.
        std::thread::sleep(Duration::from_millis(50));
        std::fs::write(&path, "budget = 2000").expect("write");
        let after = FileState::of(&path).expect("state");
        assert_eq!(after.len, state.len);
        if cfg!(unix) {
            assert_ne!(after, state, "the write changed the state");
        }
        assert!(FileState::of(&dir.path().join("missing.md")).is_none());
    }
}
