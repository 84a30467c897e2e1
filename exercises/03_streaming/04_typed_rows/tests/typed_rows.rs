//! The graded tests of step 3.4. Read them: they are the specification.

use std::fmt;
use std::mem::discriminant;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use typed_rows::{
    ErrorBudget, ErrorKind, ImportError, Order, ParseError, ReadError, Reader, Rows, import_orders,
    import_orders_with,
};

/// A row type of the tests' own, to show that any `Deserialize` struct works.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
struct Customer {
    id: u32,
    name: String,
    vip: bool,
    note: Option<String>,
}

fn customer(id: u32, name: &str, vip: bool, note: Option<&str>) -> Customer {
    Customer {
        id,
        name: name.to_string(),
        vip,
        note: note.map(str::to_string),
    }
}

fn rows<T: serde::de::DeserializeOwned>(text: &str) -> Rows<&[u8], T> {
    Rows::new(Reader::new(text.as_bytes())).expect("the header should be fine")
}

/// (line, column, field, column name, kind) of an error, to compare in one assertion.
type Place = (usize, usize, usize, Option<String>, ErrorKind);

fn place(error: &ParseError) -> Place {
    let at = error.position();
    let name = error.column().map(str::to_string);
    (
        at.line,
        at.column,
        error.field(),
        name,
        error.kind().clone(),
    )
}

fn at(line: usize, column: usize, field: usize, name: Option<&str>, kind: ErrorKind) -> Place {
    (line, column, field, name.map(str::to_string), kind)
}

#[test]
fn columns_are_matched_by_name_in_any_order() {
    let text = "note,vip,name,id\nlikes tea,true,Ada,1\n,false,Grace,2\n";
    let read: Vec<Customer> = rows(text).map(|row| row.unwrap()).collect();
    assert_eq!(
        read,
        [
            customer(1, "Ada", true, Some("likes tea")),
            customer(2, "Grace", false, None)
        ],
        "an empty field is None for an Option column"
    );
}

#[test]
fn the_header_can_be_inspected() {
    let rows = rows::<Customer>("id,name,vip,note\n");
    let header = rows.header().expect("a header");
    assert_eq!(
        header.iter().collect::<Vec<_>>(),
        ["id", "name", "vip", "note"]
    );
    assert_eq!(header.len(), 4);
    assert_eq!(header.name(1), Some("name"));
}

#[test]
fn a_value_that_does_not_parse_is_a_row_error_naming_the_column() {
    let text = "id,name,vip,note\n1,Ada,yes,\nx,Bob,true,\n3,Cy,false,\n";
    let mut rows = rows::<Customer>(text);
    for expected in [(2, 7, 3, "vip"), (3, 1, 1, "id")] {
        match rows.next() {
            Some(Err(ReadError::Row(error))) => {
                let (line, column, field, name) = expected;
                assert_eq!(
                    place(&error),
                    at(line, column, field, Some(name), error.kind().clone()),
                    "the error points at the field and names its column"
                );
                assert!(matches!(error.kind(), ErrorKind::InvalidValue(_)));
            }
            other => panic!("expected a row error at {expected:?}, got {other:?}"),
        }
    }
    assert_eq!(
        rows.next().unwrap().unwrap(),
        customer(3, "Cy", false, None),
        "reading goes on after bad rows"
    );
    assert!(rows.next().is_none());
}

#[test]
fn the_message_says_where_which_column_and_why() {
    let mut rows = rows::<Customer>("id,name,vip,note\n12.5,Ada,true,\n");
    let error = rows.next().unwrap().unwrap_err();
    assert_eq!(
        error.to_string(),
        "line 2, column 1, field 1 \"id\": expected a whole number (invalid digit found in string); found \"12.5\""
    );
}

