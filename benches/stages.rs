//! Criterion micro-benchmarks of the build's hot stages (issue #7), to guide optimisation: reading one
//! project file, rendering one project page, minifying one page, and rendering the home page (the
//! largest page, which lists every project). They run on the repository's real site.
//!
//! Run with `cargo bench --bench stages` (add `-- parse` etc. to pick one).

use std::hint::black_box;
use std::path::{Path, PathBuf};

use criterion::{Criterion, criterion_group, criterion_main};
use roadmap::config::SiteConfig;
use roadmap::content::project::{self, Context};
use roadmap::diagnostics::SourceFile;
use roadmap::indexes::Indexes;
use roadmap::pipeline;
use roadmap::render::Renderer;
use roadmap::render::routes::PageKind;
use roadmap::vocabulary::Vocabulary;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The longest real project file (in any edition's folder under `content/`): the worst case of the
/// parse stage, with its path relative to the site.
fn biggest_project(root: &Path) -> (String, String, String) {
    let mut files: Vec<(String, String, String)> = walkdir::WalkDir::new(root.join("content"))
        .into_iter()
        .filter_map(Result::ok)
        .map(|e| e.into_path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .map(|p| {
            let slug = p
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            let text = std::fs::read_to_string(&p).expect("project file is UTF-8");
            let relative = p.strip_prefix(root).expect("inside the site");
            (slug, relative.to_string_lossy().into_owned(), text)
        })
        .collect();
    files.sort_by_key(|(slug, _, text)| (std::cmp::Reverse(text.len()), slug.clone()));
    files.into_iter().next().expect("content/ has a project")
}

fn parse(c: &mut Criterion) {
    let root = repo();
    let config = SiteConfig::load(&root).expect("config.toml is valid");
    let vocabulary = Vocabulary::load(&root).expect("vocabulary.toml is valid");
    let context = Context {
        config: &config,
        vocabulary: &vocabulary,
    };
    let (slug, path, text) = biggest_project(&root);
    c.bench_function("parse one project file", |b| {
        b.iter(|| {
            let file = SourceFile::new(&path, text.clone());
            black_box(project::read(&file, &slug, &context).expect("project is valid"))
        })
    });
}

fn render(c: &mut Criterion) {
    let root = repo();
    let site = pipeline::load_site(&root).expect("the real site loads");
    let renderer =
        Renderer::load(&root.join("themes").join(&site.config.theme)).expect("the theme compiles");
    let indexes = Indexes::build(&site).expect("the budgets add up");
    let source = roadmap::render::Source::new(&site, &indexes);
    // The project with the most roadmap rows.
    let biggest = (0..site.projects.len())
        .max_by_key(|&i| {
            site.projects[i]
                .initiatives
                .iter()
                .map(|x| x.roadmap.len())
                .sum::<usize>()
        })
        .expect("the site has projects");
    c.bench_function("render one project page", |b| {
        b.iter(|| {
            black_box(
                renderer
                    .render(&source, PageKind::Project(biggest))
                    .expect("page renders"),
            )
        })
    });
    c.bench_function("render the home page (27 projects)", |b| {
        b.iter(|| {
            black_box(
                renderer
                    .render(&source, PageKind::Home)
                    .expect("page renders"),
            )
        })
    });
    let page = renderer
        .render_html(&source, PageKind::Project(biggest))
        .expect("page renders");
    c.bench_function("minify one project page", |b| {
        b.iter(|| black_box(roadmap::render::compact::minify_page(&page)))
    });
    c.bench_function("build the indexes (27 projects)", |b| {
        b.iter(|| black_box(Indexes::build(&site)))
    });
}

criterion_group!(benches, parse, render);
criterion_main!(benches);
