//! The graded tests of step 1.5. Read them: they are the specification.

use borrow_checker::summary::{email_key, field_or, width_problems};
use borrow_checker::{Record, records};

/// All records of `text`, parsed with the step 1.4 iterator.
fn parse(text: &str) -> Vec<Record<'_>> {
    records(text).collect()
}

#[test]
fn field_or_returns_the_field_when_there_is_one() {
    let rows = parse("ada@example.com,Ada,\n");
    assert_eq!(field_or(&rows[0], 1, "unknown"), "Ada");
    assert_eq!(
        field_or(&rows[0], 2, "unknown"),
        "",
        "an empty field is still a field: return it, not the default"
    );
}

#[test]
fn field_or_returns_the_default_past_the_end() {
    let rows = parse("ada@example.com\n");
    assert_eq!(
        field_or(&rows[0], 1, "unknown"),
        "unknown",
        "a short row gets the default"
    );
    let default = String::from("n/a");
    let value = field_or(&rows[0], 7, &default);
    assert_eq!(value, "n/a", "the default may be any borrowed text");
}

#[test]
fn email_key_trims_and_lower_cases() {
    assert_eq!(
        email_key("  Ada@Example.COM "),
        "ada@example.com",
        "spaces around the address go, and upper and lower case count the same"
    );
    assert_eq!(email_key(""), "", "an empty address gives an empty key");
}

#[test]
fn email_key_handles_letters_outside_ascii() {
    assert_eq!(
        email_key("ÉMILE@Exemple.FR"),
        "émile@exemple.fr",
        "lower-casing must handle letters outside ASCII too"
    );
}

#[test]
fn email_keys_find_duplicates_across_rows() {
    let rows = parse("\"Ada@example.com\",Ada\nADA@example.com ,Ada L.\nbob@example.com,Bob\n");
    let keys: Vec<String> = rows
        .iter()
        .filter_map(|row| row.field(0))
        .map(|email| email_key(email).to_string())
        .collect();
    assert_eq!(
        keys,
        ["ada@example.com", "ada@example.com", "bob@example.com"],
        "the same address written differently gives the same key"
    );
}

#[test]
fn width_problems_is_empty_when_every_row_fits() {
    assert!(width_problems(&[]).is_empty(), "no records, no problems");
    assert!(
        width_problems(&parse("id,name\n")).is_empty(),
        "a header alone has no problems"
    );
    assert!(
        width_problems(&parse("id,name\n1,Ada\n2,\n")).is_empty(),
        "an empty field still counts as a field"
    );
}

#[test]
fn width_problems_lists_each_bad_row_after_a_summary() {
    let rows = parse("id,name,amount\n1,Ada,10\n2,Bob\n3,Cy,30,extra\n4,Di,40\n");
    assert_eq!(
        width_problems(&rows),
        [
            "rows with the wrong number of fields: 2; first: line 3: expected 3 fields, found 2",
            "line 3: expected 3 fields, found 2",
            "line 4: expected 3 fields, found 4",
        ],
        "a summary naming the first problem, then every problem in order"
    );
}

#[test]
fn width_problems_use_the_line_where_each_record_starts() {
    let rows = parse("id,note\n1,\"two\nlines\"\n2\n");
    assert_eq!(
        width_problems(&rows),
        [
            "rows with the wrong number of fields: 1; first: line 4: expected 2 fields, found 1",
            "line 4: expected 2 fields, found 1",
        ],
        "the quoted line break moves the last record to line 4"
    );
}
