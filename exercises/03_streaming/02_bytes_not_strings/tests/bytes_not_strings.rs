//! The graded tests of step 3.2. Read them: they are the specification.

use std::io::{self, BufRead, Read};

use bytes_not_strings::{ErrorKind, ReadError, Reader, RecordBuf};

/// A `BufRead` that hands out its input a few bytes at a time (see step 3.1).
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

/// One outcome: a record's (line, fields), or a row error's (line, column, byte, field, kind).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Row {
    Record(usize, Vec<String>),
    Error(usize, usize, usize, usize, ErrorKind),
}

fn rec(line: usize, fields: &[&str]) -> Row {
    Row::Record(line, fields.iter().map(|f| f.to_string()).collect())
}

fn bad_utf8(line: usize, column: usize, byte: usize, field: usize) -> Row {
    Row::Error(line, column, byte, field, ErrorKind::InvalidUtf8)
}

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
            Err(ReadError::Row(error)) => {
                let at = error.position();
                let kind = error.kind().clone();
                rows.push(Row::Error(at.line, at.column, at.byte, error.field(), kind));
            }
            Err(other) => panic!("unexpected error {other:?}"),
        }
    }
}

/// Reads `input` in one piece and in tiny pieces, and compares each result with `expected`.
fn check(name: &str, input: &[u8], expected: &[Row]) {
    assert_eq!(
        read_all(&mut Reader::new(input)),
        expected,
        "{name}: reading {input:?} in one piece"
    );
    for sizes in [&[1][..], &[2], &[1, 2, 3], &[2, 1]] {
        assert_eq!(
            read_all(&mut Reader::new(trickle(input, sizes))),
            expected,
            "{name}: reading {input:?} in pieces of {sizes:?} bytes must give the same result"
        );
    }
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
                bad_utf8(3, 5, 18, 2),
                rec(4, &["3", "Grace"]),
            ],
        ),
    ];
    for (name, bytes, expected) in table {
        check(name, bytes, expected);
    }
}

#[test]
fn a_byte_order_mark_is_skipped_even_when_it_arrives_one_byte_at_a_time() {
    check("a lone mark", b"\xEF\xBB\xBF", &[]);
    check("a mark", b"\xEF\xBB\xBFa,b\n", &[rec(1, &["a", "b"])]);
    check(
        "a mark before a quote",
        b"\xEF\xBB\xBF\"a\",b",
        &[rec(1, &["a", "b"])],
    );
    // Three reads of one byte each: the mark is split in every possible place.
    let mut reader = Reader::new(trickle(b"\xEF\xBB\xBFid\n", &[1]));
    assert_eq!(read_all(&mut reader), [rec(1, &["id"])]);
}

#[test]
fn the_mark_counts_as_bytes_but_not_as_columns() {
    let mut reader = Reader::new(&b"\xEF\xBB\xBFab,c\n"[..]);
    let mut record = RecordBuf::new();
    assert!(reader.read_record(&mut record).unwrap());
    let second = record.position(1).unwrap();
    assert_eq!(
        (second.column, second.byte),
        (4, 6),
        "`c` is the fourth character a person sees, and the seventh byte of the file"
    );
}

#[test]
fn only_a_whole_mark_at_the_very_start_is_skipped() {
    check(
        "half a mark is not a mark",
        b"\xEF\xBBa\n",
        &[bad_utf8(1, 1, 0, 1)],
    );
    check(
        "a mark after a blank line is data",
        b"\n\xEF\xBB\xBFa\n",
        &[rec(2, &["\u{FEFF}a"])],
    );
    check(
        "a mark in the second record is data",
        b"a\n\xEF\xBB\xBFb\n",
        &[rec(1, &["a"]), rec(2, &["\u{FEFF}b"])],
    );
}

#[test]
fn cr_lf_and_crlf_all_end_a_record() {
    check(
        "each kind of line break",
        b"a\nb\rc\r\nd",
        &[
            rec(1, &["a"]),
            rec(2, &["b"]),
            rec(3, &["c"]),
            rec(4, &["d"]),
        ],
    );
    check(
        "a quoted field right before each kind",
        b"\"a\"\n\"b\"\r\"c\"\r\n\"d\"",
        &[
            rec(1, &["a"]),
            rec(2, &["b"]),
            rec(3, &["c"]),
            rec(4, &["d"]),
        ],
    );
    check(
        "blank lines of each kind",
        b"a\r\n\r\n\r\rb\n\nc",
        &[rec(1, &["a"]), rec(5, &["b"]), rec(7, &["c"])],
    );
}