#[test]
fn short_and_long_rows_are_row_errors() {
    let text = "id,name,vip,note\n1,Ada\n2,Bob,true,,extra\n3,Cy,false,\n";
    let mut rows = rows::<Customer>(text);
    let short = rows.next().unwrap().unwrap_err();
    assert_eq!(
        place(short.parse_error().unwrap()),
        at(2, 6, 3, Some("vip"), ErrorKind::MissingField),
        "a short row: the first missing field, at the end of the row, named"
    );
    let long = rows.next().unwrap().unwrap_err();
    assert_eq!(
        place(long.parse_error().unwrap()),
        at(3, 13, 5, None, ErrorKind::ExtraField { columns: 4 }),
        "a long row: the first extra field, which has no column name"
    );
    assert!(!short.is_fatal() && !long.is_fatal(), "both cost one row");
    assert_eq!(
        rows.next().unwrap().unwrap(),
        customer(3, "Cy", false, None)
    );
}

#[test]
fn a_bad_value_in_a_record_a_quote_stretched_reports_the_quote_and_reads_the_lines_after_it() {
    // The quote on line 2 never closes where it should: it swallows line 3 and ends on line 4,
    // and the merged record has the header's four fields. Only its value gives it away.
    let text = "id,name,vip,note\n1,Ada,\"true\n2,Bob,false,\n3,Cy\",\n4,Di,true,\"two\nlines\"\n";
    let mut rows = rows::<Customer>(text);
    let merged = rows.next().unwrap().unwrap_err();
    assert_eq!(
        place(merged.parse_error().unwrap()),
        at(2, 7, 3, None, ErrorKind::UnclosedQuote),
        "the error points at the quote that did not close, not at a value made of three lines"
    );
    assert!(!merged.is_fatal(), "it costs its own row");
    assert_eq!(
        rows.next().unwrap().unwrap(),
        customer(2, "Bob", false, None),
        "the line after the quote's line is read again, as a row"
    );
    let stray = rows.next().unwrap().unwrap_err();
    assert_eq!(
        place(stray.parse_error().unwrap()),
        at(4, 5, 2, None, ErrorKind::StrayQuote),
        "the line where the quote ended is a row of its own too"
    );
    assert_eq!(
        rows.next().unwrap().unwrap(),
        customer(4, "Di", true, Some("two\nlines")),
        "a note that really spans two lines is still one field"
    );
    assert!(rows.next().is_none());
}

#[test]
fn a_bad_value_before_a_note_over_two_lines_costs_only_its_row() {
    // The note really spans two lines. The bad value is before it, on the quote's own line,
    // so the quote cannot explain it: one bad row, and the note's second line is not a row.
    let text = "id,name,vip,note\n1,Ada,maybe,\"two\nlines\"\n2,Bob,false,\n";
    let mut rows = rows::<Customer>(text);
    let bad = rows.next().unwrap().unwrap_err();
    let (line, column, field, name, kind) = place(bad.parse_error().unwrap());
    assert_eq!(
        (line, column, field, name.as_deref()),
        (2, 7, 3, Some("vip")),
        "the bad value itself is reported, not the quote after it"
    );
    assert!(matches!(kind, ErrorKind::InvalidValue(_)), "{kind:?}");
    assert_eq!(
        rows.next().unwrap().unwrap(),
        customer(2, "Bob", false, None)
    );
    assert!(
        rows.next().is_none(),
        "the note's second line was not read as a row"
    );
}

#[test]
fn a_duplicate_column_stops_at_the_header() {
    let result = Rows::<_, Customer>::new(Reader::new(&b"id,name,vip,name,note\n"[..]));
    match result {
        Err(ReadError::Fatal(error)) => assert_eq!(
            place(&error),
            at(1, 13, 4, Some("name"), ErrorKind::DuplicateColumn),
            "the second `name` is reported"
        ),
        other => panic!("expected a fatal duplicate column, got {other:?}"),
    }
}

#[test]
fn a_malformed_header_is_fatal_even_for_a_mistake_that_costs_one_row_elsewhere() {
    let result = Rows::<_, Customer>::new(Reader::new(&b"id,na\"me\n1,x\n"[..]));
    assert!(
        matches!(&result, Err(ReadError::Fatal(e)) if e.kind() == &ErrorKind::StrayQuote),
        "without a header no row can be read, so a bad header is fatal: got {result:?}"
    );
}

/// The fatal error `Rows::new` returns for `text`, or a panic saying what it returned instead.
fn header_error<T: serde::de::DeserializeOwned + fmt::Debug>(text: &str) -> ParseError {
    match Rows::<_, T>::new(Reader::new(text.as_bytes())) {
        Err(ReadError::Fatal(error)) => error,
        other => panic!("{text:?}: expected a fatal header error, got {other:?}"),
    }
}

