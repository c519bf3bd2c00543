//! `roadmap new`: starts a project file for staff, so that nobody has to write TOML from nothing.
//!
//! A new file has every key, each with a Japanese comment saying what it is and which values it allows
//! (the names are read from `content/vocabulary.toml` and `config.toml` at run time). Values to fill
//! are left empty (`""`, or nothing after `=` for numbers and true/false, so that typing the value after `=` is
//! all it takes), so `roadmap check` names each one, 「まだ書かれていません」, until it is written. `--from` copies an existing
//! project (next year's edition) with its 事業名 emptied, since two projects may not share one.
//! Existing files are never overwritten.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use toml::de::{DeTable, DeValue};
use walkdir::WalkDir;

use crate::config::SiteConfig;
use crate::content::{self, CONTENT_DIR, front_matter};
use crate::diagnostics::{Diagnostic, SourceFile};
use crate::editions::Edition;
use crate::fiscal_year::FiscalYear;
use crate::vocabulary::{Vocabulary, is_slug};

/// Why no file was written.
#[derive(Debug, thiserror::Error)]
pub enum ScaffoldError {
    /// A wrong slug, an existing file, a missing source (exit status 2).
    #[error("{0}")]
    Usage(String),
    /// The vocabulary or the settings the template is made from have problems (exit status 1).
    #[error("語彙または設定に {} 件の誤りがあるため、ファイルを作れません。", .0.len())]
    Content(Vec<Diagnostic>),
    /// The file could not be written (exit status 2).
    #[error("{path} に書き込めません: {message}")]
    Write { path: PathBuf, message: String },
}

impl ScaffoldError {
    pub fn exit_code(&self) -> u8 {
        match self {
            ScaffoldError::Content(_) => 1,
            ScaffoldError::Usage(_) | ScaffoldError::Write { .. } => 2,
        }
    }
}

/// Writes a new project file under `root`, from the template or from the project `from`; returns
/// the path written, relative to `root`. Without edition folders it is `content/<slug>.md`. With
/// them, `from` names its edition (`r6/<slug>`) and the copy goes to the next edition's folder
/// (`content/r7/`, made if need be) under the same name unless `slug` gives another, keeping the
/// 事業名 (the same file name in two editions is the same 事業); a new file from the template goes
/// to the latest edition's folder.
pub fn create(
    root: &Path,
    slug: Option<&str>,
    from: Option<&str>,
) -> Result<PathBuf, ScaffoldError> {
    let editions = crate::editions::discover(root).map_err(ScaffoldError::Content)?;
    if !editions.is_empty() {
        return create_in_edition(root, &editions, slug, from);
    }
    let Some(slug) = slug else {
        return Err(ScaffoldError::Usage(
            "新しいファイルの名前を指定してください（例: roadmap new kenko-portal）。".to_string(),
        ));
    };
    check_slug(slug)?;
    if let Some(existing) = find_project(root, slug) {
        return Err(ScaffoldError::Usage(format!(
            "{} はすでにあります。上書きはしません。別の名前にするか、そのファイルを直接直してください。",
            content::relative(root, &existing).display()
        )));
    }
    let text = match from {
        Some(source) => copy_of(root, source)?,
        None => {
            let (config, vocabulary) = load_settings(root)?;
            template(&config, &vocabulary)
        }
    };
    let relative = Path::new(CONTENT_DIR).join(format!("{slug}.md"));
    write_new(&root.join(&relative), &text)?;
    Ok(relative)
}

