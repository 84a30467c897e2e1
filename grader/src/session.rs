//! A learner's session: the course, their progress, and the actions that change it.
//!
//! Every method records what happened in the progress file before returning, so a command
//! that is interrupted later (Ctrl-C in `watch`) has lost nothing.

use std::path::{Path, PathBuf};

use crate::cargo::Cargo;
use crate::check::{self, CheckReport};
use crate::course::{Course, Step};
use crate::error::{Error, Result};
use crate::fsutil;
use crate::pristine::Pristine;
use crate::progress::{Progress, ProgressFile};
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

    /// Saves the progress.
    ///
    /// # Errors
    ///
    /// An I/O error naming the file.
    pub fn save(&self) -> Result<()> {
        self.file.save(&self.progress)
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
            .find(|step| !self.progress.passed(&step.id))
    }

    /// The step a command names, or the current one.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownStep`] for a name that matches nothing, and [`Error::Usage`] when no
    /// name is given and every step has passed.
    pub fn resolve(&self, query: Option<&str>) -> Result<Step> {
        match query {
            Some(query) => self.course.find_step(query).cloned(),
            None => self.current().cloned().ok_or_else(|| {
                Error::Usage(
                    "every step has passed, so there is no current step; name one, e.g. \
                     `cargo grade check 1.2`"
                        .to_string(),
                )
            }),
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
            done: self
                .course
                .steps()
                .filter(|s| self.progress.passed(&s.id))
                .count(),
            total: self.course.steps().count(),
        }
    }

    /// Checks a step and records the attempt, the verdict and a pass.
    ///
    /// # Errors
    ///
    /// When cargo cannot run, or the progress cannot be saved.
    pub fn check(&mut self, step: &Step) -> Result<CheckReport> {
        let edited = match Pristine::load(&self.course.root)? {
            Some(pristine) => pristine.edited_tests(&self.course.root, step),
            None => Vec::new(),
        };
        let report = check::check_step(&self.cargo, self.runner, step, edited)?;
        let now = fsutil::now();
        let entry = self.progress.step_mut(&step.id);
        entry.open(now);
        entry.attempts += 1;
        entry.last_verdict = Some(if report.edited_tests.is_empty() {
            report.verdict.summary()
        } else {
            "tests edited".to_string()
        });
        if report.counts_as_pass() {
            if entry.passed_at.is_none() {
                entry.passed_at = Some(now);
            }
        } else {
            // A pass stands for code that passes now: a later failing check withdraws it (a
            // pass recorded with tampered tests must not outlive the tampering).
            entry.passed_at = None;
        }
        self.save()?;
        Ok(report)
    }

    /// Moves the current position to `step` and marks it opened.
    ///
    /// # Errors
    ///
    /// When the progress cannot be saved.
    pub fn goto(&mut self, step: &Step) -> Result<()> {
        self.progress.current = Some(step.id.clone());
        self.progress.step_mut(&step.id).open(fsutil::now());
        self.save()
    }

    /// The step after `step`, if any.
    pub fn step_after(&self, step: &Step) -> Option<Step> {
        self.course.step_after(&step.id).cloned()
    }

    /// Shows the next hint level of `step` and records it. After the last level, the last
    /// hint is shown again.
    ///
    /// # Errors
    ///
    /// When the progress cannot be saved.
    pub fn hint(&mut self, step: &Step) -> Result<Hint> {
        let hints = &step.manifest.hints;
        let entry = self.progress.step_mut(&step.id);
        entry.open(fsutil::now());
        let level = (entry.hints_used as usize + 1).min(hints.len());
        entry.hints_used = entry
            .hints_used
            .max(u32::try_from(level).unwrap_or(u32::MAX));
        let hint = Hint {
            level,
            total: hints.len(),
            text: hints
                .get(level.saturating_sub(1))
                .cloned()
                .unwrap_or_else(|| "this step has no hints".to_string()),
        };
        self.save()?;
        Ok(hint)
    }

    /// Records that the solution of `step` was shown before it passed.
    ///
    /// # Errors
    ///
    /// When the progress cannot be saved.
    pub fn record_peek(&mut self, step: &Step) -> Result<()> {
        let entry = self.progress.step_mut(&step.id);
        if !entry.passed() {
            entry.solution_peeked = true;
        }
        self.save()
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
