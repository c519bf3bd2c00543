//! Typed reading of a spanned TOML table, collecting every problem instead of stopping at the first.
//!
//! serde's derive stops at the first error and loses positions for semantic checks; this reader keeps
//! the span of every value, so each problem names its line, column and key, and all are reported.

use std::cell::{Cell, RefCell};
use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::diagnostics::{Diagnostic, SourceFile, suggest};

/// The longest text one key may hold, in characters: a sheet's longest text is a few hundred; the
/// bound keeps every later stage (Markdown, search) small whatever a file holds.
pub const MAX_TEXT_CHARS: usize = 10_000;

/// Where diagnostics go while a file is read.
pub struct Sink<'f> {
    pub file: &'f SourceFile,
    /// Byte offset of the TOML text in the file.
    pub offset: usize,
    /// The TOML text as parsed: the front matter, or its repaired copy (see [`super::slips`]).
    pub toml: &'f str,
    /// Maps positions in a repaired copy back to the front matter.
    pub map: Option<&'f super::slips::OffsetMap>,
    pub diagnostics: RefCell<Vec<Diagnostic>>,
    /// Notices: what looks wrong but may be right; they do not stop the build.
    pub notices: RefCell<Vec<Diagnostic>>,
    /// A deleted `[[…]]` line was reported: what follows from it is not reported again.
    pub header_missing: Cell<bool>,
}

/// A value with its byte range in the file.
#[derive(Debug, Clone)]
pub struct Located<T> {
    pub value: T,
    pub span: Range<usize>,
}

/// A table being read: remembers which keys were asked for, to report the others.
pub struct TableReader<'a, 'i> {
    sink: &'a Sink<'a>,
    table: &'a DeTable<'i>,
    /// Span of the table in the TOML text, for "missing key" errors; `None` for the whole document,
    /// whose missing keys are reported on the opening `+++` line.
    span: Option<Range<usize>>,
    /// The key path of this table, e.g. `initiatives[2].roadmap[1]`; empty at the top.
    path: String,
    /// The keys this table may have, once [`TableReader::reject_unknown_keys`] has been called.
    allowed: Cell<&'static [&'static str]>,
}

impl<'f> Sink<'f> {
    pub fn new(
        file: &'f SourceFile,
        offset: usize,
        toml: &'f str,
        map: Option<&'f super::slips::OffsetMap>,
    ) -> Sink<'f> {
        Sink {
            file,
            offset,
            toml,
            map,
            diagnostics: RefCell::new(Vec::new()),
            notices: RefCell::new(Vec::new()),
            header_missing: Cell::new(false),
        }
    }

    /// Records a problem at a span of the TOML text.
    pub fn report(&self, span: Range<usize>, key: &str, message: String, hint: Option<String>) {
        self.report_in_file(self.in_file(span), key, message, hint);
    }

    /// A span of the TOML text as parsed, as a span of the file.
    pub fn in_file(&self, span: Range<usize>) -> Range<usize> {
        let (start, end) = match self.map {
            Some(map) => (map.original(span.start), map.original(span.end)),
            None => (span.start, span.end),
        };
        start + self.offset..end.max(start) + self.offset
    }

    /// Records a problem at a span of the whole file.
    pub fn report_in_file(
        &self,
        span: Range<usize>,
        key: &str,
        message: String,
        hint: Option<String>,
    ) {
        let diagnostic = self.diagnostic(span, key, message, hint);
        self.diagnostics.borrow_mut().push(diagnostic);
    }

    /// Records a notice at a span of the TOML text: placed as [`Sink::report`] places an error,
    /// but it does not stop the build.
    pub fn notice(&self, span: Range<usize>, key: &str, message: String, hint: Option<String>) {
        let span = self.in_file(span);
        let notice = self.diagnostic(span, key, message, hint).as_notice();
        self.notices.borrow_mut().push(notice);
    }

    fn diagnostic(
        &self,
        span: Range<usize>,
        key: &str,
        message: String,
        hint: Option<String>,
    ) -> Diagnostic {
        self.file
            .error_at(span, message)
            .with_key(key)
            .with_optional_hint(hint)
    }

    /// The errors, or, when there are none, the notices.
    pub fn into_result(self) -> Result<Vec<Diagnostic>, Vec<Diagnostic>> {
        let errors = self.diagnostics.into_inner();
        if errors.is_empty() {
            Ok(self.notices.into_inner())
        } else {
            Err(errors)
        }
    }
}

