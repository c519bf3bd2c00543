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
        let original = include_str!("../content/r6/hekichi-online-shinryo-shien.md");
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

/// One generated project: a real file with its budget, years, account and roadmap rows replaced.
#[derive(Debug, Clone)]
struct Generated {
    budget: u64,
    start: &'static str,
    end: &'static str,
    hospital: bool,
    rows: Vec<(Vec<&'static str>, bool)>,
}

fn generated() -> impl Strategy<Value = Generated> {
    let code = prop::sample::select(vec!["H30", "H31", "R1", "R5", "R6", "R8", "R10"]);
    let end = prop::sample::select(vec!["H31", "R6", "R7", "R10", "未定"]);
    let year = prop::sample::select(vec!["R6", "R7", "R8", "R9", "R10"]);
    // Mostly plausible budgets, so that many cases build a whole site; the rest at and past the
    // bound, up to u64::MAX.
    let budget = prop_oneof![
        6 => 0u64..5_000_000,
        1 => any::<u64>(),
        1 => Just(u64::MAX),
        1 => Just(1_000_000_000u64),
        1 => Just(1_000_000_001u64),
    ];
    let rows = prop::collection::vec(
        (prop::collection::btree_set(year, 1..4), any::<bool>()),
        1..4,
    )
    .prop_map(|rows| {
        rows.into_iter()
            .map(|(years, inferred)| (years.into_iter().collect(), inferred))
            .collect()
    });
    (budget, code, end, any::<bool>(), rows).prop_map(|(budget, start, end, hospital, rows)| {
        Generated {
            budget,
            start,
            end,
            hospital,
            rows,
        }
    })
}

/// The text of a generated project file.
fn project_file(n: usize, project: &Generated) -> String {
    let mut text = format!(
        "+++\nname = \"生成した事業{n}\"\nfield = \"暮らし・まち分野\"\ncategory = \"医療・福祉\"\ndepartments = [\"健康福祉部\"]\nsections = [\"医療薬務課\"]\nbudget = {}\naccount = \"{}\"\npriority = false\nfuture = false\nstart = \"{}\"\nend = \"{}\"\noverview = \"概要\"\nsituation = \"課題\"\noutcome = \"変化\"\n\n[[initiatives]]\ntitle = \"取組\"\n",
        project.budget,
        if project.hospital {
            "病院事業会計"
        } else {
            "一般会計"
        },
        project.start,
        project.end,
    );
    for (years, inferred) in &project.rows {
        let years: Vec<String> = years.iter().map(|y| format!("\"{y}\"")).collect();
        text.push_str(&format!(
            "\n[[initiatives.roadmap]]\nlabel = \"行\"\nkind = \"計画\"\nyears = [{}]\n",
            years.join(", ")
        ));
        if *inferred {
            text.push_str("basis = \"推定\"\nreason = \"理由\"\n");
        } else {
            text.push_str("basis = \"資料どおり\"\n");
        }
    }
    text.push_str("+++\n");
    text
}

proptest! {
    // Each case is a whole build, in a debug build (overflow checks on): fewer cases.
    #![proptest_config(ProptestConfig::with_cases(40))]

    /// Through every stage — content, indexes, rendering, writing — any budgets, years and rows give
    /// a site or errors, never a panic; a site's total is the exact sum of its budgets.
    #[test]
    fn whole_builds_never_panic_and_totals_are_exact(projects in prop::collection::vec(generated(), 1..4)) {
        let site = tempfile::tempdir().expect("tempdir");
        let root = site.path();
        let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        std::fs::copy(repo.join("config.toml"), root.join("config.toml")).expect("config");
        std::fs::create_dir_all(root.join("content")).expect("content");
        std::fs::copy(
            repo.join("content/vocabulary.toml"),
            root.join("content/vocabulary.toml"),
        )
        .expect("vocabulary");
        copy_tree(&repo.join("themes"), &root.join("themes"));
        for (n, project) in projects.iter().enumerate() {
            std::fs::write(root.join(format!("content/p{n}.md")), project_file(n, project))
                .expect("write");
        }
        let output = root.join("output");
        let result = roadmap::pipeline::build(&roadmap::pipeline::BuildOptions {
            root: root.to_path_buf(),
            output: output.clone(),
            base_url: Some("https://example.jp/".to_string()),
            preview: false,
        });
        let sum: u128 = projects.iter().map(|p| u128::from(p.budget)).sum();
        match result {
            Ok(report) => {
                prop_assert_eq!(u128::from(report.total.thousand_yen()), sum);
                prop_assert!(projects.iter().all(|p| p.budget <= 1_000_000_000));
                prop_assert!(output.join("index.html").is_file());
            }
            Err(roadmap::pipeline::Failure::Content(errors)) => {
                prop_assert!(!errors.is_empty());
                prop_assert!(!output.exists(), "a failed build writes nothing");
            }
            Err(other) => prop_assert!(false, "unexpected failure: {}", other),
        }
    }
}

fn copy_tree(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read_dir").flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}
