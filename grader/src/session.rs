//! A learner's session: the course, their progress, and the actions that change it.
//!
//! Every method records what happened in the progress file before returning, so a command
//! that is interrupted later (Ctrl-C in `watch`) has lost nothing. Each record is a
//! read-modify-write of the file under its lock ([`ProgressFile::update`]), so a session open
//! for a long time (`watch`) never undoes what another terminal recorded meanwhile.

use std::path::{Path, PathBuf};

use crate::cargo::Cargo;
use crate::check::{self, CheckReport};
use crate::course::{Course, Step};
use crate::error::{Error, Result};
use crate::fsutil;
use crate::pristine::Pristine;
use crate::progress::{Progress, ProgressFile, StepState};
use crate::testrun::Runner;

/// The course and one learner's progress through it.
#[derive(Debug)]
pub struct Session {
    /// The course.
    pub course: Course,
    /// The learner's progress.
    pub progress: Progress,
    file: ProgressFile,
    /// How to run cargo.
    pub cargo: Cargo,
    /// Which test runner to use.
    pub runner: Runner,
}

/// A hint, as shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hint {
    /// 1-based level.
    pub level: usize,
    /// How many levels the step has.
    pub total: usize,
    /// The hint.
    pub text: String,
}

/// Where a learner goes after a step passed.
#[derive(Debug, Clone)]
pub enum Progression {
    /// The next step not yet passed.
    Next(Step),
    /// No step after this one is left to do, but earlier ones are not done.
    EarlierStepsLeft {
        /// The first step not done.
        first: Step,
        /// How many steps are not done.
        not_done: usize,
        /// How many of those the learner skipped (went past without working on them).
        skipped: usize,
    },
    /// Every step of the course has passed.
    Finished,
}

/// What to suggest after a check that passed and did not move the learner on.
#[derive(Debug, Clone)]
pub enum MoveOn {
    /// The next step is the one the learner is on already: `cargo grade` checks it.
    AlreadyThere(Step),
    /// `cargo grade goto` this step moves on.
    Goto(Step),
}

/// Where a position in the course stands, for the progress line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    /// The part's number.
    pub part: u32,
    /// The step's position within the part, 1-based.
    pub step_in_part: usize,
    /// How many steps the part has.
    pub steps_in_part: usize,
    /// Steps passed in the whole course.
    pub done: usize,
    /// Steps not done that the learner went past without working on them.
    pub skipped: usize,
    /// Steps in the whole course.
    pub total: usize,
}

impl Session {
    /// Opens the course at `root` and the learner's progress.
    ///
    /// # Errors
    ///
    /// The first problem of the course, or a progress file that can neither be read nor moved
    /// aside.
    pub fn open(root: &Path, color: bool) -> Result<Session> {
        let course = Course::discover(root).into_valid()?;
        let mut file = ProgressFile::new(root);
        let progress = file.load()?;
        Ok(Session {
            cargo: Cargo {
                root: course.root.clone(),
                color,
            },
            course,
            progress,
            file,
            runner: Runner::detect(),
        })
    }

    /// A notice about the progress file, when it had to be started afresh.
    pub fn notice(&self) -> Option<&str> {
        self.file.notice.as_deref()
    }

    /// Changes the progress: reads the file as it is now, applies `change`, writes it back, all
    /// under the file's lock, and keeps the result as [`Session::progress`].
    ///
    /// # Errors
    ///
    /// An I/O error naming the file.
    pub fn update<T>(&mut self, change: impl FnOnce(&mut Progress) -> T) -> Result<T> {
        let (progress, value) = self.file.update(change)?;
        self.progress = progress;
        Ok(value)
    }

    /// Reads the progress again, to see what another terminal recorded (`watch` does before
    /// each check).
    ///
    /// # Errors
    ///
    /// A progress file that can neither be read nor moved aside.
    pub fn reload(&mut self) -> Result<()> {
        self.progress = self.file.load()?;
        Ok(())
    }

    /// The state of every step, in course order.
    pub fn states(&self) -> Vec<(&Step, StepState)> {
        let steps: Vec<&Step> = self.course.steps().collect();
        let states = self
            .progress
            .states(steps.iter().map(|step| step.id.as_str()));
        steps.into_iter().zip(states).collect()
    }

    /// The current step: the one the learner moved to, else the first not yet passed. `None`
    /// when every step has passed.
    pub fn current(&self) -> Option<&Step> {
        if let Some(step) = self
            .progress
            .current
            .as_deref()
            .and_then(|id| self.course.step(id))
        {
            return Some(step);
        }
        self.course
            .steps()
            .find(|step| !step.optional && !self.progress.passed(&step.id))
    }

    /// The step a command names, or the current one.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownStep`] for a name that matches nothing, and [`Error::NoCurrentStep`]
    /// when no name is given and every step has passed.
    pub fn resolve(&self, query: Option<&str>) -> Result<Step> {
        match query {
            Some(query) => self.course.find_step(query).cloned(),
            None => self.current().cloned().ok_or(Error::NoCurrentStep),
        }
    }

    /// Where `step` stands in the course.
    pub fn standing(&self, step: &Step) -> Standing {
        let part = self
            .course
            .parts
            .iter()
            .find(|part| part.number == step.part);
        let steps_in_part = part.map_or(0, |part| part.steps.len());
        let step_in_part = part
            .and_then(|part| part.steps.iter().position(|s| s.id == step.id))
            .map_or(0, |index| index + 1);
        Standing {
            part: step.part,
            step_in_part,
            steps_in_part,
            done: self.count(StepState::Done),
            skipped: self.count(StepState::Skipped),
            total: self.course.steps().filter(|step| !step.optional).count(),
        }
    }

