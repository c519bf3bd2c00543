//! The roadmap as data: projects, their initiatives and roadmap rows. It knows nothing of HTML.
//!
//! Everything here has been validated by the content stage: names refer to the vocabulary, years are
//! real fiscal years, budgets are whole thousands of yen.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::config::SiteConfig;
use crate::fiscal_year::{EndYear, FiscalYear, WrittenYear};
use crate::money::{Budget, BudgetOverflow};
use crate::vocabulary::{AccountId, CategoryId, DepartmentId, SectionId, Vocabulary};

/// Everything a build renders.
#[derive(Debug, Clone)]
pub struct Site {
    pub config: SiteConfig,
    pub vocabulary: Vocabulary,
    /// In display order (see [`Site::sort_projects`]).
    pub projects: Vec<std::sync::Arc<Project>>,
    /// The edition this site is, among the others; `None` for a site without edition folders.
    pub edition: Option<crate::editions::EditionPlace>,
}

/// One project (事業): one sheet of the roadmap.
#[derive(Debug, Clone, PartialEq)]
pub struct Project {
    /// The file name without `.md`; the project's URL.
    pub slug: String,
    /// The content file, relative to the site root.
    pub source: PathBuf,
    pub name: String,
    pub category: CategoryId,
    /// In the order the file gives them; more than one for a joint project.
    pub departments: Vec<DepartmentId>,
    pub sections: Vec<SectionId>,
    pub budget: Budget,
    /// 一般会計, 病院事業会計…
    pub account: AccountId,
    /// 重点枠事業.
    pub priority: bool,
    /// 将来対応分.
    pub future: bool,
    /// 事業始期, in the era the sheet writes it (H31 stays 平成31年度).
    pub start: WrittenYear,
    pub end: EndYear,
    /// 「Ｎｏ．」 on the sheet, where it shows one.
    pub sheet_number: Option<u32>,
    /// 概要, Markdown.
    pub overview: String,
    /// 現状・課題, Markdown.
    pub situation: String,
    /// デジタル活用によってどう変わるか, Markdown.
    pub outcome: String,
    pub initiatives: Vec<Initiative>,
    /// The file name (without `.md`) the same 事業 had in earlier editions, when it was renamed.
    pub renamed_from: Option<String>,
    /// When the project's facts last changed (YYYY-MM-DD), when its file says; else the
    /// edition's date (see [`Site::project_date`]).
    pub updated: Option<String>,
    /// The body after the front matter, Markdown (may be empty).
    pub notes: String,
}

/// One initiative (取組).
#[derive(Debug, Clone, PartialEq)]
pub struct Initiative {
    pub title: String,
    /// Markdown.
    pub description: String,
    pub roadmap: Vec<RoadmapRow>,
}

/// One row of the roadmap grid.
#[derive(Debug, Clone, PartialEq)]
pub struct RoadmapRow {
    pub label: String,
    pub kind: RowKind,
    /// The fiscal years the row covers, ascending, no duplicates.
    pub years: Vec<FiscalYear>,
    /// Text shown in a single year's cell, where the sheet shows one.
    pub year_labels: BTreeMap<FiscalYear, String>,
    /// Whether the years are read from the sheet or inferred.
    pub basis: YearBasis,
    /// What was done of a planned step (実績), when the content records it; `None` says nothing
    /// either way (the R6 sheets record no results).
    pub actual: Option<Actual>,
}

/// The 実績 of a planned step: the years it was done in (empty: recorded as not done), and a note.
#[derive(Debug, Clone, PartialEq)]
pub struct Actual {
    /// Ascending, no duplicates.
    pub years: Vec<FiscalYear>,
    /// Text shown in a single year's cell, where the sheet's 実績 row shows one.
    pub year_labels: BTreeMap<FiscalYear, String>,
    pub note: String,
    /// Whether the years are read from the content or inferred.
    pub basis: YearBasis,
}

/// How a step went against its plan, over the years up to a given one (今年度): said in words on
/// the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepOutcome {
    /// Done in exactly the planned years so far.
    AsPlanned,
    /// Done later than planned.
    Late,
    /// Done earlier than planned.
    Early,
    /// Done in some of the planned years only.
    Partly,
    /// Done in years that differ from the plan both ways.
    Different,
    /// Planned for years so far, done in none.
    NotDone,
    /// Nothing planned or done so far.
    NotYetDue,
}

