//! Runs the exercise's graded tests against this solution. The test file is compiled from the
//! exercise folder, not copied, so learners and the reference face the very same tests.

extern crate pipeline_solution as pipeline;

#[path = "../../../../exercises/06_import_worker/02_pipeline/tests/pipeline.rs"]
mod graded;
