//! The grader's error type: everything that stops a command before it can give a verdict.
//!
//! A failing test is not an error: it is a verdict (see `check`). An `Error` means the course
//! or the command itself has a problem, and the binary exits with code 2.
//!
//! Two rules keep the messages readable:
//!
//! - `Display` says what happened, with its cause, on one line, lowercase, without a period;
//!   what to do about it is apart, in [`Error::advice`], so that a JSON error or a `verify`
//!   finding can carry the two separately and nothing prints the advice twice.
//! - A cause is either in `Display` or returned by `source()`, never both: the variants here
//!   keep their cause in a field named `cause`, shown in `Display`, so an error reporter that
//!   walks the `source()` chain cannot print it a second time.

use std::io;
use std::path::PathBuf;

/// A problem with the course files, the progress file, or the tools the grader runs.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A `step.toml` or `part.toml` that does not parse.
    #[error(transparent)]
    Manifest(#[from] crate::manifest::ManifestError),
    /// A file or folder that could not be read or written.
    #[error("cannot {action} {}: {cause}", path.display())]
    Io {
        /// What the grader was doing: "read", "write", "create", ...
        action: &'static str,
        /// The file or folder.
        path: PathBuf,
        /// The operating system's reason.
        cause: io::Error,
    },
    /// Standard output could not be written (a full disk, a closed file).
    #[error("cannot write to standard output: {cause}")]
    Output {
        /// The operating system's reason.
        cause: io::Error,
    },
    /// A program the grader needs could not be started.
    #[error("cannot run `{program}`: {cause}")]
    Spawn {
        /// The program, e.g. `cargo`.
        program: String,
        /// The operating system's reason.
        cause: io::Error,
        /// What to do about it.
        advice: &'static str,
    },
    /// A program the grader needs started but did not do its job, e.g. clippy not installed.
    #[error("`{tool}` did not run: {detail}")]
    Tool {
        /// The command, e.g. `cargo clippy`.
        tool: &'static str,
        /// The first line it printed about the failure.
        detail: String,
        /// What to do about it.
        advice: &'static str,
    },
    /// The argument does not name a step.
    #[error("no step matches `{0}`")]
    UnknownStep(String),
    /// The step argument climbs out of a folder with `..`, which could name another step than
    /// the one it seems to.
    #[error("the step `{0}` contains `..`")]
    StepWithParent(String),
    /// The argument does not name a part.
    #[error("no part matches `{0}`")]
    UnknownPart(String),
    /// The argument does not name a pattern.
    #[error("no pattern has the ID `{0}`")]
    UnknownPattern(String),
    /// The folder tree is not a course.
    #[error(
        "{} is not inside the course: no folder above it has both `exercises/` and `Cargo.toml`",
        start.display()
    )]
    NotACourse {
        /// Where the search started.
        start: PathBuf,
    },
    /// A part or step folder whose name or number does not fit the course's layout.
    #[error("{folder}: {problem}")]
    Layout {
        /// The folder, relative to the course root.
        folder: String,
        /// What is wrong with it.
        problem: String,
        /// What to do about it.
        advice: &'static str,
    },
    /// The course is inconsistent (a missing file, a broken lock file, ...).
    #[error("{0}")]
    Course(String),
    /// Every step has passed, and the command needs one.
    #[error("every step has passed, so there is no current step")]
    NoCurrentStep,
    /// The file watcher of `watch` stopped.
    #[error("the file watcher stopped")]
    WatchStopped,
    /// The file watcher of `watch` could not start.
    #[error("cannot watch {} for changes: {cause}", dir.display())]
    Watch {
        /// The step's folder.
        dir: PathBuf,
        /// What the watcher said.
        cause: notify::Error,
    },
    /// `reset` needs `exercises/starters.lock`, and the course has none.
    #[error(
        "cannot reset: {} is missing, so the grader does not know the shipped starter",
        crate::pristine::LOCK_PATH
    )]
    NoLock,
    /// `reset` found no shipped version of a file in git's object store.
    #[error("cannot reset: git has no shipped version of {} (blob {blob}); nothing was changed", path.display())]
    NotShipped {
        /// The file.
        path: PathBuf,
        /// Its blob ID in the lock file.
        blob: String,
    },
    /// `seal` in a checkout with a learner's progress would bless the learner's changes.
    #[error(
        "`cargo grade seal` is for course authors, and this checkout has a learner's progress: \
         sealing would record your changes to {files} as the shipped files; put them back with \
         `cargo grade reset {step} --tests` (your files are copied to .grader/backups first)"
    )]
    SealRefused {
        /// The changed graded files.
        files: String,
        /// The first step they belong to, e.g. `1.2`.
        step: String,
    },
    /// `carry` was given a file that is not below a step's `src/`.
    #[error("{} is not below a step's `src/`", path.display())]
    NotAStepFile {
        /// The file, relative to the course root.
        path: PathBuf,
    },
    /// `carry` was given a file that git has no committed version of.
    #[error("git has no committed version of {}", path.display())]
    NotCommitted {
        /// The file, relative to the course root.
        path: PathBuf,
    },
    /// A file given to `team` is not a learner's report.
    #[error("{} is not a report from `cargo grade report --json`: {cause}", path.display())]
    NotAReport {
        /// The file.
        path: PathBuf,
        /// What the JSON reader said.
        cause: serde_json::Error,
    },
    /// A value could not be written as JSON.
    #[error("cannot write JSON: {cause}")]
    Json {
        /// What the JSON writer said.
        cause: serde_json::Error,
    },
}

