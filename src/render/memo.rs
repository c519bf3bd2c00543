//! Lets the live preview's rebuild skip a page that would come out the same as last time.
//!
//! A page is its template rendered from its context, and within one run of the preview the
//! templates do not change (a change to the theme makes a full build). So a fingerprint of the
//! template's name and of every value in the context stands for the page's bytes: when a page that
//! gathers projects (a list, the timeline…) has the fingerprint it had in the last build, and that
//! build wrote it, it is not rendered again. A budget edit, say, leaves the timeline of 10,000
//! projects as it was (it shows no budgets): its 14 MB are then not made again.
//!
//! The fingerprint is taken from the typed values the context is made from, as JSON (their order
//! is fixed; a Tera map's is not), before they are made into Tera values: a page kept costs only
//! that. A value made once for many pages ([`Premade`], a project's list line) stands in it as its
//! own fingerprint.
//!
//! A different fingerprint only means a render; the same fingerprint for a different context would
//! need a 64-bit collision. The fingerprints of a build are kept for the next one.

use std::cell::Cell;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::{Mutex, MutexGuard};

use serde::{Serialize, Serializer};
use tera::Value;
use xxhash_rust::xxh3::Xxh3Default;

/// The fingerprints of the pages of the last build (by output path) and of this one (`None`: a
/// page rendered without one). A memo without the last build's (`PageMemo::default()`, a full
/// build) skips nothing: it only notes.
#[derive(Debug, Default)]
pub struct PageMemo {
    before: HashMap<String, u64>,
    now: Mutex<HashMap<String, Option<u64>>>,
    kept: Mutex<Vec<String>>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

impl PageMemo {
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
        let unchanged = fingerprint.is_some()
            && paths
                .iter()
                .all(|path| self.before.get(path) == fingerprint.as_ref());
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

    /// The fingerprint of every page as this build leaves it — the last build's for a page not
    /// made now, none for a page rendered without one — and the paths of the pages kept as they
    /// were.
    pub fn into_parts(self) -> (HashMap<String, u64>, Vec<String>) {
        let mut all = self.before;
        for (path, fingerprint) in self.now.into_inner().unwrap_or_else(|e| e.into_inner()) {
            match fingerprint {
                Some(fingerprint) => all.insert(path, fingerprint),
                None => all.remove(&path),
            };
        }
        let kept = self.kept.into_inner().unwrap_or_else(|e| e.into_inner());
        (all, kept)
    }
}

thread_local! {
    /// Whether this thread is fingerprinting a page's context: a [`Premade`] then serializes as
    /// its fingerprint rather than as its value.
    static FINGERPRINTING: Cell<bool> = const { Cell::new(false) };
}

/// Sets [`FINGERPRINTING`] while it lives, then puts back what it was.
struct Fingerprinting {
    before: bool,
}

impl Fingerprinting {
    fn start() -> Fingerprinting {
        Fingerprinting {
            before: FINGERPRINTING.with(|on| on.replace(true)),
        }
    }
}

impl Drop for Fingerprinting {
    fn drop(&mut self) {
        let before = self.before;
        FINGERPRINTING.with(|on| on.set(before));
    }
}

/// Feeds what serde_json writes to the hasher.
struct HashWriter<'h>(&'h mut Xxh3Default);

impl std::io::Write for HashWriter<'_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.update(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Feeds `value` to `hasher` as JSON, a [`Premade`] as its fingerprint; `None` if it cannot be
/// (then no fingerprint stands for the page).
fn feed<T: Serialize + ?Sized>(hasher: &mut Xxh3Default, value: &T) -> Option<()> {
    let _on = Fingerprinting::start();
    serde_json::to_writer(HashWriter(hasher), value).ok()
}

/// A Tera value made once and put into many pages' contexts (a project's list line, its row of
/// the timeline, the site's view), with the fingerprint of the typed value it is made from. In a
/// context, it stands for its value, made on first use (a page kept as it was never makes its
/// rows into Tera values); in a fingerprint, for its fingerprint. Clones share the value.
#[derive(Clone)]
pub struct Premade(std::sync::Arc<PremadeInner>);

struct PremadeInner {
    fingerprint: Option<u64>,
    make: Box<dyn Fn() -> Value + Send + Sync>,
    value: std::sync::OnceLock<Value>,
}

impl std::fmt::Debug for Premade {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Premade")
            .field("fingerprint", &self.0.fingerprint)
            .finish_non_exhaustive()
    }
}

impl Premade {
    pub fn of<T: Serialize + Send + Sync + 'static>(typed: T) -> Premade {
        let mut hasher = Xxh3Default::new();
        let fingerprint = feed(&mut hasher, &typed).map(|()| hasher.finish());
        Premade(std::sync::Arc::new(PremadeInner {
            fingerprint,
            make: Box::new(move || Value::from_serializable(&typed)),
            value: std::sync::OnceLock::new(),
        }))
    }

    /// The Tera value, made now if it was not yet.
    pub fn value(&self) -> &Value {
        self.0.value.get_or_init(|| (self.0.make)())
    }
}