#[test]
fn a_crlf_split_across_reads_is_one_line_break() {
    // In pieces of one byte, the `\r` and the `\n` always arrive in different reads.
    let mut reader = Reader::new(trickle(b"a\r\nb\r\n\r\nc\r\n", &[1]));
    assert_eq!(
        read_all(&mut reader),
        [rec(1, &["a"]), rec(2, &["b"]), rec(4, &["c"])],
        "a `\\n` right after a `\\r` belongs to it, even one read later"
    );
}

#[test]
fn line_breaks_inside_quotes_are_kept_as_written_and_counted() {
    check(
        "quoted line breaks",
        b"\"a\rb\",\"c\r\nd\",\"e\nf\"\nnext\n",
        &[rec(1, &["a\rb", "c\r\nd", "e\nf"]), rec(5, &["next"])],
    );
}

#[test]
fn invalid_utf8_is_a_row_error_at_its_byte() {
    check(
        "a Latin-1 é in the second field",
        b"id,name\n7,Ren\xE9e,x\n8,ok\n",
        &[
            rec(1, &["id", "name"]),
            bad_utf8(2, 6, 13, 2),
            rec(3, &["8", "ok"]),
        ],
    );
    check(
        "a bad byte inside quotes, after a quoted line break",
        b"\"line one\nline \xFF\"\n",
        &[bad_utf8(2, 6, 15, 1)],
    );
    check(
        "only the row's first bad byte is reported",
        b"\xFF,\xFE\n",
        &[bad_utf8(1, 1, 0, 1)],
    );
}

#[test]
fn a_character_cut_short_is_invalid_even_where_the_next_byte_would_complete_it() {
    check(
        "a comma inside a two-byte character",
        b"\xC3,\xA9\n",
        &[bad_utf8(1, 1, 0, 1)],
    );
    check(
        "a line break inside a three-byte character",
        b"ok\n\xE2\x82\nx\n",
        &[rec(1, &["ok"]), bad_utf8(2, 1, 3, 1), rec(3, &["x"])],
    );
    check(
        "the input ends inside a four-byte character",
        b"a,\xF0\x9F\xA6",
        &[bad_utf8(1, 3, 2, 2)],
    );
}

#[test]
fn overlong_forms_and_surrogates_are_not_utf8() {
    check("an overlong slash", b"\xC0\xAF\n", &[bad_utf8(1, 1, 0, 1)]);
    check(
        "a UTF-16 surrogate",
        b"a\xED\xA0\x80\n",
        &[bad_utf8(1, 2, 1, 1)],
    );
    check(
        "beyond U+10FFFF",
        b"\xF4\x90\x80\x80\n",
        &[bad_utf8(1, 1, 0, 1)],
    );
}

#[test]
fn valid_multibyte_characters_survive_every_read_boundary() {
    check(
        "two, three and four bytes",
        "é,€,🦀\n".as_bytes(),
        &[rec(1, &["é", "€", "🦀"])],
    );
}

#[test]
fn lossy_decoding_replaces_bad_bytes_only_when_asked() {
    let input = b"id,name\n7,Ren\xE9e,\"\xFF\xFE\"\n";
    let mut reader = Reader::new(&input[..]).lossy_utf8();
    assert_eq!(
        read_all(&mut reader),
        [
            rec(1, &["id", "name"]),
            rec(2, &["7", "Ren\u{FFFD}e", "\u{FFFD}\u{FFFD}"])
        ],
        "with lossy_utf8, each bad byte becomes U+FFFD and the field boundaries stay right"
    );
    let mut strict = Reader::new(&input[..]);
    assert_eq!(
        read_all(&mut strict)[1],
        bad_utf8(2, 6, 13, 2),
        "without it, the row is an error: never silently replaced"
    );
}

