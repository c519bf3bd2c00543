//! The search index answers every query exactly: running the browser's algorithm (gram candidates,
//! then substring confirmation) over the written files gives the same projects as scanning every
//! document, for the real site (documents only) and for a site large enough to get gram shards.

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
