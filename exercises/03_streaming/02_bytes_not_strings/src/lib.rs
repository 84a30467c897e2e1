//! Step 3.2: bytes, not strings: a byte order mark, three line endings, invalid UTF-8.
//!
//! [`Reader::read_record`] fills one [`RecordBuf`] per call from any `BufRead`. The reader
//! works on bytes: it skips a UTF-8 byte order mark (even one split across reads), ends records
//! at `\n`, `\r\n` or a lone `\r`, and reports invalid UTF-8 as a row error at its byte, unless
//! the caller asks for lossy decoding. [`import_orders`] reads [`Order`]s that way;
//! [`import_file`] does it for a path, with `anyhow` context.
//!
//! Errors come in two levels (pattern ERR-3): a [`ParseError`] says what is wrong where; a
//! [`ReadError`] says whether reading goes on ([`ReadError::Row`]) or not ([`ReadError::Io`]).
//!
//! Modules: `reader` (the state machine and the read loop), `record` (the reused buffer),
//! `utf8` (where a bad byte is), `error` (positions and errors), `import` (orders, the budget
//! and the import) and `app`.

pub mod app;
mod error;
mod import;
mod reader;
mod record;
mod utf8;

pub use app::import_file;
pub use error::{ErrorKind, ParseError, Position, ReadError};
pub use import::{
    EXCERPT_CHARS, ErrorBudget, Import, ImportError, Order, Report, excerpt, import_orders,
};
pub use reader::Reader;
pub use record::RecordBuf;

// `reader.rs` finds it at the crate root, where it was before `error.rs` held it.
use error::is_utf8_continuation;
