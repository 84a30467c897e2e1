//! The graded tests of step 1.4. Read them: they are the specification.

use std::borrow::Cow;

use record_iterator::{Record, records};

/// Reads every record of `input` as (line, fields), to compare in one assertion.
fn read_all(input: &str) -> Vec<(usize, Vec<String>)> {
    records(input)
        .map(|record| {
            let fields = record.fields().iter().map(|f| f.to_string()).collect();
            (record.line(), fields)
        })
        .collect()
}

/// Parses `input` and compares each record's line and fields with `expected`.
fn check(input: &str, expected: &[(usize, &[&str])], why: &str) {
    let expected: Vec<(usize, Vec<String>)> = expected
        .iter()
        .map(|(line, fields)| (*line, fields.iter().map(|f| f.to_string()).collect()))
        .collect();
    assert_eq!(
        read_all(input),
        expected,
        "reading {input:?} as (line, fields): {why}"
    );
}

#[test]
fn each_line_is_a_record() {
    check(
        "id,name\n1,Ada\n2,Grace\n",
        &[
            (1, &["id", "name"]),
            (2, &["1", "Ada"]),
            (3, &["2", "Grace"]),
        ],
        "three lines, three records, numbered from 1",
    );
}

#[test]
fn the_last_record_may_lack_a_line_break() {
    check(
        "a,b\nc,d",
        &[(1, &["a", "b"]), (2, &["c", "d"])],
        "the end of the input ends the last record",
    );
}

#[test]
fn empty_input_has_no_records() {
    check("", &[], "nothing to read");
    check("\n\n\r\n", &[], "only blank lines: no records");
}

#[test]
fn windows_line_breaks_are_not_part_of_the_fields() {
    check(
        "id,name\r\n1,Ada\r\n",
        &[(1, &["id", "name"]), (2, &["1", "Ada"])],
        "\\r\\n is one line break, and the \\r is not data",
    );
    check(
        "a,\"b\"\r\nc",
        &[(1, &["a", "b"]), (2, &["c"])],
        "a closing quote right before \\r\\n",
    );
}

#[test]
fn a_closing_quote_at_the_very_end_is_not_data() {
    check(
        "a,\"b\"",
        &[(1, &["a", "b"])],
        "the input ends right after a closing quote: the quote is not part of the field",
    );
    check(
        "x\n\"say \"\"hi\"\"\"",
        &[(1, &["x"]), (2, &["say \"hi\""])],
        "an escaped quote just before the final closing quote",
    );
}

#[test]
fn a_lone_carriage_return_is_data() {
    check(
        "a\rb,c\n",
        &[(1, &["a\rb", "c"])],
        "only \\n and \\r\\n end a line; a \\r on its own stays in the field",
    );
}

#[test]
fn blank_lines_are_skipped_but_counted() {
    check(
        "\n\na,b\n\n\nc,d\n\n",
        &[(3, &["a", "b"]), (6, &["c", "d"])],
        "blank lines are not records, yet the line numbers still count them",
    );
    check(
        "a\r\n\r\nb",
        &[(1, &["a"]), (3, &["b"])],
        "blank lines with Windows line breaks",
    );
}

#[test]
fn a_line_with_an_empty_quoted_field_is_not_blank() {
    check(
        "a\n\"\"\nb\n",
        &[(1, &["a"]), (2, &[""]), (3, &["b"])],
        "the line `\"\"` is a record with one empty field",
    );
    check(
        "a\n,\n",
        &[(1, &["a"]), (2, &["", ""])],
        "the line `,` is a record with two empty fields",
    );
}

#[test]
fn empty_fields_at_the_end_of_a_line_are_kept() {
    check(
        "a,\nb,,\n",
        &[(1, &["a", ""]), (2, &["b", "", ""])],
        "a comma right before the line break ends with an empty field",
    );
    check(
        "a,",
        &[(1, &["a", ""])],
        "a comma at the very end of the input",
    );
}

#[test]
fn quoted_fields_may_contain_line_breaks() {
    check(
        "id,note\n1,\"first line\nsecond line\"\n2,x\n",
        &[
            (1, &["id", "note"]),
            (2, &["1", "first line\nsecond line"]),
            (4, &["2", "x"]),
        ],
        "the line break inside quotes is data, and the next record starts on line 4",
    );
}

#[test]
fn line_breaks_inside_quotes_are_kept_as_written() {
    check(
        "\"a\r\nb\"\r\n\"c\n\nd\",e\nf",
        &[(1, &["a\r\nb"]), (3, &["c\n\nd", "e"]), (6, &["f"])],
        "\\r\\n and blank lines inside quotes are data; every \\n still counts as a line",
    );
}

#[test]
fn quoted_fields_keep_commas_and_escaped_quotes() {
    check(
        "\"Smith, Ada\",\"say \"\"hi\"\"\"\n",
        &[(1, &["Smith, Ada", "say \"hi\""])],
        "the rules of step 1.3 still hold",
    );
}

#[test]
fn an_unclosed_quote_runs_to_the_end_of_the_input() {
    check(
        "a,\"b\nc,d\n",
        &[(1, &["a", "b\nc,d\n"])],
        "with no closing quote, the last field holds all the rest",
    );
}

#[test]
fn unicode_text_is_kept_whole() {
    check(
        "Zoë,\"東京,\n大阪\"\n🦀,Ünal",
        &[(1, &["Zoë", "東京,\n大阪"]), (3, &["🦀", "Ünal"])],
        "letters outside ASCII, also next to quotes and line breaks",
    );
}

#[test]
fn fields_borrow_from_the_input_unless_rewritten() {
    let input = String::from("plain,\"quoted\nfield\",\"esc\"\"aped\"\n");
    let record = records(&input).next().expect("one record");
    let owned: Vec<bool> = record
        .fields()
        .iter()
        .map(|field| matches!(field, Cow::Owned(_)))
        .collect();
    assert_eq!(
        owned,
        [false, false, true],
        "only the field with \"\" needs its own copy; the others are views into the input"
    );
}

#[test]
fn records_can_be_kept_while_reading_on() {
    let input = "a\nb\nc\n";
    let mut iter = records(input);
    let first = iter.next().expect("a first record");
    let rest: Vec<Record<'_>> = iter.collect();
    assert_eq!(
        first.field(0),
        Some("a"),
        "a record borrows the input, not the iterator"
    );
    assert_eq!(rest.len(), 2, "two more records after the first");
}

#[test]
fn the_iterator_is_done_after_the_last_record() {
    let mut iter = records("a\n\n");
    assert!(iter.next().is_some(), "one record");
    assert!(iter.next().is_none(), "trailing blank lines hold no record");
    assert!(
        iter.next().is_none(),
        "asking again after the end still gives None"
    );
}

#[test]
fn records_work_with_iterator_adapters() {
    let input = "id,amount\n1,10\n2,\n3,30\n";
    let missing: Vec<usize> = records(input)
        .skip(1)
        .filter(|record| record.field(1) == Some(""))
        .map(|record| record.line())
        .collect();
    assert_eq!(missing, [3], "the row with an empty amount is on line 3");
}

#[test]
fn owned_records_outlive_the_input() {
    let kept: Vec<Record<'static>> = {
        let upload = String::from("a,\"b\nc\"\nd\n");
        records(&upload).map(Record::into_owned).collect()
    };
    assert_eq!(kept.len(), 2);
    assert_eq!(kept[0].field(1), Some("b\nc"));
    assert_eq!(kept[1].line(), 3, "line numbers survive into_owned");
}
