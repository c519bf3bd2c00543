//! What changed from one edition of the roadmap to the next: projects newly listed, projects no
//! longer listed, renamed files, budgets changed (amount and percent), the totals by category and
//! by department before and after, and roadmap steps added, removed or moved. It exists so that a
//! citizen can see what a revision changed without comparing two sites by hand; like the rest of
//! the model it knows nothing of HTML.
//!
//! Projects are matched by the 事業's key in the [`Catalogue`] (the same file name, or
//! `renamed_from`); roadmap steps by their 取組 title, label and kind (計画/実績).

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;

use crate::editions::{Catalogue, Edition};
use crate::fiscal_year::FiscalYear;
use crate::model::{Project, Site};
use crate::money::Budget;

/// A project as one side of a change shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectSide {
    pub slug: String,
    pub name: String,
    pub budget: Budget,
    /// When its facts last changed (see [`Site::project_date`]).
    pub date: String,
}

/// A project whose budget differs between the editions.
#[derive(Debug, Clone, PartialEq)]
pub struct BudgetChange {
    pub before: ProjectSide,
    pub after: ProjectSide,
}

impl BudgetChange {
    /// The change in thousand yen (negative for a decrease).
    pub fn difference(&self) -> i128 {
        i128::from(self.after.budget.thousand_yen()) - i128::from(self.before.budget.thousand_yen())
    }

    /// The change in percent of the earlier budget, rounded to one decimal place; `None` when the
    /// earlier budget was 0.
    pub fn percent_tenths(&self) -> Option<i128> {
        let before = i128::from(self.before.budget.thousand_yen());
        (before != 0).then(|| {
            let scaled = self.difference() * 10_000 / before;
            // Hundredths of a percent, rounded half away from zero to tenths.
            (scaled + scaled.signum() * 5) / 10
        })
    }
}

/// A total of a category or department in both editions (0 where it had no project).
#[derive(Debug, Clone, PartialEq)]
pub struct TotalChange {
    pub name: String,
    pub before: Budget,
    pub after: Budget,
    pub count_before: usize,
    pub count_after: usize,
}

/// How a roadmap step changed.
#[derive(Debug, Clone, PartialEq)]
pub enum StepChangeKind {
    Added {
        years: Vec<FiscalYear>,
    },
    Removed {
        years: Vec<FiscalYear>,
    },
    Moved {
        before: Vec<FiscalYear>,
        after: Vec<FiscalYear>,
    },
}

/// A roadmap step of a project listed in both editions that was added, removed or moved.
#[derive(Debug, Clone, PartialEq)]
pub struct StepChange {
    /// The project in the later edition.
    pub project: ProjectSide,
    pub initiative: String,
    pub label: String,
    /// 「計画」 or 「実績」.
    pub row_kind: &'static str,
    pub change: StepChangeKind,
}

/// Everything that changed from `previous` to this edition.
#[derive(Debug, Clone, PartialEq)]
pub struct Changes {
    pub previous: Edition,
    /// The previous edition's date (when its facts last changed).
    pub previous_date: String,
    pub added: Vec<ProjectSide>,
    /// In the previous edition, not in this one.
    pub dropped: Vec<ProjectSide>,
    /// Listed in both under different file names (`renamed_from`).
    pub renamed: Vec<(ProjectSide, ProjectSide)>,
    pub budgets: Vec<BudgetChange>,
    pub steps: Vec<StepChange>,
    pub total_before: Budget,
    pub total_after: Budget,
    pub by_category: Vec<TotalChange>,
    pub by_department: Vec<TotalChange>,
}

