//! The graded tests of step 3.3. Read them: they are the specification.

use std::io::{self, BufRead, BufReader, Read};

use limits::{ErrorKind, Limits, ReadError, Reader, RecordBuf};
use proptest::prelude::*;
use proptest::test_runner::RngSeed;

/// A `BufRead` that hands out its input a few bytes at a time (see step 3.1).
struct Trickle<'a> {
    rest: &'a [u8],
    sizes: &'a [usize],
    turn: usize,
}

impl Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.fill_buf()?.read(buf)?;
        self.consume(n);
        Ok(n)
    }
}

impl BufRead for Trickle<'_> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        let size = self.sizes[self.turn % self.sizes.len()];
        Ok(&self.rest[..size.min(self.rest.len())])
    }

    fn consume(&mut self, amount: usize) {
        self.rest = &self.rest[amount..];
        self.turn += 1;
    }
}

/// One outcome of `read_record`.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Row {
    /// A record: its line and fields.
    Record(usize, Vec<String>),
    /// A row error: line, column, field, kind. Reading goes on.
    Bad(usize, usize, usize, ErrorKind),
    /// A fatal error: line, column, field, kind. Reading stops.
    Fatal(usize, usize, usize, ErrorKind),
}

fn rec(line: usize, fields: &[&str]) -> Row {
    Row::Record(line, fields.iter().map(|f| f.to_string()).collect())
}

/// Reads everything `reader` gives, until the end or a fatal error.
fn read_all(reader: &mut Reader<impl BufRead>) -> Vec<Row> {
    let mut record = RecordBuf::new();
    let mut rows = Vec::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => rows.push(Row::Record(
                record.line(),
                record.iter().map(str::to_string).collect(),
            )),
            Ok(false) => return rows,
            Err(ReadError::Row(e)) => {
                let at = e.position();
                rows.push(Row::Bad(at.line, at.column, e.field(), e.kind().clone()));
            }
            Err(ReadError::Fatal(e)) => {
                let at = e.position();
                rows.push(Row::Fatal(at.line, at.column, e.field(), e.kind().clone()));
                assert!(
                    !reader.read_record(&mut record).unwrap(),
                    "after a fatal error the reader is finished"
                );
                return rows;
            }
            Err(ReadError::Io(e)) => panic!("unexpected I/O error {e}"),
        }
    }
}

/// Reads `input` with `limits`, in one piece and in pieces of 1 and 1-2-3 bytes.
fn check_with(name: &str, limits: Limits, input: &[u8], expected: &[Row]) {
    for sizes in [&[usize::MAX][..], &[1], &[1, 2, 3]] {
        let pieces = Trickle {
            rest: input,
            sizes,
            turn: 0,
        };
        assert_eq!(
            read_all(&mut Reader::with_limits(pieces, limits)),
            expected,
            "{name}: reading {:?} in pieces of {sizes:?} bytes",
            String::from_utf8_lossy(input)
        );
    }
}

fn check(name: &str, input: &[u8], expected: &[Row]) {
    check_with(name, Limits::default(), input, expected);
}

