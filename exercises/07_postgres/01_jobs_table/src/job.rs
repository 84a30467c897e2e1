//! What a job is: its key, its kind and payload, and what an enqueue answers.

use std::fmt;

/// The longest key accepted, in bytes: a key names a job, it does not carry data.
pub const MAX_KEY_LEN: usize = 200;

/// The caller's unique name for a job, such as `upload-8123`: enqueueing the same key twice
/// gives one job. Not empty, at most [`MAX_KEY_LEN`] bytes, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct JobKey(String);

impl JobKey {
    /// The key as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<&str> for JobKey {
    type Error = JobKeyError;

    fn try_from(key: &str) -> Result<JobKey, JobKeyError> {
        if key.is_empty() {
            Err(JobKeyError::Empty)
        } else if key.len() > MAX_KEY_LEN {
            Err(JobKeyError::TooLong(key.len()))
        } else if key.chars().any(char::is_control) {
            Err(JobKeyError::ControlCharacter)
        } else {
            Ok(JobKey(key.to_string()))
        }
    }
}

impl fmt::Display for JobKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Why a text is not a job key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JobKeyError {
    /// The key is empty.
    #[error("a job key must not be empty: use the upload's id, e.g. `upload-8123`")]
    Empty,
    /// The key is longer than [`MAX_KEY_LEN`] bytes.
    #[error("a job key is at most {MAX_KEY_LEN} bytes, this one has {0}")]
    TooLong(usize),
    /// The key holds a control character such as a newline.
    #[error("a job key must not hold control characters such as line breaks")]
    ControlCharacter,
}

/// The database's id of a job row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct JobId(pub i64);

/// A job to enqueue.
#[derive(Debug, Clone, PartialEq)]
pub struct NewJob {
    /// The caller's unique name for the job.
    pub key: JobKey,
    /// Which handler runs it, e.g. `"import"`.
    pub kind: String,
    /// The job's arguments, stored as `jsonb`.
    pub payload: serde_json::Value,
}

/// What an enqueue did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Enqueued {
    /// A new job row was inserted.
    New(JobId),
    /// A job with this key already existed; nothing was inserted. The id is the existing job's.
    AlreadyQueued(JobId),
}

impl Enqueued {
    /// The job's id, new or existing.
    pub fn id(self) -> JobId {
        match self {
            Enqueued::New(id) | Enqueued::AlreadyQueued(id) => id,
        }
    }
}
