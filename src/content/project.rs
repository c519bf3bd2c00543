//! Reads one project from its content file: front matter keys, checked against the vocabulary and the
//! roadmap's years, into a [`Project`].

use std::collections::BTreeMap;
use std::path::Path;

use toml::de::DeTable;

use super::front_matter;
use super::slips;
use super::table::{Located, Sink, TableReader};
use crate::config::SiteConfig;
use crate::diagnostics::{Diagnostic, SourceFile, suggest};
use crate::fiscal_year::{EndYear, FiscalYear, WrittenYear};
use crate::markdown::{self, UnsafeKind};
use crate::model::{Actual, Initiative, Project, RoadmapRow, RowKind, YearBasis};
use crate::money::{Budget, group_digits};
use crate::toml_errors;
use crate::vocabulary::{AccountId, DepartmentId, SectionId, Vocabulary};

/// The keys of a project's front matter.
pub const PROJECT_KEYS: &[&str] = &[
    "name",
    "field",
    "category",
    "departments",
    "sections",
    "budget",
    "account",
    "priority",
    "future",
    "start",
    "end",
    "sheet_number",
    "overview",
    "situation",
    "outcome",
    "initiatives",
    "renamed_from",
    "updated",
];
pub const INITIATIVE_KEYS: &[&str] = &["title", "description", "roadmap"];
pub const ROW_KEYS: &[&str] = &[
    "label",
    "kind",
    "years",
    "year_labels",
    "basis",
    "reason",
    "done",
    "done_note",
];

/// The most 取組 a project may have, and roadmap rows an initiative may have (the sheets have at
/// most 3 and 16).
pub const MAX_INITIATIVES: usize = 20;
pub const MAX_ROWS: usize = 50;

/// A budget at least this large, and a whole number of thousands, looks like yen written where
/// thousand yen are meant (4202000 for 4,202千円): 10億円 or more for one project.
const YEN_LIKE_BUDGET: u64 = 1_000_000;

/// A project read from its file, with the notices about it (what looks wrong but may be right).
#[derive(Debug, Clone)]
pub struct ProjectFile {
    pub project: std::sync::Arc<Project>,
    pub notices: Vec<Diagnostic>,
}

/// What a project is checked against.
pub struct Context<'a> {
    pub config: &'a SiteConfig,
    pub vocabulary: &'a Vocabulary,
}

/// Reads a project file. Every problem in the file is returned, not only the first.
pub fn read(
    file: &SourceFile,
    slug: &str,
    context: &Context<'_>,
) -> Result<ProjectFile, Vec<Diagnostic>> {
    let parts = front_matter::split(file).map_err(|d| vec![*d])?;
    with_front_matter(file, &parts, |top, sink| {
        read_table(top, file, slug, &parts.body, context).filter(|_| {
            // Safety net: a project is only made when nothing was reported.
            sink.diagnostics.borrow().is_empty()
        })
    })
    .and_then(|(project, notices)| match project {
        Some(project) => Ok(ProjectFile {
            project: project.into(),
            notices,
        }),
        // Every `None` comes with an error; this is a safety net, never an empty failure.
        None => Err(vec![file.error("事業ファイルを読み取れませんでした。")]),
    })
}

