//! Progress reports: one learner's, to share, and a team's, to see where people get stuck.
//!
//! A learner runs `cargo grade report --json > me.json` and sends the file; a facilitator runs
//! `cargo grade team *.json`. Reports carry only what the progress file holds: no code.
//!
//! The team view gives every learner a state on every step ([`TeamState`]). "Stuck" is the one
//! that needs the group: a learner who checked a step and has not passed it is stuck when
//! their checks, time or hints are above what the learners who passed it needed (the median,
//! [`Need`]), or, while no one has passed it, after more than [`CHECKS_WITHOUT_PEERS`] checks.
//! Reports written before a field existed still read: every field added since has a default.

use serde::{Deserialize, Serialize};

use crate::progress::{self, StepFacts, StepState};
use crate::session::Session;

/// While no one in the group has passed a step, a learner working on it is stuck after more
/// checks than this. Five: the starter fails once, and a few tries after that are normal work.
pub const CHECKS_WITHOUT_PEERS: u32 = 5;

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
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepReport {
    /// The step's ID.
    pub id: String,
    /// E.g. `1.3`.
    pub label: String,
    /// The step's title.
    pub title: String,
    /// Whether it passed.
    pub done: bool,
    /// How many checks before it passed.
    pub attempts: u32,
    /// Seconds from first opening to passing.
    pub seconds_to_pass: Option<u64>,
    /// Seconds from first opening to the pass, or to the last check before it: how long the
    /// learner worked on it so far. (Reports before this field: `None`.)
    #[serde(default)]
    pub seconds_worked: Option<u64>,
    /// Hint levels shown before it passed.
    pub hints_used: u32,
    /// Hint levels shown after it passed, to review; not counted as help needed.
    #[serde(default)]
    pub hints_after_pass: u32,
    /// Whether the solution was shown before passing.
    pub solution_peeked: bool,
    /// Whether the learner opened it (moved to it, or checked it).
    #[serde(default)]
    pub opened: bool,
    /// The last verdict, e.g. "test `x` failed".
    pub last_verdict: Option<String>,
    /// Whether the step is in an optional part: the course is finished without it. (Reports
    /// before this field: `false`.)
    #[serde(default)]
    pub optional: bool,
}

impl StepReport {
    /// Seconds worked on the step, also from reports written before `seconds_worked` existed.
    fn seconds(&self) -> Option<u64> {
        self.seconds_worked.or(self.seconds_to_pass)
    }
}

impl LearnerReport {
    /// The state of each step, in the report's order.
    pub fn states(&self) -> Vec<StepState> {
        let facts: Vec<StepFacts> = self
            .steps
            .iter()
            .map(|step| StepFacts {
                passed: step.done,
                worked_on: step.attempts > 0 || step.hints_used > 0,
                reached: step.opened || self.current.as_deref() == Some(step.id.as_str()),
            })
            .collect();
        progress::states(&facts)
    }
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
                seconds_worked: entry.time_worked(),
                hints_used: entry.hints_used,
                hints_after_pass: entry.hints_after_pass,
                solution_peeked: entry.solution_peeked,
                opened: entry.first_opened.is_some(),
                last_verdict: entry.last_verdict.clone(),
                optional: step.optional,
            }
        })
        .collect();
    LearnerReport {
        learner,
        current: session.current().map(|step| step.id.clone()),
        steps,
    }
}

/// Where one learner stands on one step, in the team view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TeamState {
    /// Passed.
    Done,
    /// Checked (or a hint opened), not passed, within what the group needed.
    Working,
    /// Checked, not passed, and above what the group needed (see the module docs).
    Stuck,
    /// Not worked on, while the learner went on to a later step.
    Skipped,
    /// Not worked on, and nothing after it either.
    NotStarted,
}

impl TeamState {
    /// The state in a word or two, for tables and legends.
    pub fn as_str(self) -> &'static str {
        match self {
            TeamState::Done => "done",
            TeamState::Working => "working",
            TeamState::Stuck => "stuck",
            TeamState::Skipped => "skipped",
            TeamState::NotStarted => "not started",
        }
    }
}

/// What the learners who passed a step needed: the medians of their checks, time and hints.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Need {
    /// Checks to pass.
    pub attempts: Option<u32>,
    /// Seconds to pass, over the learners whose time is known ([`TeamStep::timed`]).
    pub seconds: Option<u64>,
    /// Hint levels opened before passing.
    pub hints: Option<u32>,
}

