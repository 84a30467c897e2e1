//! The learner's progress: `.grader/progress.json`, ignored by git.
//!
//! Every change is a read-modify-write of the file on disk under an advisory lock
//! (`.grader/progress.lock`, see [`ProgressFile::update`]): two terminals (a `watch` in one, a
//! `hint` in the other) both keep what they recorded, and neither rolls the other back. Writes
//! are atomic (see `fsutil::write_atomic`). A file that cannot be read, or that an older
//! grader wrote, is moved aside with a notice and a fresh one is started: losing a progress
//! counter is bad, but a grader that crashes on start is worse, and the learner's code is never
//! touched either way.

use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::fsutil;

/// The format version this grader writes.
pub const VERSION: u32 = 1;

/// Where the progress file lives, relative to the course root.
pub const PROGRESS_PATH: &str = ".grader/progress.json";

/// The lock every change of the progress file holds, relative to the course root. A file of
/// its own, because the progress file itself is replaced (renamed over) on every write, and a
/// lock on a replaced file locks nothing.
pub const LOCK_PATH: &str = ".grader/progress.lock";

/// Everything the grader remembers about one learner.
///
/// Fields this grader does not know (a later grader of the same format added them) are kept as
/// they are and written back, so that going back to an older grader (another branch, an older
/// clone) loses nothing; rejecting them would move the whole file aside. The same holds for
/// each [`StepProgress`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    /// The format version, [`VERSION`].
    pub version: u32,
    /// The step the learner is on, by ID; `None` means "the first step not yet passed".
    #[serde(default)]
    pub current: Option<String>,
    /// Per step, by ID.
    #[serde(default)]
    pub steps: BTreeMap<String, StepProgress>,
    /// Fields a later grader wrote, kept for it.
    #[serde(flatten)]
    pub unknown: BTreeMap<String, serde_json::Value>,
}

/// What the grader remembers about one step.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepProgress {
    /// When the step was first opened or checked (Unix seconds).
    #[serde(default)]
    pub first_opened: Option<u64>,
    /// How many times it was checked before it passed (checks after a pass are reviews, not
    /// attempts). Saturates at `u32::MAX`.
    #[serde(default)]
    pub attempts: u32,
    /// When it was last checked before it passed (Unix seconds): with `first_opened`, how long
    /// a learner who has not passed yet has worked on it.
    #[serde(default)]
    pub last_checked: Option<u64>,
    /// When it first passed (Unix seconds).
    #[serde(default)]
    pub passed_at: Option<u64>,
    /// How many hint levels were shown before the step passed.
    #[serde(default)]
    pub hints_used: u32,
    /// How many more hint levels were shown after it passed, to review: kept apart so that the
    /// team view counts only the hints a learner needed.
    #[serde(default)]
    pub hints_after_pass: u32,
    /// Whether the reference solution was shown before the step passed.
    #[serde(default)]
    pub solution_peeked: bool,
    /// The last verdict in a few words, e.g. "test `splits_quoted` failed": where a learner is
    /// stuck, for the team report.
    #[serde(default)]
    pub last_verdict: Option<String>,
    /// Fields a later grader wrote, kept for it.
    #[serde(flatten)]
    pub unknown: BTreeMap<String, serde_json::Value>,
}

impl StepProgress {
    /// Marks the step as opened now, if it was not yet.
    pub fn open(&mut self, now: u64) {
        self.first_opened.get_or_insert(now);
    }

    /// Whether the step has passed.
    pub fn passed(&self) -> bool {
        self.passed_at.is_some()
    }

    /// Whether the learner worked on the step: checked it or opened a hint before passing.
    /// Opening it (`goto`, or moving on to it) is not work.
    pub fn worked_on(&self) -> bool {
        self.attempts > 0 || self.hints_used > 0
    }

    /// Seconds from first opening to passing, when both are known.
    pub fn time_to_pass(&self) -> Option<u64> {
        Some(self.passed_at?.saturating_sub(self.first_opened?))
    }

    /// Seconds worked on the step: to the pass, or, before it, to the last check.
    pub fn time_worked(&self) -> Option<u64> {
        let end = self.passed_at.or(self.last_checked)?;
        Some(end.saturating_sub(self.first_opened?))
    }