/// [`create`] for a site with edition folders.
fn create_in_edition(
    root: &Path,
    editions: &[Edition],
    slug: Option<&str>,
    from: Option<&str>,
) -> Result<PathBuf, ScaffoldError> {
    let (target, text) = match from {
        Some(from) => {
            let (code, source) = match from.split_once('/') {
                Some((code, source)) => (code.to_string(), source),
                None => {
                    check_slug(from)?;
                    (only_edition_having(root, editions, from)?, from)
                }
            };
            check_slug(source)?;
            let Some(edition) = editions.iter().find(|e| e.code == code) else {
                let codes: Vec<&str> = editions.iter().map(|e| e.code.as_str()).collect();
                return Err(ScaffoldError::Usage(format!(
                    "年度版「{code}」のフォルダ content/{code}/ がありません。ある年度版: {}",
                    codes.join("、")
                )));
            };
            let path = root.join(edition.dir()).join(format!("{source}.md"));
            if !path.is_file() {
                return Err(ScaffoldError::Usage(format!(
                    "もとにする事業ファイル {} がありません。ファイル名（.md を除いた部分）を確かめてください。",
                    content::relative(root, &path).display()
                )));
            }
            let year = FiscalYear::from_western(edition.year.western() + 1);
            let next = Edition {
                code: year.code().to_ascii_lowercase(),
                year,
            };
            let display = content::relative(root, &path);
            let bytes = fs::read(&path).map_err(|e| {
                ScaffoldError::Usage(format!("{} を読めません: {e}", display.display()))
            })?;
            let text = content::decode(&display, bytes).map_err(ScaffoldError::Content)?;
            let slug = slug.unwrap_or(source);
            check_slug(slug)?;
            let file = SourceFile::new(display, text);
            let text = if slug == source {
                edition_copy(&file, &next)
            } else {
                renamed_copy(&file, source)
            };
            (next.dir().join(format!("{slug}.md")), text)
        }
        None => {
            let Some(slug) = slug else {
                return Err(ScaffoldError::Usage(
                    "新しいファイルの名前を指定してください（例: roadmap new kenko-portal）。"
                        .to_string(),
                ));
            };
            check_slug(slug)?;
            if let Some(existing) = find_project(root, slug) {
                return Err(ScaffoldError::Usage(already_there(
                    root, editions, &existing, slug,
                )));
            }
            let Some(latest) = editions.last() else {
                return Err(ScaffoldError::Usage(
                    "年度のフォルダがありません。".to_string(),
                ));
            };
            let (config, _) = load_settings(root)?;
            let config = config.for_edition(&latest.code, latest.year);
            let vocabulary = Vocabulary::load_file(root, &latest.vocabulary_file(root))
                .map_err(ScaffoldError::Content)?;
            (
                latest.dir().join(format!("{slug}.md")),
                template(&config, &vocabulary),
            )
        }
    };
    if root.join(&target).exists() {
        return Err(ScaffoldError::Usage(format!(
            "{} はすでにあります。上書きはしません。別の名前にするか、そのファイルを直接直してください。",
            target.display()
        )));
    }
    write_new(&root.join(&target), &text)?;
    Ok(target)
}

/// The edition whose folder holds `<slug>.md`, when exactly one does; otherwise the question of
/// which edition (or that none has it).
fn only_edition_having(
    root: &Path,
    editions: &[Edition],
    slug: &str,
) -> Result<String, ScaffoldError> {
    let having: Vec<&Edition> = editions
        .iter()
        .filter(|e| root.join(e.dir()).join(format!("{slug}.md")).is_file())
        .collect();
    match having.as_slice() {
        [only] => Ok(only.code.clone()),
        _ => Err(ScaffoldError::Usage(which_edition(root, editions, slug))),
    }
}

/// Why `roadmap new <slug>` refuses a name some file already has: in an earlier edition it is the
/// same 事業 (continued with `--from`); anywhere else the name is taken.
fn already_there(root: &Path, editions: &[Edition], existing: &Path, slug: &str) -> String {
    let relative = content::relative(root, existing);
    let earlier = editions
        .iter()
        .rev()
        .skip(1)
        .find(|e| relative.parent() == Some(e.dir().as_path()));
    match earlier {
        Some(edition) => format!(
            "{} がすでにあります。同じファイル名は同じ事業です。この事業を{}にも載せるなら roadmap new --from {}/{slug} と書きます。別の事業なら別の名前にしてください。",
            relative.display(),
            editions.last().map_or(String::new(), Edition::name),
            edition.code
        ),
        None => format!(
            "{} はすでにあります。上書きはしません。別の名前にするか、そのファイルを直接直してください。",
            relative.display()
        ),
    }
}