impl Need {
    /// Whether a learner who worked on the step without passing is above this need.
    fn exceeded_by(&self, step: &StepReport) -> bool {
        let Some(attempts) = self.attempts else {
            return step.attempts > CHECKS_WITHOUT_PEERS;
        };
        step.attempts > attempts
            || self
                .seconds
                .zip(step.seconds())
                .is_some_and(|(need, spent)| spent > need)
            || self.hints.is_some_and(|need| step.hints_used > need)
    }
}

/// One learner on one step, in the team view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cell {
    /// The learner's name.
    pub learner: String,
    /// Their state on the step.
    pub state: TeamState,
    /// Checks before passing.
    pub attempts: u32,
    /// Seconds worked on it, when known.
    pub seconds: Option<u64>,
    /// Hint levels opened before passing.
    pub hints: u32,
    /// The last verdict, e.g. "test `x` failed".
    pub last_verdict: Option<String>,
}

/// One step in the team view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TeamStep {
    /// E.g. `1.3`.
    pub label: String,
    /// The step's title.
    pub title: String,
    /// What the learners who passed it needed.
    pub need: Need,
    /// How many learners the median time comes from: those who passed it with a known time.
    pub timed: usize,
    /// Hint levels opened before passing, summed over learners (not those opened to review).
    pub hints: u32,
    /// Every learner on this step, in the order of the reports.
    pub cells: Vec<Cell>,
}

impl TeamStep {
    /// How many learners are in `state` on this step.
    pub fn count(&self, state: TeamState) -> usize {
        self.cells.iter().filter(|cell| cell.state == state).count()
    }

    /// The share of the group stuck here, from 0 to 1.
    pub fn stuck_share(&self) -> f64 {
        if self.cells.is_empty() {
            return 0.0;
        }
        // Counts of learners are small: the conversions are exact.
        #[allow(clippy::cast_precision_loss)]
        let share = self.count(TeamState::Stuck) as f64 / self.cells.len() as f64;
        share
    }
}

/// Where one learner stands in the whole course.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LearnerSummary {
    /// The learner's name.
    pub learner: String,
    /// Steps passed.
    pub done: usize,
    /// Steps skipped.
    pub skipped: usize,
    /// In a few words: "stuck on 3.2", "working on 3.2", "finished what they took on",
    /// "not started".
    pub standing: String,
}

/// The team view: the steps with everyone's state on them, and a line per learner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TeamView {
    /// The steps, in the order of the first report.
    pub steps: Vec<TeamStep>,
    /// One summary per learner, in the order of the reports.
    pub learners: Vec<LearnerSummary>,
}

/// Combines learners' reports, step by step, in the order of the first report. A learner's
/// report without a step (another version of the course) counts as not started there.
pub fn team_view(reports: &[LearnerReport]) -> TeamView {
    let Some(first) = reports.first() else {
        return TeamView {
            steps: Vec::new(),
            learners: Vec::new(),
        };
    };
    let states: Vec<Vec<StepState>> = reports.iter().map(LearnerReport::states).collect();
    let missing = StepReport::default();
    let steps: Vec<TeamStep> = first
        .steps
        .iter()
        .map(|step| {
            // Per learner: their record of this step and its state alone.
            let entries: Vec<(&StepReport, StepState)> = reports
                .iter()
                .zip(&states)
                .map(|(report, states)| {
                    report
                        .steps
                        .iter()
                        .position(|s| s.id == step.id)
                        .and_then(|i| Some((report.steps.get(i)?, *states.get(i)?)))
                        .unwrap_or((&missing, StepState::NotStarted))
                })
                .collect();
            let passed: Vec<&StepReport> = entries
                .iter()
                .filter(|(_, state)| *state == StepState::Done)
                .map(|(entry, _)| *entry)
                .collect();
            let times: Vec<u64> = passed.iter().filter_map(|e| e.seconds()).collect();
            let need = Need {
                attempts: median(passed.iter().map(|e| e.attempts).collect()),
                seconds: median(times.clone()),
                hints: median(passed.iter().map(|e| e.hints_used).collect()),
            };
            let cells = reports
                .iter()
                .zip(&entries)
                .map(|(report, (entry, state))| Cell {
                    learner: report.learner.clone(),
                    state: match state {
                        StepState::Done => TeamState::Done,
                        StepState::Working if need.exceeded_by(entry) => TeamState::Stuck,
                        StepState::Working => TeamState::Working,
                        StepState::Skipped => TeamState::Skipped,
                        StepState::NotStarted => TeamState::NotStarted,
                    },
                    attempts: entry.attempts,
                    seconds: entry.seconds(),
                    hints: entry.hints_used,
                    last_verdict: entry.last_verdict.clone(),
                })
                .collect();
            TeamStep {
                label: step.label.clone(),
                title: step.title.clone(),
                need,
                timed: times.len(),
                // Saturating: a report is input, and two of `u32::MAX` must not overflow.
                hints: entries
                    .iter()
                    .fold(0u32, |sum, (e, _)| sum.saturating_add(e.hints_used)),
                cells,
            }
        })
        .collect();
    let learners = reports
        .iter()
        .enumerate()
        .map(|(index, report)| summary(report, &steps, index))
        .collect();
    TeamView { steps, learners }
}

