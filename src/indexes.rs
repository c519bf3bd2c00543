//! Groupings and totals computed from the projects: by category, by department and section, and the
//! budget summary. Every total is an exact sum over projects, and no project is counted twice in any
//! table: a joint project is one row naming all its departments.

use crate::model::{Project, Site};
use crate::money::{Budget, BudgetOverflow};
use crate::vocabulary::{AccountId, CategoryId, DepartmentId, FieldId, SectionId};

/// Every grouping the pages show; projects are positions in `Site::projects`.
#[derive(Debug, Clone)]
pub struct Indexes {
    pub fields: Vec<FieldGroup>,
    pub categories: Vec<CategoryGroup>,
    pub departments: Vec<DepartmentGroup>,
    pub budget: BudgetSummary,
}

#[derive(Debug, Clone)]
pub struct FieldGroup {
    pub field: FieldId,
    pub count: usize,
    pub total: Budget,
}

#[derive(Debug, Clone)]
pub struct CategoryGroup {
    pub id: CategoryId,
    pub projects: Vec<usize>,
    pub total: Budget,
    /// The category's projects by set of departments (see [`department_rows_of`]).
    pub by_department: Vec<TotalRow>,
}

#[derive(Debug, Clone)]
pub struct DepartmentGroup {
    pub department: DepartmentId,
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

/// What a line of a budget table stands for, by vocabulary ids (its label is made from these when
/// it is shown, never read back from text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Group {
    /// An account (一般会計, 病院事業会計…).
    Account(AccountId),
    Category(CategoryId),
    /// The projects run by exactly these departments; more than one is a joint project.
    Departments(Vec<DepartmentId>),
    Section(SectionId),
    /// 重点枠事業 (true) or the others.
    Priority(bool),
    /// 将来対応分 (true) or the others.
    Future(bool),
}

/// One line of a budget table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TotalRow {
    pub group: Group,
    pub count: usize,
    pub total: Budget,
}

impl TotalRow {
    /// Whether the row stands for a joint project of several departments.
    pub fn is_joint(&self) -> bool {
        matches!(&self.group, Group::Departments(d) if d.len() > 1)
    }
}

/// The budget page's tables. Each table's rows add up to `total` and `count`.
#[derive(Debug, Clone)]
pub struct BudgetSummary {
    pub total: Budget,
    pub count: usize,
    /// Only the accounts that have projects.
    pub by_account: Vec<TotalRow>,
    pub by_category: Vec<TotalRow>,
    pub by_department: Vec<TotalRow>,
    pub by_priority: Vec<TotalRow>,
    pub by_future: Vec<TotalRow>,
}

impl Indexes {
    /// Every grouping with its totals; an error, never a wrapped number, if a sum does not fit.
    pub fn build(site: &Site) -> Result<Indexes, BudgetOverflow> {
        Ok(Indexes {
            fields: fields(site)?,
            categories: categories(site)?,
            departments: departments(site)?,
            budget: budget(site)?,
        })
    }

    /// The group of a category.
    pub fn category(&self, id: CategoryId) -> Option<&CategoryGroup> {
        self.categories.iter().find(|g| g.id == id)
    }

    /// The group of a field: one per declared field, in vocabulary order.
    pub fn field(&self, id: FieldId) -> &FieldGroup {
        &self.fields[id.index()]
    }

    /// The group of a department: one per declared department, in vocabulary order.
    pub fn department(&self, id: DepartmentId) -> &DepartmentGroup {
        &self.departments[id.index()]
    }
}

fn total_of(site: &Site, projects: &[usize]) -> Result<Budget, BudgetOverflow> {
    Budget::total(projects.iter().map(|&i| site.projects[i].budget))
}

fn matching(site: &Site, keep: impl Fn(&Project) -> bool) -> Vec<usize> {
    (0..site.projects.len())
        .filter(|&i| keep(&site.projects[i]))
        .collect()
}

fn fields(site: &Site) -> Result<Vec<FieldGroup>, BudgetOverflow> {
    site.vocabulary
        .field_ids()
        .map(|field| {
            let projects = matching(site, |p| p.category.field == field);
            Ok(FieldGroup {
                field,
                count: projects.len(),
                total: total_of(site, &projects)?,
            })
        })
        .collect()
}