/// A list's items with the span of the whole value.
pub type SpannedList = (Range<usize>, Vec<Located<String>>);

impl<'a, 'i> TableReader<'a, 'i> {
    /// A reader for the whole front matter.
    pub fn top(sink: &'a Sink<'a>, table: &'a DeTable<'i>) -> Self {
        TableReader {
            sink,
            table,
            span: None,
            path: String::new(),
            allowed: Cell::new(&[]),
        }
    }

    fn nested(&self, table: &'a DeTable<'i>, span: Range<usize>, path: String) -> Self {
        TableReader {
            sink: self.sink,
            table,
            span: Some(span),
            path,
            allowed: Cell::new(&[]),
        }
    }

    /// The full key path of `key` in this table, as shown to editors.
    pub fn key_path(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    fn get(&self, key: &str) -> Option<&'a Spanned<DeValue<'i>>> {
        self.table.get(key)
    }

    fn missing(&self, key: &str, example: &str) {
        // A misspelt key (`budjet`) is reported once, as unknown with a suggestion, not also as missing.
        let allowed = self.allowed.get();
        let misspelt = self.table.keys().any(|k| {
            let k = k.get_ref();
            !allowed.contains(&k.as_ref())
                && (suggest(k, allowed.iter().copied()) == Some(key)
                    || super::slips::english_key_anywhere(k) == Some(key))
        });
        if misspelt {
            return;
        }
        let message = format!("必要なキー「{key}」がありません。");
        let hint = Some(format!("{example} のように書き足してください。"));
        match &self.span {
            Some(span) => self
                .sink
                .report(span.clone(), &self.key_path(key), message, hint),
            None => self.sink.report_in_file(0..3, key, message, hint),
        }
    }

    fn wrong_type(
        &self,
        key: &str,
        value: &Spanned<DeValue<'i>>,
        expected: &str,
        hint: Option<String>,
    ) {
        self.sink.report(
            value.span(),
            &self.key_path(key),
            format!(
                "「{key}」には{expected}を書きます。{}が書かれています。",
                describe(value.get_ref())
            ),
            hint,
        );
    }

    /// The value of a required key read by `read`, or a report that it is missing.
    fn required<T>(
        &self,
        key: &str,
        example: &str,
        read: impl FnOnce(&'a Spanned<DeValue<'i>>) -> Option<T>,
    ) -> Option<T> {
        match self.get(key) {
            Some(value) => read(value),
            None => {
                self.missing(key, example);
                None
            }
        }
    }

    /// A required string.
    pub fn string(&self, key: &str, example: &str) -> Option<Located<String>> {
        self.required(key, example, |v| {
            let text = self.expect_string(key, v, example)?;
            self.filled(key, text, example)
        })
    }

    /// A required text left empty (`name = ""`, as `roadmap new` writes it) is not written yet.
    fn filled(&self, key: &str, text: Located<String>, example: &str) -> Option<Located<String>> {
        if !text.value.trim().is_empty() {
            return Some(text);
        }
        self.sink.report(
            text.span.clone(),
            &self.key_path(key),
            format!("「{key}」がまだ書かれていません。"),
            Some(format!("{example} のように書きます。")),
        );
        None
    }

    /// An optional string.
    pub fn optional_string(&self, key: &str, example: &str) -> Option<Located<String>> {
        self.get(key)
            .and_then(|value| self.expect_string(key, value, example))
    }

    fn expect_string(
        &self,
        key: &str,
        value: &Spanned<DeValue<'i>>,
        example: &str,
    ) -> Option<Located<String>> {
        match value.get_ref() {
            DeValue::String(s) => self.visible_text(key, s, value.span()),
            _ => {
                self.wrong_type(
                    key,
                    value,
                    "文字（\" \" で囲む）",
                    Some(format!("{example} のように書きます。")),
                );
                None
            }
        }
    }

    /// A string with nothing hidden in it ([`first_hidden`]): control characters (`"\u0001"`, which would also make the
    /// feed invalid XML), characters that take no room (U+200B) and marks that reorder text are
    /// errors, so two names cannot differ by what nobody sees and no page shows what the file hides.
    /// Line breaks and tabs are text.
    fn visible_text(&self, key: &str, text: &str, span: Range<usize>) -> Option<Located<String>> {
        let length = text.chars().count();
        if length > MAX_TEXT_CHARS {
            self.sink.report(
                span,
                &self.key_path(key),
                format!("「{key}」の文章が長すぎます（{length} 文字。{MAX_TEXT_CHARS} 文字まで）。"),
                Some("資料の文章の長さを大きく超えています。貼り付けを間違えていないか確かめてください。".to_string()),
            );
            return None;
        }
        match first_hidden(text).map(|(_, c)| c) {
            Some(c) => {
                self.sink.report(
                    span,
                    &self.key_path(key),
                    format!(
                        "「{key}」に見えない文字（U+{:04X}）があります。",
                        u32::from(c)
                    ),
                    Some("コピーしたときに紛れ込んだ制御文字や幅のない文字です。その文字を消してください（\"\\u0001\" のような書き方も使えません）。".to_string()),
                );
                None
            }
            None => Some(Located {
                value: text.to_string(),
                span,
            }),
        }
    }

    /// A required whole number of at least zero. Commas, decimals, strings and full-width digits get
    /// a hint saying how to write the number.
    pub fn non_negative_integer(&self, key: &str, example: &str) -> Option<Located<u64>> {
        self.required(key, example, |v| {
            self.expect_non_negative_integer(key, v, example)
        })
    }

    /// An optional whole number of at least zero.
    pub fn optional_non_negative_integer(&self, key: &str, example: &str) -> Option<Located<u64>> {
        self.get(key)
            .and_then(|value| self.expect_non_negative_integer(key, value, example))
    }

    fn expect_non_negative_integer(
        &self,
        key: &str,
        value: &Spanned<DeValue<'i>>,
        example: &str,
    ) -> Option<Located<u64>> {
        let how = format!("カンマや単位を付けず、半角数字だけで {example} のように書きます。");
        match value.get_ref() {
            DeValue::Integer(integer) => {
                let digits = integer.as_str().replace('_', "");
                match i128::from_str_radix(&digits, integer.radix()) {
                    Ok(n) if n < 0 => {
                        self.sink.report(
                            value.span(),
                            &self.key_path(key),
                            format!(
                                "「{key}」に負の数 {n} が書かれています。0以上の整数を書きます。"
                            ),
                            Some(how),
                        );
                        None
                    }
                    Ok(n) => match u64::try_from(n) {
                        Ok(n) => Some(Located {
                            value: n,
                            span: value.span(),
                        }),
                        Err(_) => {
                            self.sink.report(
                                value.span(),
                                &self.key_path(key),
                                format!("「{key}」の数 {n} が大きすぎます。"),
                                Some(how),
                            );
                            None
                        }
                    },
                    Err(_) => {
                        self.sink.report(
                            value.span(),
                            &self.key_path(key),
                            format!("「{key}」の数が大きすぎて読めません。"),
                            Some(how),
                        );
                        None
                    }
                }
            }
            DeValue::Float(float) => {
                self.sink.report(
                    value.span(),
                    &self.key_path(key),
                    format!(
                        "「{key}」に小数 {} が書かれています。整数を書きます。",
                        float.as_str()
                    ),
                    Some(how),
                );
                None
            }
            DeValue::String(text) => {
                let hint = match super::slips::number_as_written(key, text) {
                    Some(n) => format!("\" \" とカンマを外して、{key} = {n} と書きます。"),
                    None => how,
                };
                self.wrong_type(key, value, "整数", Some(hint));
                None
            }
            _ => {
                self.wrong_type(key, value, "整数", Some(how));
                None
            }
        }
    }

    /// A required `true` / `false`.
    pub fn boolean(&self, key: &str, column: &str) -> Option<Located<bool>> {
        let example =
            format!("事業シートの「{column}」欄に ○ があれば {key} = true、空欄なら {key} = false");
        let Some(value) = self.get(key) else {
            self.missing(key, &example);
            return None;
        };
        match value.get_ref() {
            DeValue::Boolean(b) => Some(Located {
                value: *b,
                span: value.span(),
            }),
            _ => {
                let hint = format!("{example} と、\" \" を付けずに書きます。");
                self.wrong_type(key, value, " true か false ", Some(hint));
                None
            }
        }
    }

    /// A required, non-empty list of strings.
    pub fn string_list(&self, key: &str, example: &str) -> Option<Vec<Located<String>>> {
        let Some(value) = self.get(key) else {
            self.missing(key, example);
            return None;
        };
        let hint = Some(format!("{example} のように [ ] で囲んで書きます。"));
        let DeValue::Array(items) = value.get_ref() else {
            self.wrong_type(key, value, "文字の並び（[ ] で囲む）", hint);
            return None;
        };
        if items.is_empty() {
            self.sink.report(
                value.span(),
                &self.key_path(key),
                format!("「{key}」が空です。1つ以上書きます。"),
                hint,
            );
            return None;
        }
        let mut out = Vec::with_capacity(items.len());
        for item in items.iter() {
            match item.get_ref() {
                DeValue::String(s) => {
                    let text = self.visible_text(key, s, item.span())?;
                    out.push(self.filled(key, text, example)?);
                }
                _ => {
                    self.wrong_type(key, item, "文字（\" \" で囲む）", hint.clone());
                    return None;
                }
            }
        }
        Some(out)
    }

    /// The span of `key`'s value in the TOML text, when it is written.
    pub fn get_string_span(&self, key: &str) -> Option<Range<usize>> {
        self.get(key).map(|v| v.span())
    }

    /// Records a problem at `key` of this table (at the table when the key is not written).
    pub fn report_here(&self, key: &str, message: String, hint: &str) {
        let span = self
            .get(key)
            .map(|v| v.span())
            .or_else(|| self.span.clone())
            .unwrap_or(0..0);
        self.sink
            .report(span, &self.key_path(key), message, Some(hint.to_string()));
    }

    /// An optional list of strings that may be empty (`done = []` says "none"): `None` when the key
    /// is absent, `Some(None)` when it is written wrongly (reported), else the items and the span
    /// of the value.
    pub fn optional_string_list(&self, key: &str, example: &str) -> Option<Option<SpannedList>> {
        let value = self.get(key)?;
        let span = value.span();
        if let DeValue::Array(items) = value.get_ref()
            && items.is_empty()
        {
            return Some(Some((span, Vec::new())));
        }
        Some(self.string_list(key, example).map(|items| (span, items)))
    }

    /// An array of tables (`[[key]]`), each as a reader. `required` reports a missing or empty list.
    /// At most `max` of them: more is refused (a sheet has a few), so that no file can make a
    /// build's work or memory grow without bound.
    pub fn tables(
        &self,
        key: &str,
        required: bool,
        max: usize,
        example: &str,
    ) -> Vec<TableReader<'a, 'i>> {
        let Some(value) = self.get(key) else {
            if required {
                self.missing(key, example);
            }
            return Vec::new();
        };
        let hint = Some(format!("{example} のように書きます。"));
        let DeValue::Array(items) = value.get_ref() else {
            if !self.sink.header_missing.get() {
                self.wrong_type(key, value, "表の並び（[[…]]）", hint);
            }
            return Vec::new();
        };
        if items.is_empty() && required {
            self.sink.report(
                value.span(),
                &self.key_path(key),
                format!("「{key}」が1つもありません。"),
                hint.clone(),
            );
        }
        if items.len() > max {
            self.sink.report(
                value.span(),
                &self.key_path(key),
                format!("「{key}」が多すぎます（{} 個。{max} 個まで）。", items.len()),
                Some("事業シート1枚の分を書きます。多すぎる場合は、事業を分けられないか確かめてください。".to_string()),
            );
            return Vec::new();
        }
        let mut readers = Vec::with_capacity(items.len());
        for (index, item) in items.iter().enumerate() {
            match item.get_ref() {
                DeValue::Table(table) => readers.push(self.nested(
                    table,
                    item.span(),
                    format!("{}[{}]", self.key_path(key), index + 1),
                )),
                _ => self.wrong_type(key, item, "表（[[…]]）", hint.clone()),
            }
        }
        readers
    }

    /// An optional table whose keys are free (e.g. fiscal years) and whose values are strings.
    pub fn string_map(&self, key: &str, example: &str) -> Vec<(Located<String>, Located<String>)> {
        let Some(value) = self.get(key) else {
            return Vec::new();
        };
        let hint = Some(format!("{example} のように書きます。"));
        let DeValue::Table(table) = value.get_ref() else {
            self.wrong_type(key, value, "表（{ … }）", hint);
            return Vec::new();
        };
        let mut out = Vec::with_capacity(table.len());
        for (name, entry) in table.iter() {
            match entry.get_ref() {
                DeValue::String(s) => {
                    if let Some(text) = self.visible_text(key, s, entry.span()) {
                        out.push((
                            Located {
                                value: name.get_ref().to_string(),
                                span: name.span(),
                            },
                            text,
                        ));
                    }
                }
                _ => self.wrong_type(key, entry, "文字（\" \" で囲む）", hint.clone()),
            }
        }
        out
    }

    /// Reports every key of this table that is not in `allowed`, suggesting the nearest allowed one.
    pub fn reject_unknown_keys(&self, allowed: &'static [&'static str]) {
        self.allowed.set(allowed);
        if self.report_missing_header(allowed) {
            return;
        }
        for (key, _) in self.table.iter() {
            let name = key.get_ref();
            if allowed.contains(&name.as_ref()) {
                continue;
            }
            let japanese = super::slips::english_key_anywhere(name).filter(|k| allowed.contains(k));
            let hint = match japanese.or_else(|| suggest(name, allowed.iter().copied())) {
                Some(near) if japanese.is_some() => {
                    format!("キーは半角の英字で書きます。{name}は {near} と書きます。")
                }
                Some(near) => format!("もしかして: {near}"),
                None => format!("使えるキーは {} です。", allowed.join("、")),
            };
            self.sink.report(
                key.span(),
                &self.key_path(name),
                format!("「{name}」というキーは使えません。"),
                Some(hint),
            );
        }
    }

