//! The queue worker, built over Parts 4 and 5.
//!
//! Part 4 builds it with threads, Part 5 with tokio, and Part 6 joins it to the parser.
//! [`records`] is the record iterator learners finish Part 1 with, copied in so the worker has
//! real parsing to do from the first step.
//!
//! - [`parallel`]: step 4.1, parse several files at once with scoped threads.

pub mod parallel;
pub mod records;