/// A copy of `file` under another file name in the next edition: a different 事業 unless the
/// editor says it is the same one renamed, so its 事業名 is emptied (as for a copy in one
/// edition) and the `renamed_from` line that would make it the same 事業 is written commented out.
fn renamed_copy(file: &SourceFile, source: &str) -> String {
    let copy = next_edition(file);
    let line = format!(
        "# 同じ事業のファイル名を変えたときだけ、次の行の先頭の「# 」を消します（前の年度版の {source}.md と同じ事業として、事業費の推移などがつながります）。\n# renamed_from = \"{source}\"\n"
    );
    match copy.strip_prefix("+++\n") {
        Some(rest) => match rest.find('\n') {
            Some(end) => format!("+++\n{}{line}{}", &rest[..=end], &rest[end + 1..]),
            None => format!("+++\n{line}{rest}"),
        },
        None => copy,
    }
}

/// The question asked when `--from` names a project without its edition: which editions have it.
fn which_edition(root: &Path, editions: &[Edition], slug: &str) -> String {
    let having: Vec<&Edition> = editions
        .iter()
        .filter(|e| root.join(e.dir()).join(format!("{slug}.md")).is_file())
        .collect();
    match having.last() {
        None => format!(
            "もとにする事業ファイル {slug}.md は、どの年度のフォルダ（{}）にもありません。ファイル名（.md を除いた部分）を確かめてください。",
            editions
                .iter()
                .map(|e| format!("content/{}/", e.code))
                .collect::<Vec<_>>()
                .join("、")
        ),
        Some(last) => format!(
            "どの年度版の {slug} をもとにするか、--from {}/{slug} のように年度版を付けて指定してください。{slug}.md がある年度版: {}",
            last.code,
            having
                .iter()
                .map(|e| format!("{}（{}）", e.code, e.name()))
                .collect::<Vec<_>>()
                .join("、")
        ),
    }
}

/// The text of a project file of one edition, ready to be the same 事業 in edition `next`: as it
/// is, with a note of where it came from.
fn edition_copy(file: &SourceFile, next: &Edition) -> String {
    let origin = format!(
        "# {} をもとに、{}の事業ファイルとして作りました（roadmap new --from）。事業費・年度・取組など、変わったところを直してください。\n",
        file.display_path.display(),
        next.name()
    );
    let text = &file.text;
    match text.strip_prefix("+++\n") {
        Some(rest) => format!("+++\n{origin}{rest}"),
        None => format!("{origin}{text}"),
    }
}

fn check_slug(slug: &str) -> Result<(), ScaffoldError> {
    if is_slug(slug) {
        return Ok(());
    }
    Err(ScaffoldError::Usage(format!(
        "「{slug}」はファイル名（URL）に使えません。半角の英小文字・数字・ハイフンだけで付けます（例: hekichi-online-shinryo-r7）。"
    )))
}

/// The project file called `<slug>.md` anywhere under `content/`.
fn find_project(root: &Path, slug: &str) -> Option<PathBuf> {
    let name = format!("{slug}.md");
    WalkDir::new(root.join(CONTENT_DIR))
        .into_iter()
        .filter_map(Result::ok)
        .find(|e| e.file_name() == name.as_str())
        .map(|e| e.path().to_path_buf())
}

fn load_settings(root: &Path) -> Result<(SiteConfig, Vocabulary), ScaffoldError> {
    if !root.join(crate::config::CONFIG_FILE).is_file() {
        return Err(ScaffoldError::Usage(format!(
            "{} に config.toml がありません。--root でサイトのフォルダ（config.toml のある場所）を指定してください。",
            root.display()
        )));
    }
    match (SiteConfig::load(root), Vocabulary::load(root)) {
        (Ok(c), Ok(v)) => Ok((c, v)),
        (c, v) => {
            let mut errors = c.err().unwrap_or_default();
            errors.extend(v.err().unwrap_or_default());
            Err(ScaffoldError::Content(errors))
        }
    }
}

