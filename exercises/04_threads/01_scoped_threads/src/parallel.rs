//! Step 4.1: parse several uploaded files at once, one scoped thread per file.
//!
//! Parsing is CPU work and the files do not depend on each other, so two cores can parse two
//! files in the time of one. `std::thread::scope` lets the threads borrow the files instead of
//! copying them, and joining each thread's handle turns a thread's panic into an ordinary
//! value: one bad file must not take the whole batch down.

use std::any::Any;

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
    // TODO: every file is parsed on a thread of its own, all at the same time
    // (`the_files_are_parsed_at_the_same_time`, `each_file_is_parsed_exactly_once`); one
    // report per file, in the order of `files`
    // (`reports_keep_input_order_when_later_files_finish_first`); a panicking parse becomes
    // `FileReport::Panicked` with its message, and the panic never leaves this function
    // (`a_panic_in_one_file_is_reported_and_the_others_still_parse`).
    let _ = (files, parse);
    todo!("parse every file on its own scoped thread, then join them in order")
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
