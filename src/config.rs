//! Site settings from `config.toml`: the first stage of the pipeline.
//!
//! Everything a build needs to know that is not a project: the title, where the site is published,
//! the theme, and which fiscal years the roadmap covers.

use std::path::Path;

use serde::Deserialize;

use crate::diagnostics::{Diagnostic, SourceFile};
use crate::fiscal_year::FiscalYear;
use crate::toml_errors;

pub const CONFIG_FILE: &str = "config.toml";

/// The settings as validated.
#[derive(Debug, Clone)]
pub struct SiteConfig {
    pub title: String,
    pub description: String,
    /// Always ends with `/`.
    pub base_url: String,
    pub language: String,
    pub theme: String,
    pub publisher: String,
    pub budget_year: FiscalYear,
    pub first_year: FiscalYear,
    pub last_year: FiscalYear,
    pub source_title: String,
    pub license: License,
    /// When the content was last changed (YYYY-MM-DD): the date in the feed and the sitemap. A
    /// setting rather than the clock, so that the same input gives the same output.
    pub updated: String,
}

/// The licence the site's contents and data are published under.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct License {
    /// 「公共データ利用規約（第1.0版）」.
    pub name: String,
    /// 「PDL1.0」, used in the credit line.
    pub short_name: String,
    pub url: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    title: String,
    description: String,
    base_url: String,
    language: String,
    theme: String,
    publisher: String,
    updated: toml::Spanned<String>,
    roadmap: RawRoadmap,
    source: RawSource,
    license: License,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRoadmap {
    budget_year: toml::Spanned<String>,
    first_year: toml::Spanned<String>,
    last_year: toml::Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    title: String,
}

impl SiteConfig {
    /// Reads `config.toml` under `root`.
    pub fn load(root: &Path) -> Result<SiteConfig, Vec<Diagnostic>> {
        let path = root.join(CONFIG_FILE);
        let text = std::fs::read_to_string(&path).map_err(|e| {
            vec![Diagnostic::in_file(
                Path::new(CONFIG_FILE),
                format!("設定ファイルを読めません: {e}"),
            )]
        })?;
        SiteConfig::parse(SourceFile::new(CONFIG_FILE, text))
    }

    /// Validates the text of a `config.toml`.
    pub fn parse(file: SourceFile) -> Result<SiteConfig, Vec<Diagnostic>> {
        let raw: RawConfig = toml::from_str(&file.text)
            .map_err(|e| vec![toml_errors::to_diagnostic(&file, 0, &e)])?;
        let mut errors = Vec::new();
        let mut year = |value: &toml::Spanned<String>, key: &str| {
            FiscalYear::parse(value.get_ref())
                .map_err(|e| {
                    errors.push(
                        file.error_at(value.span(), e.message)
                            .with_key(key)
                            .with_optional_hint(e.hint),
                    )
                })
                .ok()
        };
        let budget_year = year(&raw.roadmap.budget_year, "roadmap.budget_year");
        let first_year = year(&raw.roadmap.first_year, "roadmap.first_year");
        let last_year = year(&raw.roadmap.last_year, "roadmap.last_year");
        if let (Some(first), Some(last)) = (first_year, last_year)
            && first > last
        {
            errors.push(
                file.error_at(
                    raw.roadmap.last_year.span(),
                    "ロードマップの最後の列が最初の列より前の年度です。",
                )
                .with_key("roadmap.last_year"),
            );
        }
        if !is_date(raw.updated.get_ref()) {
            errors.push(
                file.error_at(
                    raw.updated.span(),
                    "日付は \"2026-11-25\" のように、年-月-日で書きます。",
                )
                .with_key("updated"),
            );
        }
        if !raw.base_url.starts_with("http://") && !raw.base_url.starts_with("https://") {
            errors.push(
                file.error("base_url は http:// または https:// で始まるURLで書きます。")
                    .with_key("base_url"),
            );
        }
        match (budget_year, first_year, last_year) {
            (Some(budget_year), Some(first_year), Some(last_year)) if errors.is_empty() => {
                Ok(SiteConfig {
                    title: raw.title,
                    description: raw.description,
                    base_url: with_trailing_slash(&raw.base_url),
                    language: raw.language,
                    theme: raw.theme,
                    publisher: raw.publisher,
                    budget_year,
                    first_year,
                    last_year,
                    source_title: raw.source.title,
                    license: raw.license,
                    updated: raw.updated.into_inner(),
                })
            }
            _ => Err(errors),
        }
    }

    /// Replaces the base URL (from `--base-url`).
    pub fn set_base_url(&mut self, url: &str) {
        self.base_url = with_trailing_slash(url);
    }

    /// The fiscal years of the roadmap's columns.
    pub fn roadmap_years(&self) -> Vec<FiscalYear> {
        FiscalYear::range(self.first_year, self.last_year).collect()
    }
}

/// `YYYY-MM-DD` with a plausible month and day.
fn is_date(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    let number = |s: &str, len: usize| {
        (s.len() == len && s.chars().all(|c| c.is_ascii_digit()))
            .then(|| s.parse::<u32>().ok())
            .flatten()
    };
    match parts.as_slice() {
        [y, m, d] => matches!(
            (number(y, 4), number(m, 2), number(d, 2)),
            (Some(_), Some(1..=12), Some(1..=31))
        ),
        _ => false,
    }
}

fn with_trailing_slash(url: &str) -> String {
    if url.ends_with('/') {
        url.to_string()
    } else {
        format!("{url}/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VALID: &str = r#"
title = "t"
description = "d"
base_url = "https://example.jp/roadmap"
language = "ja"
theme = "default"
publisher = "青森県"
updated = "2026-11-25"
[roadmap]
budget_year = "R6"
first_year = "R6"
last_year = "R10"
[source]
title = "s"
[license]
name = "公共データ利用規約（第1.0版）"
short_name = "PDL1.0"
url = "https://www.digital.go.jp/resources/open_data/public_data_license_v1.0"
"#;

    #[test]
    fn a_valid_config_is_read() {
        let config = SiteConfig::parse(SourceFile::new(CONFIG_FILE, VALID.to_string()));
        let config = config.expect("valid config");
        assert_eq!(config.base_url, "https://example.jp/roadmap/");
        assert_eq!(config.roadmap_years().len(), 5);
    }

    #[test]
    fn a_bad_year_is_reported_at_its_line() {
        let text = VALID.replace("last_year = \"R10\"", "last_year = \"R10年度\"");
        let errors = SiteConfig::parse(SourceFile::new(CONFIG_FILE, text)).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].key.as_deref(), Some("roadmap.last_year"));
        assert_eq!(errors[0].line(), 12);
    }

    #[test]
    fn an_unknown_key_is_an_error() {
        let text = VALID.replace("theme =", "themme =");
        let errors = SiteConfig::parse(SourceFile::new(CONFIG_FILE, text)).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].line(), 6);
    }
}