/// Parses the front matter and reads it with `read`. A front matter the parser rejects is
/// repaired first ([`slips`]): its slips are reported at their lines (problems `read` finds on
/// those lines are not reported again) and, when the repaired text parses, the rest of the file
/// is still checked, so that every problem is reported at once. Returns what `read` made with the
/// notices, or every error.
fn with_front_matter<T>(
    file: &SourceFile,
    parts: &front_matter::Parts,
    read: impl FnOnce(&TableReader<'_, '_>, &Sink<'_>) -> T,
) -> Result<(T, Vec<Diagnostic>), Vec<Diagnostic>> {
    let toml_text = &file.text[parts.front_matter.clone()];
    let offset = parts.front_matter.start;
    let (document, syntax_errors) = DeTable::parse_recoverable(toml_text);
    if syntax_errors.is_empty() {
        let sink = Sink::new(file, offset, toml_text, None);
        let top = TableReader::top(&sink, document.get_ref());
        let value = read(&top, &sink);
        return sink.into_result().map(|notices| (value, notices));
    }
    let repaired = slips::repair(file, offset, toml_text)?;
    let (document, errors) = DeTable::parse_recoverable(repaired.text.as_str());
    if let Some(error) = errors.first() {
        // `repair` parses its text before returning it; kept as a safety net.
        let mut all = repaired.errors;
        all.push(toml_errors::to_diagnostic(file, offset, error));
        return Err(all);
    }
    let sink = Sink::new(file, offset, &repaired.text, Some(&repaired.map));
    let top = TableReader::top(&sink, document.get_ref());
    let value = read(&top, &sink);
    let slip_lines: Vec<usize> = repaired.errors.iter().map(Diagnostic::line).collect();
    match sink.into_result() {
        Ok(mut notices) if repaired.errors.is_empty() => {
            notices.extend(repaired.notices);
            Ok((value, notices))
        }
        Ok(_) => Err(repaired.errors),
        Err(errors) => {
            let mut all = repaired.errors;
            all.extend(
                errors
                    .into_iter()
                    .filter(|d| !slip_lines.contains(&d.line())),
            );
            Err(all)
        }
    }
}

/// What can be checked of a file without the site's configuration and vocabulary, when one of them
/// is broken: the front matter, the TOML and the keys. So a mistake in `config.toml` does not hide
/// the mistakes in the content files until it is fixed.
pub fn read_structure(file: &SourceFile) -> Vec<Diagnostic> {
    let parts = match front_matter::split(file) {
        Ok(parts) => parts,
        Err(d) => return vec![*d],
    };
    let result = with_front_matter(file, &parts, |top, _| {
        top.reject_unknown_keys(PROJECT_KEYS);
        for initiative in top.tables("initiatives", false, MAX_INITIATIVES, "[[initiatives]]") {
            initiative.reject_unknown_keys(INITIATIVE_KEYS);
            for row in initiative.tables("roadmap", false, MAX_ROWS, "[[initiatives.roadmap]]") {
                row.reject_unknown_keys(ROW_KEYS);
            }
        }
    });
    result.err().unwrap_or_default()
}

fn read_table(
    top: &TableReader<'_, '_>,
    file: &SourceFile,
    slug: &str,
    body: &std::ops::Range<usize>,
    context: &Context<'_>,
) -> Option<Project> {
    top.reject_unknown_keys(PROJECT_KEYS);
    let vocabulary = context.vocabulary;
    let sink = top.sink();

    let name = top.string("name", "name = \"へき地オンライン診療支援対策事業\"");
    let field = top
        .string("field", "field = \"暮らし・まち分野\"")
        .and_then(|f| {
            lookup(
                sink,
                "field",
                &f,
                "分野",
                vocabulary.fields.iter().map(|f| f.name.as_str()),
                |n| vocabulary.field_by_name(n),
            )
        });
    let category = top
        .string("category", "category = \"医療・福祉\"")
        .and_then(|c| {
            let field = field?;
            let names = vocabulary
                .field(field)
                .categories
                .iter()
                .map(|c| c.name.as_str());
            lookup(
                sink,
                "category",
                &c,
                &format!("{}の項目", vocabulary.field(field).name),
                names,
                |n| vocabulary.category_by_name(field, n),
            )
        });
    let departments: Option<Vec<DepartmentId>> = top
        .string_list("departments", "departments = [\"健康福祉部\"]")
        .map(|list| {
            list.iter()
                .filter_map(|d| {
                    let names = vocabulary.departments.iter().map(|d| d.name.as_str());
                    lookup(sink, "departments", d, "部局", names, |n| {
                        vocabulary.department_by_name(n)
                    })
                })
                .collect()
        });
    let departments = departments.filter(|d| !d.is_empty());
    if let Some(list) = &departments {
        report_duplicates(top, "departments", list);
    }
    let sections = top
        .string_list("sections", "sections = [\"医療薬務課\"]")
        .and_then(|list| read_sections(top, &list, departments.as_deref()?, vocabulary));
    let budget = top
        .non_negative_integer("budget", "budget = 4202")
        .and_then(|b| read_budget(sink, b));
    let account = match top.optional_string("account", "account = \"一般会計\"") {
        Some(a) => lookup(
            sink,
            "account",
            &a,
            "会計",
            vocabulary.accounts.iter().map(|a| a.name.as_str()),
            |n| vocabulary.account_by_name(n),
        ),
        None => Some(AccountId::DEFAULT),
    };
    let priority = top.boolean("priority", "重点枠事業");
    let future = top.boolean("future", "将来対応分");
    let start = top
        .string("start", "start = \"R6\"")
        .and_then(|s| written_year(top, "start", &s));
    let end_text = top.string("end", "end = \"R10\"");
    let end = end_text.as_ref().and_then(|e| end_year(top, e));
    if let (Some(start), Some(EndYear::Year(end_year)), Some(end_text)) = (start, end, &end_text)
        && end_year.year() < start.year()
    {
        sink.report(
            end_text.span.clone(),
            "end",
            format!(
                "事業終期（{}）が事業始期（{}）より前です。",
                end_year.long(),
                start.long()
            ),
            Some("start と end を確かめてください。".to_string()),
        );
    }
    let start_text = top.get_string_span("start");
    note_period_outside_edition(top, context, start, end, start_text, end_text.as_ref());
    let sheet_number = top
        .optional_non_negative_integer("sheet_number", "sheet_number = 45")
        .map(|n| u32::try_from(n.value).unwrap_or(u32::MAX));
    let overview = top.string("overview", "overview = \"\"\"（概要）\"\"\"");
    let situation = top.string("situation", "situation = \"\"\"（現状・課題）\"\"\"");
    let outcome = top.string("outcome", "outcome = \"\"\"（どう変わるか）\"\"\"");
    for (key, text) in [
        ("overview", &overview),
        ("situation", &situation),
        ("outcome", &outcome),
    ] {
        if let Some(text) = text {
            require_text(top, text, key);
            check_markdown(top, key, text);
        }
    }
    let body_text = &file.text[body.clone()];
    if body_text.chars().count() > super::table::MAX_TEXT_CHARS {
        sink.report_in_file(
            body.start..body.start + 1,
            "(本文)",
            format!(
                "本文が長すぎます（{} 文字。{} 文字まで）。",
                body_text.chars().count(),
                super::table::MAX_TEXT_CHARS
            ),
            Some("貼り付けを間違えていないか確かめてください。".to_string()),
        );
    } else {
        check_body_markdown(sink, body.start, body_text);
    }
    let renamed_from = top
        .optional_string(
            "renamed_from",
            "renamed_from = \"hekichi-online-shinryo-shien\"",
        )
        .and_then(|r| read_renamed_from(top, slug, r));
    let updated = top
        .optional_string("updated", "updated = \"2025-04-01\"")
        .and_then(|date| {
            let text = date.value.trim();
            if crate::config::is_date(text) {
                Some(text.to_string())
            } else {
                top.sink().report(
                    date.span.clone(),
                    "updated",
                    format!("updated の「{}」は日付として読めません。", date.value),
                    Some("事業の内容を最後に変えた日を、updated = \"2025-04-01\" のように年-月-日で書きます。".to_string()),
                );
                None
            }
        });
    let period = Period {
        start: start.map(WrittenYear::year),
        end,
    };
    let initiatives = read_initiatives(top, context, period);

    Some(Project {
        slug: slug.to_string(),
        source: file.display_path.clone(),
        name: name.filter(|n| require_text(top, n, "name"))?.value,
        category: category?,
        departments: departments?,
        sections: sections?,
        budget: budget?,
        account: account?,
        priority: priority?.value,
        future: future?.value,
        start: start?,
        end: end?,
        sheet_number,
        overview: overview?.value,
        situation: situation?.value,
        outcome: outcome?.value,
        initiatives: initiatives?,
        notes: file.text[body.clone()].trim().to_string(),
        renamed_from,
        updated,
    })
}

/// A project whose own years do not include its edition's year (the year of its budget): ended
/// before it (a sheet copied from the previous edition for a project that has ended) or starting
/// after it. Said as a notice at `end` or `start`: the edition may list it on purpose.
fn note_period_outside_edition(
    top: &TableReader<'_, '_>,
    context: &Context<'_>,
    start: Option<WrittenYear>,
    end: Option<EndYear>,
    start_span: Option<std::ops::Range<usize>>,
    end_text: Option<&Located<String>>,
) {
    let edition = context.config.budget_year;
    if let (Some(EndYear::Year(end)), Some(text)) = (end, end_text)
        && end.year() < edition
    {
        top.sink().notice(
            text.span.clone(),
            "end",
            format!(
                "事業終期（{}）が、この年度版の年度（{}）より前です。事業費（budget）は{}の事業費として載ります。",
                end.long(),
                edition.long(),
                edition.japanese()
            ),
            Some("前の年度版から写したファイルで、事業が終わっているなら、このファイルをこの年度版のフォルダから消します。続いているなら end を直してください。".to_string()),
        );
    }
    if let (Some(start), Some(span)) = (start, start_span)
        && start.year() > edition
    {
        top.sink().notice(
            span,
            "start",
            format!(
                "事業始期（{}）が、この年度版の年度（{}）より後です。事業費（budget）は{}の事業費として載ります。",
                start.long(),
                edition.long(),
                edition.japanese()
            ),
            Some("ほかの年度版のファイルを置いていないか、start が正しいかを確かめてください。".to_string()),
        );
    }
}

/// `renamed_from`: a file name (without `.md`) other than this file's own. Whether an earlier
/// edition has it is checked with all the editions (see [`crate::editions::Catalogue::build`]).
fn read_renamed_from(
    top: &TableReader<'_, '_>,
    slug: &str,
    value: Located<String>,
) -> Option<String> {
    let name = value.value.trim().trim_end_matches(".md");
    let problem = if !crate::vocabulary::is_slug(name) {
        Some(format!(
            "renamed_from の「{}」はファイル名として使えない文字を含みます。",
            value.value
        ))
    } else if name == slug {
        Some("renamed_from にこのファイル自身の名前が書かれています。".to_string())
    } else {
        None
    };
    match problem {
        Some(message) => {
            top.sink().report(
                value.span.clone(),
                "renamed_from",
                message,
                Some("前の年度版でのこの事業のファイル名を、.md を除いて書きます（例: renamed_from = \"hekichi-online-shinryo-shien\"）。".to_string()),
            );
            None
        }
        None => Some(name.to_string()),
    }
}

/// A budget within [`Budget::MAX`]; notes one that looks like yen rather than thousand yen.
fn read_budget(sink: &Sink<'_>, budget: Located<u64>) -> Option<Budget> {
    let amount = Budget::from_thousand_yen(budget.value);
    if amount > Budget::MAX {
        sink.report(
            budget.span,
            "budget",
            format!(
                "事業費 {} は大きすぎます（1事業の上限は {}＝{}）。",
                amount.display(),
                Budget::MAX.display(),
                Budget::MAX.plain()
            ),
            Some("budget は千円単位の整数で書きます（4,202千円なら budget = 4202）。".to_string()),
        );
        return None;
    }
    if budget.value >= YEN_LIKE_BUDGET && budget.value.is_multiple_of(1000) {
        sink.notice(
            budget.span,
            "budget",
            format!(
                "事業費が {}（{}）になっています。円で書いていませんか？",
                amount.display(),
                amount.plain()
            ),
            Some(format!(
                "budget は千円単位です。{}円なら budget = {} と書きます。このままで正しければ、直す必要はありません。",
                group_digits(budget.value),
                budget.value / 1000
            )),
        );
    }
    Some(amount)
}

/// Looks a name up in a vocabulary list, reporting an undeclared one with the nearest declared name.
fn lookup<'n, T>(
    sink: &Sink<'_>,
    key: &str,
    found: &Located<String>,
    what: &str,
    names: impl Iterator<Item = &'n str> + Clone,
    find: impl Fn(&str) -> Option<T>,
) -> Option<T> {
    if let Some(id) = find(&found.value) {
        return Some(id);
    }
    let hint = match suggest(&found.value, names.clone()) {
        Some(near) => format!(
            "もしかして: {near}（{} で宣言されている名前だけが使えます）",
            crate::vocabulary::VOCABULARY_FILE
        ),
        None => format!(
            "使える{what}は {} です。新しい名前は {} に宣言します。",
            names.collect::<Vec<_>>().join("、"),
            crate::vocabulary::VOCABULARY_FILE
        ),
    };
    sink.report(
        found.span.clone(),
        key,
        format!("{what}「{}」は宣言されていません。", found.value),
        Some(hint),
    );
    None
}

