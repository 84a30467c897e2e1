//! The graded tests of step 2.1. Read them: they are the specification.

use std::error::Error;

use parse_error::{ErrorKind, ParseError, Position, records};

/// Every item of `input`: the fields of a good record, or the error of a bad one.
fn rows(input: &str) -> Vec<Result<Vec<String>, ParseError>> {
    records(input)
        .map(|item| item.map(|record| record.fields().iter().map(|f| f.to_string()).collect()))
        .collect()
}

/// The one error `input` should produce, wherever it is among the items.
fn only_error(input: &str) -> ParseError {
    let errors: Vec<ParseError> = records(input).filter_map(Result::err).collect();
    assert_eq!(errors.len(), 1, "expected exactly one bad row in {input:?}");
    errors.into_iter().next().unwrap()
}

fn at(line: usize, column: usize, byte: usize) -> Position {
    Position { line, column, byte }
}

/// Checks the position reached after advancing over every byte of `text` from the start.
fn check_advance(text: &str, expected: Position) {
    let mut position = Position::START;
    for &byte in text.as_bytes() {
        position.advance(byte);
    }
    assert_eq!(position, expected, "position after advancing over {text:?}");
}

#[test]
fn advance_counts_lines_columns_and_bytes() {
    check_advance("", at(1, 1, 0));
    check_advance("abc", at(1, 4, 3));
    check_advance("a\nb", at(2, 2, 3));
    check_advance("a\r\nbc", at(2, 3, 5));
    check_advance("\n\n\n", at(4, 1, 3));
}

#[test]
fn advance_counts_characters_not_bytes_for_the_column() {
    // `é` is two bytes and `日` is three, but each is one column in the customer's editor.
    check_advance("café", at(1, 5, 5));
    check_advance("日本", at(1, 3, 6));
    check_advance("é\né", at(2, 2, 5));
}

#[test]
fn a_stray_quote_is_an_error_at_the_quote() {
    let error = only_error("id,size\n7,5\" screen\n");
    assert_eq!(error.kind(), &ErrorKind::StrayQuote);
    assert_eq!(
        error.position(),
        at(2, 4, 11),
        "the quote is on line 2, column 4, the 12th byte (offset 11)"
    );
    assert_eq!(error.field(), 2, "the quote is in the second field");
}

#[test]
fn text_after_a_closing_quote_is_an_error_where_the_text_starts() {
    let error = only_error("\"ab\"c,d\n");
    assert_eq!(error.kind(), &ErrorKind::TextAfterQuote);
    assert_eq!(
        error.position(),
        at(1, 5, 4),
        "the `c` is at line 1, column 5"
    );
    assert_eq!(error.field(), 1);
}

#[test]
fn the_column_counts_characters_before_the_error() {
    // c a f é , " x " y : the `y` is the 9th character and byte offset 9 (é is 2 bytes).
    let error = only_error("café,\"x\"y\n");
    assert_eq!(error.kind(), &ErrorKind::TextAfterQuote);
    assert_eq!(error.position(), at(1, 9, 9));
    assert_eq!(error.field(), 2);
}

#[test]
fn an_error_inside_a_multi_line_field_reports_its_own_line() {
    let input = "id,note\n1,\"first line\nsecond\"x\n";
    let error = only_error(input);
    assert_eq!(
        error.position().line,
        3,
        "the record starts on line 2 but the mistake is on line 3"
    );
    assert_eq!(error.position().column, 8, "s-e-c-o-n-d, the quote, then x");
    assert_eq!(error.position().byte, input.find("\"x").unwrap() + 1);
    assert_eq!(error.field(), 2);
}

#[test]
fn lines_after_crlf_and_blank_lines_are_counted() {
    let error = only_error("a,b\r\n\r\n\nc,d\"\n");
    assert_eq!(error.position(), at(4, 4, 11));
}

