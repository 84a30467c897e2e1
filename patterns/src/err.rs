//! Errors that tell the truth: `ERR-n`.

pub mod parse_error;
pub mod row_errors;