fn report_duplicates(top: &TableReader<'_, '_>, key: &str, ids: &[DepartmentId]) {
    for (i, id) in ids.iter().enumerate() {
        if ids[..i].contains(id) {
            top.sink().report_in_file(
                0..3,
                key,
                format!("「{key}」に同じ名前が2回書かれています。"),
                None,
            );
        }
    }
}

fn read_sections(
    top: &TableReader<'_, '_>,
    list: &[Located<String>],
    departments: &[DepartmentId],
    vocabulary: &Vocabulary,
) -> Option<Vec<SectionId>> {
    let mut sections = Vec::with_capacity(list.len());
    for section in list {
        match vocabulary.section_by_name(departments, &section.value) {
            Some(id) if sections.contains(&id) => {
                top.sink().report(
                    section.span.clone(),
                    "sections",
                    format!("課「{}」が2回書かれています。", section.value),
                    None,
                );
            }
            Some(id) => sections.push(id),
            None => {
                let (message, hint) = match vocabulary.department_of_section(&section.value) {
                    Some(owner) => (
                        format!(
                            "課「{}」は、この事業の担当部局ではない「{}」の課です。",
                            section.value, owner.name
                        ),
                        format!(
                            "departments に \"{}\" を加えるか、課の名前を確かめてください。",
                            owner.name
                        ),
                    ),
                    None => {
                        let names = departments.iter().flat_map(|&d| {
                            vocabulary
                                .department(d)
                                .sections
                                .iter()
                                .map(|s| s.name.as_str())
                        });
                        let hint = match suggest(&section.value, names.clone()) {
                            Some(near) => format!("もしかして: {near}"),
                            None => format!(
                                "担当部局の課は {} です。新しい課は {} に宣言します。",
                                names.collect::<Vec<_>>().join("、"),
                                crate::vocabulary::VOCABULARY_FILE
                            ),
                        };
                        (
                            format!("課「{}」は宣言されていません。", section.value),
                            hint,
                        )
                    }
                };
                top.sink()
                    .report(section.span.clone(), "sections", message, Some(hint));
            }
        }
    }
    (sections.len() == list.len()).then_some(sections)
}

