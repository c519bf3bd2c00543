//! The department pages: every project by department (部局) and section (課).

use super::*;

pub(super) fn departments_context(site: &Site, indexes: &Indexes, context: &mut PageContext) {
    #[derive(serde::Serialize)]
    struct Row {
        name: String,
        url: String,
        count: usize,
        total: String,
        sections: Vec<String>,
        joint_count: usize,
    }
    let rows: Vec<Row> = indexes
        .departments
        .iter()
        .map(|g| {
            let department = &site.vocabulary.department(g.department);
            Row {
                name: department.name.clone(),
                url: routes::department_url(site, g.department),
                count: g.projects.len(),
                total: g.total.grouped(),
                sections: g
                    .sections
                    .iter()
                    .filter(|s| !s.projects.is_empty())
                    .map(|s| site.vocabulary.section(s.id).name.clone())
                    .collect(),
                joint_count: g
                    .projects
                    .iter()
                    .filter(|&&p| site.projects[p].is_joint())
                    .count(),
            }
        })
        .collect();
    context.insert("departments", &rows);
    context.insert("has_joint", &site.projects.iter().any(|p| p.is_joint()));
}

pub(super) fn department_context(
    source: &Source<'_>,
    department: DepartmentId,
    context: &mut PageContext,
) {
    let (site, indexes) = (source.site, source.indexes);
    let group = indexes.department(department);
    let sections: Vec<CategorySection> = group
        .sections
        .iter()
        .map(|s| CategorySection {
            name: site.vocabulary.section(s.id).name.clone(),
            url: String::new(),
            projects: source.summaries(&s.projects),
            total: s.total.grouped(),
        })
        .collect();
    context.insert("department", &site.vocabulary.department(department).name);
    let by_section = crate::indexes::section_rows(group);
    context.insert("by_section", &views::total_rows(site, &by_section));
    context.insert(
        "chart",
        &chart(
            site,
            &format!(
                "{}の課別の事業費の棒グラフ",
                site.vocabulary.department(department).name
            ),
            &by_section,
        ),
    );
    context.insert("sections", &sections);
    context.insert("count", &group.projects.len());
    context.insert("total", &views::amount(group.total));
    let joint: Vec<usize> = group
        .projects
        .iter()
        .copied()
        .filter(|&p| site.projects[p].is_joint())
        .collect();
    let joint = source.summaries(&joint);
    context.insert("joint_projects", &joint);
}
