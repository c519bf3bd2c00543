//! Lines for the person at the terminal. `println!` panics when standard output is a closed pipe or
//! a full disk (exit 101, after the site was written); here a failed write is remembered instead, and
//! `main` reports it once, in Japanese, with the exit status of a failed write.
//!
//! Standard error is coloured on a terminal (エラー red, お知らせ and 注意 yellow, the file and line
//! bold), and never when `NO_COLOR` is set to anything or when it is not a terminal (a pipe, a file,
//! a CI log): [`anstream`] decides and strips the styles, following <https://no-color.org>.
//! `--quiet` ([`set_quiet`]) leaves only errors.

use std::borrow::Cow;
use std::io::{self, Write};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

use anstyle::{AnsiColor, Style};

/// The first write to standard output that failed.
static STDOUT_FAILURE: OnceLock<io::ErrorKind> = OnceLock::new();

/// Set by `--quiet`: only errors are printed.
static QUIET: AtomicBool = AtomicBool::new(false);

/// From now on, print only errors: no progress, notices, cautions or summary lines.
pub fn set_quiet(quiet: bool) {
    QUIET.store(quiet, Ordering::Relaxed);
}

/// Whether `--quiet` was given.
pub fn is_quiet() -> bool {
    QUIET.load(Ordering::Relaxed)
}

/// Writes a line to standard output (not with `--quiet`).
pub fn say(line: &str) {
    if is_quiet() {
        return;
    }
    say_always(line);
}

/// Writes a line to standard output even with `--quiet`: what was asked for, such as a report in
/// a machine format or a completion script.
pub fn say_always(line: &str) {
    let mut out = io::stdout().lock();
    if let Err(e) = writeln!(out, "{}", visible(line)).and_then(|()| out.flush()) {
        let _ = STDOUT_FAILURE.set(e.kind());
    }
}

/// Writes bytes to standard output as they are (a completion script), remembering a failure.
pub fn write_raw(bytes: &[u8]) {
    let mut out = io::stdout().lock();
    if let Err(e) = out.write_all(bytes).and_then(|()| out.flush()) {
        let _ = STDOUT_FAILURE.set(e.kind());
    }
}

/// Writes an error report (diagnostics, or what went wrong) to standard error, coloured on a
/// terminal. Printed even with `--quiet`. If even that fails there is no one left to tell.
pub fn warn(text: &str) {
    let text = visible(text);
    let mut err = anstream::stderr().lock();
    if colour_on_stderr() {
        let _ = writeln!(err, "{}", paint(&text));
    } else {
        let _ = writeln!(err, "{text}");
    }
}

/// Writes one line that says what failed, after 「エラー: 」 (red on a terminal).
pub fn error(line: &str) {
    warn(&format!("{ERROR_LABEL}: {line}"));
}

/// Writes notices or cautions to standard error (yellow labels on a terminal); not with `--quiet`.
pub fn notice(text: &str) {
    if !is_quiet() {
        warn(text);
    }
}

/// Whether styles written to standard error reach a colour terminal.
fn colour_on_stderr() -> bool {
    anstream::AutoStream::choice(&io::stderr()) != anstream::ColorChoice::Never
}

const ERROR_LABEL: &str = "エラー";
const NOTICE_LABEL: &str = "お知らせ";
const CAUTION_LABEL: &str = "注意";
const HINT_LABEL: &str = "直し方";

const RED: Style = AnsiColor::Red.on_default().bold();
const YELLOW: Style = AnsiColor::Yellow.on_default().bold();
const BOLD: Style = Style::new().bold();
const CYAN: Style = AnsiColor::Cyan.on_default();

/// Text as printed by [`warn`], with styles: a diagnostic's `file:line:column: エラー:` head (place
/// bold, label red; お知らせ yellow), its `^^^` marker in the same colour, 「直し方」, and lines
/// that begin with エラー: or 注意:. Other lines are left as they are.
pub fn paint(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    let mut colour = RED;
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&paint_line(line, &mut colour));
    }
    out
}