fn fiscal_year(
    table: &TableReader<'_, '_>,
    key: &str,
    text: &Located<String>,
) -> Option<FiscalYear> {
    written_year(table, key, text).map(WrittenYear::year)
}

/// A year as the file writes it (H31 stays 平成31年度), reported at its place if it is not one.
fn written_year(
    table: &TableReader<'_, '_>,
    key: &str,
    text: &Located<String>,
) -> Option<WrittenYear> {
    WrittenYear::parse(&text.value)
        .map_err(|e| {
            table
                .sink()
                .report(text.span.clone(), &table.key_path(key), e.message, e.hint)
        })
        .ok()
}

fn end_year(top: &TableReader<'_, '_>, text: &Located<String>) -> Option<EndYear> {
    EndYear::parse(&text.value)
        .map_err(|e| {
            top.sink()
                .report(text.span.clone(), "end", e.message, e.hint)
        })
        .ok()
}

/// Reports raw HTML, images and unsafe links in a Markdown text read from the front matter.
fn check_markdown(table: &TableReader<'_, '_>, key: &str, text: &Located<String>) {
    let sink = table.sink();
    for markup in markdown::find_unsafe(&text.value) {
        // Point at the markup itself where the file spells it as it reads (no escapes in between).
        let source = sink.toml.get(text.span.clone()).unwrap_or_default();
        let span = source.find(&markup.text).map_or(text.span.clone(), |at| {
            text.span.start + at..text.span.start + at + markup.text.len()
        });
        let (message, hint) = unsafe_message(&markup);
        sink.report(span, &table.key_path(key), message, Some(hint));
    }
}

