//! Groupings and totals computed from the projects: by category, by department and section, and the
//! budget summary. Every total is an exact sum over projects, and no project is counted twice in any
//! table: a joint project is one row naming all its departments.

use crate::model::{Project, Site};
use crate::money::Budget;
use crate::vocabulary::{CategoryId, SectionId};

/// Every grouping the pages show; projects are positions in `Site::projects`.
#[derive(Debug, Clone)]
pub struct Indexes {
    pub categories: Vec<CategoryGroup>,
    pub departments: Vec<DepartmentGroup>,
    pub budget: BudgetSummary,
}

#[derive(Debug, Clone)]
pub struct CategoryGroup {
    pub id: CategoryId,
    pub projects: Vec<usize>,
    pub total: Budget,
}

#[derive(Debug, Clone)]
pub struct DepartmentGroup {
    pub department: usize,
    /// Every project of the department, each once, in display order.
    pub projects: Vec<usize>,
    pub sections: Vec<SectionGroup>,
    pub total: Budget,
}

#[derive(Debug, Clone)]
pub struct SectionGroup {
    pub id: SectionId,
    pub projects: Vec<usize>,
    pub total: Budget,
}

/// One line of a budget table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TotalRow {
    pub label: String,
    pub count: usize,
    pub total: Budget,
    /// Set on department rows that stand for a joint project of several departments.
    pub joint: bool,
}

/// The budget page's tables. Each table's rows add up to `total` and `count`.
#[derive(Debug, Clone)]
pub struct BudgetSummary {
    pub total: Budget,
    pub count: usize,
    pub by_account: Vec<TotalRow>,
    pub by_category: Vec<TotalRow>,
    pub by_department: Vec<TotalRow>,
    pub by_priority: Vec<TotalRow>,
    pub by_future: Vec<TotalRow>,
}

impl Indexes {
    pub fn build(site: &Site) -> Indexes {
        Indexes {
            categories: categories(site),
            departments: departments(site),
            budget: budget(site),
        }
    }

    /// The group of a category.
    pub fn category(&self, id: CategoryId) -> Option<&CategoryGroup> {
        self.categories.iter().find(|g| g.id == id)
    }
}

fn total_of(site: &Site, projects: &[usize]) -> Budget {
    projects.iter().map(|&i| site.projects[i].budget).sum()
}

fn matching(site: &Site, keep: impl Fn(&Project) -> bool) -> Vec<usize> {
    (0..site.projects.len())
        .filter(|&i| keep(&site.projects[i]))
        .collect()
}

fn categories(site: &Site) -> Vec<CategoryGroup> {
    site.vocabulary
        .category_ids()
        .map(|id| {
            let projects = matching(site, |p| p.category == id);
            CategoryGroup {
                id,
                total: total_of(site, &projects),
                projects,
            }
        })
        .collect()
}

fn departments(site: &Site) -> Vec<DepartmentGroup> {
    site.vocabulary
        .departments
        .iter()
        .enumerate()
        .map(|(department, declared)| {
            let projects = matching(site, |p| p.departments.contains(&department));
            let sections = (0..declared.sections.len())
                .map(|section| {
                    let id = SectionId {
                        department,
                        section,
                    };
                    let projects = matching(site, |p| p.sections.contains(&id));
                    SectionGroup {
                        id,
                        total: total_of(site, &projects),
                        projects,
                    }
                })
                .collect();
            DepartmentGroup {
                department,
                total: total_of(site, &projects),
                projects,
                sections,
            }
        })
        .collect()
}

fn row(site: &Site, label: String, projects: &[usize], joint: bool) -> TotalRow {
    TotalRow {
        label,
        count: projects.len(),
        total: total_of(site, projects),
        joint,
    }
}

fn budget(site: &Site) -> BudgetSummary {
    let vocabulary = &site.vocabulary;
    let by_account = vocabulary
        .accounts
        .iter()
        .enumerate()
        .map(|(i, a)| {
            row(
                site,
                a.name.clone(),
                &matching(site, |p| p.account == i),
                false,
            )
        })
        .filter(|r| r.count > 0)
        .collect();
    let by_category = vocabulary
        .category_ids()
        .map(|id| {
            let label = vocabulary.category(id).name.clone();
            row(site, label, &matching(site, |p| p.category == id), false)
        })
        .collect();
    let yes_no = |label: &str, flag: fn(&Project) -> bool| {
        vec![
            row(site, label.to_string(), &matching(site, flag), false),
            row(
                site,
                format!("{label}以外"),
                &matching(site, |p| !flag(p)),
                false,
            ),
        ]
    };
    BudgetSummary {
        total: site.total_budget(),
        count: site.projects.len(),
        by_account,
        by_category,
        by_department: department_rows(site),
        by_priority: yes_no("重点枠事業", |p| p.priority),
        by_future: yes_no("将来対応分", |p| p.future),
    }
}

fn department_rows(site: &Site) -> Vec<TotalRow> {
    let all: Vec<usize> = (0..site.projects.len()).collect();
    department_rows_of(site, &all)
}