fn categories(site: &Site) -> Result<Vec<CategoryGroup>, BudgetOverflow> {
    site.vocabulary
        .category_ids()
        .map(|id| {
            let projects = matching(site, |p| p.category == id);
            Ok(CategoryGroup {
                id,
                total: total_of(site, &projects)?,
                by_department: department_rows_of(site, &projects)?,
                projects,
            })
        })
        .collect()
}

fn departments(site: &Site) -> Result<Vec<DepartmentGroup>, BudgetOverflow> {
    site.vocabulary
        .department_ids()
        .map(|department| {
            let projects = matching(site, |p| p.departments.contains(&department));
            let sections = site
                .vocabulary
                .section_ids(department)
                .map(|id: SectionId| {
                    let projects = matching(site, |p| p.sections.contains(&id));
                    Ok(SectionGroup {
                        id,
                        total: total_of(site, &projects)?,
                        projects,
                    })
                })
                .collect::<Result<_, BudgetOverflow>>()?;
            Ok(DepartmentGroup {
                department,
                total: total_of(site, &projects)?,
                projects,
                sections,
            })
        })
        .collect()
}

fn row(site: &Site, group: Group, projects: &[usize]) -> Result<TotalRow, BudgetOverflow> {
    Ok(TotalRow {
        group,
        count: projects.len(),
        total: total_of(site, projects)?,
    })
}

fn budget(site: &Site) -> Result<BudgetSummary, BudgetOverflow> {
    let vocabulary = &site.vocabulary;
    let by_account = vocabulary
        .account_ids()
        .map(|a| row(site, Group::Account(a), &matching(site, |p| p.account == a)))
        .filter(|r| !matches!(r, Ok(r) if r.count == 0))
        .collect::<Result<_, _>>()?;
    let by_category = vocabulary
        .category_ids()
        .map(|id| {
            row(
                site,
                Group::Category(id),
                &matching(site, |p| p.category == id),
            )
        })
        .collect::<Result<_, _>>()?;
    let yes_no = |group: fn(bool) -> Group, flag: fn(&Project) -> bool| {
        [true, false]
            .into_iter()
            .map(|value| row(site, group(value), &matching(site, |p| flag(p) == value)))
            .collect::<Result<Vec<_>, _>>()
    };
    Ok(BudgetSummary {
        total: site.total_budget()?,
        count: site.projects.len(),
        by_account,
        by_category,
        by_department: department_rows(site)?,
        by_priority: yes_no(Group::Priority, |p| p.priority)?,
        by_future: yes_no(Group::Future, |p| p.future)?,
    })
}

fn department_rows(site: &Site) -> Result<Vec<TotalRow>, BudgetOverflow> {
    let all: Vec<usize> = (0..site.projects.len()).collect();
    department_rows_of(site, &all)
}

/// For some projects: one row per distinct set of departments, single departments in vocabulary
/// order, each joint set after the first department it names. The rows add up to the projects' total.
fn department_rows_of(site: &Site, projects: &[usize]) -> Result<Vec<TotalRow>, BudgetOverflow> {
    let mut keys: Vec<Vec<DepartmentId>> = projects
        .iter()
        .map(|&i| site.projects[i].departments.clone())
        .collect();
    keys.sort();
    keys.dedup();
    keys.sort_by(|a, b| (a[0], a.len(), a).cmp(&(b[0], b.len(), b)));
    keys.into_iter()
        .map(|key| {
            let members: Vec<usize> = projects
                .iter()
                .copied()
                .filter(|&i| site.projects[i].departments == key)
                .collect();
            row(site, Group::Departments(key), &members)
        })
        .collect()
}