/// The same for the body after the front matter, which starts at byte `start` of the file; and, as
/// in every text of the front matter, no hidden character (a control character would make the feed
/// invalid XML, and pages must show what the file shows).
fn check_body_markdown(sink: &Sink<'_>, start: usize, body: &str) {
    if let Some((at, c)) = super::table::first_hidden(body) {
        sink.report_in_file(
            start + at..start + at + c.len_utf8(),
            "(本文)",
            format!("本文に見えない文字（U+{:04X}）があります。", u32::from(c)),
            Some(crate::terminal::HIDDEN_HINT.to_string()),
        );
    }
    for markup in markdown::find_unsafe(body) {
        let (message, hint) = unsafe_message(&markup);
        let span = start + markup.range.start..start + markup.range.end;
        sink.report_in_file(span, "(本文)", message, Some(hint));
    }
}

fn unsafe_message(markup: &markdown::UnsafeMarkup) -> (String, String) {
    match markup.kind {
        UnsafeKind::RawHtml => (
            format!("HTMLのタグ {} は使えません。", shorten(&markup.text)),
            "文章は Markdown で書きます。段落は空行で分け、箇条書きは行頭に「- 」を付けます（docs/content-format.md）。".to_string(),
        ),
        UnsafeKind::UnsafeUrl => (
            format!("リンク先「{}」は使えません。", shorten(&markup.text)),
            "リンク先は https:// で始まるURL（またはサイト内の相対パス）にします。".to_string(),
        ),
        UnsafeKind::Image => (
            format!("画像（{}）は載せられません。", shorten(&markup.text)),
            "画像の代わりに、文章で説明してください。".to_string(),
        ),
    }
}

