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

use parser::Order;
use serde::Serialize;
use tokio_util::sync::CancellationToken;
use worker::job::JobError;

use crate::rows::{OrderRows, Row, Unreadable};
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
    let mut rows = OrderRows::new(input).map_err(PipelineError::Unreadable)?;
    let mut summary = Summary::default();
    loop {
        // Checked before each row, so a cancelled import stops within one row. (Rejected:
        // checking every 1000 rows to save the check; it takes an uncontended lock, about 2%
        // of a job's time under `perf`, little next to parsing and writing the row.)
        if cancel.is_cancelled() {
            return Err(PipelineError::Cancelled);
        }
        let Some(row) = rows.next() else { break };
        match row.map_err(PipelineError::Unreadable)? {
            Row::Good(order) => {
                write_order(good, &order).map_err(PipelineError::Write)?;
                summary.good += 1;
            }
            Row::Bad(reject) => {
                write_line(rejects, &reject)?;
                summary.bad += 1;
                // After every bad row, so a file of a million bad rows stops at once.
                if summary.bad > options.max_bad_rows {
                    return Err(PipelineError::TooManyBadRows {
                        limit: options.max_bad_rows,
                    });
                }
            }
        }
        summary.rows += 1;
    }
    Ok(summary)
}

/// Writes `value` as one line of JSON (JSON Lines: no line breaks inside a value, since
/// serde_json escapes them in strings).
///
/// # Errors
///
/// [`PipelineError::Write`] when `out` fails.
pub fn write_line(out: &mut impl Write, value: &impl Serialize) -> Result<(), PipelineError> {
    serde_json::to_writer(&mut *out, value).map_err(|error| PipelineError::Write(error.into()))?;
    out.write_all(b"\n").map_err(PipelineError::Write)
}

/// Writes a good row as one line of JSON: the bytes [`write_line`] writes for an [`Order`],
/// `{"customer_id":1,"email":"ann@example.com","amount_cents":1250}` and a `\n`, in less than
/// half the instructions.
///
/// By hand, because it runs once for every good row. The derived `Serialize` escapes the three
/// field names again on every row, and `Email` serializes through a copy of its `String`:
/// under `callgrind`, 1,330 instructions a row against 500 here. The values still go through
/// serde_json, so a number, or an address with a `"` or a `\` in it, comes out exactly as
/// `write_line` writes it (test `good_rows_are_written_as_serde_json_writes_them`). Rejected:
/// `write!` with `{}` for the numbers, which is slower than serde_json's number formatting.
/// The field names and their order are the JSON the reader expects: change them with care.
///
/// # Errors
///
/// The `io::Error` when `out` fails.
pub fn write_order(out: &mut impl Write, order: &Order) -> io::Result<()> {
    // `?` turns a `serde_json::Error` into the `io::Error` it wraps: writing a number or a
    // string fails only when `out` does.
    out.write_all(b"{\"customer_id\":")?;
    serde_json::to_writer(&mut *out, &order.customer_id.get())?;
    out.write_all(b",\"email\":")?;
    serde_json::to_writer(&mut *out, order.email.as_str())?;
    out.write_all(b",\"amount_cents\":")?;
    serde_json::to_writer(&mut *out, &order.amount_cents.get())?;
    out.write_all(b"}\n")
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
    let cancel = CancellationToken::new();
    // The guard cancels the token when it is dropped, and it lives in this future: when a
    // timeout drops the future at its `.await`, the guard goes with it, and the blocking
    // work sees the token cancelled at its next row. Without it the thread parses on to the
    // end of the file for nobody, and a retry runs beside it.
    let _guard = cancel.clone().drop_guard();
    worker::tasks::run_blocking(move || work(cancel)).await
}