/// Creates the file, failing rather than replacing one that appeared meanwhile.
fn write_new(path: &Path, text: &str) -> Result<(), ScaffoldError> {
    use std::io::Write;
    let fail = |e: std::io::Error| ScaffoldError::Write {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(fail)?;
    }
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => ScaffoldError::Usage(format!(
                "{} はすでにあります。上書きはしません。",
                path.display()
            )),
            _ => fail(e),
        })?;
    file.write_all(text.as_bytes()).map_err(fail)
}

/// `"a"、"b"、"c"`: names as they are written in a file.
fn quoted<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    names
        .into_iter()
        .map(|n| format!("\"{n}\""))
        .collect::<Vec<_>>()
        .join("、")
}

/// A new project file: every key with its explanation, values left to fill.
pub fn template(config: &SiteConfig, vocabulary: &Vocabulary) -> String {
    let mut t = String::from("+++\n");
    t.push_str(HEADER);
    push_names(&mut t, vocabulary);
    push_money_and_years(&mut t, config, vocabulary);
    t.push_str(TEXTS);
    push_initiative(&mut t, config);
    t.push_str("+++\n");
    t
}

const HEADER: &str = r#"# 新しい事業ファイルです（roadmap new で作りました）。
# 「#」から行末まではメモ（コメント）で、サイトには出ません。
# 各項目の "" の間や [ ] の中（"" のない項目は = の後ろ）に、事業シートの内容を書き写してください。
# まだ書いていない項目は、roadmap check やプレビュー（roadmap serve）が
# 「「budget」がまだ書かれていません」のように知らせます。すべて書けば、知らせは消えます。
# 書き方: docs/guide.md（はじめての人向け）、docs/content-format.md（すべてのキー）

# 事業名（事業シートの「事業名」）。資料の表記どおりに書きます。
# 例: name = "へき地オンライン診療支援対策事業"
name = ""

"#;

fn push_names(t: &mut String, vocabulary: &Vocabulary) {
    let fields = quoted(vocabulary.fields.iter().map(|f| f.name.as_str()));
    let _ = writeln!(t, "# 分野。次のどれか1つ: {fields}");
    t.push_str("field = \"\"\n\n# 項目。上で選んだ分野の項目から1つ:\n");
    for field in &vocabulary.fields {
        let names = quoted(field.categories.iter().map(|c| c.name.as_str()));
        let _ = writeln!(t, "#   {}: {names}", field.name);
    }
    t.push_str("category = \"\"\n\n");
    let departments = quoted(vocabulary.departments.iter().map(|d| d.name.as_str()));
    t.push_str("# 担当部局。1つ以上。共同事業は [\"健康福祉部\", \"警察本部\"] のように「,」で区切って並べます。\n");
    let _ = writeln!(t, "# 使える部局: {departments}");
    t.push_str("departments = [\"\"]\n\n");
    t.push_str(
        "# 担当課等。1つ以上。どの課も、上の担当部局のどれかに属していること。部局ごとの課:\n",
    );
    for department in &vocabulary.departments {
        let names = quoted(department.sections.iter().map(|s| s.name.as_str()));
        let _ = writeln!(t, "#   {}: {names}", department.name);
    }
    t.push_str("sections = [\"\"]\n\n");
    t.push_str("# ここにない名前を使うときは、先に content/vocabulary.toml に書き足します。\n\n");
}

