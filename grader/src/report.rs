//! Progress reports: one learner's, to share, and a team's, to see where people get stuck.
//!
//! A learner runs `cargo grade report --json > me.json` and sends the file; a facilitator runs
//! `cargo grade team *.json`. Reports carry only what the progress file holds: no code.

use serde::{Deserialize, Serialize};

use crate::session::Session;

/// One learner's progress, as shared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LearnerReport {
    /// A name for the team view: `--name`, else git's `user.name`, else "a learner".
    pub learner: String,
    /// The step the learner is on, if any.
    pub current: Option<String>,
    /// Every step of the course, in order.
    pub steps: Vec<StepReport>,
}

/// One step of a learner's report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepReport {
    /// The step's ID.
    pub id: String,
    /// E.g. `1.3`.
    pub label: String,
    /// The step's title.
    pub title: String,
    /// Whether it passed.
    pub done: bool,
    /// How many checks.
    pub attempts: u32,
    /// Seconds from first opening to passing.
    pub seconds_to_pass: Option<u64>,
    /// Hint levels shown.
    pub hints_used: u32,
    /// Whether the solution was shown before passing.
    pub solution_peeked: bool,
    /// The last verdict, e.g. "test `x` failed".
    pub last_verdict: Option<String>,
}

/// Builds the report of the learner in `session`.
pub fn learner_report(session: &Session, learner: String) -> LearnerReport {
    let steps = session
        .course
        .steps()
        .map(|step| {
            let entry = session.progress.step(&step.id).cloned().unwrap_or_default();
            StepReport {
                id: step.id.clone(),
                label: step.label(),
                title: step.manifest.title.clone(),
                done: entry.passed(),
                attempts: entry.attempts,
                seconds_to_pass: entry.time_to_pass(),
                hints_used: entry.hints_used,
                solution_peeked: entry.solution_peeked,
                last_verdict: entry.last_verdict.clone(),
            }
        })
        .collect();
    LearnerReport {
        learner,
        current: session.current().map(|step| step.id.clone()),
        steps,
    }
}

/// One step in the team view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TeamStep {
    /// E.g. `1.3`.
    pub label: String,
    /// The step's title.
    pub title: String,
    /// How many learners passed it.
    pub done: usize,
    /// The median number of checks among those who passed.
    pub median_attempts: Option<u32>,
    /// The median time to pass, in seconds.
    pub median_seconds: Option<u64>,
    /// Hint levels shown, summed over learners.
    pub hints: u32,
    /// Learners whose current step this is, with their last verdict.
    pub stuck_here: Vec<(String, String)>,
}

/// Combines learners' reports, step by step, in the order of the first report.
pub fn team_view(reports: &[LearnerReport]) -> Vec<TeamStep> {
    let Some(first) = reports.first() else {
        return Vec::new();
    };
    first
        .steps
        .iter()
        .map(|step| {
            let entries: Vec<(&LearnerReport, &StepReport)> = reports
                .iter()
                .filter_map(|report| {
                    let entry = report.steps.iter().find(|s| s.id == step.id)?;
                    Some((report, entry))
                })
                .collect();
            let passed: Vec<&StepReport> =
                entries.iter().map(|(_, e)| *e).filter(|e| e.done).collect();
            TeamStep {
                label: step.label.clone(),
                title: step.title.clone(),
                done: passed.len(),
                median_attempts: median(passed.iter().map(|e| e.attempts).collect()),
                median_seconds: median(passed.iter().filter_map(|e| e.seconds_to_pass).collect()),
                hints: entries.iter().map(|(_, e)| e.hints_used).sum(),
                stuck_here: entries
                    .iter()
                    .filter(|(report, _)| report.current.as_deref() == Some(step.id.as_str()))
                    .map(|(report, entry)| {
                        let verdict = entry
                            .last_verdict
                            .clone()
                            .unwrap_or_else(|| "not checked yet".into());
                        (report.learner.clone(), verdict)
                    })
                    .collect(),
            }
        })
        .collect()
}

/// The median, rounding down between the two middle values.
fn median<T: Ord + Copy>(mut values: Vec<T>) -> Option<T> {
    values.sort_unstable();
    values.get(values.len().checked_sub(1)? / 2).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(id: &str, done: bool, attempts: u32, verdict: &str) -> StepReport {
        StepReport {
            id: id.into(),
            label: id.into(),
            title: id.into(),
            done,
            attempts,
            seconds_to_pass: done.then_some(60 * u64::from(attempts)),
            hints_used: 1,
            solution_peeked: false,
            last_verdict: Some(verdict.into()),
        }
    }

    #[test]
    fn the_team_view_shows_who_is_stuck_where() {
        let ana = LearnerReport {
            learner: "ana".into(),
            current: Some("b".into()),
            steps: vec![
                step("a", true, 2, "passed"),
                step("b", false, 5, "test `x` failed"),
            ],
        };
        let bo = LearnerReport {
            learner: "bo".into(),
            current: None,
            steps: vec![step("a", true, 4, "passed"), step("b", true, 1, "passed")],
        };
        let view = team_view(&[ana, bo]);
        assert_eq!(view[0].done, 2);
        assert_eq!(view[0].median_attempts, Some(2));
        assert_eq!(view[0].hints, 2);
        assert!(view[0].stuck_here.is_empty());
        assert_eq!(view[1].done, 1);
        assert_eq!(
            view[1].stuck_here,
            vec![("ana".to_string(), "test `x` failed".to_string())]
        );
    }

    #[test]
    fn medians() {
        assert_eq!(median::<u32>(vec![]), None);
        assert_eq!(median(vec![3, 1, 2]), Some(2));
        assert_eq!(median(vec![4, 1, 3, 2]), Some(2));
    }
}
