//! Editions: the roadmap is revised every fiscal year, and each revision (令和6年度版, 令和7年度版 …)
//! is published whole and kept. This module exists to find the editions under `content/` (one
//! folder per edition, named by its fiscal-year code in lower case: `r6`, `r7`, `h31`), and to hold
//! what one edition's pages need to know of the others: which editions have the same project (the
//! same file name is the same 事業), its budget in each, and which pages of earlier editions the
//! latest one no longer has.
//!
//! When `content/` has no edition folder, the site is a single edition exactly as before editions
//! existed; nothing here is used.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::content::CONTENT_DIR;
use crate::diagnostics::Diagnostic;
use crate::fiscal_year::FiscalYear;
use crate::model::Project;
use crate::money::Budget;

/// One edition of the roadmap: the folder `content/<code>/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edition {
    /// The folder name and the URL segment: `r6`.
    pub code: String,
    /// The fiscal year the edition is for (its budget year).
    pub year: FiscalYear,
}

impl Edition {
    /// The edition's folder, relative to the site root: `content/r6`.
    pub fn dir(&self) -> PathBuf {
        Path::new(CONTENT_DIR).join(&self.code)
    }

    /// The edition's own vocabulary file, relative to the site root, whether or not it exists:
    /// `content/r7/vocabulary.toml`.
    pub fn own_vocabulary(&self) -> PathBuf {
        self.dir().join("vocabulary.toml")
    }

    /// The vocabulary file the edition reads: its own when it has one, else the shared
    /// `content/vocabulary.toml`.
    pub fn vocabulary_file(&self, root: &Path) -> PathBuf {
        let own = self.own_vocabulary();
        if root.join(&own).is_file() {
            own
        } else {
            PathBuf::from(crate::vocabulary::VOCABULARY_FILE)
        }
    }

    /// 「令和6年度版」.
    pub fn name(&self) -> String {
        format!("{}版", self.year.japanese())
    }
}

/// Whether `name` is written as an edition folder: `r` or `h` and a number without leading zero.
pub fn is_edition_code(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some('r' | 'h'))
        && name.len() > 1
        && !name[1..].starts_with('0')
        && name[1..].chars().all(|c| c.is_ascii_digit())
}

/// The fiscal year of an edition code (`r6` → 令和6年度), if it is one.
pub fn year_of_code(code: &str) -> Option<FiscalYear> {
    if !is_edition_code(code) {
        return None;
    }
    FiscalYear::parse(&code.to_ascii_uppercase()).ok()
}

/// The editions under `root/content`, oldest first; empty when there is no edition folder (a
/// single-edition site). Two folders for one fiscal year (`h31` and `r1`), or a folder named like
/// an edition in capitals (`R7`), are errors.
pub fn discover(root: &Path) -> Result<Vec<Edition>, Vec<Diagnostic>> {
    let Ok(entries) = std::fs::read_dir(root.join(CONTENT_DIR)) else {
        // The content stage says why content/ cannot be read.
        return Ok(Vec::new());
    };
    let mut editions = Vec::new();
    let mut errors = Vec::new();
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    for name in names {
        if let Some(year) = year_of_code(&name) {
            editions.push(Edition { code: name, year });
        } else if year_of_code(&name.to_ascii_lowercase()).is_some() {
            errors.push(
                Diagnostic::in_file(
                    &Path::new(CONTENT_DIR).join(&name),
                    format!("年度のフォルダ「{name}」は大文字では書けません。"),
                )
                .with_hint(format!(
                    "フォルダの名前を小文字の「{}」に変えてください（URLになるためです）。",
                    name.to_ascii_lowercase()
                )),
            );
        }
    }
    editions.sort_by(|a, b| a.year.cmp(&b.year).then_with(|| a.code.cmp(&b.code)));
    for pair in editions.windows(2) {
        if pair[0].year == pair[1].year {
            errors.push(
                Diagnostic::in_file(
                    &pair[1].dir(),
                    format!(
                        "{} と {} は同じ年度（{}）のフォルダです。",
                        pair[0].dir().display(),
                        pair[1].dir().display(),
                        pair[1].year.long()
                    ),
                )
                .with_hint(
                    "1つの年度版には1つのフォルダだけを使います。どちらかにまとめてください。",
                ),
            );
        }
    }
    if errors.is_empty() {
        Ok(editions)
    } else {
        Err(errors)
    }
}

/// What one edition says of one project: its file name there, its name and budget.
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectEntry {
    pub slug: String,
    pub name: String,
    pub budget: Budget,
}

