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
use std::io::BufReader;
use std::path::Path;

use anyhow::Context;

use crate::{ErrorBudget, Import, Order, Report, import_orders_with};

/// Imports the orders upload at `path`, handing each good order to `sink` as it is read
/// (see [`import_orders_with`]): the import to use for uploads, in memory that does not grow
/// with the file.
///
/// # Errors
///
/// When the file cannot be opened or read, its header is malformed or does not fit, or it has
/// more bad rows than `budget` allows. The error names the path; the typed cause (an
/// `io::Error` or an [`ImportError`](crate::ImportError)) stays reachable with `downcast_ref`.
pub fn import_file_with(
    path: &Path,
    budget: &ErrorBudget,
    sink: impl FnMut(Order),
) -> anyhow::Result<Report> {
    // One `with_context` around both steps, so every failure names the path exactly once.
    // `with_context` takes a closure, so the message is only formatted when there is an error.
    read_and_import(path, budget, sink)
        .with_context(|| format!("importing orders from {}", path.display()))
}

/// Imports a small orders file into memory: a convenience for tests and small files, with
/// every order in one `Vec` (see [`import_orders`](crate::import_orders)). For uploads, use
/// [`import_file_with`].
///
/// # Errors
///
/// As [`import_file_with`].
pub fn import_file(path: &Path, budget: &ErrorBudget) -> anyhow::Result<Import> {
    let mut orders = Vec::new();
    let report = import_file_with(path, budget, |order| orders.push(order))?;
    Ok(Import { orders, report })
}

fn read_and_import(
    path: &Path,
    budget: &ErrorBudget,
    sink: impl FnMut(Order),
) -> anyhow::Result<Report> {
    // An `io::Error` from `open` says "No such file or directory" but not what we were
    // opening, so it gets a sentence of its own. The path is in the outer context.
    let file = File::open(path).context("could not open the file")?;
    // `ImportError` already says what went wrong (its `Display` and its sources), so `?`
    // alone is enough: `anyhow::Error: From<E>` for every `E: Error + Send + Sync + 'static`.
    // Adding `.context("could not import")` here would only repeat what the outer context says.
    // `BufReader` turns the file into a `BufRead`: reads of 8 KiB, handed to the parser a
    // byte at a time, instead of a system call per byte.
    let report = import_orders_with(BufReader::new(file), budget, sink)?;
    Ok(report)
}
