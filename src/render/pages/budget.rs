//! The budget page: the totals by account, category, department and flag, from the indexes.

use super::*;

pub(super) fn budget_context(source: &Source<'_>, context: &mut PageContext) {
    let (site, indexes) = (source.site, source.indexes);
    let budget = &indexes.budget;
    context.insert("total", &views::amount(budget.total));
    context.insert("count", &budget.count);
    context.insert("by_account", &views::total_rows(site, &budget.by_account));
    context.insert("by_category", &views::total_rows(site, &budget.by_category));
    context.insert(
        "by_department",
        &views::total_rows(site, &budget.by_department),
    );
    context.insert(
        "chart_by_category",
        &chart(site, "項目別の事業費の棒グラフ", &budget.by_category),
    );
    context.insert(
        "chart_by_department",
        &chart(site, "部局別の事業費の棒グラフ", &budget.by_department),
    );
    context.insert("by_priority", &views::total_rows(site, &budget.by_priority));
    context.insert("by_future", &views::total_rows(site, &budget.by_future));
    // 「うち一般会計」 and so on: one line per account that has projects, by the account's id.
    #[derive(serde::Serialize)]
    struct AccountTotal {
        name: String,
        amount: views::Amount,
    }
    let accounts: Vec<AccountTotal> = budget
        .by_account
        .iter()
        .map(|r| AccountTotal {
            name: views::group_label(site, &r.group),
            amount: views::amount(r.total),
        })
        .collect();
    context.insert("accounts", &accounts);
    let joint: Vec<usize> = (0..site.projects.len())
        .filter(|&p| site.projects[p].is_joint())
        .collect();
    let joint = source.summaries(&joint);
    context.insert("joint_projects", &joint);
}
