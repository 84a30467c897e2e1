//! Step 0.1: make your first test pass.
//!
//! Customers upload files to the import worker. Before it reads a single byte, the worker
//! checks that the file name looks like a CSV file.

// The lesson's code blocks are doctests of this crate (`Lesson` below): every example must
// compile without warnings, as the learner's code must (items a snippet never uses aside).
#![doc(test(attr(deny(warnings), allow(dead_code))))]

/// Returns `true` when `name` ends in `.csv`, in any mix of upper and lower case.
///
/// `"orders.csv"` and `"ORDERS.CSV"` are CSV files; `"orders.csv.zip"` is not.
pub fn is_csv_file(name: &str) -> bool {
    // `to_lowercase` allocates a new `String`. For a file name that is fine and it reads
    // plainly; a hot loop would compare bytes with `eq_ignore_ascii_case` instead.
    name.to_lowercase().ends_with(".csv")
}

// The step's lesson, so that `cargo test --doc` compiles its `rust` code blocks.
#[cfg(doctest)]
#[doc = include_str!("../../../../exercises/00_orientation/01_first_test/README.md")]
pub struct Lesson;
