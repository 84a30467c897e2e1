//! Step 4.1: parse several uploaded files at once, one scoped thread per file.
//!
//! Parsing is CPU work and the files do not depend on each other, so two cores can parse two
//! files in the time of one. `std::thread::scope` lets the threads borrow the files instead of
//! copying them, and joining each thread's handle turns a thread's panic into an ordinary
//! value: one bad file must not take the whole batch down.

use std::any::Any;
use std::thread;

use crate::records::records;

/// An uploaded file: its name and its whole text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// The name the customer gave the file.
    pub name: String,
    /// The file's text.
    pub text: String,
}

impl SourceFile {
    /// A file called `name` holding `text`.
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        SourceFile {
            name: name.into(),
            text: text.into(),
        }
    }
}

/// What parsing one file found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileSummary {
    /// The file's name.
    pub name: String,
    /// How many records the file holds.
    pub records: usize,
    /// The most fields in any one record.
    pub widest: usize,
}

/// The outcome for one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileReport {
    /// The file was parsed.
    Parsed(FileSummary),
    /// Parsing this file panicked. The other files are not affected.
    Panicked {
        /// The file's name.
        name: String,
        /// The panic's message.
        message: String,
    },
}

/// Parses one file on the current thread and summarizes it.
pub fn summarize(file: &SourceFile) -> FileSummary {
    let mut summary = FileSummary {
        name: file.name.clone(),
        records: 0,
        widest: 0,
    };
    for record in records(&file.text) {
        summary.records += 1;
        summary.widest = summary.widest.max(record.len());
    }
    summary
}

/// Parses every file at the same time, one thread per file, and reports on each file in the
/// order of `files`.
pub fn parse_files(files: &[SourceFile]) -> Vec<FileReport> {
    parse_files_with(files, summarize)
}

/// Like [`parse_files`], with the parse function as a parameter (so the tests can make one
/// file panic).
///
/// Runs `parse` on every file at the same time, one scoped thread per file, and returns one
/// report per file, in the order of `files`. A file whose thread panics is reported as
/// [`FileReport::Panicked`]; the panic does not escape this function.
pub fn parse_files_with<F>(files: &[SourceFile], parse: F) -> Vec<FileReport>
where
    F: Fn(&SourceFile) -> FileSummary + Sync,
{
    // `thread::scope` rather than `thread::spawn`: a scoped thread may borrow `files` and
    // `parse`, because the scope joins every thread before it returns. `thread::spawn` would
    // demand `'static` data, so we would have to clone every file's text into its thread.
    thread::scope(|scope| {
        // One `&F` for all threads: `F: Sync` makes `&F` safe to send, and a reference is
        // `Copy`, so each `move` closure below gets its own copy instead of taking `parse`.
        let parse = &parse;
        // Spawn every thread first and only then join. Joining inside this loop would wait for
        // each file before starting the next one: correct results, no parallelism.
        let handles: Vec<_> = files
            .iter()
            // `move` copies the `&SourceFile` into the closure. Without it the closure would
            // borrow the loop variable `file`, which dies at the end of this iteration.
            .map(|file| (file, scope.spawn(move || parse(file))))
            .collect();
        handles
            .into_iter()
            .map(|(file, handle)| match handle.join() {
                Ok(summary) => FileReport::Parsed(summary),
                // `join` hands back the panic's payload instead of panicking itself. Calling
                // `.unwrap()` here would re-raise it and lose every other file's result.
                Err(payload) => FileReport::Panicked {
                    name: file.name.clone(),
                    message: panic_message(payload.as_ref()),
                },
            })
            .collect()
    })
}

/// The message of a panic, from the payload that `JoinHandle::join` returns as its error.
///
/// `panic!("text")` carries a `&'static str` and `panic!("{x}")` a `String`; any other
/// payload (from `std::panic::panic_any`) has no text we can show.
pub fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_string()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "a panic without a message".to_string()
    }
}
