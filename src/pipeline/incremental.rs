//! Rebuilds for the live preview that redo only what an edit changed.
//!
//! A [`Rebuilder`] keeps what its last good build read and wrote: a hash of each content file with
//! the project read from it, and a hash of every file written. After an edit to content it
//! parses again only the files whose bytes changed, renders again only those projects' pages
//! and JSON (with every file that gathers projects: lists, budget, open data, search, feeds), and
//! writes only the files whose bytes changed, removing those no longer made. The first build, and any
//! change to `config.toml`, the vocabulary or the theme, is a full build, replaced atomically.
//!
//! The result is the same tree, byte for byte, as a full build of the same files (tested).

use std::collections::{HashMap, HashSet};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Instant;

use rayon::prelude::*;
use walkdir::WalkDir;

use super::{
    BuildOptions, BuildReport, Failure, Feeds, Loaded, Scope, THEMES_DIR, build_indexes,
    build_site, build_with_progress, has_editions, load_site_reusing, load_theme, render_files,
    set_base_url,
};
use crate::config::CONFIG_FILE;
use crate::content::ProjectFile;
use crate::diagnostics::Diagnostic;
use crate::model::Site;
use crate::progress::Progress;
use crate::render::routes;
use crate::vocabulary::VOCABULARY_FILE;
use crate::write;

/// What a file held when it was read: a hash of its bytes. (Sizes and times are not enough: two
/// saves of the same length within one tick of the file system's clock look alike.)
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp(u64);

impl Stamp {
    fn of(path: &Path) -> Option<Stamp> {
        std::fs::read(path).ok().map(|bytes| Stamp(digest(&bytes)))
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

fn digest(bytes: &[u8]) -> u64 {
    let mut hasher = DefaultHasher::new();
    bytes.hash(&mut hasher);
    hasher.finish()
}

/// The files a build wrote: a hash of each by path relative to the output, and which were the
/// theme's static files.
#[derive(Debug, Default)]
pub(crate) struct Written {
    files: Mutex<HashMap<String, u64>>,
    assets: Mutex<Vec<String>>,
}

impl Written {
    pub(crate) fn note(&self, path: &str, bytes: &[u8]) {
        let hash = digest(bytes);
        lock(&self.files).insert(path.to_string(), hash);
    }

    pub(crate) fn note_assets(&self, paths: &[String]) {
        lock(&self.assets).extend_from_slice(paths);
    }
}

/// What the last good build read and wrote.
struct Last {
    /// Everything read besides the projects: config, vocabulary, every theme file.
    inputs: Vec<(PathBuf, Option<Stamp>)>,
    /// By the content file's path, with the notices about the file.
    projects: HashMap<PathBuf, (Stamp, ProjectFile)>,
    files: HashMap<String, u64>,
    assets: Vec<String>,
}

/// The stamps of every file a build reads besides the projects.
fn input_stamps(root: &Path) -> Vec<(PathBuf, Option<Stamp>)> {
    let mut inputs: Vec<(PathBuf, Option<Stamp>)> = [CONFIG_FILE, VOCABULARY_FILE]
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
        inputs.push((path, stamp));
    }
    inputs
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
        /// Projects whose page was rendered again.
        projects: usize,
        /// Files rewritten because their bytes changed.
        written: usize,
        /// Files removed because no project makes them any more.
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
    last: Option<Last>,
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
        // A site with editions is built whole each time (a partial rebuild knows one edition
        // only).
        if has_editions(&self.options.root) {
            self.last = None;
            return build_with_progress(&self.options, &Progress::default()).map(|build| {
                RebuildReport {
                    build,
                    kind: RebuildKind::Full,
                }
            });
        }
        let started = Instant::now();
        let inputs = input_stamps(&self.options.root);
        match self.last.take() {
            Some(last) if last.inputs == inputs => {
                let result = self.partial(&last, started);
                match result {
                    Ok((report, next)) => {
                        self.last = Some(Last { inputs, ..next });
                        Ok(report)
                    }
                    // Nothing was written: the output is still the last good build.
                    Err(
                        failure @ (Failure::Content(_) | Failure::Theme(_) | Failure::Usage(_)),
                    ) => {
                        self.last = Some(last);
                        Err(failure)
                    }
                    // Some files may have been replaced: the next build starts afresh.
                    Err(failure) => Err(failure),
                }
            }
            last => {
                let result = self.full(started);
                match result {
                    Ok((report, next)) => {
                        self.last = Some(Last { inputs, ..next });
                        Ok(report)
                    }
                    Err(failure) => {
                        // A failed full build leaves the output as it was.
                        self.last = last;
                        Err(failure)
                    }
                }
            }
        }
    }

