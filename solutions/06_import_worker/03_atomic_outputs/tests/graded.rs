//! Runs the exercise's graded tests against this solution. The test file is compiled from the
//! exercise folder, not copied, so learners and the reference face the very same tests.

extern crate atomic_outputs_solution as atomic_outputs;

#[path = "../../../../exercises/06_import_worker/03_atomic_outputs/tests/atomic_outputs.rs"]
mod graded;
