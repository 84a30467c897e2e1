//! The graded tests of step 0.2. Read them: they are the specification.

use reading_errors::count_data_rows;

#[test]
fn the_header_line_is_not_a_data_row() {
    let upload = "email,name\nada@example.com,Ada\nbob@example.com,Bob\n";
    assert_eq!(
        count_data_rows(upload),
        2,
        "the first line holds the column names, so it is not a data row"
    );
}

#[test]
fn an_upload_with_only_a_header_has_no_rows() {
    assert_eq!(
        count_data_rows("email,name\n"),
        0,
        "an upload with only a header line has no data rows"
    );
    assert_eq!(
        count_data_rows("email,name"),
        0,
        "an upload with only a header line has no data rows, with or without a final line break"
    );
}

#[test]
fn an_empty_upload_has_no_rows() {
    assert_eq!(count_data_rows(""), 0, "an empty file has no rows");
    assert_eq!(
        count_data_rows("\n\n  \n"),
        0,
        "a file of blank lines has no header and no rows"
    );
}

#[test]
fn blank_lines_are_not_rows() {
    let upload = "email,name\n\nada@example.com,Ada\n   \nbob@example.com,Bob\n\n";
    assert_eq!(
        count_data_rows(upload),
        2,
        "neither the header nor empty lines nor lines of spaces are data rows"
    );
}

#[test]
fn blank_lines_before_the_header_are_skipped() {
    let upload = "\n\nemail,name\nada@example.com,Ada\n";
    assert_eq!(
        count_data_rows(upload),
        1,
        "the header is the first line that is not blank, even when blank lines come before it"
    );
}

#[test]
fn windows_line_endings_count_the_same() {
    let upload = "email,name\r\nada@example.com,Ada\r\n\r\nbob@example.com,Bob\r\n";
    assert_eq!(
        count_data_rows(upload),
        2,
        "lines ending in \\r\\n (uploads from Windows) count like lines ending in \\n"
    );
}

#[test]
fn the_last_row_may_lack_its_line_break() {
    assert_eq!(
        count_data_rows("email\nada@example.com\nbob@example.com"),
        2,
        "the last line counts even without a line break after it"
    );
}