impl Error {
    /// Wraps an I/O error with what was being done and to which path.
    pub fn io(action: &'static str, path: impl Into<PathBuf>, cause: io::Error) -> Error {
        Error::Io {
            action,
            path: path.into(),
            cause,
        }
    }

    /// The message and the advice on one line, `message; advice`, for a list of findings.
    pub fn with_advice(&self) -> String {
        match self.advice() {
            Some(advice) => format!("{self}; {advice}"),
            None => self.to_string(),
        }
    }

    /// What to do about the error, when there is something to say.
    pub fn advice(&self) -> Option<&'static str> {
        match self {
            Error::Manifest(err) => Some(err.advice()),
            Error::Spawn { advice, .. }
            | Error::Tool { advice, .. }
            | Error::Layout { advice, .. } => Some(advice),
            Error::UnknownStep(_) => Some("`cargo grade list` shows every step with its number"),
            Error::StepWithParent(_) => Some(
                "name the step by its number (`1.2`), its name, or a folder inside it without `..`",
            ),
            Error::UnknownPart(_) => Some("`cargo grade list` shows the parts with their numbers"),
            Error::UnknownPattern(_) => Some("`cargo grade pattern` lists them"),
            Error::NotACourse { .. } => {
                Some("cd into the folder you cloned the course into and run `cargo grade` again")
            }
            Error::NoCurrentStep => Some("name a step, e.g. `cargo grade check 1.2`"),
            Error::WatchStopped | Error::Watch { .. } => Some("run `cargo grade watch --poll`"),
            Error::NoLock => Some("restore it with `git checkout -- exercises/starters.lock`"),
            Error::NotShipped { .. } => Some(
                "`reset` needs a git clone of the course; copy the step's files from a fresh clone instead",
            ),
            Error::SealRefused { .. } => Some(
                "a course author who changed them on purpose runs `GRADER_AUTHOR=1 cargo grade seal`",
            ),
            Error::NotAStepFile { .. } => Some(
                "carry takes a file such as exercises/03_streaming/01_buf_read/src/reader.rs or \
                 solutions/03_streaming/01_buf_read/src/reader.rs",
            ),
            Error::NotCommitted { .. } => Some(
                "carry copies a change to a committed file: commit the file first, then change it",
            ),
            Error::NotAReport { .. } => Some(
                "ask for the file again: each learner writes it with `cargo grade report --json > name.json`",
            ),
            Error::Io { .. } | Error::Output { .. } | Error::Json { .. } | Error::Course(_) => None,
        }
    }
}

/// The grader's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    /// Every cause in the `source()` chain, as a reporter would print it.
    fn chain(err: &dyn std::error::Error) -> String {
        let mut text = err.to_string();
        let mut source = err.source();
        while let Some(cause) = source {
            text.push_str(&format!(": {cause}"));
            source = cause.source();
        }
        text
    }

    #[test]
    fn a_cause_is_printed_once_even_by_a_chain_reporter() {
        let err = Error::io(
            "write",
            ".grader/progress.json",
            io::Error::from(io::ErrorKind::PermissionDenied),
        );
        assert_eq!(
            chain(&err),
            "cannot write .grader/progress.json: permission denied"
        );
        let err = Error::Spawn {
            program: "cargo".into(),
            cause: io::Error::from(io::ErrorKind::PermissionDenied),
            advice: "install it",
        };
        assert_eq!(chain(&err), "cannot run `cargo`: permission denied");
    }

    #[test]
    fn the_advice_is_apart_from_the_message() {
        let err = Error::Tool {
            tool: "cargo clippy",
            detail: "no such command: `clippy`".into(),
            advice: "install it with `rustup component add clippy`",
        };
        assert_eq!(
            err.to_string(),
            "`cargo clippy` did not run: no such command: `clippy`"
        );
        assert_eq!(
            err.advice(),
            Some("install it with `rustup component add clippy`")
        );
        let err = Error::UnknownStep("9.9".into());
        assert_eq!(err.to_string(), "no step matches `9.9`");
        assert!(err.advice().unwrap().contains("cargo grade list"));
    }
}
