//! Streaming hostile input: `PARSE-n`.
