//! The field and category pages: every project by field (分野) and category (項目).

use super::*;

#[derive(serde::Serialize)]
struct FieldGroupView {
    name: String,
    url: String,
    count: usize,
    total: String,
    categories: Vec<views::TotalRowView>,
}

fn field_group(site: &Site, indexes: &Indexes, field: FieldId) -> FieldGroupView {
    let categories: Vec<views::TotalRowView> = category_rows(site, indexes)
        .into_iter()
        .zip(&indexes.categories)
        .filter(|(_, g)| g.id.field == field)
        .map(|(row, _)| row)
        .collect();
    let group = indexes.field(field);
    FieldGroupView {
        name: site.vocabulary.field(field).name.clone(),
        url: routes::field_url(site, field),
        count: group.count,
        total: group.total.grouped(),
        categories,
    }
}

pub(super) fn fields_context(site: &Site, indexes: &Indexes, context: &mut PageContext) {
    let groups: Vec<FieldGroupView> = site
        .vocabulary
        .field_ids()
        .map(|f| field_group(site, indexes, f))
        .collect();
    context.insert("fields", &groups);
}

pub(super) fn field_context(source: &Source<'_>, field: FieldId, context: &mut PageContext) {
    let (site, indexes) = (source.site, source.indexes);
    let sections: Vec<CategorySection> = indexes
        .categories
        .iter()
        .filter(|g| g.id.field == field)
        .map(|g| CategorySection {
            name: site.vocabulary.category(g.id).name.clone(),
            url: routes::category_url(site, g.id),
            projects: source.summaries(&g.projects),
            total: g.total.grouped(),
        })
        .collect();
    let group = field_group(site, indexes, field);
    context.insert("field", &group);
    context.insert("categories", &sections);
}

pub(super) fn category_context(source: &Source<'_>, id: CategoryId, context: &mut PageContext) {
    let (site, indexes) = (source.site, source.indexes);
    let vocabulary = &site.vocabulary;
    let group = indexes.category(id);
    let projects = group.map(|g| g.projects.as_slice()).unwrap_or_default();
    let name = &vocabulary.category(id).name;
    context.insert("category", name);
    context.insert(
        "field",
        &link(
            &vocabulary.field(id.field).name,
            routes::field_url(site, id.field),
        ),
    );
    context.insert("projects", &source.summaries(projects));
    context.insert(
        "total",
        &views::amount(group.map(|g| g.total).unwrap_or_default()),
    );
    let by_department = group
        .map(|g| g.by_department.as_slice())
        .unwrap_or_default();
    context.insert("by_department", &views::total_rows(site, by_department));
    context.insert(
        "chart",
        &chart(
            site,
            &format!("{name}の部局別の事業費の棒グラフ"),
            by_department,
        ),
    );
}
