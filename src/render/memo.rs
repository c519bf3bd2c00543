//! Lets the live preview's rebuild skip a page that would come out the same as last time.
//!
//! A page is its template rendered from its context, and within one run of the preview the
//! templates do not change (a change to the theme makes a full build). So a fingerprint of the
//! template's name and of every value in the context stands for the page's bytes: when a page that
//! gathers projects (a list, the timeline…) has the fingerprint it had in the last build, and that
//! build wrote it, it is not rendered again. A budget edit, say, leaves the timeline of 10,000
//! projects as it was (it shows no budgets): its 14 MB are then not made again.
//!
//! A different fingerprint only means a render; the same fingerprint for a different context would
//! need a 64-bit collision. The fingerprints of a build are kept for the next one.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::{Mutex, MutexGuard};

use tera::value::{Value, ValueKind};
use xxhash_rust::xxh3::Xxh3Default;

/// The fingerprints of the pages of the last build (by output path) and of this one.
#[derive(Debug, Default)]
pub struct PageMemo {
    before: HashMap<String, u64>,
    now: Mutex<HashMap<String, u64>>,
    kept: Mutex<Vec<String>>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

impl PageMemo {
    /// A memo of a build that skips nothing (a full build): it only notes the fingerprints.
    pub fn noting() -> PageMemo {
        PageMemo::default()
    }

    /// A memo that skips a page whose fingerprint is in `before`, by its output path: only pages
    /// that the last build wrote, and that are in the output still, may be given.
    pub fn after(before: HashMap<String, u64>) -> PageMemo {
        PageMemo {
            before,
            ..PageMemo::default()
        }
    }

    /// Notes that the page written at `paths` (one page may be written in two places) has
    /// `fingerprint`; says whether it is the same in each place as last time, when it is kept as
    /// it is and need not be rendered. Without a fingerprint, the page is always rendered.
    pub(crate) fn is_unchanged(&self, paths: &[String], fingerprint: Option<u64>) -> bool {
        let Some(fingerprint) = fingerprint else {
            let mut now = lock(&self.now);
            for path in paths {
                now.remove(path);
            }
            return false;
        };
        let unchanged = paths
            .iter()
            .all(|path| self.before.get(path) == Some(&fingerprint));
        let mut now = lock(&self.now);
        for path in paths {
            now.insert(path.clone(), fingerprint);
        }
        drop(now);
        if unchanged {
            lock(&self.kept).extend_from_slice(paths);
        }
        unchanged
    }

    /// This build's fingerprints (the pages it rendered and those it kept), and the paths of the
    /// pages kept as they were.
    pub fn into_parts(self) -> (HashMap<String, u64>, Vec<String>) {
        let now = self.now.into_inner().unwrap_or_else(|e| e.into_inner());
        let kept = self.kept.into_inner().unwrap_or_else(|e| e.into_inner());
        (now, kept)
    }
}

/// The fingerprint of a page rendered with `template` from `values` (the context's, by name, in a
/// fixed order); `mode` tells apart two ways of rendering the same context (once for two places,
/// or for one). `None` when a value is of a kind this version does not know (the page is then
/// always rendered).
pub(crate) fn fingerprint<'v>(
    mode: &str,
    template: &str,
    values: impl Iterator<Item = (&'v str, Option<&'v Value>)>,
) -> Option<u64> {
    let mut hasher = Xxh3Default::new();
    mode.hash(&mut hasher);
    template.hash(&mut hasher);
    for (name, value) in values {
        name.hash(&mut hasher);
        match value {
            Some(value) => hash_value(value, &mut hasher)?,
            None => hasher.write_u8(0),
        }
    }
    Some(hasher.finish())
}

/// Feeds every part of `value` to `hasher`: its kind, its content, whether a string is marked
/// safe (not escaped), and a map's entries in the order of their keys (a Tera map's own order is
/// not fixed). `None` for a kind of value this version does not know.
fn hash_value(value: &Value, hasher: &mut Xxh3Default) -> Option<()> {
    let kind = value.kind();
    hasher.write_u8(kind_tag(kind)?);
    match kind {
        ValueKind::Undefined | ValueKind::None => {}
        ValueKind::Bool => value.as_bool().hash(hasher),
        ValueKind::U64 => value.as_u64().hash(hasher),
        ValueKind::I64 => value.as_i64().hash(hasher),
        ValueKind::U128 => value.as_u128().hash(hasher),
        ValueKind::I128 => value.as_i128().hash(hasher),
        ValueKind::F64 => value.as_f64().map(f64::to_bits).hash(hasher),
        ValueKind::String => {
            value.is_safe().hash(hasher);
            value.as_str().hash(hasher);
        }
        ValueKind::Bytes => value.as_bytes().hash(hasher),
        ValueKind::Array => {
            let items = value.as_array().unwrap_or_default();
            items.len().hash(hasher);
            for item in items {
                hash_value(item, hasher)?;
            }
        }
        ValueKind::Map => {
            let mut entries: Vec<_> = value.as_map().into_iter().flatten().collect();
            entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
            entries.len().hash(hasher);
            for (key, item) in entries {
                key.hash(hasher);
                hash_value(item, hasher)?;
            }
        }
        _ => return None,
    }
    Some(())
}

