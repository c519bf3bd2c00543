//! The words on pages that are the theme's to choose rather than the program's: the titles of the
//! fixed pages and the names in the breadcrumbs. They live in the theme's `labels.toml`; a theme's
//! file needs only the words it changes, the others are the built-in default theme's.

use std::path::Path;

use serde::Deserialize;

use super::theme::ThemeError;

impl Labels {
    /// Every word of the labels. (Taken apart field by field, so that a label added to either
    /// table cannot be left out here without the compiler saying so.)
    pub fn texts(&self) -> [&str; 12] {
        let Titles {
            fields,
            departments,
            budget,
            accessibility,
            accessibility_policy,
            data,
            timeline,
            search,
            not_found,
        } = &self.titles;
        let Breadcrumbs {
            home,
            fields: fields_crumb,
            departments: departments_crumb,
        } = &self.breadcrumbs;
        [
            fields,
            departments,
            budget,
            accessibility,
            accessibility_policy,
            data,
            timeline,
            search,
            not_found,
            home,
            fields_crumb,
            departments_crumb,
        ]
    }
}

/// The file of a theme that holds its labels.
pub const LABELS_FILE: &str = "labels.toml";

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Labels {
    pub titles: Titles,
    pub breadcrumbs: Breadcrumbs,
}

/// The names of the pages that are not named by the content.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Titles {
    pub fields: String,
    pub departments: String,
    pub budget: String,
    pub accessibility: String,
    pub accessibility_policy: String,
    pub data: String,
    pub timeline: String,
    pub search: String,
    pub not_found: String,
}

/// The names of the pages the breadcrumbs pass through.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Breadcrumbs {
    pub home: String,
    pub fields: String,
    pub departments: String,
}

/// The labels of the theme in `theme_dir` over the built-in default theme's.
pub fn load(theme_dir: &Path) -> Result<Labels, ThemeError> {
    let builtin = super::builtin::FILES
        .iter()
        .find(|(path, _)| *path == LABELS_FILE)
        .and_then(|(_, bytes)| std::str::from_utf8(bytes).ok())
        .unwrap_or_default();
    let mut table = parse(builtin, Path::new(LABELS_FILE))?;
    let own = theme_dir.join(LABELS_FILE);
    if own.is_file() {
        let text = std::fs::read_to_string(&own).map_err(|e| ThemeError::Read {
            path: own.clone(),
            message: e.to_string(),
        })?;
        overlay(&mut table, parse(&text, &own)?);
    }
    Labels::deserialize(toml::Value::Table(table)).map_err(|e| ThemeError::Labels {
        path: own,
        message: e.to_string(),
    })
}

fn parse(text: &str, path: &Path) -> Result<toml::Table, ThemeError> {
    text.parse()
        .map_err(|e: toml::de::Error| ThemeError::Labels {
            path: path.to_path_buf(),
            message: e.to_string(),
        })
}

/// `over`'s keys replace `base`'s, table by table.
fn overlay(base: &mut toml::Table, over: toml::Table) {
    for (key, value) in over {
        match (base.get_mut(&key), value) {
            (Some(toml::Value::Table(inner)), toml::Value::Table(value)) => overlay(inner, value),
            (_, value) => {
                base.insert(key, value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_theme_changes_only_the_words_it_names() {
        let theme = tempfile::tempdir().expect("tempdir");
        let builtin = load(theme.path()).expect("the built-in labels");
        assert_eq!(builtin.titles.budget, "予算の内訳");
        std::fs::write(
            theme.path().join(LABELS_FILE),
            "[titles]\nbudget = \"令和6年度の予算\"\n",
        )
        .expect("write");
        let labels = load(theme.path()).expect("labels");
        assert_eq!(labels.titles.budget, "令和6年度の予算");
        assert_eq!(labels.titles.timeline, builtin.titles.timeline);
        std::fs::write(theme.path().join(LABELS_FILE), "[titles]\nbudjet = \"x\"\n")
            .expect("write");
        let error = load(theme.path()).expect_err("an unknown word is refused");
        assert!(error.to_string().contains("budjet"), "{error}");
    }
}
