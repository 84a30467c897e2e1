// ---- the policy: backoff, cap, jitter ----

const POLICY: RetryPolicy = RetryPolicy {
    max_attempts: 4,
    base_delay: Duration::from_millis(100),
    max_delay: Duration::from_secs(1),
};

#[test]
fn the_backoff_doubles_from_the_base_up_to_the_cap() {
    let backoffs: Vec<Duration> = (1..=7).map(|attempt| POLICY.backoff(attempt)).collect();
    let expected = [100, 200, 400, 800, 1000, 1000, 1000].map(Duration::from_millis);
    assert_eq!(
        backoffs, expected,
        "after failed attempt n: base * 2^(n-1), never more than max_delay"
    );
}

#[test]
fn the_backoff_saturates_instead_of_overflowing() {
    for attempt in [32, 33, 64, 1000, u32::MAX] {
        assert_eq!(
            POLICY.backoff(attempt),
            POLICY.max_delay,
            "attempt {attempt}: 2^(n-1) does not fit in a u32; use `saturating_pow` and \
             `Duration::saturating_mul`, then the cap"
        );
    }
    let huge = RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::MAX,
        max_delay: Duration::MAX,
    };
    assert_eq!(huge.backoff(5), Duration::MAX, "saturates, no panic");
}

#[test]
fn a_delay_is_between_zero_and_the_backoff() {
    let mut jitter = Jitter::new(7);
    for attempt in 1..=8 {
        for _ in 0..200 {
            let delay = POLICY.delay(attempt, &mut jitter);
            assert!(
                delay <= POLICY.backoff(attempt),
                "attempt {attempt}: {delay:?} is longer than the backoff {:?}",
                POLICY.backoff(attempt)
            );
        }
    }
}

#[test]
fn delays_use_the_whole_window_from_zero_to_the_backoff() {
    // Full jitter: some waits are short, some are close to the backoff. "Backoff plus a little
    // noise", or half the backoff plus jitter, leaves the herd bunched together.
    let mut jitter = Jitter::new(11);
    let delays: Vec<Duration> = (0..1000).map(|_| POLICY.delay(4, &mut jitter)).collect();
    let shortest = delays.iter().min().copied().unwrap_or_default();
    let longest = delays.iter().max().copied().unwrap_or_default();
    assert!(
        shortest < Duration::from_millis(80),
        "the shortest of 1000 waits in [0, 800ms] was {shortest:?}: the wait must be \
         `jitter.up_to(backoff)`, starting at zero"
    );
    assert!(
        longest > Duration::from_millis(720),
        "the longest of 1000 waits in [0, 800ms] was {longest:?}"
    );
}

#[test]
fn the_same_seed_gives_the_same_delays() {
    let draw = |seed| -> Vec<Duration> {
        let mut jitter = Jitter::new(seed);
        (1..=6).map(|attempt| POLICY.delay(attempt, &mut jitter)).collect()
    };
    assert_eq!(draw(42), draw(42), "a seeded run can be replayed");
    assert_ne!(draw(42), draw(43), "and another seed gives other delays");
}

#[test]
fn only_retryable_errors_under_the_limit_are_retried() {
    let busy = JobError::Retryable("database busy".to_string());
    let broken = JobError::Permanent("not a CSV file".to_string());
    assert!(POLICY.should_retry(1, &busy));
    assert!(POLICY.should_retry(3, &busy), "attempt 3 of 4 failed: one more try");
    assert!(!POLICY.should_retry(4, &busy), "attempt 4 of 4 was the last");
    assert!(!POLICY.should_retry(1, &broken), "a permanent error is never retried");
    let once = RetryPolicy {
        max_attempts: 0,
        ..POLICY
    };
    assert!(!once.should_retry(1, &busy), "max_attempts 0 still means one attempt");
}
