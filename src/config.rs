//! Site settings from `config.toml`: the first stage of the pipeline.
//!
//! Everything a build needs to know that is not a project: the title, where the site is published,
//! the theme, and which fiscal years the roadmap covers. Every statement made in someone's name —
//! the publisher, the licence, where to send questions, the accessibility commitment — comes from
//! here and nowhere else; where one is not set, the site says nothing of it.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::diagnostics::{Diagnostic, SourceFile};
use crate::fiscal_year::FiscalYear;
use crate::local_government_code::LocalGovernmentCode;
use crate::toml_errors;

pub const CONFIG_FILE: &str = "config.toml";

/// The settings as validated.
#[derive(Debug, Clone)]
pub struct SiteConfig {
    pub title: String,
    pub description: String,
    /// Where the site is published, ending with `/`; `None` when not set.
    pub base_url: Option<String>,
    pub language: String,
    pub theme: String,
    /// Who publishes the site, if the configuration says so.
    pub publisher: Option<String>,
    /// The publisher's 全国地方公共団体コード, if the configuration says so (never guessed from the
    /// publisher's name): the first column of every CSV file.
    pub local_government_code: Option<LocalGovernmentCode>,
    pub budget_year: FiscalYear,
    pub first_year: FiscalYear,
    pub last_year: FiscalYear,
    /// Whether a build may publish roadmap rows whose years are inferred.
    pub publish_inferred_years: bool,
    /// The fiscal year the pages mark as 今年度, when the configuration names one (from the
    /// configuration, not the clock, so that a build is the same whenever it runs).
    pub current_year: Option<FiscalYear>,
    pub source: SourceDocument,
    pub license: Option<License>,
    pub contact: Option<Contact>,
    pub accessibility: Option<AccessibilityPolicy>,
    /// The publisher's logo, header links and footer text, shown by the default theme.
    pub branding: Branding,
    /// When the content was last changed (YYYY-MM-DD): the date in the feed and the sitemap. A
    /// setting rather than the clock, so that the same input gives the same output.
    pub updated: String,
    /// Set for the local preview only (never read from the file): its base URL is this computer's,
    /// and absolute links to it are what the preview needs.
    pub allow_local_base_url: bool,
    /// What `[editions.<code>]` tables say of each edition, by code (`r7`); none need be listed.
    pub editions: BTreeMap<String, EditionSettings>,
}

/// The settings of one edition (`[editions.r7]`), each optional.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EditionSettings {
    /// The site name for this edition's pages.
    pub title: Option<String>,
    /// The roadmap's first and last columns for this edition.
    pub first_year: Option<FiscalYear>,
    pub last_year: Option<FiscalYear>,
    /// When the edition was published (YYYY-MM-DD): the date its feed and sitemap entries carry.
    pub published: Option<String>,
    /// The site description for this edition's pages.
    pub description: Option<String>,
    /// The edition's source document: its name, author and address.
    pub source_title: Option<String>,
    pub source_author: Option<String>,
    pub source_url: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEdition {
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    first_year: Option<toml::Spanned<String>>,
    #[serde(default)]
    last_year: Option<toml::Spanned<String>>,
    #[serde(default)]
    published: Option<toml::Spanned<String>>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    source_title: Option<String>,
    #[serde(default)]
    source_author: Option<String>,
    #[serde(default)]
    source_url: Option<toml::Spanned<String>>,
}

/// The document the site is transcribed from.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct SourceDocument<U = String> {
    /// 「令和６年度DX関連事業ロードマップ」.
    pub title: String,
    /// Who wrote it (「青森県」), for the credit line.
    #[serde(default)]
    pub author: Option<String>,
    /// Which part of the document the site covers (「暮らし・まち分野」), when it covers only a part.
    #[serde(default)]
    pub scope: Option<String>,
    /// Where the document itself is published.
    #[serde(default = "Option::default")]
    pub url: Option<U>,
}

/// The licence the site's contents and data are published under.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct License<U = String> {
    /// 「公共データ利用規約（第1.0版）」.
    pub name: String,
    /// 「PDL1.0」, used in the credit line.
    pub short_name: String,
    pub url: U,
}

