//! Step 5.5: retries with exponential backoff, full jitter and a cap; dead letters.
//!
//! A job that fails with a [`JobError::Retryable`] error (or times out) waits and tries
//! again, up to [`RetryPolicy::max_attempts`] attempts in all. A job that fails permanently,
//! or fails on its last attempt, becomes a [`DeadLetter`]: the job itself, its last error and
//! how many attempts it had, so nothing is lost and a person can look at it.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;

use futures_util::FutureExt;

use crate::job::{Job, JobError, JobId};
use crate::parallel::panic_message;
use crate::timeouts::run_with_timeout;

/// How often and how patiently to retry a job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in total, the first one included. 0 behaves like 1: every job is tried once.
    pub max_attempts: u32,
    /// The longest wait after the first failed attempt; it doubles after each further one.
    pub base_delay: Duration,
    /// No wait is longer than this, however many attempts failed.
    pub max_delay: Duration,
}

impl RetryPolicy {
    /// Tries every job once and never waits.
    pub const NO_RETRIES: RetryPolicy = RetryPolicy {
        max_attempts: 1,
        base_delay: Duration::ZERO,
        max_delay: Duration::ZERO,
    };

    /// The longest wait after failed attempt number `attempt` (1 for the first attempt):
    /// `min(max_delay, base_delay * 2^(attempt - 1))`.
    pub fn backoff(&self, attempt: u32) -> Duration {
        // Saturating all the way: `2u32.pow(attempt - 1)` would overflow (a panic in debug builds)
        // at attempt 33, and `Duration * u32` panics when the product does not fit. The cap is
        // applied last, so a saturated product simply becomes `max_delay`.
        let factor = 2u32.saturating_pow(attempt.saturating_sub(1));
        self.base_delay.saturating_mul(factor).min(self.max_delay)
    }

    /// The wait after failed attempt number `attempt`: a random duration between zero and
    /// [`backoff`](Self::backoff), both included ("full jitter").
    pub fn delay(&self, attempt: u32, jitter: &mut Jitter) -> Duration {
        // Full jitter rather than "backoff plus a little noise": jobs that failed together
        // (the database was down for all of them) spread out over the whole window instead
        // of coming back as one herd a few milliseconds apart.
        jitter.up_to(self.backoff(attempt))
    }

    /// `true` when a job whose attempt number `attempt` failed with `error` gets another try.
    pub fn should_retry(&self, attempt: u32, error: &JobError) -> bool {
        error.is_retryable() && attempt < self.max_attempts
    }
}

/// A seeded source of random delays: SplitMix64, small and fast, not cryptographic.
///
/// The workspace has no `rand` crate, and a retry delay needs no more than this. It is a plain
/// struct with a seed rather than a `JitterSource` trait with test doubles: the seed already
/// makes every run repeatable, so a test that needs the exact delays builds a second `Jitter`
/// with the same seed and draws them itself, and no type needs a generic parameter for it.
#[derive(Debug, Clone)]
pub struct Jitter {
    state: u64,
}

impl Jitter {
    /// A generator whose whole sequence is fixed by `seed`.
    pub fn new(seed: u64) -> Self {
        Jitter { state: seed }
    }

    /// The generator for job `id` in a pool seeded with `seed`.
    ///
    /// One generator per job, not one shared by the pool: tasks would take turns on a shared
    /// one in whatever order they happen to run, so a job's delays would depend on the
    /// scheduling; and it would need a lock. Here a job's delays depend on the seed and its id
    /// only.
    pub fn for_job(seed: u64, id: JobId) -> Self {
        Jitter::new(seed ^ id.0)
    }

    /// The next pseudo-random number of the sequence.
    pub fn next_u64(&mut self) -> u64 {
        // SplitMix64 (Steele, Lea and Flood, 2014): step a counter, then mix its bits.
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A whole number of milliseconds between zero and `max`, both included.
    ///
    /// Milliseconds because that is the resolution of tokio's timer: `sleep` rounds a finer
    /// duration up anyway, and whole milliseconds keep the paused-time tests exact.
    pub fn up_to(&mut self, max: Duration) -> Duration {
        // Clamped to u64 milliseconds (584 million years): no retry waits that long.
        let max_millis = u64::try_from(max.as_millis()).unwrap_or(u64::MAX);
        let millis = match max_millis.checked_add(1) {
            // Scale a 64-bit number into [0, max_millis] with a multiply and a shift: no
            // division, and a bias too small to measure (`%` would have one too, and be slower).
            Some(range) => {
                let scaled = (u128::from(self.next_u64()) * u128::from(range)) >> 64;
                u64::try_from(scaled).unwrap_or(max_millis)
            }
            None => self.next_u64(),
        };
        Duration::from_millis(millis)
    }
}

/// A job that succeeded: its id, the handler's value, and the attempt that succeeded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Done<T> {
    /// The job.
    pub id: JobId,
    /// What the handler returned.
    pub value: T,
    /// How many attempts it took, the first one included.
    pub attempts: u32,
}

