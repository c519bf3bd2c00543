//! The full-text search index, searched in the browser with no server.
//!
//! Japanese has no spaces, so the index is built on characters, not words: every character and every
//! pair of neighbouring characters (uni- and bigrams) of a project's normalised text points to the
//! projects that contain it. A query's grams narrow the candidates; the browser then confirms each
//! candidate by plain substring search in its text, so a query finds exactly the projects whose text
//! contains it, whatever a word segmenter would have made of it. Normalisation (NFKC, then lower
//! case) is the same here and in `search.js`, so 「ＩＣＴ」 finds "ict" and 「ﾄﾞﾛｰﾝ」 finds 「ドローン」.
//!
//! Files, so that a query downloads little even for tens of thousands of projects:
//! - `search/meta.json`: how many documents, gram shards and documents per chunk there are;
//! - `search/grams/<n>.json`: the posting lists of the grams whose hash falls in shard `n`;
//! - `search/docs/<n>.json`: the projects `n*chunk ..`, with their display fields and plain text.
//!
//! Two layouts, chosen by size (measured, see the closing note of issue 5): a small site ships all
//! documents in one chunk and no gram index, so a query is one small download; a large site ships gram
//! shards and one document per file, so a query downloads the shards of its grams and only the
//! documents of the results it shows.

use super::EncodeError;
use std::cell::RefCell;
use std::collections::BTreeMap;

use rustc_hash::{FxHashMap, FxHashSet};

use rayon::prelude::*;

use serde::Serialize;
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc_quick};

use crate::model::{Project, Site};

/// Target size of a gram shard's JSON, in bytes.
const SHARD_TARGET_BYTES: usize = 48 * 1024;
/// Up to this much document text in all, the browser downloads every document and scans it, and no
/// gram index is written: measured on the real site (27 projects), the documents are 47 KB while the
/// gram shards would add 90 KB, so the index only pays off for larger sites.
const SCAN_ALL_BYTES: usize = 256 * 1024;

/// One project as the search page shows and searches it.
#[derive(Debug, Clone, Serialize)]
pub struct SearchDoc {
    /// URL relative to the site root.
    pub u: String,
    /// Name.
    pub n: String,
    /// Category.
    pub c: String,
    /// Departments, joined with 「・」.
    pub d: String,
    /// Budget in thousand yen, grouped (「4,202」).
    pub b: String,
    /// Every searchable text, plain, one field per line.
    pub t: String,
}

#[derive(Serialize)]
struct Meta {
    docs: usize,
    chunk: usize,
    shards: usize,
    /// Variant spellings searched as one, in search form ([`Variants`]).
    variants: Variants,
}

/// Kana and figures as people type them: katakana as hiragana, small kana as full-size, no
/// long-vowel mark, no comma between digits — 「どろーん」 finds 「ドローン」, 「77952」 finds 「77,952」.
/// Applied after [`normalize`] to the index and to queries alike (the same steps are in search.js).
pub fn fold(text: &str) -> String {
    folded(text).collect()
}

/// The characters of [`fold`]`(text)`, one by one.
fn folded(text: &str) -> impl Iterator<Item = char> + '_ {
    let mut chars = text.chars().peekable();
    let mut last: Option<char> = None;
    std::iter::from_fn(move || {
        loop {
            let c = chars.next()?;
            if c == ','
                && last.is_some_and(|p| p.is_ascii_digit())
                && chars.peek().is_some_and(char::is_ascii_digit)
            {
                continue;
            }
            if let Some(folded) = fold_kana(c) {
                last = Some(folded);
                return Some(folded);
            }
        }
    })
}

/// One kana folded: `None` for the long-vowel mark, which is left out.
fn fold_kana(c: char) -> Option<char> {
    let hiragana = match c {
        '\u{30A1}'..='\u{30F6}' => char::from_u32(u32::from(c) - 0x60).unwrap_or(c),
        'ー' => return None,
        _ => c,
    };
    Some(match hiragana {
        'ぁ' => 'あ',
        'ぃ' => 'い',
        'ぅ' => 'う',
        'ぇ' => 'え',
        'ぉ' => 'お',
        'っ' => 'つ',
        'ゃ' => 'や',
        'ゅ' => 'ゆ',
        'ょ' => 'よ',
        'ゎ' => 'わ',
        'ゕ' => 'か',
        'ゖ' => 'け',
        other => other,
    })
}

/// Text as search compares it, in the index and in queries: [`normalize`], then [`fold`].
pub fn search_form(text: &str) -> String {
    fold(&normalize(text))
}

