//! Step 6.2: one upload, streamed to good rows and a reject report.
//!
//! [`import`] reads one row, writes it out, and forgets it: memory holds one record (the
//! parser's bound) and the writers' buffers, whatever the size of the upload. It is plain
//! blocking code over `BufRead` and `Write`, so it can be tested on bytes in memory.
//!
//! Parsing is CPU work without an `.await`, so the worker runs it on tokio's blocking pool
//! ([`run_cancellable`]). A timeout cannot stop such work: dropping the future that waits for
//! it does not stop the thread. So the work gets a [`CancellationToken`], cancelled when that
//! future is dropped, and [`import`] checks it between rows.

use std::io::{self, BufRead, Write};

use serde::Serialize;
use tokio_util::sync::CancellationToken;
use worker::job::JobError;

use crate::rows::Unreadable;
// TODO: you will need `crate::rows::{OrderRows, Row}`.
use crate::spec::Options;

/// What an import did with the upload's rows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Rows after the header, good and bad.
    pub rows: u64,
    /// Rows written to the good rows.
    pub good: u64,
    /// Rows written to the reject report.
    pub bad: u64,
}

/// Why an import stopped.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    /// The upload cannot be read on.
    #[error(transparent)]
    Unreadable(Unreadable),
    /// An output could not be written.
    #[error("could not write the outputs")]
    Write(#[source] io::Error),
    /// More bad rows than the job's `max_bad_rows`: probably the wrong file.
    #[error("too many bad rows: more than {limit} (fix the file, or raise `max_bad_rows`)")]
    TooManyBadRows {
        /// The job's limit.
        limit: u64,
    },
    /// The job was cancelled (a timeout or a shutdown) and stopped between two rows.
    #[error("cancelled between two rows")]
    Cancelled,
}

impl From<PipelineError> for JobError {
    /// Whether another attempt could help decides retry or dead letter (step 5.5).
    fn from(error: PipelineError) -> JobError {
        let message = error.to_string();
        match error {
            // The same bytes give the same verdict: retrying a broken file cannot help.
            PipelineError::Unreadable(Unreadable::Broken(_))
            | PipelineError::TooManyBadRows { .. } => JobError::Permanent(message),
            // A disk hiccup, or a job stopped by a timeout: another attempt may work.
            PipelineError::Unreadable(Unreadable::Io(_))
            | PipelineError::Write(_)
            | PipelineError::Cancelled => JobError::Retryable(message),
        }
    }
}

/// Reads the orders in `input` and writes each good row to `good` as one line of JSON, and
/// each bad row to `rejects` as one line of JSON with its line, column, field, value and
/// reason. Stops before the next row once `cancel` is cancelled.
///
/// # Errors
///
/// [`PipelineError`]: the upload is unreadable, an output cannot be written, there are more
/// than `options.max_bad_rows` bad rows, or the import was cancelled. The outputs may then
/// hold part of the rows (step 6.3 makes sure nobody sees them).
pub fn import(
    input: impl BufRead,
    options: &Options,
    good: &mut impl Write,
    rejects: &mut impl Write,
    cancel: &CancellationToken,
) -> Result<Summary, PipelineError> {
    // TODO: the loop of the whole step (tests `good_rows_become_json_lines` and on):
    // - `OrderRows::new(input)` reads the header; an error is `PipelineError::Unreadable`.
    // - Before each row, stop with `PipelineError::Cancelled` once `cancel.is_cancelled()`.
    // - Each row is `Row::Good(order)`: one JSON line to `good`, or `Row::Bad(reject)`: one
    //   JSON line to `rejects`, and `TooManyBadRows` as soon as there are more bad rows than
    //   `options.max_bad_rows`. `Err(unreadable)` ends the import.
    // - Write each row as it is read, never collect them (test
    //   `rows_are_written_while_the_upload_is_still_being_read`).
    let _ = (input, options, good, rejects, cancel);
    todo!("stream the upload's rows into good rows and rejects")
}

/// Writes `value` as one line of JSON (JSON Lines: no line breaks inside a value, since
/// serde_json escapes them in strings).
///
/// # Errors
///
/// [`PipelineError::Write`] when `out` fails.
pub fn write_line(out: &mut impl Write, value: &impl Serialize) -> Result<(), PipelineError> {
    // TODO: `serde_json::to_writer`, then a `\n`. A `serde_json::Error` converts into an
    // `io::Error` with `.into()`.
    let _ = (out, value);
    todo!("one JSON line")
}

/// Runs `work` on tokio's blocking pool with a token that is cancelled as soon as the
/// returned future is dropped (by a timeout, an abort or a shutdown) or has finished.
///
/// # Errors
///
/// The [`JobError`] of [`worker::tasks::run_blocking`] when `work` panicked or never ran.
pub async fn run_cancellable<T, F>(work: F) -> Result<T, JobError>
where
    F: FnOnce(CancellationToken) -> T + Send + 'static,
    T: Send + 'static,
{
    // TODO: run `work` with `worker::tasks::run_blocking`, handing it a new token, and make
    // sure the token is cancelled when *this future* is dropped: a timeout drops it at its
    // `.await`, and the blocking thread must then stop at its next row (tests
    // `dropping_the_future_stops_the_blocking_import_between_rows`,
    // `the_pools_timeout_stops_a_blocking_import`). Look at `CancellationToken::drop_guard`.
    let _ = work;
    todo!("run the work on the blocking pool, cancelled when this future is dropped")
}