fn push_money_and_years(t: &mut String, config: &SiteConfig, vocabulary: &Vocabulary) {
    let year = config.budget_year;
    let _ = writeln!(
        t,
        "# {}の事業費（千円単位の整数）。= の後ろに、半角数字で書きます（\" \" では囲みません）。",
        year.japanese()
    );
    t.push_str("# 例: 4,202千円なら budget = 4202\nbudget = \n\n");
    let accounts = quoted(vocabulary.accounts.iter().map(|a| a.name.as_str()));
    let first = vocabulary
        .accounts
        .first()
        .map_or("一般会計", |a| a.name.as_str());
    let _ = writeln!(
        t,
        "# 会計。次のどれか1つ: {accounts}。この行を消すと \"{first}\" になります。"
    );
    let _ = writeln!(t, "account = \"{first}\"\n");
    t.push_str(concat!(
        "# 重点枠事業か。事業シートの「重点枠事業」欄に ○ があれば = の後ろに true、空欄なら false と書きます（\" \" では囲みません）。\n",
        "# 例: priority = true\n",
        "priority = \n\n",
        "# 将来対応分か。「将来対応分」欄に ○ があれば = の後ろに true、空欄なら false と書きます。\n",
        "# 例: future = false\n",
        "future = \n\n",
        "# 事業始期（年度）。令和は \"R6\"、平成は \"H30\" のように書きます（\"令和6年度\" や \"2024\" は使えません）。\n",
        "start = \"\"\n\n",
        "# 事業終期（年度）。\"R10\" のように書くか、決まっていなければ \"未定\" と書きます。\n",
        "end = \"\"\n\n",
        "# 資料の「Ｎｏ．」（番号があるときだけ）。使うときは、先頭の「# 」を消して番号を書きます。\n",
        "# sheet_number = 12\n\n",
        "# この事業の内容を最後に変えた日（ページの「更新日」）。書かなければ年度版の日付です。使うときは先頭の「# 」を消します。\n",
        "# updated = \"2025-04-01\"\n\n",
        "# 前の年度版と同じ事業でファイル名を変えたときだけ、前のファイル名（.md を除く）を書きます。\n",
        "# renamed_from = \"hekichi-online-shinryo-shien\"\n\n",
    ));
}

const TEXTS: &str = r#"# 概要（文章）。次の行から、""" の前の行までに書きます。段落を分けるときは空行を入れます。
overview = """
"""

# 現状・課題（文章）。箇条書きにするときは、行の頭に「- 」を付けます。
situation = """
"""

# デジタル活用によってどう変わるか（文章）。
outcome = """
"""

"#;

fn push_initiative(t: &mut String, config: &SiteConfig) {
    let columns: Vec<String> = config.roadmap_years().iter().map(|y| y.code()).collect();
    let columns = quoted(columns.iter().map(String::as_str));
    t.push_str(concat!(
        "# 取組（1つ以上）。取組ごとに [[initiatives]] の行から書き、書いた順に表示されます。\n",
        "# 取組を増やすときは、[[initiatives]] から次の取組の前までを写して、下に足します。\n",
        "[[initiatives]]\n",
        "# 取組の名前\n",
        "title = \"\"\n",
        "# 取組の説明（文章。なければ \"\" のままで構いません）\n",
        "description = \"\"\n\n",
        "# ロードマップの行（この取組の棒1本）。棒がなければ、ここから reason の説明までを消します。\n",
        "# 棒を増やすときは、[[initiatives.roadmap]] から reason までを写して、下に足します。\n",
        "[[initiatives.roadmap]]\n",
        "# 行の名前（棒に書かれた文字）\n",
        "label = \"\"\n",
        "# 計画か実績か: \"計画\" または \"実績\"\n",
        "kind = \"\"\n",
    ));
    let _ = writeln!(
        t,
        "# 棒がかかる年度。ロードマップの列 {columns} の中から。例: years = [\"R6\", \"R7\"]"
    );
    t.push_str(concat!(
        "years = [\"\"]\n",
        "# 年度ごとに棒の中の文字が違うときだけ、先頭の「# 」を消して使います（年度は years の中から）。\n",
        "# year_labels = { R7 = \"①システムアセスメント\", R8 = \"②次期システム設計\" }\n",
        "# 年度の根拠: 資料から年度が分かるなら \"資料どおり\"、分からず推定したなら \"推定\"\n",
        "basis = \"\"\n",
        "# basis = \"推定\" のときだけ、先頭の「# 」を消して、推定の理由を書きます（事業ページに表示されます）。\n",
        "# reason = \"資料の文字からは棒の位置が読み取れないため、事業期間を通して行うと推定しました。\"\n",
        "# 実績（資料に実績が書かれているときだけ）: 行った年度。行わなかったなら done = []。ひとことは done_note に。\n",
        "# done = [\"R6\"]\n",
        "# done_note = \"計画どおり行いました。\"\n",
    ));
}

