//! A site's theme holds only what it changes: with no theme folder the built-in default theme makes
//! the same site as `themes/default`; a theme with one template and one static file gets every
//! other file from the default.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::{copy_site, snapshot};
use roadmap::pipeline::{self, BuildOptions, Failure};

fn build(root: &Path, output: &Path) -> Result<(), Failure> {
    pipeline::build(&BuildOptions {
        root: root.to_path_buf(),
        output: output.to_path_buf(),
        base_url: Some("https://example.jp/".to_string()),
        preview: false,
    })
    .map(|_| ())
}

#[test]
fn without_a_theme_folder_the_built_in_theme_makes_the_same_site() {
    let with = copy_site();
    let without = copy_site();
    fs::remove_dir_all(without.path().join("themes")).expect("remove themes");
    let out = tempfile::tempdir().expect("tempdir");
    build(with.path(), &out.path().join("with")).expect("build with themes/default");
    build(without.path(), &out.path().join("without")).expect("build without themes/");
    let (a, b) = (
        snapshot(&out.path().join("with")),
        snapshot(&out.path().join("without")),
    );
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    assert!(a == b, "the built-in theme is themes/default");
}

#[test]
fn a_theme_of_one_template_and_one_static_file_falls_back_for_the_rest() {
    let site = copy_site();
    let root = site.path();
    let default = root.join("themes/default");
    let mine = root.join("themes/mine");
    fs::create_dir_all(mine.join("templates")).expect("mkdir");
    fs::create_dir_all(mine.join("static/assets")).expect("mkdir");
    let base = fs::read_to_string(default.join("templates/base.html")).expect("base");
    fs::write(
        mine.join("templates/base.html"),
        base.replacen(
            "<body>",
            "<body>\n<p class=\"prefecture-banner\">試験県のテーマ</p>",
            1,
        ),
    )
    .expect("write");
    fs::write(
        mine.join("static/assets/style.css"),
        "body { color: #000; }\n",
    )
    .expect("write");
    fs::write(
        mine.join("labels.toml"),
        "[titles]\nbudget = \"令和6年度の事業費\"\n[breadcrumbs]\nhome = \"ホーム\"\n",
    )
    .expect("write");
    let config = root.join("config.toml");
    let text = fs::read_to_string(&config).expect("config");
    fs::write(
        &config,
        text.replace("theme = \"default\"", "theme = \"mine\""),
    )
    .expect("write");
    let out = tempfile::tempdir().expect("tempdir");
    let output = out.path().join("site");
    build(root, &output).expect("build with a one-template theme");
    let pages: Vec<PathBuf> = snapshot(&output)
        .into_keys()
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
        .collect();
    assert!(pages.len() > 50);
    for page in &pages {
        let html = fs::read_to_string(output.join(page)).expect("page");
        assert!(html.contains("試験県のテーマ"), "{}", page.display());
    }
    assert_eq!(
        fs::read_to_string(output.join("assets/style.css")).expect("css"),
        "body { color: #000; }\n"
    );
    // The theme's words: the budget page's name and the first breadcrumb; the others as before.
    let budget = fs::read_to_string(output.join("budget/index.html")).expect("budget");
    assert!(budget.contains("<title>令和6年度の事業費｜"), "the title");
    assert!(budget.contains("<h1>令和6年度の事業費</h1>"), "the heading");
    assert!(budget.contains(">ホーム</a>"), "the breadcrumb");
    let timeline = fs::read_to_string(output.join("timeline/index.html")).expect("timeline");
    assert!(
        timeline.contains("<h1>すべての事業の年次計画</h1>"),
        "a title the theme did not name"
    );
    assert_eq!(
        fs::read(output.join("assets/filter.js")).expect("js"),
        fs::read(default.join("static/assets/filter.js")).expect("default js"),
        "a static file the theme lacks comes from the default"
    );

    // A theme named in the config must exist (only the default is built in).
    fs::write(
        &config,
        text.replace("theme = \"default\"", "theme = \"nope\""),
    )
    .expect("write");
    match build(root, &out.path().join("nope")) {
        Err(Failure::Theme(e)) => assert!(
            e.to_string().contains("テーマのフォルダがありません"),
            "{e}"
        ),
        other => panic!(
            "expected a theme error, got {:?}",
            other.err().map(|e| e.to_string())
        ),
    }
}

#[test]
fn a_logo_header_links_and_a_footer_line_come_from_the_config() {
    let site = copy_site();
    let root = site.path();
    let config = root.join("config.toml");
    let text = fs::read_to_string(&config).expect("config");
    let branded = format!(
        "{text}\n[branding]\nlogo = \"assets/logo.svg\"\nlogo_alt = \"試験県\"\nfooter = \"試験県 企画部\"\n[[branding.links]]\nname = \"試験県ホームページ\"\nurl = \"https://www.example.lg.jp/\"\n"
    );
    fs::write(&config, &branded).expect("write");
    fs::create_dir_all(root.join("themes/default/static/assets")).expect("mkdir");
    fs::write(
        root.join("themes/default/static/assets/logo.svg"),
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
    )
    .expect("write");
    let out = tempfile::tempdir().expect("tempdir");
    let output = out.path().join("site");
    build(root, &output).expect("build");
    let project =
        fs::read_to_string(output.join("projects/hekichi-online-shinryo-shien/index.html"))
            .expect("page");
    assert!(
        project.contains("src=../../assets/logo.svg")
            || project.contains("src=\"../../assets/logo.svg\""),
        "the logo, relative to the page"
    );
    assert!(project.contains("alt=試験県") || project.contains("alt=\"試験県\""));
    assert!(
        project.contains("https://www.example.lg.jp/") && project.contains("試験県ホームページ")
    );
    assert!(project.contains("試験県 企画部"));
    assert!(output.join("assets/logo.svg").is_file());

    // A logo without its text alternative, or a link that is not http(s), is refused.
    for (from, to, key) in [
        ("logo_alt = \"試験県\"\n", "", "branding.logo_alt"),
        (
            "url = \"https://www.example.lg.jp/\"",
            "url = \"javascript:alert(1)\"",
            "branding.links.url",
        ),
        (
            "logo = \"assets/logo.svg\"",
            "logo = \"../../secret.svg\"",
            "branding.logo",
        ),
    ] {
        fs::write(&config, branded.replace(from, to)).expect("write");
        match pipeline::check(root) {
            Err(Failure::Content(errors)) => assert!(
                errors.iter().any(|e| e.key.as_deref() == Some(key)),
                "{key}: {errors:?}"
            ),
            other => panic!(
                "{key}: expected an error, got {:?}",
                other.err().map(|e| e.to_string())
            ),
        }
    }
}
