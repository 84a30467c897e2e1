//! The graded tests of step 2.5. Read them: they are the specification.
//!
//! Each test feeds an input that crashed the starter and expects a proper answer instead.
//! The `proptest!` block at the end feeds random input to every entry point: when it finds a
//! panic, it shrinks the input to a small one and prints it as "minimal failing input".

use proptest::prelude::*;
use proptest::test_runner::RngSeed;

use no_panics::{
    EXCERPT_CHARS, ErrorBudget, ErrorKind, Import, Order, Position, Report, excerpt, import_orders,
    records,
};

const HEADER: &str = "customer_id,email,amount_cents\n";

fn lenient() -> ErrorBudget {
    ErrorBudget {
        max_bad_rows: usize::MAX,
        max_bad_percent: 100,
    }
}

fn import(text: &str) -> Import {
    import_orders(text.as_bytes(), &lenient()).expect("a lenient budget accepts any readable file")
}

/// The (line, field, kind) of every bad row of `text`, after the header.
fn bad_rows(text: &str) -> Vec<(usize, usize, ErrorKind)> {
    import(&format!("{HEADER}{text}"))
        .report
        .bad_rows
        .iter()
        .map(|error| (error.position().line, error.field(), error.kind().clone()))
        .collect()
}

fn is_invalid_number(kind: &ErrorKind) -> bool {
    matches!(kind, ErrorKind::InvalidNumber(_))
}

/// The fields of every record of `input`, as owned strings.
fn fields(input: &str) -> Vec<Vec<String>> {
    records(input)
        .map(|record| {
            let record = record.expect("the input has no quote mistakes");
            record
                .fields()
                .iter()
                .map(|field| field.to_string())
                .collect()
        })
        .collect()
}

fn at_byte(byte: usize) -> Position {
    // `excerpt` looks only at the byte offset; line and column are for people.
    Position {
        byte,
        ..Position::START
    }
}

fn orders(amounts: &[i64]) -> Import {
    Import {
        orders: amounts
            .iter()
            .map(|&amount_cents| Order {
                customer_id: 1,
                email: "ann@example.com".to_string(),
                amount_cents,
            })
            .collect(),
        report: Report::default(),
    }
}

#[test]
fn a_short_row_is_a_missing_field() {
    assert_eq!(
        bad_rows("1\n2,bob@example.com\n"),
        vec![
            (2, 2, ErrorKind::MissingField),
            (3, 3, ErrorKind::MissingField)
        ],
        "(line, field, kind): a row that ends early is a bad row, not an index out of bounds"
    );
}

#[test]
fn a_customer_id_that_is_not_a_number_is_a_bad_row() {
    let found = bad_rows("ann,ann@example.com,100\n,bob@example.com,100\n");
    assert_eq!(found.len(), 2, "two bad rows, no panic: {found:?}");
    for (line, field, kind) in &found {
        assert!(
            is_invalid_number(kind),
            "line {line}: expected InvalidNumber, got {kind:?}"
        );
        assert_eq!(*field, 1, "line {line}: the customer id is field 1");
    }
}

#[test]
fn a_carriage_return_at_the_very_end_is_data() {
    // A lone `\r` is not a line break, also when nothing follows it.
    assert_eq!(fields("a,b\r"), vec![vec!["a", "b\r"]]);
    assert_eq!(fields("\r"), vec![vec!["\r"]]);
    assert_eq!(fields("a\n\r"), vec![vec!["a"], vec!["\r"]]);
    assert_eq!(
        fields("a\r\n"),
        vec![vec!["a"]],
        "`\\r\\n` is still a line break"
    );
    let found = bad_rows("1,ann@example.com,100\r");
    assert_eq!(found.len(), 1, "`100\\r` is not a number: {found:?}");
    assert!(is_invalid_number(&found[0].2));
}

#[test]
fn an_excerpt_of_the_last_line_needs_no_line_break() {
    let text = "id,email\n1,ann@example.com";
    let error_at = text.find("ann").unwrap();
    assert_eq!(excerpt(text, at_byte(error_at)), Some("ann@example.com"));
    assert_eq!(excerpt(text, at_byte(text.len())), Some(""), "the very end");
}

#[test]
fn an_excerpt_stops_at_the_line_break() {
    let text = "1,\"cy\"@example.com,300\n4,dee\r\n5";
    assert_eq!(excerpt(text, at_byte(2)), Some("\"cy\"@example.com,300"));
    assert_eq!(
        excerpt(text, at_byte(text.find("dee").unwrap())),
        Some("dee")
    );
    assert_eq!(excerpt(text, at_byte(text.find('\n').unwrap())), Some(""));
}

