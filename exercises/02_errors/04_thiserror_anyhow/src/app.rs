//! The application edge: where the import worker meets the file system and a log.
//!
//! The library above returns typed errors, because its callers branch on them: a bad row goes
//! into a report, a `TooManyBadRows` means "ask the customer for another file". Out here nobody
//! branches any more. The error is reported to a person, so what matters is that it says
//! *which* file failed, while *doing what*, and why. That is `anyhow`'s job:
//!
//! - `anyhow::Error` holds any `Error + Send + Sync + 'static`, so `?` works on all of them;
//! - `.context(...)` wraps an error in a sentence about what we were doing, and keeps the
//!   original error as its source;
//! - `format!("{error:#}")` prints the whole chain on one line, outermost first, and
//!   `error.downcast_ref::<ImportError>()` still finds the typed error underneath.

use std::path::Path;

use crate::{ErrorBudget, Import};

/// Imports the orders upload at `path`.
///
/// For small files only, like [`import_orders`](crate::import_orders): the whole file is read
/// into memory. Part 3 makes it stream.
///
/// # Errors
///
/// When the file cannot be opened or read, its header is malformed, or it has more bad rows
/// than `budget` allows. The error names the path; the typed cause (an `io::Error` or an
/// [`ImportError`](crate::ImportError)) stays reachable with `downcast_ref`.
pub fn import_file(path: &Path, budget: &ErrorBudget) -> anyhow::Result<Import> {
    // TODO: import the file at `path` with `import_orders` (`a_good_file_is_imported`). Every
    // failure, printed with `{:#}`, starts with `importing orders from <path>: ` and names the
    // path exactly once; `{}` prints only that outer sentence. Then:
    // - a file that cannot be opened goes on `could not open the file: <the io::Error>`, and
    //   the `io::Error` is found by `downcast_ref`
    //   (`a_missing_file_names_the_path_and_keeps_the_io_error`);
    // - an `ImportError` goes on with its own messages, nothing added between, and is found
    //   by `downcast_ref` (`a_bad_header_names_the_path_and_keeps_the_import_error`,
    //   `too_many_bad_rows_read_as_one_line`,
    //   `a_file_that_is_not_utf8_is_an_import_error_naming_the_path`).
    // Lesson: the `load` example and the `{}`/`{:#}`/`{:?}` list.
    let _ = (path, budget);
    todo!("open the file, import it, and add context naming the path")
}