/// Where readers send questions about the site.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Contact<U = String> {
    /// 「青森県 企画政策部 DX推進課」.
    pub name: String,
    /// A page with the contact form or details.
    #[serde(default = "Option::default")]
    pub url: Option<U>,
}

/// A URL with its place in `config.toml`, while it is checked.
type SpannedUrl = toml::Spanned<String>;

/// What a web team sets to make the default theme theirs without touching templates.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Branding<U = String> {
    /// A logo for the header: a file of the theme's `static/` folder (`assets/logo.svg`) or an
    /// http(s) URL.
    #[serde(default = "Option::default")]
    pub logo: Option<U>,
    /// The logo's text alternative (required with a logo).
    #[serde(default)]
    pub logo_alt: Option<String>,
    /// Links in the header, such as the prefecture's home page.
    #[serde(default = "Vec::new")]
    pub links: Vec<HeaderLink<U>>,
    /// A line at the foot of every page.
    #[serde(default)]
    pub footer: Option<String>,
}

impl<U> Default for Branding<U> {
    fn default() -> Self {
        Branding {
            logo: None,
            logo_alt: None,
            links: Vec::new(),
            footer: None,
        }
    }
}

/// A link in the header.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct HeaderLink<U = String> {
    pub name: String,
    pub url: U,
}

/// The publisher's accessibility commitment, in its own words.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct AccessibilityPolicy {
    /// The commitment (「青森県は、…取り組みます。」).
    pub policy: String,
    /// The target conformance level (「JIS X 8341-3:2016 の適合レベル AA に準拠」).
    #[serde(default)]
    pub target: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    title: String,
    description: String,
    #[serde(default)]
    base_url: Option<toml::Spanned<String>>,
    language: String,
    theme: String,
    #[serde(default)]
    publisher: Option<String>,
    #[serde(default)]
    local_government_code: Option<toml::Spanned<String>>,
    updated: toml::Spanned<String>,
    roadmap: RawRoadmap,
    source: SourceDocument<SpannedUrl>,
    #[serde(default)]
    license: Option<License<SpannedUrl>>,
    #[serde(default)]
    contact: Option<Contact<SpannedUrl>>,
    #[serde(default)]
    accessibility: Option<AccessibilityPolicy>,
    #[serde(default)]
    branding: Branding<SpannedUrl>,
    #[serde(default)]
    editions: BTreeMap<toml::Spanned<String>, RawEdition>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRoadmap {
    budget_year: toml::Spanned<String>,
    first_year: toml::Spanned<String>,
    last_year: toml::Spanned<String>,
    #[serde(default = "publish_by_default")]
    publish_inferred_years: bool,
    current_year: Option<toml::Spanned<String>>,
}

impl RawConfig {
    /// Every text the site shows from the configuration, with its key.
    fn texts(&self) -> Vec<(&'static str, &str)> {
        let mut texts = vec![
            ("title", self.title.as_str()),
            ("description", self.description.as_str()),
            ("source.title", self.source.title.as_str()),
        ];
        let optional = [
            ("publisher", self.publisher.as_deref()),
            ("source.author", self.source.author.as_deref()),
            ("source.scope", self.source.scope.as_deref()),
            (
                "license.name",
                self.license.as_ref().map(|l| l.name.as_str()),
            ),
            (
                "license.short_name",
                self.license.as_ref().map(|l| l.short_name.as_str()),
            ),
            (
                "contact.name",
                self.contact.as_ref().map(|c| c.name.as_str()),
            ),
            (
                "accessibility.policy",
                self.accessibility.as_ref().map(|a| a.policy.as_str()),
            ),
            (
                "accessibility.target",
                self.accessibility
                    .as_ref()
                    .and_then(|a| a.target.as_deref()),
            ),
            ("branding.logo_alt", self.branding.logo_alt.as_deref()),
            ("branding.footer", self.branding.footer.as_deref()),
        ];
        texts.extend(
            optional
                .into_iter()
                .filter_map(|(key, text)| text.map(|t| (key, t))),
        );
        texts.extend(
            self.branding
                .links
                .iter()
                .map(|l| ("branding.links.name", l.name.as_str())),
        );
        texts
    }
}