    /// Loads the site, taking unchanged projects from `last`; also returns each file's stamp.
    fn load(&self, last: Option<&Last>) -> Result<(Loaded, HashMap<PathBuf, Stamp>), Failure> {
        let seen: Mutex<HashMap<PathBuf, Stamp>> = Mutex::new(HashMap::new());
        let reuse = |path: &Path| -> Option<ProjectFile> {
            // Hashed before it is parsed, so that a save during the build is seen by the next one.
            let stamp = Stamp::of(path)?;
            lock(&seen).insert(path.to_path_buf(), stamp);
            let (known, project) = last?.projects.get(path)?;
            (*known == stamp).then(|| project.clone())
        };
        let mut loaded = load_site_reusing(&self.options.root, &reuse)?;
        set_base_url(&mut loaded.site, &self.options)?;
        let seen = seen.into_inner().unwrap_or_else(|e| e.into_inner());
        Ok((loaded, seen))
    }

    /// Each project with its stamp and the notices about its file (a notice names its file).
    fn remember(
        &self,
        site: Site,
        notices: &[Diagnostic],
        seen: &HashMap<PathBuf, Stamp>,
    ) -> HashMap<PathBuf, (Stamp, ProjectFile)> {
        site.projects
            .into_iter()
            .filter_map(|project| {
                let path = self.options.root.join(&project.source);
                let stamp = *seen.get(&path)?;
                let notices = notices
                    .iter()
                    .filter(|n| n.path == project.source)
                    .cloned()
                    .collect();
                Some((path, (stamp, ProjectFile { project, notices })))
            })
            .collect()
    }

    fn full(&self, started: Instant) -> Result<(RebuildReport, Last), Failure> {
        let (Loaded { site, notices }, seen) = self.load(None)?;
        let written = Written::default();
        let build = build_site(
            &self.options,
            &site,
            &Progress::default(),
            Some(&written),
            started,
        )?;
        let last = Last {
            inputs: Vec::new(),
            projects: self.remember(site, &notices, &seen),
            files: written
                .files
                .into_inner()
                .unwrap_or_else(|e| e.into_inner()),
            assets: written
                .assets
                .into_inner()
                .unwrap_or_else(|e| e.into_inner()),
        };
        let mut build = build;
        build.notices.splice(0..0, notices.iter().cloned());
        let report = RebuildReport {
            build,
            kind: RebuildKind::Full,
        };
        Ok((report, last))
    }

    fn partial(&self, last: &Last, started: Instant) -> Result<(RebuildReport, Last), Failure> {
        let (Loaded { site, notices }, seen) = self.load(Some(last))?;
        let read = seen
            .iter()
            .filter(|(path, stamp)| last.projects.get(*path).is_none_or(|(s, _)| s != *stamp))
            .count();
        let changed: HashSet<usize> = site
            .projects
            .iter()
            .enumerate()
            .filter(|(_, project)| {
                let path = self.options.root.join(&project.source);
                last.projects
                    .get(&path)
                    .is_none_or(|(_, file)| file.project != **project)
            })
            .map(|(i, _)| i)
            .collect();
        let mut notices = notices;
        let renderer = load_theme(&self.options.root, &site, &mut notices)?;
        let indexes = build_indexes(&site)?;
        let made: Mutex<Vec<(String, Vec<u8>)>> = Mutex::new(Vec::new());
        let keep = |path: &str, bytes: &[u8]| -> Result<(), Failure> {
            lock(&made).push((path.to_string(), bytes.to_vec()));
            Ok(())
        };
        let rendered = render_files(
            &site,
            &indexes,
            &renderer,
            &Scope::Projects(&changed),
            routes::Mount::Whole,
            &Feeds::Whole,
            &keep,
            &Progress::default(),
        )?;
        let made = made.into_inner().unwrap_or_else(|e| e.into_inner());

        // Every file the site now has: those just made, the pages and JSON of unchanged projects,
        // the theme's static files.
        let mut expected: HashSet<&str> = made.iter().map(|(path, _)| path.as_str()).collect();
        let unchanged: Vec<String> = (0..site.projects.len())
            .filter(|i| !changed.contains(i))
            .flat_map(|i| routes::project_files(&site, i))
            .collect();
        expected.extend(unchanged.iter().map(String::as_str));
        expected.extend(last.assets.iter().map(String::as_str));

        let mut files = last.files.clone();
        let to_write: Vec<(&str, &[u8], u64)> = made
            .par_iter()
            .map(|(path, bytes)| (path.as_str(), bytes.as_slice(), digest(bytes)))
            .filter(|(path, _, hash)| files.get(*path) != Some(hash))
            .collect();
        let output = &self.options.output;
        to_write
            .par_iter()
            .try_for_each(|(path, bytes, _)| write::replace_file(output, path, bytes))?;
        for (path, _, hash) in &to_write {
            files.insert((*path).to_string(), *hash);
        }
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

        let build = BuildReport {
            pages: rendered.pages,
            assets: rendered.files - rendered.pages,
            projects: site.projects.len(),
            total: indexes.budget.total,
            seconds: started.elapsed().as_secs_f64(),
            absolute_urls: site.config.public_base_url().is_some(),
            notices,
            removed_stale: Vec::new(),
        };
        let kind = RebuildKind::Partial {
            read,
            projects: changed.len(),
            written: to_write.len(),
            removed: gone.len(),
        };
        let last = Last {
            inputs: Vec::new(),
            projects: self.remember(site, &build.notices, &seen),
            files,
            assets: last.assets.clone(),
        };
        Ok((RebuildReport { build, kind }, last))
    }
}