/// A job that will not be tried again: it failed permanently or ran out of attempts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadLetter {
    /// The job, unchanged, so it can be inspected, fixed and submitted again.
    pub job: Job,
    /// The error of its last attempt.
    pub error: JobError,
    /// How many attempts it had, the first one included.
    pub attempts: u32,
}

/// Runs `job` until it succeeds, fails permanently, or has had `policy.max_attempts`
/// attempts; each attempt has `job_timeout` to finish, and a failed one is followed by a wait
/// of `policy.delay(attempt, &mut jitter)` before the next.
///
/// # Errors
///
/// A [`DeadLetter`] with the job, the last attempt's error and the number of attempts.
pub async fn run_with_retries<T, H, F>(
    job: Job,
    policy: RetryPolicy,
    mut jitter: Jitter,
    job_timeout: Duration,
    handler: Arc<H>,
) -> Result<Done<T>, DeadLetter>
where
    T: Send + 'static,
    H: Fn(Job) -> F + Send + Sync + 'static,
    F: Future<Output = Result<T, JobError>> + Send + 'static,
{
    let mut attempt = 1;
    loop {
        // Each attempt gets a copy of the job: the handler takes its job by value, and we
        // keep the original for the next attempt or for the dead letter.
        match run_attempt(&handler, job.clone(), job_timeout).await {
            Ok(value) => {
                return Ok(Done {
                    id: job.id,
                    value,
                    attempts: attempt,
                });
            }
            Err(error) if policy.should_retry(attempt, &error) => {
                // The wait happens here, inside the job's own task, with `tokio::time::sleep`:
                // the runtime's threads run other jobs meanwhile. The job keeps its slot in
                // the pool while it waits, which also slows intake while a dependency is down.
                // (`std::thread::sleep` would stop a whole runtime thread: never in async code.)
                tokio::time::sleep(policy.delay(attempt, &mut jitter)).await;
                attempt += 1;
            }
            Err(error) => {
                return Err(DeadLetter {
                    job,
                    error,
                    attempts: attempt,
                });
            }
        }
    }
}

/// Runs one attempt at `job`, for at most `limit` (step 5.4), with a panic in the handler
/// caught and turned into an error.
///
/// A panicking handler ends only this attempt: the panic becomes a [`JobError::Permanent`]
/// in the words of [`task_failure`](crate::tasks::task_failure), and the dead letter can say
/// which attempt it was. The attempt runs inside the job's own task, as a future this one
/// owns: when the timeout gives up on it, or the job's task is aborted (step 5.6), that
/// future is dropped and the attempt stops at the `.await` it was waiting at. Nothing keeps
/// running on its own.
///
/// Rejected: a task of its own per attempt (`tokio::spawn`, whose `JoinError` holds the
/// panic). It contains the panic just as well, but every attempt then pays for a second
/// spawn and a wake-up across tasks: the 5.7 bench ran about a third fewer no-op jobs per
/// second with it. And its handle must abort the task when dropped, or a timed-out attempt
/// runs on where nobody sees it.
///
/// # Errors
///
/// The handler's error, a timeout as [`JobError::Retryable`], or a panic as
/// [`JobError::Permanent`].
pub async fn run_attempt<T, H, F>(
    handler: &Arc<H>,
    job: Job,
    limit: Duration,
) -> Result<T, JobError>
where
    H: Fn(Job) -> F,
    F: Future<Output = Result<T, JobError>>,
{
    // The handler is called inside the future that `catch_unwind` polls, so a panic while it
    // builds its future is caught too (step 5.3). `AssertUnwindSafe` is a promise that no
    // broken state is seen after a panic: the panicked future is dropped, never polled again,
    // and the handler is shared only as tokio shares it between tasks, which make the same
    // promise for every panic they catch.
    let attempt = AssertUnwindSafe(async move { handler(job).await }).catch_unwind();
    run_with_timeout(limit, async move {
        match attempt.await {
            Ok(result) => result,
            // The words of `task_failure` (step 5.1), so the message does not depend on how
            // the panic was caught.
            Err(payload) => Err(JobError::Permanent(format!(
                "handler panicked: {}",
                panic_message(payload.as_ref())
            ))),
        }
    })
    .await
}
