//! Typing slips in a project's front matter, found on the raw lines when the TOML parser fails.
//!
//! The parser's own errors name what it expected at the first byte it could not read, often on a
//! later line than the slip (a missing `]` is reported on the next key) and in English. Instead, when
//! the front matter does not parse, each line is classified as staff write it (`budget = 4,202千円`,
//! `priority = ○`, `事業費 = 4202`, a full-width space, 「、」 between list items, a missing `]` or
//! `"""`, a `\` typed with the ¥ key, a line break inside `"…"`, a deleted `[[…]]` line). Every slip
//! gets one message at its own line and an edit that fixes it; the edits are applied and the text
//! parsed again, so a fix is only offered once it is known to make the line readable. What is
//! unambiguous (digits with commas or full-width, 千円 after the number, ○ for true) is accepted
//! with a notice; everything else is an error that shows the corrected line to type.

use std::ops::Range;

use toml::de::DeTable;

use super::project::{INITIATIVE_KEYS, PROJECT_KEYS, ROW_KEYS};
use crate::diagnostics::{Diagnostic, SourceFile};
use crate::money::group_digits;

/// Text replacing a byte range of the original TOML text (an empty range inserts).
#[derive(Debug, Clone)]
struct Edit {
    original: Range<usize>,
    replacement: String,
}

/// The edits made to the TOML text, to map a position in the repaired text back to the file.
#[derive(Debug, Clone, Default)]
pub struct OffsetMap {
    /// Sorted, not overlapping.
    edits: Vec<Edit>,
}

impl OffsetMap {
    /// The offset in the original text of `offset` in the repaired text.
    pub fn original(&self, offset: usize) -> usize {
        let mut delta: isize = 0;
        for edit in &self.edits {
            let start = edit.original.start.saturating_add_signed(delta);
            if offset < start {
                break;
            }
            let end = start + edit.replacement.len();
            if offset < end {
                return edit.original.start + (offset - start).min(edit.original.len());
            }
            delta += edit.replacement.len() as isize - edit.original.len() as isize;
        }
        offset.saturating_add_signed(-delta)
    }
}

/// The front matter with its slips fixed, ready to be read as usual.
pub struct Repaired {
    pub text: String,
    pub map: OffsetMap,
    /// Slips that stop the build, each at its line in the file.
    pub errors: Vec<Diagnostic>,
    /// Slips accepted as written, each at its line.
    pub notices: Vec<Diagnostic>,
}

/// One slip: where it is, what to say, and the edits that fix it.
#[derive(Debug, Clone)]
struct Slip {
    /// Byte range of the TOML text to mark.
    span: Range<usize>,
    key: Option<String>,
    message: String,
    /// `{fixed}` is replaced with the corrected text of `lines`.
    hint: String,
    /// Lines shown corrected in the hint: a byte range of the TOML text.
    lines: Range<usize>,
    notice: bool,
    edits: Vec<Edit>,
    /// A byte of the TOML text whose line number replaces `{line}` in the hint.
    place: Option<usize>,
}

/// The type of value a key takes, for the words of a fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// `budget`: thousand yen.
    Budget,
    Integer,
    Boolean,
    Text,
    List,
    Other,
}

/// Which `[[…]]` table the lines belong to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Table {
    Top,
    Initiative,
    Row,
    Other,
}

fn kind_of(key: &str) -> Kind {
    match key {
        "budget" => Kind::Budget,
        "sheet_number" => Kind::Integer,
        "priority" | "future" => Kind::Boolean,
        "departments" | "sections" | "years" => Kind::List,
        "initiatives" | "roadmap" | "year_labels" => Kind::Other,
        _ => Kind::Text,
    }
}

/// A key of a project file, in any table.
fn is_known_key(key: &str) -> bool {
    PROJECT_KEYS.contains(&key) || INITIATIVE_KEYS.contains(&key) || ROW_KEYS.contains(&key)
}

/// The English key for a Japanese name staff may use for it (the sheet's column names).
fn english_key(table: Table, japanese: &str) -> Option<&'static str> {
    let name: String = crate::fiscal_year::to_half_width(japanese)
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '「' | '」' | '"'))
        .collect();
    let top: &[(&str, &str)] = &[
        ("事業名", "name"),
        ("分野", "field"),
        ("項目", "category"),
        ("担当部局", "departments"),
        ("部局", "departments"),
        ("担当課等", "sections"),
        ("担当課", "sections"),
        ("課", "sections"),
        ("事業費", "budget"),
        ("R6事業費", "budget"),
        ("事業費(千円)", "budget"),
        ("予算", "budget"),
        ("予算額", "budget"),
        ("会計", "account"),
        ("重点枠事業", "priority"),
        ("重点枠", "priority"),
        ("将来対応分", "future"),
        ("将来対応", "future"),
        ("事業始期", "start"),
        ("始期", "start"),
        ("事業終期", "end"),
        ("終期", "end"),
        ("No.", "sheet_number"),
        ("No", "sheet_number"),
        ("番号", "sheet_number"),
        ("概要", "overview"),
        ("現状・課題", "situation"),
        ("現状", "situation"),
        ("課題", "situation"),
        ("デジタル活用によってどう変わるか", "outcome"),
        ("どう変わるか", "outcome"),
    ];
    let initiative: &[(&str, &str)] = &[
        ("取組", "title"),
        ("取組名", "title"),
        ("取組の名前", "title"),
        ("名前", "title"),
        ("説明", "description"),
        ("取組の説明", "description"),
        ("内容", "description"),
    ];
    let row: &[(&str, &str)] = &[
        ("行の名前", "label"),
        ("名前", "label"),
        ("計画か実績か", "kind"),
        ("区分", "kind"),
        ("計画・実績", "kind"),
        ("年度", "years"),
        ("年度ごとの文字", "year_labels"),
        ("年度の根拠", "basis"),
        ("根拠", "basis"),
        ("理由", "reason"),
        ("推定の理由", "reason"),
    ];
    let names = match table {
        Table::Top | Table::Other => top,
        Table::Initiative => initiative,
        Table::Row => row,
    };
    names
        .iter()
        .chain(top.iter())
        .find(|(j, _)| j.eq_ignore_ascii_case(&name))
        .map(|(_, key)| *key)
}

