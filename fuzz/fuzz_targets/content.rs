//! Fuzz target: feeds arbitrary bytes to the content loader as a project file. It must answer with a
//! project or with diagnostics, never panic.
#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use roadmap::config::SiteConfig;
use roadmap::content::{self, project};
use roadmap::diagnostics::SourceFile;
use roadmap::vocabulary::Vocabulary;

fn context() -> &'static (SiteConfig, Vocabulary) {
    static CONTEXT: OnceLock<(SiteConfig, Vocabulary)> = OnceLock::new();
    CONTEXT.get_or_init(|| {
        let config = SiteConfig::parse(SourceFile::new(
            "config.toml",
            include_str!("../../config.toml").to_string(),
        ));
        let vocabulary = Vocabulary::parse(&SourceFile::new(
            "content/vocabulary.toml",
            include_str!("../../content/vocabulary.toml").to_string(),
        ));
        match (config, vocabulary) {
            (Ok(c), Ok(v)) => (c, v),
            _ => panic!("the repository's config or vocabulary is invalid"),
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let (config, vocabulary) = context();
    let context = project::Context {
        config,
        vocabulary,
    };
    let path = Path::new("content/x.md");
    if let Ok(text) = content::decode(path, data.to_vec()) {
        let file = SourceFile::new(path, text);
        if let Err(diagnostics) = project::read(&file, "x", &context) {
            for d in diagnostics {
                let _ = d.to_string();
            }
        }
    }
});
