//! What the worker works on: a [`Job`], and how a job fails: a [`JobError`].
//!
//! This is the worker's own small error type, not the parser's `ParseError` from Part 2: the
//! worker only needs to know whether trying the job again could help.

use std::fmt;

/// A job's id, unique within one run of the worker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct JobId(pub u64);

impl fmt::Display for JobId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "job {}", self.0)
    }
}

/// One unit of work: an upload to import. The payload is the upload's text for now; in Part 6
/// it becomes the job's JSON description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    /// Which job this is.
    pub id: JobId,
    /// What to work on.
    pub payload: String,
}

impl Job {
    /// A job with the id `id` and the payload `payload`.
    pub fn new(id: u64, payload: impl Into<String>) -> Self {
        Job {
            id: JobId(id),
            payload: payload.into(),
        }
    }
}

/// Why one attempt at a job failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JobError {
    /// Trying again may work: a timeout, a busy database, a dropped connection.
    #[error("retryable: {0}")]
    Retryable(String),
    /// Trying again cannot work: a malformed file, a missing permission, a bug.
    #[error("permanent: {0}")]
    Permanent(String),
}

impl JobError {
    /// `true` when another attempt could succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(self, JobError::Retryable(_))
    }
}