/// Where the learner at `index` of the reports stands, from their cells in `steps`.
fn summary(report: &LearnerReport, steps: &[TeamStep], index: usize) -> LearnerSummary {
    let cells: Vec<(&TeamStep, &Cell)> = steps
        .iter()
        .filter_map(|step| Some((step, step.cells.get(index)?)))
        .collect();
    let count = |state| cells.iter().filter(|(_, c)| c.state == state).count();
    let first_in = |state| {
        cells
            .iter()
            .find(|(_, c)| c.state == state)
            .map(|(step, _)| step.label.as_str())
    };
    let standing = if let Some(label) = first_in(TeamState::Stuck) {
        format!("stuck on {label}")
    } else if let Some(label) = first_in(TeamState::Working) {
        format!("working on {label}")
    } else if count(TeamState::Done) == 0 {
        "not started".to_string()
    } else {
        "finished what they took on".to_string()
    };
    LearnerSummary {
        learner: report.learner.clone(),
        done: count(TeamState::Done),
        skipped: count(TeamState::Skipped),
        standing,
    }
}

/// The median, rounding down between the two middle values.
fn median<T: Ord + Copy>(mut values: Vec<T>) -> Option<T> {
    values.sort_unstable();
    values.get(values.len().checked_sub(1)? / 2).copied()
}

/// Reports in every state, for the tests of the team view and its page.
#[cfg(test)]
pub(crate) mod fixtures {
    use super::*;

    pub(crate) const STEPS: [&str; 7] = ["0.1", "1.1", "2.1", "3.1", "4.1", "5.1", "5.2"];

    /// A step passed after `attempts` checks and `minutes` minutes.
    pub(crate) fn passed(id: &str, attempts: u32, minutes: u64) -> StepReport {
        StepReport {
            id: id.into(),
            label: id.into(),
            title: format!("Step {id}"),
            done: true,
            attempts,
            seconds_to_pass: Some(60 * minutes),
            seconds_worked: Some(60 * minutes),
            opened: true,
            last_verdict: Some("passed".into()),
            ..StepReport::default()
        }
    }

    /// A step checked `attempts` times over `minutes` minutes, not passed.
    pub(crate) fn failing(id: &str, attempts: u32, minutes: u64) -> StepReport {
        StepReport {
            done: false,
            seconds_to_pass: None,
            last_verdict: Some("test `x` failed".into()),
            ..passed(id, attempts, minutes)
        }
    }

    /// A step only opened (moved to), or not even that.
    pub(crate) fn untouched(id: &str, opened: bool) -> StepReport {
        StepReport {
            opened,
            ..failing(id, 0, 0)
        }
    }

    /// A report over [`STEPS`]: the given steps, the others untouched.
    pub(crate) fn learner(name: &str, current: &str, steps: Vec<StepReport>) -> LearnerReport {
        let steps = STEPS
            .iter()
            .map(|id| {
                steps
                    .iter()
                    .find(|s| s.id == *id)
                    .cloned()
                    .unwrap_or_else(|| untouched(id, false))
            })
            .collect();
        LearnerReport {
            learner: name.into(),
            current: Some(current.into()),
            steps,
        }
    }

