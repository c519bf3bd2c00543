//! The home page: totals, the ways in, the table by category and every project with its filters.

use super::*;

pub(super) fn home_context(source: &Source<'_>, context: &mut PageContext) {
    let (site, indexes) = (source.site, source.indexes);
    context.insert("projects", source.all_summaries());
    context.insert("count", &site.projects.len());
    context.insert("total", &views::amount(indexes.budget.total));
    context.insert("categories", &category_rows(site, indexes));
    // The filters' choices: every declared category and department, by slug.
    let vocabulary = &site.vocabulary;
    let categories: Vec<&crate::vocabulary::Term> = vocabulary
        .category_ids()
        .map(|id| vocabulary.category(id))
        .collect();
    let departments: Vec<crate::vocabulary::Term> = vocabulary
        .departments
        .iter()
        .map(|d| crate::vocabulary::Term {
            slug: d.slug.clone(),
            name: d.name.clone(),
        })
        .collect();
    context.insert("filter_categories", &categories);
    context.insert("filter_departments", &departments);
    context.insert(
        "years",
        &views::year_columns(site, &site.config.roadmap_years()),
    );
    context.insert(
        "department_count",
        &indexes
            .departments
            .iter()
            .filter(|d| !d.projects.is_empty())
            .count(),
    );
}