/// One row per section of a department that has projects.
pub fn section_rows(group: &DepartmentGroup) -> Vec<TotalRow> {
    group
        .sections
        .iter()
        .filter(|s| !s.projects.is_empty())
        .map(|s| TotalRow {
            group: Group::Section(s.id),
            count: s.projects.len(),
            total: s.total,
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
            crate::vocabulary::tests::SMALL.to_string(),
        ))
        .expect("vocabulary");
        let config = SiteConfig::parse(SourceFile::new(
            "config.toml",
            "title='t'\ndescription='d'\nbase_url='http://x/'\nlanguage='ja'\ntheme='default'\npublisher='p'\nupdated='2026-01-01'\n[roadmap]\nbudget_year='R6'\nfirst_year='R6'\nlast_year='R10'\n[source]\ntitle='s'\n[license]\nname='l'\nshort_name='L'\nurl='http://l/'\n".to_string(),
        ))
        .expect("config");
        let department = |i: usize| vocabulary.department_ids().nth(i).expect("declared");
        let account = |i: usize| vocabulary.account_ids().nth(i).expect("declared");
        let projects = projects
            .into_iter()
            .enumerate()
            .map(|(i, (departments, budget, priority))| Project {
                slug: format!("p{i}"),
                source: format!("content/p{i}.md").into(),
                name: format!("事業{i}"),
                category: vocabulary.category_ids().nth(i % 2).expect("declared"),
                sections: departments
                    .iter()
                    .map(|&d| {
                        vocabulary
                            .section_ids(department(d))
                            .next()
                            .expect("declared")
                    })
                    .collect(),
                departments: departments.into_iter().map(department).collect(),
                budget: Budget::from_thousand_yen(budget),
                account: account(usize::from(i == 0)),
                priority,
                future: false,
                start: FiscalYear::reiwa(6).into(),
                end: EndYear::Undecided,
                sheet_number: None,
                renamed_from: None,
                updated: None,
                overview: String::new(),
                situation: String::new(),
                outcome: String::new(),
                initiatives: Vec::new(),
                notes: String::new(),
            })
            .map(std::sync::Arc::new)
            .collect();
        Site {
            config,
            vocabulary,
            projects,
            edition: None,
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
        let budget = Indexes::build(&site).expect("sums fit").budget;
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
        let joint: Vec<&TotalRow> = budget
            .by_department
            .iter()
            .filter(|r| r.is_joint())
            .collect();
        assert_eq!(joint.len(), 1);
        let both: Vec<DepartmentId> = site.vocabulary.department_ids().collect();
        assert_eq!(joint[0].group, Group::Departments(both));
        assert_eq!(joint[0].total.thousand_yen(), 20);
    }

    #[test]
    fn accounts_are_rows_by_id_and_only_those_with_projects() {
        let mut site = site(vec![(vec![0], 100, true), (vec![1], 20, false)]);
        let hospital = site
            .vocabulary
            .account_by_name("病院事業会計")
            .expect("declared");
        for project in &mut site.projects {
            std::sync::Arc::make_mut(project).account = hospital;
        }
        let budget = Indexes::build(&site).expect("sums fit").budget;
        assert_eq!(budget.by_account.len(), 1);
        assert_eq!(budget.by_account[0].group, Group::Account(hospital));
        assert_eq!(budget.by_account[0].total.thousand_yen(), 120);
    }

    #[test]
    fn a_sum_too_large_is_an_error_in_every_index() {
        let site = site(vec![(vec![0], u64::MAX, true), (vec![1], 1, false)]);
        assert_eq!(Indexes::build(&site).err(), Some(BudgetOverflow));
        let site = self::site(vec![(vec![0], u64::MAX - 1, true), (vec![1], 1, false)]);
        let indexes = Indexes::build(&site).expect("the sum just fits");
        assert_eq!(indexes.budget.total.thousand_yen(), u64::MAX);
        assert_eq!(indexes.fields[0].total.thousand_yen(), u64::MAX);
    }

    #[test]
    fn a_joint_project_is_listed_under_each_department() {
        let site = site(vec![(vec![0], 100, true), (vec![0, 1], 20, false)]);
        let indexes = Indexes::build(&site).expect("sums fit");
        assert_eq!(indexes.departments[0].projects, vec![0, 1]);
        assert_eq!(indexes.departments[1].projects, vec![1]);
        assert_eq!(indexes.departments[1].total.thousand_yen(), 20);
        assert_eq!(indexes.departments[1].sections[0].projects, vec![1]);
    }
}
