//! The import worker: the parser from Part 3 and the queue worker from Part 5, joined into a
//! program a team can run.
//!
//! The web app stores a customer's upload under the *import root* and sends the worker a job
//! spec as JSON; the worker imports the upload and writes the results next to it. The parser
//! and the worker are library crates this crate depends on (`parser`, `worker`).
//!
//! - [`spec`]: step 6.1, the job spec, read from JSON with every field checked.
//! - [`upload`]: step 6.1, the upload's path, which can never lead outside the import root.
//! - [`rows`]: step 6.2, the one module that uses the parser: typed rows or rejects.
//! - [`pipeline`]: step 6.2, one upload streamed to good rows and a reject report, on the
//!   blocking pool, stopping between rows when cancelled.
//! - [`job`]: step 6.2, a job from the pool: spec, upload, output files.

// Built in step 6.1 and used here unchanged: the modules come from its reference solution
// (`step_6_1` in Cargo.toml), so `src/` holds only what this step changes or adds.
pub use step_6_1::{spec, upload};

// New in this step: `pipeline` (yours), `rows` and `job`.
pub mod job;
pub mod pipeline;
pub mod rows;
