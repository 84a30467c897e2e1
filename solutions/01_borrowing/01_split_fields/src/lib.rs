//! Step 1.1: split a line into fields.
//!
//! The import worker reads an upload one line at a time. Splitting a line must not copy it:
//! each field is a `&str`, a view into the line, so splitting costs one small `Vec` of
//! (address, length) pairs however long the text is.

// The lesson's code blocks are doctests of this crate (`Lesson` below): every example must
// compile without warnings, as the learner's code must (items a snippet never uses aside).
#![doc(test(attr(deny(warnings), allow(dead_code))))]

/// Splits one line of CSV text (without its line break) into its fields, at every comma.
///
/// The fields borrow from `line`. Written out in full, the signature is
/// `fn split_fields<'a>(line: &'a str) -> Vec<&'a str>`: the fields live as long as the line,
/// and the compiler refuses any use of them after the line is gone.
///
/// Every line has at least one field: `""` is one empty field and `"a,"` is two fields, the
/// second one empty. Spaces are data and are kept. Quotes get no special meaning yet.
pub fn split_fields(line: &str) -> Vec<&str> {
    // `str::split` yields borrowed slices of `line` and keeps empty pieces, which is what CSV
    // means by `a,,b`. Rejected: `split_terminator` (drops the empty field after a trailing
    // comma) and `map(str::to_string)` (copies every field for nothing).
    line.split(',').collect()
}

/// The column names of a header line: each field trimmed and lower-cased.
///
/// The names are owned `String`s, not views into `line`, for two reasons: lower-casing makes
/// new text, and the worker keeps the header while it reads every later line into the same
/// reused buffer, which it could not overwrite while names still borrowed from it.
pub fn header_names(line: &str) -> Vec<String> {
    // Borrow while working (`split_fields`, `trim` copy nothing), own only the result.
    // `to_lowercase`, not `to_ascii_lowercase`: customers name columns `État` and `ÜBER`.
    split_fields(line)
        .into_iter()
        .map(|name| name.trim().to_lowercase())
        .collect()
}

// The step's lesson, so that `cargo test --doc` compiles its `rust` code blocks.
#[cfg(doctest)]
#[doc = include_str!("../../../../exercises/01_borrowing/01_split_fields/README.md")]
pub struct Lesson;