fn publish_by_default() -> bool {
    true
}

/// Why a URL cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlError(pub String);

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
        let current_year = raw
            .roadmap
            .current_year
            .as_ref()
            .map(|y| year(y, "roadmap.current_year"));
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
        if !is_theme_name(&raw.theme) {
            errors.push(
                file.error(format!(
                    "theme「{}」は使えません。themes/ の中のフォルダの名前だけを書きます。",
                    raw.theme
                ))
                .with_key("theme")
                .with_hint("theme = \"default\" のように、半角英数字とハイフンの名前を書きます（/ や .. は使えません）。"),
            );
        }
        for (key, text) in raw.texts() {
            errors.extend(hidden_character(&file, key, text));
        }
        let mut url = |value: Option<&SpannedUrl>, key: &str| {
            if let Some(value) = value
                && let Err(UrlError(message)) = web_url(value.get_ref())
            {
                errors.push(
                    file.error_at(value.span(), message)
                        .with_key(key)
                        .with_hint("https://www.pref.aomori.lg.jp/ のように、http:// または https:// で始まるURLを書きます。"),
                );
            }
        };
        url(raw.base_url.as_ref(), "base_url");
        url(raw.source.url.as_ref(), "source.url");
        url(raw.license.as_ref().map(|l| &l.url), "license.url");
        url(
            raw.contact.as_ref().and_then(|c| c.url.as_ref()),
            "contact.url",
        );
        for link in &raw.branding.links {
            url(Some(&link.url), "branding.links.url");
        }
        if let Some(logo) = &raw.branding.logo
            && !is_site_path(logo.get_ref())
        {
            url(Some(logo), "branding.logo");
        }
        let local_government_code = raw.local_government_code.as_ref().and_then(|code| {
            LocalGovernmentCode::parse(code.get_ref())
                .map_err(|e| {
                    errors.push(
                        file.error_at(code.span(), e.message)
                            .with_key("local_government_code")
                            .with_hint(e.hint),
                    )
                })
                .ok()
        });
        if let Some(code) = &raw.local_government_code
            && non_empty(raw.publisher.clone()).is_none()
        {
            errors.push(
                file.error_at(
                    code.span(),
                    "全国地方公共団体コードは発行者のコードです。発行者（publisher）が書かれていません。",
                )
                .with_key("local_government_code")
                .with_hint("publisher = \"青森県\" のように発行者も書くか、local_government_code を消します。"),
            );
        }
        if raw.branding.logo.is_some() && non_empty(raw.branding.logo_alt.clone()).is_none() {
            errors.push(
                file.error("ロゴ（branding.logo）には、代わりの文字（branding.logo_alt）が必要です。")
                    .with_key("branding.logo_alt")
                    .with_hint("branding.logo_alt = \"青森県\" のように、ロゴが表すものを書きます（画像が見えない人のためです）。"),
            );
        }
        let editions = edition_settings(&file, raw.editions, &mut errors);
        match (budget_year, first_year, last_year) {
            (Some(budget_year), Some(first_year), Some(last_year)) if errors.is_empty() => {
                Ok(SiteConfig {
                    title: raw.title,
                    description: raw.description,
                    base_url: raw.base_url.map(|b| with_trailing_slash(b.get_ref())),
                    language: raw.language,
                    theme: raw.theme,
                    publisher: non_empty(raw.publisher),
                    local_government_code,
                    budget_year,
                    first_year,
                    last_year,
                    publish_inferred_years: raw.roadmap.publish_inferred_years,
                    current_year: current_year.flatten(),
                    source: SourceDocument {
                        title: raw.source.title,
                        author: non_empty(raw.source.author),
                        scope: non_empty(raw.source.scope),
                        url: raw.source.url.map(toml::Spanned::into_inner),
                    },
                    license: raw.license.map(|l| License {
                        name: l.name,
                        short_name: l.short_name,
                        url: l.url.into_inner(),
                    }),
                    contact: raw.contact.map(|c| Contact {
                        name: c.name,
                        url: c.url.map(toml::Spanned::into_inner),
                    }),
                    accessibility: raw.accessibility,
                    branding: Branding {
                        logo: raw.branding.logo.map(toml::Spanned::into_inner),
                        logo_alt: non_empty(raw.branding.logo_alt),
                        links: raw
                            .branding
                            .links
                            .into_iter()
                            .map(|l| HeaderLink {
                                name: l.name,
                                url: l.url.into_inner(),
                            })
                            .collect(),
                        footer: non_empty(raw.branding.footer),
                    },
                    updated: raw.updated.into_inner(),
                    allow_local_base_url: false,
                    editions,
                })
            }
            _ => Err(errors),
        }
    }

    /// Replaces the base URL (from `--base-url`), if it is an http or https URL.
    pub fn set_base_url(&mut self, url: &str) -> Result<(), UrlError> {
        web_url(url)?;
        self.base_url = Some(with_trailing_slash(url));
        Ok(())
    }

    /// The base URL, when it is a public one: not set, or an address of this computer
    /// (`localhost`, `127.0.0.1`, …), gives `None`. Canonical links, the sitemap and the feed need an
    /// absolute URL and are left out without one; a local address must never be published.
    pub fn public_base_url(&self) -> Option<&str> {
        self.base_url
            .as_deref()
            .filter(|url| self.allow_local_base_url || !is_local(url))
    }

    /// The site name as shown everywhere: the title, followed by the scope in brackets when the site
    /// covers only part of the source and the title does not name that part already (so that a total
    /// is never read as the whole document's).
    pub fn full_title(&self) -> String {
        match &self.source.scope {
            Some(scope) if !self.title.contains(scope.as_str()) => {
                format!("{}（{scope}）", self.title)
            }
            _ => self.title.clone(),
        }
    }

    /// The fiscal years of the roadmap's columns.
    pub fn roadmap_years(&self) -> Vec<FiscalYear> {
        FiscalYear::range(self.first_year, self.last_year).collect()
    }

    /// The settings of one edition's pages: its budget year is the edition's year; its roadmap
    /// columns start at the configured first year (or the edition's, if earlier) and end as many years
    /// after the edition's year as the configured ones do, unless `[editions.<code>]`
    /// gives `first_year`/`last_year`; its title and date are the edition's own when configured.
    /// Where no title is configured, the site's names that mention the configured budget year
    /// (「令和6年度」, also written 「令和６年度」) name the edition's year instead, so that an R7 page
    /// never calls itself R6's.
    pub fn for_edition(&self, code: &str, year: FiscalYear) -> SiteConfig {
        let settings = self.editions.get(code).cloned().unwrap_or_default();
        let span = self.last_year.western() - self.first_year.western();
        // The columns keep the configured first year, so a sheet copied from the previous edition
        // (its rows in that year) still fits; they end as many years after the edition's own year
        // as the configured ones do after theirs.
        let first_year = settings
            .first_year
            .unwrap_or_else(|| self.first_year.min(year));
        let last_year = settings
            .last_year
            .unwrap_or_else(|| FiscalYear::from_western(year.western() + span));
        let mut config = self.clone();
        // The names in config.toml are those of the configured edition (the one for
        // `budget_year`). Another edition's names are never guessed from them (the prefecture may
        // rename its document): without its own `[editions.<code>]` names, it gets plain ones
        // that say only what the folder says.
        let own = year == self.budget_year;
        config.title = match (&settings.title, own) {
            (Some(title), _) => title.clone(),
            (None, true) => self.title.clone(),
            (None, false) => format!("事業ロードマップ（{}版）", year.japanese()),
        };
        config.description = match (&settings.description, own) {
            (Some(description), _) => description.clone(),
            (None, true) => self.description.clone(),
            (None, false) => format!(
                "{}版の事業の内容・事業費・年次計画（ロードマップ）を、事業ごとに載せています。",
                year.japanese()
            ),
        };
        if !own {
            config.source.title = settings.source_title.clone().unwrap_or_else(|| {
                format!(
                    "{}版の元資料（資料名は設定されていません）",
                    year.japanese()
                )
            });
            config.source.author = settings.source_author.clone();
            config.source.url = settings.source_url.clone();
        } else {
            if let Some(title) = &settings.source_title {
                config.source.title = title.clone();
            }
            if let Some(author) = &settings.source_author {
                config.source.author = Some(author.clone());
            }
            if let Some(url) = &settings.source_url {
                config.source.url = Some(url.clone());
            }
        }
        config.budget_year = year;
        config.first_year = first_year;
        config.last_year = last_year;
        if let Some(published) = settings.published {
            config.updated = published;
        }
        config
    }
}

