//! The graded tests of step 3.1. Read them: they are the specification.

use std::io::{self, BufRead, Read};

use buf_read::{ErrorBudget, ErrorKind, ImportError, ReadError, Reader, RecordBuf, import_orders};

/// A `BufRead` that hands out its input a few bytes at a time: 1, then 2, then 3, then 1...
///
/// Real readers (a socket, a decompressor, a slow disk) return whatever they have. Tiny reads
/// put a read boundary between every pair of bytes somewhere in the test input: inside a
/// field, between `\r` and `\n`, inside a quoted line break, inside `""`.
struct Trickle<'a> {
    rest: &'a [u8],
    sizes: &'a [usize],
    turn: usize,
}

fn trickle<'a>(input: &'a [u8], sizes: &'a [usize]) -> Trickle<'a> {
    Trickle {
        rest: input,
        sizes,
        turn: 0,
    }
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

/// Every record of `input` as (line, fields), or the row error's (line, kind) as `Err`.
type Row = Result<(usize, Vec<String>), (usize, ErrorKind)>;

fn read_all(input: impl BufRead) -> Vec<Row> {
    let mut reader = Reader::new(input);
    let mut record = RecordBuf::new();
    let mut rows = Vec::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => rows.push(Ok((
                record.line(),
                record.iter().map(str::to_string).collect(),
            ))),
            Ok(false) => return rows,
            Err(ReadError::Row(error)) => {
                rows.push(Err((error.position().line, error.kind().clone())))
            }
            Err(other) => panic!("unexpected error {other:?}"),
        }
    }
}

/// Reads `input` in one piece and in tiny pieces of several sizes, and compares each result
/// with `expected`.
fn check(input: &str, expected: &[Row], why: &str) {
    assert_eq!(
        read_all(input.as_bytes()),
        expected,
        "reading {input:?} in one piece: {why}"
    );
    for sizes in [&[1][..], &[2], &[3], &[1, 2, 3], &[3, 1, 1, 2]] {
        assert_eq!(
            read_all(trickle(input.as_bytes(), sizes)),
            expected,
            "reading {input:?} in pieces of {sizes:?} bytes must give the same records: {why}"
        );
    }
}

fn ok(line: usize, fields: &[&str]) -> Row {
    Ok((line, fields.iter().map(|f| f.to_string()).collect()))
}

#[test]
fn records_are_read_from_any_buf_read() {
    check(
        "id,name\n1,Ada\n2,Grace\n",
        &[
            ok(1, &["id", "name"]),
            ok(2, &["1", "Ada"]),
            ok(3, &["2", "Grace"]),
        ],
        "three lines, three records",
    );
    check(
        "a,b\nc,d",
        &[ok(1, &["a", "b"]), ok(2, &["c", "d"])],
        "the end of the input ends the last record",
    );
}

#[test]
fn empty_input_has_no_records_and_says_so_again() {
    let mut reader = Reader::new(&b""[..]);
    let mut record = RecordBuf::new();
    assert!(
        !reader.read_record(&mut record).unwrap(),
        "no record in \"\""
    );
    assert!(
        !reader.read_record(&mut record).unwrap(),
        "asking again after the end still says false"
    );
    assert!(record.is_empty());
}

#[test]
fn blank_lines_are_skipped_but_counted() {
    check(
        "\n\na,b\n\n\nc,d\n\n",
        &[ok(3, &["a", "b"]), ok(6, &["c", "d"])],
        "blank lines are not records, yet line numbers count them",
    );
    check("\n\n\n", &[], "only blank lines: no records");
}

#[test]
fn empty_fields_are_kept() {
    check(
        "a,\n,\n\"\"\n",
        &[ok(1, &["a", ""]), ok(2, &["", ""]), ok(3, &[""])],
        "a trailing comma, a lone comma, and a line holding only \"\"",
    );
}

#[test]
fn quoted_fields_keep_commas_line_breaks_and_escaped_quotes() {
    check(
        "id,note\n1,\"Smith, Ada\"\n2,\"first line\nsecond line\"\n3,\"say \"\"hi\"\"\"\n",
        &[
            ok(1, &["id", "note"]),
            ok(2, &["1", "Smith, Ada"]),
            ok(3, &["2", "first line\nsecond line"]),
            ok(5, &["3", "say \"hi\""]),
        ],
        "a line break inside quotes is data, and the next record starts on line 5",
    );
    check(
        "\"\"\"\"\n\"a\n\nb\"\n",
        &[ok(1, &["\""]), ok(2, &["a\n\nb"])],
        "a field that is only an escaped quote, and a quoted blank line",
    );
}

#[test]
fn unicode_is_kept_whole_across_read_boundaries() {
    check(
        "Zoë,\"東京,\n大阪\"\n🦀,Ünal\n",
        &[ok(1, &["Zoë", "東京,\n大阪"]), ok(3, &["🦀", "Ünal"])],
        "a read boundary may fall inside a character; the record must not",
    );
}

#[test]
fn a_bad_row_is_an_error_and_the_next_row_is_read() {
    check(
        "a,5\" screen\nb,\"ok\"x\nc,d\n",
        &[
            Err((1, ErrorKind::StrayQuote)),
            Err((2, ErrorKind::TextAfterQuote)),
            ok(3, &["c", "d"]),
        ],
        "one item per row; a row error does not stop the reader",
    );
}

