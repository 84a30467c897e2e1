//! The graded tests of step 1.1. Read them: they are the specification.

use split_fields::{header_names, split_fields};

/// Splits `line` and compares the fields with `expected`, naming the case when they differ.
fn check(line: &str, expected: &[&str], why: &str) {
    assert_eq!(split_fields(line), expected, "splitting {line:?}: {why}");
}

#[test]
fn splits_at_every_comma() {
    check(
        "ada@example.com,Ada,4200",
        &["ada@example.com", "Ada", "4200"],
        "three fields",
    );
    check(
        "ada@example.com",
        &["ada@example.com"],
        "no comma, one field",
    );
}

#[test]
fn an_empty_line_is_one_empty_field() {
    check("", &[""], "every line has at least one field");
}

#[test]
fn empty_fields_are_kept() {
    check(
        "a,",
        &["a", ""],
        "a trailing comma ends with an empty field",
    );
    check(
        ",a",
        &["", "a"],
        "a leading comma starts with an empty field",
    );
    check(
        "a,,b",
        &["a", "", "b"],
        "two commas in a row hold an empty field",
    );
    check(",,", &["", "", ""], "two commas make three empty fields");
}

#[test]
fn spaces_are_data() {
    check(
        " Ada , Lovelace ",
        &[" Ada ", " Lovelace "],
        "split_fields keeps spaces: only the caller knows if they matter",
    );
}

#[test]
fn unicode_text_is_split_at_commas_only() {
    check(
        "Zoë,Ünal,東京,🦀",
        &["Zoë", "Ünal", "東京", "🦀"],
        "letters outside ASCII are ordinary text",
    );
}

#[test]
fn quotes_get_no_special_meaning_yet() {
    check(
        "\"Ada\",42",
        &["\"Ada\"", "42"],
        "quotes stay in the field until step 1.2",
    );
}

#[test]
fn fields_are_views_into_the_line() {
    let line = String::from("id,name");
    let fields = split_fields(&line);
    assert_eq!(
        fields[1].as_ptr(),
        line[3..].as_ptr(),
        "the second field should point into the line itself, not into a copy"
    );
}

#[test]
fn header_names_are_trimmed_and_lower_cased() {
    assert_eq!(
        header_names("Email, Name ,AMOUNT"),
        ["email", "name", "amount"],
        "spaces around a name are dropped and letters are lower-cased"
    );
    assert_eq!(
        header_names("First Name,\tCity\t"),
        ["first name", "city"],
        "spaces inside a name are kept, tabs around it are dropped"
    );
}

#[test]
fn header_names_lower_case_all_letters() {
    assert_eq!(
        header_names("Prénom,ÉTAT,ÜBER"),
        ["prénom", "état", "über"],
        "lower-casing must handle letters outside ASCII too"
    );
}

#[test]
fn header_names_keep_empty_names() {
    assert_eq!(
        header_names(""),
        [""],
        "an empty header line is one empty name"
    );
    assert_eq!(
        header_names("id,,name,"),
        ["id", "", "name", ""],
        "a missing name stays in its place, so columns keep their positions"
    );
}

#[test]
fn the_header_outlives_the_reused_line_buffer() {
    // The worker reads every line into the same `String`. This only compiles because the
    // header names are owned: borrowed names would keep `buffer` from being changed.
    let mut buffer = String::from("Email,Name");
    let header = header_names(&buffer);
    buffer.clear();
    buffer.push_str("ada@example.com,Ada");
    let row = split_fields(&buffer);
    assert_eq!(header, ["email", "name"]);
    assert_eq!(row, ["ada@example.com", "Ada"]);
}