impl StepOutcome {
    /// 「計画どおり」….
    pub fn words(self) -> &'static str {
        match self {
            StepOutcome::AsPlanned => "計画どおり実施",
            StepOutcome::Late => "計画より遅れて実施",
            StepOutcome::Early => "計画より早く実施",
            StepOutcome::Partly => "計画の一部の年度だけ実施",
            StepOutcome::Different => "計画と異なる年度に実施",
            StepOutcome::NotDone => "実施されていない",
            StepOutcome::NotYetDue => "実施の時期はまだ来ていない",
        }
    }
}

/// How a roadmap row's years are known. The source kept each bar's label but often lost its
/// position, so some rows' years are a reading of ours: they are published as such, never as fact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum YearBasis {
    /// The sheet shows the years.
    AsWritten,
    /// The sheet does not show the years; they are inferred, for the reason given.
    Inferred { reason: String },
}

impl YearBasis {
    pub const AS_WRITTEN: &'static str = "資料どおり";
    pub const INFERRED: &'static str = "推定";

    pub fn is_inferred(&self) -> bool {
        matches!(self, YearBasis::Inferred { .. })
    }

    /// Why the years were inferred; `None` for rows as written.
    pub fn reason(&self) -> Option<&str> {
        match self {
            YearBasis::AsWritten => None,
            YearBasis::Inferred { reason } => Some(reason),
        }
    }
}

/// Whether a roadmap row is the plan or what was done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowKind {
    Plan,
    Actual,
}

impl RowKind {
    pub const PLAN: &'static str = "計画";
    pub const ACTUAL: &'static str = "実績";

    pub fn parse(text: &str) -> Option<RowKind> {
        match text {
            RowKind::PLAN => Some(RowKind::Plan),
            RowKind::ACTUAL => Some(RowKind::Actual),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            RowKind::Plan => RowKind::PLAN,
            RowKind::Actual => RowKind::ACTUAL,
        }
    }
}

impl Project {
    /// True when more than one department runs the project.
    pub fn is_joint(&self) -> bool {
        self.departments.len() > 1
    }

    /// Whether the project runs in fiscal year `year` (an undecided end runs on).
    pub fn runs_in(&self, year: FiscalYear) -> bool {
        self.start.year() <= year && self.end.year().is_none_or(|end| year <= end)
    }

    /// Every roadmap row of every initiative, in order.
    pub fn rows(&self) -> impl Iterator<Item = &RoadmapRow> {
        self.initiatives.iter().flat_map(|i| &i.roadmap)
    }

    /// Whether `row` has a year outside the project's own years ([`Project::years_outside`]).
    pub fn has_years_outside(&self, row: &RoadmapRow) -> bool {
        row.years.iter().any(|&y| !self.runs_in(y))
    }

    /// The years of `row` outside the project's own years (before 事業始期, after 事業終期).
    pub fn years_outside(&self, row: &RoadmapRow) -> Vec<FiscalYear> {
        row.years
            .iter()
            .copied()
            .filter(|&y| !self.runs_in(y))
            .collect()
    }
}

impl RoadmapRow {
    pub fn covers(&self, year: FiscalYear) -> bool {
        self.years.contains(&year)
    }

    /// Whether the step was done in `year`, by its recorded 実績.
    pub fn done_in(&self, year: FiscalYear) -> bool {
        self.actual
            .as_ref()
            .is_some_and(|a| a.years.contains(&year))
    }

    /// How the step went against its plan over the years up to `until` (inclusive); `None` when
    /// no 実績 is recorded (nothing is said).
    pub fn progress(&self, until: FiscalYear) -> Option<StepOutcome> {
        let actual = self.actual.as_ref()?;
        let planned: Vec<FiscalYear> = self.years.iter().copied().filter(|&y| y <= until).collect();
        let done: Vec<FiscalYear> = actual
            .years
            .iter()
            .copied()
            .filter(|&y| y <= until)
            .collect();
        Some(progress_of(&planned, &done))
    }
}