/// At most 40 characters of a piece of markup, for messages.
fn shorten(text: &str) -> String {
    let mut short: String = text.chars().take(40).collect();
    if short.len() < text.len() {
        short.push('…');
    }
    short
}

/// Reports an empty or blank text; returns whether the text has content.
fn require_text(table: &TableReader<'_, '_>, text: &Located<String>, key: &str) -> bool {
    if !text.value.trim().is_empty() {
        return true;
    }
    let key = if key.is_empty() { "(文章)" } else { key };
    table.sink().report(
        text.span.clone(),
        &table.key_path(key),
        "文章が空です。".to_string(),
        Some("資料の文章を書き写してください。".to_string()),
    );
    false
}

/// The project's own years, as far as they could be read: roadmap rows outside them get a notice.
#[derive(Clone, Copy)]
struct Period {
    start: Option<FiscalYear>,
    end: Option<EndYear>,
}

fn read_initiatives(
    top: &TableReader<'_, '_>,
    context: &Context<'_>,
    period: Period,
) -> Option<Vec<Initiative>> {
    let example = "[[initiatives]] の行に続けて title = \"…\" と description = \"…\"";
    let tables = top.tables("initiatives", true, MAX_INITIATIVES, example);
    let initiatives: Vec<Option<Initiative>> = tables
        .iter()
        .map(|t| read_initiative(t, context, period))
        .collect();
    if tables.is_empty() {
        return None;
    }
    initiatives.into_iter().collect()
}

fn read_initiative(
    table: &TableReader<'_, '_>,
    context: &Context<'_>,
    period: Period,
) -> Option<Initiative> {
    table.reject_unknown_keys(INITIATIVE_KEYS);
    let title = table.string("title", "title = \"取組の名前\"");
    let description = table.optional_string("description", "description = \"取組の説明\"");
    if let Some(text) = &description {
        check_markdown(table, "description", text);
    }
    let tables = table.tables("roadmap", false, MAX_ROWS, "[[initiatives.roadmap]]");
    let rows: Vec<Option<RoadmapRow>> = tables
        .iter()
        .map(|row| read_row(row, context, period))
        .collect();
    let rows = rows.into_iter().collect::<Option<Vec<_>>>()?;
    Some(Initiative {
        title: title.filter(|t| require_text(table, t, "title"))?.value,
        description: description.map(|d| d.value).unwrap_or_default(),
        roadmap: pair_actual_rows(&tables, rows)?,
    })
}

/// The sheet's own 実績 rows put beside their plan: a 実績 row labelled as exactly one 計画 row of
/// the same 取組 becomes that row's [`Actual`]; a 実績 row without such a plan stays a row of its
/// own. A step whose 実績 is written twice (`done` and a 実績 row) is an error at the 実績 row.
fn pair_actual_rows(
    tables: &[TableReader<'_, '_>],
    mut rows: Vec<RoadmapRow>,
) -> Option<Vec<RoadmapRow>> {
    let mut keep = vec![true; rows.len()];
    let mut ok = true;
    for i in 0..rows.len() {
        if rows[i].kind != RowKind::Actual {
            continue;
        }
        let plans: Vec<usize> = (0..rows.len())
            .filter(|&j| rows[j].kind == RowKind::Plan && rows[j].label == rows[i].label)
            .collect();
        let [plan] = plans[..] else {
            continue;
        };
        if rows[plan].actual.is_some() {
            if let Some(table) = tables.get(i) {
                table.report_here(
                    "label",
                    format!(
                        "「{}」の実績が、計画の行の done と実績の行の2か所に書かれています。",
                        rows[i].label
                    ),
                    "どちらか一方にまとめてください（計画の行の done か、この実績の行）。",
                );
            }
            ok = false;
            continue;
        }
        let actual = Actual {
            years: rows[i].years.clone(),
            year_labels: std::mem::take(&mut rows[i].year_labels),
            note: String::new(),
            basis: rows[i].basis.clone(),
        };
        rows[plan].actual = Some(actual);
        keep[i] = false;
    }
    ok.then(|| {
        rows.into_iter()
            .zip(keep)
            .filter_map(|(row, keep)| keep.then_some(row))
            .collect()
    })
}

