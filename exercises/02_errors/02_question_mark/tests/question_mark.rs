//! The graded tests of step 2.2. Read them: they are the specification.

use std::error::Error;
use std::io::{self, Read};
use std::num::{IntErrorKind, ParseIntError};

use question_mark::{ErrorKind, ImportError, Order, ParseError, Position, read_orders, records};

const HEADER: &str = "customer_id,email,amount_cents\n";

fn order(customer_id: u64, email: &str, amount_cents: i64) -> Order {
    Order {
        customer_id,
        email: email.to_string(),
        amount_cents,
    }
}

/// The `ParseError` inside `result`, which must be an `ImportError::Parse`.
fn parse_error(result: Result<Vec<Order>, ImportError>) -> ParseError {
    match result {
        Err(ImportError::Parse(error)) => error,
        other => panic!("expected ImportError::Parse, got {other:?}"),
    }
}

/// The messages of `error` and of every cause under it, outermost first.
fn chain(error: &dyn Error) -> Vec<String> {
    let mut messages = vec![error.to_string()];
    let mut cause = error.source();
    while let Some(error) = cause {
        messages.push(error.to_string());
        cause = error.source();
    }
    messages
}

/// A reader that hands out `good` and then fails, like a connection that drops.
struct FailsAfter {
    good: &'static [u8],
}

impl Read for FailsAfter {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.good.is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::ConnectionReset,
                "connection reset by peer",
            ));
        }
        let n = self.good.read(buf)?;
        Ok(n)
    }
}

#[test]
fn every_row_after_the_header_becomes_an_order() {
    let input = format!("{HEADER}1,ann@example.com,1250\n2,\"bob@example.com\",-300\n");
    let orders = read_orders(input.as_bytes()).unwrap();
    assert_eq!(
        orders,
        vec![
            order(1, "ann@example.com", 1250),
            order(2, "bob@example.com", -300)
        ],
        "a negative amount is a refund and is allowed"
    );
}

#[test]
fn an_empty_upload_and_a_header_alone_have_no_orders() {
    assert_eq!(read_orders("".as_bytes()).unwrap(), vec![]);
    assert_eq!(read_orders(HEADER.as_bytes()).unwrap(), vec![]);
}

#[test]
fn record_number_parses_whole_numbers() {
    let record = records("42,-7,x").next().unwrap().unwrap();
    assert_eq!(record.number::<u64>(0), Ok(42));
    assert_eq!(record.number::<i64>(1), Ok(-7));
    assert!(
        record.number::<u64>(1).is_err(),
        "-7 is not a valid u64 customer id"
    );
    assert!(record.number::<u64>(2).is_err());
}

#[test]
fn record_number_takes_the_text_as_it_is() {
    let record = records(" 42,4.0,42 ").next().unwrap().unwrap();
    for index in 0..3 {
        assert!(
            record.number::<u64>(index).is_err(),
            "field {} is {:?}: only the digits of a whole number are allowed, no spaces \
             and no decimal point, so a value is never changed silently",
            index + 1,
            record.field(index)
        );
    }
}

#[test]
fn a_bad_number_is_an_error_at_its_field() {
    let input = format!("{HEADER}1,ann@example.com,12.50\n");
    let error = parse_error(read_orders(input.as_bytes()));
    assert!(
        matches!(error.kind(), ErrorKind::InvalidNumber(_)),
        "expected InvalidNumber, got {:?}",
        error.kind()
    );
    assert_eq!(
        error.position(),
        Position {
            line: 2,
            column: 19,
            byte: 49
        },
        "the error points at the start of the amount field"
    );
    assert_eq!(error.field(), 3);
    assert_eq!(
        error.to_string(),
        "line 2, column 19, field 3: not a whole number"
    );
}

#[test]
fn a_number_error_keeps_the_parse_int_error_as_its_source() {
    let input = format!("{HEADER}7x,ann@example.com,100\n");
    let error = parse_error(read_orders(input.as_bytes()));
    let cause = error
        .source()
        .expect("a number error must keep its cause as source()");
    let cause = cause
        .downcast_ref::<ParseIntError>()
        .expect("the source must be the ParseIntError itself, not a copy of its text");
    assert_eq!(cause.kind(), &IntErrorKind::InvalidDigit);
}

