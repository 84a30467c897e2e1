//! The learner's progress: `.grader/progress.json`, ignored by git.
//!
//! Writes are atomic (see `fsutil::write_atomic`). A file that cannot be read, or that an older
//! grader wrote, is moved aside with a notice and a fresh one is started: losing a progress
//! counter is bad, but a grader that crashes on start is worse, and the learner's code is never
//! touched either way.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::fsutil;

/// The format version this grader writes.
pub const VERSION: u32 = 1;

/// Where the progress file lives, relative to the course root.
pub const PROGRESS_PATH: &str = ".grader/progress.json";

/// Everything the grader remembers about one learner.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Progress {
    /// The format version, [`VERSION`].
    pub version: u32,
    /// The step the learner is on, by ID; `None` means "the first step not yet passed".
    #[serde(default)]
    pub current: Option<String>,
    /// Per step, by ID.
    #[serde(default)]
    pub steps: BTreeMap<String, StepProgress>,
}

/// What the grader remembers about one step.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepProgress {
    /// When the step was first opened or checked (Unix seconds).
    #[serde(default)]
    pub first_opened: Option<u64>,
    /// How many times it was checked.
    #[serde(default)]
    pub attempts: u32,
    /// When it first passed (Unix seconds).
    #[serde(default)]
    pub passed_at: Option<u64>,
    /// How many hint levels were shown.
    #[serde(default)]
    pub hints_used: u32,
    /// Whether the reference solution was shown before the step passed.
    #[serde(default)]
    pub solution_peeked: bool,
    /// The last verdict in a few words, e.g. "test `splits_quoted` failed": where a learner is
    /// stuck, for the team report.
    #[serde(default)]
    pub last_verdict: Option<String>,
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

    /// Seconds from first opening to passing, when both are known.
    pub fn time_to_pass(&self) -> Option<u64> {
        Some(self.passed_at?.saturating_sub(self.first_opened?))
    }
}

impl Progress {
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
}

/// The progress file of one course, and what loading it had to say.
#[derive(Debug)]
pub struct ProgressFile {
    path: PathBuf,
    /// Set when the file on disk could not be used and was moved aside.
    pub notice: Option<String>,
}

impl ProgressFile {
    /// The progress file of the course at `root`.
    pub fn new(root: &Path) -> ProgressFile {
        ProgressFile {
            path: root.join(PROGRESS_PATH),
            notice: None,
        }
    }

    /// Reads the progress, or starts afresh when there is none.
    ///
    /// A file that cannot be parsed, or has another format version, is renamed to
    /// `progress.json.unreadable-<time>` and [`ProgressFile::notice`] says so.
    ///
    /// # Errors
    ///
    /// Only when the file exists but can neither be read nor moved aside.
    pub fn load(&mut self) -> Result<Progress> {
        let text = match std::fs::read_to_string(&self.path) {
            Ok(text) => text,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Progress {
                    version: VERSION,
                    ..Progress::default()
                });
            }
            Err(err) => return Err(Error::io("read", &self.path, err)),
        };
        let problem = match serde_json::from_str::<Progress>(&text) {
            Ok(progress) if progress.version == VERSION => return Ok(progress),
            Ok(progress) => format!(
                "it was written by another version of the grader (format {}, this one reads {VERSION})",
                progress.version
            ),
            Err(err) => format!("it is not valid ({err})"),
        };
        let mut aside = self.path.as_os_str().to_owned();
        aside.push(format!(".unreadable-{}", fsutil::stamp(fsutil::now())));
        let aside = PathBuf::from(aside);
        std::fs::rename(&self.path, &aside).map_err(|err| Error::io("move", &self.path, err))?;
        self.notice = Some(format!(
            "Your progress file {PROGRESS_PATH} could not be used: {problem}. It was moved to {} \
             and a fresh one started. Your code is untouched; steps you had passed pass again \
             when checked.",
            aside
                .file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
        ));
        Ok(Progress {
            version: VERSION,
            ..Progress::default()
        })
    }

    /// Saves the progress atomically.
    ///
    /// # Errors
    ///
    /// An I/O error naming the file.
    pub fn save(&self, progress: &Progress) -> Result<()> {
        let mut json = serde_json::to_string_pretty(progress)
            .map_err(|err| Error::io("write", &self.path, std::io::Error::other(err)))?;
        json.push('\n');
        fsutil::write_atomic(&self.path, json.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let mut file = ProgressFile::new(dir.path());
        let mut progress = file.load().unwrap();
        progress.current = Some("01_a/02_b".into());
        progress.step_mut("01_a/01_a").attempts = 3;
        file.save(&progress).unwrap();
        assert_eq!(ProgressFile::new(dir.path()).load().unwrap(), progress);
    }

    #[test]
    fn a_corrupt_file_is_moved_aside_not_fatal() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(PROGRESS_PATH);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, "{ not json").unwrap();
        let mut file = ProgressFile::new(dir.path());
        let progress = file.load().unwrap();
        assert_eq!(progress.steps.len(), 0);
        assert!(file.notice.as_deref().unwrap().contains("moved to"));
        let aside: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|name| name.starts_with("progress.json.unreadable-"))
            .collect();
        assert_eq!(aside.len(), 1, "the old file is kept, not deleted");
    }

    #[test]
    fn an_old_format_is_moved_aside() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(PROGRESS_PATH);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, r#"{"version": 0}"#).unwrap();
        let mut file = ProgressFile::new(dir.path());
        file.load().unwrap();
        assert!(file.notice.as_deref().unwrap().contains("another version"));
    }
}
