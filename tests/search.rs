//! The search index answers every query exactly: running the browser's algorithm (gram candidates,
//! then substring confirmation) over the written files gives the same projects as scanning every
//! document, for the real site (documents only) and for a site large enough to get gram shards;
//! and, on the real site, the same projects as an independent scan of the content files themselves
//! (read with the toml crate; NFKC, kana folding, figures and variant spellings done here, not with
//! the program's code).

mod common;

use common::{copy_dir, repo};

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use roadmap::pipeline::{self, BuildOptions};
use roadmap::render::search::{Variants, gram_hash, search_form};

fn queries() -> Vec<String> {
    std::fs::read_to_string(repo().join("tests/search_queries.txt"))
        .expect("queries")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(str::to_string)
        .collect()
}

struct Index {
    dir: PathBuf,
    meta: serde_json::Value,
}

impl Index {
    fn json(&self, path: &str) -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(self.dir.join(path)).expect(path)).expect("json")
    }

    fn docs(&self) -> Vec<serde_json::Value> {
        let count = self.meta["docs"].as_u64().expect("docs") as usize;
        let chunk = self.meta["chunk"].as_u64().expect("chunk") as usize;
        (0..count.div_ceil(chunk))
            .flat_map(|n| {
                self.json(&format!("search/docs/{n}.json"))
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
            })
            .collect()
    }

    fn variants(&self) -> Variants {
        let groups: Vec<Vec<String>> =
            serde_json::from_value(self.meta["variants"].clone()).expect("variants");
        Variants::new(&groups)
    }

    /// A query's terms, each with the spellings it is looked for as, as in search.js.
    fn terms(&self, query: &str) -> Vec<Vec<String>> {
        let variants = self.variants();
        search_form(query)
            .split_whitespace()
            .map(|term| variants.alternatives(term))
            .collect()
    }

    /// The browser's algorithm, as in search.js.
    fn search(&self, docs: &[serde_json::Value], query: &str) -> Vec<usize> {
        let terms = self.terms(query);
        let shards = self.meta["shards"].as_u64().expect("shards") as u32;
        let mut candidates: Vec<usize> = (0..docs.len()).collect();
        if shards > 0 {
            let mut loaded: BTreeMap<u32, serde_json::Value> = BTreeMap::new();
            for alternatives in &terms {
                let mut union: Vec<usize> = Vec::new();
                for term in alternatives {
                    let mut holding: Vec<usize> = (0..docs.len()).collect();
                    let chars: Vec<char> = term.chars().collect();
                    let grams: Vec<String> = if chars.len() == 1 {
                        vec![term.clone()]
                    } else {
                        chars.windows(2).map(|w| w.iter().collect()).collect()
                    };
                    for gram in grams {
                        let shard = gram_hash(&gram) % shards;
                        let postings = loaded
                            .entry(shard)
                            .or_insert_with(|| self.json(&format!("search/grams/{shard}.json")));
                        let ids: Vec<usize> = postings[&gram]
                            .as_array()
                            .map(|a| {
                                a.iter()
                                    .filter_map(|v| v.as_u64())
                                    .map(|v| v as usize)
                                    .collect()
                            })
                            .unwrap_or_default();
                        holding.retain(|c| ids.contains(c));
                    }
                    union.extend(holding);
                }
                candidates.retain(|c| union.contains(c));
            }
        }
        candidates
            .into_iter()
            .filter(|&i| contains_all(docs, i, &terms))
            .collect()
    }

    /// Every document holding every term, found by scanning them all.
    fn brute_force(&self, docs: &[serde_json::Value], query: &str) -> Vec<usize> {
        let terms = self.terms(query);
        (0..docs.len())
            .filter(|&i| contains_all(docs, i, &terms))
            .collect()
    }
}

fn contains_all(docs: &[serde_json::Value], i: usize, terms: &[Vec<String>]) -> bool {
    let text = search_form(docs[i]["t"].as_str().unwrap_or_default());
    terms
        .iter()
        .all(|alternatives| alternatives.iter().any(|t| text.contains(t.as_str())))
}

fn build(root: &Path, output: &Path) -> Index {
    pipeline::build(&BuildOptions {
        root: root.to_path_buf(),
        output: output.to_path_buf(),
        base_url: None,
        preview: false,
    })
    .unwrap_or_else(|e| panic!("{e}"));
    Index {
        dir: output.to_path_buf(),
        meta: serde_json::from_slice(
            &std::fs::read(output.join("search/meta.json")).expect("meta"),
        )
        .expect("json"),
    }
}