#[test]
fn the_corpus_reads_as_expected() {
    let table: &[(&str, &[u8], &[Row])] = &[
        (
            "bom.csv",
            include_bytes!("corpus/bom.csv"),
            &[rec(1, &["id", "name"]), rec(2, &["1", "Zoë"])],
        ),
        (
            "mixed_line_endings.csv",
            include_bytes!("corpus/mixed_line_endings.csv"),
            &[
                rec(1, &["id", "name"]),
                rec(2, &["1", "unix"]),
                rec(3, &["2", "old mac"]),
                rec(4, &["3", "windows"]),
                rec(5, &["4", "quoted\r\nbreak"]),
            ],
        ),
        (
            "latin1.csv",
            include_bytes!("corpus/latin1.csv"),
            &[
                rec(1, &["id", "name"]),
                rec(2, &["1", "Ada"]),
                Row::Bad(3, 5, 2, ErrorKind::InvalidUtf8),
                rec(4, &["3", "Grace"]),
            ],
        ),
        (
            "short_and_long_rows.csv",
            include_bytes!("corpus/short_and_long_rows.csv"),
            &[
                rec(1, &["id", "name", "amount"]),
                rec(2, &["1", "Ada"]),
                rec(3, &["2", "Bob", "10", "extra"]),
                rec(4, &["3", "Cy", "30"]),
            ],
        ),
        (
            "unclosed_quote.csv",
            include_bytes!("corpus/unclosed_quote.csv"),
            &[
                rec(1, &["id", "note"]),
                Row::Bad(2, 3, 2, ErrorKind::UnclosedQuote),
                rec(3, &["2", "x"]),
                rec(4, &["3", "y"]),
            ],
        ),
        (
            "stray_quote.csv",
            include_bytes!("corpus/stray_quote.csv"),
            &[
                rec(1, &["id", "size"]),
                Row::Bad(2, 4, 2, ErrorKind::StrayQuote),
                rec(3, &["2", "27 inch"]),
            ],
        ),
        (
            "embedded_newlines_and_quotes.csv",
            include_bytes!("corpus/embedded_newlines_and_quotes.csv"),
            &[
                rec(1, &["id", "note"]),
                rec(2, &["1", "two\nlines"]),
                rec(4, &["2", "say \"hi\""]),
                rec(5, &["3", "a, b"]),
            ],
        ),
        ("empty.csv", include_bytes!("corpus/empty.csv"), &[]),
        (
            "header_only.csv",
            include_bytes!("corpus/header_only.csv"),
            &[rec(1, &["customer_id", "email", "amount_cents"])],
        ),
        (
            "duplicate_headers.csv",
            include_bytes!("corpus/duplicate_headers.csv"),
            &[
                rec(1, &["id", "email", "email"]),
                rec(2, &["1", "a@example.com", "b@example.com"]),
            ],
        ),
        (
            "trailing_delimiter.csv",
            include_bytes!("corpus/trailing_delimiter.csv"),
            &[rec(1, &["a", "b", ""]), rec(2, &["1", "2", ""])],
        ),
        (
            "blank_lines.csv",
            include_bytes!("corpus/blank_lines.csv"),
            &[rec(3, &["id"]), rec(6, &["1"])],
        ),
    ];
    for (name, bytes, expected) in table {
        check(name, bytes, expected);
    }
}

#[test]
fn an_unclosed_quote_costs_its_own_row_and_no_other() {
    check(
        "the quote opens on line 2 and the input ends inside it: lines 3 and 4 are rows",
        b"a,b\nc,\"d\ne,f\ng,h\n",
        &[
            rec(1, &["a", "b"]),
            Row::Bad(2, 3, 2, ErrorKind::UnclosedQuote),
            rec(3, &["e", "f"]),
            rec(4, &["g", "h"]),
        ],
    );
    check(
        "an opening quote at the very end",
        b"a,\"",
        &[Row::Bad(1, 3, 2, ErrorKind::UnclosedQuote)],
    );
    check(
        "a closed quote with an escaped quote is fine",
        b"\"a\"\"\"",
        &[rec(1, &["a\""])],
    );
    check(
        "\"\" at the end is an escaped quote, so the field is still open",
        b"x\n\"a\"\"",
        &[rec(1, &["x"]), Row::Bad(2, 1, 1, ErrorKind::UnclosedQuote)],
    );
}

/// The uploads of issue 8: a customer forgot to close a quote on line 2.
const HEADER: &[u8] = b"customer_id,email,amount_cents\n";

fn upload(rows: &[u8]) -> Vec<u8> {
    [HEADER, rows].concat()
}

fn header() -> Row {
    rec(1, &["customer_id", "email", "amount_cents"])
}

#[test]
fn rows_after_an_unclosed_quote_are_read_as_rows() {
    check(
        "the next quote gives the merged record away (text after it)",
        &upload(b"1,\"a@x.com,100\n2,b@x.com,200\n3,\"c@x.com\",300\n4,d@x.com,400\n"),
        &[
            header(),
            Row::Bad(2, 3, 2, ErrorKind::UnclosedQuote),
            rec(3, &["2", "b@x.com", "200"]),
            rec(4, &["3", "c@x.com", "300"]),
            rec(5, &["4", "d@x.com", "400"]),
        ],
    );
    check(
        "the merged record has more fields than the header",
        &upload(b"1,\"a@x.com,100\n2,b@x.com\",200,7\n3,c@x.com,300\n"),
        &[
            header(),
            Row::Bad(2, 3, 2, ErrorKind::UnclosedQuote),
            Row::Bad(3, 10, 2, ErrorKind::StrayQuote),
            rec(4, &["3", "c@x.com", "300"]),
        ],
    );
    check(
        "the merged record has fewer fields than the header",
        &upload(b"1,\"a@x.com,100\n2\"\n3,c@x.com,300\n"),
        &[
            header(),
            Row::Bad(2, 3, 2, ErrorKind::UnclosedQuote),
            Row::Bad(3, 2, 1, ErrorKind::StrayQuote),
            rec(4, &["3", "c@x.com", "300"]),
        ],
    );
    check(
        "\\r\\n line ends, the quote's line included",
        &upload(b"1,\"a@x.com,100\r\n2,b@x.com,200\r\n"),
        &[
            header(),
            Row::Bad(2, 3, 2, ErrorKind::UnclosedQuote),
            rec(3, &["2", "b@x.com", "200"]),
        ],
    );
    check(
        "a mistake before the quote is the row's error",
        &upload(b"1\"x,\"a@x.com,100\n2,b@x.com,200\n"),
        &[
            header(),
            Row::Bad(2, 2, 1, ErrorKind::StrayQuote),
            rec(3, &["2", "b@x.com", "200"]),
        ],
    );
}

