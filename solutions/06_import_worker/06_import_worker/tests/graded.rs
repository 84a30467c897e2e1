//! Runs the exercise's graded tests against this solution. The test file is compiled from the
//! exercise folder, not copied, so learners and the reference face the very same tests.

extern crate import_worker_solution as import_worker;

#[path = "../../../../exercises/06_import_worker/06_import_worker/tests/import_worker.rs"]
mod graded;