/// The English key for a Japanese name, looked up in every table.
pub fn english_key_anywhere(japanese: &str) -> Option<&'static str> {
    if japanese.is_ascii() {
        return None;
    }
    [Table::Top, Table::Initiative, Table::Row]
        .into_iter()
        .find_map(|t| english_key(t, japanese))
}

/// The whole number `text` stands for as staff write it (`4,202千円`, `４２０２`, `420.2万円`), when
/// it is exact: for the fix of a number written between `" "`.
pub fn number_as_written(key: &str, text: &str) -> Option<String> {
    let kind = kind_of(key);
    if !matches!(kind, Kind::Budget | Kind::Integer) {
        return None;
    }
    if !text.is_empty() && text.chars().all(|c| c.is_ascii_digit()) {
        return Some(text.to_string());
    }
    let slip = number_slip(key, kind, text.trim())?;
    (slip.replacement != "0" || text.trim().trim_start_matches('0').is_empty())
        .then_some(slip.replacement)
}

/// Fixes the slips of a front matter that did not parse. `offset` is where `toml` starts in the file.
/// Returns the repaired text to read, or the errors when even the repaired text does not parse (the
/// slips found and the first other problem, in words).
pub fn repair(file: &SourceFile, offset: usize, toml: &str) -> Result<Repaired, Vec<Diagnostic>> {
    let mut slips = scan(toml);
    let mut remaining = None;
    let (mut text, mut map) = apply(toml, &slips);
    // Each round fixes one deleted `[[…]]` line (the parser reports its keys as written twice).
    for _ in 0..super::project::MAX_ROWS {
        let (_, errors) = DeTable::parse_recoverable(&text);
        let Some(first) = errors
            .iter()
            .min_by_key(|e| e.span().map_or(usize::MAX, |s| s.start))
        else {
            remaining = None;
            break;
        };
        let slip = errors
            .iter()
            .find_map(|e| duplicate_key(toml, &text, &map, e));
        match slip {
            Some(slip) => {
                slips.push(slip);
                (text, map) = apply(toml, &slips);
            }
            None => {
                remaining = Some(first.clone());
                break;
            }
        }
    }
    let mut errors = Vec::new();
    let mut notices = Vec::new();
    for slip in &slips {
        let fixed = corrected(toml, &slips, slip.lines.clone());
        let mut hint = slip.hint.replace("{fixed}", fixed.trim());
        if let Some(place) = slip.place {
            hint = hint.replace(
                "{line}",
                &file.locate(place + offset..place + offset).line.to_string(),
            );
        }
        let diagnostic = file
            .error_at(
                slip.span.start + offset..slip.span.end + offset,
                slip.message.clone(),
            )
            .with_hint(hint);
        let diagnostic = match &slip.key {
            Some(key) => diagnostic.with_key(key.clone()),
            None => diagnostic,
        };
        if slip.notice {
            notices.push(diagnostic.as_notice());
        } else {
            errors.push(diagnostic);
        }
    }
    if let Some(error) = remaining {
        let span = error
            .span()
            .map(|s| map.original(s.start)..map.original(s.end.max(s.start)));
        let diagnostic = crate::toml_errors::diagnostic_at(file, offset, span, error.message());
        if !errors
            .iter()
            .chain(&notices)
            .any(|d| d.line() == diagnostic.line())
        {
            errors.push(diagnostic);
        }
        return Err(errors);
    }
    Ok(Repaired {
        text,
        map,
        errors,
        notices,
    })
}

/// The text with every slip's edits applied, and the map back to the original.
fn apply(toml: &str, slips: &[Slip]) -> (String, OffsetMap) {
    let mut edits: Vec<Edit> = slips.iter().flat_map(|s| s.edits.iter().cloned()).collect();
    edits.sort_by_key(|e| (e.original.start, e.original.end));
    let mut kept: Vec<Edit> = Vec::with_capacity(edits.len());
    for edit in edits {
        let overlaps = kept.last().is_some_and(|last| {
            edit.original.start < last.original.end
                || (edit.original.start == last.original.start && !last.original.is_empty())
        });
        let in_text = edit.original.end <= toml.len()
            && toml.is_char_boundary(edit.original.start)
            && toml.is_char_boundary(edit.original.end);
        if !overlaps && in_text {
            kept.push(edit);
        }
    }
    let mut text = String::with_capacity(toml.len() + 64);
    let mut at = 0;
    for edit in &kept {
        text.push_str(&toml[at..edit.original.start]);
        text.push_str(&edit.replacement);
        at = edit.original.end;
    }
    text.push_str(&toml[at..]);
    (text, OffsetMap { edits: kept })
}

/// The original text of `lines` with the edits inside them applied, on one line.
fn corrected(toml: &str, slips: &[Slip], lines: Range<usize>) -> String {
    let inside: Vec<Slip> = slips
        .iter()
        .map(|s| Slip {
            edits: s
                .edits
                .iter()
                .filter(|e| e.original.start >= lines.start && e.original.end <= lines.end)
                .map(|e| Edit {
                    original: e.original.start - lines.start..e.original.end - lines.start,
                    replacement: e.replacement.clone(),
                })
                .collect(),
            ..s.clone()
        })
        .collect();
    let end = lines.end.min(toml.len());
    let start = lines.start.min(end);
    apply(&toml[start..end], &inside).0
}

