//! Step 0.2: read a compiler error and a failing test.
//!
//! Before the import worker queues a customer's upload, it tells the customer how many rows it
//! found. In a CSV upload the first non-blank line is the header (the column names); every
//! other non-blank line is a data row.

// The lesson's code blocks are doctests of this crate (`Lesson` below): every example must
// compile without warnings, as the learner's code must (items a snippet never uses aside).
#![doc(test(attr(deny(warnings), allow(dead_code))))]

/// Counts the data rows of `upload`: the non-blank lines after the header line.
///
/// A line with only spaces is blank. An upload with only a header has no data rows, and so
/// has an empty upload.
pub fn count_data_rows(upload: &str) -> usize {
    // `mut`: a Rust variable cannot change unless it says so. That is error E0384, and
    // rustc's `help:` line shows exactly this fix.
    let mut non_blank: usize = 0;
    // `lines` splits on `\n` and drops a `\r` before it, so Windows uploads count the same.
    for line in upload.lines() {
        if !line.trim().is_empty() {
            non_blank += 1;
        }
    }
    // The header is one of the non-blank lines. `non_blank - 1` would panic ("attempt to
    // subtract with overflow") on an empty upload; `saturating_sub` stops at zero instead.
    // Skipping the first line with `.skip(1)` is the other tempting fix, and it is wrong when
    // the upload starts with a blank line.
    non_blank.saturating_sub(1)
}

// The step's lesson, so that `cargo test --doc` compiles its `rust` code blocks.
#[cfg(doctest)]
#[doc = include_str!("../../../../exercises/00_orientation/02_reading_errors/README.md")]
pub struct Lesson;
