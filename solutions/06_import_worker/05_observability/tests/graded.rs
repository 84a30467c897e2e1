//! Runs the exercise's graded tests against this solution. The test file is compiled from the
//! exercise folder, not copied, so learners and the reference face the very same tests.

extern crate observability_solution as observability;

#[path = "../../../../exercises/06_import_worker/05_observability/tests/observability.rs"]
mod graded;
