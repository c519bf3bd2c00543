//! The page of what changed from the previous edition (see [`crate::changes`]): the words and
//! links a reader needs, each amount also as a number for sorting the budget table.

use crate::changes::{BudgetChange, Changes, ProjectSide, StepChangeKind, TotalChange};
use crate::money::Budget;
use crate::render::Source;
use crate::render::routes;
use crate::render::views;

use super::PageContext;

/// A project newly listed or no longer listed.
#[derive(serde::Serialize)]
struct ProjectLine {
    name: String,
    url: String,
    budget: String,
}

/// A difference in words and as numbers (for sorting).
#[derive(serde::Serialize)]
struct Difference {
    /// 「1,000千円増」, 「1,000千円減」, 「増減なし」.
    amount: String,
    /// 「23.8%増」; 「―」 when the earlier amount was 0.
    percent: String,
    amount_value: i128,
    /// Tenths of a percent, for sorting; empty when the earlier amount was 0.
    percent_sort: String,
}

#[derive(serde::Serialize)]
struct BudgetLine {
    name: String,
    url: String,
    /// The earlier edition's name, when it differs.
    before_name: Option<String>,
    before_url: String,
    before: String,
    after: String,
    before_value: u64,
    after_value: u64,
    difference: Difference,
}

#[derive(serde::Serialize)]
struct TotalLine {
    name: String,
    before: String,
    after: String,
    count_before: usize,
    count_after: usize,
    difference: Difference,
}

#[derive(serde::Serialize)]
struct RenamedLine {
    before_name: String,
    before_url: String,
    after_name: String,
    after_url: String,
}

#[derive(serde::Serialize)]
struct StepLine {
    project: String,
    url: String,
    initiative: String,
    label: String,
    kind: &'static str,
    /// 「追加」, 「削除」, 「年度の変更」.
    change: &'static str,
    before: String,
    after: String,
}

#[derive(serde::Serialize)]
struct ChangesView {
    previous_name: String,
    current_name: String,
    previous_home: String,
    previous_date: views::DateView,
    total: TotalLine,
    added: Vec<ProjectLine>,
    dropped: Vec<ProjectLine>,
    renamed: Vec<RenamedLine>,
    budgets: Vec<BudgetLine>,
    unchanged_budgets: usize,
    by_category: Vec<TotalLine>,
    by_department: Vec<TotalLine>,
    steps: Vec<StepLine>,
    empty: bool,
}

fn difference(before: Budget, after: Budget) -> Difference {
    let change = BudgetChange {
        before: side(before),
        after: side(after),
    };
    let amount_value = change.difference();
    let percent_value = change.percent_tenths();
    let magnitude =
        Budget::from_thousand_yen(u64::try_from(amount_value.unsigned_abs()).unwrap_or(u64::MAX));
    let word = |value: i128| match value.signum() {
        1 => "増",
        -1 => "減",
        _ => "",
    };
    Difference {
        amount: if amount_value == 0 {
            "増減なし".to_string()
        } else {
            format!("{}千円{}", magnitude.grouped(), word(amount_value))
        },
        percent: match percent_value {
            None => "―".to_string(),
            Some(0) => "0.0%".to_string(),
            Some(tenths) => format!(
                "{}.{}%{}",
                tenths.unsigned_abs() / 10,
                tenths.unsigned_abs() % 10,
                word(tenths)
            ),
        },
        amount_value,
        percent_sort: percent_value.map_or_else(String::new, |t| t.to_string()),
    }
}

fn side(budget: Budget) -> ProjectSide {
    ProjectSide {
        slug: String::new(),
        name: String::new(),
        budget,
        date: String::new(),
    }
}

fn total_line(t: &TotalChange) -> TotalLine {
    TotalLine {
        name: t.name.clone(),
        before: t.before.grouped(),
        after: t.after.grouped(),
        count_before: t.count_before,
        count_after: t.count_after,
        difference: difference(t.before, t.after),
    }
}

/// The context of the changes page at `page_url`.
pub(super) fn changes_context(source: &Source<'_>, page_url: &str, context: &mut PageContext) {
    let Some(place) = source.site.edition.as_ref() else {
        return;
    };
    let Some(changes) = place.changes.as_deref() else {
        return;
    };
    let root = routes::root_prefix(page_url);
    let up = routes::site_root_prefix(page_url, source.mount);
    let previous = &changes.previous;
    let here = |slug: &str| format!("{root}{}", routes::project_url_of(slug));
    let there = |slug: &str| format!("{up}{}", routes::edition_project_url(&previous.code, slug));
    let line = |p: &ProjectSide, url: String| ProjectLine {
        name: p.name.clone(),
        url,
        budget: p.budget.grouped(),
    };
    let view = ChangesView {
        previous_name: previous.name(),
        current_name: place.edition.name(),
        previous_home: format!("{up}{}", routes::edition_root(&previous.code)),
        previous_date: views::date_view(&changes.previous_date),
        total: total_line(&TotalChange {
            name: "全体".to_string(),
            before: changes.total_before,
            after: changes.total_after,
            count_before: source.site.projects.len() + changes.dropped.len() - changes.added.len(),
            count_after: source.site.projects.len(),
        }),
        added: changes
            .added
            .iter()
            .map(|p| line(p, here(&p.slug)))
            .collect(),
        dropped: changes
            .dropped
            .iter()
            .map(|p| line(p, there(&p.slug)))
            .collect(),
        renamed: changes
            .renamed
            .iter()
            .map(|(was, now)| RenamedLine {
                before_name: was.name.clone(),
                before_url: there(&was.slug),
                after_name: now.name.clone(),
                after_url: here(&now.slug),
            })
            .collect(),
        budgets: budget_lines(changes, &here, &there),
        unchanged_budgets: source.site.projects.len() - changes.added.len() - changes.budgets.len(),
        by_category: changes.by_category.iter().map(total_line).collect(),
        by_department: changes.by_department.iter().map(total_line).collect(),
        steps: changes
            .steps
            .iter()
            .map(|s| {
                let (change, before, after) = match &s.change {
                    StepChangeKind::Added { years } => {
                        ("追加", String::new(), views::years_text(years))
                    }
                    StepChangeKind::Removed { years } => {
                        ("削除", views::years_text(years), String::new())
                    }
                    StepChangeKind::Moved { before, after } => (
                        "年度の変更",
                        views::years_text(before),
                        views::years_text(after),
                    ),
                };
                StepLine {
                    project: s.project.name.clone(),
                    url: here(&s.project.slug),
                    initiative: s.initiative.clone(),
                    label: s.label.clone(),
                    kind: s.row_kind,
                    change,
                    before,
                    after,
                }
            })
            .collect(),
        empty: changes.is_empty(),
    };
    context.insert("changes", &view);
}

fn budget_lines(
    changes: &Changes,
    here: &dyn Fn(&str) -> String,
    there: &dyn Fn(&str) -> String,
) -> Vec<BudgetLine> {
    changes
        .budgets
        .iter()
        .map(|b| BudgetLine {
            name: b.after.name.clone(),
            url: here(&b.after.slug),
            before_name: (b.before.name != b.after.name).then(|| b.before.name.clone()),
            before_url: there(&b.before.slug),
            before: b.before.budget.grouped(),
            after: b.after.budget.grouped(),
            before_value: b.before.budget.thousand_yen(),
            after_value: b.after.budget.thousand_yen(),
            difference: difference(b.before.budget, b.after.budget),
        })
        .collect()
}
