//! Runs the `roadmap` binary as staff and the web team would: a good build, broken content files
//! (each must be named with its line, and the published output must stay untouched), and repeated
//! builds that must be byte-identical whatever the thread count.

mod common;

use common::{copy_site, snapshot};

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

fn roadmap(args: &[&str], threads: Option<usize>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_roadmap"));
    command.args(args);
    if let Some(n) = threads {
        command.env("RAYON_NUM_THREADS", n.to_string());
    }
    command.output().expect("run roadmap")
}

fn build(root: &Path, output: &Path, threads: Option<usize>) -> Output {
    let root = root.to_str().expect("utf8 path");
    let output = output.to_str().expect("utf8 path");
    roadmap(&["build", "--root", root, "--output", output], threads)
}

fn edit(root: &Path, file: &str, from: &str, to: &str) {
    let path = root.join(common::SHEETS).join(file);
    let text = fs::read_to_string(&path).expect("read");
    assert!(text.contains(from), "{file} has no {from:?}");
    fs::write(&path, text.replacen(from, to, 1)).expect("write");
}

/// The 1-based line of the first occurrence of `needle` in a content file.
fn line_of(root: &Path, file: &str, needle: &str) -> usize {
    let text = fs::read_to_string(root.join(common::SHEETS).join(file)).expect("read");
    let offset = text.find(needle).expect("needle");
    text[..offset].matches('\n').count() + 1
}

const FILE: &str = "hekichi-online-shinryo-shien.md";

/// Breaks a copy of the site with `change`, builds over a published output, and returns stderr.
fn failed_build(mut change: impl FnMut(&Path)) -> String {
    let site = copy_site();
    let output = site.path().join("published");
    let good = build(site.path(), &output, None);
    assert!(
        good.status.success(),
        "{}",
        String::from_utf8_lossy(&good.stderr)
    );
    let before = snapshot(&output);
    change(site.path());
    let bad = build(site.path(), &output, None);
    let stderr = String::from_utf8_lossy(&bad.stderr).into_owned();
    assert_eq!(bad.status.code(), Some(1), "{stderr}");
    assert_eq!(
        snapshot(&output),
        before,
        "a failed build changed the published output"
    );
    let leftovers: Vec<_> = fs::read_dir(site.path())
        .expect("ls")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("staging") || n.contains("previous"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    stderr
}

#[test]
fn a_budget_written_with_a_comma_is_named_with_file_line_and_fix() {
    let mut line = 0;
    let stderr = failed_build(|root| {
        line = line_of(root, FILE, "budget = 4202");
        edit(root, FILE, "budget = 4202", "budget = \"4,202\"");
    });
    assert!(
        stderr.contains(&format!("content/r6/{FILE}:{line}:10: エラー: [budget]")),
        "{stderr}"
    );
    assert!(stderr.contains("budget = 4202 と書きます"), "{stderr}");
}

#[test]
fn a_misspelt_key_gets_a_suggestion() {
    let stderr = failed_build(|root| edit(root, FILE, "budget = 4202", "budjet = 4202"));
    assert!(
        stderr.contains("「budjet」というキーは使えません"),
        "{stderr}"
    );
    assert!(stderr.contains("もしかして: budget"), "{stderr}");
    assert!(
        !stderr.contains("必要なキー「budget」がありません"),
        "a misspelt key is reported once, not also as missing: {stderr}"
    );
    assert!(stderr.contains("内容に 1 件の誤りがあります"), "{stderr}");
}

#[test]
fn an_impossible_fiscal_year_is_explained() {
    let stderr = failed_build(|root| edit(root, FILE, "start = \"R6\"", "start = \"H32\""));
    assert!(stderr.contains("[start]"), "{stderr}");
    assert!(stderr.contains("平成は31年度まで"), "{stderr}");
    assert!(stderr.contains("\"R2\""), "{stderr}");
}

#[test]
fn an_unclosed_front_matter_is_reported_on_line_one() {
    let stderr = failed_build(|root| {
        let path = root.join(common::SHEETS).join(FILE);
        let text = fs::read_to_string(&path).expect("read");
        let last = text.rfind("+++").expect("closing");
        fs::write(&path, &text[..last]).expect("write");
    });
    assert!(
        stderr.contains(&format!(
            "content/r6/{FILE}:1:1: エラー: 前付けが +++ で閉じられていません"
        )),
        "{stderr}"
    );
}

#[test]
fn an_undeclared_department_suggests_the_nearest() {
    let stderr = failed_build(|root| {
        edit(
            root,
            FILE,
            "departments = [\"健康福祉部\"]",
            "departments = [\"健康福祉\"]",
        )
    });
    assert!(
        stderr.contains("部局「健康福祉」は宣言されていません"),
        "{stderr}"
    );
    assert!(stderr.contains("もしかして: 健康福祉部"), "{stderr}");
}

#[test]
fn every_broken_file_is_reported_in_one_run() {
    let stderr = failed_build(|root| {
        edit(root, FILE, "budget = 4202", "budget = -1");
        edit(
            root,
            "koshu-eisei-dx.md",
            "priority = true",
            "priority = \"○\"",
        );
    });
    assert!(stderr.contains(&format!("content/r6/{FILE}")), "{stderr}");
    assert!(stderr.contains("content/r6/koshu-eisei-dx.md"), "{stderr}");
    assert!(stderr.contains("内容に 2 件の誤りがあります"), "{stderr}");
}

#[test]
fn check_reports_without_writing() {
    let site = copy_site();
    let root = site.path().to_str().expect("utf8");
    let clean = roadmap(&["check", "--root", root], None);
    assert!(clean.status.success());
    assert!(String::from_utf8_lossy(&clean.stdout).contains("誤りはありません"));
    edit(
        site.path(),
        FILE,
        "category = \"医療・福祉\"",
        "category = \"医療福祉\"",
    );
    let broken = roadmap(&["check", "--root", root], None);
    assert_eq!(broken.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&broken.stderr).contains("もしかして: 医療・福祉"));
    assert!(
        !site.path().join("output").exists(),
        "check wrote an output"
    );
}

