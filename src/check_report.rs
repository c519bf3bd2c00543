//! `roadmap check --format …`: the diagnostics in forms a CI reads, so that a change request shows
//! each problem at its line. The schemas are documented in docs/errors.md (「CI で使う形式」).
//!
//! - `json`: one array of objects `{file, line, column, key, severity, message, hint}`.
//! - `github`: GitHub Actions workflow commands, `::error file=…,line=…,col=…,title=…::message`.
//! - `gitlab`: a GitLab Code Quality report (an array of `{description, check_name, fingerprint,
//!   severity, location: {path, lines: {begin}}}`).
//!
//! Paths are made relative to the current folder when the file is inside it (a CI runs at the top
//! of the checkout, which is what GitHub and GitLab expect), else they are the site root joined with
//! the path in the site.

use std::path::{Component, Path, PathBuf};

use serde::Serialize;

use crate::diagnostics::{Diagnostic, Severity};
use crate::pipeline::{CheckReport, Failure, THEMES_DIR};

/// How `check` reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// For people: the file, line, the offending line with a marker, and how to fix it.
    Human,
    /// One JSON array of diagnostics.
    Json,
    /// GitHub Actions workflow commands (annotations).
    Github,
    /// A GitLab Code Quality report.
    Gitlab,
}

/// The report of `diagnostics` (errors and notices) found in the site at `root`, in a machine
/// format. `Human` gives an empty string: people get the usual text on standard error.
pub fn render(format: Format, diagnostics: &[Diagnostic], root: &Path) -> String {
    let here = std::env::current_dir().ok();
    let path_of = |d: &Diagnostic| report_path(root, &d.path, here.as_deref());
    match format {
        Format::Human => String::new(),
        Format::Json => {
            let entries: Vec<JsonDiagnostic> = diagnostics
                .iter()
                .map(|d| JsonDiagnostic {
                    file: path_of(d),
                    line: d.location.as_ref().map(|l| l.line),
                    column: d.location.as_ref().map(|l| l.column),
                    key: d.key.as_deref(),
                    severity: severity_name(d.severity),
                    message: &d.message,
                    hint: d.hint.as_deref(),
                })
                .collect();
            to_json(&entries)
        }
        Format::Github => diagnostics
            .iter()
            .map(|d| github_command(d, &path_of(d)))
            .collect(),
        Format::Gitlab => {
            let entries: Vec<CodeQuality> = diagnostics
                .iter()
                .map(|d| {
                    let path = path_of(d);
                    let line = d.line().max(1);
                    CodeQuality {
                        description: description(d),
                        check_name: check_name(d),
                        fingerprint: fingerprint(&[
                            &path,
                            &line.to_string(),
                            d.key.as_deref().unwrap_or(""),
                            &d.message,
                        ]),
                        severity: match d.severity {
                            Severity::Error => "major",
                            Severity::Notice => "info",
                        },
                        location: CodeQualityLocation {
                            path,
                            lines: CodeQualityLines { begin: line },
                        },
                    }
                })
                .collect();
            to_json(&entries)
        }
    }
}

/// What a machine format reports of a check: its notices when it passed, its errors when the
/// content or the theme is wrong; `None` when the check did not run (no site, a write failure),
/// which only the message on standard error and the exit status tell.
pub fn diagnostics_of(result: &Result<CheckReport, Failure>) -> Option<Vec<Diagnostic>> {
    match result {
        Ok(report) => Some(report.notices.clone()),
        Err(Failure::Content(diagnostics)) => Some(diagnostics.clone()),
        Err(failure @ Failure::Theme(_)) => Some(vec![Diagnostic::in_file(
            Path::new(THEMES_DIR),
            failure.to_string(),
        )]),
        Err(_) => None,
    }
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    file: String,
    line: Option<usize>,
    column: Option<usize>,
    key: Option<&'a str>,
    severity: &'static str,
    message: &'a str,
    hint: Option<&'a str>,
}

#[derive(Serialize)]
struct CodeQuality {
    description: String,
    check_name: String,
    fingerprint: String,
    severity: &'static str,
    location: CodeQualityLocation,
}

#[derive(Serialize)]
struct CodeQualityLocation {
    path: String,
    lines: CodeQualityLines,
}

#[derive(Serialize)]
struct CodeQualityLines {
    begin: usize,
}

/// Pretty JSON with a final line break. Serialising these plain structs cannot fail; should it,
/// the report is an empty array rather than a panic.
fn to_json<T: Serialize>(value: &T) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_else(|_| "[]".to_string());
    text.push('\n');
    text
}

fn severity_name(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Notice => "notice",
    }
}

/// The message, and how to fix it when known, in one text.
fn description(d: &Diagnostic) -> String {
    let key = d
        .key
        .as_ref()
        .map(|k| format!("[{k}] "))
        .unwrap_or_default();
    match &d.hint {
        Some(hint) => format!("{key}{}\n直し方: {hint}", d.message),
        None => format!("{key}{}", d.message),
    }
}

/// The rule a diagnostic belongs to: `roadmap/<key>`, or `roadmap` when it concerns no key.
fn check_name(d: &Diagnostic) -> String {
    match &d.key {
        Some(key) => format!("roadmap/{key}"),
        None => "roadmap".to_string(),
    }
}