/// One edition as the others see it.
#[derive(Debug, Clone)]
pub struct EditionEntry {
    pub edition: Edition,
    /// By the 事業's key: its file name in the earliest edition that has it (a renamed 事業 keeps
    /// the key of its first file, through `renamed_from`).
    pub projects: BTreeMap<String, ProjectEntry>,
    /// The key of each of this edition's file names.
    pub keys: BTreeMap<String, String>,
}

/// A page of an earlier edition that the latest edition does not have: the root keeps its URL with
/// a short page that says so and links the latest edition that has it.
#[derive(Debug, Clone, PartialEq)]
pub struct AbsentPage {
    /// The URL relative to an edition's root (`projects/x/`, `fields/a/b/`).
    pub url: String,
    /// What the page was called (the 事業名, the category's name …).
    pub title: String,
    /// Set when the page is a project's (the message names it as a 事業).
    pub project: bool,
    /// The latest edition that has the page.
    pub found_in: Edition,
    /// For a 事業 the latest edition lists under another file name (`renamed_from`): its page there.
    pub renamed_to: Option<Renamed>,
}

/// Where a renamed 事業 is in the latest edition.
#[derive(Debug, Clone, PartialEq)]
pub struct Renamed {
    /// Its page, relative to an edition's root (`projects/new-name/`).
    pub url: String,
    pub name: String,
}

/// Every edition, oldest first.
#[derive(Debug, Clone, Default)]
pub struct Catalogue {
    pub editions: Vec<EditionEntry>,
}

impl Catalogue {
    /// Every edition's projects, oldest edition first, each edition's projects as read. A project
    /// with `renamed_from` is the same 事業 as that file in the closest earlier edition that has
    /// it; naming a file no earlier edition has, or one this edition also has, is an error at the
    /// project's file.
    pub fn build(
        root: &Path,
        editions: &[(Edition, &[std::sync::Arc<Project>])],
    ) -> Result<Catalogue, Vec<Diagnostic>> {
        let mut built: Vec<EditionEntry> = Vec::with_capacity(editions.len());
        let mut errors = Vec::new();
        for (edition, projects) in editions {
            let mut entry = EditionEntry {
                edition: edition.clone(),
                projects: BTreeMap::new(),
                keys: BTreeMap::new(),
            };
            let own: std::collections::HashSet<&str> =
                projects.iter().map(|p| p.slug.as_str()).collect();
            for project in projects.iter() {
                let key = match &project.renamed_from {
                    None => built
                        .iter()
                        .rev()
                        .find_map(|e| e.keys.get(&project.slug))
                        .cloned()
                        .unwrap_or_else(|| project.slug.clone()),
                    Some(old) => match renamed_key(root, &built, &own, project, old) {
                        Ok(key) => key,
                        Err(error) => {
                            errors.push(*error);
                            continue;
                        }
                    },
                };
                if let Some(other) = entry.projects.get(&key) {
                    // Two files of one edition would be one 事業 (both renamed from one file).
                    errors.push(renamed_from_error(
                        root,
                        project,
                        format!(
                            "この事業と {}.md が、前の年度版の同じ事業（{key}.md）として扱われます。",
                            other.slug
                        ),
                        "1つの年度版で、前の年度版の1つのファイルを引き継げるのは1つのファイルだけです。renamed_from を確かめてください。".to_string(),
                    ));
                    continue;
                }
                entry.keys.insert(project.slug.clone(), key.clone());
                entry.projects.insert(
                    key,
                    ProjectEntry {
                        slug: project.slug.clone(),
                        name: project.name.clone(),
                        budget: project.budget,
                    },
                );
            }
            built.push(entry);
        }
        if errors.is_empty() {
            Ok(Catalogue { editions: built })
        } else {
            Err(errors)
        }
    }

    /// The latest edition (the highest fiscal year).
    pub fn latest(&self) -> Option<&Edition> {
        self.editions.last().map(|e| &e.edition)
    }

    /// The key of the project `slug` of `edition` (see [`EditionEntry::projects`]).
    pub fn key_of(&self, edition: &Edition, slug: &str) -> Option<&str> {
        self.editions
            .iter()
            .find(|e| &e.edition == edition)?
            .keys
            .get(slug)
            .map(String::as_str)
    }