    /// Hint levels shown, before and after passing: the next hint is the level after these.
    pub fn hint_levels_shown(&self) -> u32 {
        self.hints_used.saturating_add(self.hints_after_pass)
    }

    /// Records a check that ended with `verdict` at `now`. A check of a step that has already
    /// passed is a review: it never counts an attempt, and a passing one changes nothing; a
    /// failing one withdraws the pass (see below).
    pub fn record_check(&mut self, now: u64, verdict: String, passed: bool) {
        self.open(now);
        if self.passed() {
            // A re-check of a passed step is a review, not an attempt. But a pass stands for
            // code that passes now: a failing re-check withdraws it, so a pass recorded with
            // tampered tests or build files does not outlive the tampering.
            if !passed {
                self.passed_at = None;
                self.last_checked = Some(now);
                self.last_verdict = Some(verdict);
            }
            return;
        }
        self.attempts = self.attempts.saturating_add(1);
        self.last_checked = Some(now);
        self.last_verdict = Some(verdict);
        if passed {
            self.passed_at = Some(now);
        }
    }

    /// Records a check of the starter exactly as shipped at `now`: the step is opened and its
    /// verdict kept, but no attempt is counted, since nothing was tried yet (`watch` checks the
    /// next step as soon as one passes). On a passed step it is a failing review, as in
    /// [`StepProgress::record_check`]: a pass stands for code that passes now.
    pub fn record_starter_check(&mut self, now: u64, verdict: String) {
        if self.passed() {
            self.record_check(now, verdict, false);
            return;
        }
        self.open(now);
        self.last_checked = Some(now);
        self.last_verdict = Some(verdict);
    }

    /// Records that the next hint of a step with `levels` hints was shown at `now`, and returns
    /// its level (1-based; 0 when the step has no hints). After the last level, the last one is
    /// shown again and nothing more is counted.
    pub fn record_hint(&mut self, now: u64, levels: usize) -> usize {
        self.open(now);
        let shown = self.hint_levels_shown();
        let levels = u32::try_from(levels).unwrap_or(u32::MAX);
        let level = shown.saturating_add(1).min(levels);
        if level > shown {
            if self.passed() {
                self.hints_after_pass = self.hints_after_pass.saturating_add(1);
            } else {
                self.hints_used = self.hints_used.saturating_add(1);
            }
        }
        usize::try_from(level).unwrap_or(usize::MAX)
    }

    /// Records that the reference solution was shown; only a look before passing counts.
    pub fn record_peek(&mut self) {
        if !self.passed() {
            self.solution_peeked = true;
        }
    }
}

/// Where one learner stands on one step, from their own record alone. The team view tells
/// "working" from "stuck", which needs the rest of the group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepState {
    /// Passed.
    Done,
    /// Worked on (checked, or a hint opened) and not passed yet.
    Working,
    /// Not worked on, while the learner went on to a later step.
    Skipped,
    /// Not worked on, and nothing after it either.
    NotStarted,
}

/// What one step's record says, in course order, for [`states`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StepFacts {
    /// The step passed.
    pub passed: bool,
    /// The learner checked it or opened a hint before passing.
    pub worked_on: bool,
    /// The learner got there: it passed, was worked on, was opened, or is the current step.
    pub reached: bool,
}

/// The state of every step, given what each step's record says, in course order. A step not
/// worked on is skipped when the learner reached a later step, and not started otherwise.
pub fn states(facts: &[StepFacts]) -> Vec<StepState> {
    let mut later_reached = false;
    let mut states: Vec<StepState> = facts
        .iter()
        .rev()
        .map(|step| {
            let state = if step.passed {
                StepState::Done
            } else if step.worked_on {
                StepState::Working
            } else if later_reached {
                StepState::Skipped
            } else {
                StepState::NotStarted
            };
            later_reached |= step.reached || step.passed || step.worked_on;
            state
        })
        .collect();
    states.reverse();
    states
}

impl Progress {
    /// A fresh progress of this version.
    pub fn fresh() -> Progress {
        Progress {
            version: VERSION,
            ..Progress::default()
        }
    }