#[test]
fn builds_are_byte_identical_with_one_thread_and_many() {
    let site = copy_site();
    let one = site.path().join("one");
    let many = site.path().join("many");
    let again = site.path().join("again");
    for (output, threads) in [(&one, 1), (&many, 8), (&again, 8)] {
        let result = build(site.path(), output, Some(threads));
        assert!(
            result.status.success(),
            "{}",
            String::from_utf8_lossy(&result.stderr)
        );
    }
    let reference = snapshot(&one);
    assert!(reference.len() > 27);
    assert!(
        reference == snapshot(&many),
        "1 thread and 8 threads differ"
    );
    assert!(reference == snapshot(&again), "two builds differ");
}

#[test]
fn a_build_over_an_existing_output_replaces_it_whole() {
    let site = copy_site();
    let output = site.path().join("site");
    assert!(build(site.path(), &output, None).status.success());
    fs::write(output.join("stale.html"), "old").expect("write");
    let result = build(site.path(), &output, None);
    assert!(result.status.success());
    assert!(!output.join("stale.html").exists());
    assert!(output.join("index.html").is_file());
    let stdout = String::from_utf8_lossy(&result.stdout);
    assert!(stdout.contains("事業 27 件"), "{stdout}");
}

/// Adds `count` copies of a project (own slug and name) so that a build takes long enough to kill.
fn add_copies(root: &Path, count: usize) {
    let text = fs::read_to_string(root.join(common::SHEETS).join(FILE)).expect("read");
    for i in 0..count {
        let copy = text.replacen(
            "name = \"へき地オンライン診療支援対策事業\"",
            &format!("name = \"へき地オンライン診療支援対策事業（複製{i}）\""),
            1,
        );
        fs::write(
            root.join(common::SHEETS).join(format!("copy-{i:05}.md")),
            copy,
        )
        .expect("write");
    }
}

