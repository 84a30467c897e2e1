//! Runs the exercise's graded tests against this solution. The test file is compiled from the
//! exercise folder, not copied, so learners and the reference face the very same tests.

extern crate jobs_table_solution as jobs_table;

#[path = "../../../../exercises/07_postgres/01_jobs_table/tests/jobs_table.rs"]
mod graded;