#[test]
fn a_missing_column_is_fatal_at_the_header_whether_or_not_rows_follow() {
    for text in ["id,name,note\n1,Ada,\n2,Bob,\n", "id,name,note\n"] {
        assert_eq!(
            place(&header_error::<Customer>(text)),
            at(1, 13, 4, Some("vip"), ErrorKind::MissingColumn),
            "{text:?}: the header has no `vip`: reported at the end of the header, naming it"
        );
    }
    let error = header_error::<Customer>("id,name\n");
    assert!(
        error
            .to_string()
            .contains("expected the columns id, name, vip, note; found \"id\", \"name\""),
        "the message lists what was expected and what was found: {error}"
    );
    assert!(
        Rows::<_, Customer>::new(Reader::new(&b"vip,name,id\n"[..])).is_ok(),
        "`note` is an Option: its column may be left out"
    );
}

#[test]
fn a_header_error_says_what_was_expected_what_was_found_and_why() {
    // The lesson quotes this message: keep the two in step.
    assert_eq!(
        header_error::<Order>("customer_id;email;amount_cents\n1;a@example.com;5\n").to_string(),
        "line 1, column 31, field 2 \"customer_id\": missing column (add it to the header); \
         expected the columns customer_id, email, amount_cents; \
         found \"customer_id;email;amount_cents\"; \
         likely cause: the columns are separated by \";\", not commas: save the file as CSV \
         (comma delimited)"
    );
}

#[test]
fn header_mistakes_name_the_likely_cause() {
    let cases = [
        (
            "Orders export, March\ncustomer_id,email,amount_cents\n1,a@example.com,5\n",
            "line 2 looks like the header",
        ),
        (
            "sep=;\ncustomer_id;email;amount_cents\n1;a@example.com;5\n",
            "Excel's delimiter line",
        ),
        (
            "customer_id;email;amount_cents\n1;a@example.com;5\n",
            "separated by \";\"",
        ),
        ("customer_id\temail\tamount_cents\n", "separated by \"\\t\""),
        (
            "Customer_ID,email,amount_cents\n1,a@example.com,5\n",
            "write \"customer_id\", not \"Customer_ID\"",
        ),
        (
            "customer_id, email ,amount_cents\n1,a@example.com,5\n",
            "\" email \" has spaces around it",
        ),
        (
            "customer_id,,email,amount_cents\n1,,a@example.com,5\n",
            "a column has no name",
        ),
        ("name,phone\n", "none of the expected columns"),
    ];
    for (text, cause) in cases {
        let message = header_error::<Order>(text).to_string();
        assert!(
            message.contains(cause),
            "{text:?}: expected the message to name the cause {cause:?}, got {message:?}"
        );
    }
}

#[test]
fn a_header_error_quotes_at_most_a_dozen_names() {
    let names: Vec<String> = (1..=30).map(|n| format!("c{n}")).collect();
    let message = header_error::<Order>(&(names.join(",") + "\n")).to_string();
    assert!(
        message.contains("found \"c1\", \"c2\", ") && message.contains("\"c12\", and 18 more"),
        "a header of 30 columns: {message}"
    );
    assert!(!message.contains("\"c13\""), "{message}");
}

#[test]
fn an_excel_sep_line_for_commas_is_skipped() {
    let text = "sep=,\ncustomer_id,email,amount_cents\n1,a@example.com,5\n";
    let read: Vec<Order> = rows(text).map(|row| row.unwrap()).collect();
    assert_eq!(
        read.len(),
        1,
        "`sep=,` names the delimiter we read: skip it"
    );
}

#[test]
fn an_unnamed_last_column_is_accepted_while_its_fields_are_empty() {
    let text = "id,name,vip,note,\n1,Ada,true,,\n2,Bob,false,,oops\n3,Cy,false,,\n";
    let mut rows = rows::<Customer>(text);
    assert_eq!(
        rows.next().unwrap().unwrap(),
        customer(1, "Ada", true, None)
    );
    let error = rows.next().unwrap().unwrap_err();
    assert_eq!(
        place(error.parse_error().unwrap()),
        at(
            3,
            14,
            5,
            Some(""),
            error.parse_error().unwrap().kind().clone()
        ),
        "a value under the unnamed column would be lost: a row error at it"
    );
    assert!(error.to_string().contains("found \"oops\""), "{error}");
    assert_eq!(
        rows.next().unwrap().unwrap(),
        customer(3, "Cy", false, None)
    );
}

