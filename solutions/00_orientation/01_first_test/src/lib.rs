//! Step 0.1: make your first test pass.
//!
//! Customers upload files to the import worker. Before it reads a single byte, the worker
//! checks that the file name looks like a CSV file.

/// Returns `true` when `name` ends in `.csv`, in any mix of upper and lower case.
///
/// `"orders.csv"` and `"ORDERS.CSV"` are CSV files; `"orders.csv.zip"` is not.
pub fn is_csv_file(name: &str) -> bool {
    // `to_lowercase` allocates a new `String`. For a file name that is fine and it reads
    // plainly; a hot loop would compare bytes with `eq_ignore_ascii_case` instead.
    name.to_lowercase().ends_with(".csv")
}