/// One GitHub Actions workflow command: `::error` for errors, `::notice` for notices.
fn github_command(d: &Diagnostic, path: &str) -> String {
    let command = match d.severity {
        Severity::Error => "error",
        Severity::Notice => "notice",
    };
    let mut properties = vec![format!("file={}", escape_property(path))];
    if let Some(location) = &d.location {
        properties.push(format!("line={}", location.line));
        properties.push(format!("col={}", location.column));
    }
    let title = match &d.key {
        Some(key) => format!("roadmap check [{key}]"),
        None => "roadmap check".to_string(),
    };
    properties.push(format!("title={}", escape_property(&title)));
    format!(
        "::{command} {}::{}\n",
        properties.join(","),
        escape_data(&description(d))
    )
}

/// A workflow command's message: `%`, CR and LF are written as `%25`, `%0D` and `%0A`.
pub fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A workflow command's property value: as [`escape_data`], and `:` and `,` as `%3A` and `%2C`.
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// A stable fingerprint of the parts (FNV-1a, 64 bits, twice with different bases, in hex):
/// the same problem at the same place gets the same fingerprint on every run and machine, so that
/// GitLab can tell new problems from those already on the target branch.
fn fingerprint(parts: &[&str]) -> String {
    let hash = |basis: u64| {
        let mut hash = basis;
        for part in parts {
            for byte in part.bytes().chain(std::iter::once(0)) {
                hash ^= u64::from(byte);
                hash = hash.wrapping_mul(0x0100_0000_01b3);
            }
        }
        hash
    };
    format!(
        "{:016x}{:016x}",
        hash(0xcbf2_9ce4_8422_2325),
        hash(0x6c62_272e_07bb_0142)
    )
}

/// The path of a file of the site as a CI names it: relative to `here` when inside it, with `/`.
fn report_path(root: &Path, in_site: &Path, here: Option<&Path>) -> String {
    let full: PathBuf = root
        .join(in_site)
        .components()
        .filter(|c| !matches!(c, Component::CurDir))
        .collect();
    let shown = match here {
        Some(here) if full.is_absolute() => full.strip_prefix(here).unwrap_or(&full),
        _ => &full,
    };
    let text = shown.to_string_lossy();
    if std::path::MAIN_SEPARATOR == '\\' {
        text.replace('\\', "/")
    } else {
        text.into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::SourceFile;

    fn budget_error() -> Diagnostic {
        let file = SourceFile::new("content/a.md", "+++\nbudget = \"4,202\"\n".to_string());
        file.error_at(13..20, "整数が必要です。")
            .with_key("budget")
            .with_hint("100% の値で\n2行")
    }

    #[test]
    fn github_commands_escape_what_github_reads() {
        let text = render(Format::Github, &[budget_error()], Path::new("."));
        assert_eq!(
            text,
            "::error file=content/a.md,line=2,col=10,title=roadmap check [budget]::[budget] 整数が必要です。%0A直し方: 100%25 の値で%0A2行\n"
        );
        assert_eq!(escape_property("a:b,c%\r\n"), "a%3Ab%2Cc%25%0D%0A");
    }

    #[test]
    fn json_has_one_object_per_diagnostic() -> Result<(), serde_json::Error> {
        let notice = Diagnostic::in_file(Path::new("content"), "全体").as_notice();
        let text = render(Format::Json, &[budget_error(), notice], Path::new("site"));
        let value: serde_json::Value = serde_json::from_str(&text)?;
        assert_eq!(value[0]["file"], "site/content/a.md");
        assert_eq!(value[0]["line"], 2);
        assert_eq!(value[0]["column"], 10);
        assert_eq!(value[0]["key"], "budget");
        assert_eq!(value[0]["severity"], "error");
        assert_eq!(value[1]["line"], serde_json::Value::Null);
        assert_eq!(value[1]["severity"], "notice");
        Ok(())
    }

    #[test]
    fn gitlab_fingerprints_are_stable_and_distinct() -> Result<(), serde_json::Error> {
        let other = Diagnostic::in_file(Path::new("content/b.md"), "別");
        let text = render(Format::Gitlab, &[budget_error(), other], Path::new("."));
        let value: serde_json::Value = serde_json::from_str(&text)?;
        assert_eq!(value[0]["location"]["path"], "content/a.md");
        assert_eq!(value[0]["location"]["lines"]["begin"], 2);
        assert_eq!(value[1]["location"]["lines"]["begin"], 1);
        assert_eq!(value[0]["check_name"], "roadmap/budget");
        assert_ne!(value[0]["fingerprint"], value[1]["fingerprint"]);
        let again = render(Format::Gitlab, &[budget_error()], Path::new("."));
        let again: serde_json::Value = serde_json::from_str(&again)?;
        assert_eq!(value[0]["fingerprint"], again[0]["fingerprint"]);
        // Pinned: a fingerprint that changed would make GitLab see every problem as new.
        assert_eq!(fingerprint(&["a"]), "089be207b544f1e438af18b0113b379b");
        Ok(())
    }

    #[test]
    fn paths_inside_the_current_folder_are_relative() {
        let here = Path::new("/work/site");
        assert_eq!(
            report_path(
                Path::new("/work/site"),
                Path::new("content/a.md"),
                Some(here)
            ),
            "content/a.md"
        );
        assert_eq!(
            report_path(
                Path::new("/elsewhere"),
                Path::new("content/a.md"),
                Some(here)
            ),
            "/elsewhere/content/a.md"
        );
        assert_eq!(
            report_path(Path::new("."), Path::new("config.toml"), Some(here)),
            "config.toml"
        );
    }
}
