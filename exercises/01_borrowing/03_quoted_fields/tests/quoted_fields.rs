//! The graded tests of step 1.3. Read them: they are the specification.

use std::borrow::Cow;

use quoted_fields::parse_line;

/// Parses `line` and compares its fields with `expected`, naming the case when they differ.
fn check(line: &str, expected: &[&str], why: &str) {
    let record = parse_line(line, 1);
    assert_eq!(record.fields(), expected, "parsing {line:?}: {why}");
}

#[test]
fn plain_fields_are_split_at_commas() {
    check("a,b,c", &["a", "b", "c"], "three plain fields");
    check("Zoë,Ünal,東京", &["Zoë", "Ünal", "東京"], "unicode text");
    check(" a , b ", &[" a ", " b "], "spaces are data");
}

#[test]
fn empty_fields_are_kept() {
    check("", &[""], "an empty line is one empty field");
    check(
        "a,",
        &["a", ""],
        "a trailing comma ends with an empty field",
    );
    check(",,", &["", "", ""], "only commas: all fields empty");
}

#[test]
fn a_comma_inside_quotes_is_part_of_the_field() {
    check(
        "\"Smith, Ada\",42",
        &["Smith, Ada", "42"],
        "the comma between the quotes does not end the field",
    );
    check(
        "1,\"a,b,c\",2",
        &["1", "a,b,c", "2"],
        "a quoted field in the middle",
    );
    check(
        "x,\"trailing,\"",
        &["x", "trailing,"],
        "a comma just before the closing quote",
    );
}

#[test]
fn a_quoted_field_at_the_end_of_the_line_loses_its_closing_quote() {
    check(
        "a,\"b\"",
        &["a", "b"],
        "the line ends right after the closing quote",
    );
    check("\"only\"", &["only"], "a line that is one quoted field");
}

#[test]
fn doubled_quotes_inside_quotes_are_one_quote() {
    check(
        "\"say \"\"hi\"\"\",x",
        &["say \"hi\"", "x"],
        "\"\" inside quotes stands for one \"",
    );
    check("\"\"\"\"", &["\""], "four quotes are one literal quote");
    check(
        "\"a \"\"quoted\"\", word\",b",
        &["a \"quoted\", word", "b"],
        "escaped quotes and a comma in the same field",
    );
}

#[test]
fn empty_quoted_fields_are_empty() {
    check("\"\"", &[""], "two quotes hold an empty field");
    check("\"\",\"\"", &["", ""], "two empty quoted fields");
    check(",\"\",", &["", "", ""], "empty, quoted empty, empty");
}

#[test]
fn unicode_inside_quotes_is_kept_whole() {
    check(
        "\"Zoë, Ünal\",東京,\"🦀\"",
        &["Zoë, Ünal", "東京", "🦀"],
        "slice the line at byte positions, not character counts",
    );
}

#[test]
fn a_quote_inside_an_unquoted_field_is_data() {
    check(
        "5\" screen,x",
        &["5\" screen", "x"],
        "only a quote at the start of a field opens a quoted field",
    );
    check(
        "a\"\"b",
        &["a\"\"b"],
        "\"\" is only an escape inside quotes",
    );
    check(
        " \"a\"",
        &[" \"a\""],
        "a space before the quote makes the field unquoted",
    );
}

#[test]
fn text_after_a_closing_quote_is_kept_not_dropped() {
    check(
        "\"ab\"c,d",
        &["\"ab\"c", "d"],
        "after a closing quote the field is kept as written, quotes included",
    );
    check(
        "\"a\"\"b\"c,d",
        &["\"a\"\"b\"c", "d"],
        "kept as written means not rewritten: the doubled quote stays doubled",
    );
}

#[test]
fn an_unclosed_quote_runs_to_the_end_of_the_line() {
    check(
        "1,\"abc,def",
        &["1", "abc,def"],
        "with no closing quote, the rest of the line is the last field",
    );
    check(
        "\"",
        &[""],
        "a lone quote opens an empty field that never closes",
    );
}

#[test]
fn only_rewritten_fields_are_owned() {
    let record = parse_line("plain,\"quoted\",\"esc\"\"aped\"", 1);
    let owned: Vec<bool> = record
        .fields()
        .iter()
        .map(|field| matches!(field, Cow::Owned(_)))
        .collect();
    assert_eq!(
        owned,
        [false, false, true],
        "plain and quoted fields are views into the line; only the one with \"\" is owned"
    );
}

#[test]
fn a_field_after_an_escaped_one_starts_fresh() {
    let record = parse_line("\"esc\"\"aped\",5\"\" screen,plain", 1);
    assert_eq!(
        record.fields(),
        ["esc\"aped", "5\"\" screen", "plain"],
        "after a comma, the next field is not rewritten because the one before it was"
    );
    assert!(
        matches!(record.fields()[2], Cow::Borrowed(_)),
        "the plain field after an escaped one is still a view into the line"
    );
}

#[test]
fn the_record_keeps_its_line_number() {
    let record = parse_line("\"Smith, Ada\",42", 17);
    assert_eq!(
        record.line(),
        17,
        "the record remembers the line it came from"
    );
    assert_eq!(
        record.len(),
        2,
        "a name with a comma and a number: two fields"
    );
    assert_eq!(record.field(0), Some("Smith, Ada"));
    assert_eq!(record.field(2), None, "there is no third field");
}
