//! The graded tests of step 1.2. Read them: they are the specification.

use std::borrow::Cow;

use cow_records::{Record, parse_line, unquote};

/// Unquotes `raw` and checks both the text and whether it had to be copied.
fn check_unquote(raw: &str, expected: &str, owned: bool, why: &str) {
    let field = unquote(raw);
    assert_eq!(field, expected, "unquoting {raw:?}: {why}");
    let kind = if owned { "owned" } else { "borrowed" };
    assert_eq!(
        matches!(field, Cow::Owned(_)),
        owned,
        "unquoting {raw:?} should give a {kind} Cow: {why}"
    );
}

#[test]
fn plain_fields_are_borrowed_as_they_are() {
    check_unquote("Ada", "Ada", false, "nothing to rewrite");
    check_unquote("", "", false, "an empty field stays empty");
    check_unquote(" Ada ", " Ada ", false, "spaces are data");
    check_unquote("Zoë 東京", "Zoë 東京", false, "unicode is ordinary text");
}

#[test]
fn quotes_around_a_field_are_removed_without_a_copy() {
    check_unquote(
        "\"Ada\"",
        "Ada",
        false,
        "the text between the quotes is a view into the field: no copy needed",
    );
    check_unquote("\"\"", "", false, "two quotes hold an empty field");
    check_unquote("\"Zoë\"", "Zoë", false, "unicode inside quotes");
}

#[test]
fn escaped_quotes_are_rewritten_into_an_owned_field() {
    check_unquote(
        "\"say \"\"hi\"\"\"",
        "say \"hi\"",
        true,
        "inside quotes, \"\" stands for one \" and the new text must be built",
    );
    check_unquote("\"\"\"\"", "\"", true, "four quotes are one literal quote");
    check_unquote(
        "\"\"\"Ada\"\"\"",
        "\"Ada\"",
        true,
        "remove one quote at each end, not every quote at the ends",
    );
}

#[test]
fn quotes_that_do_not_wrap_the_field_are_data() {
    check_unquote(
        "5\"\" screen",
        "5\"\" screen",
        false,
        "\"\" is only an escape inside a quoted field",
    );
    check_unquote(
        "\"",
        "\"",
        false,
        "a lone quote does not wrap anything (and must not panic)",
    );
    check_unquote(
        "Ada\"",
        "Ada\"",
        false,
        "a field that only ends with a quote is not quoted",
    );
}

#[test]
fn parse_line_keeps_the_line_number_and_unquotes_each_field() {
    let record = parse_line("7,\"Ada\",\"say \"\"hi\"\"\"", 3);
    assert_eq!(
        record.line(),
        3,
        "the record remembers the line it came from"
    );
    assert_eq!(record.len(), 3, "three fields");
    assert_eq!(record.fields(), ["7", "Ada", "say \"hi\""]);
    assert!(
        matches!(record.fields()[1], Cow::Borrowed(_)),
        "a quoted field without escapes stays borrowed"
    );
    assert!(
        matches!(record.fields()[2], Cow::Owned(_)),
        "a field with escaped quotes is owned"
    );
}

#[test]
fn parse_line_keeps_empty_fields() {
    let record = parse_line("", 1);
    assert_eq!(
        record.fields(),
        [""],
        "an empty line is a record with one empty field"
    );
    assert!(!record.is_empty(), "a parsed record always has a field");
    assert_eq!(parse_line("a,", 1).fields(), ["a", ""], "trailing comma");
    assert_eq!(
        parse_line(",\"\",", 1).fields(),
        ["", "", ""],
        "empty, quoted empty, empty"
    );
}

#[test]
fn field_returns_none_past_the_end() {
    let record = parse_line("ada@example.com,\"Ada\"", 1);
    assert_eq!(record.field(0), Some("ada@example.com"));
    assert_eq!(
        record.field(1),
        Some("Ada"),
        "field gives the unquoted text"
    );
    assert_eq!(
        record.field(2),
        None,
        "a short record is normal input: no field, no panic"
    );
    assert_eq!(record.field(usize::MAX), None);
}

#[test]
fn into_owned_records_outlive_the_line() {
    let kept: Record<'static> = {
        let line = String::from("1,\"Ada\",\"say \"\"hi\"\"\"");
        parse_line(&line, 9).into_owned()
        // `line` is dropped here; the owned record does not borrow from it.
    };
    assert_eq!(kept.line(), 9, "into_owned keeps the line number");
    assert_eq!(kept.fields(), ["1", "Ada", "say \"hi\""]);
    assert!(
        kept.fields()
            .iter()
            .all(|field| matches!(field, Cow::Owned(_))),
        "every field of an owned record is Cow::Owned"
    );
}

#[test]
fn into_owned_records_compare_equal_to_the_borrowed_ones() {
    let line = "x,\"y\"";
    let borrowed = parse_line(line, 2);
    let owned = borrowed.clone().into_owned();
    assert_eq!(
        owned, borrowed,
        "owning the text changes where it lives, not what it is"
    );
}