#[test]
fn a_build_killed_at_any_moment_leaves_the_published_output_intact() {
    let site = copy_site();
    add_copies(site.path(), 3000);
    let output = site.path().join("published");
    let first = build(site.path(), &output, None);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let published = snapshot(&output);
    // A change that every page shows, so that a half-replaced output would be visible.
    let config = site.path().join("config.toml");
    let text = fs::read_to_string(&config).expect("config");
    fs::write(&config, text.replacen("title = \"", "title = \"改訂版 ", 1)).expect("write");

    let mut killed_while_running = 0;
    for delay_ms in [0u64, 5, 20, 50, 100, 200, 400, 700, 1000, 1500] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_roadmap"))
            .args(["build", "--root"])
            .arg(site.path())
            .arg("--output")
            .arg(&output)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("spawn");
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        if child.try_wait().expect("try_wait").is_none() {
            killed_while_running += 1;
        }
        child.kill().ok(); // SIGKILL, as `kill -9`
        child.wait().expect("wait");
        let now = snapshot(&output);
        if now == published {
            continue;
        }
        // Otherwise the build swapped its output in (it may have been killed just after, before it
        // exited): the whole output is the new site, never a mix.
        let html_pages: Vec<&Vec<u8>> = now
            .iter()
            .filter(|(p, _)| p.extension().is_some_and(|e| e == "html"))
            .map(|(_, bytes)| bytes)
            .collect();
        let new_pages = html_pages
            .iter()
            .filter(|b| String::from_utf8_lossy(b).contains("改訂版"))
            .count();
        assert_eq!(
            new_pages,
            html_pages.len(),
            "a build stopped after {delay_ms} ms left a mix of old and new pages"
        );
        assert_eq!(
            now.len(),
            published.len(),
            "a build stopped after {delay_ms} ms left another set of files"
        );
        break;
    }
    assert!(
        killed_while_running >= 5,
        "only {killed_while_running} kills hit a running build"
    );
}

#[test]
fn a_broken_template_is_named_by_check() {
    let site = copy_site();
    let template = site.path().join("themes/default/templates/project.html");
    let text = fs::read_to_string(&template).expect("read");
    fs::write(&template, text.replacen("{% endfor %}", "", 1)).expect("write");
    let root = site.path().to_str().expect("utf8");
    let result = roadmap(&["check", "--root", root], None);
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert_eq!(result.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("テンプレートに誤りがあります"), "{stderr}");
    assert!(stderr.contains("project.html"), "{stderr}");
}

#[test]
fn a_misspelt_template_variable_is_named_with_its_line() {
    let site = copy_site();
    let template = site.path().join("themes/default/templates/project.html");
    let text = fs::read_to_string(&template).expect("read");
    let line = 1 + text
        .lines()
        .position(|l| l.contains("<h1>{{ project.name }}</h1>"))
        .expect("the project page has its name as heading");
    fs::write(
        &template,
        text.replacen(
            "<h1>{{ project.name }}</h1>",
            "<h1>{{ project.nmae }}</h1>",
            1,
        ),
    )
    .expect("write");
    let output = site.path().join("published");
    let result = build(site.path(), &output, None);
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert_eq!(result.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("を描画できません"), "{stderr}");
    // The line as the theme's author wrote it, not the template minified for rendering.
    assert!(
        stderr.contains(&format!("project.html:{line}:")),
        "line {line}: {stderr}"
    );
    assert!(stderr.contains("nmae"), "{stderr}");
    assert!(!output.exists(), "nothing published");
}

#[test]
fn a_config_mistake_is_named_with_its_line() {
    let site = copy_site();
    let config = site.path().join("config.toml");
    let text = fs::read_to_string(&config).expect("read");
    fs::write(
        &config,
        text.replacen("last_year = \"R10\"", "last_year = \"H40\"", 1),
    )
    .expect("write");
    let line = fs::read_to_string(&config)
        .expect("read")
        .lines()
        .position(|l| l.contains("H40"))
        .expect("line")
        + 1;
    let root = site.path().to_str().expect("utf8");
    let result = roadmap(&["check", "--root", root], None);
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert_eq!(result.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains(&format!("config.toml:{line}:")), "{stderr}");
    assert!(stderr.contains("[roadmap.last_year]"), "{stderr}");
}

#[test]
fn a_root_without_a_site_is_a_usage_error() {
    let empty = tempfile::tempdir().expect("tempdir");
    let result = roadmap(
        &["check", "--root", empty.path().to_str().expect("utf8")],
        None,
    );
    assert_eq!(result.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&result.stderr).contains("config.toml がありません"));
}

#[test]
fn an_output_that_would_replace_the_sources_is_refused() {
    let site = copy_site();
    let root = site.path().to_str().expect("utf8");
    let before = snapshot(&site.path().join("content"));
    for output in [
        site.path().to_path_buf(),
        site.path().join("content"),
        site.path().join("themes/default"),
        site.path().parent().expect("parent").to_path_buf(),
    ] {
        let result = roadmap(
            &[
                "build",
                "--root",
                root,
                "--output",
                output.to_str().expect("utf8"),
            ],
            None,
        );
        let stderr = String::from_utf8_lossy(&result.stderr);
        assert_eq!(
            result.status.code(),
            Some(2),
            "{}: {stderr}",
            output.display()
        );
        assert!(stderr.contains("使えません"), "{stderr}");
    }
    assert!(
        snapshot(&site.path().join("content")) == before,
        "the sources were changed"
    );
    assert!(site.path().join("config.toml").is_file());
}

