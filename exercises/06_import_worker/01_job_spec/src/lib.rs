//! The import worker: the parser from Part 3 and the queue worker from Part 5, joined into a
//! program a team can run.
//!
//! The web app stores a customer's upload under the *import root* and sends the worker a job
//! spec as JSON; the worker imports the upload and writes the results next to it.
//!
//! - [`spec`]: step 6.1, the job spec, read from JSON with every field checked.
//! - [`upload`]: step 6.1, the upload's path, which can never lead outside the import root.

pub mod spec;
pub mod upload;