/// Variant spellings searched as one (子ども／子供／こども), in search form. A query term that holds
/// one spelling of a group also looks for the group's other spellings ([`Variants::alternatives`]);
/// the text searched is left as written, so 「子」 still finds 「子供」.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(transparent)]
pub struct Variants {
    groups: Vec<Vec<String>>,
}

/// Most alternatives one query term is expanded to, so that a term touching many groups stays cheap.
const MAX_ALTERNATIVES: usize = 16;

impl Variants {
    pub fn new(groups: &[Vec<String>]) -> Variants {
        let groups = groups
            .iter()
            .map(|group| {
                let mut spellings: Vec<String> = Vec::new();
                for spelling in group.iter().map(|v| search_form(v)) {
                    if !spelling.is_empty() && !spellings.contains(&spelling) {
                        spellings.push(spelling);
                    }
                }
                spellings
            })
            .filter(|group| group.len() > 1)
            .collect();
        Variants { groups }
    }

    /// The spellings a term (in search form) is looked for as: itself first, then, for each group
    /// whose spelling it holds (the longest one it holds), the term with that spelling replaced by
    /// each other spelling of the group; at most [`MAX_ALTERNATIVES`].
    pub fn alternatives(&self, term: &str) -> Vec<String> {
        let mut out = vec![term.to_string()];
        for group in &self.groups {
            let Some(held) = group
                .iter()
                .filter(|spelling| term.contains(spelling.as_str()))
                .max_by_key(|spelling| spelling.chars().count())
            else {
                continue;
            };
            let mut expanded = Vec::new();
            for known in &out {
                for spelling in group {
                    let alternative = known.replace(held.as_str(), spelling);
                    if !out.contains(&alternative) && !expanded.contains(&alternative) {
                        expanded.push(alternative);
                    }
                }
            }
            out.extend(expanded);
            out.truncate(MAX_ALTERNATIVES);
        }
        out
    }
}

/// Normalises text for search: NFKC, then lower case (as `s.normalize('NFKC').toLowerCase()`).
///
/// Most of a project's text is already in NFKC, and full NFKC (decompose, reorder, recompose) was
/// the largest part of building the index; so the text is cut into pieces after characters that
/// never combine with a neighbour (「、」「。」, line breaks). A piece of characters that are their
/// own NFKC whatever their neighbours, and of full-width forms of ASCII (「（」「１」「Ａ」, each
/// one such character in NFKC), is mapped character by character ([`push_simple`]); only other
/// pieces go through Unicode's quick check, and those it does not pass through NFKC. The result is
/// the same as normalising the whole text.
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for piece in text.split_inclusive(is_stable_boundary) {
        let start = out.len();
        if push_simple(piece, &mut out) {
            // Only ASCII letters among what was pushed have a lower case.
            if let Some(pushed) = out.get_mut(start..) {
                pushed.make_ascii_lowercase();
            }
            continue;
        }
        out.truncate(start);
        if is_nfkc_quick(piece.chars()) == IsNormalized::Yes {
            piece.chars().for_each(|c| push_lowercase(&mut out, c));
        } else {
            piece.nfkc().for_each(|c| push_lowercase(&mut out, c));
        }
    }
    out
}

/// Appends `piece` in NFKC, full-width forms made narrow ([`narrow`]), when each of its characters
/// is [`is_always_nfkc`] or has a narrow form; otherwise appends part of it and returns false. Both
/// kinds of character, and what the full-width ones become (ASCII), are starters that no character
/// of either kind composes with, so mapping each on its own is NFKC of the whole piece.
fn push_simple(piece: &str, out: &mut String) -> bool {
    // The start of the characters not yet appended, which are appended as they are.
    let mut kept = 0;
    for (at, c) in piece.char_indices() {
        if is_always_nfkc(c) {
            continue;
        }
        let Some(narrow) = narrow(c) else {
            return false;
        };
        out.push_str(piece.get(kept..at).unwrap_or_default());
        out.push(narrow);
        kept = at + c.len_utf8();
    }
    out.push_str(piece.get(kept..).unwrap_or_default());
    true
}

/// The ASCII character that a full-width form (U+FF01–U+FF5E: 「（」「１」「Ａ」「～」) or the
/// ideographic space is in NFKC.
fn narrow(c: char) -> Option<char> {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0),
        '\u{3000}' => Some(' '),
        _ => None,
    }
}

/// Characters that are their own NFKC, never compose with what is before or after them, and are
/// frequent in Japanese prose: normalising the text on either side of one separately changes nothing.
fn is_stable_boundary(c: char) -> bool {
    matches!(c, '\n' | '、' | '。')
}