#[test]
fn an_empty_or_huge_number_says_why_in_its_source() {
    let record = records("1,a@b.c,\n99999999999999999999,a@b.c,1")
        .map(Result::unwrap)
        .collect::<Vec<_>>();
    let empty = Order::from_record(&record[0]).unwrap_err();
    let cause = empty.source().unwrap().downcast_ref::<ParseIntError>();
    assert_eq!(cause.map(|c| c.kind()), Some(&IntErrorKind::Empty));
    let huge = Order::from_record(&record[1]).unwrap_err();
    let cause = huge.source().unwrap().downcast_ref::<ParseIntError>();
    assert_eq!(cause.map(|c| c.kind()), Some(&IntErrorKind::PosOverflow));
}

#[test]
fn a_short_row_is_a_missing_field_at_the_end_of_the_row() {
    let input = format!("{HEADER}1,ann@example.com\n");
    let error = parse_error(read_orders(input.as_bytes()));
    assert_eq!(error.kind(), &ErrorKind::MissingField);
    assert_eq!(
        error.field(),
        3,
        "the third field, amount_cents, is missing"
    );
    assert_eq!(
        error.position(),
        Position {
            line: 2,
            column: 18,
            byte: 48
        },
        "the error points just after the last field of the row"
    );
    assert!(error.source().is_none());
    assert_eq!(
        error.to_string(),
        "line 2, column 18, field 3: missing field (the row ends too early)"
    );
}

#[test]
fn quote_mistakes_from_step_2_1_stop_the_import_too() {
    let input = format!("{HEADER}1,\"ann\"@example.com,100\n");
    let error = parse_error(read_orders(input.as_bytes()));
    assert_eq!(error.kind(), &ErrorKind::TextAfterQuote);
    let input = "id,\"email\"x,amount\n1,a@b.c,1\n";
    let error = parse_error(read_orders(input.as_bytes()));
    assert_eq!(
        error.position().line,
        1,
        "a malformed header is an error too"
    );
}

#[test]
fn a_reader_that_fails_gives_an_io_error_with_its_cause() {
    let result = read_orders(FailsAfter {
        good: b"customer_id,email,amount_cents\n1,a",
    });
    let error = result.unwrap_err();
    assert!(
        matches!(error, ImportError::Io(_)),
        "expected ImportError::Io, got {error:?}"
    );
    assert_eq!(error.to_string(), "could not read the upload");
    let cause = error
        .source()
        .and_then(|cause| cause.downcast_ref::<io::Error>())
        .expect("the source must be the io::Error itself");
    assert_eq!(cause.kind(), io::ErrorKind::ConnectionReset);
}

#[test]
fn bytes_that_are_not_utf8_are_an_io_error() {
    let result = read_orders(&b"customer_id,email,amount_cents\n1,caf\xe9@example.com,1\n"[..]);
    match result {
        Err(ImportError::Io(cause)) => assert_eq!(cause.kind(), io::ErrorKind::InvalidData),
        other => panic!("expected ImportError::Io with InvalidData, got {other:?}"),
    }
}

#[test]
fn the_question_mark_operator_converts_both_errors() {
    // This function only compiles because of `From<io::Error>` and `From<ParseError>`.
    fn fail_with(
        error: Result<(), io::Error>,
        row: Result<(), ParseError>,
    ) -> Result<(), ImportError> {
        error?;
        row?;
        Ok(())
    }
    let io_error = io::Error::new(io::ErrorKind::PermissionDenied, "permission denied");
    assert!(matches!(
        fail_with(Err(io_error), Ok(())),
        Err(ImportError::Io(_))
    ));
    let row_error = ParseError::new(Position::START, 1, ErrorKind::StrayQuote);
    assert!(matches!(
        fail_with(Ok(()), Err(row_error.clone())),
        Err(ImportError::Parse(error)) if error == row_error
    ));
}

#[test]
fn a_report_of_the_whole_chain_says_everything_once() {
    let input = format!("{HEADER}1,ann@example.com,12.50\n");
    let error = read_orders(input.as_bytes()).unwrap_err();
    assert_eq!(
        chain(&error),
        vec![
            "line 2, column 19, field 3: not a whole number".to_string(),
            "invalid digit found in string".to_string(),
        ],
        "ImportError::Parse shows the ParseError, and its source is the ParseError's source"
    );
    let error = read_orders(FailsAfter { good: b"" }).unwrap_err();
    assert_eq!(
        chain(&error),
        vec![
            "could not read the upload".to_string(),
            "connection reset by peer".to_string(),
        ]
    );
}
