//! Problems found in the files the build reads, told so that a non-programmer can fix them.
//!
//! A diagnostic names the file (relative to the site root), the line and column in that file (not in
//! the front matter block), the key, what is wrong and how to fix it, and shows the offending line
//! with a marker under it. Messages are Japanese; keys keep their names.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use unicode_width::UnicodeWidthStr;

/// A text file as read, able to turn byte offsets into lines and columns.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path shown to editors, relative to the site root.
    pub display_path: PathBuf,
    pub text: String,
    /// Where each line starts, made when a diagnostic is first located in the file: most files
    /// are read without one.
    line_starts: std::sync::OnceLock<Vec<usize>>,
}

/// A place in a file: 1-based line and column (in characters), with the line's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub line: usize,
    pub column: usize,
    /// How many characters of the line the marker covers (at least 1).
    pub length: usize,
    pub source_line: String,
}

/// One problem in one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub path: PathBuf,
    pub location: Option<Location>,
    pub key: Option<String>,
    pub message: String,
    pub hint: Option<String>,
    pub severity: Severity,
}

/// Whether a diagnostic stops the build.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Something that cannot be published: `check` and `build` fail.
    Error,
    /// Something that looks wrong but may be right (a budget that looks like yen, a roadmap year
    /// after the project's end): printed, and the build goes on.
    Notice,
}

impl Severity {
    /// The word shown before the message.
    pub fn label(self) -> &'static str {
        match self {
            Severity::Error => "エラー",
            Severity::Notice => "お知らせ",
        }
    }
}

impl SourceFile {
    pub fn new(display_path: impl Into<PathBuf>, text: String) -> SourceFile {
        SourceFile {
            display_path: display_path.into(),
            text,
            line_starts: std::sync::OnceLock::new(),
        }
    }

    /// The location of a byte range of the text.
    pub fn locate(&self, span: Range<usize>) -> Location {
        let start = floor_char_boundary(&self.text, span.start.min(self.text.len()));
        let line_starts = self.line_starts.get_or_init(|| {
            std::iter::once(0)
                .chain(memchr::memchr_iter(b'\n', self.text.as_bytes()).map(|i| i + 1))
                .collect()
        });
        // The last line start at or before `start`; the first is 0, so there is always one.
        let line_index = line_starts
            .partition_point(|&line_start| line_start <= start)
            .saturating_sub(1);
        let line_start = line_starts.get(line_index).copied().unwrap_or(0);
        let line_end = self.text[line_start..]
            .find('\n')
            .map_or(self.text.len(), |i| line_start + i);
        let source_line = self.text[line_start..line_end].trim_end_matches('\r');
        let column = self.text[line_start..start].chars().count() + 1;
        let end = floor_char_boundary(&self.text, span.end.clamp(start, line_end));
        let length = self.text[start..end].chars().count().max(1);
        Location {
            line: line_index + 1,
            column,
            length,
            source_line: source_line.to_string(),
        }
    }

    /// A diagnostic at a byte range of this file.
    pub fn error_at(&self, span: Range<usize>, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            path: self.display_path.clone(),
            location: Some(self.locate(span)),
            key: None,
            message: message.into(),
            hint: None,
            severity: Severity::Error,
        }
    }

    /// A diagnostic about the whole file.
    pub fn error(&self, message: impl Into<String>) -> Diagnostic {
        Diagnostic::in_file(&self.display_path, message)
    }
}

impl Diagnostic {
    /// A diagnostic about a whole file, with no position.
    pub fn in_file(path: &Path, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            path: path.to_path_buf(),
            location: None,
            key: None,
            message: message.into(),
            hint: None,
            severity: Severity::Error,
        }
    }

    /// The same diagnostic as a notice, which does not stop the build.
    pub fn as_notice(mut self) -> Diagnostic {
        self.severity = Severity::Notice;
        self
    }

    pub fn with_key(mut self, key: impl Into<String>) -> Diagnostic {
        self.key = Some(key.into());
        self
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Diagnostic {
        self.hint = Some(hint.into());
        self
    }

    pub fn with_optional_hint(mut self, hint: Option<String>) -> Diagnostic {
        self.hint = hint;
        self
    }

    /// The line, or 0 when the problem concerns the whole file (used for sorting).
    pub fn line(&self) -> usize {
        self.location.as_ref().map_or(0, |l| l.line)
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some(location) = &self.location {
            write!(f, ":{}:{}", location.line, location.column)?;
        }
        write!(f, ": {}: ", self.severity.label())?;
        if let Some(key) = &self.key {
            write!(f, "[{key}] ")?;
        }
        writeln!(f, "{}", self.message)?;
        if let Some(location) = &self.location {
            write_excerpt(f, location)?;
        }
        if let Some(hint) = &self.hint {
            writeln!(f, "  直し方: {hint}")?;
        }
        Ok(())
    }
}

