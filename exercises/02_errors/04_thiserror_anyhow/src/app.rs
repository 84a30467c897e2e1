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
    // TODO: open the file with `std::fs::File::open(path)` and pass it to `import_orders`.
    // - A failed `open` gets the context "could not open the file" (`use anyhow::Context;`).
    // - An `ImportError` needs no context of its own: `?` turns it into an `anyhow::Error`.
    // - Every failure, both of the above, gets the outer context
    //   `format!("importing orders from {}", path.display())`, once. A helper function that
    //   does the two steps, called with `.with_context(|| ...)`, is one way.
    let _ = (path, budget);
    todo!("open the file, import it, and add context naming the path")
}