#[test]
fn the_first_mistake_of_a_row_is_the_one_reported() {
    let error = only_error("a\"b,\"c\"d\n");
    assert_eq!(error.kind(), &ErrorKind::StrayQuote);
    assert_eq!(error.position(), at(1, 2, 1));
    assert_eq!(error.field(), 1);
}

#[test]
fn parsing_goes_on_after_a_bad_row() {
    let items = rows("1,ok\n2,ba\"d\n3,\"fine\"\n");
    assert_eq!(items.len(), 3, "three rows, one of them bad: {items:?}");
    assert_eq!(items[0], Ok(vec!["1".to_string(), "ok".to_string()]));
    assert!(items[1].is_err(), "the second row has a stray quote");
    assert_eq!(
        items[2],
        Ok(vec!["3".to_string(), "fine".to_string()]),
        "the row after a bad row must be read normally"
    );
}

#[test]
fn a_bad_row_that_spans_lines_is_skipped_as_a_whole() {
    let items = rows("\"a\nb\"x,\"c\nd\"\nnext\n");
    assert_eq!(items.len(), 2, "the bad row ends after `d\"`: {items:?}");
    assert!(items[0].is_err());
    assert_eq!(items[1], Ok(vec!["next".to_string()]));
}

#[test]
fn good_input_parses_as_in_part_1() {
    let input = "name,note\r\n\"Smith, Ann\",\"said \"\"hi\"\"\"\n\n\"two\nlines\",\n";
    let items = rows(input);
    assert_eq!(
        items,
        vec![
            Ok(vec!["name".to_string(), "note".to_string()]),
            Ok(vec!["Smith, Ann".to_string(), "said \"hi\"".to_string()]),
            Ok(vec!["two\nlines".to_string(), String::new()]),
        ]
    );
}

#[test]
fn records_know_where_each_field_starts_and_where_they_end() {
    let record = records("x\n\"ab\",é,\n").nth(1).unwrap().unwrap();
    assert_eq!(record.line(), 2);
    assert_eq!(record.position(0), Some(at(2, 1, 2)), "the opening quote");
    assert_eq!(record.position(1), Some(at(2, 6, 7)));
    assert_eq!(
        record.position(2),
        Some(at(2, 8, 10)),
        "the empty last field"
    );
    assert_eq!(record.position(3), None);
    assert_eq!(record.end(), at(2, 8, 10), "just before the line break");
}

#[test]
fn display_says_where_and_what_to_fix() {
    let error = only_error("id,size\n7,5\" screen\n");
    assert_eq!(
        error.to_string(),
        "line 2, column 4, field 2: unexpected quote in an unquoted field \
         (quote the whole field and write the quote as \"\")"
    );
    let error = ParseError::new(at(9, 3, 40), 1, ErrorKind::TextAfterQuote);
    assert_eq!(
        error.to_string(),
        "line 9, column 3, field 1: unexpected text after a closing quote \
         (quote the whole field and write each quote inside it as \"\")"
    );
}

#[test]
fn messages_are_lowercase_without_a_trailing_period() {
    for kind in [ErrorKind::StrayQuote, ErrorKind::TextAfterQuote] {
        let message = kind.to_string();
        assert!(
            message.starts_with(|c: char| c.is_lowercase()),
            "{message:?} should start lowercase"
        );
        assert!(
            !message.ends_with('.'),
            "{message:?} should not end with a period"
        );
    }
}

#[test]
fn parse_error_is_a_real_error_type() {
    fn assert_error<E: Error + Send + Sync + 'static>() {}
    assert_error::<ParseError>();

    let boxed: Box<dyn Error + Send + Sync> =
        Box::new(ParseError::new(at(1, 1, 0), 1, ErrorKind::StrayQuote));
    assert!(
        boxed.source().is_none(),
        "a quote mistake has no underlying cause"
    );
    assert!(boxed.to_string().starts_with("line 1, column 1, field 1: "));
}
