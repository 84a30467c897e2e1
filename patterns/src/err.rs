//! Errors that tell the truth: `ERR-n`.

pub mod anyhow_edge;
pub mod no_panics;
pub mod parse_error;
pub mod row_errors;