/// Characters that are NFKC whatever their neighbours (ASCII, kana, the common kanji and
/// punctuation of Japanese prose): a piece of only these needs no table look-up at all.
fn is_always_nfkc(c: char) -> bool {
    c.is_ascii()
        || matches!(c,
            '\u{3001}'..='\u{3002}' // 、。
            | '\u{300C}'..='\u{300F}' // 「」『』
            | '\u{3041}'..='\u{3096}' // hiragana
            | '\u{30A1}'..='\u{30FC}' // katakana, ・ and ー
            | '\u{4E00}'..='\u{9FFF}') // CJK unified ideographs
}

/// Appends the lower case of `c`; Japanese kana and kanji (U+3000–U+9FFF) have no case, so they
/// skip the case tables.
fn push_lowercase(out: &mut String, c: char) {
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
    } else if ('\u{3000}'..='\u{9FFF}').contains(&c) {
        out.push(c);
    } else {
        out.extend(c.to_lowercase());
    }
}

/// FNV-1a over UTF-8 bytes; the same function is in `search.js`.
pub fn gram_hash(gram: &str) -> u32 {
    let mut hash: u32 = 0x811c_9dc5;
    for byte in gram.bytes() {
        hash ^= u32::from(byte);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    hash
}

/// The plain text of a project that search looks in: every text of the sheet and the names of its
/// category, departments and sections.
pub fn document(site: &Site, project: &Project) -> SearchDoc {
    let vocabulary = &site.vocabulary;
    let departments: Vec<&str> = project
        .departments
        .iter()
        .map(|&d| vocabulary.department(d).name.as_str())
        .collect();
    let sections: Vec<&str> = project
        .sections
        .iter()
        .map(|&s| vocabulary.section(s).name.as_str())
        .collect();
    let mut text = Lines::default();
    text.line(&project.name);
    text.markdown(&project.overview);
    text.markdown(&project.situation);
    text.markdown(&project.outcome);
    for initiative in &project.initiatives {
        text.line(&initiative.title);
        text.markdown(&initiative.description);
        for row in &initiative.roadmap {
            text.line(&row.label);
            row.year_labels.values().for_each(|label| text.line(label));
        }
    }
    text.markdown(&project.notes);
    // What the pages say of the project besides its texts: its budget (found as 「77,952」 or
    // 「77952」) and its flags (「重点枠」).
    text.line(&format!("事業費 {}千円", project.budget.grouped()));
    if project.priority {
        text.line("重点枠事業");
    }
    if project.future {
        text.line("将来対応分");
    }
    text.line(&vocabulary.category(project.category).name);
    text.line(&departments.join("・"));
    text.line(&sections.join("・"));
    SearchDoc {
        u: super::routes::project_url(project),
        n: project.name.clone(),
        c: vocabulary.category(project.category).name.clone(),
        d: departments.join("・"),
        b: project.budget.grouped(),
        t: text.text,
    }
}

/// A document's text as it is made: one field a line, blank fields left out.
#[derive(Default)]
struct Lines {
    text: String,
    /// The plain text of the Markdown field being added.
    plain: String,
}

impl Lines {
    /// Adds `line` unless it is blank.
    fn line(&mut self, line: &str) {
        if line.trim().is_empty() {
            return;
        }
        if !self.text.is_empty() {
            self.text.push('\n');
        }
        self.text.push_str(line);
    }

    /// Adds Markdown as one line of plain text ([`push_plain`]) unless it is blank.
    fn markdown(&mut self, markdown: &str) {
        let mut plain = std::mem::take(&mut self.plain);
        plain.clear();
        push_plain(markdown, &mut plain);
        self.line(plain.trim());
        self.plain = plain;
    }
}

/// Appends Markdown as one line of plain text (list markers and emphasis removed), not trimmed:
/// its texts, a space after each paragraph and list item.
fn push_plain(markdown: &str, out: &mut String) {
    // One line of text and nothing else is its own plain text (the parser is not needed).
    if let Some(text) = crate::markdown::plain_paragraph(markdown) {
        out.push_str(text);
        out.push(' ');
        return;
    }
    for event in pulldown_cmark::Parser::new(markdown) {
        match event {
            pulldown_cmark::Event::Text(t) | pulldown_cmark::Event::Code(t) => out.push_str(&t),
            pulldown_cmark::Event::End(
                pulldown_cmark::TagEnd::Paragraph | pulldown_cmark::TagEnd::Item,
            ) => out.push(' '),
            _ => {}
        }
    }
}

/// One project's part of the search index: its document as JSON and its distinct grams. Made once
/// per project with its open data ([`super::data::ProjectData`]), so that the preview, which keeps
/// them, makes again only the changed projects'.
#[derive(Debug, Default)]
pub struct SearchEntry {
    json: Box<[u8]>,
    grams: Grams,
}

impl SearchEntry {
    /// The entry of `project` of `site`.
    pub fn of(site: &Site, project: &Project) -> Result<SearchEntry, EncodeError> {
        let doc = document(site, project);
        let path = format!("search/docs/（{}）", project.slug);
        // The text is most of the JSON: room for it at once rather than growing to it.
        let mut json = Vec::with_capacity(doc.t.len() + doc.n.len() + 256);
        serde_json::to_writer(&mut json, &doc).map_err(|e| EncodeError::json(&path, &e))?;
        Ok(SearchEntry {
            json: json.into_boxed_slice(),
            grams: document_grams(&doc),
        })
    }
}

/// Writes every file of `search/` with `write(path relative to the output, bytes)`, as each is made,
/// from `entries`, those of the site's projects in their order; returns how many files there are.
pub fn write_files<E: Send + From<EncodeError>>(
    site: &Site,
    entries: &[&SearchEntry],
    write: &super::WriteFile<'_, E>,
) -> Result<usize, E> {
    let variants = Variants::new(&site.vocabulary.search_variants());
    // Up to SCAN_ALL_BYTES of documents, every document in one file and no gram index.
    let all_bytes = 2 + entries.iter().map(|e| e.json.len() + 1).sum::<usize>();
    if all_bytes <= SCAN_ALL_BYTES {
        let meta = Meta {
            docs: entries.len(),
            chunk: entries.len().max(1),
            shards: 0,
            variants,
        };
        write("search/meta.json", &[&to_json("search/meta.json", &meta)?])?;
        write("search/docs/0.json", &json_array(entries))?;
        return Ok(2);
    }
    entries
        .par_chunks(CHUNK)
        .enumerate()
        .try_for_each(|(n, chunk)| write(&format!("search/docs/{n}.json"), &json_array(chunk)))?;
    let shards = gram_shards(postings(entries));
    let meta = Meta {
        docs: entries.len(),
        chunk: CHUNK,
        shards: shards.len(),
        variants,
    };
    write("search/meta.json", &[&to_json("search/meta.json", &meta)?])?;
    shards.par_iter().enumerate().try_for_each(|(n, shard)| {
        let path = format!("search/grams/{n}.json");
        write(&path, &[&to_json(&path, shard)?])
    })?;
    Ok(shards.len() + 1 + entries.len().div_ceil(CHUNK))
}

/// Documents per file of a large site: 16 (about 50 KB) — a query that finds one project loads
/// one such file; the build writes a sixteenth of the files (and of their system calls) it wrote
/// with one document per file.
const CHUNK: usize = 16;

/// The documents of `entries` as one JSON array, as serde_json writes a list of them, in parts
/// (each document as its entry keeps it).
fn json_array<'e>(entries: &[&'e SearchEntry]) -> Vec<&'e [u8]> {
    super::json_list_parts(b"[", entries.iter().map(|e| &*e.json), b"]")
}