#[test]
fn a_quoted_field_may_still_hold_line_breaks() {
    check(
        "a note over three lines, with a comma and an escaped quote",
        &upload(b"1,\"a@x.com\",\"1\n2,\"\"3\"\"\n4\"\n5,e@x.com,500\n"),
        &[
            header(),
            rec(2, &["1", "a@x.com", "1\n2,\"3\"\n4"]),
            rec(5, &["5", "e@x.com", "500"]),
        ],
    );
    check(
        "the first record sets the number of fields; a short header is no reason to doubt",
        b"note\n\"two\nlines\"\n",
        &[rec(1, &["note"]), rec(2, &["two\nlines"])],
    );
}

#[test]
fn an_unclosed_quote_is_found_within_the_limits() {
    // The quote would swallow every row after it: the record limit ends the doubt after
    // 200 bytes, and the rows it held are read again.
    let limits = small(1000, 200, 10);
    let mut input = upload(b"1,\"a@x.com,100\n");
    let mut expected = vec![header(), Row::Bad(2, 3, 2, ErrorKind::UnclosedQuote)];
    for n in 0..100 {
        input.extend_from_slice(format!("{n},r{n}@x.com,{n}00\n").as_bytes());
        expected.push(Row::Record(
            n + 3,
            vec![n.to_string(), format!("r{n}@x.com"), format!("{n}00")],
        ));
    }
    check_with("100 rows after the quote", limits, &input, &expected);
}

#[test]
fn the_unclosed_quote_message_names_the_line() {
    let mut reader = Reader::new(&b"id,note\n1,\"oops\n2,x\n"[..]);
    let mut record = RecordBuf::new();
    assert!(reader.read_record(&mut record).unwrap());
    let error = reader.read_record(&mut record).unwrap_err();
    assert!(
        !error.is_fatal(),
        "an unclosed quote costs its row, not the file"
    );
    assert_eq!(
        error.to_string(),
        "line 2, column 3, field 2: quote opened here is never closed (close it, and write each quote inside it as \"\")"
    );
    assert!(reader.read_record(&mut record).unwrap());
    assert_eq!((record.line(), record.field(1)), (3, Some("x")));
}

#[test]
fn a_utf16_file_is_a_fatal_error() {
    let input: Vec<u8> = "id,name\n1,Zoë\n"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    check(
        "UTF-16, little-endian, no byte order mark",
        &input,
        &[Row::Fatal(1, 1, 1, ErrorKind::Utf16)],
    );
}

fn small(max_field_bytes: usize, max_record_bytes: usize, max_fields: usize) -> Limits {
    Limits {
        max_field_bytes,
        max_record_bytes,
        max_fields,
    }
}

fn field_too_long(limit: usize, quoted: bool) -> ErrorKind {
    ErrorKind::FieldTooLong { limit, quoted }
}

