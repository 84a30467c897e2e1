//! The graded tests of step 2.3. Read them: they are the specification.

use std::error::Error;
use std::io::{self, Read};

use error_budget::{
    ErrorBudget, ErrorKind, Import, ImportError, Order, ParseError, Position, Report, import_orders,
};

const HEADER: &str = "customer_id,email,amount_cents\n";

/// A budget that only the percentage can exceed.
fn percent(max_bad_percent: u8) -> ErrorBudget {
    ErrorBudget {
        max_bad_rows: usize::MAX,
        max_bad_percent,
    }
}

/// A report of `rows` rows, `bad` of them bad.
fn report(rows: usize, bad: usize) -> Report {
    let error = ParseError::new(Position::START, 1, ErrorKind::MissingField);
    Report {
        rows,
        bad_rows: vec![error; bad],
    }
}

fn check_share(max_bad_percent: u8, rows: usize, bad: usize, exceeded: bool) {
    assert_eq!(
        percent(max_bad_percent).share_exceeded(&report(rows, bad)),
        exceeded,
        "{bad} bad of {rows} rows with a budget of {max_bad_percent}%: exceeded should be {exceeded}"
    );
}

/// `good` good rows and `bad` bad ones (an amount that is not a number), good ones first.
fn upload(good: usize, bad: usize) -> String {
    let mut text = HEADER.to_string();
    for i in 0..good {
        text.push_str(&format!("{i},c{i}@example.com,100\n"));
    }
    for i in 0..bad {
        text.push_str(&format!("{i},c{i}@example.com,lots\n"));
    }
    text
}

fn import(text: &str, budget: ErrorBudget) -> Result<Import, ImportError> {
    import_orders(text.as_bytes(), &budget)
}

#[test]
fn the_share_is_compared_exactly() {
    check_share(10, 10, 1, false);
    check_share(10, 10, 2, true);
    check_share(10, 110, 11, false); // exactly 10% is allowed
    check_share(10, 101, 11, true); // 10.9% is not, although 11 * 100 / 101 rounds down to 10
    check_share(10, 9, 1, true); // 11.1%
    check_share(0, 1000, 1, true);
    check_share(100, 5, 5, false);
}

#[test]
fn the_share_of_a_file_without_rows_is_not_exceeded() {
    check_share(10, 0, 0, false);
    check_share(0, 0, 0, false);
}

#[test]
fn the_count_is_exceeded_above_the_maximum_not_at_it() {
    let budget = ErrorBudget {
        max_bad_rows: 2,
        max_bad_percent: 100,
    };
    assert!(
        !budget.count_exceeded(&report(10, 2)),
        "2 bad rows of a maximum of 2 are allowed"
    );
    assert!(
        budget.count_exceeded(&report(10, 3)),
        "3 bad rows of a maximum of 2 are not"
    );
    let none = ErrorBudget {
        max_bad_rows: 0,
        max_bad_percent: 100,
    };
    assert!(!none.count_exceeded(&report(10, 0)));
    assert!(none.count_exceeded(&report(10, 1)));
}

#[test]
fn good_rows_are_imported_and_bad_rows_reported() {
    let text = format!(
        "{HEADER}1,ann@example.com,100\n2,bob@example.com,12.50\n3,\"cy\"@example.com,300\n\
         4,dee@example.com\n5,eve@example.com,500\n"
    );
    let import = import(&text, percent(100)).expect("a generous budget accepts the file");
    let ids: Vec<u64> = import
        .orders
        .iter()
        .map(|order| order.customer_id)
        .collect();
    assert_eq!(ids, vec![1, 5], "rows 1 and 5 are good");
    assert_eq!(import.report.rows, 5, "five rows after the header");
    let found: Vec<(usize, usize)> = import
        .report
        .bad_rows
        .iter()
        .map(|error| (error.position().line, error.field()))
        .collect();
    assert_eq!(
        found,
        vec![(3, 3), (4, 2), (5, 3)],
        "(line, field) of each bad row: a bad number, a quote mistake, a missing field"
    );
    assert!(matches!(
        import.report.bad_rows[0].kind(),
        ErrorKind::InvalidNumber(_)
    ));
    assert_eq!(import.report.bad_rows[1].kind(), &ErrorKind::TextAfterQuote);
    assert_eq!(import.report.bad_rows[2].kind(), &ErrorKind::MissingField);
}