/// The posting lists of every uni- and bigram: gram → ids (positions in `entries`) of the documents
/// containing it, ascending.
fn postings(entries: &[&SearchEntry]) -> FxHashMap<GramKey, Vec<u32>> {
    let mut postings: FxHashMap<GramKey, Vec<u32>> = FxHashMap::default();
    for (id, entry) in entries.iter().enumerate() {
        for key in entry.grams.keys() {
            postings.entry(key).or_default().push(id as u32);
        }
    }
    postings
}

/// A uni- or bigram as a number: the first character in the high half, the second (or none) in the
/// low half. Cheaper to collect than strings; turned into text only when shards are written.
type GramKey = u64;
const NO_SECOND: u64 = 0xFFFF_FFFF;

fn gram_key(first: char, second: Option<char>) -> GramKey {
    (u64::from(first) << 32) | second.map_or(NO_SECOND, u64::from)
}

/// A document's distinct grams. Those of characters below U+FFFF (all of Japanese text but rare
/// kanji and emoji) are kept in 32 bits ([`short_key`]): the grams of 30,000 documents were the
/// largest thing a build of three editions held, 180 MB in 64 bits.
#[derive(Debug, Default)]
struct Grams {
    short: Box<[u32]>,
    long: Box<[GramKey]>,
}