/// A line of the TOML text: its byte range, without the line break.
#[derive(Debug, Clone, Copy)]
struct Line<'t> {
    start: usize,
    text: &'t str,
}

fn lines_of(toml: &str) -> Vec<Line<'_>> {
    let mut lines = Vec::new();
    let mut start = 0;
    for text in toml.split('\n') {
        lines.push(Line { start, text });
        start += text.len() + 1;
    }
    lines
}

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\u{3000}')
}

fn is_bare_key(key: &str) -> bool {
    !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

/// A line that starts a key of a project (`budget = …`) or a table (`[[initiatives]]`): a text or a
/// list that runs into it was not closed.
fn starts_entry(text: &str) -> bool {
    let trimmed = text.trim_start_matches(is_space);
    if trimmed.starts_with("[[") || trimmed.starts_with("[initiatives") {
        return true;
    }
    let Some((key, _)) = trimmed.split_once(['=', '＝']) else {
        return false;
    };
    let key = key.trim_matches(is_space);
    is_known_key(key)
}

/// Scans every line for slips.
fn scan(toml: &str) -> Vec<Slip> {
    let lines = lines_of(toml);
    let mut slips = Vec::new();
    let mut table = Table::Top;
    let mut i = 0;
    while i < lines.len() {
        i = scan_line(toml, &lines, i, &mut table, &mut slips).max(i + 1);
    }
    slips
}

/// Scans the line `i` (and the lines a value of it runs over); returns the next line to scan.
fn scan_line(
    toml: &str,
    lines: &[Line<'_>],
    i: usize,
    table: &mut Table,
    slips: &mut Vec<Slip>,
) -> usize {
    let line = lines[i];
    let text = line.text.trim_end_matches('\r');
    let indent_len = text.len() - text.trim_start_matches(is_space).len();
    let trimmed = &text[indent_len..];
    if trimmed.is_empty() || trimmed.starts_with('#') {
        return i + 1;
    }
    let whole_line = line.start..line.start + text.len();
    if trimmed.starts_with('[') {
        *table = match trimmed.split('#').next().unwrap_or("").trim() {
            "[[initiatives]]" => Table::Initiative,
            "[[initiatives.roadmap]]" => Table::Row,
            _ => Table::Other,
        };
        push_full_width_spaces(slips, line, indent_len, None, whole_line);
        return i + 1;
    }
    // The key, up to `=` (or a full-width `＝`) outside quotes.
    let Some((sep, sep_char)) = separator(trimmed) else {
        return i + 1;
    };
    let key_raw = &trimmed[..sep];
    let key_text = key_raw.trim_matches(is_space);
    let key_start =
        line.start + indent_len + (key_raw.len() - key_raw.trim_start_matches(is_space).len());
    let key_span = key_start..key_start + key_text.len();
    let quoted_key = key_text.starts_with(['"', '\'']);
    let key: String = if quoted_key || is_bare_key(key_text) {
        key_text.trim_matches(['"', '\'']).to_string()
    } else {
        match english_key(*table, key_text) {
            Some(english) => {
                slips.push(Slip {
                    span: key_span.clone(),
                    key: Some(english.to_string()),
                    message: format!("キー「{key_text}」は使えません。キーは半角の英字で、{key_text}は {english} と書きます。"),
                    hint: "{fixed} と書きます。".to_string(),
                    lines: whole_line.clone(),
                    place: None,
                    notice: false,
                    edits: vec![Edit {
                        original: key_span.clone(),
                        replacement: english.to_string(),
                    }],
                });
                english.to_string()
            }
            None => {
                let keys = match table {
                    Table::Initiative => INITIATIVE_KEYS,
                    Table::Row => ROW_KEYS,
                    _ => PROJECT_KEYS,
                };
                slips.push(Slip {
                    span: key_span.clone(),
                    key: None,
                    message: format!("キー「{key_text}」は使えません。キーは半角の英字で書きます。"),
                    hint: format!(
                        "この場所で使えるキーは {} です（docs/content-format.md の「キーの一覧」）。",
                        keys.join("、")
                    ),
                    lines: whole_line.clone(),
                    place: None,
                    notice: false,
                    edits: vec![Edit {
                        original: key_span.clone(),
                        replacement: format!("\"{}\"", key_text.replace(['"', '\\'], "")),
                    }],
                });
                return i + 1;
            }
        }
    };
    let key_for_spaces = Some(key.clone());
    // Full-width spaces before the key and around `=`.
    push_full_width_spaces(
        slips,
        line,
        indent_len,
        key_for_spaces.clone(),
        whole_line.clone(),
    );
    let sep_at = line.start + indent_len + sep;
    if sep_char == '＝' {
        slips.push(Slip {
            span: sep_at..sep_at + sep_char.len_utf8(),
            key: Some(key.clone()),
            message: "「＝」が全角です。キーと値の間の = は半角で書きます。".to_string(),
            hint: "{fixed} と書きます。".to_string(),
            lines: whole_line.clone(),
            place: None,
            notice: false,
            edits: vec![Edit {
                original: sep_at..sep_at + sep_char.len_utf8(),
                replacement: "=".to_string(),
            }],
        });
    }
    // The value.
    let after_sep = sep_at + sep_char.len_utf8();
    let rest = &toml[after_sep..whole_line.end];
    let value_offset = rest.len() - rest.trim_start_matches(is_space).len();
    let spaces: Vec<Edit> = rest[..value_offset]
        .char_indices()
        .filter(|&(_, c)| c == '\u{3000}')
        .map(|(j, _)| Edit {
            original: after_sep + j..after_sep + j + 3,
            replacement: " ".to_string(),
        })
        .collect();
    if !spaces.is_empty() {
        slips.push(full_width_space_slip(
            spaces,
            Some(key.clone()),
            whole_line.clone(),
        ));
    }
    let value_start = after_sep + value_offset;
    let value = &toml[value_start..whole_line.end];
    scan_value(toml, lines, i, &key, value_start, value, slips)
}

/// Where `=` (or `＝`) is, outside a quoted key.
fn separator(text: &str) -> Option<(usize, char)> {
    let mut quote: Option<char> = None;
    for (j, c) in text.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c == '=' || c == '＝' => return Some((j, c)),
            None if c == '#' => return None,
            None => {}
        }
    }
    None
}

