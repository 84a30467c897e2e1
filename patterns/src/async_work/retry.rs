//! # ASYNC-4: Retry with backoff, jitter and a cap
//!
//! ## Use when
//! An operation fails for reasons that pass (a timeout, a busy database, a dropped
//! connection) and running it twice is safe: it is idempotent, or its output is deduplicated.
//!
//! ## Why
//! Four rules, each one there because an outage taught it:
//!
//! - **Exponential backoff.** Each failure doubles the wait, so a struggling dependency gets
//!   room to recover instead of a steady stream of retries.
//! - **A cap.** The doubling stops at `max_delay`. Without it, attempt 20 of a 100 ms backoff
//!   waits 14 hours, and `2u32.pow(attempt)` overflows at attempt 32. The arithmetic here
//!   saturates, so no attempt number can panic.
//! - **Full jitter.** The wait is a random duration in `[0, backoff]` (whole milliseconds). Clients that failed
//!   together (because the database went down for all of them) spread their retries out
//!   instead of hitting it again in lockstep.
//! - **Only retryable errors, a bounded number of times.** A malformed file fails the same way
//!   on every attempt. A permanent error, or the last allowed attempt, ends in a
//!   [`DeadLetter`] with the last error and the attempt count, for a person to look at.
//!
//! The randomness comes from a seeded [`Jitter`] (SplitMix64, ten lines) passed in by the
//! caller, so a test with a fixed seed sees the same delays every run and can compute them in
//! advance. We chose a concrete seeded struct over a `JitterSource` trait with test doubles:
//! a seed already makes runs repeatable, and a trait would add a generic parameter to every
//! type that holds one. It is not cryptographic and does not need to be.
//!
//! ## Avoid
//! A retry loop with no cap and no jitter:
//!
//! ```no_run
//! # async fn call() -> Result<(), ()> { Ok(()) }
//! # async fn example() {
//! # let base = std::time::Duration::from_millis(100);
//! let mut attempt = 0;
//! while call().await.is_err() {
//!     attempt += 1;
//!     // No cap: the waits grow without bound, and this overflows at attempt 32.
//!     // No jitter: every client that failed at the same moment retries at the same moment.
//!     // No limit and no error kind: a permanent error is retried forever.
//!     tokio::time::sleep(base * 2u32.pow(attempt)).await;
//! }
//! # }
//! ```
//!
//! The tests below pin each rule down: `without_jitter_every_client_retries_at_once`
//! shows the thundering herd, and the others show the cap, the attempt limit and that a
//! permanent error is tried once.
//!
//! ## Steps
//! - `05_async/05_retries`

use std::future::Future;
use std::time::Duration;

/// How often and how patiently to retry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in total, the first one included. 0 behaves like 1: there is always one try.
    pub max_attempts: u32,
    /// The backoff after the first failure; it doubles after each further failure.
    pub base_delay: Duration,
    /// No backoff is longer than this.
    pub max_delay: Duration,
}

impl RetryPolicy {
    /// The longest wait after failed attempt number `attempt` (1-based):
    /// `min(max_delay, base_delay * 2^(attempt - 1))`, saturating instead of overflowing.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let factor = 2u32.saturating_pow(attempt.saturating_sub(1));
        self.base_delay.saturating_mul(factor).min(self.max_delay)
    }

    /// The wait after failed attempt number `attempt`: a random duration in
    /// `[0, backoff(attempt)]` ("full jitter").
    pub fn delay(&self, attempt: u32, jitter: &mut Jitter) -> Duration {
        jitter.up_to(self.backoff(attempt))
    }
}

/// A small seeded random number generator (SplitMix64) for retry delays.
#[derive(Debug, Clone)]
pub struct Jitter {
    state: u64,
}

impl Jitter {
    /// A generator whose sequence is fixed by `seed`.
    pub fn new(seed: u64) -> Self {
        Jitter { state: seed }
    }

    /// The next pseudo-random number.
    pub fn next_u64(&mut self) -> u64 {
        // SplitMix64 (Steele, Lea and Flood, 2014): a counter through a mixing function.
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A whole number of milliseconds in `[0, max]`, both ends included.
    ///
    /// Milliseconds because that is the resolution of tokio's timer: a finer delay would be
    /// rounded up by `sleep` anyway, and whole milliseconds keep paused-time tests exact.
    pub fn up_to(&mut self, max: Duration) -> Duration {
        // Beyond u64 milliseconds (584 million years) is clamped; no retry waits that long.
        let max_millis = u64::try_from(max.as_millis()).unwrap_or(u64::MAX);
        let millis = match max_millis.checked_add(1) {
            // Scale a 64-bit random number to [0, max_millis + 1) with a multiply and a shift
            // rather than `%`: no division, and the bias is below 2^-64 per value.
            Some(range) => {
                let scaled = (u128::from(self.next_u64()) * u128::from(range)) >> 64;
                u64::try_from(scaled).unwrap_or(max_millis)
            }
            None => self.next_u64(),
        };
        Duration::from_millis(millis)
    }
}

/// Why one attempt failed, as far as retrying is concerned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AttemptError {
    /// Trying again may work.
    #[error("retryable: {0}")]
    Retryable(String),
    /// Trying again cannot work.
    #[error("permanent: {0}")]
    Permanent(String),
}

impl AttemptError {
    /// `true` when another attempt could succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(self, AttemptError::Retryable(_))
    }
}