#[test]
fn an_excerpt_counts_characters_and_never_cuts_one_in_half() {
    let text = "é".repeat(50);
    let shown = excerpt(&text, at_byte(0)).unwrap();
    assert_eq!(
        shown.chars().count(),
        EXCERPT_CHARS,
        "at most {EXCERPT_CHARS} characters, however many bytes they take"
    );
    // One ASCII byte first, so that the cut after EXCERPT_CHARS bytes falls inside an `é`.
    let text = format!("x{}", "é".repeat(50));
    let shown = excerpt(&text, at_byte(0)).unwrap();
    assert_eq!(shown, format!("x{}", "é".repeat(EXCERPT_CHARS - 1)));
    assert_eq!(excerpt("short", at_byte(1)), Some("hort"));
}

#[test]
fn an_excerpt_of_a_place_that_is_not_in_the_input_is_none() {
    assert_eq!(excerpt("abc", at_byte(4)), None, "past the end");
    assert_eq!(excerpt("café", at_byte(4)), None, "inside the `é`");
    assert_eq!(excerpt("", at_byte(usize::MAX)), None);
}

#[test]
fn a_total_that_fits_is_some() {
    assert_eq!(orders(&[]).total_cents(), Some(0));
    assert_eq!(orders(&[100, -30, 5]).total_cents(), Some(75));
    assert_eq!(
        orders(&[i64::MAX, 1, -1]).total_cents(),
        Some(i64::MAX),
        "only the total must fit"
    );
    assert_eq!(orders(&[i64::MIN]).total_cents(), Some(i64::MIN));
}

#[test]
fn a_total_that_overflows_is_none() {
    assert_eq!(orders(&[i64::MAX, 1]).total_cents(), None);
    assert_eq!(orders(&[i64::MIN, -1]).total_cents(), None);
    // Straight from an upload: two rows that are each fine.
    let text = format!(
        "{HEADER}1,a@example.com,{max}\n2,b@example.com,{max}\n",
        max = i64::MAX
    );
    let import = import(&text);
    assert_eq!(import.report.bad_rows, vec![], "both rows are good rows");
    assert_eq!(
        import.total_cents(),
        None,
        "their total does not fit in an i64"
    );
}

/// Text made of the characters a CSV parser must care about, so that random inputs hit the
/// interesting paths often: delimiters, quotes, both line breaks, digits, multi-byte text.
fn csvish() -> impl Strategy<Value = String> {
    prop_oneof!["[a1,\"\r\n é😀-]{0,40}", any::<String>(),]
}

/// 256 cases per property keep the whole file under a second in a debug build.
fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 256,
        // The same random inputs on every run, so the verdict on the same code never changes.
        rng_seed: RngSeed::Fixed(2_5),
        // No `proptest-regressions` files in the exercise folder: the tests above already
        // hold the inputs that matter.
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn records_returns_on_any_text(text in csvish()) {
        let mut last_line = 0;
        for record in records(&text).flatten() {
            prop_assert!(record.line() > last_line, "records come in the order of their lines");
            prop_assert!(!record.is_empty());
            last_line = record.line();
        }
    }

    #[test]
    fn import_orders_returns_on_any_rows(rows in csvish()) {
        let text = format!("{HEADER}{rows}");
        let _ = import_orders(text.as_bytes(), &lenient());
        let _ = import_orders(text.as_bytes(), &ErrorBudget::default());
    }

    #[test]
    fn import_orders_returns_on_any_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        let _ = import_orders(&bytes[..], &lenient());
    }

    #[test]
    fn excerpt_returns_on_any_place(text in csvish(), byte in 0usize..64) {
        if let Some(shown) = excerpt(&text, at_byte(byte)) {
            prop_assert!(shown.chars().count() <= EXCERPT_CHARS);
            prop_assert!(!shown.contains('\n'));
        }
    }

    #[test]
    fn the_total_is_the_exact_sum_when_it_fits(amounts in proptest::collection::vec(any::<i64>(), 0..6)) {
        let exact: i128 = amounts.iter().map(|&amount| i128::from(amount)).sum();
        prop_assert_eq!(orders(&amounts).total_cents(), i64::try_from(exact).ok());
    }

    #[test]
    fn unquoted_text_comes_back_field_by_field(text in "[a1,\n é]{0,40}") {
        // Without quotes and `\r`, a record is a non-blank line and a field is what lies
        // between commas. This checks that no piece of the input is lost or cut wrongly.
        let expected: Vec<Vec<String>> = text
            .split('\n')
            .filter(|line| !line.is_empty())
            .map(|line| line.split(',').map(str::to_string).collect())
            .collect();
        prop_assert_eq!(fields(&text), expected);
    }
}
