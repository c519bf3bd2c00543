//! The search index answers every query exactly: running the browser's algorithm (gram candidates,
//! then substring confirmation) over the written files gives the same projects as scanning every
//! document, for the real site (documents only) and for a site large enough to get gram shards;
//! and, on the real site, the same projects as an independent scan of the content files themselves
//! (read with the toml crate and normalised here with NFKC, not with the program's code).

mod common;

use common::{copy_dir, repo};

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use roadmap::pipeline::{self, BuildOptions};
use roadmap::render::search::{gram_hash, normalize};

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

    /// The browser's algorithm, as in search.js.
    fn search(&self, docs: &[serde_json::Value], query: &str) -> Vec<usize> {
        let terms: Vec<String> = normalize(query)
            .split_whitespace()
            .map(str::to_string)
            .collect();
        let shards = self.meta["shards"].as_u64().expect("shards") as u32;
        let mut candidates: Vec<usize> = (0..docs.len()).collect();
        if shards > 0 {
            let mut loaded: BTreeMap<u32, serde_json::Value> = BTreeMap::new();
            for term in &terms {
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
                    candidates.retain(|c| ids.contains(c));
                }
            }
        }
        candidates
            .into_iter()
            .filter(|&i| {
                let text = normalize(docs[i]["t"].as_str().unwrap_or_default());
                terms.iter().all(|t| text.contains(t.as_str()))
            })
            .collect()
    }
}

fn brute_force(docs: &[serde_json::Value], query: &str) -> Vec<usize> {
    let terms: Vec<String> = normalize(query)
        .split_whitespace()
        .map(str::to_string)
        .collect();
    (0..docs.len())
        .filter(|&i| {
            let text = normalize(docs[i]["t"].as_str().unwrap_or_default());
            terms.iter().all(|t| text.contains(t.as_str()))
        })
        .collect()
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
            brute_force(&docs, &query),
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
}

/// Every project's searchable text, straight from its content file: the sheet's texts, the
/// initiatives and roadmap labels, the body, and the names of its category, departments and
/// sections. Line breaks are dropped (a paragraph's lines join, as the pages show them).
fn content_texts() -> BTreeMap<String, String> {
    use unicode_normalization::UnicodeNormalization;
    let mut texts = BTreeMap::new();
    for entry in std::fs::read_dir(repo().join("content"))
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
        let joined: String = parts.join("\u{1}").replace('\n', "");
        let normalised: String = joined.nfkc().collect::<String>().to_lowercase();
        let slug = path
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("slug")
            .to_string();
        texts.insert(slug, normalised);
    }
    texts
}

#[test]
fn the_real_site_finds_what_the_content_files_contain() {
    use unicode_normalization::UnicodeNormalization;
    let dir = tempfile::tempdir().expect("tempdir");
    let index = build(&repo(), &dir.path().join("site"));
    let docs = index.docs();
    let texts = content_texts();
    assert_eq!(texts.len(), docs.len());
    let mut found_some = 0;
    for query in queries() {
        let terms: Vec<String> = query
            .nfkc()
            .collect::<String>()
            .to_lowercase()
            .split_whitespace()
            .map(str::to_string)
            .collect();
        let expected: Vec<&str> = texts
            .iter()
            .filter(|(_, text)| terms.iter().all(|t| text.contains(t.as_str())))
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
    let originals: Vec<PathBuf> = std::fs::read_dir(repo().join("content"))
        .expect("content")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    for i in 0..300 {
        let source = &originals[i % originals.len()];
        let text = std::fs::read_to_string(source).expect("read");
        let renamed = text.replacen("name = \"", &format!("name = \"第{i}号 "), 1);
        std::fs::write(root.join(format!("content/copy-{i:04}.md")), renamed).expect("write");
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
        let expected = brute_force(&docs, &query);
        assert_eq!(index.search(&docs, &query), expected, "{query}");
    }
}