#[test]
fn row_errors_show_the_offending_value_escaped_and_shortened() {
    let long = "9".repeat(100);
    let text = format!("id,name,vip,note\n\u{feff}7,Ada,true,\n 5,Bob,true,\n{long},Cy,true,\n");
    let messages: Vec<String> = rows::<Customer>(&text)
        .map(|row| row.unwrap_err().to_string())
        .collect();
    assert!(
        messages[0].ends_with("; found \"\\u{feff}7\""),
        "{}",
        messages[0]
    );
    assert!(messages[1].ends_with("; found \" 5\""), "{}", messages[1]);
    assert!(
        messages[2].ends_with(&format!("; found \"{}\"...", "9".repeat(40))),
        "at most 40 characters of a value: {}",
        messages[2]
    );
}

/// A row type that reads its columns itself, as a map, like a hand-written `Deserialize` may.
/// serde cannot tell `Rows` its columns ahead of time, so header problems show at the first
/// row, through `describe`.
#[derive(Debug, PartialEq, Eq)]
struct Sku {
    code: String,
}

impl<'de> Deserialize<'de> for Sku {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Sku, D::Error> {
        deserializer.deserialize_map(SkuVisitor)
    }
}

struct SkuVisitor;

impl<'de> Visitor<'de> for SkuVisitor {
    type Value = Sku;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a row with the columns code and note")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Sku, A::Error> {
        let mut code = None;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "code" => code = Some(map.next_value::<String>()?),
                "note" => drop(map.next_value::<String>()?),
                other => return Err(de::Error::unknown_field(other, &["code", "note"])),
            }
        }
        code.map(|code| Sku { code })
            .ok_or_else(|| de::Error::missing_field("code"))
    }
}

#[test]
fn header_problems_a_row_type_reports_itself_are_fatal_at_the_first_row() {
    let mut missing = rows::<Sku>("note\nhello\n");
    match missing.next() {
        Some(Err(ReadError::Fatal(error))) => assert_eq!(
            place(&error),
            at(1, 5, 2, Some("code"), ErrorKind::MissingColumn),
            "the header has no `code`: reported at the end of the header, naming the column"
        ),
        other => panic!("expected a fatal missing column, got {other:?}"),
    }
    assert!(
        missing.next().is_none(),
        "no row can be right: the iteration ends"
    );
    match rows::<Sku>("code,price\nA1,5\n").next() {
        Some(Err(ReadError::Fatal(error))) => assert_eq!(
            place(&error),
            at(1, 6, 2, Some("price"), ErrorKind::UnknownColumn),
            "the column the row type refused, at its place in the header"
        ),
        other => panic!("expected a fatal unknown column, got {other:?}"),
    }
    let read: Vec<Sku> = rows("code\nA1\n").map(|row| row.unwrap()).collect();
    assert_eq!(
        read,
        [Sku {
            code: "A1".to_string()
        }]
    );
}

#[test]
fn unknown_columns_are_refused_only_when_the_row_type_says_so() {
    let text = "id,name,vip,note,extra\n1,Ada,true,,ignored\n";
    let read: Vec<Customer> = rows(text).map(|row| row.unwrap()).collect();
    assert_eq!(
        read,
        [customer(1, "Ada", true, None)],
        "Customer does not deny unknown fields: the extra column is ignored"
    );
    let text = "customer_id,email,amount,amount_cents\n1,a@example.com,5,5\n";
    assert_eq!(
        place(&header_error::<Order>(text)),
        at(1, 19, 3, Some("amount"), ErrorKind::UnknownColumn),
        "Order has #[serde(deny_unknown_fields)]: refused at the header"
    );
}