    /// The entry of a step, created when missing.
    pub fn step_mut(&mut self, id: &str) -> &mut StepProgress {
        self.steps.entry(id.to_string()).or_default()
    }

    /// The entry of a step, if any.
    pub fn step(&self, id: &str) -> Option<&StepProgress> {
        self.steps.get(id)
    }

    /// Whether a step has passed.
    pub fn passed(&self, id: &str) -> bool {
        self.step(id).is_some_and(StepProgress::passed)
    }

    /// The states of the steps `ids`, in that (course) order.
    pub fn states<'a>(&self, ids: impl IntoIterator<Item = &'a str>) -> Vec<StepState> {
        let facts: Vec<StepFacts> = ids
            .into_iter()
            .map(|id| {
                let entry = self.step(id);
                StepFacts {
                    passed: entry.is_some_and(StepProgress::passed),
                    worked_on: entry.is_some_and(StepProgress::worked_on),
                    reached: self.current.as_deref() == Some(id)
                        || entry.is_some_and(|e| e.first_opened.is_some()),
                }
            })
            .collect();
        states(&facts)
    }
}

/// The progress file of one course, and what loading it had to say.
#[derive(Debug)]
pub struct ProgressFile {
    path: PathBuf,
    lock_path: PathBuf,
    /// Set when the file on disk could not be used and was moved aside.
    pub notice: Option<String>,
}

/// Why a progress file could not be used.
enum Unusable {
    /// It was not there.
    Missing,
    /// It was there and could not be used: why, in words.
    Bad(String),
}

impl ProgressFile {
    /// The progress file of the course at `root`.
    pub fn new(root: &Path) -> ProgressFile {
        ProgressFile {
            path: root.join(PROGRESS_PATH),
            lock_path: root.join(LOCK_PATH),
            notice: None,
        }
    }

    /// Reads the progress, or starts afresh when there is none.
    ///
    /// A file that cannot be parsed (not JSON, not UTF-8, another shape), or has another
    /// format version, is renamed to `progress.json.unreadable-<time>` (with `-2`, `-3`... when
    /// that name is taken) and [`ProgressFile::notice`] says so. Reading takes no lock, since
    /// writes are atomic; moving a file aside does.
    ///
    /// # Errors
    ///
    /// Only when the file exists but can neither be read nor moved aside.
    pub fn load(&mut self) -> Result<Progress> {
        match self.read()? {
            Ok(progress) => Ok(progress),
            Err(Unusable::Missing) => Ok(Progress::fresh()),
            Err(Unusable::Bad(_)) => {
                let _lock = self.lock()?;
                self.read_or_move_aside()
            }
        }
    }

    /// Changes the progress on disk: under the lock, reads the current file, applies `change`,
    /// and writes the result. Returns the progress as written and what `change` returned.
    ///
    /// Read-modify-write, not "save what this process loaded earlier": a `watch` that has run
    /// for an hour must not undo a hint opened in another terminal meanwhile.
    ///
    /// # Errors
    ///
    /// An I/O error naming the file (or its lock).
    pub fn update<T>(&mut self, change: impl FnOnce(&mut Progress) -> T) -> Result<(Progress, T)> {
        let _lock = self.lock()?;
        let mut progress = self.read_or_move_aside()?;
        let value = change(&mut progress);
        self.write(&progress)?;
        Ok((progress, value))
    }

