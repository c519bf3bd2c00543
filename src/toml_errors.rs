//! Turns the `toml` crate's errors into diagnostics with a file position and Japanese text.
//!
//! The crate's messages are English; editors get a Japanese sentence and the original detail.

use crate::diagnostics::{Diagnostic, SourceFile};

/// A diagnostic for a TOML error in `file`, whose TOML text starts at byte `offset` of the file.
pub fn to_diagnostic(file: &SourceFile, offset: usize, error: &toml::de::Error) -> Diagnostic {
    let detail = error.message().trim();
    let message = translate(detail);
    match error.span() {
        Some(span) => file.error_at(span.start + offset..span.end + offset, message),
        None => file.error(message),
    }
}

/// Japanese wording for the errors editors meet most; the original text follows in brackets.
fn translate(detail: &str) -> String {
    let known = [
        ("unknown field", "使えないキーです。"),
        ("missing field", "必要なキーがありません。"),
        ("duplicate key", "同じキーが2回書かれています。"),
        ("invalid type", "値の種類が違います。"),
        ("invalid string", "文字の書き方が正しくありません。"),
        ("unclosed", "閉じられていない文字・括弧があります。"),
        ("invalid basic string", "文字の書き方が正しくありません。"),
        ("expected", "TOMLの書式として読めません。"),
        ("invalid", "TOMLの書式として読めません。"),
    ];
    let japanese = known
        .iter()
        .find(|(english, _)| detail.contains(english))
        .map_or("TOMLの書式として読めません。", |(_, japanese)| japanese);
    format!("{japanese}（{detail}）")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_errors_get_a_position_in_the_file() {
        let file = SourceFile::new("c.toml", "a = 1\nb = \"open\n".to_string());
        let error = toml::from_str::<toml::Table>(&file.text).unwrap_err();
        let diagnostic = to_diagnostic(&file, 0, &error);
        assert_eq!(diagnostic.line(), 2);
        assert!(diagnostic.message.contains("（"));
    }
}
