//! Runs the exercise's graded tests against this solution. The test file is compiled from the
//! exercise folder, not copied, so learners and the reference face the very same tests.

extern crate claim_lease_solution as claim_lease;

#[path = "../../../../exercises/07_postgres/02_claim_lease/tests/claim_lease.rs"]
mod graded;