/// Runs `roadmap` and waits for it, killing it (and failing) if it has not ended after two minutes:
/// a hang must fail the test run, not stall it.
fn run_to_end(args: &[&str]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_roadmap"))
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while child.try_wait().expect("wait").is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("roadmap {args:?} did not end");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    child.wait_with_output().expect("output")
}

#[test]
fn a_runaway_template_fails_its_page_instead_of_hanging() {
    for (loop_, says) in [
        // Nested ranges that write nothing: 10¹⁰ turns.
        (
            "{% for i in range(end=100000) %}{% for j in range(end=100000) %}{% endfor %}{% endfor %}",
            "range() の数が多すぎます",
        ),
        // A loop that writes a page of gigabytes.
        (
            "{% for i in range(end=100000) %}{% for j in range(end=9) %}{{ project.overview_html }}{% endfor %}{% endfor %}",
            "ページが大きすぎます",
        ),
    ] {
        let site = copy_site();
        let root = site.path();
        let template = root.join("themes/default/templates/project.html");
        let text = fs::read_to_string(&template).expect("read");
        fs::write(
            &template,
            text.replacen(
                "<h1>{{ project.name }}</h1>",
                &format!("<h1>{{{{ project.name }}}}</h1>{loop_}"),
                1,
            ),
        )
        .expect("write");
        let root_arg = root.to_str().expect("utf8");
        for command in ["check", "build"] {
            let result = run_to_end(&[command, "--root", root_arg]);
            assert_eq!(result.status.code(), Some(1), "{command}");
            let stderr = String::from_utf8_lossy(&result.stderr);
            assert!(stderr.contains(says), "{command}: {stderr}");
            assert!(
                stderr.contains("project.html") && stderr.contains("ページ projects/"),
                "{stderr}"
            );
        }
        assert!(!root.join("output").exists(), "nothing published");
    }
}

