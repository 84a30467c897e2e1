//! Errors that tell the truth: `ERR-n`.