impl Changes {
    /// The changes from `previous` (the edition before) to `current`.
    pub fn between(
        previous: (&Edition, &Site),
        current: (&Edition, &Site),
        catalogue: &Catalogue,
    ) -> Changes {
        let (previous_edition, before) = previous;
        let (current_edition, after) = current;
        let before_keys = keyed(catalogue, previous_edition, before);
        let after_keys = keyed(catalogue, current_edition, after);
        let side = |site: &Site, p: &Project| ProjectSide {
            slug: p.slug.clone(),
            name: p.name.clone(),
            budget: p.budget,
            date: site.project_date(p).to_string(),
        };
        let mut changes = Changes {
            previous: previous_edition.clone(),
            previous_date: before.latest_date().to_string(),
            added: Vec::new(),
            dropped: Vec::new(),
            renamed: Vec::new(),
            budgets: Vec::new(),
            steps: Vec::new(),
            total_before: sum(before.projects.iter().map(|p| p.as_ref())),
            total_after: sum(after.projects.iter().map(|p| p.as_ref())),
            by_category: totals(before, after, category_name),
            by_department: totals(before, after, department_name),
        };
        // In the later edition's display order, then the dropped ones in the earlier's.
        for p in &after.projects {
            let key = catalogue
                .key_of(current_edition, &p.slug)
                .unwrap_or(&p.slug);
            let Some(&j) = before_keys.get(key) else {
                changes.added.push(side(after, p));
                continue;
            };
            let q = &before.projects[j];
            let renamed = q.slug != p.slug;
            let budget_changed = q.budget != p.budget;
            let steps_changed = !same_steps(q, p);
            if !(renamed || budget_changed || steps_changed) {
                continue;
            }
            let (was, now) = (side(before, q), side(after, p));
            if renamed {
                changes.renamed.push((was.clone(), now.clone()));
            }
            if steps_changed {
                changes.steps.extend(step_changes(q, p, &now));
            }
            if budget_changed {
                changes.budgets.push(BudgetChange {
                    before: was,
                    after: now,
                });
            }
        }
        // Dropped: in the earlier edition's display order.
        for (j, q) in before.projects.iter().enumerate() {
            let key = catalogue
                .key_of(previous_edition, &q.slug)
                .unwrap_or(&q.slug);
            if before_keys.get(key) == Some(&j) && !after_keys.contains_key(key) {
                changes.dropped.push(side(before, q));
            }
        }
        changes
    }

    /// Whether nothing changed at all.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty()
            && self.dropped.is_empty()
            && self.renamed.is_empty()
            && self.budgets.is_empty()
            && self.steps.is_empty()
    }
}

/// Each project's index by its 事業's key, borrowed from the catalogue or the project (no copy of
/// the 10,000 keys of an edition).
fn keyed<'a>(
    catalogue: &'a Catalogue,
    edition: &Edition,
    site: &'a Site,
) -> FxHashMap<&'a str, usize> {
    site.projects
        .iter()
        .enumerate()
        .map(|(i, p)| (catalogue.key_of(edition, &p.slug).unwrap_or(&p.slug), i))
        .collect()
}

fn sum<'a>(projects: impl Iterator<Item = &'a Project>) -> Budget {
    projects.fold(Budget::from_thousand_yen(0), |total, p| {
        total.plus(p.budget)
    })
}

/// Sums of budgets here are of one edition, which its indexes check fit (a build fails before a
/// page shows a saturated sum).
trait Plus {
    fn plus(self, other: Budget) -> Budget;
}

impl Plus for Budget {
    fn plus(self, other: Budget) -> Budget {
        Budget::from_thousand_yen(self.thousand_yen().saturating_add(other.thousand_yen()))
    }
}

fn category_name(site: &Site, p: &Project, out: &mut String) {
    let vocabulary = &site.vocabulary;
    out.push_str(&vocabulary.field(p.category.field).name);
    out.push('／');
    out.push_str(&vocabulary.category(p.category).name);
}

/// The department a project counts under: its department, or its departments joined and marked
/// 共同 (each project counted once, as on the budget page).
fn department_name(site: &Site, p: &Project, out: &mut String) {
    for (i, &d) in p.departments.iter().enumerate() {
        if i > 0 {
            out.push('・');
        }
        out.push_str(&site.vocabulary.department(d).name);
    }
    if p.departments.len() > 1 {
        out.push_str("（共同）");
    }
}