fn read_row(
    table: &TableReader<'_, '_>,
    context: &Context<'_>,
    period: Period,
) -> Option<RoadmapRow> {
    table.reject_unknown_keys(ROW_KEYS);
    let columns = context.config.roadmap_years();
    let column_codes = || {
        columns
            .iter()
            .map(|y| y.code())
            .collect::<Vec<_>>()
            .join("、")
    };
    let label = table.string("label", "label = \"補助金交付\"");
    let kind = table.string("kind", "kind = \"計画\"").and_then(|k| {
        let parsed = RowKind::parse(k.value.trim());
        if parsed.is_none() {
            table.sink().report(
                k.span.clone(),
                &table.key_path("kind"),
                format!("kind に「{}」は使えません。", k.value),
                Some(format!(
                    "\"{}\" または \"{}\" と書きます。",
                    RowKind::PLAN,
                    RowKind::ACTUAL
                )),
            );
        }
        parsed
    });
    let year_in_columns = |text: &Located<String>, key: &str| {
        let year = fiscal_year(table, key, text)?;
        if columns.contains(&year) {
            Some(year)
        } else {
            table.sink().report(
                text.span.clone(),
                &table.key_path(key),
                format!(
                    "{} はロードマップの列（{}）にない年度です。",
                    year.long(),
                    column_codes()
                ),
                Some(format!(
                    "ロードマップの年度は {} のどれかです。",
                    column_codes()
                )),
            );
            None
        }
    };
    let years: Option<Vec<FiscalYear>> = table
        .string_list("years", "years = [\"R6\", \"R7\"]")
        .and_then(|list| {
            let parsed: Vec<Option<FiscalYear>> =
                list.iter().map(|y| year_in_columns(y, "years")).collect();
            let mut years: Vec<FiscalYear> = parsed.into_iter().collect::<Option<_>>()?;
            let count = years.len();
            years.sort();
            years.dedup();
            if years.len() != count {
                table.sink().report(
                    list[0].span.clone(),
                    &table.key_path("years"),
                    "years に同じ年度が2回書かれています。".to_string(),
                    None,
                );
            }
            if let Some(first) = list.first() {
                note_years_outside_period(table, first, &years, period);
            }
            Some(years)
        });
    let basis = read_basis(table, context);
    let mut year_labels = BTreeMap::new();
    for (year_text, label_text) in table.string_map(
        "year_labels",
        "year_labels = { R7 = \"①システムアセスメント\" }",
    ) {
        let Some(year) = year_in_columns(&year_text, "year_labels") else {
            continue;
        };
        if let Some(years) = &years
            && !years.contains(&year)
        {
            table.sink().report(
                year_text.span.clone(),
                &table.key_path("year_labels"),
                format!(
                    "year_labels の {} が years に含まれていません。",
                    year.code()
                ),
                Some(format!(
                    "years に \"{}\" を加えるか、year_labels から外してください。",
                    year.code()
                )),
            );
        }
        year_labels.insert(year, label_text.value);
    }
    let actual = read_done(table, kind, &year_in_columns)?;
    Some(RoadmapRow {
        label: label.filter(|l| require_text(table, l, "label"))?.value,
        kind: kind?,
        years: years?,
        year_labels,
        basis: basis?,
        actual,
    })
}

/// `done` (the years a planned step was done in; `[]` when it was not) and `done_note`, on a 計画
/// row: `Some(None)` when neither is written (nothing is said of results), `None` on an error.
fn read_done(
    table: &TableReader<'_, '_>,
    kind: Option<RowKind>,
    year_in_columns: &dyn Fn(&Located<String>, &str) -> Option<FiscalYear>,
) -> Option<Option<Actual>> {
    let done = table.optional_string_list("done", "done = [\"R6\", \"R7\"]");
    let note = table.optional_string("done_note", "done_note = \"令和7年度にずれ込みました。\"");
    let Some(done) = done else {
        if let Some(note) = note {
            table.sink().report(
                note.span.clone(),
                &table.key_path("done_note"),
                "done_note は、実績の年度（done）といっしょに書きます。".to_string(),
                Some("done = [\"R7\"] のように、実施した年度を書き添えてください（実施しなかったときは done = []）。".to_string()),
            );
            return None;
        }
        return Some(None);
    };
    let (span, items) = done?;
    if kind == Some(RowKind::Actual) {
        table.sink().report(
            span,
            &table.key_path("done"),
            "done は計画の行（kind = \"計画\"）に書きます。実績の行には書けません。".to_string(),
            Some("実績の行の years が実施した年度です。計画の行に done を書くなら、実績の行は消してください。".to_string()),
        );
        return None;
    }
    let parsed: Vec<Option<FiscalYear>> =
        items.iter().map(|y| year_in_columns(y, "done")).collect();
    let mut years: Vec<FiscalYear> = parsed.into_iter().collect::<Option<_>>()?;
    years.sort();
    years.dedup();
    Some(Some(Actual {
        years,
        year_labels: BTreeMap::new(),
        note: note.map(|n| n.value).unwrap_or_default(),
        basis: YearBasis::AsWritten,
    }))
}