#[test]
fn the_real_site_finds_exactly_the_projects_containing_each_query() {
    let dir = tempfile::tempdir().expect("tempdir");
    let index = build(&repo(), &dir.path().join("site"));
    let docs = index.docs();
    assert_eq!(docs.len(), 27);
    for query in queries() {
        assert_eq!(
            index.search(&docs, &query),
            index.brute_force(&docs, &query),
            "{query}"
        );
    }
    // The handbook's examples: full-width in the source, half-width and lower case in the query.
    for (query, expected) in [("ドローン", 1), ("emotet", 1), ("ＩＣＴ", 0), ("見守り", 1)]
    {
        let found = index.search(&docs, query).len();
        assert!(
            found >= expected.max(1) || expected == 0,
            "{query}: {found}"
        );
    }
    assert_eq!(index.search(&docs, "ＩＣＴ"), index.search(&docs, "ict"));
    assert_eq!(index.search(&docs, "ﾄﾞﾛｰﾝ"), index.search(&docs, "ドローン"));
    // As people type: hiragana for katakana, a budget with or without its comma, a variant spelling.
    assert_eq!(
        index.search(&docs, "どろーん"),
        index.search(&docs, "ドローン")
    );
    assert_eq!(
        index.search(&docs, "しすてむ"),
        index.search(&docs, "システム")
    );
    assert!(!index.search(&docs, "しすてむ").is_empty());
    assert_eq!(index.search(&docs, "77952"), index.search(&docs, "77,952"));
    assert!(!index.search(&docs, "77952").is_empty());
    assert_eq!(index.search(&docs, "子供"), index.search(&docs, "こども"));
    assert_eq!(index.search(&docs, "子供"), index.search(&docs, "子ども"));
}

/// Text as a reader's query should match it, written here apart from the program: NFKC and lower
/// case; katakana as hiragana (the two blocks are 0x60 apart), small kana as full-size, the long
/// vowel mark dropped; a comma between two ASCII digits dropped.
fn oracle_fold(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    const SMALL: [(char, char); 12] = [
        ('ぁ', 'あ'),
        ('ぃ', 'い'),
        ('ぅ', 'う'),
        ('ぇ', 'え'),
        ('ぉ', 'お'),
        ('っ', 'つ'),
        ('ゃ', 'や'),
        ('ゅ', 'ゆ'),
        ('ょ', 'よ'),
        ('ゎ', 'わ'),
        ('ゕ', 'か'),
        ('ゖ', 'け'),
    ];
    let chars: Vec<char> = text
        .nfkc()
        .collect::<String>()
        .to_lowercase()
        .chars()
        .collect();
    let mut out: Vec<char> = Vec::new();
    for (i, c) in chars.iter().copied().enumerate() {
        let digit_before = out.last().is_some_and(char::is_ascii_digit);
        let digit_after = chars.get(i + 1).is_some_and(char::is_ascii_digit);
        if c == ',' && digit_before && digit_after || c == 'ー' {
            continue;
        }
        let hiragana = if ('ァ'..='ヶ').contains(&c) {
            char::from_u32(c as u32 - ('ァ' as u32 - 'ぁ' as u32)).expect("kana")
        } else {
            c
        };
        out.push(
            SMALL
                .iter()
                .find(|(small, _)| *small == hiragana)
                .map_or(hiragana, |(_, full)| *full),
        );
    }
    out.into_iter().collect()
}

/// Variant spellings made one: every spelling of a group (folded, the longest first) replaced by a
/// mark of the group.
fn oracle_canonical(text: &str, groups: &[Vec<String>]) -> String {
    let mut spellings: Vec<(String, String)> = groups
        .iter()
        .enumerate()
        .flat_map(|(n, group)| {
            group
                .iter()
                .map(move |s| (oracle_fold(s), format!("\u{2}{n}\u{3}")))
        })
        .collect();
    spellings.sort_by_key(|(s, _)| std::cmp::Reverse(s.chars().count()));
    spellings
        .into_iter()
        .fold(text.to_string(), |text, (from, to)| {
            text.replace(&from, &to)
        })
}

/// Every project's searchable text, straight from its content file: the sheet's texts, the
/// initiatives and roadmap labels, the body, the names of its category, departments and sections,
/// its budget as the pages write it and its flags. Line breaks are dropped (a paragraph's lines
/// join, as the pages show them).
fn content_texts() -> BTreeMap<String, String> {
    let mut texts = BTreeMap::new();
    for entry in std::fs::read_dir(common::sheets())
        .expect("content")
        .flatten()
    {
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "md") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("read");
        let (front, body) = text
            .strip_prefix("+++\n")
            .and_then(|rest| rest.split_once("\n+++"))
            .expect("front matter");
        let front: toml::Table = front.parse().expect("toml");
        let s = |t: &toml::Table, key: &str| {
            t.get(key)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string()
        };
        let mut parts = vec![
            s(&front, "name"),
            s(&front, "overview"),
            s(&front, "situation"),
            s(&front, "outcome"),
            body.to_string(),
        ];
        for initiative in front["initiatives"].as_array().into_iter().flatten() {
            let initiative = initiative.as_table().expect("table");
            parts.push(s(initiative, "title"));
            parts.push(s(initiative, "description"));
            for row in initiative
                .get("roadmap")
                .and_then(|r| r.as_array())
                .into_iter()
                .flatten()
            {
                let row = row.as_table().expect("table");
                parts.push(s(row, "label"));
                for label in row
                    .get("year_labels")
                    .and_then(|l| l.as_table())
                    .into_iter()
                    .flat_map(|l| l.values())
                {
                    parts.push(label.as_str().unwrap_or_default().to_string());
                }
            }
        }
        parts.push(s(&front, "category"));
        for key in ["departments", "sections"] {
            for name in front[key].as_array().into_iter().flatten() {
                parts.push(name.as_str().unwrap_or_default().to_string());
            }
        }
        let budget = front["budget"].as_integer().expect("budget").to_string();
        let mut grouped = String::new();
        for (i, digit) in budget.chars().enumerate() {
            if i > 0 && (budget.len() - i).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(digit);
        }
        parts.push(format!("事業費 {grouped}千円"));
        if front["priority"].as_bool() == Some(true) {
            parts.push("重点枠事業".to_string());
        }
        if front["future"].as_bool() == Some(true) {
            parts.push("将来対応分".to_string());
        }
        let joined: String = parts.join("\u{1}").replace('\n', "");
        let normalised = oracle_fold(&joined);
        let slug = path
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("slug")
            .to_string();
        texts.insert(slug, normalised);
    }
    texts
}