/// The error for a text of the configuration that holds a character nobody sees (a control
/// character but tab, one that takes no room or reorders text), at `key`.
fn hidden_character(file: &SourceFile, key: &str, text: &str) -> Option<Diagnostic> {
    let c = text
        .chars()
        .find(|&c| c != '\t' && crate::terminal::is_hidden(c))?;
    Some(
        file.error(format!(
            "「{key}」に見えない文字（U+{:04X}）があります。",
            u32::from(c)
        ))
        .with_key(key.to_string())
        .with_hint(crate::terminal::HIDDEN_HINT),
    )
}

/// Checks the `[editions.<code>]` tables: each code an edition folder's name, years and dates
/// valid.
fn edition_settings(
    file: &SourceFile,
    raw: BTreeMap<toml::Spanned<String>, RawEdition>,
    errors: &mut Vec<Diagnostic>,
) -> BTreeMap<String, EditionSettings> {
    let mut settings = BTreeMap::new();
    for (code, edition) in raw {
        let key = format!("editions.{}", code.get_ref());
        if crate::editions::year_of_code(code.get_ref()).is_none() {
            errors.push(
                file.error_at(
                    code.span(),
                    format!("[editions] の「{}」は年度版の名前ではありません。", code.get_ref()),
                )
                .with_key(key.clone())
                .with_hint("content/ の年度のフォルダの名前（[editions.r7] のように小文字の r か h と数字）を書きます。"),
            );
            continue;
        }
        let mut year = |value: &Option<toml::Spanned<String>>, name: &str| {
            value.as_ref().and_then(|value| {
                FiscalYear::parse(value.get_ref())
                    .map_err(|e| {
                        errors.push(
                            file.error_at(value.span(), e.message)
                                .with_key(format!("{key}.{name}"))
                                .with_optional_hint(e.hint),
                        )
                    })
                    .ok()
            })
        };
        let first_year = year(&edition.first_year, "first_year");
        let last_year = year(&edition.last_year, "last_year");
        if let (Some(first), Some(last), Some(span)) = (first_year, last_year, &edition.last_year)
            && first > last
        {
            errors.push(
                file.error_at(
                    span.span(),
                    "ロードマップの最後の列が最初の列より前の年度です。",
                )
                .with_key(format!("{key}.last_year")),
            );
        }
        for (name, text) in [
            ("title", &edition.title),
            ("description", &edition.description),
            ("source_title", &edition.source_title),
            ("source_author", &edition.source_author),
        ] {
            if let Some(text) = text {
                errors.extend(hidden_character(file, &format!("{key}.{name}"), text));
            }
        }
        if let Some(date) = &edition.published
            && !is_date(date.get_ref())
        {
            errors.push(
                file.error_at(
                    date.span(),
                    "日付は \"2026-11-25\" のように、年-月-日で書きます。",
                )
                .with_key(format!("{key}.published")),
            );
        }
        if let Some(url) = &edition.source_url
            && let Err(e) = web_url(url.get_ref())
        {
            errors.push(
                file.error_at(url.span(), e.0)
                    .with_key(format!("{key}.source_url")),
            );
        }
        settings.insert(
            code.into_inner(),
            EditionSettings {
                title: non_empty(edition.title),
                first_year,
                last_year,
                published: edition.published.map(toml::Spanned::into_inner),
                description: non_empty(edition.description),
                source_title: non_empty(edition.source_title),
                source_author: non_empty(edition.source_author),
                source_url: edition
                    .source_url
                    .map(toml::Spanned::into_inner)
                    .and_then(|url| non_empty(Some(url))),
            },
        );
    }
    settings
}

