//! Runs the exercise's graded tests against this solution. The test file is compiled from the
//! exercise folder, not copied, so learners and the reference face the very same tests.

extern crate job_spec_solution as job_spec;

#[path = "../../../../exercises/06_import_worker/01_job_spec/tests/job_spec.rs"]
mod graded;