#[test]
fn a_lossy_row_with_a_mistake_does_not_change_how_the_next_row_is_decoded() {
    let input = b"a valid row\nZo\xEB,\"x\"y\nanother row\n";
    let mut reader = Reader::new(&input[..]).lossy_utf8();
    let mut record = RecordBuf::new();
    assert!(reader.read_record(&mut record).unwrap());
    let address = record.field(0).map(str::as_ptr);
    assert!(
        matches!(reader.read_record(&mut record), Err(ReadError::Row(_))),
        "text after a closing quote is still a row error in lossy mode"
    );
    assert!(reader.read_record(&mut record).unwrap());
    assert_eq!(record.field(0), Some("another row"));
    assert_eq!(
        record.field(0).map(str::as_ptr),
        address,
        "a valid row after the bad one is decoded normally, in the same buffer"
    );
}

#[test]
fn lossy_decoding_reuses_the_buffer_for_valid_rows() {
    let mut input = Vec::new();
    input.extend_from_slice(b"Zo\xEB\n");
    for _ in 0..100 {
        input.extend_from_slice(b"a valid row of text\n");
    }
    let mut reader = Reader::new(&input[..]).lossy_utf8();
    let mut record = RecordBuf::new();
    assert!(reader.read_record(&mut record).unwrap());
    assert_eq!(record.field(0), Some("Zo\u{FFFD}"));
    assert!(reader.read_record(&mut record).unwrap());
    let capacity = record.capacity();
    while reader.read_record(&mut record).unwrap() {
        assert_eq!(record.capacity(), capacity, "valid rows reuse the buffer");
    }
}

#[test]
fn a_long_run_of_invalid_bytes_is_one_error_and_the_next_row_is_read() {
    let mut input = b"id,note\n1,ok\n2,".to_vec();
    input.extend(std::iter::repeat_n(0xFF, 6_000));
    input.extend_from_slice(b"\n3,Zo\xEB and Ren\xE9e\n4,fine\n");
    check(
        "6,000 bytes of 0xFF, then a Latin-1 row",
        &input,
        &[
            rec(1, &["id", "note"]),
            rec(2, &["1", "ok"]),
            bad_utf8(3, 3, 15, 2),
            bad_utf8(4, 5, 6_020, 2),
            rec(5, &["4", "fine"]),
        ],
    );
}

/// Reads `input` whole and a byte at a time, and returns the first error's message, after
/// which reading must end.
fn first_fatal(input: &[u8]) -> String {
    let mut messages = Vec::new();
    for sizes in [&[usize::MAX][..], &[1]] {
        let mut reader = Reader::new(trickle(input, sizes));
        let mut record = RecordBuf::new();
        let message = loop {
            match reader.read_record(&mut record) {
                Ok(true) => {}
                Ok(false) => break "no error".to_string(),
                Err(error) => {
                    assert!(
                        !reader.read_record(&mut record).unwrap(),
                        "a UTF-16 file is refused as a whole: reading ends after {error}"
                    );
                    break error.to_string();
                }
            }
        };
        messages.push(message);
    }
    assert_eq!(
        messages[0], messages[1],
        "whole and in pieces, the same verdict"
    );
    messages.remove(0)
}

/// `text` as UTF-16, little-endian or big-endian, with or without a byte order mark.
fn utf16(text: &str, little_endian: bool, mark: bool) -> Vec<u8> {
    let units = mark
        .then_some(0xFEFF)
        .into_iter()
        .chain(text.encode_utf16());
    units
        .flat_map(|unit| {
            if little_endian {
                unit.to_le_bytes()
            } else {
                unit.to_be_bytes()
            }
        })
        .collect()
}

#[test]
fn a_utf16_file_is_named_as_such() {
    let expected = "line 1, column 1, field 1: the file is UTF-16, not UTF-8 (save it as UTF-8)";
    for little_endian in [true, false] {
        for mark in [true, false] {
            let input = utf16("id,name\r\n1,Zoë\r\n", little_endian, mark);
            assert_eq!(
                first_fatal(&input),
                expected,
                "little-endian: {little_endian}, byte order mark: {mark}"
            );
        }
    }
}

#[test]
fn a_nul_byte_after_the_first_line_is_only_a_byte() {
    check(
        "NUL on line 2",
        b"id\n\x00\n",
        &[rec(1, &["id"]), rec(2, &["\0"])],
    );
}