#[test]
fn a_full_disk_or_a_closed_pipe_on_standard_output_is_no_panic() {
    let site = copy_site();
    let root = site.path().to_str().expect("utf8").to_string();
    // /dev/full: the report cannot be written. Said once, in Japanese, exit 2.
    let full = fs::File::create("/dev/full").expect("/dev/full");
    let result = Command::new(env!("CARGO_BIN_EXE_roadmap"))
        .args(["check", "--root", &root])
        .stdout(full)
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert_eq!(result.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("結果を標準出力に書き出せませんでした"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    // A reader that went away (`roadmap build | head -0`): its choice, exit as the build did.
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    let out = tempfile::tempdir().expect("tempdir");
    let output = out.path().join("site");
    let result = Command::new(env!("CARGO_BIN_EXE_roadmap"))
        .args(["build", "--root", &root, "--output"])
        .arg(&output)
        .stdout(writer)
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert_eq!(result.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(output.join("index.html").is_file());
}

#[test]
fn a_theme_on_the_slow_path_is_told_once() {
    let site = copy_site();
    let root = site.path();
    let base = root.join("themes/default/templates/base.html");
    let text = fs::read_to_string(&base).expect("read");
    fs::write(
        &base,
        text.replacen(
            "<main id=\"main\" class=\"wrap\">",
            "<main id=\"main\"{% if root %} class=\"wrap\"{% endif %}>",
            1,
        ),
    )
    .expect("write");
    let root_arg = root.to_str().expect("utf8");
    let out = tempfile::tempdir().expect("tempdir");
    let output = out.path().join("site");
    for args in [
        vec!["check", "--root", root_arg],
        vec![
            "build",
            "--root",
            root_arg,
            "--output",
            output.to_str().expect("utf8"),
        ],
    ] {
        let result = roadmap(&args, None);
        assert!(result.status.success(), "{args:?}");
        let stderr = String::from_utf8_lossy(&result.stderr);
        assert_eq!(
            stderr.matches("ページごとに圧縮します").count(),
            1,
            "{args:?}: {stderr}"
        );
    }
}

// The command line a Hugo or Zola user expects (issue 17).

/// Runs `roadmap` in `dir` with `env` added, with no colour settings inherited from the terminal
/// that runs the tests.
fn roadmap_in(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_roadmap"));
    command
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("CLICOLOR");
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().expect("run roadmap")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn the_site_is_found_from_any_subfolder_and_an_explicit_root_wins() {
    let site = copy_site();
    let deep = site.path().join("content").join("sub").join("deeper");
    fs::create_dir_all(&deep).expect("mkdir");
    for dir in [site.path().join("content"), deep.clone()] {
        let result = roadmap_in(&dir, &["check"], &[]);
        assert!(result.status.success(), "{}", text(&result.stderr));
        assert!(text(&result.stdout).contains("誤りはありません"));
    }
    // The default output is the site's output/; a relative --output is from the current folder.
    let result = roadmap_in(&deep, &["build"], &[]);
    assert!(result.status.success(), "{}", text(&result.stderr));
    assert!(site.path().join("output/index.html").is_file());
    let content = site.path().join("content");
    let result = roadmap_in(&content, &["build", "--output", "../public"], &[]);
    assert!(result.status.success(), "{}", text(&result.stderr));
    assert!(site.path().join("public/index.html").is_file());
    // --root wins over the site around the current folder.
    let empty = tempfile::tempdir().expect("tempdir");
    let elsewhere = empty.path().to_str().expect("utf8");
    let result = roadmap_in(&deep, &["check", "--root", elsewhere], &[]);
    assert_eq!(result.status.code(), Some(2));
    assert!(text(&result.stderr).contains("config.toml がありません"));
    // No site here nor above: said in Japanese, exit 2.
    let result = roadmap_in(empty.path(), &["check"], &[]);
    assert_eq!(result.status.code(), Some(2), "{}", text(&result.stderr));
    assert!(
        text(&result.stderr).contains("その上のフォルダにも config.toml がありません"),
        "{}",
        text(&result.stderr)
    );
}

/// What clap writes in English, none of which may reach staff.
const ENGLISH: [&str; 14] = [
    "Usage",
    "Options",
    "Commands",
    "Arguments",
    "Print help",
    "Print version",
    "possible values",
    "default:",
    "[OPTIONS]",
    "<COMMAND>",
    "see more",
    "error:",
    "tip:",
    "For more information",
];

fn assert_japanese(output: &str) {
    for word in ENGLISH {
        assert!(!output.contains(word), "{word:?} in:\n{output}");
    }
}

#[test]
fn help_is_japanese_throughout() {
    let here = common::repo();
    for args in [
        vec!["--help"],
        vec!["-h"],
        vec!["help"],
        vec!["build", "--help"],
        vec!["help", "build"],
        vec!["check", "--help"],
        vec!["serve", "-h"],
        vec!["new", "--help"],
        vec!["completions", "--help"],
        vec!["help", "help"],
    ] {
        let result = roadmap_in(&here, &args, &[]);
        let stdout = text(&result.stdout);
        assert!(
            result.status.success(),
            "{args:?}: {}",
            text(&result.stderr)
        );
        assert!(stdout.contains("使い方: roadmap"), "{args:?}: {stdout}");
        assert!(
            stdout.contains("この使い方を表示します"),
            "{args:?}: {stdout}"
        );
        assert_japanese(&stdout);
    }
    let top = text(&roadmap_in(&here, &["--help"], &[]).stdout);
    for heading in [
        "コマンド:",
        "オプション:",
        "バージョンを表示します",
        "completions",
    ] {
        assert!(top.contains(heading), "{heading}: {top}");
    }
    assert_eq!(
        roadmap_in(&here, &["help", "build"], &[]).stdout,
        roadmap_in(&here, &["build", "--help"], &[]).stdout
    );
    // No command: the help, on standard error, as a usage error.
    let bare = roadmap_in(&here, &[], &[]);
    assert_eq!(bare.status.code(), Some(2));
    assert!(text(&bare.stderr).contains("使い方: roadmap"));
    assert_japanese(&text(&bare.stderr));
}

#[test]
fn command_line_mistakes_are_told_in_japanese() {
    let here = common::repo();
    for (args, says) in [
        (
            vec!["buld"],
            vec!["「buld」というコマンドはありません", "もしかして: build"],
        ),
        (
            vec!["build", "--rot", "x"],
            vec![
                "「--rot」というオプションはありません",
                "もしかして: --root",
                "使い方: roadmap build [オプション]",
                "roadmap build --help",
            ],
        ),
        (
            vec!["check", "--format", "xml"],
            vec!["「xml」は使えません", "human、json、github、gitlab"],
        ),
        (vec!["serve", "--port", "abc"], vec!["「abc」が読めません"]),
        (vec!["new"], vec!["<名前> を指定してください"]),
        (
            vec!["help", "nope"],
            vec!["「nope」というコマンドはありません"],
        ),
    ] {
        let result = roadmap_in(&here, &args, &[]);
        let stderr = text(&result.stderr);
        assert_eq!(result.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.starts_with("エラー: "), "{args:?}: {stderr}");
        for said in says {
            assert!(stderr.contains(said), "{args:?}: {said} not in {stderr}");
        }
        assert_japanese(&stderr);
        assert!(result.stdout.is_empty());
    }
}

#[test]
fn completions_are_written_for_every_shell() {
    let here = common::repo();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let result = roadmap_in(&here, &["completions", shell], &[]);
        assert!(result.status.success(), "{shell}: {}", text(&result.stderr));
        let script = text(&result.stdout);
        assert!(script.contains("roadmap"), "{shell}");
        assert!(script.contains("serve"), "{shell}: {script}");
    }
    let bash = text(&roadmap_in(&here, &["completions", "bash"], &[]).stdout);
    for word in [
        "build",
        "check",
        "serve",
        "new",
        "completions",
        "--root",
        "--format",
    ] {
        assert!(bash.contains(word), "{word} not in the bash script");
    }
    assert!(bash.contains("complete -F _roadmap"), "{bash}");
}

/// A copy of the site with a budget written with a comma, and the line it is on.
fn site_with_a_budget_error() -> (tempfile::TempDir, usize) {
    let site = copy_site();
    let line = line_of(site.path(), FILE, "budget = 4202");
    edit(site.path(), FILE, "budget = 4202", "budget = \"4,202\"");
    (site, line)
}

#[test]
fn errors_are_coloured_only_for_a_terminal_and_never_with_no_color() {
    let (site, _) = site_with_a_budget_error();
    let plain = roadmap_in(site.path(), &["check"], &[]);
    assert_eq!(plain.status.code(), Some(1));
    assert!(text(&plain.stderr).contains("エラー: [budget]"));
    assert!(
        !plain.stderr.contains(&0x1b),
        "escape codes in piped output"
    );
    // CLICOLOR_FORCE stands in for a terminal here (the standard for forcing colour).
    let coloured = roadmap_in(site.path(), &["check"], &[("CLICOLOR_FORCE", "1")]);
    let stderr = text(&coloured.stderr);
    assert!(stderr.contains("\u{1b}[31mエラー\u{1b}[0m"), "{stderr:?}");
    assert!(
        stderr.contains(&format!("\u{1b}[1mcontent/r6/{FILE}:")),
        "{stderr:?}"
    );
    let clean = copy_site();
    let notices = roadmap_in(clean.path(), &["check"], &[("CLICOLOR_FORCE", "1")]);
    let stderr = text(&notices.stderr);
    assert!(stderr.contains("\u{1b}[33mお知らせ\u{1b}[0m"), "{stderr:?}");
    for no_color in ["1", "true", "0"] {
        let result = roadmap_in(
            site.path(),
            &["check"],
            &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", no_color)],
        );
        assert!(!result.stderr.contains(&0x1b), "NO_COLOR={no_color}");
        assert!(text(&result.stderr).contains("エラー: [budget]"));
    }
}

#[test]
fn quiet_prints_errors_only() {
    let site = copy_site();
    let out = tempfile::tempdir().expect("tempdir");
    let output = out.path().join("site");
    let output = output.to_str().expect("utf8");
    // The real content has notices; a plain build prints them and a summary.
    let loud = roadmap_in(site.path(), &["build", "--output", output], &[]);
    assert!(text(&loud.stderr).contains("お知らせ"));
    assert!(text(&loud.stdout).contains("ページ"));
    for args in [
        vec!["--quiet", "build", "--output", output],
        vec!["build", "-q", "--output", output],
        vec!["check", "--quiet"],
        vec!["-q", "new", "kenko-portal"],
    ] {
        let result = roadmap_in(site.path(), &args, &[]);
        assert!(
            result.status.success(),
            "{args:?}: {}",
            text(&result.stderr)
        );
        assert!(
            result.stdout.is_empty(),
            "{args:?}: {}",
            text(&result.stdout)
        );
        assert!(
            result.stderr.is_empty(),
            "{args:?}: {}",
            text(&result.stderr)
        );
    }
    assert!(site.path().join("content/r6/kenko-portal.md").is_file());
    fs::remove_file(site.path().join("content/r6/kenko-portal.md")).expect("rm");
    edit(site.path(), FILE, "budget = 4202", "budget = -1");
    let result = roadmap_in(site.path(), &["check", "-q"], &[]);
    let stderr = text(&result.stderr);
    assert_eq!(result.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("エラー: [budget]"), "{stderr}");
    assert!(stderr.contains("内容に 1 件の誤りがあります"), "{stderr}");
    assert!(!stderr.contains("お知らせ"), "{stderr}");
}

#[test]
fn check_formats_for_ci_name_the_file_and_line_of_an_error() {
    let (site, line) = site_with_a_budget_error();
    let path = format!("content/r6/{FILE}");

    let json = roadmap_in(site.path(), &["check", "--format", "json"], &[]);
    assert_eq!(json.status.code(), Some(1), "{}", text(&json.stderr));
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON");
    let entries = report.as_array().expect("an array");
    let errors: Vec<&serde_json::Value> = entries
        .iter()
        .filter(|e| e["severity"] == "error")
        .collect();
    assert_eq!(errors.len(), 1, "{report:#}");
    let error = errors[0];
    assert_eq!(error["file"], path.as_str());
    assert_eq!(error["line"], line);
    assert_eq!(error["column"], 10);
    assert_eq!(error["key"], "budget");
    assert!(error["message"].as_str().expect("message").contains("整数"));
    assert!(
        error["hint"]
            .as_str()
            .expect("hint")
            .contains("budget = 4202")
    );
    // The people's report is still on standard error.
    assert!(text(&json.stderr).contains("内容に 1 件の誤りがあります"));

    let github = roadmap_in(site.path(), &["check", "--format", "github"], &[]);
    assert_eq!(github.status.code(), Some(1));
    let stdout = text(&github.stdout);
    let annotation = stdout
        .lines()
        .find(|l| l.starts_with("::error "))
        .expect("an error annotation");
    assert!(
        annotation.starts_with(&format!(
            "::error file={path},line={line},col=10,title=roadmap check [budget]::"
        )),
        "{annotation}"
    );
    assert!(annotation.contains("%0A直し方: "), "{annotation}");
    assert!(stdout.lines().all(|l| l.starts_with("::")), "{stdout}");

    let gitlab = roadmap_in(site.path(), &["check", "--format", "gitlab"], &[]);
    assert_eq!(gitlab.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&gitlab.stdout).expect("JSON");
    let issue = report
        .as_array()
        .expect("an array")
        .iter()
        .find(|e| e["severity"] == "major")
        .expect("the error");
    assert_eq!(issue["location"]["path"], path.as_str());
    assert_eq!(issue["location"]["lines"]["begin"], line);
    assert_eq!(issue["check_name"], "roadmap/budget");
    assert!(issue["fingerprint"].as_str().is_some_and(|f| f.len() == 32));

    // From the folder above the site, paths start with the site's folder, as a CI needs them.
    let name = site
        .path()
        .file_name()
        .expect("name")
        .to_str()
        .expect("utf8");
    let parent = site.path().parent().expect("parent");
    let above = roadmap_in(parent, &["check", "--root", name, "--format", "json"], &[]);
    let report: serde_json::Value = serde_json::from_slice(&above.stdout).expect("JSON");
    let file = format!("{name}/{path}");
    assert!(
        report
            .as_array()
            .expect("an array")
            .iter()
            .any(|e| e["file"] == file.as_str() && e["line"] == line),
        "{report:#}"
    );
}

#[test]
fn a_clean_check_in_json_is_an_array_of_notices() {
    let site = copy_site();
    let result = roadmap_in(site.path(), &["check", "--format", "json"], &[]);
    assert!(result.status.success(), "{}", text(&result.stderr));
    let report: serde_json::Value = serde_json::from_slice(&result.stdout).expect("JSON");
    let entries = report.as_array().expect("an array");
    assert!(!entries.is_empty());
    assert!(entries.iter().all(|e| e["severity"] == "notice"));
    assert!(text(&result.stderr).contains("誤りはありません"));
}