/// An operation that will not be tried again: its last error and how many attempts it had.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadLetter {
    /// The error of the last attempt.
    pub error: AttemptError,
    /// Attempts made, the first one included.
    pub attempts: u32,
}

/// Runs `operation` (given the 1-based attempt number) until it succeeds, fails permanently,
/// or has had `policy.max_attempts` attempts, sleeping a jittered backoff between attempts.
///
/// # Errors
/// A [`DeadLetter`] with the last error and the number of attempts made.
pub async fn retry<T, F, Fut>(
    policy: &RetryPolicy,
    jitter: &mut Jitter,
    mut operation: F,
) -> Result<T, DeadLetter>
where
    F: FnMut(u32) -> Fut,
    Fut: Future<Output = Result<T, AttemptError>>,
{
    let mut attempt = 1;
    loop {
        match operation(attempt).await {
            Ok(value) => return Ok(value),
            Err(error) if error.is_retryable() && attempt < policy.max_attempts => {
                // `tokio::time::sleep`, never `std::thread::sleep`: the worker thread stays
                // free for other tasks while this one waits.
                tokio::time::sleep(policy.delay(attempt, jitter)).await;
                attempt += 1;
            }
            Err(error) => {
                return Err(DeadLetter {
                    error,
                    attempts: attempt,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use tokio::time::Instant;

    const POLICY: RetryPolicy = RetryPolicy {
        max_attempts: 4,
        base_delay: Duration::from_millis(100),
        max_delay: Duration::from_secs(1),
    };

    #[test]
    fn the_backoff_doubles_up_to_the_cap() {
        let backoffs: Vec<u128> = (1..=6).map(|a| POLICY.backoff(a).as_millis()).collect();
        assert_eq!(backoffs, [100, 200, 400, 800, 1000, 1000]);
        assert_eq!(
            POLICY.backoff(u32::MAX),
            POLICY.max_delay,
            "saturates, no panic"
        );
        assert_eq!(POLICY.backoff(0), POLICY.base_delay);
    }

    #[test]
    fn a_delay_stays_within_zero_and_the_backoff() {
        let mut jitter = Jitter::new(7);
        for attempt in 1..=10 {
            for _ in 0..100 {
                assert!(POLICY.delay(attempt, &mut jitter) <= POLICY.backoff(attempt));
            }
        }
        assert_eq!(Jitter::new(1).up_to(Duration::ZERO), Duration::ZERO);
        let _ = Jitter::new(1).up_to(Duration::MAX); // no overflow
    }

    #[test]
    fn the_same_seed_gives_the_same_delays() {
        let draw = |seed| -> Vec<Duration> {
            let mut jitter = Jitter::new(seed);
            (1..=5).map(|a| POLICY.delay(a, &mut jitter)).collect()
        };
        assert_eq!(draw(42), draw(42));
        assert_ne!(draw(42), draw(43));
    }

    #[test]
    fn without_jitter_every_client_retries_at_once() {
        // A hundred clients fail at the same moment; how many retry in the busiest millisecond?
        let busiest = |delays: Vec<Duration>| {
            let mut per_millisecond: HashMap<Duration, usize> = HashMap::new();
            for delay in delays {
                *per_millisecond.entry(delay).or_default() += 1;
            }
            per_millisecond.into_values().max().unwrap_or(0)
        };
        let unjittered = (0..100).map(|_| POLICY.backoff(3)).collect();
        assert_eq!(busiest(unjittered), 100, "the herd comes back all at once");
        let jittered = (0..100)
            .map(|client| POLICY.delay(3, &mut Jitter::new(client)))
            .collect();
        assert!(busiest(jittered) <= 3, "full jitter spreads the herd out");
    }

    #[tokio::test(start_paused = true)]
    async fn a_retryable_error_is_retried_after_the_jittered_delays() {
        let start = Instant::now();
        let result = retry(&POLICY, &mut Jitter::new(9), |attempt| async move {
            if attempt < 3 {
                Err(AttemptError::Retryable("busy".into()))
            } else {
                Ok(attempt)
            }
        })
        .await;
        assert_eq!(result, Ok(3));
        // The same seed replays the same two delays, so the paused clock is exact.
        let mut replay = Jitter::new(9);
        let expected = POLICY.delay(1, &mut replay) + POLICY.delay(2, &mut replay);
        assert_eq!(start.elapsed(), expected);
    }

    #[tokio::test(start_paused = true)]
    async fn a_permanent_error_is_tried_once() {
        let start = Instant::now();
        let result: Result<(), _> = retry(&POLICY, &mut Jitter::new(1), |_| async {
            Err(AttemptError::Permanent("malformed".into()))
        })
        .await;
        let error = AttemptError::Permanent("malformed".into());
        assert_eq!(result, Err(DeadLetter { error, attempts: 1 }));
        assert_eq!(
            start.elapsed(),
            Duration::ZERO,
            "no backoff before giving up"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn attempts_stop_at_the_limit_with_the_last_error() {
        let result: Result<(), _> = retry(&POLICY, &mut Jitter::new(1), |attempt| async move {
            Err(AttemptError::Retryable(format!("attempt {attempt}")))
        })
        .await;
        let error = AttemptError::Retryable("attempt 4".into());
        assert_eq!(result, Err(DeadLetter { error, attempts: 4 }));
    }
}