#[test]
fn empty_input_has_no_header_and_no_rows() {
    let mut empty = rows::<Customer>("");
    assert!(empty.header().is_none());
    assert!(empty.next().is_none());
    let mut header_only = rows::<Customer>("\n\nid,name,vip,note\n\n");
    assert_eq!(header_only.header().map(|h| h.len()), Some(4));
    assert!(header_only.next().is_none(), "a header only: no rows");
}

#[test]
fn one_record_buffer_serves_every_row() {
    let mut text = String::from("id,name,vip,note\n");
    for i in 0..500 {
        text.push_str(&format!("{i:04},Somebody,true,a note of some length\n"));
    }
    let mut rows = rows::<Customer>(&text);
    rows.next().unwrap().unwrap();
    let capacity = rows.record().capacity();
    for row in rows.by_ref() {
        row.unwrap();
    }
    assert_eq!(
        rows.record().capacity(),
        capacity,
        "the buffer is reused, not regrown"
    );
}

/// What importing a corpus file should give.
#[derive(Debug)]
enum Outcome {
    /// Imported: how many orders, and each bad row.
    Imported(usize, Vec<Place>),
    /// Stopped at the header. (Since an unclosed quote costs only its row, no file of the
    /// corpus stops after the header.)
    Header(Place),
}

fn same_kind(a: &Place, b: &Place) -> bool {
    (&a.0, &a.1, &a.2, &a.3) == (&b.0, &b.1, &b.2, &b.3) && discriminant(&a.4) == discriminant(&b.4)
}

fn check(name: &str, bytes: &[u8], expected: Outcome) {
    let generous = ErrorBudget {
        max_bad_rows: 100,
        max_bad_percent: 100,
    };
    let got = import_orders(bytes, &generous);
    let ok = match (&got, &expected) {
        (Ok(import), Outcome::Imported(orders, bad)) => {
            let found: Vec<Place> = import.report.bad_rows.iter().map(place).collect();
            import.orders.len() == *orders
                && found.len() == bad.len()
                && found.iter().zip(bad).all(|(a, b)| same_kind(a, b))
        }
        (Err(ImportError::Header(error)), Outcome::Header(expected)) => {
            same_kind(&place(error), expected)
        }
        _ => false,
    };
    assert!(ok, "{name}: expected {expected:?}, got {got:?}");
}

fn invalid() -> ErrorKind {
    ErrorKind::InvalidValue(String::new())
}

#[test]
fn the_corpus_imports_as_expected() {
    use Outcome::*;
    let table: Vec<(&str, &[u8], Outcome)> = vec![
        (
            "orders.csv",
            include_bytes!("corpus/orders.csv"),
            Imported(2, vec![]),
        ),
        (
            // Saved as UTF-16 (every other byte a NUL): not even the header can be read.
            "utf16 (inline)",
            b"c\0u\0s\0t\0o\0m\0e\0r\0_\0i\0d\0\n\0",
            Header(at(1, 1, 1, None, ErrorKind::Utf16)),
        ),
        (
            "empty.csv",
            include_bytes!("corpus/empty.csv"),
            Imported(0, vec![]),
        ),
        (
            "header_only.csv",
            include_bytes!("corpus/header_only.csv"),
            Imported(0, vec![]),
        ),
        (
            "blank_lines_and_mixed_endings.csv",
            include_bytes!("corpus/blank_lines_and_mixed_endings.csv"),
            Imported(3, vec![]),
        ),
        (
            "duplicate_headers.csv",
            include_bytes!("corpus/duplicate_headers.csv"),
            Header(at(1, 19, 3, Some("email"), ErrorKind::DuplicateColumn)),
        ),
        (
            "missing_column.csv",
            include_bytes!("corpus/missing_column.csv"),
            Header(at(1, 18, 3, Some("amount_cents"), ErrorKind::MissingColumn)),
        ),
        (
            "wrong_header_only.csv",
            include_bytes!("corpus/wrong_header_only.csv"),
            Header(at(1, 11, 3, Some("customer_id"), ErrorKind::MissingColumn)),
        ),
        (
            "unknown_column.csv",
            include_bytes!("corpus/unknown_column.csv"),
            Header(at(1, 32, 4, Some("note"), ErrorKind::UnknownColumn)),
        ),
        (
            "title_line.csv",
            include_bytes!("corpus/title_line.csv"),
            Header(at(1, 21, 3, Some("customer_id"), ErrorKind::MissingColumn)),
        ),
        (
            "semicolons.csv",
            include_bytes!("corpus/semicolons.csv"),
            Header(at(1, 31, 2, Some("customer_id"), ErrorKind::MissingColumn)),
        ),
        (
            "excel_sep_line.csv",
            include_bytes!("corpus/excel_sep_line.csv"),
            Imported(2, vec![]),
        ),
        (
            "trailing_delimiter.csv",
            include_bytes!("corpus/trailing_delimiter.csv"),
            Imported(1, vec![]),
        ),
        (
            "short_and_long_rows.csv",
            include_bytes!("corpus/short_and_long_rows.csv"),
            Imported(
                1,
                vec![
                    at(2, 16, 3, Some("amount_cents"), ErrorKind::MissingField),
                    at(3, 19, 4, None, ErrorKind::ExtraField { columns: 3 }),
                ],
            ),
        ),
        (
            "bad_values.csv",
            include_bytes!("corpus/bad_values.csv"),
            Imported(
                1,
                vec![
                    at(2, 17, 3, Some("amount_cents"), invalid()),
                    at(3, 1, 1, Some("customer_id"), invalid()),
                ],
            ),
        ),
        (
            "unclosed_quote.csv",
            include_bytes!("corpus/unclosed_quote.csv"),
            Imported(1, vec![at(2, 3, 2, None, ErrorKind::UnclosedQuote)]),
        ),
        (
            "latin1.csv",
            include_bytes!("corpus/latin1.csv"),
            Imported(1, vec![at(2, 5, 2, None, ErrorKind::InvalidUtf8)]),
        ),
        (
            "stray_quote.csv",
            include_bytes!("corpus/stray_quote.csv"),
            Imported(1, vec![at(2, 4, 2, None, ErrorKind::StrayQuote)]),
        ),
    ];
    for (name, bytes, expected) in table {
        check(name, bytes, expected);
    }
}

