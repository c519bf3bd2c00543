//! Lines for the person at the terminal. `println!` panics when standard output is a closed pipe or
//! a full disk (exit 101, after the site was written); here a failed write is remembered instead, and
//! `main` reports it once, in Japanese, with the exit status of a failed write.

use std::borrow::Cow;
use std::io::{self, Write};
use std::sync::OnceLock;

/// The first write to standard output that failed.
static STDOUT_FAILURE: OnceLock<io::ErrorKind> = OnceLock::new();

/// Writes a line to standard output.
pub fn say(line: &str) {
    let mut out = io::stdout().lock();
    if let Err(e) = writeln!(out, "{}", visible(line)).and_then(|()| out.flush()) {
        let _ = STDOUT_FAILURE.set(e.kind());
    }
}

/// Writes a line to standard error; if even that fails there is no one left to tell.
pub fn warn(line: &str) {
    let _ = writeln!(io::stderr().lock(), "{}", visible(line));
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
}