    /// Keys of a nested table (`label`, `kind`… of a roadmap row) written in this one: the `[[…]]`
    /// line that starts the nested table was deleted. Reported once, at the first of them, saying
    /// where to put the line back; returns whether it was.
    fn report_missing_header(&self, allowed: &[&str]) -> bool {
        use super::project::{INITIATIVE_KEYS, PROJECT_KEYS, ROW_KEYS};
        let children: &[(&[&str], &str, &str)] = if allowed == PROJECT_KEYS {
            &[
                (INITIATIVE_KEYS, "[[initiatives]]", "取組"),
                (ROW_KEYS, "[[initiatives.roadmap]]", "ロードマップの行"),
            ]
        } else if allowed == INITIATIVE_KEYS {
            &[(ROW_KEYS, "[[initiatives.roadmap]]", "ロードマップの行")]
        } else {
            return false;
        };
        let unknown: Vec<_> = self
            .table
            .iter()
            .filter(|(k, _)| !allowed.contains(&k.get_ref().as_ref()))
            .collect();
        let Some((first, _)) = unknown.iter().min_by_key(|(k, _)| k.span().start) else {
            return false;
        };
        let Some((_, header, what)) = children.iter().find(|(keys, _, _)| {
            unknown
                .iter()
                .all(|(k, _)| keys.contains(&k.get_ref().as_ref()))
        }) else {
            return false;
        };
        let place = self.sink.file.locate(self.sink.in_file(first.span()));
        let key = first.get_ref();
        self.sink.report(
            first.span(),
            &self.key_path(key),
            format!(
                "{what}の始まりの {header} の行がないようです。「{key}」から下が、{what}として読めません。"
            ),
            Some(format!(
                "{}行目（{}）の前に、{header} だけの行を入れます。",
                place.line,
                place.source_line.trim()
            )),
        );
        self.sink.header_missing.set(true);
        true
    }