    /// How many steps of the required parts are in `state`.
    fn count(&self, state: StepState) -> usize {
        self.states()
            .iter()
            .filter(|(step, s)| !step.optional && *s == state)
            .count()
    }

    /// Checks a step and records the attempt, the verdict and a pass. A check of a step that
    /// has already passed is a review, and one of the starter as shipped a first look: neither
    /// counts an attempt.
    ///
    /// # Errors
    ///
    /// When cargo cannot run, or the progress cannot be saved.
    pub fn check(&mut self, step: &Step) -> Result<CheckReport> {
        let lock = Pristine::load(&self.course.root)?;
        let untouched = lock
            .as_ref()
            .is_some_and(|lock| lock.is_untouched_starter(&self.course.root, step));
        let report = check::check_step(&self.cargo, self.runner, step, lock.as_ref())?;
        let verdict = if report.edited_tests.is_empty() {
            report.verdict.summary()
        } else {
            "tests edited".to_string()
        };
        let passed = report.counts_as_pass();
        self.update(|progress| {
            let entry = progress.step_mut(&step.id);
            if untouched && !passed {
                entry.record_starter_check(fsutil::now(), verdict);
            } else {
                entry.record_check(fsutil::now(), verdict, passed);
            }
        })?;
        Ok(report)
    }

    /// Moves the current position to `step` and marks it opened.
    ///
    /// # Errors
    ///
    /// When the progress cannot be saved.
    pub fn goto(&mut self, step: &Step) -> Result<()> {
        self.update(|progress| {
            progress.current = Some(step.id.clone());
            progress.step_mut(&step.id).open(fsutil::now());
        })
    }

    /// Where the learner goes after `step` passed, without moving: the first step after it
    /// not yet passed; else, when steps before it are not done, the first of those; else the
    /// end of the course.
    pub fn next_after(&self, step: &Step) -> Progression {
        let steps: Vec<&Step> = self.course.steps().collect();
        let after = steps
            .iter()
            .position(|s| s.id == step.id)
            .map_or(0, |i| i + 1);
        let not_done = |s: &&&Step| s.id != step.id && !self.progress.passed(&s.id);
        // An optional part is entered on purpose (`goto`), never by moving on from a required
        // step; once in it, the learner moves on through it.
        let leads_to = |s: &&&Step| not_done(s) && (!s.optional || step.optional);
        if let Some(next) = steps
            .get(after..)
            .and_then(|rest| rest.iter().find(leads_to))
        {
            return Progression::Next((*next).clone());
        }
        let not_done = |s: &&&Step| not_done(s) && !s.optional;
        let Some(first) = steps.iter().find(not_done) else {
            return Progression::Finished;
        };
        let states = self.states();
        let count = |wanted: &dyn Fn(StepState) -> bool| {
            states
                .iter()
                .filter(|(s, state)| s.id != step.id && !s.optional && wanted(*state))
                .count()
        };
        Progression::EarlierStepsLeft {
            first: (*first).clone(),
            not_done: count(&|state| state != StepState::Done),
            skipped: count(&|state| state == StepState::Skipped),
        }
    }

    /// What to suggest after `step` passed a check that does not move the learner on
    /// (`cargo grade check X`): nothing when no step is left after it; the step the learner
    /// is already on, so as not to suggest `goto` to it; else `goto` the next one.
    pub fn move_on_suggestion(&self, step: &Step) -> Option<MoveOn> {
        let Progression::Next(next) = self.next_after(step) else {
            return None;
        };
        Some(if self.is_current(&next) {
            MoveOn::AlreadyThere(next)
        } else {
            MoveOn::Goto(next)
        })
    }

    /// Whether `step` is the step the learner is on.
    pub fn is_current(&self, step: &Step) -> bool {
        self.current().is_some_and(|current| current.id == step.id)
    }

    /// Clears the current position after the last step passed, so that [`Session::current`]
    /// falls back to the first step not yet passed (none once every step has passed).
    ///
    /// # Errors
    ///
    /// When the progress cannot be saved.
    pub fn finish(&mut self) -> Result<()> {
        self.update(|progress| progress.current = None)
    }

    /// The step after `step`, if any.
    pub fn step_after(&self, step: &Step) -> Option<Step> {
        self.course.step_after(&step.id).cloned()
    }

    /// Shows the next hint level of `step` and records it. After the last level, the last
    /// hint is shown again. A hint opened after the step passed is recorded apart.
    ///
    /// # Errors
    ///
    /// When the progress cannot be saved.
    pub fn hint(&mut self, step: &Step) -> Result<Hint> {
        let hints = &step.hints;
        let level = self.update(|progress| {
            progress
                .step_mut(&step.id)
                .record_hint(fsutil::now(), hints.len())
        })?;
        Ok(Hint {
            level,
            total: hints.len(),
            text: hints
                .get(level.saturating_sub(1))
                .cloned()
                .unwrap_or_else(|| "this step has no hints".to_string()),
        })
    }

    /// Records that the solution of `step` was shown before it passed.
    ///
    /// # Errors
    ///
    /// When the progress cannot be saved.
    pub fn record_peek(&mut self, step: &Step) -> Result<()> {
        self.update(|progress| progress.step_mut(&step.id).record_peek())
    }

    /// The course root.
    pub fn root(&self) -> &Path {
        &self.course.root
    }

    /// A path relative to the course root, for messages.
    pub fn relative(&self, path: &Path) -> PathBuf {
        self.course.relative(path).to_path_buf()
    }
}