impl Grams {
    fn keys(&self) -> impl Iterator<Item = GramKey> + '_ {
        let short = self.short.iter().map(|&key| long_key(key));
        short.chain(self.long.iter().copied())
    }
}

/// `key` in 32 bits, when both its characters are below U+FFFF: the first in the high half, the
/// second in the low half, U+FFFF (which is no character) for none.
fn short_key(key: GramKey) -> Option<u32> {
    let first = u32::try_from(key >> 32).ok().filter(|&c| c < 0xFFFF)?;
    let second = match key & NO_SECOND {
        NO_SECOND => 0xFFFF,
        c => u32::try_from(c).ok().filter(|&c| c < 0xFFFF)?,
    };
    Some((first << 16) | second)
}

/// The [`GramKey`] of a [`short_key`].
fn long_key(short: u32) -> GramKey {
    let second = match short & 0xFFFF {
        0xFFFF => NO_SECOND,
        second => u64::from(second),
    };
    (u64::from(short >> 16) << 32) | second
}

fn gram_text(key: GramKey) -> String {
    let first = char::from_u32((key >> 32) as u32);
    let second = char::from_u32((key & NO_SECOND) as u32);
    first.into_iter().chain(second).collect()
}

/// The distinct grams of one document, in no particular order; grams of white space only are left
/// out. Made with the thread's own [`GramScratch`], used again for the next document rather than
/// allocated for each.
fn document_grams(doc: &SearchDoc) -> Grams {
    thread_local! {
        static SCRATCH: RefCell<GramScratch> = RefCell::new(GramScratch::default());
    }
    let normalized = normalize(&doc.t);
    SCRATCH.with(|scratch| match scratch.try_borrow_mut() {
        Ok(mut scratch) => scratch.grams(&normalized),
        // Only if a document's grams were asked for while making another's on this thread.
        Err(_) => GramScratch::default().grams(&normalized),
    })
}

/// What collecting a document's distinct grams needs, kept from one document to the next. A
/// document has about 1,200 grams (a unigram and a bigram a character), 750 of them distinct:
/// sorting them was a third of making a search entry, and putting every one into a hash set a
/// third of what was left (3 × 10,000 projects, `perf`). So a unigram below
/// U+FFFF (nearly all of them) is looked up in a table by its character, which remembers the last
/// document it was seen in (nothing to empty between documents); only bigrams go into a set, in
/// 32 bits when they can ([`short_key`]).
struct GramScratch {
    /// For each character below U+FFFF, the number of the last document it was a unigram of
    /// (0: none yet).
    unigram_seen: Box<[u32]>,
    /// The number of the document being collected: 1, 2, … (wraps to 1 after emptying the table).
    document: u32,
    /// The unigrams of the document so far that the table holds, in 32 bits.
    unigrams: Vec<u32>,
    /// The bigrams of the document so far that fit in 32 bits.
    short: FxHashSet<u32>,
    /// The other grams of the document so far (of U+FFFF or of characters above it).
    long: FxHashSet<GramKey>,
}

impl Default for GramScratch {
    fn default() -> GramScratch {
        GramScratch {
            unigram_seen: vec![0; 0xFFFF].into_boxed_slice(),
            document: 0,
            unigrams: Vec::new(),
            short: FxHashSet::default(),
            long: FxHashSet::default(),
        }
    }
}

impl GramScratch {
    /// The distinct grams of `normalized` text.
    fn grams(&mut self, normalized: &str) -> Grams {
        self.next_document();
        // About one bigram for every three bytes of Japanese text (a character each).
        self.short.reserve(normalized.len() / 3);
        let mut previous: Option<char> = None;
        for c in folded(normalized) {
            if let Some(p) = previous
                && !(p.is_whitespace() && c.is_whitespace())
            {
                self.add(gram_key(p, Some(c)));
            }
            if !c.is_whitespace() {
                match self.unigram_seen.get_mut(c as usize) {
                    Some(seen) if *seen != self.document => {
                        *seen = self.document;
                        self.unigrams.push((u32::from(c) << 16) | 0xFFFF);
                    }
                    Some(_) => {}
                    None => self.add(gram_key(c, None)),
                }
            }
            previous = Some(c);
        }
        let mut short = Vec::with_capacity(self.unigrams.len() + self.short.len());
        short.append(&mut self.unigrams);
        short.extend(self.short.drain());
        let grams = Grams {
            short: short.into_boxed_slice(),
            long: self.long.drain().collect(),
        };
        // A set grown for an unusually long text is not kept for the thread's life.
        if self.short.capacity() > KEPT_SET_CAPACITY {
            self.short = FxHashSet::default();
        }
        grams
    }

