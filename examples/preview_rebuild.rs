//! How long the live preview (`roadmap serve`) takes to show one edit: a benchmark of the
//! [`Rebuilder`], the part of the preview that rebuilds the site after a save, on a site given by
//! `--root` (for instance one written by `examples/corpus.rs --editions 3`).
//!
//! It makes a first (full) build into a temporary folder, then, `--runs` times, changes the budget
//! of one project of the latest edition (or of the site, without editions) and times
//! `Rebuilder::build()`; it also times a rebuild with nothing changed. Between edits it waits
//! `--pause` milliseconds (default 1000: nobody saves twice a second), as the preview frees the
//! previous build's state after answering. The project file is put back as it was at the end. It
//! prints the times; it is a benchmark, not a test.
//!
//! Usage: `cargo run --release --example preview_rebuild -- --root DIR [--runs N] [--pause MS] [--project FILE]`

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use roadmap::pipeline::BuildOptions;
use roadmap::pipeline::incremental::{RebuildKind, Rebuilder};

// The allocator `roadmap serve` runs with (src/main.rs), so that the times are the preview's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

struct Args {
    root: PathBuf,
    runs: usize,
    pause: Duration,
    project: Option<PathBuf>,
}

fn main() -> ExitCode {
    // As `roadmap` does before any work.
    roadmap::memory::keep_freed_memory();
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("preview_rebuild: {message}");
            ExitCode::FAILURE
        }
    }
}

fn parse_args() -> Result<Args, String> {
    let usage = "usage: preview_rebuild --root DIR [--runs N] [--pause MS] [--project FILE]";
    let mut root = None;
    let mut runs = 5usize;
    let mut pause = 1000u64;
    let mut project = None;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args
            .next()
            .ok_or_else(|| format!("{flag} needs a value; {usage}"))?;
        match flag.as_str() {
            "--root" => root = Some(PathBuf::from(value)),
            "--runs" => runs = value.parse().map_err(|e| format!("--runs {value}: {e}"))?,
            "--pause" => pause = value.parse().map_err(|e| format!("--pause {value}: {e}"))?,
            "--project" => project = Some(PathBuf::from(value)),
            _ => return Err(format!("unknown argument {flag}; {usage}")),
        }
    }
    Ok(Args {
        root: root.ok_or(usage)?,
        runs: runs.max(1),
        pause: Duration::from_millis(pause),
        project,
    })
}

/// The first project file (by name) of the latest edition's folder, or of `content/` without
/// editions.
fn first_project(root: &Path) -> Result<PathBuf, String> {
    let editions = roadmap::editions::discover(root)
        .map_err(|e| format!("the edition folders are in error: {}", e.len()))?;
    let dir = match editions.last() {
        Some(latest) => root.join(latest.dir()),
        None => root.join("content"),
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    files.sort();
    files
        .into_iter()
        .next()
        .ok_or_else(|| format!("no project file in {}", dir.display()))
}

/// The CPU time (user and system, every thread) this process has used, in seconds, where the
/// system says (Linux: `/proc/self/stat`, in clock ticks of 1/100 s).
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The fields after the program's name, which is in parentheses and may hold spaces.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let user: f64 = fields.get(11)?.parse().ok()?;
    let system: f64 = fields.get(12)?.parse().ok()?;
    Some((user + system) / 100.0)
}

/// One rebuild: wall time, CPU time (when known), how it went, pages rendered.
struct Timing {
    wall: f64,
    cpu: Option<f64>,
    kind: RebuildKind,
    pages: usize,
}

impl std::fmt::Display for Timing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:.3} s", self.wall)?;
        if let Some(cpu) = self.cpu {
            write!(f, ", CPU {cpu:.2} s")?;
        }
        write!(f, " ({}, {} pages)", describe(&self.kind), self.pages)
    }
}

fn timed(rebuilder: &mut Rebuilder) -> Result<Timing, String> {
    let cpu = cpu_seconds();
    let started = Instant::now();
    let report = rebuilder.build().map_err(|e| e.to_string())?;
    let wall = started.elapsed().as_secs_f64();
    Ok(Timing {
        wall,
        cpu: cpu.zip(cpu_seconds()).map(|(before, after)| after - before),
        kind: report.kind,
        pages: report.build.pages,
    })
}

/// The median of `values` (sorted in place); NaN for none.
fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    match values.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => values[n / 2],
        n => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}

fn describe(kind: &RebuildKind) -> String {
    match kind {
        RebuildKind::Full => "full".to_string(),
        RebuildKind::Partial {
            read,
            projects,
            kept,
            written,
            removed,
        } => format!(
            "partial: {read} read, {projects} project pages, {kept} pages kept, {written} written, {removed} removed"
        ),
    }
}

fn run() -> Result<(), String> {
    let args = parse_args()?;
    let project = match args.project {
        Some(path) => path,
        None => first_project(&args.root)?,
    };
    let original =
        std::fs::read_to_string(&project).map_err(|e| format!("{}: {e}", project.display()))?;
    let budget_line = original
        .lines()
        .find(|l| l.starts_with("budget = "))
        .ok_or_else(|| format!("{}: no budget line", project.display()))?
        .to_string();
    let output = tempfile::tempdir().map_err(|e| format!("temporary folder: {e}"))?;
    let mut rebuilder = Rebuilder::new(BuildOptions {
        root: args.root.clone(),
        output: output.path().join("site"),
        base_url: Some("http://127.0.0.1:8000/".to_string()),
        preview: true,
    });
    let result = measure(
        &mut rebuilder,
        &project,
        &original,
        &budget_line,
        args.runs,
        args.pause,
    );
    // Put the project file back whatever happened.
    std::fs::write(&project, &original).map_err(|e| format!("{}: {e}", project.display()))?;
    result
}

fn measure(
    rebuilder: &mut Rebuilder,
    project: &Path,
    original: &str,
    budget_line: &str,
    runs: usize,
    pause: Duration,
) -> Result<(), String> {
    let mut runs_seen = Vec::with_capacity(runs);
    let first = timed(rebuilder)?;
    println!("first build: {first}");
    std::thread::sleep(pause);
    println!("nothing changed: {}", timed(rebuilder)?);
    println!("editing {}", project.display());
    for run in 1..=runs {
        std::thread::sleep(pause);
        let edited = original.replacen(budget_line, &format!("{budget_line}{run}"), 1);
        std::fs::write(project, edited).map_err(|e| format!("{}: {e}", project.display()))?;
        let timing = timed(rebuilder)?;
        println!("budget edit {run}: {timing}");
        runs_seen.push(timing);
    }
    let mut wall: Vec<f64> = runs_seen.iter().map(|t| t.wall).collect();
    let mut cpu: Vec<f64> = runs_seen.iter().filter_map(|t| t.cpu).collect();
    println!(
        "budget edit: median {:.3} s (min {:.3}, max {:.3}) over {runs} runs; CPU median {}",
        median(&mut wall),
        wall.first().copied().unwrap_or(f64::NAN),
        wall.last().copied().unwrap_or(f64::NAN),
        if cpu.is_empty() {
            "unknown".to_string()
        } else {
            format!("{:.2} s", median(&mut cpu))
        }
    );
    Ok(())
}