/// Checks that `url` is an absolute http or https URL with a host: nothing else (`javascript:`,
/// `file:`, a bare path) may become a link on every page.
pub fn web_url(url: &str) -> Result<(), UrlError> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| {
            UrlError(format!(
                "「{url}」は使えません。URLは http:// または https:// で始めます。"
            ))
        })?;
    let host = host_of(rest);
    let unsafe_char = url
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '"' | '<' | '>' | '`' | '\\'));
    if host.is_empty() || unsafe_char {
        return Err(UrlError(format!(
            "「{url}」はURLとして使えません（ホスト名がないか、空白や \" < > などの文字を含みます）。"
        )));
    }
    Ok(())
}

/// The host of the part of a URL after `scheme://`, without user, port or brackets.
fn host_of(rest: &str) -> &str {
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host_port = authority.rsplit('@').next().unwrap_or_default();
    if let Some(bracketed) = host_port.strip_prefix('[') {
        return bracketed.split(']').next().unwrap_or_default();
    }
    host_port.split(':').next().unwrap_or_default()
}

/// Whether a URL points at this computer: `localhost` (and `*.localhost`), the loopback addresses
/// (127.0.0.0/8, ::1) and the unspecified ones (0.0.0.0, ::).
pub fn is_local(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let host = host_of(rest).trim_end_matches('.').to_ascii_lowercase();
    if host == "localhost" || host.ends_with(".localhost") {
        return true;
    }
    match host.parse::<std::net::IpAddr>() {
        Ok(address) => address.is_loopback() || address.is_unspecified(),
        Err(_) => false,
    }
}

