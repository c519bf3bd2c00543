//! Fuzz target: arbitrary bytes as a project file of a real site, driven all the way through a
//! build — content, indexes, rendering every page, open data, search, feeds, writing and the swap
//! of the output. It must end with a site or with diagnostics, never a panic, and a failed build
//! must leave the previous output as it was.
#![no_main]

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use roadmap::pipeline::{self, BuildOptions};

/// A copy of the repository's site (config, vocabulary, theme, one project) in memory-backed
/// storage, made once per fuzzing process.
fn site() -> &'static PathBuf {
    static SITE: OnceLock<PathBuf> = OnceLock::new();
    SITE.get_or_init(|| {
        let base = Path::new("/dev/shm").join(format!("roadmap-fuzz-{}", std::process::id()));
        let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let root = base.join("site");
        let _ = fs::remove_dir_all(&base);
        copy(&repo.join("themes"), &root.join("themes"));
        fs::create_dir_all(root.join("content")).expect("content");
        fs::copy(repo.join("config.toml"), root.join("config.toml")).expect("config");
        for file in ["vocabulary.toml", "hekichi-online-shinryo-shien.md"] {
            fs::copy(repo.join("content").join(file), root.join("content").join(file))
                .expect("content file");
        }
        root
    })
}

fn copy(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("mkdir");
    for entry in fs::read_dir(from).expect("read_dir").flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).expect("copy");
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let root = site();
    fs::write(root.join("content/fuzzed.md"), data).expect("write the input");
    let output = root.with_file_name("output");
    let before = fs::read(output.join("index.html")).ok();
    let result = pipeline::build(&BuildOptions {
        root: root.clone(),
        output: output.clone(),
        base_url: Some("https://example.jp/roadmap/".to_string()),
        preview: false,
    });
    match result {
        Ok(_) => assert!(output.join("index.html").is_file()),
        Err(failure) => {
            let _ = failure.to_string();
            if let pipeline::Failure::Content(diagnostics) = &failure {
                for d in diagnostics {
                    let _ = d.to_string();
                }
            }
            assert_eq!(fs::read(output.join("index.html")).ok(), before, "a failed build changed the output");
        }
    }
});
