//! The grader's error type: everything that stops a command before it can give a verdict.
//!
//! A failing test is not an error: it is a verdict (see `check`). An `Error` means the course
//! or the command itself has a problem, and the binary exits with code 2.

use std::io;
use std::path::PathBuf;

/// A problem with the course files, the progress file, or the tools the grader runs.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A `step.toml` or `part.toml` that does not parse.
    #[error(transparent)]
    Manifest(#[from] crate::manifest::ManifestError),
    /// A file or folder that could not be read or written.
    #[error("cannot {action} {}: {source}", path.display())]
    Io {
        /// What the grader was doing: "read", "write", "create", ...
        action: &'static str,
        /// The file or folder.
        path: PathBuf,
        /// The operating system's reason.
        source: io::Error,
    },
    /// A program the grader needs could not be started.
    #[error("cannot run `{program}`: {source}\n  {advice}")]
    Spawn {
        /// The program, e.g. `cargo`.
        program: String,
        /// The operating system's reason.
        source: io::Error,
        /// What to do about it.
        advice: &'static str,
    },
    /// A program the grader needs started but did not do its job, e.g. clippy not installed.
    #[error("`{tool}` did not run: {detail}\n  {advice}")]
    Tool {
        /// The command, e.g. `cargo clippy`.
        tool: &'static str,
        /// The first line it printed about the failure.
        detail: String,
        /// What to do about it.
        advice: &'static str,
    },
    /// The argument does not name a step.
    #[error("no step matches `{0}`; `cargo grade list` shows every step with its number")]
    UnknownStep(String),
    /// The argument does not name a pattern.
    #[error("no pattern has the ID `{0}`; `cargo grade pattern` lists them")]
    UnknownPattern(String),
    /// The folder tree is not a course.
    #[error("{0}")]
    NotACourse(String),
    /// The course is inconsistent (a gap in the numbering, a missing file, ...).
    #[error("{0}")]
    Course(String),
    /// A command was used in a way that cannot work, with advice.
    #[error("{0}")]
    Usage(String),
}

impl Error {
    /// Wraps an I/O error with what was being done and to which path.
    pub fn io(action: &'static str, path: impl Into<PathBuf>, source: io::Error) -> Error {
        Error::Io {
            action,
            path: path.into(),
            source,
        }
    }
}

/// The grader's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
