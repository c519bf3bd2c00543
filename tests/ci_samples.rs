//! The sample CI and release workflows in docs/ci/ are copied by hand into other repositories, where
//! a mistake shows only when the host runs them. Every file is parsed as YAML (duplicate keys are
//! errors) and the keys the samples exist for are checked: a broken sample fails here instead.

use std::fs;
use std::path::{Path, PathBuf};

use saphyr::{LoadableYamlNode, Yaml};

fn ci_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/ci")
}

/// Reads and parses one sample; it must hold exactly one YAML document, a mapping.
fn load(name: &str) -> Yaml<'static> {
    let path = ci_dir().join(name);
    let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    // Leaked so that the parsed document, which borrows the text, can be returned.
    let text: &'static str = Box::leak(text.into_boxed_str());
    let mut documents =
        Yaml::load_from_str(text).unwrap_or_else(|e| panic!("{name} is not valid YAML: {e}"));
    assert_eq!(documents.len(), 1, "{name}: one YAML document");
    let document = documents.remove(0);
    assert!(document.is_mapping(), "{name}: the top level is a mapping");
    document
}

/// The node at a path of mapping keys, or a panic that names the file and the path.
fn at<'a>(file: &str, node: &'a Yaml<'static>, path: &[&str]) -> &'a Yaml<'static> {
    path.iter().fold(node, |node, key| {
        node.as_mapping_get(key)
            .unwrap_or_else(|| panic!("{file}: missing key {}", path.join(".")))
    })
}

fn string<'a>(file: &str, node: &'a Yaml<'static>, path: &[&str]) -> &'a str {
    at(file, node, path)
        .as_str()
        .unwrap_or_else(|| panic!("{file}: {} is not a string", path.join(".")))
}

fn sequence<'a>(file: &str, node: &'a Yaml<'static>, path: &[&str]) -> &'a [Yaml<'static>] {
    at(file, node, path)
        .as_vec()
        .unwrap_or_else(|| panic!("{file}: {} is not a list", path.join(".")))
}

fn strings(file: &str, node: &Yaml<'static>, path: &[&str]) -> Vec<String> {
    sequence(file, node, path)
        .iter()
        .map(|item| {
            item.as_str()
                .unwrap_or_else(|| panic!("{file}: {} holds a non-string", path.join(".")))
                .to_owned()
        })
        .collect()
}

/// The steps of a GitHub Actions job.
fn steps<'a>(file: &str, workflow: &'a Yaml<'static>, job: &str) -> &'a [Yaml<'static>] {
    sequence(file, workflow, &["jobs", job, "steps"])
}

/// The `uses:` of the steps that use an action whose name starts with `action`.
fn uses<'a>(steps: &'a [Yaml<'static>], action: &str) -> Vec<&'a Yaml<'static>> {
    steps
        .iter()
        .filter(|step| {
            step.as_mapping_get("uses")
                .and_then(Yaml::as_str)
                .is_some_and(|u| u.starts_with(&format!("{action}@")))
        })
        .collect()
}

