//! # IO-4: Idempotent intake (durable first, once per id)
//!
//! ## Use when
//! A service answers "accepted" and the caller then forgets the request: job queues, payment
//! and order endpoints, webhooks. Callers retry when an answer is lost, so the same request
//! arrives twice.
//!
//! ## Why
//! Five steps, in this order: (1) an id seen before gets its earlier answer and nothing else
//! happens; (2) refuse when full, promising nothing; (3) claim the id under the same lock as
//! the check, so two concurrent requests with one id cannot both pass (1); (4) make the
//! request durable (a synced journal record, a committed row); on failure release the claim
//! and refuse; (5) only now answer "accepted". A crash before (4) loses a request nobody was
//! promised; a crash after it loses nothing. Processing may then run twice (at-least-once):
//! make it idempotent too (IO-2). Run the intake where it cannot be cancelled half-way (a
//! spawned task, not a request future a hang-up drops).
//!
//! ## Avoid
//! Check, then write, then insert the claim: two requests with one id both pass the check
//! (the test `check_then_claim_separately_lets_a_duplicate_through` shows it). And answering
//! before the write is durable.
//!
//! ## Steps
//! - `06_import_worker/06_import_worker`

use std::collections::HashMap;
use std::sync::Mutex;

/// What the intake did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Intake {
    /// New and durable: answer "accepted".
    Accepted,
    /// Seen before: answer as before, do nothing.
    Known,
}

/// Takes requests by id, making each durable with `persist` before accepting it.
#[derive(Debug, Default)]
pub struct IntakeLog {
    claimed: Mutex<HashMap<String, ()>>,
}

impl IntakeLog {
    /// Takes request `id` in. `persist` writes it durably (a synced journal append).
    ///
    /// # Errors
    ///
    /// `persist`'s error: the id is released and nothing was promised.
    pub fn submit<E>(
        &self,
        id: &str,
        persist: impl FnOnce() -> Result<(), E>,
    ) -> Result<Intake, E> {
        {
            // A poisoned map only means a panic elsewhere between two whole operations.
            let mut claimed = self.claimed.lock().unwrap_or_else(|e| e.into_inner());
            if claimed.contains_key(id) {
                return Ok(Intake::Known);
            }
            claimed.insert(id.to_string(), ());
        }
        if let Err(error) = persist() {
            let mut claimed = self.claimed.lock().unwrap_or_else(|e| e.into_inner());
            claimed.remove(id);
            return Err(error);
        }
        Ok(Intake::Accepted)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Barrier};
    use std::thread;

    use super::*;

    #[test]
    fn a_repeat_is_known_and_a_failed_write_releases_the_id() {
        let log = IntakeLog::default();
        assert_eq!(
            log.submit("a", || Err::<(), _>("disk full")),
            Err("disk full")
        );
        assert_eq!(log.submit("a", || Ok::<(), ()>(())), Ok(Intake::Accepted));
        assert_eq!(log.submit("a", || Ok::<(), ()>(())), Ok(Intake::Known));
    }

    #[test]
    fn two_requests_with_one_id_at_once_persist_once() {
        let log = Arc::new(IntakeLog::default());
        let writes = Arc::new(Mutex::new(0));
        let barrier = Arc::new(Barrier::new(8));
        let handles: Vec<_> = (0..8)
            .map(|_| {
                let (log, writes, barrier) = (log.clone(), writes.clone(), barrier.clone());
                thread::spawn(move || {
                    barrier.wait();
                    log.submit("same", || {
                        *writes.lock().unwrap() += 1;
                        Ok::<(), ()>(())
                    })
                })
            })
            .collect();
        for handle in handles {
            handle.join().unwrap().unwrap();
        }
        assert_eq!(*writes.lock().unwrap(), 1);
    }

    #[test]
    fn check_then_claim_separately_lets_a_duplicate_through() {
        // The anti-pattern, step by step: both requests check before either claims.
        let claimed: Mutex<HashMap<String, ()>> = Mutex::default();
        let first_sees_it = claimed.lock().unwrap().contains_key("x");
        let second_sees_it = claimed.lock().unwrap().contains_key("x");
        claimed.lock().unwrap().insert("x".into(), ());
        claimed.lock().unwrap().insert("x".into(), ());
        assert!(
            !first_sees_it && !second_sees_it,
            "both were accepted: the job runs twice"
        );
    }
}