/// The variant groups of the real vocabulary, read with plain `toml`; the defaults when it declares none.
fn declared_variants() -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(repo().join("content/vocabulary.toml")).expect("vocabulary");
    let table: toml::Table = text.parse().expect("toml");
    match table.get("variants") {
        Some(groups) => groups
            .as_array()
            .expect("a list of groups")
            .iter()
            .map(|g| {
                g.as_array()
                    .expect("a group")
                    .iter()
                    .map(|s| s.as_str().expect("a spelling").to_string())
                    .collect()
            })
            .collect(),
        None => roadmap::vocabulary::DEFAULT_VARIANTS
            .iter()
            .map(|g| g.iter().map(|s| s.to_string()).collect())
            .collect(),
    }
}

/// Every group of spellings the real vocabulary adds to the defaults names something the content
/// says: a group no project spells is a guess, not a help. (The default groups are generic and may
/// wait for content that uses them.)
#[test]
fn every_declared_variant_group_is_spelt_in_the_content() {
    let texts = content_texts();
    let default = |spelling: &String| {
        roadmap::vocabulary::DEFAULT_VARIANTS
            .iter()
            .any(|g| g.contains(&spelling.as_str()))
    };
    let added: Vec<Vec<String>> = declared_variants()
        .into_iter()
        .filter(|group| !group.iter().any(default))
        .collect();
    assert!(!added.is_empty(), "the vocabulary adds reading groups");
    for group in added {
        assert!(
            group
                .iter()
                .any(|spelling| texts.values().any(|t| t.contains(&oracle_fold(spelling)))),
            "no project spells any of {group:?}"
        );
    }
}

#[test]
fn the_real_site_finds_what_the_content_files_contain() {
    let dir = tempfile::tempdir().expect("tempdir");
    let index = build(&repo(), &dir.path().join("site"));
    let docs = index.docs();
    let texts = content_texts();
    assert_eq!(texts.len(), docs.len());
    let groups = declared_variants();
    let mut found_some = 0;
    for query in queries() {
        let terms: Vec<String> = oracle_fold(&query)
            .split_whitespace()
            .map(str::to_string)
            .collect();
        let expected: Vec<&str> = texts
            .iter()
            .filter(|(_, text)| {
                let canonical = oracle_canonical(text, &groups);
                terms.iter().all(|t| {
                    text.contains(t.as_str()) || canonical.contains(&oracle_canonical(t, &groups))
                })
            })
            .map(|(slug, _)| slug.as_str())
            .collect();
        let mut got: Vec<String> = index
            .search(&docs, &query)
            .into_iter()
            .map(|i| {
                docs[i]["u"]
                    .as_str()
                    .and_then(|u| u.strip_prefix("projects/"))
                    .map(|u| u.trim_end_matches('/').to_string())
                    .expect("a project URL")
            })
            .collect();
        got.sort();
        assert_eq!(got, expected, "{query}");
        found_some += usize::from(!expected.is_empty());
    }
    assert!(found_some > 20, "the queries find projects: {found_some}");
}

#[test]
fn a_large_site_uses_gram_shards_and_still_finds_exactly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("root");
    for sub in ["content", "themes"] {
        copy_dir(&repo().join(sub), &root.join(sub));
    }
    std::fs::copy(repo().join("config.toml"), root.join("config.toml")).expect("config");
    let originals: Vec<PathBuf> = std::fs::read_dir(common::sheets())
        .expect("content")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    for i in 0..300 {
        let source = &originals[i % originals.len()];
        let text = std::fs::read_to_string(source).expect("read");
        let renamed = text.replacen("name = \"", &format!("name = \"第{i}号 "), 1);
        std::fs::write(root.join(format!("content/r6/copy-{i:04}.md")), renamed).expect("write");
    }
    let index = build(&root, &dir.path().join("site"));
    assert!(
        index.meta["shards"].as_u64().expect("shards") > 1,
        "{}",
        index.meta
    );
    let docs = index.docs();
    assert_eq!(docs.len(), 327);
    for query in queries() {
        let expected = index.brute_force(&docs, &query);
        assert_eq!(index.search(&docs, &query), expected, "{query}");
    }
}