    /// Starts a document: a new number, so that no unigram counts as seen.
    fn next_document(&mut self) {
        self.document = self.document.wrapping_add(1);
        if self.document == 0 {
            self.unigram_seen.fill(0);
            self.document = 1;
        }
    }

    /// Adds a gram that the unigram table does not hold.
    fn add(&mut self, key: GramKey) {
        match short_key(key) {
            Some(short) => self.short.insert(short),
            None => self.long.insert(key),
        };
    }
}

/// Room for the bigrams of a text of about 100 KB: a set that grew larger is dropped after use.
const KEPT_SET_CAPACITY: usize = 1 << 16;

/// The gram shards, each near the target size as JSON: gram → ids, grams sorted within a shard.
fn gram_shards(postings: FxHashMap<GramKey, Vec<u32>>) -> Vec<BTreeMap<String, Vec<u32>>> {
    let postings: Vec<(String, Vec<u32>)> = postings
        .into_iter()
        .map(|(key, ids)| (gram_text(key), ids))
        .collect();
    let estimated: usize = postings
        .iter()
        .map(|(g, ids)| g.len() + 6 + ids.len() * 4)
        .sum();
    let shards = estimated.div_ceil(SHARD_TARGET_BYTES).max(1);
    let mut sharded: Vec<BTreeMap<String, Vec<u32>>> = vec![BTreeMap::new(); shards];
    for (gram, ids) in postings {
        sharded[gram_hash(&gram) as usize % shards].insert(gram, ids);
    }
    sharded
}