    /// Each edition with the entry of the 事業 with this key, where it has one, oldest first.
    pub fn history<'a>(
        &'a self,
        key: &'a str,
    ) -> impl Iterator<Item = (&'a Edition, Option<&'a ProjectEntry>)> + 'a {
        self.editions
            .iter()
            .map(move |e| (&e.edition, e.projects.get(key)))
    }
}

/// The key of a project renamed from `old`: the key `old` has in the closest earlier edition.
fn renamed_key(
    root: &Path,
    earlier: &[EditionEntry],
    own: &std::collections::HashSet<&str>,
    project: &Project,
    old: &str,
) -> Result<String, Box<Diagnostic>> {
    let error = |message: String, hint: String| renamed_from_error(root, project, message, hint);
    if own.contains(old) {
        return Err(Box::new(error(
            format!("renamed_from の {old}.md が、同じ年度版のフォルダにもあります。"),
            "名前を変えた事業なら、もとのファイルはこの年度版から消します。別の事業なら renamed_from を消してください。".to_string(),
        )));
    }
    earlier
        .iter()
        .rev()
        .find_map(|e| e.keys.get(old))
        .cloned()
        .ok_or_else(|| {
            Box::new(error(
                format!("renamed_from の {old}.md は、前の年度版のどのフォルダにもありません。"),
                "前の年度版でのこの事業のファイル名（.md を除いた部分）を確かめてください。"
                    .to_string(),
            ))
        })
}

/// An error at a project's `renamed_from` line (at its file when the line cannot be found).
fn renamed_from_error(root: &Path, project: &Project, message: String, hint: String) -> Diagnostic {
    let located = std::fs::read_to_string(root.join(&project.source))
        .ok()
        .and_then(|text| {
            let mut offset = 0;
            let at = text.split_inclusive('\n').find_map(|line| {
                let start = offset;
                offset += line.len();
                let indent = line.len() - line.trim_start().len();
                line.trim_start()
                    .starts_with("renamed_from")
                    .then_some(start + indent)
            })?;
            let file = crate::diagnostics::SourceFile::new(project.source.clone(), text);
            Some(file.error_at(at..at + "renamed_from".len(), message.clone()))
        });
    located
        .unwrap_or_else(|| Diagnostic::in_file(&project.source, message))
        .with_key("renamed_from")
        .with_hint(hint)
}

/// Where one edition's pages sit among the editions.
#[derive(Debug, Clone)]
pub struct EditionPlace {
    pub edition: Edition,
    pub catalogue: Arc<Catalogue>,
    /// What changed since the edition before; `None` for the first edition.
    pub changes: Option<Arc<crate::changes::Changes>>,
    /// The latest edition's only: the pages the root shows for URLs of earlier editions that the
    /// latest no longer has, sorted by URL (kept here, not in the catalogue every edition shares,
    /// so that setting them copies nothing).
    pub absent: Vec<AbsentPage>,
}

impl EditionPlace {
    /// Whether this is the latest edition.
    pub fn is_latest(&self) -> bool {
        self.catalogue.latest() == Some(&self.edition)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edition_codes_are_lower_case_fiscal_years() {
        for good in ["r6", "r7", "r10", "h31", "r1"] {
            assert!(year_of_code(good).is_some(), "{good}");
        }
        for bad in ["R6", "r06", "r", "x6", "r6a", "2024", "r0", "h32", "images"] {
            assert!(year_of_code(bad).is_none(), "{bad}");
        }
        assert_eq!(year_of_code("r6"), Some(FiscalYear::reiwa(6)));
        assert_eq!(year_of_code("h31"), year_of_code("r1"));
    }

    #[test]
    fn editions_are_found_and_sorted_by_year() {
        let dir = tempfile::tempdir().expect("tempdir");
        for sub in ["r10", "r7", "h30", "images"] {
            std::fs::create_dir_all(dir.path().join("content").join(sub)).expect("mkdir");
        }
        let found = discover(dir.path()).expect("editions");
        let codes: Vec<&str> = found.iter().map(|e| e.code.as_str()).collect();
        assert_eq!(codes, ["h30", "r7", "r10"]);
        assert_eq!(found[1].name(), "令和7年度版");
    }

    #[test]
    fn one_year_twice_or_in_capitals_is_an_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        for sub in ["h31", "r1", "R7"] {
            std::fs::create_dir_all(dir.path().join("content").join(sub)).expect("mkdir");
        }
        let errors = discover(dir.path()).expect_err("errors");
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(errors.iter().any(|e| e.message.contains("同じ年度")));
        assert!(errors.iter().any(|e| e.message.contains("大文字")));
    }
}
