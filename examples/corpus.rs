//! Synthetic corpus generator for the performance benchmark (issue #7).
//!
//! Writes a complete site root (config, vocabulary, theme and N project files) whose projects are drawn
//! from the distribution of the real projects in the repository's `content/` (every `.md` file under it,
//! the edition folders `content/r6/` … included): organisation
//! (category, departments, sections, account), budget, flags, period, number of initiatives and roadmap
//! rows, the rows' year spans, and the lengths of the texts, which are rebuilt by recombining clauses of
//! the real texts. The same seed gives byte-identical files on any machine: the generator uses its own
//! fixed PRNG (splitmix64), integer arithmetic only, and reads the real files in sorted order. Project
//! `i` depends only on the seed and `i`, so a smaller corpus is a prefix of a larger one.
//!
//! With `--editions K`, the site has K editions (`content/r6/`, `content/r7/` …, as many as K) of N
//! projects each, as a roadmap revised every year: each edition drops the oldest 5 % of the previous
//! one's projects and adds as many new ones, and gives every project it keeps another budget (the
//! previous edition's scaled by 0.8–1.2). A project keeps its file name (its slug) and its text
//! across editions; only its budget changes.
//!
//! Usage: `cargo run --release --example corpus -- --count N --seed S --out DIR [--editions K] [--repo DIR]`

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// A marker left in every generated root, so that a rerun may replace it but never an unrelated folder.
const MARKER: &str = ".roadmap-corpus";

/// splitmix64: tiny, fast, and fully specified, so every platform draws the same numbers.
struct Rng(u64);