    pub fn sink(&self) -> &'a Sink<'a> {
        self.sink
    }
}

/// Words for the kind of value found, e.g. 「文字 "4,202"」.
fn describe(value: &DeValue<'_>) -> String {
    match value {
        DeValue::String(s) => format!("文字 \"{s}\""),
        DeValue::Integer(i) => format!("整数 {}", i.as_str()),
        DeValue::Float(f) => format!("小数 {}", f.as_str()),
        DeValue::Boolean(b) => format!("{b}"),
        DeValue::Datetime(d) => format!("日時 {d}"),
        DeValue::Array(_) => "並び [ … ]".to_string(),
        DeValue::Table(_) => "表".to_string(),
    }
}
/// The first character of a content text that nobody sees, with its byte position: a control
/// character (but tab and line break), one that takes no room or reorders text, U+FFFE or U+FFFF.
pub(crate) fn first_hidden(text: &str) -> Option<(usize, char)> {
    let bytes = text.as_bytes();
    let mut at = 0;
    // Only characters whose UTF-8 starts with one of MAY_BE_HIDDEN's bytes are decoded: Japanese
    // text has almost none.
    while let Some(found) = bytes
        .get(at..)?
        .iter()
        .position(|&byte| MAY_BE_HIDDEN[usize::from(byte)])
    {
        let here = at + found;
        let c = text.get(here..)?.chars().next()?;
        if is_hidden_in_content(c) {
            return Some((here, c));
        }
        at = here + c.len_utf8();
    }
    None
}

