//! Step 1.5: three borrow-checker errors, fixed.
//!
//! The record iterator of step 1.4 lives in `records`, unchanged and re-exported here, so the
//! crate's API is the same as before. `summary` builds the import report from its records.

mod records;
pub mod summary;

pub use records::{Record, Records, records};
