//! The course's canonical patterns, one module each, cited in code review by ID ("see ERR-2").
//!
//! Every pattern module starts with a heading `# ID: title` and has four sections:
//! *Use when*, *Why*, *Avoid* (the anti-pattern, as a `compile_fail` doctest where the
//! compiler rejects it) and *Steps* (the course steps that teach it). `cargo grade pattern`
//! lists them and `cargo grade pattern ID` prints one; `cargo doc -p patterns --open`
//! renders the whole catalog.
//!
//! | family | module | about |
//! |---|---|---|
//! | `OWN-n` | [`own`] | borrowing and ownership in parsers |
//! | `ERR-n` | [`err`] | errors that tell the truth |
//! | `PARSE-n` | [`parse`] | streaming hostile input |
//! | `TYPE-n` | [`types`] | types that make invalid values impossible |
//! | `STATE-n` | [`state`] | shared state between threads and tasks |
//! | `ASYNC-n` | [`async_work`] | tokio queues, pools, timeouts, retries and shutdown |
//! | `IO-n` | [`io`] | files and promises a worker makes: contained paths, atomic outputs, a journal, idempotent intake |

#![warn(clippy::unwrap_used, clippy::expect_used, missing_docs)]

pub mod async_work;
pub mod err;
pub mod io;
pub mod own;
pub mod parse;
pub mod state;
pub mod types;