    /// The three learners of the issue: none of them is stuck.
    pub(crate) fn three_learners() -> Vec<LearnerReport> {
        vec![
            // Parts 0-2 done; moved on to 3.1 and not checked it yet.
            learner(
                "learner-a",
                "3.1",
                vec![
                    passed("0.1", 2, 5),
                    passed("1.1", 3, 20),
                    passed("2.1", 2, 10),
                    untouched("3.1", true),
                ],
            ),
            // Went to Part 5 with `goto`, finished it; the current step fell back to 0.1.
            learner(
                "learner-b",
                "0.1",
                vec![passed("5.1", 2, 30), passed("5.2", 4, 40)],
            ),
            // Parts 3-4 done, then stopped; 5.1 opened by moving on.
            learner(
                "learner-c",
                "5.1",
                vec![
                    passed("3.1", 2, 15),
                    passed("4.1", 3, 25),
                    untouched("5.1", true),
                ],
            ),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::fixtures::*;
    use super::*;

    fn states_of(view: &TeamView, learner: usize) -> Vec<TeamState> {
        view.steps.iter().map(|s| s.cells[learner].state).collect()
    }

    #[test]
    fn the_three_learners_of_the_issue_are_not_stuck() {
        use TeamState::{Done, NotStarted, Skipped};
        let view = team_view(&three_learners());
        assert!(view.steps.iter().all(|s| s.count(TeamState::Stuck) == 0));
        assert!(view.steps.iter().all(|s| s.count(TeamState::Working) == 0));
        assert_eq!(
            states_of(&view, 0),
            [
                Done, Done, Done, NotStarted, NotStarted, NotStarted, NotStarted
            ]
        );
        assert_eq!(
            states_of(&view, 1),
            [Skipped, Skipped, Skipped, Skipped, Skipped, Done, Done]
        );
        assert_eq!(
            states_of(&view, 2),
            [
                Skipped, Skipped, Skipped, Done, Done, NotStarted, NotStarted
            ]
        );
        let standings: Vec<(&str, usize, usize, &str)> = view
            .learners
            .iter()
            .map(|l| (l.learner.as_str(), l.done, l.skipped, l.standing.as_str()))
            .collect();
        assert_eq!(
            standings,
            [
                ("learner-a", 3, 0, "finished what they took on"),
                ("learner-b", 2, 5, "finished what they took on"),
                ("learner-c", 2, 3, "finished what they took on"),
            ]
        );
    }

    #[test]
    fn stuck_means_above_what_the_group_needed() {
        let mut reports = three_learners();
        // 3.1: learner-c passed it with 2 checks, 15 minutes, no hints.
        reports.push(learner("many-checks", "3.1", vec![failing("3.1", 3, 10)]));
        reports.push(learner("long-time", "3.1", vec![failing("3.1", 2, 16)]));
        let mut hints = failing("3.1", 1, 5);
        hints.hints_used = 1;
        reports.push(learner("many-hints", "3.1", vec![hints]));
        reports.push(learner("on-track", "3.1", vec![failing("3.1", 2, 15)]));
        let view = team_view(&reports);
        let step = &view.steps[3];
        assert_eq!(
            step.need,
            Need {
                attempts: Some(2),
                seconds: Some(15 * 60),
                hints: Some(0)
            }
        );
        let states: Vec<(&str, TeamState)> = step
            .cells
            .iter()
            .map(|c| (c.learner.as_str(), c.state))
            .collect();
        assert_eq!(
            states[3..],
            [
                ("many-checks", TeamState::Stuck),
                ("long-time", TeamState::Stuck),
                ("many-hints", TeamState::Stuck),
                ("on-track", TeamState::Working),
            ]
        );
        assert_eq!(view.learners[3].standing, "stuck on 3.1");
        assert_eq!(view.learners[6].standing, "working on 3.1");
        assert!((step.stuck_share() - 3.0 / 7.0).abs() < 1e-9);
    }

    #[test]
    fn while_no_one_has_passed_a_step_many_checks_are_stuck() {
        let reports = vec![
            learner(
                "five",
                "0.1",
                vec![failing("0.1", CHECKS_WITHOUT_PEERS, 50)],
            ),
            learner(
                "six",
                "0.1",
                vec![failing("0.1", CHECKS_WITHOUT_PEERS + 1, 1)],
            ),
        ];
        let view = team_view(&reports);
        assert_eq!(view.steps[0].need, Need::default());
        assert_eq!(
            states_of(&view, 0)[0],
            TeamState::Working,
            "no one to compare the time with"
        );
        assert_eq!(states_of(&view, 1)[0], TeamState::Stuck);
    }

    #[test]
    fn hints_opened_after_passing_are_not_counted() {
        let mut review = passed("0.1", 2, 5);
        review.hints_after_pass = 3;
        let mut needed = passed("0.1", 2, 5);
        needed.hints_used = 1;
        let view = team_view(&[
            learner("reviewer", "1.1", vec![review]),
            learner("helped", "1.1", vec![needed]),
        ]);
        assert_eq!(view.steps[0].hints, 1);
        assert_eq!(view.steps[0].cells[0].hints, 0);
    }

    #[test]
    fn huge_counts_in_reports_do_not_overflow() {
        let mut huge = failing("0.1", u32::MAX, u64::MAX / 60);
        huge.hints_used = u32::MAX;
        let view = team_view(&[
            learner("a", "0.1", vec![huge.clone()]),
            learner("b", "0.1", vec![huge]),
        ]);
        assert_eq!(view.steps[0].hints, u32::MAX);
        assert_eq!(view.steps[0].count(TeamState::Stuck), 2);
        let page = crate::team_page::html(&view);
        assert!(page.contains("Most stuck: step 0.1."));
        assert!(crate::render::team(&view).contains("stuck →"));
    }

    #[test]
    fn the_median_time_comes_from_those_who_passed_the_step() {
        let view = team_view(&three_learners());
        // 3.1: learner-c passed it; learner-a only opened it, learner-b skipped it.
        assert_eq!(view.steps[3].timed, 1);
        assert_eq!(view.steps[3].need.seconds, Some(15 * 60));
        // 0.1: learner-a alone.
        assert_eq!(view.steps[0].timed, 1);
        assert_eq!(view.steps[0].need.seconds, Some(5 * 60));
    }

    #[test]
    fn reports_written_before_the_new_fields_still_read() {
        let old = r#"{"learner": "ana", "current": "b", "steps": [
            {"id": "a", "label": "1.1", "title": "A", "done": true, "attempts": 2,
             "seconds_to_pass": 120, "hints_used": 1, "solution_peeked": false,
             "last_verdict": "passed"},
            {"id": "b", "label": "1.2", "title": "B", "done": false, "attempts": 0,
             "seconds_to_pass": null, "hints_used": 0, "solution_peeked": false,
             "last_verdict": null},
            {"id": "c", "label": "1.3", "title": "C", "done": false, "attempts": 0,
             "seconds_to_pass": null, "hints_used": 0, "solution_peeked": false,
             "last_verdict": null}]}"#;
        let report: LearnerReport = serde_json::from_str(old).unwrap();
        assert_eq!(
            report.states(),
            [
                StepState::Done,
                StepState::NotStarted,
                StepState::NotStarted
            ]
        );
        let view = team_view(&[report]);
        assert_eq!(view.steps[0].need.seconds, Some(120));
        assert_eq!(view.learners[0].standing, "finished what they took on");
    }

    #[test]
    fn the_team_text_names_no_one_stuck_and_says_how_stuck_is_decided() {
        let text = crate::render::team(&team_view(&three_learners()));
        assert!(!text.contains("stuck →"), "{text}");
        assert!(
            text.contains("learner-b  2 done, 5 skipped · finished what they took on"),
            "{text}"
        );
        assert!(text.contains("stuck: checked and not passed, with more checks, time or hints"));
        assert!(text.contains("(while no one has passed the step: more than 5 checks)"));
        // 3.1: one done (learner-c, 2 checks, 15 min), no one working or stuck, one skipped.
        assert!(
            text.contains("3.1       1        0      0        1       2  15 min (1)"),
            "{text}"
        );
    }

    #[test]
    fn medians() {
        assert_eq!(median::<u32>(vec![]), None);
        assert_eq!(median(vec![3, 1, 2]), Some(2));
        assert_eq!(median(vec![4, 1, 3, 2]), Some(2));
    }
}