/// All `run:` scripts of a job, joined.
fn runs(steps: &[Yaml<'static>]) -> String {
    steps
        .iter()
        .filter_map(|step| step.as_mapping_get("run").and_then(Yaml::as_str))
        .collect::<Vec<_>>()
        .join("\n")
}

/// An action reference pinned to a release (`@v4`, `@v2.9.2`) or a full commit, never a branch.
fn assert_pinned(file: &str, workflow: &Yaml<'static>) {
    let Some(jobs) = workflow.as_mapping_get("jobs").and_then(Yaml::as_mapping) else {
        return;
    };
    for job in jobs.values() {
        for step in job
            .as_mapping_get("steps")
            .and_then(Yaml::as_vec)
            .into_iter()
            .flatten()
        {
            let Some(reference) = step.as_mapping_get("uses").and_then(Yaml::as_str) else {
                continue;
            };
            let version = reference.rsplit_once('@').map_or("", |(_, v)| v);
            let release = version.strip_prefix('v').is_some_and(|v| {
                !v.is_empty() && v.split('.').all(|n| n.bytes().all(|b| b.is_ascii_digit()))
            });
            let commit = version.len() == 40 && version.bytes().all(|b| b.is_ascii_hexdigit());
            assert!(
                release || commit,
                "{file}: {reference} is not pinned to a release or a commit"
            );
        }
    }
}

#[test]
fn every_sample_is_valid_yaml_and_checked_here() {
    let mut names: Vec<String> = fs::read_dir(ci_dir())
        .expect("docs/ci")
        .map(|entry| {
            entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|name| name.ends_with(".yml") || name.ends_with(".yaml"))
        .collect();
    names.sort();
    for name in &names {
        load(name);
    }
    // A new sample needs its own test below.
    assert_eq!(
        names,
        ["github-actions.yml", "gitlab-ci.yml", "release-github.yml"],
        "docs/ci holds a sample this file does not check"
    );
}

#[test]
fn github_actions_checks_previews_caches_and_publishes_one_at_a_time() {
    let file = "github-actions.yml";
    let w = load(file);
    assert!(at(file, &w, &["on"]).contains_mapping_key("pull_request"));
    assert_eq!(strings(file, &w, &["on", "push", "branches"]), ["main"]);
    assert_pinned(file, &w);

    let check = steps(file, &w, "check");
    assert_eq!(
        uses(check, "Swatinem/rust-cache").len(),
        1,
        "{file}: cache in check"
    );
    let script = runs(check);
    assert!(
        script.contains("roadmap check --format github"),
        "{file}: errors as annotations"
    );
    let preview = uses(check, "actions/upload-artifact");
    assert_eq!(preview.len(), 1, "{file}: one preview artifact");
    let preview = preview[0];
    assert_eq!(
        string(file, preview, &["if"]),
        "github.event_name == 'pull_request'"
    );
    let path = string(file, preview, &["with", "path"]);
    assert!(
        script.contains(&format!("roadmap build --output {path}")),
        "{file}: the artifact uploads the folder the site was built into"
    );

    assert_eq!(
        string(file, &w, &["jobs", "publish", "concurrency", "group"]),
        "pages"
    );
    assert_eq!(
        at(
            file,
            &w,
            &["jobs", "publish", "concurrency", "cancel-in-progress"]
        )
        .as_bool(),
        Some(false),
        "{file}: a running deployment is never cancelled"
    );
    let publish = steps(file, &w, "publish");
    assert_eq!(
        uses(publish, "Swatinem/rust-cache").len(),
        1,
        "{file}: cache in publish"
    );
    assert!(runs(publish).contains("--locked -- build --output public"));
    assert_eq!(uses(publish, "actions/deploy-pages").len(), 1);
}

#[test]
fn gitlab_ci_caches_reports_previews_and_publishes_one_at_a_time() {
    let file = "gitlab-ci.yml";
    let c = load(file);
    assert_eq!(
        strings(file, &c, &["cache", "key", "files"]),
        ["Cargo.lock"]
    );
    assert_eq!(
        string(file, &c, &["variables", "CARGO_HOME"]),
        "$CI_PROJECT_DIR/.cargo"
    );
    let cached = strings(file, &c, &["cache", "paths"]);
    assert!(
        cached.iter().any(|p| p == "target/"),
        "{file}: target/ cached"
    );
    assert!(
        cached.iter().any(|p| p.starts_with(".cargo/")),
        "{file}: CARGO_HOME cached"
    );

    let script = strings(file, &c, &["check", "script"]).join("\n");
    let report = string(file, &c, &["check", "artifacts", "reports", "codequality"]);
    assert!(
        script.contains(&format!("roadmap check --format gitlab > {report}")),
        "{file}: the Code Quality report is the output of roadmap check --format gitlab"
    );
    assert_eq!(string(file, &c, &["check", "artifacts", "when"]), "always");

    assert!(!string(file, &c, &["preview", "artifacts", "expose_as"]).is_empty());
    let exposed = strings(file, &c, &["preview", "artifacts", "paths"]);
    assert_eq!(exposed.len(), 1, "{file}: one exposed path");
    // GitLab links a directory from the merge request only when its path ends with a slash.
    assert!(exposed[0].ends_with('/') && !exposed[0].starts_with("./"));
    let preview = strings(file, &c, &["preview", "script"]).join("\n");
    assert!(preview.contains(&format!(
        "build --output {}",
        exposed[0].trim_end_matches('/')
    )));
    let rule = string(
        file,
        sequence(file, &c, &["preview", "rules"]).first().unwrap(),
        &["if"],
    );
    assert!(
        rule.contains("merge_request_event"),
        "{file}: preview on merge requests"
    );

    assert_eq!(string(file, &c, &["pages", "resource_group"]), "pages");
    assert_eq!(
        strings(file, &c, &["pages", "artifacts", "paths"]),
        ["public"]
    );
}

#[test]
fn release_builds_three_systems_on_a_version_tag_and_attaches_them() {
    let file = "release-github.yml";
    let w = load(file);
    assert_eq!(strings(file, &w, &["on", "push", "tags"]), ["v*"]);
    assert_pinned(file, &w);

    let matrix = sequence(
        file,
        &w,
        &["jobs", "build", "strategy", "matrix", "include"],
    );
    let systems: Vec<&str> = matrix.iter().map(|m| string(file, m, &["os"])).collect();
    assert_eq!(systems, ["windows-latest", "macos-latest", "ubuntu-latest"]);
    assert_eq!(
        string(file, &w, &["jobs", "build", "runs-on"]),
        "${{ matrix.os }}"
    );
    let build = steps(file, &w, "build");
    let script = runs(build);
    assert!(script.contains("cargo build --release --locked"));
    for packed in ["README.md", "docs", "7z a", "tar czf"] {
        assert!(
            script.contains(packed),
            "{file}: the package step has {packed}"
        );
    }
    assert_eq!(uses(build, "actions/upload-artifact").len(), 1);

    assert_eq!(string(file, &w, &["jobs", "release", "needs"]), "build");
    assert_eq!(
        string(file, &w, &["jobs", "release", "permissions", "contents"]),
        "write"
    );
    let release = steps(file, &w, "release");
    assert_eq!(uses(release, "actions/download-artifact").len(), 1);
    assert!(runs(release).contains("gh release create \"$GITHUB_REF_NAME\""));
}
