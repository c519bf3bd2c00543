//! Property tests: whatever bytes or TOML a content file holds, the loader answers with a project or
//! with diagnostics, never a panic, and every diagnostic points inside the file.

use proptest::prelude::*;
use roadmap::config::SiteConfig;
use roadmap::content::project::{self, Context};
use roadmap::content::{self as content_stage};
use roadmap::diagnostics::SourceFile;
use roadmap::vocabulary::Vocabulary;

fn context_parts() -> (SiteConfig, Vocabulary) {
    let config = SiteConfig::parse(SourceFile::new(
        "config.toml",
        include_str!("../config.toml").to_string(),
    ))
    .expect("config");
    let vocabulary = Vocabulary::parse(&SourceFile::new(
        "content/vocabulary.toml",
        include_str!("../content/vocabulary.toml").to_string(),
    ))
    .expect("vocabulary");
    (config, vocabulary)
}

/// Loads a file's bytes as the content stage does; checks the answer is well-formed.
fn load(bytes: Vec<u8>) {
    let (config, vocabulary) = context_parts();
    let context = Context {
        config: &config,
        vocabulary: &vocabulary,
    };
    let path = std::path::Path::new("content/x.md");
    let Ok(text) = content_stage::decode(path, bytes) else {
        return;
    };
    let file = SourceFile::new(path, text);
    if let Err(diagnostics) = project::read(&file, "x", &context) {
        assert!(!diagnostics.is_empty());
        for d in diagnostics {
            let lines = file.text.lines().count().max(1);
            assert!(d.line() <= lines + 1, "line {} of {lines}: {d}", d.line());
            let _ = d.to_string();
        }
    }
}

/// Pieces of TOML values, valid and not, typical and odd.
fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        "\"[^\"\\\\\n]{0,12}\"",
        any::<i64>().prop_map(|n| n.to_string()),
        "[0-9_]{1,25}",
        any::<f64>().prop_map(|f| format!("{f:?}")),
        Just("true".to_string()),
        Just("\"R6\"".to_string()),
        Just("\"H31\"".to_string()),
        Just("\"未定\"".to_string()),
        Just("\"計画\"".to_string()),
        Just("[\"R6\", \"R7\"]".to_string()),
        Just("[\"健康福祉部\", \"警察本部\"]".to_string()),
        Just("{ R7 = \"①\", R99 = \"x\" }".to_string()),
        Just("1979-05-27T07:32:00Z".to_string()),
        Just("\"\"\"\n<script>x</script>\n[a](javascript:b)\n\"\"\"".to_string()),
        "[ -~]{0,10}",
        "\\PC{0,8}",
    ]
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(project::PROJECT_KEYS).prop_map(str::to_string),
        prop::sample::select(project::INITIATIVE_KEYS).prop_map(str::to_string),
        prop::sample::select(project::ROW_KEYS).prop_map(str::to_string),
        "[a-z_]{1,8}",
        Just("\"キー\"".to_string()),
    ]
}

fn line() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => (key(), value()).prop_map(|(k, v)| format!("{k} = {v}")),
        1 => Just("[[initiatives]]".to_string()),
        1 => Just("[[initiatives.roadmap]]".to_string()),
        1 => Just("[initiatives]".to_string()),
        1 => Just("+++".to_string()),
        1 => "\\PC{0,20}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        load(bytes);
    }

    #[test]
    fn arbitrary_bytes_after_a_delimiter_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let mut file = b"+++\n".to_vec();
        file.extend(bytes);
        load(file);
    }

    #[test]
    fn arbitrary_front_matter_never_panics(lines in prop::collection::vec(line(), 0..40), body in "\\PC{0,40}", crlf in any::<bool>()) {
        let mut text = format!("+++\n{}\n+++\n{body}", lines.join("\n"));
        if crlf {
            text = text.replace('\n', "\r\n");
        }
        load(text.into_bytes());
    }

    #[test]
    fn a_valid_file_with_one_value_changed_never_panics(
        index in 0usize..60,
        replacement in value(),
    ) {
        let original = include_str!("../content/hekichi-online-shinryo-shien.md");
        let lines: Vec<&str> = original.lines().collect();
        let target = index % lines.len();
        let changed: Vec<String> = lines
            .iter()
            .enumerate()
            .map(|(i, l)| match l.split_once(" = ") {
                Some((k, _)) if i == target => format!("{k} = {replacement}"),
                _ => l.to_string(),
            })
            .collect();
        load(changed.join("\n").into_bytes());
    }
}