#[test]
fn a_field_may_be_as_long_as_the_limit_and_no_longer() {
    let limits = small(5, 100, 10);
    check_with("5 bytes", limits, b"12345,x\n", &[rec(1, &["12345", "x"])]);
    check_with(
        "6 bytes: a row error, and the next row is read",
        limits,
        b"ok\nx,123456\nnext\n",
        &[
            rec(1, &["ok"]),
            Row::Bad(2, 3, 2, field_too_long(5, false)),
            rec(3, &["next"]),
        ],
    );
    check_with(
        "a quoted field counts its text, not its quotes",
        limits,
        b"\"a\"\"bc\"\n",
        &[rec(1, &["a\"bc"])],
    );
    check_with(
        "a long quoted field on one line is reported at its opening quote",
        limits,
        b"x,\"1234,56\",y\nz\n",
        &[Row::Bad(1, 3, 2, field_too_long(5, true)), rec(2, &["z"])],
    );
    check_with(
        "a long quoted field over several lines is taken for an unclosed quote",
        limits,
        b"x,\"12\n34\n56\"\n",
        &[
            Row::Bad(1, 3, 2, ErrorKind::UnclosedQuote),
            rec(2, &["34"]),
            Row::Bad(3, 3, 1, ErrorKind::StrayQuote),
        ],
    );
    check_with(
        "a long field's row ends at its line, even inside quotes",
        limits,
        b"\"123456\nnext\n",
        &[
            Row::Bad(1, 1, 1, field_too_long(5, true)),
            rec(2, &["next"]),
        ],
    );
}

#[test]
fn only_a_field_that_starts_with_a_quote_gets_the_quote_hint() {
    assert_eq!(
        field_too_long(5, false).to_string(),
        "field longer than 5 bytes"
    );
    assert_eq!(
        field_too_long(5, true).to_string(),
        "field longer than 5 bytes (it starts with a quote: check that the quote is closed where the field should end)"
    );
}

#[test]
fn a_record_may_be_as_long_as_the_limit_and_no_longer() {
    let limits = small(5, 10, 10);
    check_with(
        "10 bytes of text",
        limits,
        b"12345,12345\n",
        &[rec(1, &["12345", "12345"])],
    );
    check_with(
        "11 bytes of text",
        limits,
        b"a\n12345,12345,1\nb\n",
        &[
            rec(1, &["a"]),
            Row::Bad(2, 1, 3, ErrorKind::RecordTooLong { limit: 10 }),
            rec(3, &["b"]),
        ],
    );
}

#[test]
fn a_record_may_have_as_many_fields_as_the_limit_and_no_more() {
    let limits = small(5, 100, 3);
    check_with("3 fields", limits, b"a,b,c\n", &[rec(1, &["a", "b", "c"])]);
    check_with(
        "4 fields",
        limits,
        b"a,b,c,d\ne\n",
        &[
            Row::Bad(1, 7, 4, ErrorKind::TooManyFields { limit: 3 }),
            rec(2, &["e"]),
        ],
    );
    check_with(
        "4 empty fields",
        limits,
        b",,,\n",
        &[Row::Bad(1, 4, 4, ErrorKind::TooManyFields { limit: 3 })],
    );
}

#[test]
fn replaced_bytes_count_against_the_limits() {
    // U+FFFD is three bytes: 4 invalid bytes become 12 bytes of text.
    let limits = small(10, 100, 10);
    let read = |input: &'static [u8]| {
        let mut reader = Reader::with_limits(input, limits).lossy_utf8();
        let mut record = RecordBuf::new();
        let mut rows = Vec::new();
        loop {
            match reader.read_record(&mut record) {
                Ok(true) => rows.push(Ok(record.iter().map(str::to_string).collect::<Vec<_>>())),
                Ok(false) => return rows,
                Err(error) => rows.push(Err(error.to_string())),
            }
        }
    };
    assert_eq!(
        read(b"a,\xFF\xFF\xFF\nb\n"),
        [
            Ok(vec!["a".to_string(), "\u{FFFD}".repeat(3)]),
            Ok(vec!["b".to_string()])
        ]
    );
    assert_eq!(
        read(b"a,\xFF\xFF\xFF\xFF\nb\n"),
        [
            Err("line 1, column 3, field 2: field longer than 10 bytes".to_string()),
            Ok(vec!["b".to_string()])
        ]
    );
}

#[test]
fn blank_lines_and_row_errors_do_not_count_against_the_next_record() {
    let limits = small(3, 6, 2);
    let mut input = vec![b'\n'; 10_000];
    input.extend_from_slice(b"a\"c,def\nabc,def\n");
    check_with(
        "many blank lines, a bad row, then a record exactly at every limit",
        limits,
        &input,
        &[
            Row::Bad(10_001, 2, 1, ErrorKind::StrayQuote),
            rec(10_002, &["abc", "def"]),
        ],
    );
}

#[test]
fn the_default_limits_are_finite_and_consistent() {
    let limits = Limits::default();
    assert!(limits.max_field_bytes >= 1024, "a long note must fit");
    assert!(limits.max_field_bytes <= limits.max_record_bytes);
    assert!(
        limits.max_record_bytes <= 64 * 1024 * 1024,
        "one record must not be allowed to take more than 64 MiB"
    );
    assert!((100..=100_000).contains(&limits.max_fields));
}

