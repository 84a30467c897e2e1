//! Streaming hostile input: `PARSE-n`.

pub mod limits;
pub mod reused_buffer;