    /// Takes the advisory lock; it is released when the returned file is dropped (closing the
    /// file releases the lock, even when the process dies).
    fn lock(&self) -> Result<File> {
        if let Some(dir) = self.lock_path.parent() {
            std::fs::create_dir_all(dir).map_err(|err| Error::io("create", dir, err))?;
        }
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&self.lock_path)
            .map_err(|err| Error::io("open", &self.lock_path, err))?;
        let locked = match file.try_lock() {
            Ok(()) => Ok(()),
            Err(std::fs::TryLockError::WouldBlock) => {
                // Held for a moment by another grader as it writes; longer only when something
                // else holds it, and then a silent wait looks like a hang.
                eprintln!(
                    "  waiting: another `cargo grade` in this course is saving progress ({} is \
                     locked)",
                    self.lock_path.display()
                );
                file.lock()
            }
            Err(std::fs::TryLockError::Error(err)) => Err(err),
        };
        match locked {
            Ok(()) => Ok(file),
            // Some network file systems have no locks: carry on unlocked (the writes stay
            // atomic) rather than refuse every command there.
            Err(err) if err.kind() == std::io::ErrorKind::Unsupported => Ok(file),
            Err(err) => Err(Error::io("lock", &self.lock_path, err)),
        }
    }

    /// The progress on disk, or why there is none to use.
    fn read(&self) -> Result<Result<Progress, Unusable>> {
        // Bytes, not a string: a file that is not UTF-8 is a bad file, not an I/O error.
        let bytes = match std::fs::read(&self.path) {
            Ok(bytes) => bytes,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Err(Unusable::Missing));
            }
            Err(err) => return Err(Error::io("read", &self.path, err)),
        };
        Ok(match serde_json::from_slice::<Progress>(&bytes) {
            Ok(progress) if progress.version == VERSION => Ok(progress),
            Ok(progress) => Err(Unusable::Bad(format!(
                "it was written by another version of the grader (format {}, this one reads {VERSION})",
                progress.version
            ))),
            Err(err) => Err(Unusable::Bad(format!("it is not valid ({err})"))),
        })
    }

    /// The progress on disk; a bad file is moved aside and a fresh progress started. The
    /// caller holds the lock.
    fn read_or_move_aside(&mut self) -> Result<Progress> {
        let problem = match self.read()? {
            Ok(progress) => return Ok(progress),
            Err(Unusable::Missing) => return Ok(Progress::fresh()),
            Err(Unusable::Bad(problem)) => problem,
        };
        let mut aside = self.path.as_os_str().to_owned();
        aside.push(format!(".unreadable-{}", fsutil::stamp(fsutil::now())));
        let aside = fsutil::unused_path(PathBuf::from(aside));
        std::fs::rename(&self.path, &aside).map_err(|err| Error::io("move", &self.path, err))?;
        self.notice = Some(format!(
            "Your progress file {PROGRESS_PATH} could not be used: {problem}. It was moved to {} \
             and a fresh one started. Your code is untouched; steps you had passed pass again \
             when checked.",
            aside
                .file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
        ));
        Ok(Progress::fresh())
    }

    /// Writes the progress atomically. The caller holds the lock.
    fn write(&self, progress: &Progress) -> Result<()> {
        let mut json = serde_json::to_string_pretty(progress)
            .map_err(|err| Error::io("write", &self.path, std::io::Error::other(err)))?;
        json.push('\n');
        fsutil::write_atomic(&self.path, json.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn aside_files(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir.join(".grader"))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|name| name.starts_with("progress.json.unreadable-"))
            .collect();
        names.sort();
        names
    }

    fn write_progress_file(dir: &Path, bytes: &[u8]) {
        let path = dir.join(PROGRESS_PATH);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, bytes).unwrap();
    }

    #[test]
    fn progress_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let mut file = ProgressFile::new(dir.path());
        let (progress, ()) = file
            .update(|progress| {
                progress.current = Some("01_a/02_b".into());
                progress.step_mut("01_a/01_a").attempts = 3;
            })
            .unwrap();
        assert_eq!(ProgressFile::new(dir.path()).load().unwrap(), progress);
        assert_eq!(progress.step("01_a/01_a").unwrap().attempts, 3);
    }

    #[test]
    fn an_update_keeps_what_another_grader_wrote_since_loading() {
        // A `watch` loads at start; a `hint` in another terminal records a hint; the watch's
        // next check must not roll the hint back.
        let dir = tempfile::tempdir().unwrap();
        let mut watch = ProgressFile::new(dir.path());
        let loaded_at_start = watch.load().unwrap();
        ProgressFile::new(dir.path())
            .update(|p| p.step_mut("a").record_hint(10, 3))
            .unwrap();
        let (after, ()) = watch
            .update(|p| {
                p.step_mut("a")
                    .record_check(20, "test `x` failed".into(), false)
            })
            .unwrap();
        assert_eq!(loaded_at_start.steps.len(), 0);
        let entry = after.step("a").unwrap();
        assert_eq!((entry.hints_used, entry.attempts), (1, 1));
        assert_eq!(ProgressFile::new(dir.path()).load().unwrap(), after);
    }

    #[test]
    fn graders_updating_at_once_lose_nothing() {
        // Eight graders (each with its own file handle and so its own lock) each record 25
        // checks of a shared step and one of their own. Without the lock, updates read the
        // same old file and overwrite each other; with it, every one of the 200 is kept.
        let dir = tempfile::tempdir().unwrap();
        let start = std::sync::Barrier::new(8);
        std::thread::scope(|scope| {
            for grader in 0..8 {
                let (dir, start) = (dir.path(), &start);
                scope.spawn(move || {
                    let mut file = ProgressFile::new(dir);
                    start.wait();
                    for _ in 0..25 {
                        file.update(|p| {
                            p.step_mut("shared").attempts += 1;
                            p.step_mut(&format!("own-{grader}")).attempts += 1;
                        })
                        .unwrap();
                    }
                    assert!(file.notice.is_none(), "{:?}", file.notice);
                });
            }
        });
        let progress = ProgressFile::new(dir.path()).load().unwrap();
        assert_eq!(progress.step("shared").unwrap().attempts, 200);
        for grader in 0..8 {
            assert_eq!(
                progress.step(&format!("own-{grader}")).unwrap().attempts,
                25
            );
        }
        assert!(aside_files(dir.path()).is_empty(), "nothing was corrupted");
    }

    #[test]
    fn a_file_that_is_not_utf8_is_moved_aside() {
        let dir = tempfile::tempdir().unwrap();
        write_progress_file(dir.path(), b"{\"version\": 1, \"current\": \"\xff\xfe\"}");
        let mut file = ProgressFile::new(dir.path());
        assert_eq!(file.load().unwrap(), Progress::fresh());
        assert!(file.notice.as_deref().unwrap().contains("moved to"));
        assert_eq!(aside_files(dir.path()).len(), 1);
    }

    #[test]
    fn files_moved_aside_in_one_second_keep_their_own_names() {
        let dir = tempfile::tempdir().unwrap();
        for n in 0..6 {
            write_progress_file(dir.path(), format!("bad {n}").as_bytes());
            ProgressFile::new(dir.path()).load().unwrap();
        }
        let aside = aside_files(dir.path());
        assert_eq!(aside.len(), 6, "{aside:?}");
        let mut kept: Vec<String> = aside
            .iter()
            .map(|name| std::fs::read_to_string(dir.path().join(".grader").join(name)).unwrap())
            .collect();
        kept.sort();
        assert_eq!(kept, ["bad 0", "bad 1", "bad 2", "bad 3", "bad 4", "bad 5"]);
    }

    #[test]
    fn counters_at_their_maximum_saturate() {
        let dir = tempfile::tempdir().unwrap();
        write_progress_file(
            dir.path(),
            br#"{"version": 1, "steps": {"a": {"attempts": 4294967295, "hints_used": 4294967295}}}"#,
        );
        let mut file = ProgressFile::new(dir.path());
        let (progress, level) = file
            .update(|p| {
                let entry = p.step_mut("a");
                entry.record_check(5, "test `x` failed".into(), false);
                entry.record_hint(5, 3)
            })
            .unwrap();
        let entry = progress.step("a").unwrap();
        assert_eq!(entry.attempts, u32::MAX);
        assert_eq!(entry.hints_used, u32::MAX);
        assert_eq!(level, 3, "the last hint is shown again");
    }

    #[test]
    fn checks_after_a_pass_count_no_attempt() {
        let mut entry = StepProgress::default();
        entry.record_check(100, "test `x` failed".into(), false);
        entry.record_check(160, "passed".into(), true);
        entry.record_check(300, "passed".into(), true);
        assert_eq!(entry.attempts, 2, "a passing review is not an attempt");
        assert_eq!(entry.passed_at, Some(160));
        assert_eq!(entry.last_verdict.as_deref(), Some("passed"));
        assert_eq!(entry.time_worked(), Some(60));
        entry.record_check(500, "test `x` failed".into(), false);
        assert_eq!(
            entry.attempts, 2,
            "a failing review is not an attempt either"
        );
        assert_eq!(entry.passed_at, None, "but the pass no longer stands");
        assert_eq!(entry.last_verdict.as_deref(), Some("test `x` failed"));
    }

    #[test]
    fn a_check_of_the_starter_as_shipped_is_no_attempt() {
        let mut entry = StepProgress::default();
        entry.record_starter_check(10, "test `x` failed".into());
        assert_eq!(entry.attempts, 0);
        assert_eq!(entry.last_verdict.as_deref(), Some("test `x` failed"));
        entry.record_check(20, "test `x` failed".into(), false);
        assert_eq!(entry.attempts, 1);
        entry.record_check(30, "passed".into(), true);
        entry.record_starter_check(40, "test `x` failed".into());
        assert!(!entry.passed(), "a pass stands for code that passes now");
        assert_eq!(entry.attempts, 2, "and the review is no attempt");
    }

    #[test]
    fn hints_after_a_pass_are_recorded_apart() {
        let mut entry = StepProgress::default();
        assert_eq!(entry.record_hint(1, 3), 1);
        entry.record_check(2, "passed".into(), true);
        assert_eq!(entry.record_hint(3, 3), 2);
        assert_eq!(entry.record_hint(4, 3), 3);
        assert_eq!(entry.record_hint(5, 3), 3, "the last level again");
        assert_eq!((entry.hints_used, entry.hints_after_pass), (1, 2));
        assert_eq!(StepProgress::default().record_hint(1, 0), 0);
    }

    #[test]
    fn time_worked_runs_to_the_last_check_before_a_pass() {
        let mut entry = StepProgress::default();
        entry.open(1000);
        assert_eq!(entry.time_worked(), None, "opened, never checked");
        entry.record_check(1300, "test `x` failed".into(), false);
        assert_eq!(entry.time_worked(), Some(300));
    }

    #[test]
    fn steps_not_worked_on_before_a_later_one_are_skipped() {
        let fact = |passed, worked_on, reached| StepFacts {
            passed,
            worked_on,
            reached,
        };
        assert_eq!(
            states(&[
                fact(false, false, false),
                fact(true, true, true),
                fact(false, true, true),
                fact(false, false, true),
                fact(false, false, false),
            ]),
            [
                StepState::Skipped,
                StepState::Done,
                StepState::Working,
                StepState::NotStarted,
                StepState::NotStarted,
            ]
        );
    }

    #[test]
    fn a_corrupt_file_is_moved_aside_not_fatal() {
        let dir = tempfile::tempdir().unwrap();
        write_progress_file(dir.path(), b"{ not json");
        let mut file = ProgressFile::new(dir.path());
        let progress = file.load().unwrap();
        assert_eq!(progress.steps.len(), 0);
        assert!(file.notice.as_deref().unwrap().contains("moved to"));
        assert_eq!(
            aside_files(dir.path()).len(),
            1,
            "the old file is kept, not deleted"
        );
    }

    #[test]
    fn fields_of_a_later_grader_are_kept_through_a_change() {
        let dir = tempfile::tempdir().unwrap();
        write_progress_file(
            dir.path(),
            br#"{"version": 1, "theme": "dark", "steps": {"a": {"attempts": 2, "streak": [1, 2]}}}"#,
        );
        let mut file = ProgressFile::new(dir.path());
        file.update(|progress| progress.step_mut("a").attempts += 1)
            .unwrap();
        assert_eq!(file.notice, None, "nothing was moved aside");
        assert!(aside_files(dir.path()).is_empty());
        let text = std::fs::read_to_string(dir.path().join(PROGRESS_PATH)).unwrap();
        let saved: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(saved["theme"], "dark");
        assert_eq!(saved["steps"]["a"]["streak"], serde_json::json!([1, 2]));
        assert_eq!(saved["steps"]["a"]["attempts"], 3);
    }

    #[test]
    fn an_old_format_is_moved_aside() {
        let dir = tempfile::tempdir().unwrap();
        write_progress_file(dir.path(), br#"{"version": 0}"#);
        let mut file = ProgressFile::new(dir.path());
        file.load().unwrap();
        assert!(file.notice.as_deref().unwrap().contains("another version"));
    }
}