fn push_full_width_spaces(
    slips: &mut Vec<Slip>,
    line: Line<'_>,
    indent_len: usize,
    key: Option<String>,
    whole_line: Range<usize>,
) {
    let edits: Vec<Edit> = line.text[..indent_len]
        .char_indices()
        .filter(|&(_, c)| c == '\u{3000}')
        .map(|(j, _)| Edit {
            original: line.start + j..line.start + j + 3,
            replacement: String::new(),
        })
        .collect();
    if !edits.is_empty() {
        slips.push(full_width_space_slip(edits, key, whole_line));
    }
}

fn full_width_space_slip(edits: Vec<Edit>, key: Option<String>, lines: Range<usize>) -> Slip {
    let first = edits.first().map_or(lines.start, |e| e.original.start);
    let last = edits.last().map_or(first, |e| e.original.end);
    Slip {
        span: first..last,
        key,
        message: "全角の空白があります。キーの前や = の前後の空白は、半角にするか消します。"
            .to_string(),
        hint: "全角の空白を消して、{fixed} と書きます。".to_string(),
        lines,
        place: None,
        notice: false,
        edits,
    }
}

/// Classifies the value of `key`, starting at `start` (`value` runs to the end of the line).
fn scan_value(
    toml: &str,
    lines: &[Line<'_>],
    i: usize,
    key: &str,
    start: usize,
    value: &str,
    slips: &mut Vec<Slip>,
) -> usize {
    let line = lines[i];
    let whole_line = line.start..line.start + line.text.trim_end_matches('\r').len();
    let kind = kind_of(key);
    for delimiter in ["\"\"\"", "'''"] {
        if let Some(inner) = value.strip_prefix(delimiter) {
            return scan_multiline(toml, lines, i, key, start, delimiter, inner, slips);
        }
    }
    if value.starts_with('"') {
        return scan_basic_string(toml, lines, i, key, start, slips);
    }
    if value.starts_with('\'') {
        return i + 1;
    }
    if value.starts_with('[') {
        return scan_array(toml, lines, i, key, start + 1, slips);
    }
    if value.starts_with('{') {
        return i + 1;
    }
    // A bare value, up to a comment.
    let bare = value
        .split('#')
        .next()
        .unwrap_or("")
        .trim_end_matches(is_space);
    let span = start..start + bare.len();
    let slip = |message: String, hint: String, notice: bool, replacement: String| Slip {
        span: span.clone(),
        key: Some(key.to_string()),
        message,
        hint,
        lines: whole_line.clone(),
        place: None,
        notice,
        edits: vec![Edit {
            original: span.clone(),
            replacement,
        }],
    };
    if bare.is_empty() {
        let (hint, placeholder) = match kind {
            Kind::Budget => (
                "= の後ろに、事業費を千円単位の半角数字で書きます（4,202千円なら budget = 4202）。"
                    .to_string(),
                "0",
            ),
            Kind::Integer => (
                format!("= の後ろに、半角数字で書きます（例: {key} = 12）。"),
                "0",
            ),
            Kind::Boolean => (
                format!(
                    "事業シートのその欄に ○ があれば {key} = true、空欄なら {key} = false と書きます。"
                ),
                "false",
            ),
            Kind::List => (
                format!("= の後ろに、{key} = [\"…\"] のように [ ] で囲んで書きます。"),
                "[]",
            ),
            Kind::Text | Kind::Other => (
                format!("= の後ろに、{key} = \"…\" のように \" \" で囲んで書きます。"),
                "\"\"",
            ),
        };
        slips.push(slip(
            format!("「{key}」がまだ書かれていません。"),
            hint,
            false,
            placeholder.to_string(),
        ));
        return i + 1;
    }
    // Only what the parser cannot read is a slip; a readable value of the wrong type is reported
    // with the key's rules when the file is read.
    if DeTable::parse(&format!("v = {bare}")).is_ok() {
        return i + 1;
    }
    match kind {
        Kind::Boolean => {
            if matches!(bare, "○" | "〇" | "◯" | "◎") {
                slips.push(slip(
                    format!("「{key}」の {bare} を true（○ あり）として読みました。"),
                    "このままで構いません。書き直すなら {fixed} と書きます。".to_string(),
                    true,
                    "true".to_string(),
                ));
            } else {
                slips.push(slip(
                    format!("「{key}」には true か false を書きます。{bare} は読めません。"),
                    format!("事業シートのその欄に ○ があれば {key} = true、空欄なら {key} = false と、\" \" を付けずに書きます。"),
                    false,
                    "false".to_string(),
                ));
            }
        }
        Kind::Budget | Kind::Integer => {
            if let Some(slip_found) = number_slip(key, kind, bare) {
                slips.push(slip(
                    slip_found.message,
                    slip_found.hint,
                    slip_found.notice,
                    slip_found.replacement,
                ));
            }
        }
        Kind::Text | Kind::List => {
            let inner = bare.trim_matches(['“', '”', '「', '」', '『', '』', '"', '＂']);
            let quoted = format!("\"{}\"", inner.replace('\\', "￥").replace('"', "”"));
            let replacement = if kind == Kind::List {
                format!("[{quoted}]")
            } else {
                quoted
            };
            let (message, hint) = if inner.len() != bare.len() {
                (
                    "文字を全角の “ ” や「 」で囲んでいます。文字は半角の \" で囲みます。"
                        .to_string(),
                    "{fixed} と書きます。".to_string(),
                )
            } else if kind == Kind::List {
                (
                    format!("「{key}」は [\"…\"] のように、[ ] の中に \" で囲んで書きます。"),
                    "{fixed} と書きます（2つ以上なら [\"健康福祉部\", \"警察本部\"] のように半角の , で区切ります）。".to_string(),
                )
            } else {
                (
                    "文字は \" で囲みます。".to_string(),
                    "{fixed} と書きます。".to_string(),
                )
            };
            slips.push(slip(message, hint, false, replacement));
        }
        Kind::Other => {}
    }
    i + 1
}

/// What a bare number of `budget` or `sheet_number` means, if it is not plain TOML.
struct NumberSlip {
    message: String,
    hint: String,
    notice: bool,
    replacement: String,
}

/// Reads a number as staff write it: full-width digits, commas every three digits, and for `budget`
/// a unit (千円, 円, 万円, 億円). Only a whole number of thousand yen written without a unit or with
/// 千円 is accepted; any other unit is refused with the exact 千円 figure.
fn number_slip(key: &str, kind: Kind, bare: &str) -> Option<NumberSlip> {
    let half: String = crate::fiscal_year::to_half_width(bare)
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| if matches!(c, '、' | '，') { ',' } else { c })
        .map(|c| if c == '．' { '.' } else { c })
        .collect();
    let units: &[(&str, u32, &str)] = if kind == Kind::Budget {
        // (unit, power of ten of thousand yen it is worth (negative: divide), name)
        &[
            ("千円", 0, "千円"),
            ("万円", 1, "万円"),
            ("億円", 5, "億円"),
            ("円", 0, "円"),
        ]
    } else {
        &[]
    };
    let (number, unit) = units
        .iter()
        .find_map(|(u, _, _)| half.strip_suffix(u).map(|n| (n, Some(*u))))
        .unwrap_or((half.as_str(), None));
    let plain = || {
        if kind == Kind::Budget {
            "budget は千円単位の整数を、カンマを付けず半角数字で書きます（4,202千円なら budget = 4202）。事業シートの金額を確かめてください。".to_string()
        } else {
            format!("{key} は半角数字だけで書きます（例: {key} = 12）。")
        }
    };
    let refuse = |message: String, replacement: &str| NumberSlip {
        message,
        hint: plain(),
        notice: false,
        replacement: replacement.to_string(),
    };
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    let groups: Vec<&str> = whole.split(',').collect();
    let grouped = groups.len() > 1;
    let digits_ok = !whole.is_empty()
        && groups
            .iter()
            .all(|g| !g.is_empty() && g.chars().all(|c| c.is_ascii_digit()))
        && fraction.chars().all(|c| c.is_ascii_digit());
    if !digits_ok {
        return Some(refuse(
            format!("「{key}」の {bare} は数として読めません。"),
            "0",
        ));
    }
    let well_grouped =
        !grouped || (groups[0].len() <= 3 && groups[1..].iter().all(|g| g.len() == 3));
    if !well_grouped {
        return Some(refuse(
            format!("「{key}」の {bare} はカンマの位置が3けたごとではありません。"),
            "0",
        ));
    }
    let digits: String = groups.concat();
    let fraction = fraction.trim_end_matches('0');
    // The amount in thousand yen as an exact fraction: mantissa / 10^places.
    let power = unit.map_or(0, |u| {
        units
            .iter()
            .find(|(name, _, _)| *name == u)
            .map_or(0, |(_, p, _)| *p)
    });
    let mantissa: Option<u128> = format!("{digits}{fraction}").parse().ok();
    let Some(mantissa) = mantissa else {
        return Some(refuse(format!("「{key}」の {bare} は大きすぎます。"), "0"));
    };
    let places = fraction.len() as u32;
    if unit == Some("円") {
        // Yen: thousand yen only if a whole number of thousands.
        let yen = if places == 0 { Some(mantissa) } else { None };
        return Some(match yen {
            Some(yen) if yen % 1000 == 0 && u64::try_from(yen / 1000).is_ok() => {
                let thousands = yen / 1000;
                NumberSlip {
                    message: format!(
                        "事業費は千円単位で書きます。{bare} は {}千円です。",
                        group_digits(u64::try_from(thousands).unwrap_or(u64::MAX))
                    ),
                    hint: "単位を付けず、{fixed} と書きます。".to_string(),
                    notice: false,
                    replacement: thousands.to_string(),
                }
            }
            _ => refuse(
                format!("事業費は千円単位の整数で書きます。{bare} は千円単位の整数になりません。"),
                "0",
            ),
        });
    }
    // Thousand yen = mantissa * 10^power / 10^places.
    let scaled = 10u128
        .checked_pow(power)
        .and_then(|p| mantissa.checked_mul(p));
    let divisor = 10u128.pow(places.min(30));
    let exact = scaled.filter(|s| s % divisor == 0).map(|s| s / divisor);
    let thousands = exact.and_then(|t| u64::try_from(t).ok());
    let Some(thousands) = thousands else {
        return Some(refuse(
            if unit.is_some_and(|u| u != "千円") || kind == Kind::Budget {
                format!("事業費は千円単位の整数で書きます。{bare} は千円単位の整数になりません。")
            } else {
                format!("「{key}」には整数を書きます。{bare} は整数ではありません。")
            },
            "0",
        ));
    };
    match unit {
        Some(u) if u != "千円" => Some(NumberSlip {
            message: format!(
                "事業費は千円単位で書きます。{bare} は {}千円です。",
                group_digits(thousands)
            ),
            hint: "単位を付けず、{fixed} と書きます。".to_string(),
            notice: false,
            replacement: thousands.to_string(),
        }),
        _ if places > 0 => Some(refuse(
            format!("「{key}」には整数を書きます。{bare} は整数ではありません。"),
            "0",
        )),
        _ if !grouped && unit.is_none() && half == bare && !digits.starts_with('0') => None,
        _ => {
            let what = if kind == Kind::Budget {
                format!("{}千円", group_digits(thousands))
            } else {
                thousands.to_string()
            };
            Some(NumberSlip {
                message: format!("「{key}」の「{bare}」を {what} として読みました。"),
                hint: "このままで構いません。書き直すなら {fixed} と書きます。".to_string(),
                notice: true,
                replacement: thousands.to_string(),
            })
        }
    }
}