/// Counts the bytes taken from the reader it wraps.
struct Counting<R> {
    inner: R,
    taken: usize,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.taken += n;
        Ok(n)
    }
}

/// 32 times the limits below: enough to show that memory stays at the limit, small enough that
/// a reader without limits fails in seconds, not minutes.
const HUGE: u64 = 4 * 1024 * 1024;

/// Reads `start` followed by 4 MiB of `x`, made on the fly (never stored), then `end`, and
/// checks that the huge field is a row error at its start, that the buffer stays near the
/// limit, and that the row after it is read.
///
/// The field and record limits are both `limit` and the huge field is alone in its record, so
/// the field limit is the one that trips.
fn check_huge_field(start: &'static [u8], end: &'static [u8], limit: usize, at: (usize, usize)) {
    let limits = small(limit, limit, 16);
    let huge = start.chain(io::repeat(b'x').take(HUGE)).chain(end);
    let mut counting = Counting {
        inner: huge,
        taken: 0,
    };
    let mut record = RecordBuf::new();
    {
        let mut reader = Reader::with_limits(BufReader::new(&mut counting), limits);
        assert!(reader.read_record(&mut record).unwrap(), "the header");
        let error = reader.read_record(&mut record).unwrap_err();
        let Some(parse) = error.parse_error().filter(|_| !error.is_fatal()) else {
            panic!("expected a row error for the field's size, got {error:?}");
        };
        assert_eq!(parse.kind(), &field_too_long(limit, start.ends_with(b"\"")));
        assert_eq!(
            (parse.position().line, parse.position().column),
            at,
            "the error points at the start of the field"
        );
        assert!(
            record.capacity() <= limit + 4096,
            "the buffer must stay near the limit of {limit} bytes, but its capacity is {} bytes \
             (doubling can overshoot a limit that is not a power of two, and the rest of a row \
             over the limit is skipped, not stored)",
            record.capacity()
        );
        assert!(reader.read_record(&mut record).unwrap(), "the row after it");
        assert_eq!(record.field(0), Some("next"));
    }
    assert!(
        counting.taken > HUGE as usize,
        "the reader reads on to the end"
    );
}

#[test]
fn a_huge_unquoted_field_is_a_row_error_in_bounded_memory() {
    // A limit that is not a power of two: a buffer that only doubles would overshoot it.
    check_huge_field(b"note\n", b"\nnext\n", 100_000, (2, 1));
}

#[test]
fn a_huge_quoted_field_is_a_row_error_in_bounded_memory() {
    // An unclosed quote in a big upload with no other line break looks exactly like this.
    check_huge_field(b"note\n\n\"", b"\nnext\n", 128 * 1024, (3, 1));
}

/// Bytes a CSV reader must care about, often: delimiters, quotes, line breaks, the byte order
/// mark, a two-byte character's halves, bytes that are never UTF-8, and plain text.
fn csvish_bytes() -> impl Strategy<Value = Vec<u8>> {
    let byte = prop_oneof![
        Just(b','),
        Just(b'"'),
        Just(b'\r'),
        Just(b'\n'),
        Just(b'a'),
        Just(b'b'),
        Just(0xEF),
        Just(0xBB),
        Just(0xBF),
        Just(0xC3),
        Just(0xA9),
        Just(0xFF),
        any::<u8>(),
    ];
    proptest::collection::vec(byte, 0..48)
}

/// The same random inputs on every run, so the verdict on the same code never changes.
fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 512,
        rng_seed: RngSeed::Fixed(3_3),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    /// Whatever the bytes and wherever the reads split them, the reader gives the same
    /// records and errors as when it reads them whole, and never panics. With small limits,
    /// so that they trip often.
    #[test]
    fn any_bytes_read_the_same_in_any_pieces(
        input in csvish_bytes(),
        sizes in proptest::collection::vec(1usize..5, 1..4),
    ) {
        for limits in [small(6, 10, 3), Limits::default()] {
            let whole = read_all(&mut Reader::with_limits(&input[..], limits));
            let pieces = Trickle {
                rest: &input,
                sizes: &sizes,
                turn: 0,
            };
            let split = read_all(&mut Reader::with_limits(pieces, limits));
            prop_assert_eq!(whole, split, "limits {:?}", limits);
        }
    }
}