impl Serialize for Premade {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if !FINGERPRINTING.with(Cell::get) {
            return self.value().serialize(serializer);
        }
        match self.0.fingerprint {
            Some(fingerprint) => serializer.serialize_u64(fingerprint),
            None => Err(serde::ser::Error::custom("no fingerprint")),
        }
    }
}

/// A page's fingerprint, made as its context is: each value's name and JSON (the typed values the
/// page's context is made from, whose JSON has a fixed order), then the template and how it is
/// rendered.
pub(crate) struct Fingerprint {
    hasher: Xxh3Default,
    complete: bool,
}

impl Fingerprint {
    pub(crate) fn new() -> Fingerprint {
        Fingerprint {
            hasher: Xxh3Default::new(),
            complete: true,
        }
    }

    pub(crate) fn add<T: Serialize + ?Sized>(&mut self, name: &str, value: &T) {
        name.hash(&mut self.hasher);
        self.complete &= feed(&mut self.hasher, value).is_some();
        // Ends the value: JSON values written one after another could otherwise run together.
        self.hasher.write_u8(0xff);
    }

    /// The fingerprint of the page rendered with `template` by way of `mode` (once for two
    /// places, or for one); `None` when a value could not be fed (the page is then rendered).
    pub(crate) fn finish(mut self, mode: &str, template: &str) -> Option<u64> {
        mode.hash(&mut self.hasher);
        template.hash(&mut self.hasher);
        self.complete.then(|| self.hasher.finish())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Serialize)]
    struct Line {
        name: &'static str,
        budget: u64,
        years: Vec<u16>,
    }

    fn line(budget: u64) -> Line {
        Line {
            name: "事業",
            budget,
            years: vec![2024, 2025],
        }
    }

    fn print<T: Serialize + ?Sized>(name: &str, value: &T, template: &str) -> Option<u64> {
        let mut fingerprint = Fingerprint::new();
        fingerprint.add(name, value);
        fingerprint.finish("one", template)
    }

    /// The same values give the same fingerprint; any change of a value, of its name or of the
    /// template gives another. A value made once for many pages stands as its fingerprint, made
    /// from the same typed value.
    #[test]
    fn a_fingerprint_follows_every_value_and_nothing_else() {
        let same = print("lines", &vec![line(5197)], "list.html");
        assert_eq!(same, print("lines", &vec![line(5197)], "list.html"));
        let premade = |budget| vec![Premade::of(line(budget))];
        assert_eq!(
            print("lines", &premade(5197), "list.html"),
            print("lines", &premade(5197), "list.html")
        );
        let mut both = Fingerprint::new();
        both.add("lines", &vec![line(5197)]);
        let mut split = Fingerprint::new();
        split.add("lines", &vec![line(5197)]);
        split.add("more", &Vec::<Line>::new());
        let all = [
            same,
            print("lines", &vec![line(6197)], "list.html"),
            print("lines", &vec![line(5197), line(1)], "list.html"),
            print("rows", &vec![line(5197)], "list.html"),
            print("lines", &vec![line(5197)], "other.html"),
            print("lines", &premade(5197), "list.html"),
            print("lines", &premade(6197), "list.html"),
            both.finish("both", "list.html"),
            split.finish("one", "list.html"),
        ];
        assert!(all.iter().all(Option::is_some), "{all:?}");
        let distinct: std::collections::HashSet<Option<u64>> = all.iter().copied().collect();
        assert_eq!(distinct.len(), all.len(), "{all:?}");
        // In a context (not fingerprinting), a premade value is its value.
        assert_eq!(
            Value::from_serializable(&premade(5197)),
            Value::from_serializable(&vec![line(5197)])
        );
    }

    /// A value that cannot be written as JSON leaves the page without a fingerprint: it is always
    /// rendered.
    #[test]
    fn a_value_that_cannot_be_fed_leaves_no_fingerprint() {
        let mut map = std::collections::BTreeMap::new();
        map.insert(vec![1u8], 1u8);
        assert_eq!(print("map", &map, "list.html"), None);
    }

    /// A page is kept only when each of its places had the same fingerprint last time; every
    /// fingerprint is noted for the next build either way, and a page rendered without one loses
    /// the one it had.
    #[test]
    fn a_page_is_kept_only_with_the_same_fingerprint_in_every_place() {
        let before: HashMap<String, u64> =
            [("r8/index.html", 1), ("index.html", 1), ("a", 2), ("c", 4)]
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
        // Rendered without a fingerprint: its old one must not keep it next time.
        assert!(!memo.is_unchanged(&["c".to_string()], None));
        let (now, kept) = memo.into_parts();
        assert_eq!(kept, both.to_vec());
        assert_eq!(now.get("a"), Some(&3));
        assert_eq!(now.get("new"), Some(&1));
        assert_eq!(now.get("c"), None);
        assert_eq!(now.len(), 5);
        // A full build's memo skips nothing: it only notes the fingerprints.
        let noting = PageMemo::default();
        assert!(!noting.is_unchanged(&both, Some(1)));
        assert_eq!(noting.into_parts().0.len(), 2);
    }
}