#[test]
fn the_header_and_blank_lines_are_not_rows() {
    let text = format!("\n{HEADER}\n1,ann@example.com,100\n\n\n2,bob@example.com,200\n\n");
    let import = import(&text, ErrorBudget::default()).unwrap();
    assert_eq!(import.report.rows, 2);
    assert_eq!(import.report.bad_rows, vec![]);
    assert_eq!(
        import.orders[1],
        Order {
            customer_id: 2,
            email: "bob@example.com".to_string(),
            amount_cents: 200
        }
    );
}

#[test]
fn an_empty_upload_is_an_empty_import() {
    let import = import("", ErrorBudget::default()).unwrap();
    assert_eq!(import.orders, vec![]);
    assert_eq!(import.report, Report::default());
}

#[test]
fn a_file_within_its_budget_is_accepted_with_its_bad_rows() {
    let import = import(&upload(9, 1), percent(10)).expect("1 bad row of 10 is exactly 10%");
    assert_eq!(import.orders.len(), 9);
    assert_eq!(import.report.rows, 10);
    assert_eq!(import.report.bad_rows.len(), 1);
}

#[test]
fn a_file_over_its_share_is_rejected_with_the_whole_report() {
    let error = import(&upload(8, 2), percent(10)).unwrap_err();
    match error {
        ImportError::TooManyBadRows { report, budget } => {
            assert_eq!(report.rows, 10, "the share is judged on the whole file");
            assert_eq!(report.bad_rows.len(), 2);
            assert_eq!(budget, percent(10));
        }
        other => panic!("expected TooManyBadRows, got {other:?}"),
    }
}

#[test]
fn the_count_stops_reading_at_the_first_bad_row_over_the_maximum() {
    let budget = ErrorBudget {
        max_bad_rows: 2,
        max_bad_percent: 100,
    };
    let error = import(&upload(5, 50), budget).unwrap_err();
    match error {
        ImportError::TooManyBadRows { report, .. } => {
            assert_eq!(
                report.bad_rows.len(),
                3,
                "reading stops at the third bad row, not at the end of the file"
            );
            assert_eq!(report.rows, 8, "5 good rows, then 3 bad ones");
        }
        other => panic!("expected TooManyBadRows, got {other:?}"),
    }
}

#[test]
fn a_single_bad_row_does_not_stop_a_file_early() {
    // A careless budget checks the share after every row: one bad first row is then 100%.
    let mut text = HEADER.to_string();
    text.push_str("1,ann@example.com,oops\n");
    for i in 0..99 {
        text.push_str(&format!("{i},c{i}@example.com,1\n"));
    }
    let import = import(&text, percent(5)).expect("1 bad row of 100 is within 5%");
    assert_eq!(import.orders.len(), 99);
}

#[test]
fn the_budget_error_says_how_many_and_shows_the_first_bad_row() {
    let error = import(&upload(8, 2), percent(10)).unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "too many bad rows: 2 of the 10 rows read (at most {} rows and 10% may be bad)",
            usize::MAX
        )
    );
    let first = error
        .source()
        .expect("the source of a budget error is the first bad row");
    assert_eq!(
        first.to_string(),
        "line 10, column 18, field 3: not a whole number"
    );
}

#[test]
fn a_malformed_header_stops_the_file() {
    let text = "customer_id,\"email\"x,amount_cents\n1,ann@example.com,100\n";
    match import(text, percent(100)) {
        Err(ImportError::Header(error)) => {
            assert_eq!(error.kind(), &ErrorKind::TextAfterQuote);
            assert_eq!(error.position().line, 1);
        }
        other => panic!("expected ImportError::Header, got {other:?}"),
    }
}

#[test]
fn a_read_error_stops_the_file() {
    struct Broken;
    impl Read for Broken {
        fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
            Err(io::Error::new(io::ErrorKind::TimedOut, "read timed out"))
        }
    }
    let error = import_orders(Broken, &ErrorBudget::default()).unwrap_err();
    assert!(matches!(error, ImportError::Io(_)), "got {error:?}");
    assert_eq!(error.source().unwrap().to_string(), "read timed out");
}