/// [`RoadmapRow::progress`] on the planned and done years (ascending).
fn progress_of(planned: &[FiscalYear], done: &[FiscalYear]) -> StepOutcome {
    match (planned.first(), done.first()) {
        (None, None) => StepOutcome::NotYetDue,
        (Some(_), None) => StepOutcome::NotDone,
        (None, Some(_)) => StepOutcome::Early,
        _ if planned == done => StepOutcome::AsPlanned,
        (Some(&p0), Some(&d0)) => {
            let (Some(&p1), Some(&d1)) = (planned.last(), done.last()) else {
                return StepOutcome::Different;
            };
            if done.iter().all(|y| planned.contains(y)) {
                // Started later than planned, else some planned years missed.
                return if d0 > p0 {
                    StepOutcome::Late
                } else {
                    StepOutcome::Partly
                };
            }
            let late = d1 > p1 || d0 > p0;
            let early = d0 < p0;
            match (late, early) {
                (true, false) => StepOutcome::Late,
                (false, true) => StepOutcome::Early,
                _ => StepOutcome::Different,
            }
        }
    }
}

impl Site {
    /// When a project's facts last changed: its own `updated`, else the edition's date
    /// (`[editions.<code>] published`, else config.toml's `updated`). Never the build time.
    pub fn project_date<'a>(&'a self, project: &'a Project) -> &'a str {
        project.updated.as_deref().unwrap_or(&self.config.updated)
    }

    /// When any fact of the edition last changed: the latest of its date and its projects'.
    pub fn latest_date(&self) -> &str {
        self.projects
            .iter()
            .map(|p| self.project_date(p))
            .fold(self.config.updated.as_str(), |a, b| a.max(b))
    }

    /// Puts projects in display order: by field and category order, then by department and section
    /// order, then by name and slug. Stable whatever order the files were read in.
    pub fn sort_projects(&mut self) {
        self.projects.sort_by(|a, b| {
            let key = |p: &Project| {
                (
                    p.category,
                    p.departments.first().copied(),
                    p.sections.first().copied(),
                )
            };
            key(a)
                .cmp(&key(b))
                .then_with(|| a.name.cmp(&b.name))
                .then_with(|| a.slug.cmp(&b.slug))
        });
    }

    /// The exact sum of every project's budget.
    pub fn total_budget(&self) -> Result<Budget, BudgetOverflow> {
        Budget::total(self.projects.iter().map(|p| p.budget))
    }

    /// How many roadmap rows there are, and how many of them have inferred years.
    pub fn row_counts(&self) -> RowCounts {
        let mut counts = RowCounts::default();
        for project in &self.projects {
            let mut inferred = 0;
            for row in project.rows() {
                counts.rows += 1;
                inferred += usize::from(row.basis.is_inferred());
                counts.outside_period += usize::from(project.has_years_outside(row));
            }
            counts.inferred += inferred;
            counts.projects_with_inferred += usize::from(inferred > 0);
        }
        counts
    }
}

/// Counts of roadmap rows, for the data page and `check`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct RowCounts {
    pub rows: usize,
    pub inferred: usize,
    pub projects_with_inferred: usize,
    /// Rows with a year before 事業始期 or after 事業終期.
    pub outside_period: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn years(list: &[u16]) -> Vec<FiscalYear> {
        list.iter().map(|&n| FiscalYear::reiwa(n)).collect()
    }

    #[test]
    fn a_step_against_its_plan_in_words() {
        let outcome = |p: &[u16], d: &[u16]| progress_of(&years(p), &years(d));
        assert_eq!(outcome(&[6, 7], &[6, 7]), StepOutcome::AsPlanned);
        assert_eq!(outcome(&[6, 7], &[7, 8]), StepOutcome::Late);
        assert_eq!(outcome(&[7, 8], &[8]), StepOutcome::Late);
        assert_eq!(outcome(&[7, 8], &[6, 7]), StepOutcome::Early);
        assert_eq!(outcome(&[6, 7, 8], &[6, 8]), StepOutcome::Partly);
        assert_eq!(outcome(&[7], &[6, 8]), StepOutcome::Different);
        assert_eq!(outcome(&[6, 7], &[]), StepOutcome::NotDone);
        assert_eq!(outcome(&[], &[]), StepOutcome::NotYetDue);
        assert_eq!(outcome(&[], &[6]), StepOutcome::Early);
    }
}