/// A setting left empty says nothing, as if it were not written.
fn non_empty(text: Option<String>) -> Option<String> {
    text.filter(|t| !t.trim().is_empty())
}

/// `YYYY-MM-DD`, a day that exists (no 2026-02-31; 29 February only in leap years).
pub(crate) fn is_date(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    let number = |s: &str, len: usize| {
        (s.len() == len && s.chars().all(|c| c.is_ascii_digit()))
            .then(|| s.parse::<u32>().ok())
            .flatten()
    };
    let [y, m, d] = parts.as_slice() else {
        return false;
    };
    let (Some(year), Some(month), Some(day)) = (number(y, 4), number(m, 2), number(d, 2)) else {
        return false;
    };
    let leap = (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&day)
}

/// A path of a file in the built site (`assets/logo.svg`): relative, without `..`, a scheme or
/// characters that would leave an attribute.
pub fn is_site_path(path: &str) -> bool {
    !path.is_empty()
        && !path.starts_with('/')
        && !path.contains("://")
        && !path.contains(':')
        && path.split('/').all(|part| !part.is_empty() && part != "..")
        && !path
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '"' | '<' | '>' | '\\'))
}

/// A theme is a folder directly under `themes/`: a plain name, never a path that leaves it.
fn is_theme_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
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

    /// The tables every config has, shared by the configs below.
    macro_rules! roadmap_and_source {
        () => {
            r#"[roadmap]
budget_year = "R6"
first_year = "R6"
last_year = "R10"
[source]
title = "s"
"#
        };
    }

    /// The keys every config has.
    macro_rules! required_keys {
        () => {
            r#"
title = "t"
description = "d"
language = "ja"
theme = "default"
updated = "2026-11-25"
"#
        };
    }

    /// Everything a config may set but the branding.
    const VALID: &str = concat!(
        required_keys!(),
        r#"base_url = "https://example.jp/roadmap"
publisher = "青森県"
"#,
        roadmap_and_source!(),
        r#"[license]
name = "公共データ利用規約（第1.0版）"
short_name = "PDL1.0"
url = "https://www.digital.go.jp/resources/open_data/public_data_license_v1.0"
"#
    );

    /// Only what a config must have: no base URL, publisher, licence or contact.
    const MINIMAL: &str = concat!(required_keys!(), roadmap_and_source!());

    #[test]
    fn a_valid_config_is_read() {
        let config = SiteConfig::parse(SourceFile::new(CONFIG_FILE, VALID.to_string()));
        let config = config.expect("valid config");
        assert_eq!(
            config.base_url.as_deref(),
            Some("https://example.jp/roadmap/")
        );
        assert_eq!(
            config.public_base_url(),
            Some("https://example.jp/roadmap/")
        );
        assert_eq!(config.roadmap_years().len(), 5);
        assert!(config.publish_inferred_years);
    }

    #[test]
    fn statements_not_configured_are_absent() {
        let config = SiteConfig::parse(SourceFile::new(CONFIG_FILE, MINIMAL.to_string()))
            .expect("minimal config");
        assert!(config.base_url.is_none());
        assert!(config.publisher.is_none());
        assert!(config.local_government_code.is_none());
        assert!(config.license.is_none());
        assert!(config.contact.is_none());
        assert!(config.accessibility.is_none());
        assert!(config.source.author.is_none() && config.source.url.is_none());
    }

    #[test]
    fn only_http_and_https_urls_are_accepted_everywhere() {
        for (key, text) in [
            (
                "license.url",
                VALID.replace(
                    "url = \"https://www.digital",
                    "url = \"javascript:alert(1)//www.digital",
                ),
            ),
            (
                "base_url",
                VALID.replace("https://example.jp/roadmap", "file:///etc/"),
            ),
            (
                "base_url",
                VALID.replace("https://example.jp/roadmap", "https://"),
            ),
            (
                "source.url",
                VALID.replace("title = \"s\"", "title = \"s\"\nurl = \"data:text/html,x\""),
            ),
            (
                "contact.url",
                format!("{MINIMAL}[contact]\nname = \"課\"\nurl = \"vbscript:x\"\n"),
            ),
        ] {
            let errors = SiteConfig::parse(SourceFile::new(CONFIG_FILE, text))
                .expect_err(&format!("{key} must be refused"));
            assert_eq!(errors.len(), 1, "{key}: {errors:?}");
            assert_eq!(errors[0].key.as_deref(), Some(key));
            assert!(errors[0].line() > 0, "{key} has a line");
        }
    }

    #[test]
    fn a_local_base_url_is_not_public() {
        for local in [
            "http://127.0.0.1:8000/",
            "http://localhost/",
            "http://LOCALHOST:3000/x/",
            "http://preview.localhost/",
            "http://[::1]:8000/",
            "http://0.0.0.0:8000/",
            "http://127.1.2.3/",
            "http://user@localhost/",
        ] {
            assert!(is_local(local), "{local}");
            let mut config = SiteConfig::parse(SourceFile::new(CONFIG_FILE, VALID.to_string()))
                .expect("valid config");
            config.set_base_url(local).expect("a valid URL");
            assert_eq!(config.public_base_url(), None, "{local}");
        }
        for public in [
            "https://example.jp/",
            "http://192.168.1.10/",
            "https://localhost.example.jp/",
        ] {
            assert!(!is_local(public), "{public}");
        }
        let mut config = SiteConfig::parse(SourceFile::new(CONFIG_FILE, VALID.to_string()))
            .expect("valid config");
        assert!(config.set_base_url("javascript:alert(1)").is_err());
        assert_eq!(
            config.public_base_url(),
            Some("https://example.jp/roadmap/")
        );
    }

    #[test]
    fn the_current_year_is_optional_and_checked() {
        let config = SiteConfig::parse(SourceFile::new(CONFIG_FILE, VALID.to_string()))
            .expect("valid config");
        assert_eq!(config.current_year, None);
        let text = VALID.replace(
            "last_year = \"R10\"",
            "last_year = \"R10\"\ncurrent_year = \"R8\"",
        );
        let config = SiteConfig::parse(SourceFile::new(CONFIG_FILE, text)).expect("valid config");
        assert_eq!(
            config.current_year.map(|y| y.code()),
            Some("R8".to_string())
        );
        let text = VALID.replace(
            "last_year = \"R10\"",
            "last_year = \"R10\"\ncurrent_year = \"今年\"",
        );
        let errors = SiteConfig::parse(SourceFile::new(CONFIG_FILE, text)).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].key.as_deref(), Some("roadmap.current_year"));
    }

    #[test]
    fn the_local_government_code_is_optional_and_its_check_digit_checked() {
        let config = SiteConfig::parse(SourceFile::new(CONFIG_FILE, VALID.to_string()))
            .expect("valid config");
        assert_eq!(config.local_government_code, None);
        let with_code = |code: &str| {
            VALID.replace(
                "publisher = \"青森県\"",
                &format!("publisher = \"青森県\"\nlocal_government_code = \"{code}\""),
            )
        };
        let config = SiteConfig::parse(SourceFile::new(CONFIG_FILE, with_code("020001")))
            .expect("valid config");
        assert_eq!(
            config.local_government_code.as_ref().map(|c| c.as_str()),
            Some("020001")
        );
        let text = with_code("020002");
        let line = text
            .lines()
            .position(|l| l.starts_with("local_government_code"))
            .map(|i| i + 1);
        let errors = SiteConfig::parse(SourceFile::new(CONFIG_FILE, text)).unwrap_err();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].key.as_deref(), Some("local_government_code"));
        assert_eq!(Some(errors[0].line()), line);
        assert!(errors[0].message.contains("検査数字"), "{}", errors[0]);
        assert!(
            errors[0].to_string().starts_with(CONFIG_FILE),
            "{}",
            errors[0]
        );
    }

    #[test]
    fn a_local_government_code_needs_a_publisher() {
        let text = VALID.replace(
            "publisher = \"青森県\"",
            "local_government_code = \"020001\"",
        );
        let errors = SiteConfig::parse(SourceFile::new(CONFIG_FILE, text)).unwrap_err();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].key.as_deref(), Some("local_government_code"));
        assert!(errors[0].message.contains("publisher"), "{}", errors[0]);
    }

    #[test]
    fn a_bad_year_is_reported_at_its_line() {
        let text = VALID.replace("last_year = \"R10\"", "last_year = \"R10年度\"");
        let errors = SiteConfig::parse(SourceFile::new(CONFIG_FILE, text)).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].key.as_deref(), Some("roadmap.last_year"));
        let line = VALID
            .lines()
            .position(|l| l.starts_with("last_year"))
            .map(|i| i + 1);
        assert_eq!(Some(errors[0].line()), line);
    }

    #[test]
    fn dates_must_exist() {
        for good in ["2026-11-25", "2024-02-29", "2000-02-29", "2026-12-31"] {
            assert!(is_date(good), "{good}");
        }
        for bad in [
            "2026-02-31",
            "2025-02-29",
            "1900-02-29",
            "2026-04-31",
            "2026-13-01",
            "2026-00-10",
            "26-11-25",
            "2026-11-25T00",
        ] {
            assert!(!is_date(bad), "{bad}");
        }
    }

    #[test]
    fn a_theme_outside_themes_and_hidden_characters_are_refused() {
        for theme in ["../../etc", "/tmp/x", "a/b", ".hidden", ""] {
            let text = VALID.replace("theme = \"default\"", &format!("theme = \"{theme}\""));
            let errors = SiteConfig::parse(SourceFile::new(CONFIG_FILE, text)).expect_err(theme);
            assert_eq!(errors[0].key.as_deref(), Some("theme"), "{theme}");
        }
        let text = VALID.replace("title = \"t\"", "title = \"t\\u001b[31m\"");
        let errors = SiteConfig::parse(SourceFile::new(CONFIG_FILE, text)).expect_err("escape");
        assert_eq!(errors[0].key.as_deref(), Some("title"));
    }

    #[test]
    fn an_unknown_key_is_an_error() {
        let text = VALID.replace("theme =", "themme =");
        let line = text
            .lines()
            .position(|l| l.starts_with("themme"))
            .map(|i| i + 1);
        let errors = SiteConfig::parse(SourceFile::new(CONFIG_FILE, text)).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(Some(errors[0].line()), line);
    }
}
