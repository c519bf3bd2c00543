//! Turns the `toml` crate's errors into diagnostics with a file position and Japanese text.
//!
//! The crate's messages are English; editors get a Japanese sentence and the original detail. The
//! crate exposes a message and a span but no error kind, so the sentence is chosen by the English
//! text: `every_translated_message_is_pinned` fails if an upgrade of `toml` changes that text, so a
//! new wording is noticed before staff see the generic sentence.

use crate::diagnostics::{Diagnostic, SourceFile};

/// A diagnostic for a TOML error in `file`, whose TOML text starts at byte `offset` of the file.
pub fn to_diagnostic(file: &SourceFile, offset: usize, error: &toml::de::Error) -> Diagnostic {
    diagnostic_at(file, offset, error.span(), error.message())
}

/// A diagnostic for the parser's message `detail` at `span` of the TOML text (which starts at byte
/// `offset` of the file): a Japanese sentence, the key of the line and a fix guessed from the line.
/// The parser's English text is not shown.
pub fn diagnostic_at(
    file: &SourceFile,
    offset: usize,
    span: Option<std::ops::Range<usize>>,
    detail: &str,
) -> Diagnostic {
    let message = translate(detail.trim());
    let diagnostic = match span {
        Some(span) => file.error_at(span.start + offset..span.end + offset, message),
        None => file.error(message),
    };
    let line = diagnostic.location.as_ref().map(|l| l.source_line.clone());
    let hint = line
        .as_deref()
        .and_then(hint_for_line)
        .or_else(|| unknown_key_hint(detail));
    let diagnostic = diagnostic.with_optional_hint(hint);
    match line.as_deref().and_then(key_of_line) {
        Some(key) => diagnostic.with_key(key),
        None => diagnostic,
    }
}

/// For serde's 「unknown field `curent_year`, expected one of `budget_year`, …」: the nearest usable
/// key, or the usable keys when none is near.
fn unknown_key_hint(detail: &str) -> Option<String> {
    let rest = detail.split_once("unknown field")?.1;
    let names: Vec<&str> = rest.split('`').skip(1).step_by(2).collect();
    let (found, expected) = names.split_first()?;
    if expected.is_empty() {
        return None;
    }
    Some(
        match crate::diagnostics::suggest(found, expected.iter().copied()) {
            Some(near) => format!(
                "{near} の書き間違いなら、{near} に直します（使えるキー: {}）。",
                expected.join("、")
            ),
            None => format!(
                "使えるキーは {} です。要らない行なら消します。",
                expected.join("、")
            ),
        },
    )
}

/// The bare key a `key = value` line assigns, if any.
fn key_of_line(line: &str) -> Option<String> {
    let (key, _) = line.split_once(['=', '＝'])?;
    let key = key.trim();
    let bare = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    bare.then(|| key.to_string())
}

/// A fix for the mistakes editors make when pasting from Excel or Word, guessed from the line.
fn hint_for_line(line: &str) -> Option<String> {
    let value = line.split_once(['=', '＝']).map_or(line, |(_, v)| v).trim();
    if line.contains('＝') {
        return Some("「=」は半角で書きます。".to_string());
    }
    if value.chars().any(|c| ('０'..='９').contains(&c)) {
        let half = crate::fiscal_year::to_half_width(value).replace([',', '，'], "");
        return Some(format!(
            "数字は半角で、カンマを付けずに書きます（例: {half}）。"
        ));
    }
    if value.contains(['“', '”', '「']) && !value.starts_with('"') {
        return Some("文字は半角の \" で囲みます（“ ” や「 」は使えません）。".to_string());
    }
    let digits_and_commas = !value.is_empty()
        && value.chars().all(|c| c.is_ascii_digit() || c == ',')
        && value.contains(',');
    if digits_and_commas {
        return Some(format!(
            "数字にカンマは付けません（例: {}）。",
            value.replace(',', "")
        ));
    }
    if !value.is_empty()
        && !value.starts_with(['"', '\'', '[', '{', '-', '+'])
        && !value.chars().next().is_some_and(|c| c.is_ascii_digit())
        && value != "true"
        && value != "false"
    {
        return Some(format!("文字は \" で囲みます（例: \"{value}\"）。"));
    }
    None
}