#[test]
fn fields_know_where_they_start() {
    let mut reader = Reader::new(&b"\nid,name\n7,\"Zo\xc3\xab\",x\n"[..]);
    let mut record = RecordBuf::new();
    assert!(reader.read_record(&mut record).unwrap());
    assert!(reader.read_record(&mut record).unwrap());
    let position = record.position(2).expect("a third field");
    assert_eq!(
        (position.line, position.column, position.byte),
        (3, 9, 18),
        "the x is on line 3, in column 9 (ë is one character), at byte 18 (ë is two bytes)"
    );
    assert_eq!(record.field(1), Some("Zoë"));
    assert_eq!(record.field(3), None, "there is no fourth field");
    assert_eq!(record.number::<u32>(0), Ok(7));
}

#[test]
fn each_call_takes_only_one_record_from_the_input() {
    let mut input: &[u8] = b"a,b\nc,d\ne,f\n";
    let mut record = RecordBuf::new();
    {
        let mut reader = Reader::new(&mut input);
        assert!(reader.read_record(&mut record).unwrap());
    }
    assert_eq!(
        input, b"c,d\ne,f\n",
        "after one record, the rest of the input must still be unread: a streaming reader never reads ahead"
    );
}

#[test]
fn the_record_buffer_is_reused_not_regrown() {
    let mut input = String::new();
    for i in 0..2000 {
        input.push_str(&format!("{i:06},some text that repeats,\"quoted, too\"\n"));
    }
    let mut reader = Reader::new(input.as_bytes());
    let mut record = RecordBuf::new();
    assert!(reader.read_record(&mut record).unwrap());
    let first = record.capacity();
    assert!(first >= 40, "the buffer holds the first record's text");
    // Where the text lives in memory: the same address for every record means one allocation.
    let address = record.field(0).map(str::as_ptr);
    let mut count = 1;
    while reader.read_record(&mut record).unwrap() {
        count += 1;
        assert_eq!(
            (record.capacity(), record.field(0).map(str::as_ptr)),
            (first, address),
            "record {count}: equal rows must reuse the buffer the first row grew; clear it, do not replace it"
        );
    }
    assert_eq!(count, 2000);
}

#[test]
fn a_long_record_grows_the_buffer_once_and_it_stays_grown() {
    let long = "x".repeat(10_000);
    let input = format!("{long}\nshort\n{long}\n");
    let mut reader = Reader::new(input.as_bytes());
    let mut record = RecordBuf::new();
    assert!(reader.read_record(&mut record).unwrap());
    let grown = record.capacity();
    assert!(grown >= 10_000);
    assert!(reader.read_record(&mut record).unwrap());
    assert_eq!(record.field(0), Some("short"));
    assert_eq!(
        record.capacity(),
        grown,
        "a short record keeps the big buffer"
    );
    assert!(reader.read_record(&mut record).unwrap());
    assert_eq!(
        record.capacity(),
        grown,
        "the second long record fits without growing"
    );
}

/// A reader that fails with `kind` once its `prefix` is used up.
struct FailAfter<'a> {
    prefix: &'a [u8],
    kind: io::ErrorKind,
    failures: usize,
}

impl Read for FailAfter<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.prefix.is_empty() && self.failures > 0 {
            self.failures -= 1;
            return Err(io::Error::new(self.kind, "the network went away"));
        }
        self.prefix.read(buf)
    }
}

#[test]
fn an_io_error_is_returned_and_ends_the_reading() {
    let failing = FailAfter {
        prefix: b"a,b\nc,",
        kind: io::ErrorKind::ConnectionReset,
        failures: 1,
    };
    let mut reader = Reader::new(io::BufReader::new(failing));
    let mut record = RecordBuf::new();
    assert!(
        reader.read_record(&mut record).unwrap(),
        "the first record is whole"
    );
    match reader.read_record(&mut record) {
        Err(ReadError::Io(cause)) => assert_eq!(cause.kind(), io::ErrorKind::ConnectionReset),
        other => panic!("expected the I/O error, got {other:?}"),
    }
    assert!(
        !reader.read_record(&mut record).unwrap(),
        "after an I/O error the reader is finished"
    );
}

#[test]
fn an_interrupted_read_is_retried() {
    let interrupted = FailAfter {
        prefix: b"",
        kind: io::ErrorKind::Interrupted,
        failures: 2,
    };
    let input = io::BufReader::new(interrupted).chain(&b"a,b\n"[..]);
    assert_eq!(
        read_all(io::BufReader::new(input)),
        [ok(1, &["a", "b"])],
        "`Interrupted` means \"try again\", not \"stop\""
    );
}

#[test]
fn import_orders_streams_from_a_buf_read() {
    let text = "customer_id,email,amount_cents\n1,ann@example.com,100\n2,bob@example.com,x\n";
    let budget = ErrorBudget {
        max_bad_rows: 10,
        max_bad_percent: 50,
    };
    let import = import_orders(trickle(text.as_bytes(), &[1, 2]), &budget)
        .unwrap_or_else(|error| panic!("the import should succeed, got {error}"));
    assert_eq!(import.orders.len(), 1);
    assert_eq!(import.report.rows, 2);
    assert_eq!(import.report.bad_rows[0].position().line, 3);
}

#[test]
fn import_orders_stops_at_a_bad_header_without_reading_on() {
    // The header is malformed, and the reader after it fails. An import that read the whole
    // upload first would report the I/O error; a streaming one stops at the header.
    let failing = FailAfter {
        prefix: b"",
        kind: io::ErrorKind::ConnectionReset,
        failures: usize::MAX,
    };
    let input = io::BufReader::new(b"customer_id,\"email\"x\n".chain(failing));
    match import_orders(input, &ErrorBudget::default()) {
        Err(ImportError::Header(error)) => {
            assert_eq!(error.kind(), &ErrorKind::TextAfterQuote)
        }
        other => panic!("expected a header error, got {other:?}"),
    }
}
