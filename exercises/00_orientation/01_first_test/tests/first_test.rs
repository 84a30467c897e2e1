//! The graded tests of step 0.1. Read them: they are the specification.

use first_test::is_csv_file;

#[test]
fn a_plain_csv_name_is_accepted() {
    assert!(
        is_csv_file("orders.csv"),
        "a name ending in .csv is a CSV file"
    );
}

#[test]
fn upper_case_extension_is_accepted() {
    assert!(
        is_csv_file("ORDERS.CSV"),
        "customers on Windows often send upper-case names"
    );
    assert!(
        is_csv_file("Orders.Csv"),
        "any mix of upper and lower case counts"
    );
}

#[test]
fn other_extensions_are_rejected() {
    assert!(
        !is_csv_file("orders.xlsx"),
        "a spreadsheet is not a CSV file"
    );
    assert!(
        !is_csv_file("orders.csv.zip"),
        "only the last extension counts"
    );
    assert!(!is_csv_file("csv"), "a name without a dot has no extension");
}

#[test]
fn the_empty_name_is_rejected() {
    assert!(!is_csv_file(""), "an empty name is not a CSV file");
}