/// Writes the offending line with a marker under the columns concerned.
fn write_excerpt(f: &mut fmt::Formatter<'_>, location: &Location) -> fmt::Result {
    let number = location.line.to_string();
    let gutter = " ".repeat(number.len());
    let line = location.source_line.replace('\t', " ");
    // Widths of the line as it will be printed: hidden characters show as `\u{…}`.
    let before: String = line.chars().take(location.column - 1).collect();
    let marked: String = line
        .chars()
        .skip(location.column - 1)
        .take(location.length)
        .collect();
    let indent = " ".repeat(crate::terminal::visible(&before).width());
    let marker = "^".repeat(crate::terminal::visible(&marked).width().max(1));
    let line = crate::terminal::visible(&line);
    writeln!(f, "  {number} | {line}")?;
    writeln!(f, "  {gutter} | {indent}{marker}")
}

/// Notices as printed: those about the whole site or a whole file first, then those at a line; all
/// of them, or the first `limit` and a line saying how many more there are and how to see them (a
/// large site can have thousands, and a build should not drown its own report). One string, so
/// that it is written in one go.
pub fn notices_text(notices: &[Diagnostic], limit: Option<usize>) -> String {
    let mut ordered: Vec<&Diagnostic> = notices.iter().collect();
    ordered.sort_by_key(|n| n.location.is_some());
    let shown = limit.map_or(ordered.len(), |limit| limit.min(ordered.len()));
    let mut text: String = ordered[..shown].iter().map(ToString::to_string).collect();
    let more = notices.len() - shown;
    if more > 0 {
        text.push_str(&format!(
            "ほかにお知らせが {more} 件あります。すべては roadmap check で表示されます。\n"
        ));
    }
    text
}

/// Sorts diagnostics by file, then line, then column, so that reports read top to bottom.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        let column = |d: &Diagnostic| d.location.as_ref().map_or(0, |l| l.column);
        (&a.path, a.line(), column(a), &a.message).cmp(&(&b.path, b.line(), column(b), &b.message))
    });
}

/// The closest of `candidates` to `found`, if it is close enough to be a likely typo.
pub fn suggest<'a>(found: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (found.chars().count() / 3).max(1) + 1;
    candidates
        .into_iter()
        .map(|c| (edit_distance(found, c), c))
        .filter(|(d, c)| *d <= limit || (c.contains(found) && !found.is_empty()))
        .min_by_key(|(d, c)| (*d, *c))
        .map(|(_, c)| c)
}

/// Levenshtein distance in characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

fn floor_char_boundary(text: &str, mut index: usize) -> usize {
    while index > 0 && !text.is_char_boundary(index) {
        index -= 1;
    }
    index
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locate_counts_lines_and_characters() {
        let file = SourceFile::new("a.md", "+++\nname = \"事業\"\nbudjet = 1\n".to_string());
        let offset = file.text.find("budjet").unwrap_or(0);
        let location = file.locate(offset..offset + 6);
        assert_eq!((location.line, location.column, location.length), (3, 1, 6));
        let offset = file.text.find('"').unwrap_or(0);
        let location = file.locate(offset + 1..offset + 7);
        assert_eq!((location.line, location.column, location.length), (2, 9, 2));
    }

    #[test]
    fn locate_ignores_carriage_returns() {
        let file = SourceFile::new("a.md", "a\r\nbb = 1\r\n".to_string());
        let location = file.locate(3..5);
        assert_eq!(location.source_line, "bb = 1");
        assert_eq!(location.line, 2);
    }

    #[test]
    fn display_marks_the_offending_text() {
        let file = SourceFile::new("content/a.md", "+++\nbudget = \"4,202\"\n".to_string());
        let diagnostic = file
            .error_at(13..20, "整数が必要です。")
            .with_key("budget")
            .with_hint("budget = 4202");
        let shown = diagnostic.to_string();
        assert!(shown.starts_with("content/a.md:2:10: エラー: [budget] 整数が必要です。"));
        assert!(shown.contains("  2 | budget = \"4,202\"\n    |          ^^^^^^^\n"));
        assert!(shown.contains("直し方: budget = 4202"));
    }

    #[test]
    fn notices_about_the_whole_site_come_first_and_a_limit_says_how_many_more() {
        let file = SourceFile::new("content/a.md", "+++\nbudget = 1\n".to_string());
        let at_line = |n: usize| file.error_at(4..10, format!("行{n}")).as_notice();
        let whole = Diagnostic::in_file(Path::new("content"), "全体").as_notice();
        let notices = vec![at_line(1), at_line(2), whole, at_line(3)];
        let text = notices_text(&notices, Some(2));
        assert!(text.starts_with("content: お知らせ: 全体"), "{text}");
        assert!(text.contains("行1") && !text.contains("行2"), "{text}");
        assert!(
            text.ends_with(
                "ほかにお知らせが 2 件あります。すべては roadmap check で表示されます。\n"
            )
        );
        assert_eq!(notices_text(&notices, None).matches("お知らせ:").count(), 4);
    }

    #[test]
    fn suggestions_find_near_misses_only() {
        let keys = ["budget", "name", "start", "end"];
        assert_eq!(suggest("budjet", keys), Some("budget"));
        assert_eq!(suggest("nmae", keys), Some("name"));
        assert_eq!(suggest("overview", keys), None);
        assert_eq!(
            suggest("医療福祉", ["医療・福祉", "子育て"]),
            Some("医療・福祉")
        );
    }
}