/// The text of the project `source` with its name emptied, ready to become another project.
fn copy_of(root: &Path, source: &str) -> Result<String, ScaffoldError> {
    check_slug(source)?;
    let path = find_project(root, source).ok_or_else(|| {
        ScaffoldError::Usage(format!(
            "もとにする事業ファイル {source}.md が {CONTENT_DIR}/ にありません。ファイル名（.md を除いた部分）を確かめてください。"
        ))
    })?;
    let display = content::relative(root, &path);
    let bytes = fs::read(&path)
        .map_err(|e| ScaffoldError::Usage(format!("{} を読めません: {e}", display.display())))?;
    let text = content::decode(&display, bytes).map_err(ScaffoldError::Content)?;
    Ok(next_edition(&SourceFile::new(display, text)))
}

/// Empties `name` and says where the copy came from. A file whose `name` cannot be found is copied
/// as it is (check will then report it as a duplicate).
pub fn next_edition(file: &SourceFile) -> String {
    let text = &file.text;
    let origin = format!(
        "# {} をもとに作りました（roadmap new --from）。事業費・年度・取組など、変わったところを直してください。\n",
        file.display_path.display()
    );
    let Ok(parts) = front_matter::split(file) else {
        return text.clone();
    };
    let front = &text[parts.front_matter.clone()];
    let Some((name, span)) = name_value(front) else {
        return format!("{}{origin}{}", &text[..parts.front_matter.start], front)
            + &text[parts.front_matter.end..];
    };
    let start = parts.front_matter.start + span.start;
    let end = parts.front_matter.start + span.end;
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let note = format!(
        "# 事業名（もとの事業名: {name}）。同じ事業名は2つ置けないため、新しい事業名を書きます。\n"
    );
    let mut out = String::with_capacity(text.len() + origin.len() + note.len());
    out.push_str(&text[..parts.front_matter.start]);
    out.push_str(&origin);
    out.push_str(&text[parts.front_matter.start..line_start]);
    out.push_str(&note);
    out.push_str(&text[line_start..start]);
    out.push_str("\"\"");
    out.push_str(&text[end..]);
    out
}

/// The value of the top-level `name` string and its byte range in the TOML text.
fn name_value(toml_text: &str) -> Option<(String, std::ops::Range<usize>)> {
    let table = DeTable::parse(toml_text).ok()?;
    let value = table.get_ref().get("name")?;
    match value.get_ref() {
        DeValue::String(s) => Some((s.to_string(), value.span())),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_checked() {
        assert!(check_slug("hekichi-r7").is_ok());
        for bad in ["Hekichi", "へき地", "a b", "-a", "a--b", "", "../x"] {
            assert!(check_slug(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn next_edition_empties_the_name_only() {
        let text = "+++\nname = \"事業\"  # メモ\nbudget = 1\n+++\n本文\n";
        let out = next_edition(&SourceFile::new("content/a.md", text.to_string()));
        assert!(
            out.starts_with("+++\n# content/a.md をもとに作りました"),
            "{out}"
        );
        assert!(out.contains("（もとの事業名: 事業）"), "{out}");
        assert!(
            out.contains("\nname = \"\"  # メモ\nbudget = 1\n+++\n本文\n"),
            "{out}"
        );
    }

    #[test]
    fn next_edition_of_a_broken_file_is_a_copy() {
        let text = "name = \"x\"\n";
        let out = next_edition(&SourceFile::new("content/a.md", text.to_string()));
        assert_eq!(out, text);
    }
}
