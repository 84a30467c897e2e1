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

use std::fs::File;
use std::path::Path;

use anyhow::Context;

use crate::{ErrorBudget, Import, import_orders};

/// Imports the orders upload at `path`.
///
/// For small files only, like [`import_orders`]: the whole file is read
/// into memory. Part 3 makes it stream.
///
/// # Errors
///
/// When the file cannot be opened or read, its header is malformed, or it has more bad rows
/// than `budget` allows. The error names the path; the typed cause (an `io::Error` or an
/// [`ImportError`](crate::ImportError)) stays reachable with `downcast_ref`.
pub fn import_file(path: &Path, budget: &ErrorBudget) -> anyhow::Result<Import> {
    // One `with_context` around both steps, so every failure names the path exactly once.
    // `with_context` takes a closure, so the message is only formatted when there is an error.
    read_and_import(path, budget)
        .with_context(|| format!("importing orders from {}", path.display()))
}

fn read_and_import(path: &Path, budget: &ErrorBudget) -> anyhow::Result<Import> {
    // An `io::Error` from `open` says "No such file or directory" but not what we were
    // opening, so it gets a sentence of its own. The path is in the outer context.
    let file = File::open(path).context("could not open the file")?;
    // `ImportError` already says what went wrong (its `Display` and its sources), so `?`
    // alone is enough: `anyhow::Error: From<E>` for every `E: Error + Send + Sync + 'static`.
    // Adding `.context("could not import")` here would only repeat what the outer context says.
    let import = import_orders(file, budget)?;
    Ok(import)
}
