//! Step 6.5: the figures a team watches, in Prometheus's text format.
//!
//! The move to Rust was sold on numbers: fewer crashes, fewer retries, a lower p95, flat
//! memory. These are the counters that show them. Prometheus (or anything that reads its text
//! format) fetches `GET /metrics` every few seconds and keeps the history; the worker only
//! keeps the current values.
//!
//! Counters are atomics: every job's task adds to them at once, and an add is one instruction
//! with no lock. The latencies keep a window of the last [`LATENCY_WINDOW`] jobs behind a
//! mutex held for a push or a copy, never across an `.await` (pattern STATE-1).

use std::collections::VecDeque;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use worker::retry::Outcome;

use crate::job::JobSummary;

/// How many recent job latencies the quantiles are computed over. Bounded, so memory stays
/// flat in a worker that runs for months; recent, so the p95 shows today's problem.
pub const LATENCY_WINDOW: usize = 1024;

/// The worker's counters. Share it as an `Arc<Metrics>`.
#[derive(Debug, Default)]
pub struct Metrics {
    accepted: AtomicU64,
    done: AtomicU64,
    retried: AtomicU64,
    dead: AtomicU64,
    rows_good: AtomicU64,
    rows_bad: AtomicU64,
    bytes: AtomicU64,
    latency: Mutex<Latency>,
}

/// Recent job latencies, and the totals over every job.
#[derive(Debug, Default)]
struct Latency {
    recent: VecDeque<Duration>,
    count: u64,
    sum: Duration,
}

impl Metrics {
    /// A job was accepted (its `accepted` record is in the journal).
    pub fn job_accepted(&self) {
        // `Relaxed`: each counter is independent, and nobody reads one to decide about
        // another; the scrape only needs each value to be a value it had.
        self.accepted.fetch_add(1, Ordering::Relaxed);
    }

    /// A job finished with `summary`, its outputs in place after `took`.
    pub fn job_done(&self, summary: &JobSummary, took: Duration) {
        self.done.fetch_add(1, Ordering::Relaxed);
        self.rows_good
            .fetch_add(summary.rows.good, Ordering::Relaxed);
        self.rows_bad.fetch_add(summary.rows.bad, Ordering::Relaxed);
        self.bytes.fetch_add(summary.bytes, Ordering::Relaxed);
        self.observe_latency(took);
    }

    /// Counts one job's outcome from the pool: attempts after the first are retries, a dead
    /// job is dead. (A done job is counted by [`Metrics::job_done`], with its rows.)
    pub fn job_outcome<T>(&self, outcome: &Outcome<T>) {
        let attempts = match outcome {
            Outcome::Done(done) => done.attempts,
            Outcome::Dead(dead) => {
                self.dead.fetch_add(1, Ordering::Relaxed);
                dead.attempts
            }
            Outcome::Unfinished(_) => return,
        };
        let retries = u64::from(attempts.saturating_sub(1));
        self.retried.fetch_add(retries, Ordering::Relaxed);
    }

    /// Records how long one job took.
    pub fn observe_latency(&self, took: Duration) {
        // A poisoned lock means a panic while pushing a number: the data is still fine.
        let mut latency = self.latency.lock().unwrap_or_else(|e| e.into_inner());
        if latency.recent.len() == LATENCY_WINDOW {
            latency.recent.pop_front();
        }
        latency.recent.push_back(took);
        latency.count += 1;
        latency.sum += took;
    }

    /// The metrics in Prometheus's text exposition format (version 0.0.4).
    pub fn render(&self) -> String {
        let mut out = String::new();
        let counters = [
            (
                "import_jobs_accepted_total",
                "Jobs taken in and journaled.",
                &self.accepted,
            ),
            (
                "import_jobs_done_total",
                "Jobs whose outputs are in place.",
                &self.done,
            ),
            (
                "import_jobs_retried_total",
                "Attempts after a job's first.",
                &self.retried,
            ),
            (
                "import_jobs_dead_total",
                "Jobs that failed for good.",
                &self.dead,
            ),
            (
                "import_rows_good_total",
                "Rows written as JSON Lines.",
                &self.rows_good,
            ),
            (
                "import_rows_bad_total",
                "Rows written to reject reports.",
                &self.rows_bad,
            ),
            (
                "import_upload_bytes_total",
                "Bytes of uploads imported.",
                &self.bytes,
            ),
        ];
        for (name, help, value) in counters {
            counter(&mut out, name, help, value.load(Ordering::Relaxed));
        }
        // Copy under the lock, sort outside it: a scrape never holds up the jobs for a sort.
        let (mut recent, count, sum) = {
            let latency = self.latency.lock().unwrap_or_else(|e| e.into_inner());
            (
                latency.recent.iter().copied().collect::<Vec<_>>(),
                latency.count,
                latency.sum,
            )
        };
        recent.sort_unstable();
        let name = "import_job_duration_seconds";
        // A summary, not a histogram: the team asked for p50 and p95, and a summary states
        // them. (A histogram's buckets can be added up across workers, which a quantile
        // cannot; with several workers, switch to one.)
        let _ = writeln!(
            out,
            "# HELP {name} Job time from start to outputs in place, quantiles over the last {LATENCY_WINDOW} jobs."
        );
        let _ = writeln!(out, "# TYPE {name} summary");
        for q in [0.5, 0.95] {
            let value = quantile(&recent, q).map_or(f64::NAN, |d| d.as_secs_f64());
            let _ = writeln!(out, "{name}{{quantile=\"{q}\"}} {value}");
        }
        let _ = writeln!(out, "{name}_sum {}", sum.as_secs_f64());
        let _ = writeln!(out, "{name}_count {count}");
        out
    }
}

/// Writes one counter with its help and type lines.
fn counter(out: &mut String, name: &str, help: &str, value: u64) {
    // `writeln!` into a `String` cannot fail; `let _ =` says so without an `unwrap`.
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} counter");
    let _ = writeln!(out, "{name} {value}");
}

/// The `q` quantile (0.5 for the median) of `sorted`, by the nearest-rank method: the
/// smallest value with at least `q` of the values at or below it. `None` when empty.
pub fn quantile(sorted: &[Duration], q: f64) -> Option<Duration> {
    if sorted.is_empty() {
        return None;
    }
    // Rank `ceil(q * n)`, from 1; the index is one less. Clamped, so q = 0 gives the smallest
    // and q = 1 the largest. (Interpolating between two values would invent a latency no job
    // had.)
    let n = sorted.len();
    let rank = (q * n as f64).ceil() as usize;
    sorted.get(rank.clamp(1, n) - 1).copied()
}
