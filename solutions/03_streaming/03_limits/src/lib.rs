//! Step 3.3: limits, so one hostile file cannot exhaust memory.
//!
//! [`Reader::read_record`] fills one [`RecordBuf`] per call from any `BufRead`, in memory
//! bounded by [`Limits`] on the field size, the record size and the number of fields. An
//! unclosed quote costs only its own row: it is reported where it opened, and the lines after
//! it are read as rows again. [`import_orders`] reads [`Order`]s that way;
//! [`import_file`] does it for a path, with `anyhow` context.
//!
//! Errors come in two levels (pattern ERR-3): a [`ParseError`] says what is wrong where; a
//! [`ReadError`] says whether reading goes on ([`ReadError::Row`]) or not ([`ReadError::Fatal`],
//! [`ReadError::Io`]).
//!
//! Modules: `reader` (the state machine and the read loop), `record` (the reused buffer),
//! `utf8` (where a bad byte is), `limits`, `error` (positions and errors), `import` (orders,
//! the budget and the import) and `app`.

// The lesson's code blocks are doctests of this crate (`Lesson` below): every example must
// compile without warnings, as the learner's code must (items a snippet never uses aside).
#![doc(test(attr(deny(warnings), allow(dead_code))))]

pub mod app;
mod error;
mod import;
mod limits;
mod reader;
mod record;
mod utf8;

pub use app::import_file;
pub use error::{ErrorKind, ParseError, Position, ReadError};
pub use import::{
    EXCERPT_CHARS, ErrorBudget, Import, ImportError, Order, Report, excerpt, import_orders,
};
pub use limits::Limits;
pub use reader::Reader;
pub use record::RecordBuf;

// `reader.rs` finds it at the crate root, where it was before `error.rs` held it.
use error::is_utf8_continuation;

// The step's lesson, so that `cargo test --doc` compiles its `rust` code blocks.
#[cfg(doctest)]
#[doc = include_str!("../../../../exercises/03_streaming/03_limits/README.md")]
pub struct Lesson;