impl Rng {
    fn new(seed: u64, stream: u64) -> Rng {
        let mut rng = Rng(seed ^ stream.wrapping_mul(0xA076_1D64_78BD_642F));
        rng.next();
        rng
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`); the tiny modulo bias does not matter here.
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// One roadmap row of a real project.
#[derive(Clone)]
struct RealRow {
    label: String,
    kind: String,
    years: Vec<String>,
    year_labels: Vec<(String, String)>,
    /// 「資料どおり」 or 「推定」, with the reason for inferred years.
    basis: String,
    reason: Option<String>,
}

#[derive(Clone)]
struct RealInitiative {
    title: String,
    description: String,
    rows: Vec<RealRow>,
}

/// The keys of a real project that the generator samples.
#[derive(Clone)]
struct RealProject {
    name: String,
    field: String,
    category: String,
    departments: Vec<String>,
    sections: Vec<String>,
    account: Option<String>,
    budget: i64,
    priority: bool,
    future: bool,
    start: String,
    end: String,
    sheet_number: bool,
    overview: String,
    situation: String,
    outcome: String,
    initiatives: Vec<RealInitiative>,
}

/// What the real projects offer to recombine.
struct Pools {
    projects: Vec<RealProject>,
    initiatives: Vec<RealInitiative>,
    rows: Vec<RealRow>,
    overview_clauses: Vec<String>,
    situation_clauses: Vec<String>,
    outcome_clauses: Vec<String>,
    description_clauses: Vec<String>,
    /// Lengths (in characters) of the items of bulleted 現状・課題 texts.
    bullet_lengths: Vec<usize>,
    cell_labels: Vec<String>,
}

struct Args {
    count: usize,
    seed: u64,
    out: PathBuf,
    repo: PathBuf,
    /// 0: the projects directly in `content/` (a site without editions).
    editions: usize,
}

/// The fiscal year (Reiwa) of the first edition written with `--editions`: the configured budget
/// year of the repository's `config.toml`, so its years fit every edition.
const FIRST_EDITION: usize = 6;

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("corpus: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let args = parse_args()?;
    let projects = read_real_projects(&args.repo.join("content"))?;
    let pools = Pools::new(projects)?;
    prepare_out(&args.out)?;
    copy_file(
        &args.repo.join("config.toml"),
        &args.out.join("config.toml"),
    )?;
    copy_file(
        &args.repo.join("content/vocabulary.toml"),
        &args.out.join("content/vocabulary.toml"),
    )?;
    copy_tree(&args.repo.join("themes"), &args.out.join("themes"))?;
    // Each edition after the first drops the oldest `turnover` projects and adds as many.
    let turnover = args.count / 20;
    let last = args.count + args.editions.saturating_sub(1) * turnover;
    let width = last.to_string().len().max(5);
    let mut bytes = 0usize;
    let mut files = 0usize;
    let mut text = String::new();
    let editions: Vec<Option<usize>> = if args.editions == 0 {
        vec![None]
    } else {
        (0..args.editions).map(Some).collect()
    };
    for edition in editions {
        let dir = match edition {
            None => args.out.join("content"),
            Some(e) => args
                .out
                .join("content")
                .join(format!("r{}", FIRST_EDITION + e)),
        };
        fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let first = 1 + edition.unwrap_or(0) * turnover;
        for i in first..first + args.count {
            text.clear();
            let mut rng = Rng::new(args.seed, i as u64);
            write_project(
                &mut text,
                &mut rng,
                &pools,
                i,
                args.seed,
                edition.unwrap_or(0),
            );
            let path = dir.join(format!("p-{i:0width$}.md"));
            fs::write(&path, &text).map_err(|e| format!("{}: {e}", path.display()))?;
            bytes += text.len();
            files += 1;
        }
    }
    println!(
        "{} project files in {} edition(s) ({} bytes of content) written to {} (seed {})",
        files,
        args.editions.max(1),
        bytes,
        args.out.display(),
        args.seed
    );
    Ok(())
}

fn parse_args() -> Result<Args, String> {
    let usage = "usage: corpus --count N --seed S --out DIR [--editions K] [--repo DIR]";
    let mut count = None;
    let mut seed = 1u64;
    let mut out = None;
    let mut repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut editions = 0usize;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args
            .next()
            .ok_or_else(|| format!("{flag} needs a value; {usage}"))?;
        match flag.as_str() {
            "--count" => {
                count = Some(
                    value
                        .parse::<usize>()
                        .map_err(|e| format!("--count {value}: {e}"))?,
                )
            }
            "--seed" => seed = value.parse().map_err(|e| format!("--seed {value}: {e}"))?,
            "--out" => out = Some(PathBuf::from(value)),
            "--repo" => repo = PathBuf::from(value),
            "--editions" => {
                editions = value
                    .parse::<usize>()
                    .map_err(|e| format!("--editions {value}: {e}"))?
            }
            _ => return Err(format!("unknown argument {flag}; {usage}")),
        }
    }
    let count = count.filter(|&c| c > 0).ok_or(usage)?;
    let out = out.ok_or(usage)?;
    Ok(Args {
        count,
        seed,
        out,
        repo,
        editions,
    })
}

/// Empties `out` if it is a corpus written before; refuses any other non-empty folder.
fn prepare_out(out: &Path) -> Result<(), String> {
    if out.exists() {
        let empty = fs::read_dir(out)
            .map_err(|e| format!("{}: {e}", out.display()))?
            .next()
            .is_none();
        if !empty && !out.join(MARKER).is_file() {
            return Err(format!(
                "{} is not empty and was not written by this generator; choose another --out",
                out.display()
            ));
        }
        fs::remove_dir_all(out).map_err(|e| format!("{}: {e}", out.display()))?;
    }
    fs::create_dir_all(out.join("content")).map_err(|e| format!("{}: {e}", out.display()))?;
    fs::write(
        out.join(MARKER),
        "synthetic corpus; see examples/corpus.rs\n",
    )
    .map_err(|e| format!("{}: {e}", out.display()))
}

fn copy_file(from: &Path, to: &Path) -> Result<(), String> {
    if let Some(parent) = to.parent() {
        fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    }
    fs::copy(from, to)
        .map(|_| ())
        .map_err(|e| format!("{} → {}: {e}", from.display(), to.display()))
}

fn copy_tree(from: &Path, to: &Path) -> Result<(), String> {
    for entry in walkdir::WalkDir::new(from).sort_by_file_name() {
        let entry = entry.map_err(|e| format!("{}: {e}", from.display()))?;
        if entry.file_type().is_file() {
            let relative = entry
                .path()
                .strip_prefix(from)
                .map_err(|e| format!("{}: {e}", entry.path().display()))?;
            copy_file(entry.path(), &to.join(relative))?;
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Reading the real projects

fn read_real_projects(content: &Path) -> Result<Vec<RealProject>, String> {
    let mut paths: Vec<PathBuf> = walkdir::WalkDir::new(content)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .map(|e| e.into_path())
        .filter(|p| p.extension().and_then(|e| e.to_str()) == Some("md"))
        .collect();
    paths.sort();
    let projects = paths
        .iter()
        .map(|path| read_real_project(path))
        .collect::<Result<Vec<_>, _>>()?;
    if projects.is_empty() {
        return Err(format!("no project files in {}", content.display()));
    }
    Ok(projects)
}

fn read_real_project(path: &Path) -> Result<RealProject, String> {
    let where_ = |what: &str| format!("{}: {what}", path.display());
    let text = fs::read_to_string(path).map_err(|e| where_(&e.to_string()))?;
    let text = text.trim_start_matches('\u{feff}').replace("\r\n", "\n");
    let rest = text
        .strip_prefix("+++\n")
        .ok_or_else(|| where_("no opening +++"))?;
    let end = rest.find("\n+++").ok_or_else(|| where_("no closing +++"))?;
    let table: toml::Table = toml::from_str(&rest[..=end]).map_err(|e| where_(&e.to_string()))?;
    let string = |t: &toml::Table, key: &str| -> Result<String, String> {
        t.get(key)
            .and_then(|v| v.as_str())
            .map(str::to_string)
            .ok_or_else(|| where_(&format!("{key} is not a string")))
    };
    let strings = |t: &toml::Table, key: &str| -> Result<Vec<String>, String> {
        t.get(key)
            .and_then(|v| v.as_array())
            .ok_or_else(|| where_(&format!("{key} is not a list")))?
            .iter()
            .map(|v| {
                v.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| where_(&format!("{key} holds a non-string")))
            })
            .collect()
    };
    let boolean = |key: &str| -> Result<bool, String> {
        table
            .get(key)
            .and_then(|v| v.as_bool())
            .ok_or_else(|| where_(&format!("{key} is not a boolean")))
    };
    let tables = |t: &toml::Table, key: &str| -> Vec<toml::Table> {
        t.get(key)
            .and_then(|v| v.as_array())
            .map(|a| a.iter().filter_map(|v| v.as_table().cloned()).collect())
            .unwrap_or_default()
    };
    let mut initiatives = Vec::new();
    for initiative in tables(&table, "initiatives") {
        let mut rows = Vec::new();
        for row in tables(&initiative, "roadmap") {
            let year_labels = row
                .get("year_labels")
                .and_then(|v| v.as_table())
                .map(|labels| {
                    labels
                        .iter()
                        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                        .collect()
                })
                .unwrap_or_default();
            rows.push(RealRow {
                label: string(&row, "label")?,
                kind: string(&row, "kind")?,
                years: strings(&row, "years")?,
                year_labels,
                basis: string(&row, "basis")?,
                reason: string(&row, "reason").ok(),
            });
        }
        initiatives.push(RealInitiative {
            title: string(&initiative, "title")?,
            description: string(&initiative, "description").unwrap_or_default(),
            rows,
        });
    }
    if initiatives.is_empty() {
        return Err(where_("no [[initiatives]]"));
    }
    Ok(RealProject {
        name: string(&table, "name")?,
        field: string(&table, "field")?,
        category: string(&table, "category")?,
        departments: strings(&table, "departments")?,
        sections: strings(&table, "sections")?,
        account: string(&table, "account").ok(),
        budget: table
            .get("budget")
            .and_then(|v| v.as_integer())
            .ok_or_else(|| where_("budget is not an integer"))?,
        priority: boolean("priority")?,
        future: boolean("future")?,
        start: string(&table, "start")?,
        end: string(&table, "end")?,
        sheet_number: table.contains_key("sheet_number"),
        overview: string(&table, "overview")?,
        situation: string(&table, "situation")?,
        outcome: string(&table, "outcome")?,
        initiatives,
    })
}

impl Pools {
    fn new(projects: Vec<RealProject>) -> Result<Pools, String> {
        let initiatives: Vec<RealInitiative> = projects
            .iter()
            .flat_map(|p| p.initiatives.iter().cloned())
            .collect();
        let rows: Vec<RealRow> = initiatives
            .iter()
            .flat_map(|i| i.rows.iter().cloned())
            .collect();
        let clauses_of = |texts: &mut dyn Iterator<Item = &str>| -> Vec<String> {
            texts.flat_map(|t| clauses(&plain_text(t))).collect()
        };
        let overview_clauses = clauses_of(&mut projects.iter().map(|p| p.overview.as_str()));
        let situation_clauses = clauses_of(&mut projects.iter().map(|p| p.situation.as_str()));
        let outcome_clauses = clauses_of(&mut projects.iter().map(|p| p.outcome.as_str()));
        let description_clauses =
            clauses_of(&mut initiatives.iter().map(|i| i.description.as_str()));
        let bullet_lengths = projects
            .iter()
            .flat_map(|p| bullets(&p.situation))
            .map(|b| b.chars().count())
            .collect();
        let cell_labels = rows
            .iter()
            .flat_map(|r| r.year_labels.iter().map(|(_, l)| l.clone()))
            .chain(rows.iter().map(|r| r.label.clone()))
            .collect();
        for (name, pool) in [
            ("overview", &overview_clauses),
            ("situation", &situation_clauses),
            ("outcome", &outcome_clauses),
            ("description", &description_clauses),
        ] {
            if pool.is_empty() {
                return Err(format!("the real projects have no {name} text"));
            }
        }
        if rows.is_empty() {
            return Err("the real projects have no roadmap rows".to_string());
        }
        Ok(Pools {
            projects,
            initiatives,
            rows,
            overview_clauses,
            situation_clauses,
            outcome_clauses,
            description_clauses,
            bullet_lengths,
            cell_labels,
        })
    }
}

/// The items of a bulleted text (lines starting with `- `); empty for a plain paragraph.
fn bullets(text: &str) -> Vec<&str> {
    text.lines()
        .filter_map(|l| l.trim().strip_prefix("- "))
        .collect()
}

/// A text with list markers removed and lines joined.
fn plain_text(text: &str) -> String {
    text.lines()
        .map(|l| l.trim())
        .map(|l| l.strip_prefix("- ").unwrap_or(l))
        .collect::<Vec<_>>()
        .join("")
}

/// Splits Japanese text after every 「、」 and 「。」, keeping the punctuation.
fn clauses(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for c in text.chars() {
        current.push(c);
        if c == '、' || c == '。' {
            out.push(std::mem::take(&mut current));
        }
    }
    if !current.trim().is_empty() {
        current.push('。');
        out.push(current);
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Writing a synthetic project

/// A sentence or more of about `length` characters, made of clauses drawn from `pool`.
fn sentence(rng: &mut Rng, pool: &[String], length: usize) -> String {
    let mut text = String::new();
    let mut chars = 0;
    while chars < length.max(1) {
        let clause = rng.pick(pool);
        chars += clause.chars().count();
        text.push_str(clause);
    }
    if text.ends_with('、') {
        text.pop();
        text.push('。');
    } else if !text.ends_with('。') {
        text.push('。');
    }
    text
}

/// A text shaped like a real one (same length; bulleted if the real one is).
fn text_like(rng: &mut Rng, pools: &Pools, real: &str, pool: &[String]) -> String {
    let items = bullets(real);
    if items.is_empty() {
        return sentence(rng, pool, real.trim().chars().count());
    }
    let mut text = String::new();
    for _ in 0..items.len() {
        let length = *rng.pick(&pools.bullet_lengths);
        let _ = writeln!(text, "- {}", sentence(rng, pool, length));
    }
    text.trim_end().to_string()
}

/// Writes project `index`; in edition `edition` (0 for the first) with that edition's budget.
fn write_project(
    out: &mut String,
    rng: &mut Rng,
    pools: &Pools,
    index: usize,
    seed: u64,
    edition: usize,
) {
    let organisation = rng.pick(&pools.projects);
    let named = rng.pick(&pools.projects);
    let money = rng.pick(&pools.projects);
    let flags = rng.pick(&pools.projects);
    let period = rng.pick(&pools.projects);
    let numbered = rng.pick(&pools.projects);
    let shape = rng.pick(&pools.projects);

    // The serial makes every name unique, as the content stage requires.
    let name = format!("{}（{index}）", named.name);
    // The budget of a real project scaled by 0.5–1.5, in integer arithmetic.
    let mut budget = (money.budget * (500 + rng.below(1001) as i64) / 1000).max(1);
    // Each later edition scales the previous one's by 0.8–1.2, drawn from its own stream so that
    // everything else about the project stays the same.
    for e in 1..=edition {
        let mut revision = Rng::new(seed ^ 0xED17_1014, ((e as u64) << 40) | index as u64);
        budget = (budget * (800 + revision.below(401) as i64) / 1000).max(1);
    }

    out.push_str("+++\n");
    let _ = writeln!(out, "name = {}", quoted(&name));
    let _ = writeln!(out, "field = {}", quoted(&organisation.field));
    let _ = writeln!(out, "category = {}", quoted(&organisation.category));
    let _ = writeln!(out, "departments = {}", list(&organisation.departments));
    let _ = writeln!(out, "sections = {}", list(&organisation.sections));
    let _ = writeln!(out, "budget = {budget}");
    if let Some(account) = &organisation.account {
        let _ = writeln!(out, "account = {}", quoted(account));
    }
    let _ = writeln!(out, "priority = {}", flags.priority);
    let _ = writeln!(out, "future = {}", flags.future);
    let _ = writeln!(out, "start = {}", quoted(&period.start));
    let _ = writeln!(out, "end = {}", quoted(&period.end));
    if numbered.sheet_number {
        let _ = writeln!(out, "sheet_number = {index}");
    }
    out.push('\n');
    let real_overview = &rng.pick(&pools.projects).overview;
    let overview = text_like(rng, pools, real_overview, &pools.overview_clauses);
    let real_situation = &rng.pick(&pools.projects).situation;
    let situation = text_like(rng, pools, real_situation, &pools.situation_clauses);
    let real_outcome = &rng.pick(&pools.projects).outcome;
    let outcome = text_like(rng, pools, real_outcome, &pools.outcome_clauses);
    for (key, text) in [
        ("overview", overview),
        ("situation", situation),
        ("outcome", outcome),
    ] {
        let _ = writeln!(out, "{key} = \"\"\"\n{}\n\"\"\"\n", escape(&text));
    }

    for _ in 0..shape.initiatives.len() {
        let template = rng.pick(&pools.initiatives);
        let title = &rng.pick(&pools.initiatives).title;
        let description = if template.description.trim().is_empty() {
            String::new()
        } else {
            sentence(
                rng,
                &pools.description_clauses,
                template.description.chars().count(),
            )
        };
        let _ = writeln!(out, "[[initiatives]]");
        let _ = writeln!(out, "title = {}", quoted(title));
        let _ = writeln!(out, "description = {}\n", quoted(&description));
        for _ in 0..template.rows.len() {
            let row = rng.pick(&pools.rows);
            let label = &rng.pick(&pools.rows).label;
            let _ = writeln!(out, "[[initiatives.roadmap]]");
            let _ = writeln!(out, "label = {}", quoted(label));
            let _ = writeln!(out, "kind = {}", quoted(&row.kind));
            let _ = writeln!(out, "years = {}", list(&row.years));
            if !row.year_labels.is_empty() {
                let cells: Vec<String> = row
                    .year_labels
                    .iter()
                    .map(|(year, _)| {
                        let label: &String = rng.pick(&pools.cell_labels);
                        format!("{year} = {}", quoted(label))
                    })
                    .collect();
                let _ = writeln!(out, "year_labels = {{ {} }}", cells.join(", "));
            }
            let _ = writeln!(out, "basis = {}", quoted(&row.basis));
            if let Some(reason) = &row.reason {
                let _ = writeln!(out, "reason = {}", quoted(reason));
            }
            out.push('\n');
        }
    }
    // Drop the blank line before the closing fence, as the real files do.
    while out.ends_with("\n\n") {
        out.pop();
    }
    out.push_str("+++\n");
}

/// Escapes text for a TOML basic or multi-line basic string.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push('\n'),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

fn quoted(text: &str) -> String {
    format!("\"{}\"", escape(text).replace('\n', "\\n"))
}

fn list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| quoted(s)).collect();
    format!("[{}]", quoted.join(", "))
}