/// For some projects: one row per distinct set of departments, single departments in vocabulary
/// order, each joint set after the first department it names. The rows add up to the projects' total.
pub fn department_rows_of(site: &Site, projects: &[usize]) -> Vec<TotalRow> {
    let mut keys: Vec<Vec<usize>> = projects
        .iter()
        .map(|&i| site.projects[i].departments.clone())
        .collect();
    keys.sort();
    keys.dedup();
    keys.sort_by(|a, b| (a[0], a.len(), a).cmp(&(b[0], b.len(), b)));
    keys.iter()
        .map(|key| {
            let names: Vec<&str> = key
                .iter()
                .map(|&d| site.vocabulary.departments[d].name.as_str())
                .collect();
            let joint = key.len() > 1;
            let label = if joint {
                format!("{}（共同）", names.join("・"))
            } else {
                names.join("・")
            };
            let members: Vec<usize> = projects
                .iter()
                .copied()
                .filter(|&i| &site.projects[i].departments == key)
                .collect();
            row(site, label, &members, joint)
        })
        .collect()
}

/// One row per section of a department that has projects.
pub fn section_rows(site: &Site, group: &DepartmentGroup) -> Vec<TotalRow> {
    group
        .sections
        .iter()
        .filter(|s| !s.projects.is_empty())
        .map(|s| {
            row(
                site,
                site.vocabulary.section(s.id).name.clone(),
                &s.projects,
                false,
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::SiteConfig;
    use crate::diagnostics::SourceFile;
    use crate::fiscal_year::{EndYear, FiscalYear};
    use crate::vocabulary::Vocabulary;

    fn site(projects: Vec<(Vec<usize>, u64, bool)>) -> Site {
        let vocabulary = Vocabulary::parse(&SourceFile::new(
            "v.toml",
            r#"
accounts = [{ slug = "g", name = "一般会計" }, { slug = "h", name = "病院事業会計" }]
[[fields]]
slug = "f"
name = "分野"
categories = [{ slug = "a", name = "甲" }, { slug = "b", name = "乙" }]
[[departments]]
slug = "d"
name = "環境政策部"
sections = [{ slug = "s", name = "青少年課" }]
[[departments]]
slug = "e"
name = "警察本部"
sections = [{ slug = "t", name = "生活安全企画課" }]
"#
            .to_string(),
        ))
        .expect("vocabulary");
        let config = SiteConfig::parse(SourceFile::new(
            "config.toml",
            "title='t'\ndescription='d'\nbase_url='http://x/'\nlanguage='ja'\ntheme='default'\npublisher='p'\nupdated='2026-01-01'\n[roadmap]\nbudget_year='R6'\nfirst_year='R6'\nlast_year='R10'\n[source]\ntitle='s'\n[license]\nname='l'\nshort_name='L'\nurl='http://l/'\n".to_string(),
        ))
        .expect("config");
        let projects = projects
            .into_iter()
            .enumerate()
            .map(|(i, (departments, budget, priority))| Project {
                slug: format!("p{i}"),
                source: format!("content/p{i}.md").into(),
                name: format!("事業{i}"),
                category: CategoryId {
                    field: 0,
                    category: i % 2,
                },
                sections: departments
                    .iter()
                    .map(|&department| SectionId {
                        department,
                        section: 0,
                    })
                    .collect(),
                departments,
                budget: Budget::from_thousand_yen(budget),
                account: usize::from(i == 0),
                priority,
                future: false,
                start: FiscalYear::reiwa(6),
                end: EndYear::Undecided,
                sheet_number: None,
                overview: String::new(),
                situation: String::new(),
                outcome: String::new(),
                initiatives: Vec::new(),
                notes: String::new(),
            })
            .collect();
        Site {
            config,
            vocabulary,
            projects,
        }
    }

    fn sum(rows: &[TotalRow]) -> (usize, u64) {
        rows.iter().fold((0, 0), |(c, t), r| {
            (c + r.count, t + r.total.thousand_yen())
        })
    }

    #[test]
    fn every_table_adds_up_and_joint_projects_count_once() {
        let site = site(vec![
            (vec![0], 100, true),
            (vec![0, 1], 20, false),
            (vec![1], 3, false),
        ]);
        let budget = Indexes::build(&site).budget;
        assert_eq!(budget.total.thousand_yen(), 123);
        for table in [
            &budget.by_account,
            &budget.by_category,
            &budget.by_department,
            &budget.by_priority,
            &budget.by_future,
        ] {
            assert_eq!(sum(table), (3, 123));
        }
        let joint: Vec<&TotalRow> = budget.by_department.iter().filter(|r| r.joint).collect();
        assert_eq!(joint.len(), 1);
        assert_eq!(joint[0].label, "環境政策部・警察本部（共同）");
        assert_eq!(joint[0].total.thousand_yen(), 20);
    }

    #[test]
    fn a_joint_project_is_listed_under_each_department() {
        let site = site(vec![(vec![0], 100, true), (vec![0, 1], 20, false)]);
        let indexes = Indexes::build(&site);
        assert_eq!(indexes.departments[0].projects, vec![0, 1]);
        assert_eq!(indexes.departments[1].projects, vec![1]);
        assert_eq!(indexes.departments[1].total.thousand_yen(), 20);
        assert_eq!(indexes.departments[1].sections[0].projects, vec![1]);
    }
}