#[test]
fn imported_orders_hold_the_typed_values() {
    let import = import_orders(
        &include_bytes!("corpus/orders.csv")[..],
        &ErrorBudget::default(),
    )
    .unwrap();
    assert_eq!(
        import.orders,
        [
            Order {
                customer_id: 1,
                email: "ann@example.com".to_string(),
                amount_cents: 1250
            },
            Order {
                customer_id: 2,
                email: "bob@example.com".to_string(),
                amount_cents: -300
            },
        ]
    );
}

/// A reader that gives `text`, then fails: the end of the upload never comes.
struct FailsAfter<'a> {
    text: &'a [u8],
}

impl std::io::Read for FailsAfter<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.text.is_empty() {
            return Err(std::io::Error::other("connection reset"));
        }
        let len = self.text.len().min(buf.len());
        let (now, later) = self.text.split_at(len);
        buf[..len].copy_from_slice(now);
        self.text = later;
        Ok(len)
    }
}

#[test]
fn the_streaming_import_hands_on_each_order_as_it_is_read() {
    let generous = ErrorBudget {
        max_bad_rows: 100,
        max_bad_percent: 100,
    };
    let text =
        "customer_id,email,amount_cents\n1,a@example.com,5\nx,b@example.com,6\n3,c@example.com,7\n";
    let mut seen = Vec::new();
    let report = import_orders_with(text.as_bytes(), &generous, |order| {
        seen.push(order.customer_id)
    })
    .expect("one bad row is within the budget");
    assert_eq!(seen, [1, 3], "the good orders, in the order of the file");
    assert_eq!(
        (report.rows, report.good_rows(), report.bad_rows.len()),
        (3, 2, 1)
    );

    // An upload that breaks off: the orders before the break were handed on already, which
    // is what keeps memory flat (nothing waits for the end of the file).
    let mut seen = Vec::new();
    let upload = std::io::BufReader::new(FailsAfter {
        text: b"customer_id,email,amount_cents\n1,a@example.com,5\n2,b@example.com,6\n",
    });
    let result = import_orders_with(upload, &generous, |order| seen.push(order.customer_id));
    assert!(matches!(result, Err(ImportError::Io(_))), "{result:?}");
    assert_eq!(seen, [1, 2], "each order went on as soon as it was read");
}
