//! Step 0.2: read a compiler error and a failing test.
//!
//! Before the import worker queues a customer's upload, it tells the customer how many rows it
//! found. In a CSV upload the first non-blank line is the header (the column names); every
//! other non-blank line is a data row.

/// Counts the data rows of `upload`: the non-blank lines after the header line.
///
/// A line with only spaces is blank. An upload with only a header has no data rows, and so
/// has an empty upload.
pub fn count_data_rows(upload: &str) -> usize {
    // TODO: this function does not compile yet. Run `cargo grade`, read the compiler's error
    // (and its `help:` line), and fix it. Then run `cargo grade` again: a test fails. Read its
    // `left` and `right` values and fix the count.
    let rows: usize = 0;
    for line in upload.lines() {
        if !line.trim().is_empty() {
            rows += 1;
        }
    }
    rows
}