/// [`first_hidden`]'s rule for one character.
fn is_hidden_in_content(c: char) -> bool {
    c != '\t' && (crate::terminal::is_hidden(c) || matches!(c, '\u{FFFE}' | '\u{FFFF}'))
}

/// The first bytes of the UTF-8 of every character [`is_hidden_in_content`] holds: controls, and the
/// lead bytes of U+0080–U+00BF (C1 controls, soft hyphen), U+0600–U+063F, U+1800–U+183F,
/// U+2000–U+2FFF and U+F000–U+FFFF. A test checks every character.
const MAY_BE_HIDDEN: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 0x20 {
        table[byte] = true;
        byte += 1;
    }
    table[0x7F] = true;
    table[0xC2] = true;
    table[0xD8] = true;
    table[0xE1] = true;
    table[0xE2] = true;
    table[0xEF] = true;
    table
};

#[cfg(test)]
mod tests {
    use super::*;

    /// Every character is found by the byte table exactly when the rule holds it, and at its
    /// place after other text.
    #[test]
    fn first_hidden_finds_every_hidden_character() {
        let mut hidden = 0;
        for c in (0..=0x10FFFF_u32).filter_map(char::from_u32) {
            let text = format!("あa{c}い");
            let expected = is_hidden_in_content(c).then_some((4, c));
            assert_eq!(first_hidden(&text), expected, "U+{:04X}", u32::from(c));
            hidden += usize::from(expected.is_some());
        }
        assert!(hidden > 60, "{hidden}");
        assert_eq!(first_hidden("事業\t概要\n"), None);
        assert_eq!(first_hidden("\u{200B}\u{0001}"), Some((0, '\u{200B}')));
    }
}