fn to_json<T: Serialize + ?Sized>(path: &str, value: &T) -> Result<Vec<u8>, EncodeError> {
    serde_json::to_vec(value).map_err(|e| EncodeError::json(path, &e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalisation_folds_width_and_case() {
        assert_eq!(normalize("ＩＣＴ"), "ict");
        assert_eq!(normalize("Ｅｍｏｔｅｔ"), "emotet");
        assert_eq!(normalize("ＤＸ推進"), "dx推進");
        assert_eq!(normalize("①"), "1");
        assert_eq!(normalize("　"), " ");
        assert_eq!(normalize("ﾄﾞﾛｰﾝ"), "ドローン");
    }

    /// The reference: NFKC of the whole text, then lower case, as `search.js` does.
    fn normalize_whole(text: &str) -> String {
        text.nfkc().flat_map(char::to_lowercase).collect()
    }

    #[test]
    fn characters_taken_as_nfkc_are_stable_starters() {
        let checked = (0..=0x10FFFF_u32)
            .filter_map(char::from_u32)
            .filter(|&c| is_always_nfkc(c))
            .inspect(|&c| {
                let code = u32::from(c);
                assert_eq!(
                    is_nfkc_quick(std::iter::once(c)),
                    IsNormalized::Yes,
                    "U+{code:04X} is not NFKC"
                );
                assert_eq!(
                    unicode_normalization::char::canonical_combining_class(c),
                    0,
                    "U+{code:04X} combines"
                );
            })
            .count();
        assert!(checked > 20_000, "{checked}");
    }

    #[test]
    fn narrow_forms_are_nfkc() {
        let mut narrowed = 0;
        for c in (0..=0x10FFFF_u32).filter_map(char::from_u32) {
            let Some(n) = narrow(c) else { continue };
            narrowed += 1;
            let code = u32::from(c);
            assert_eq!(c.nfkc().collect::<String>(), n.to_string(), "U+{code:04X}");
            assert!(is_always_nfkc(n), "U+{code:04X}");
        }
        assert_eq!(narrowed, 0xFF5E - 0xFF01 + 2);
    }

    #[test]
    fn kana_and_kanji_have_no_case() {
        for c in ('\u{3000}'..='\u{9FFF}').filter(|c| !c.is_ascii()) {
            assert!(
                c.to_lowercase().eq(std::iter::once(c)),
                "U+{:04X} has a lower case",
                u32::from(c)
            );
        }
    }

    #[test]
    fn the_real_texts_normalise_as_a_whole() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut checked = 0;
        for entry in std::fs::read_dir(root.join("content/r6")).expect("content") {
            let path = entry.expect("entry").path();
            if path.extension().is_none_or(|e| e != "md") {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("read");
            assert_eq!(normalize(&text), normalize_whole(&text));
            checked += 1;
        }
        assert!(checked >= 27, "only {checked} files");
    }

    /// Pieces of text where NFKC is not trivial: characters that compose with a neighbour
    /// (combining marks, half-width kana and their voicing marks), compatibility characters,
    /// full-width letters, upper case, and the characters the text is cut at.
    const TRICKY: &[&str] = &[
        "、", "。", "\n", " ", "A", "e", "Å", "Σ", "σ", "\u{0300}", "\u{0301}", "\u{0327}", "か",
        "ハ", "ｶ", "ﾊ", "ﾞ", "ﾟ", "\u{3099}", "\u{309A}", "ＤＸ", "①", "㍻", "㌔", "漢", "（", "）",
        "１", "Ａ", "ｅ", "～", "　",
    ];

    proptest::proptest! {
        /// Pieces cut at 「、」「。」 and line breaks normalise as the whole text does, whatever
        /// surrounds the cuts.
        #[test]
        fn normalising_in_pieces_is_normalising_the_whole(
            pieces in proptest::collection::vec(proptest::sample::select(TRICKY), 0..24)
        ) {
            let text = pieces.concat();
            proptest::prop_assert_eq!(normalize(&text), normalize_whole(&text));
        }
    }

    /// A document with only searchable text.
    fn text_only(text: &str) -> SearchDoc {
        SearchDoc {
            u: String::new(),
            n: String::new(),
            c: String::new(),
            d: String::new(),
            b: String::new(),
            t: text.to_string(),
        }
    }

    #[test]
    fn gram_keys_round_trip_and_skip_white_space() {
        assert_eq!(gram_text(gram_key('ド', None)), "ド");
        assert_eq!(gram_text(gram_key('ド', Some('ロ'))), "ドロ");
        let grams: Vec<String> = sorted(document_grams(&text_only("ab  c")).keys().collect())
            .into_iter()
            .map(gram_text)
            .collect();
        let mut expected = vec!["a", "b", "c", "ab", "b ", " c"];
        expected.sort_by_key(|g| {
            let mut chars = g.chars();
            gram_key(chars.next().unwrap_or(' '), chars.next())
        });
        assert_eq!(grams, expected);
    }

    #[test]
    fn grams_below_u_ffff_are_kept_short() {
        let cases = [
            ('ド', None, true),
            ('ド', Some('ロ'), true),
            ('\u{0}', Some('\u{0}'), true),
            ('\u{FFFE}', Some('\u{FFFE}'), true),
            ('\u{FFFF}', None, false),
            ('ド', Some('\u{FFFF}'), false),
            ('𠮷', None, false),
            ('ド', Some('𠮷'), false),
            ('𠮷', Some('ド'), false),
        ];
        for (first, second, short) in cases {
            let key = gram_key(first, second);
            assert_eq!(short_key(key).is_some(), short, "{first:?} {second:?}");
            if let Some(s) = short_key(key) {
                assert_eq!(long_key(s), key, "{first:?} {second:?}");
            }
        }
        let grams = document_grams(&text_only("吉𠮷ド"));
        assert_eq!((grams.short.len(), grams.long.len()), (2, 3));
    }

    /// Each document's unigrams are its own: the table remembers the document a character was
    /// last seen in, also when the documents' numbers wrap around.
    #[test]
    fn documents_one_after_another_keep_their_own_grams() {
        let grams = |scratch: &mut GramScratch, text: &str| {
            sorted(scratch.grams(&normalize(text)).keys().collect())
        };
        let mut scratch = GramScratch::default();
        let alone = |text: &str| grams(&mut GramScratch::default(), text);
        assert_eq!(grams(&mut scratch, "え"), alone("え"));
        assert_eq!(grams(&mut scratch, "あいう"), alone("あいう"));
        assert_eq!(grams(&mut scratch, "あいう"), alone("あいう"));
        scratch.document = u32::MAX - 1;
        assert_eq!(grams(&mut scratch, "あいう"), alone("あいう"));
        assert_eq!(scratch.document, u32::MAX);
        // Numbered 1 again, as the first document was, whose 「え」 the table must have forgotten.
        assert_eq!(
            grams(&mut scratch, "え"),
            alone("え"),
            "after wrapping around"
        );
        assert_eq!(scratch.document, 1);
    }

    fn sorted(mut keys: Vec<GramKey>) -> Vec<GramKey> {
        keys.sort_unstable();
        keys
    }

    /// The reference: every character and pair of neighbours of the text in search form, but
    /// grams of white space only, distinct and in order.
    fn grams_of_search_form(text: &str) -> Vec<GramKey> {
        let chars: Vec<char> = search_form(text).chars().collect();
        let unigrams = chars
            .iter()
            .filter(|c| !c.is_whitespace())
            .map(|&c| gram_key(c, None));
        let bigrams = chars
            .windows(2)
            .filter(|w| !(w[0].is_whitespace() && w[1].is_whitespace()))
            .map(|w| gram_key(w[0], Some(w[1])));
        let mut keys: Vec<GramKey> = unigrams.chain(bigrams).collect();
        keys.sort_unstable();
        keys.dedup();
        keys
    }

    /// Characters that folding and gramming treat specially: digits and commas, kana with small
    /// and half-width forms, the long-vowel mark, white space and a piece that NFKC splits.
    const FOLDED: &[&str] = &[
        "1", "2", ",", "，", "ア", "ァ", "ｱ", "ｧ", "ッ", "ー", "ｰ", "ﾞ", "か", " ", "\n", "　", "A",
        "漢", "㍻", "𠮷", "\u{FFFE}", "\u{FFFF}",
    ];

    proptest::proptest! {
        /// Folding and gramming in one pass give the grams of the whole text in search form.
        #[test]
        fn grams_are_those_of_the_search_form(
            pieces in proptest::collection::vec(proptest::sample::select(FOLDED), 0..24)
        ) {
            let text = pieces.concat();
            let grams = document_grams(&text_only(&text)).keys().collect();
            proptest::prop_assert_eq!(sorted(grams), grams_of_search_form(&text));
        }
    }

    #[test]
    fn hash_matches_the_reference_values() {
        // FNV-1a 32-bit reference values.
        assert_eq!(gram_hash(""), 0x811c_9dc5);
        assert_eq!(gram_hash("a"), 0xe40c_292c);
        assert_eq!(gram_hash("foobar"), 0xbf9c_f968);
    }

    #[test]
    fn folding_makes_kana_and_figures_as_typed_equal() {
        assert_eq!(search_form("ドローン"), search_form("どろーん"));
        assert_eq!(search_form("ﾄﾞﾛｰﾝ"), search_form("どろーん"));
        assert_eq!(search_form("ヴァーチャル"), "ゔあちやる");
        assert_eq!(search_form("シャッター"), search_form("しやつた"));
        assert_eq!(search_form("77,952千円"), "77952千円");
        assert_eq!(search_form("１，３９２，５２０"), "1392520");
        // Only a comma between two digits goes: a list keeps its commas.
        assert_eq!(fold("a, 1,b ,2"), "a, 1,b ,2");
        assert_eq!(fold("1,2,3"), "123");
        // Kanji, Latin letters and other marks stay.
        assert_eq!(search_form("医療ＩＣＴ・DX"), "医療ict・dx");
    }

    #[test]
    fn a_term_is_looked_for_in_every_spelling_of_its_groups() {
        let variants = Variants::new(&[
            vec!["こども".into(), "子ども".into(), "子供".into()],
            vec!["取組".into(), "取り組み".into(), "取組み".into()],
            // Folds to one spelling: not a group.
            vec!["データ".into(), "でーた".into()],
        ]);
        assert_eq!(variants.groups.len(), 2);
        assert_eq!(
            variants.alternatives("子供の居場所"),
            ["子供の居場所", "こどもの居場所", "子どもの居場所"]
        );
        // The longest spelling held is the one replaced: 「取組み」, not its 「取組」.
        assert_eq!(
            variants.alternatives("取組み"),
            ["取組み", "取組", "取り組み"]
        );
        // Two groups in one term: every combination, the term first.
        let both = variants.alternatives("子供の取組");
        assert_eq!(both.len(), 9);
        assert_eq!(both[0], "子供の取組");
        assert!(both.contains(&"こどもの取り組み".to_string()));
        // A term holding none is itself only.
        assert_eq!(variants.alternatives("医療"), ["医療"]);
    }

    #[test]
    fn alternatives_are_bounded() {
        let groups: Vec<Vec<String>> = (0..6)
            .map(|n| vec![format!("a{n}"), format!("b{n}"), format!("c{n}")])
            .collect();
        let variants = Variants::new(&groups);
        assert_eq!(
            variants.alternatives("a0a1a2a3a4a5").len(),
            MAX_ALTERNATIVES
        );
    }

    /// Markdown as the one line a document's text has of it.
    fn plain(markdown: &str) -> String {
        let mut lines = Lines::default();
        lines.markdown(markdown);
        lines.text
    }

    #[test]
    fn plain_text_drops_markup() {
        assert_eq!(plain("- 一つ目\n- 二つ目"), "一つ目 二つ目");
        assert_eq!(plain("**強調**と`コード`"), "強調とコード");
    }
}
