//! Step 0.1: make your first test pass.
//!
//! Customers upload files to the import worker. Before it reads a single byte, the worker
//! checks that the file name looks like a CSV file.

/// Returns `true` when `name` ends in `.csv`, in any mix of upper and lower case.
///
/// `"orders.csv"` and `"ORDERS.CSV"` are CSV files; `"orders.csv.zip"` is not.
pub fn is_csv_file(name: &str) -> bool {
    // TODO: replace these two lines with the real check. `todo!()` compiles, and panics when
    // it runs, which is why the tests fail with "not yet implemented". `let _ = name;` only
    // keeps the compiler from warning that `name` is unused until you use it: delete it too.
    let _ = name;
    todo!()
}