/// Japanese wording for the parser's errors. The crate gives no error kind, so the sentence is
/// chosen by the English text; anything unknown gets a general sentence, never the English.
fn translate(detail: &str) -> String {
    let known = [
        ("invalid basic string", "文字の終わりの \" がありません。"),
        ("invalid literal string", "文字の終わりの ' がありません。"),
        (
            "invalid multi-line",
            "何行にもわたる文章を閉じる \"\"\" がありません。",
        ),
        (
            "missing escaped value",
            "文字の中の \\ の後ろが読めません。",
        ),
        (
            "string values must be quoted",
            "文字は \" で囲む必要があります。",
        ),
        ("expected newline", "行の途中に読めない文字があります。"),
        ("unknown field", "使えないキーです。"),
        ("missing field", "必要なキーがありません。"),
        ("duplicate key", "同じキーが2回書かれています。"),
        ("invalid type", "値の種類が違います。"),
        ("invalid string", "文字の書き方が正しくありません。"),
        ("unclosed array", "[ を閉じる ] がありません。"),
        ("unclosed inline table", "{ を閉じる } がありません。"),
        ("unclosed", "閉じられていない括弧があります。"),
        ("missing comma", "並べた値の間に , がありません。"),
        ("extra comma", ", が多すぎます。"),
        (
            "invalid unquoted key",
            "キーは半角の英字・数字・_ で書きます。",
        ),
        ("key with no value", "キーの後ろに = と値がありません。"),
        ("missing assignment", "キーの後ろに = がありません。"),
        ("missing value", "= の後ろに値がありません。"),
        ("extra `=`", "= が多すぎます。"),
        ("invalid float", "数として読めません。"),
        ("invalid integer", "数として読めません。"),
        ("unexpected leading zero", "数の頭に 0 は付けません。"),
        ("invalid date", "日付・時刻として読めません。"),
        ("invalid table", "[ ] の行が読めません。"),
        ("unexpected", "ここに読めない文字があります。"),
        ("expected", "この行は事業ファイルの書き方として読めません。"),
        ("invalid", "この行は事業ファイルの書き方として読めません。"),
    ];
    known
        .iter()
        .find(|(english, _)| detail.contains(english))
        .map_or(
            "この行は事業ファイルの書き方として読めません。",
            |(_, japanese)| japanese,
        )
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_key_is_answered_with_the_nearest_usable_one() {
        #[derive(Debug, serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct Roadmap {
            budget_year: Option<String>,
            current_year: Option<String>,
        }
        let error = toml::from_str::<Roadmap>("curent_year = \"R8\"\n").expect_err("unknown");
        let hint = unknown_key_hint(error.message()).unwrap_or_default();
        assert!(hint.starts_with("current_year の書き間違いなら"), "{hint}");
        assert!(!hint.contains('`'), "{hint}");
        let error = toml::from_str::<Roadmap>("zzz = 1\n").expect_err("unknown");
        let hint = unknown_key_hint(error.message()).unwrap_or_default();
        assert_eq!(
            hint,
            "使えるキーは budget_year、current_year です。要らない行なら消します。"
        );
    }

    #[test]
    fn pasted_spellings_get_a_hint() {
        let hint = |line: &str| hint_for_line(line).unwrap_or_default();
        assert!(hint("budget = ４２０２").contains("例: 4202"));
        assert!(hint("budget = ４，２０２").contains("例: 4202"));
        assert!(hint("budget = 4,202").contains("例: 4202"));
        assert!(hint("name ＝ \"x\"").contains("半角"));
        assert!(hint("name = “事業”").contains("\""));
        assert!(hint("category = 医療・福祉").contains("\"医療・福祉\""));
        assert_eq!(hint_for_line("budget = 4202"), None);
    }

    /// One input for each English message we translate, with the sentence it must get. When the
    /// `toml` crate rewords a message, this fails (instead of staff silently getting the fallback).
    #[test]
    fn every_translated_message_is_pinned() {
        #[derive(serde::Deserialize, Debug)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct Keys {
            a: u32,
            b: String,
        }
        let syntax = [
            ("a = \"open\n", "文字の終わりの \" がありません。"),
            ("a = 医療\n", "文字は \" で囲む必要があります。"),
            ("a = 4,202\n", "行の途中に読めない文字があります。"),
            ("a = 1\na = 2\n", "同じキーが2回書かれています。"),
            ("a = [1\n", "[ を閉じる ] がありません。"),
            ("a = { b = 1\n", "{ を閉じる } がありません。"),
            ("a = [\"x\" \"y\"]\n", "並べた値の間に , がありません。"),
            ("事業 = 1\n", "キーは半角の英字・数字・_ で書きます。"),
            ("a = \"\\q\"\n", "文字の中の \\ の後ろが読めません。"),
            (
                "a = \"\"\"x\n",
                "何行にもわたる文章を閉じる \"\"\" がありません。",
            ),
        ];
        for (input, japanese) in syntax {
            let error = toml::from_str::<toml::Table>(input).expect_err(input);
            let sentence = translate(error.message().trim());
            assert!(sentence.starts_with(japanese), "{input:?}: {sentence}");
        }
        let meaning = [
            ("a = 1\nb = \"x\"\nc = 1\n", "使えないキーです。"),
            ("a = 1\n", "必要なキーがありません。"),
            ("a = \"x\"\nb = \"y\"\n", "値の種類が違います。"),
        ];
        for (input, japanese) in meaning {
            let error = toml::from_str::<Keys>(input).expect_err(input);
            let sentence = translate(error.message().trim());
            assert!(sentence.starts_with(japanese), "{input:?}: {sentence}");
        }
    }

    #[test]
    fn syntax_errors_get_a_position_in_the_file() {
        let file = SourceFile::new("c.toml", "a = 1\nb = \"open\n".to_string());
        let error = toml::from_str::<toml::Table>(&file.text).unwrap_err();
        let diagnostic = to_diagnostic(&file, 0, &error);
        assert_eq!(diagnostic.line(), 2);
        assert_eq!(diagnostic.message, "文字の終わりの \" がありません。");
    }
}
