//! Runs the exercise's graded tests against this solution. The test file is compiled from the
//! exercise folder, not copied, so learners and the reference face the very same tests.

extern crate postgres_worker_solution as postgres_worker;

#[path = "../../../../exercises/07_postgres/04_postgres_worker/tests/postgres_worker.rs"]
mod graded;