fn kind_tag(kind: ValueKind) -> Option<u8> {
    Some(match kind {
        ValueKind::Undefined => 1,
        ValueKind::None => 2,
        ValueKind::Bool => 3,
        ValueKind::U64 => 4,
        ValueKind::I64 => 5,
        ValueKind::U128 => 6,
        ValueKind::I128 => 7,
        ValueKind::F64 => 8,
        ValueKind::String => 9,
        ValueKind::Array => 10,
        ValueKind::Map => 11,
        ValueKind::Bytes => 12,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn print(values: &[(&'static str, Value)]) -> Option<u64> {
        fingerprint(
            "one",
            "list.html",
            values.iter().map(|(name, value)| (*name, Some(value))),
        )
    }

    #[derive(serde::Serialize)]
    struct Line {
        name: &'static str,
        budget: u64,
        years: Vec<u16>,
    }

    fn line(budget: u64) -> Value {
        Value::from_serializable(&Line {
            name: "事業",
            budget,
            years: vec![2024, 2025],
        })
    }

    /// The same values give the same fingerprint, whatever order a map holds its keys in; any
    /// change of a value, of its kind, of its escaping or of the template gives another.
    #[test]
    fn a_fingerprint_follows_every_value_and_nothing_else() {
        let same = print(&[("lines", Value::from_serializable(&vec![line(5197)]))]);
        for _ in 0..20 {
            // Each map is made anew (a Tera map's order may differ from one to the next).
            let again = print(&[("lines", Value::from_serializable(&vec![line(5197)]))]);
            assert_eq!(same, again);
        }
        let different = [
            print(&[("lines", Value::from_serializable(&vec![line(6197)]))]),
            print(&[(
                "lines",
                Value::from_serializable(&vec![line(5197), line(1)]),
            )]),
            print(&[("rows", Value::from_serializable(&vec![line(5197)]))]),
            print(&[("lines", Value::from_serializable(&"5197"))]),
            print(&[("lines", Value::from_serializable(&5197u64))]),
            print(&[("lines", Value::from_serializable(&5197i64))]),
            print(&[("lines", Value::safe_string("<b>"))]),
            print(&[("lines", Value::normal_string("<b>"))]),
            fingerprint(
                "one",
                "other.html",
                [("lines", Some(&Value::from_serializable(&vec![line(5197)])))].into_iter(),
            ),
            fingerprint(
                "both",
                "list.html",
                [("lines", Some(&Value::from_serializable(&vec![line(5197)])))].into_iter(),
            ),
        ];
        let mut all = vec![same];
        all.extend(different);
        assert!(all.iter().all(Option::is_some));
        let distinct: std::collections::HashSet<Option<u64>> = all.iter().copied().collect();
        assert_eq!(distinct.len(), all.len(), "{all:?}");
    }

    /// A page is kept only when each of its places had the same fingerprint last time; every
    /// fingerprint is noted for the next build either way.
    #[test]
    fn a_page_is_kept_only_with_the_same_fingerprint_in_every_place() {
        let before: HashMap<String, u64> = [("r8/index.html", 1), ("index.html", 1), ("a", 2)]
            .into_iter()
            .map(|(p, f)| (p.to_string(), f))
            .collect();
        let memo = PageMemo::after(before);
        let both = ["r8/index.html".to_string(), "index.html".to_string()];
        assert!(memo.is_unchanged(&both, Some(1)));
        assert!(!memo.is_unchanged(&["a".to_string()], Some(3)));
        assert!(!memo.is_unchanged(&["r8/index.html".to_string(), "new".to_string()], Some(1)));
        assert!(!memo.is_unchanged(&["unknown".to_string()], Some(1)));
        assert!(!memo.is_unchanged(&["b".to_string()], None));
        let (now, kept) = memo.into_parts();
        assert_eq!(kept, both.to_vec());
        assert_eq!(now.get("a"), Some(&3));
        assert_eq!(now.get("new"), Some(&1));
        assert_eq!(now.len(), 5);
        let noting = PageMemo::noting();
        assert!(!noting.is_unchanged(&both, Some(1)));
        assert_eq!(noting.into_parts().0.len(), 2);
    }
}