/// The totals by name (category or department) in both editions: names in the later edition's
/// order, then those only the earlier one has. Names match across vocabularies by their text.
fn totals(before: &Site, after: &Site, name: fn(&Site, &Project, &mut String)) -> Vec<TotalChange> {
    let mut rows: Vec<TotalChange> = Vec::new();
    let mut index: FxHashMap<String, usize> = FxHashMap::default();
    // The name is written into one buffer: a new String only for a name not seen before.
    let mut key = String::new();
    let mut add = |site: &Site, p: &Project, later: bool| {
        key.clear();
        name(site, p, &mut key);
        let i = match index.get(key.as_str()) {
            Some(&i) => i,
            None => {
                rows.push(TotalChange {
                    name: key.clone(),
                    before: Budget::from_thousand_yen(0),
                    after: Budget::from_thousand_yen(0),
                    count_before: 0,
                    count_after: 0,
                });
                index.insert(key.clone(), rows.len() - 1);
                rows.len() - 1
            }
        };
        let row = &mut rows[i];
        if later {
            row.after = row.after.plus(p.budget);
            row.count_after += 1;
        } else {
            row.before = row.before.plus(p.budget);
            row.count_before += 1;
        }
    };
    for p in &after.projects {
        add(after, p, true);
    }
    for p in &before.projects {
        add(before, p, false);
    }
    rows
}

/// Whether the two versions have the same roadmap steps in the same order (then
/// [`step_changes`] finds none, and need not be asked).
fn same_steps(before: &Project, after: &Project) -> bool {
    before.initiatives.len() == after.initiatives.len()
        && before
            .initiatives
            .iter()
            .zip(&after.initiatives)
            .all(|(a, b)| {
                a.title == b.title
                    && a.roadmap.len() == b.roadmap.len()
                    && a.roadmap.iter().zip(&b.roadmap).all(|(x, y)| {
                        x.label == y.label && x.kind.label() == y.kind.label() && x.years == y.years
                    })
            })
}

/// The roadmap steps of one project that were added, removed or moved between its two versions.
fn step_changes(before: &Project, after: &Project, project: &ProjectSide) -> Vec<StepChange> {
    let (was, now) = (steps(before), steps(after));
    let mut out = Vec::new();
    let change = |key: &StepKey<'_>, change| StepChange {
        project: project.clone(),
        initiative: key.0.to_string(),
        label: key.1.to_string(),
        row_kind: key.2,
        change,
    };
    for (key, &years) in &now {
        match was.get(key) {
            None => out.push(change(
                key,
                StepChangeKind::Added {
                    years: years.to_vec(),
                },
            )),
            Some(&old) if old != years => out.push(change(
                key,
                StepChangeKind::Moved {
                    before: old.to_vec(),
                    after: years.to_vec(),
                },
            )),
            Some(_) => {}
        }
    }
    for (key, &years) in &was {
        if !now.contains_key(key) {
            out.push(change(
                key,
                StepChangeKind::Removed {
                    years: years.to_vec(),
                },
            ));
        }
    }
    out
}

/// A step: its 取組 title, label and kind (計画/実績).
type StepKey<'a> = (&'a str, &'a str, &'static str);

/// A project's steps with their years (of the first row where a key is repeated).
fn steps(p: &Project) -> BTreeMap<StepKey<'_>, &[FiscalYear]> {
    let mut map = BTreeMap::new();
    for initiative in &p.initiatives {
        for row in &initiative.roadmap {
            map.entry((
                initiative.title.as_str(),
                row.label.as_str(),
                row.kind.label(),
            ))
            .or_insert(row.years.as_slice());
        }
    }
    map
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(before: u64, after: u64) -> BudgetChange {
        let side = |budget: u64| ProjectSide {
            slug: "a".to_string(),
            name: "a".to_string(),
            budget: Budget::from_thousand_yen(budget),
            date: "2026-11-25".to_string(),
        };
        BudgetChange {
            before: side(before),
            after: side(after),
        }
    }

    #[test]
    fn percent_is_rounded_to_tenths_both_ways() {
        assert_eq!(change(4202, 5202).difference(), 1000);
        assert_eq!(change(4202, 5202).percent_tenths(), Some(238)); // 23.798 → 23.8
        assert_eq!(change(5202, 4202).percent_tenths(), Some(-192)); // −19.223 → −19.2
        assert_eq!(change(3, 4).percent_tenths(), Some(333));
        assert_eq!(change(8, 9).percent_tenths(), Some(125)); // 12.5 exactly
        assert_eq!(change(0, 9).percent_tenths(), None);
    }
}