/// `basis` (「資料どおり」 or 「推定」) and, for inferred years, `reason`.
fn read_basis(table: &TableReader<'_, '_>, context: &Context<'_>) -> Option<YearBasis> {
    let sink = table.sink();
    let example = format!(
        "basis = \"{}\"（資料に年度が書かれている）または basis = \"{}\"（年度を推定した）",
        YearBasis::AS_WRITTEN,
        YearBasis::INFERRED
    );
    let basis = table.string("basis", &example);
    let reason = table.optional_string(
        "reason",
        "reason = \"資料の文字からは棒の位置が読み取れないため、…と推定。\"",
    );
    let basis = basis?;
    match basis.value.trim() {
        YearBasis::AS_WRITTEN => {
            if let Some(reason) = reason {
                sink.report(
                    reason.span,
                    &table.key_path("reason"),
                    format!("reason は basis = \"{}\" の行にだけ書きます。", YearBasis::INFERRED),
                    Some(format!(
                        "年度を推定したのなら basis = \"{}\" に、資料どおりなら reason を消してください。",
                        YearBasis::INFERRED
                    )),
                );
                return None;
            }
            Some(YearBasis::AsWritten)
        }
        YearBasis::INFERRED => {
            let Some(reason) = reason else {
                sink.report(
                    basis.span,
                    &table.key_path("reason"),
                    "年度を推定した行には、推定の理由（reason）が必要です。".to_string(),
                    Some("reason = \"資料の文字からは棒の位置が読み取れないため、事業期間を通して行うと推定。\" のように、読む人に分かる言葉で書きます。".to_string()),
                );
                return None;
            };
            if !require_text(table, &reason, "reason") {
                return None;
            }
            if !context.config.publish_inferred_years {
                sink.report(
                    basis.span,
                    &table.key_path("basis"),
                    "年度を推定した行は公開しない設定です（config.toml の roadmap.publish_inferred_years = false）。".to_string(),
                    Some("原本で年度を確かめて years を直し、basis = \"資料どおり\" にしてください。".to_string()),
                );
                return None;
            }
            Some(YearBasis::Inferred {
                reason: reason.value.trim().to_string(),
            })
        }
        other => {
            sink.report(
                basis.span,
                &table.key_path("basis"),
                format!("basis に「{other}」は使えません。"),
                Some(format!(
                    "\"{}\"（資料に年度が書かれている）または \"{}\"（年度を推定した）と書きます。",
                    YearBasis::AS_WRITTEN,
                    YearBasis::INFERRED
                )),
            );
            None
        }
    }
}

/// A notice for roadmap years before 事業始期 or after 事業終期: it may be right (work that goes on
/// after the project), but the page must then explain it, and it may be a typo.
fn note_years_outside_period(
    table: &TableReader<'_, '_>,
    at: &Located<String>,
    years: &[FiscalYear],
    period: Period,
) {
    let before: Vec<FiscalYear> = period
        .start
        .map(|start| years.iter().copied().filter(|&y| y < start).collect())
        .unwrap_or_default();
    let after: Vec<FiscalYear> = match period.end {
        Some(EndYear::Year(end)) => years.iter().copied().filter(|&y| y > end.year()).collect(),
        _ => Vec::new(),
    };
    let codes = |list: &[FiscalYear]| list.iter().map(|y| y.code()).collect::<Vec<_>>().join("、");
    let report = |list: &[FiscalYear], which: &str, bound: String| {
        if list.is_empty() {
            return;
        }
        table.sink().notice(
            at.span.clone(),
            &table.key_path("years"),
            format!(
                "ロードマップの年度（{}）が{which}（{bound}）の{}です。",
                codes(list),
                if which == "事業始期" { "前" } else { "後" }
            ),
            Some("資料のとおりなら直す必要はありません（事業ページに、事業期間の外の年度であることを書き添えます）。書き間違いなら years を直してください。".to_string()),
        );
    };
    if let Some(start) = period.start {
        report(&before, "事業始期", start.code());
    }
    if let Some(EndYear::Year(end)) = period.end {
        report(&after, "事業終期", end.code());
    }
}

/// The slug of a content file: its name without `.md`.
pub fn slug_of(path: &Path) -> Option<&str> {
    path.file_stem().and_then(|s| s.to_str())
}