/// One line of [`paint`]; `colour` is that of the diagnostic the line belongs to.
fn paint_line(line: &str, colour: &mut Style) -> String {
    for (label, style) in [
        (ERROR_LABEL, RED),
        (NOTICE_LABEL, YELLOW),
        (CAUTION_LABEL, YELLOW),
    ] {
        if let Some(rest) = line.strip_prefix(&format!("{label}: ")) {
            *colour = style;
            return format!("{style}{label}{style:#}: {rest}");
        }
        if line.starts_with(' ') {
            continue;
        }
        if let Some(at) = line.find(&format!(": {label}: ")) {
            *colour = style;
            let (place, rest) = line.split_at(at);
            let rest = &rest[label.len() + 4..];
            return format!("{BOLD}{place}{BOLD:#}: {style}{label}{style:#}: {rest}");
        }
    }
    if let Some(rest) = line.strip_prefix(&format!("  {HINT_LABEL}: ")) {
        return format!("  {CYAN}{HINT_LABEL}{CYAN:#}: {rest}");
    }
    // The marker line of an excerpt: `  <gutter> | <indent>^^^`.
    if let Some((gutter, marker)) = line.split_once(" | ")
        && line.starts_with("  ")
        && gutter.trim().is_empty()
        && marker.trim_start().starts_with('^')
        && marker.trim().chars().all(|c| c == '^')
    {
        let indent = marker.len() - marker.trim_start().len();
        let carets = marker.trim();
        return format!("{gutter} | {}{colour}{carets}{colour:#}", &marker[..indent]);
    }
    line.to_string()
}

/// Text made safe to print: control characters (an escape sequence in a content file could
/// recolour or rewrite the terminal), invisible characters and bidirectional overrides (which
/// could make a message read as something else) are shown as `\u{…}`. Line breaks stay.
pub fn visible(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_hidden) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_hidden(c) {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// What an error about a character found by [`is_hidden`] tells the editor to do.
pub const HIDDEN_HINT: &str =
    "コピーしたときに紛れ込んだ制御文字や幅のない文字です。その文字を消してください。";

/// Characters that do not show as themselves: controls but the line break, format characters
/// that take no room, and the marks that reorder text.
pub fn is_hidden(c: char) -> bool {
    (c.is_control() && c != '\n')
        || matches!(c,
            '\u{00AD}'
            | '\u{061C}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{FEFF}'
            | '\u{FFF9}'..='\u{FFFB}')
}

/// How writing to standard output failed, if it did. A closed pipe (`roadmap check | head -1`) is
/// the reader's choice, not a failure.
pub fn stdout_failure() -> Option<io::ErrorKind> {
    STDOUT_FAILURE
        .get()
        .copied()
        .filter(|&kind| kind != io::ErrorKind::BrokenPipe)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_invisible_marks_are_shown_not_obeyed() {
        assert_eq!(visible("事業\u{1b}[31m赤"), "事業\\u{1b}[31m赤");
        assert_eq!(visible("a\u{202E}b\u{200B}c"), "a\\u{202e}b\\u{200b}c");
        assert_eq!(visible("行1\n行2\t"), "行1\n行2\\u{9}");
        assert!(matches!(visible("普通の文"), Cow::Borrowed(_)));
    }

    #[test]
    fn paint_colours_labels_places_and_markers_only() {
        let text = "content/a.md:2:10: エラー: [budget] 整数が必要です。\n  2 | budget = \"4,202\"\n    |          ^^^^^^^\n  直し方: budget = 4202";
        let painted = paint(text);
        assert!(painted.starts_with(&format!(
            "{BOLD}content/a.md:2:10{BOLD:#}: {RED}エラー{RED:#}: [budget]"
        )));
        assert!(painted.contains(&format!("    |          {RED}^^^^^^^{RED:#}")));
        assert!(painted.contains(&format!("  {CYAN}直し方{CYAN:#}: budget")));
        assert!(painted.contains("  2 | budget = \"4,202\"\n"));
        let notice = paint("content: お知らせ: 全体\n    |   ^");
        assert!(notice.contains(&format!("{YELLOW}お知らせ{YELLOW:#}")));
        assert!(notice.ends_with(&format!("{YELLOW}^{YELLOW:#}")));
        assert_eq!(paint("普通の行"), "普通の行");
        assert!(paint("注意: 外から見えます").starts_with(&format!("{YELLOW}注意")));
    }
}