/// A `"…"` value: a `\` that is no escape (typed with the ¥ key), a line break inside, or no closing
/// `"`.
fn scan_basic_string(
    toml: &str,
    lines: &[Line<'_>],
    i: usize,
    key: &str,
    start: usize,
    slips: &mut Vec<Slip>,
) -> usize {
    let line = lines[i];
    let line_end = line.start + line.text.trim_end_matches('\r').len();
    let (closed, backslashes) = scan_quoted(&toml[start + 1..line_end]);
    push_backslashes(slips, key, start + 1, &backslashes, line.start..line_end);
    if closed.is_some() {
        return i + 1;
    }
    // Not closed on its line: closed on one of the next few (a line break typed inside), or never.
    let mut j = i + 1;
    while j < lines.len() && j <= i + 5 {
        let next = lines[j];
        let next_text = next.text.trim_end_matches('\r');
        if next_text.trim().is_empty() || starts_entry(next_text) {
            break;
        }
        let (closed, backslashes) = scan_quoted(next_text);
        push_backslashes(
            slips,
            key,
            next.start,
            &backslashes,
            next.start..next.start + next_text.len(),
        );
        if closed.is_some() {
            let edits = (i..j)
                .map(|k| {
                    let end = lines[k].start + lines[k].text.len();
                    let following = lines[k + 1].text;
                    let indent = following.len() - following.trim_start_matches(is_space).len();
                    Edit {
                        original: end..end + 1 + indent,
                        replacement: String::new(),
                    }
                })
                .collect();
            slips.push(Slip {
                span: start..line_end,
                key: Some(key.to_string()),
                message: format!(
                    "「{key}」の文字が \" \" の途中で改行されています（{}行分）。\" \" で囲んだ文字は1行に書きます。",
                    j - i + 1
                ),
                hint: "改行を消して1行につなげ、{fixed} と書きます（何行にもわたる文章にするなら \"\"\" と \"\"\" で囲みます）。".to_string(),
                lines: line.start..next.start + next_text.len(),
                place: None,
                notice: false,
                edits,
            });
            return j + 1;
        }
        j += 1;
    }
    let content = &toml[start..line_end];
    let content_end = start + content.trim_end_matches(is_space).len();
    let closing_full_width =
        toml[start..content_end].ends_with(['”', '“']) && content_end - start > 3;
    let edit = if closing_full_width {
        Edit {
            original: content_end - 3..content_end,
            replacement: "\"".to_string(),
        }
    } else {
        Edit {
            original: content_end..content_end,
            replacement: "\"".to_string(),
        }
    };
    slips.push(Slip {
        span: start..content_end,
        key: Some(key.to_string()),
        message: if closing_full_width {
            format!("「{key}」の文字の終わりの \" が全角の ” です。")
        } else {
            format!("「{key}」の文字の終わりの \" がありません。")
        },
        hint: "文字の終わりに半角の \" を書いて、{fixed} と書きます。".to_string(),
        lines: line.start..line_end,
        place: None,
        notice: false,
        edits: vec![edit],
    });
    i + 1
}

/// Scans a basic string's text after its opening `"`: the index after the closing `"`, if any, and
/// the positions of the `\` that start no escape.
fn scan_quoted(text: &str) -> (Option<usize>, Vec<usize>) {
    let mut bad = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((j, c)) = chars.next() {
        match c {
            '"' => return (Some(j + 1), bad),
            '\\' => match chars.peek() {
                Some((_, 'b' | 't' | 'n' | 'f' | 'r' | '"' | '\\' | 'e' | 'u' | 'U' | 'x')) => {
                    chars.next();
                }
                _ => bad.push(j),
            },
            _ => {}
        }
    }
    (None, bad)
}

fn push_backslashes(
    slips: &mut Vec<Slip>,
    key: &str,
    base: usize,
    positions: &[usize],
    lines: Range<usize>,
) {
    let Some(&first) = positions.first() else {
        return;
    };
    slips.push(Slip {
        span: base + first..base + first + 1,
        key: Some(key.to_string()),
        message: format!(
            "「{key}」の文字の中に \\ があります（日本語のキーボードの ¥ キーで入力される文字です）。\" の中では \\ をそのまま書けません。"
        ),
        hint: "円の記号なら全角の ￥ にして、{fixed} と書きます（\\ が要らなければ消します）。".to_string(),
        lines,
        place: None,
        notice: false,
        edits: positions
            .iter()
            .map(|&p| Edit {
                original: base + p..base + p + 1,
                replacement: "￥".to_string(),
            })
            .collect(),
    });
}

/// A `"""` (or `'''`) text: closed on a later line, or running into the next key (its closing line
/// deleted), and any `\` in it that starts no escape.
#[allow(clippy::too_many_arguments)]
fn scan_multiline(
    toml: &str,
    lines: &[Line<'_>],
    i: usize,
    key: &str,
    start: usize,
    delimiter: &str,
    inner: &str,
    slips: &mut Vec<Slip>,
) -> usize {
    let basic = delimiter == "\"\"\"";
    let line = lines[i];
    if inner.contains(delimiter) {
        return i + 1;
    }
    let mut last_text = i;
    let mut j = i + 1;
    while j < lines.len() {
        let current = lines[j];
        let text = current.text.trim_end_matches('\r');
        if starts_entry(text) {
            break;
        }
        if let Some(close) = text.find(delimiter) {
            if basic {
                check_multiline_backslashes(slips, key, current.start, &text[..close]);
            }
            return j + 1;
        }
        if basic {
            check_multiline_backslashes(slips, key, current.start, text);
        }
        if !text.trim().is_empty() {
            last_text = j;
        }
        j += 1;
    }
    // Not closed: the closing line goes after the text's last line.
    let after = lines[last_text].start + lines[last_text].text.len();
    let (at, replacement) = if after < toml.len() {
        (after + 1, format!("{delimiter}\n"))
    } else {
        (toml.len(), format!("\n{delimiter}\n"))
    };
    slips.push(Slip {
        span: start..start + delimiter.len(),
        key: Some(key.to_string()),
        message: format!("「{key}」の文章を閉じる {delimiter} がありません。"),
        hint: format!("文章の最後の行（{{line}}行目）の次に、{delimiter} だけの行を入れます。"),
        lines: line.start..line.start,
        place: Some(lines[last_text].start),
        notice: false,
        edits: vec![Edit {
            original: at..at,
            replacement,
        }],
    });
    j
}

fn check_multiline_backslashes(slips: &mut Vec<Slip>, key: &str, base: usize, text: &str) {
    // A `\` at the end of a line (then only spaces) joins lines: allowed.
    let body = text.trim_end_matches(is_space);
    let body = body
        .strip_suffix('\\')
        .filter(|b| !b.ends_with('\\'))
        .unwrap_or(body);
    let mut bad = Vec::new();
    let mut chars = body.char_indices().peekable();
    while let Some((j, c)) = chars.next() {
        if c == '\\' {
            match chars.peek() {
                Some((_, 'b' | 't' | 'n' | 'f' | 'r' | '"' | '\\' | 'e' | 'u' | 'U' | 'x')) => {
                    chars.next();
                }
                _ => bad.push(j),
            }
        }
    }
    push_backslashes(slips, key, base, &bad, base..base + text.len());
}

/// A `[ … ]` list: 「、」 between items, and a `]` never written.
fn scan_array(
    toml: &str,
    lines: &[Line<'_>],
    i: usize,
    key: &str,
    start: usize,
    slips: &mut Vec<Slip>,
) -> usize {
    let line = lines[i];
    let line_end = line.start + line.text.trim_end_matches('\r').len();
    let mut commas = Vec::new();
    let mut last_item_end = start;
    let mut last_item_line = i;
    let mut j = i;
    let mut at = start;
    loop {
        let end = lines[j].start + lines[j].text.trim_end_matches('\r').len();
        let text = &toml[at..end];
        match scan_items(text) {
            Items::Closed { separators } => {
                commas.extend(separators.iter().map(|s| at + s));
                break;
            }
            Items::Unreadable => return j + 1,
            Items::Open {
                separators,
                last_end,
            } => {
                commas.extend(separators.iter().map(|s| at + s));
                if let Some(e) = last_end {
                    last_item_end = at + e;
                    last_item_line = j;
                }
            }
        }
        // Open at the end of the line: continued on the next lines, or never closed.
        let mut next = j + 1;
        while next < lines.len() && {
            let t = lines[next].text.trim_matches(is_space);
            t.is_empty() || t.starts_with('#')
        } {
            next += 1;
        }
        let continues = next < lines.len() && {
            let t = lines[next].text.trim_start_matches(is_space);
            t.starts_with(['"', '\'', ']', ',']) || t.starts_with(|c: char| c.is_ascii_digit())
        };
        if !continues {
            let owner = lines[last_item_line];
            slips.push(Slip {
                span: last_item_end.saturating_sub(1).max(start)..last_item_end,
                key: Some(key.to_string()),
                message: format!("「{key}」の [ を閉じる ] がありません。"),
                hint: "終わりに半角の ] を書いて、{fixed} と書きます。".to_string(),
                lines: owner.start..owner.start + owner.text.trim_end_matches('\r').len(),
                place: None,
                notice: false,
                edits: vec![Edit {
                    original: last_item_end..last_item_end,
                    replacement: "]".to_string(),
                }],
            });
            push_commas(slips, key, &commas, toml, line.start..line_end);
            return j + 1;
        }
        j = next;
        at = lines[j].start;
    }
    push_commas(slips, key, &commas, toml, line.start..line_end);
    j + 1
}

fn push_commas(
    slips: &mut Vec<Slip>,
    key: &str,
    positions: &[usize],
    toml: &str,
    lines: Range<usize>,
) {
    let Some(&first) = positions.first() else {
        return;
    };
    let written: String = toml[first..]
        .chars()
        .next()
        .map(String::from)
        .unwrap_or_default();
    slips.push(Slip {
        span: first..first + written.len(),
        key: Some(key.to_string()),
        message: format!("「{key}」の区切りに全角の「{written}」が使われています。並べるときは半角の「,」で区切ります。"),
        hint: "{fixed} と書きます。".to_string(),
        lines,
        place: None,
        notice: false,
        edits: positions
            .iter()
            .map(|&p| {
                let width = toml[p..].chars().next().map_or(1, char::len_utf8);
                Edit {
                    original: p..p + width,
                    replacement: ", ".to_string(),
                }
            })
            .collect(),
    });
}

enum Items {
    /// The `]` is on this line; where 「、」 separate items before it.
    Closed { separators: Vec<usize> },
    /// Still open at the end of the line: where 「、」 separate items, and where the last item ends.
    Open {
        separators: Vec<usize>,
        last_end: Option<usize>,
    },
    /// Something the parser will describe better (nested lists, bare words).
    Unreadable,
}

fn scan_items(text: &str) -> Items {
    let mut separators = Vec::new();
    let mut last_end = None;
    let mut j = 0;
    while j < text.len() {
        let Some(c) = text[j..].chars().next() else {
            break;
        };
        match c {
            ']' => return Items::Closed { separators },
            '"' => {
                let (closed, _) = scan_quoted(&text[j + 1..]);
                match closed {
                    Some(end) => {
                        j += 1 + end;
                        last_end = Some(j);
                        continue;
                    }
                    None => return Items::Unreadable,
                }
            }
            '、' | '，' => separators.push(j),
            '#' => break,
            ',' | ' ' | '\t' | '\u{3000}' => {}
            c if c.is_ascii_digit() => last_end = Some(j + 1),
            _ => return Items::Unreadable,
        }
        j += c.len_utf8();
    }
    Items::Open {
        separators,
        last_end,
    }
}

/// A key written twice in one table because the `[[…]]` line before it was deleted: one message
/// at the first repeated key, and the `[[…]]` line inserted before it. `None` for other errors.
fn duplicate_key(
    toml: &str,
    repaired: &str,
    map: &OffsetMap,
    error: &toml::de::Error,
) -> Option<Slip> {
    if !error.message().starts_with("duplicate key") {
        return None;
    }
    let span = error.span()?;
    let key = repaired.get(span.clone())?.trim_matches(['"', '\'']);
    let header = if ROW_KEYS.contains(&key) {
        "[[initiatives.roadmap]]"
    } else if INITIATIVE_KEYS.contains(&key) && key != "roadmap" {
        "[[initiatives]]"
    } else {
        return None;
    };
    let mut original = map.original(span.start).min(toml.len());
    while !toml.is_char_boundary(original) {
        original -= 1;
    }
    let line_start = toml[..original].rfind('\n').map_or(0, |n| n + 1);
    let line_end = toml[line_start..]
        .find('\n')
        .map_or(toml.len(), |n| line_start + n);
    let what = if header == "[[initiatives]]" {
        "取組"
    } else {
        "ロードマップの行"
    };
    Some(Slip {
        span: line_start..line_end,
        key: Some(key.to_string()),
        message: format!(
            "{what}の始まりの {header} の行がないようです。この行からが、前の{what}の続きとして読まれ、「{key}」が2回書かれたことになっています。"
        ),
        hint: format!(
            "{{line}}行目（{}）の前に、{header} だけの行を入れます。",
            toml[line_start..line_end].trim()
        ),
        lines: line_start..line_start,
        place: Some(line_start),
        notice: false,
        edits: vec![Edit {
            original: line_start..line_start,
            replacement: format!("{header}\n"),
        }],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(toml: &str) -> SourceFile {
        SourceFile::new("content/a.md", format!("+++\n{toml}+++\n"))
    }

    #[test]
    fn positions_in_the_repaired_text_map_back() {
        let toml = "a = 1\nbudget = ４，２０２千円\nname = \"x\"\n";
        let repaired = repair(&file(toml), 4, toml).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(repaired.text, "a = 1\nbudget = 4202\nname = \"x\"\n");
        let name = repaired.text.find("name").unwrap_or_default();
        assert_eq!(
            repaired.map.original(name),
            toml.find("name").unwrap_or_default()
        );
        let value = repaired.text.find("4202").unwrap_or_default();
        assert_eq!(
            repaired.map.original(value),
            toml.find('４').unwrap_or_default()
        );
    }

    #[test]
    fn numbers_are_exact_or_refused() {
        let read = |text: &str| number_as_written("budget", text);
        assert_eq!(read("4,202千円").as_deref(), Some("4202"));
        assert_eq!(read("420.2万円").as_deref(), Some("4202"));
        assert_eq!(read("1.5億円").as_deref(), Some("150000"));
        assert_eq!(read("4,202,000円").as_deref(), Some("4202"));
        assert_eq!(
            read("18,446,744,073,709,551,615千円").as_deref(),
            Some("18446744073709551615")
        );
        assert_eq!(read("18,446,744,073,709,551,616千円"), None);
        for refused in [
            "420.25万円",
            "4,202,500円",
            "42,02",
            "4202.5",
            "四千",
            "1,2345",
        ] {
            assert_eq!(read(refused), None, "{refused}");
        }
        assert_eq!(
            number_as_written("sheet_number", "１２").as_deref(),
            Some("12")
        );
        assert_eq!(number_as_written("name", "12"), None);
    }

    #[test]
    fn lists_over_several_lines_are_not_slips() {
        let toml = "departments = [\n  \"a\",\n  \"b\",\n]\nbudget = 4,202\n";
        let repaired = repair(&file(toml), 4, toml).unwrap_or_else(|e| panic!("{e:?}"));
        assert!(repaired.errors.is_empty(), "{:?}", repaired.errors);
        assert_eq!(repaired.notices.len(), 1);
    }

    #[test]
    fn an_unreadable_line_is_reported_once_in_japanese() {
        let toml = "name = \"x\"\n[[initiatives]\ntitle = \"t\"\nlabel = [\n";
        let errors = match repair(&file(toml), 4, toml) {
            Ok(r) => r.errors,
            Err(e) => e,
        };
        assert!(!errors.is_empty());
        for e in &errors {
            assert!(!e.to_string().contains("expected"), "{e}");
        }
    }
}
