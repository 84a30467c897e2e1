//! The streaming reader: records from any `BufRead`, one at a time, in a reused buffer.

use std::io::{self, BufRead};

use crate::record::RecordBuf;
use crate::utf8::Utf8Check;
use crate::{ErrorKind, ParseError, Position, ReadError, is_utf8_continuation};

/// Reads CSV records from any [`BufRead`]: a file, a socket, a decompressor, a byte slice.
///
/// - Fields are separated by `,`. A field in double quotes may contain `,`, line breaks, and
///   `""` for one `"`.
/// - `\n`, `\r\n` and a lone `\r` all end a record. Blank lines are skipped (but counted).
/// - A UTF-8 byte order mark at the start is skipped. A UTF-16 file is refused as a whole.
/// - Text must be UTF-8. An invalid byte makes its row an error, unless
///   [`Reader::lossy_utf8`] asks for U+FFFD instead.
/// - The reader holds one record, never the file.
///
/// Rejected: reading the whole upload into a `String` first (memory grows with the upload, and
/// nothing can be imported until all of it has arrived), and `BufRead::lines` (it allocates a
/// `String` per line, cannot see a line break inside quotes, and reports invalid UTF-8 as an
/// `io::Error` that says neither where nor in which field).
#[derive(Debug)]
pub struct Reader<R> {
    inner: R,
    /// Everything but the input, so that the parser can be borrowed mutably while the input's
    /// buffer is borrowed by `fill_buf`.
    parser: Parser,
}

impl<R: BufRead> Reader<R> {
    /// A reader over `inner`.
    pub fn new(inner: R) -> Reader<R> {
        Reader {
            inner,
            parser: Parser::new(),
        }
    }

    /// Replaces invalid UTF-8 with U+FFFD instead of reporting the row.
    ///
    /// Only when the caller asks: a replaced byte is a changed value (`Zoë` in Latin-1 becomes
    /// `Zo\u{FFFD}`), which is fine for a preview and wrong for an import.
    pub fn lossy_utf8(mut self) -> Reader<R> {
        self.parser.lossy = true;
        self
    }

    /// Where the next byte will be read from.
    pub fn position(&self) -> Position {
        self.parser.position
    }

    /// The underlying reader.
    pub fn into_inner(self) -> R {
        self.inner
    }

    /// Reads the next record into `record`, replacing what it held.
    ///
    /// Returns `Ok(true)` when `record` holds a record, `Ok(false)` at the end of the input.
    /// Pass the same `record` again and again: its buffers are reused, so reading allocates
    /// only while the records still grow.
    ///
    /// # Errors
    ///
    /// - [`ReadError::Row`]: this row is malformed or not UTF-8. The reader has moved past it;
    ///   call again for the next row. Except for [`ErrorKind::Utf16`]: no row of a UTF-16 file
    ///   can be read, so the reader is finished (step 3.3 makes this a fatal error).
    /// - [`ReadError::Io`]: the underlying reader failed (`Interrupted` is retried).
    ///
    /// After a fatal or I/O error the reader is finished and returns `Ok(false)`. On any
    /// error, `record` is left empty.
    pub fn read_record(&mut self, record: &mut RecordBuf) -> Result<bool, ReadError> {
        // The record's text buffer, lent to the parser as bytes and always given back, so its
        // allocation survives every outcome (see `RecordBuf::start`).
        let mut bytes = record.start();
        let outcome = self.fill(&mut bytes, record);
        let parser = &mut self.parser;
        match outcome {
            Ok(true) => {}
            Ok(false) => {
                record.restore(bytes);
                return Ok(false);
            }
            Err(error) => {
                parser.finished = true;
                record.restore(bytes);
                return Err(error);
            }
        }
        // Taken before anything else, so that the flag never leaks into the next record.
        let lossy = std::mem::take(&mut parser.invalid_utf8);
        if std::mem::take(&mut parser.utf16) {
            // No row of a UTF-16 file can be read as UTF-8: the file is refused as a whole,
            // by its cause, instead of one "invalid UTF-8" per row.
            parser.finished = true;
            record.restore(bytes);
            return Err(ReadError::Row(ParseError::new(
                Position::START,
                1,
                ErrorKind::Utf16,
            )));
        }
        // A row error found anywhere in the record. Reported only now, after the whole row
        // was read, so that the next call starts cleanly at the next row.
        if let Some(mistake) = parser.mistake.take() {
            record.restore(bytes);
            return Err(ReadError::Row(mistake));
        }
        if lossy {
            record.finish_lossy(bytes);
        } else if !record.finish(bytes) {
            // Unreachable if `Utf8Check` agrees with the standard library, which its tests
            // check; if it ever does not, the row is refused, never handed out unchecked.
            let at = record.position(0).unwrap_or(record.end());
            return Err(ReadError::Row(ParseError::new(
                at,
                1,
                ErrorKind::InvalidUtf8,
            )));
        }
        Ok(true)
    }

    /// Feeds input to the parser until a record is complete (`true`) or the input ends.
    fn fill(&mut self, bytes: &mut Vec<u8>, record: &mut RecordBuf) -> Result<bool, ReadError> {
        if self.parser.finished {
            return Ok(false);
        }
        if !self.parser.bom_checked {
            self.skip_bom(bytes, record)?;
        }
        loop {
            // `fill_buf` lends the reader's own buffer: no copy, and no allocation here.
            let buf = match self.inner.fill_buf() {
                Ok(buf) => buf,
                Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                Err(error) => return Err(ReadError::Io(error)),
            };
            if buf.is_empty() {
                return self.parser.end_of_input(bytes, record);
            }
            // The parser takes bytes until a record ends, and says how many it took: only
            // those are consumed, so the rest of `buf` is there for the next record.
            let (used, flow) = self.parser.feed(buf, bytes, record);
            self.inner.consume(used);
            if flow == Flow::Record {
                return Ok(true);
            }
        }
    }

    /// Skips a byte order mark, even one that arrives one byte per read.
    ///
    /// `fill_buf` may return fewer than three bytes, so the mark is matched a byte at a time
    /// and each matching byte consumed. If the input only starts like a mark, the bytes taken
    /// were data after all and go to the parser.
    fn skip_bom(&mut self, bytes: &mut Vec<u8>, record: &mut RecordBuf) -> Result<(), ReadError> {
        // TODO(3.2): what must hold (lesson: "The concept: the input is bytes"):
        // - a mark `EF BB BF` at the very start is skipped, however the reads cut it
        //   (`a_byte_order_mark_is_skipped_even_when_it_arrives_one_byte_at_a_time`);
        // - its three bytes count as bytes, not as a column: after the mark, `ab,c` has its
        //   `c` at column 4, byte 6 (`the_mark_counts_as_bytes_but_not_as_columns`);
        // - input that only starts like a mark (`EF BB` then `a`) loses nothing: those bytes
        //   are data of the first field, here invalid UTF-8 at byte 0
        //   (`only_a_whole_mark_at_the_very_start_is_skipped`);
        // - nothing after the mark is taken from the input: that is `fill`'s work;
        //   `Interrupted` is tried again, any other I/O error is `ReadError::Io`.
        // At hand: `Position::skip_byte` (a byte that is not a column) and `Parser::step` (one
        // byte of data, as `feed` gives them).
        let _ = (bytes, record);
        self.parser.bom_checked = true;
        Ok(())
    }
}

/// What the parser says after a byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flow {
    /// Keep feeding bytes.
    More,
    /// The byte ended a record.
    Record,
}

/// Where the parser is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Between records: line breaks here are blank lines.
    RecordStart,
    /// Nothing of the field read yet.
    FieldStart,
    /// Inside a field that did not start with a quote.
    Unquoted,
    /// Inside a quoted field.
    Quoted,
    /// Just read a `"` inside a quoted field: the closing quote, or the first half of `""`.
    QuoteInQuoted,
}

/// The state machine of Part 2, fed one byte at a time.
///
/// Feeding bytes (a push parser) rather than walking a slice is what makes streaming work: a
/// record may start in one `fill_buf` and end three reads later, and every piece of state that
/// must survive between reads is a field here, including the `\r` whose `\n` has not arrived.
#[derive(Debug)]
struct Parser {
    lossy: bool,
    /// Where the next byte is.
    position: Position,
    bom_checked: bool,
    /// The last byte was a `\r` line break, so a `\n` now belongs to it.
    after_cr: bool,
    /// The input ended, or a fatal error happened.
    finished: bool,
    state: State,
    utf8: Utf8Check,
    /// The current record had invalid UTF-8 and `lossy` is set.
    invalid_utf8: bool,
    /// A NUL byte on the first line: the file is UTF-16.
    utf16: bool,
    /// The current record's first row error.
    mistake: Option<ParseError>,
}

impl Parser {
    fn new() -> Parser {
        Parser {
            lossy: false,
            position: Position::START,
            bom_checked: false,
            after_cr: false,
            finished: false,
            state: State::RecordStart,
            utf8: Utf8Check::default(),
            invalid_utf8: false,
            utf16: false,
            mistake: None,
        }
    }

    /// Feeds bytes from `buf` until a record ends. Returns how many bytes it used, and why it
    /// stopped (`Flow::More` when `buf` ran out first).
    fn feed(&mut self, buf: &[u8], bytes: &mut Vec<u8>, record: &mut RecordBuf) -> (usize, Flow) {
        let mut used = 0;
        while let Some(rest) = buf.get(used..).filter(|rest| !rest.is_empty()) {
            // Most bytes of an upload are text inside a field. Copying a run of them in one
            // go, instead of one `step` per byte, makes the reader several times faster;
            // `step` still sees every byte that means something, starting with the one that
            // ended the run.
            used += self.text_run(rest, bytes, record);
            let Some(&byte) = buf.get(used) else { break };
            used += 1;
            if self.step(byte, bytes, record) == Flow::Record {
                return (used, Flow::Record);
            }
        }
        (used, Flow::More)
    }

    /// Takes the text at the start of `rest` in one go, and returns how many bytes that was:
    /// 0 when `step` must look at the next byte.
    ///
    /// Text is every byte that changes no state: outside quotes anything but `,`, `"` and line
    /// breaks, inside quotes anything but `"` and line breaks (a `,` there is data). A field's
    /// first byte starts a run too, unless it is a quote: the field is then unquoted.
    fn text_run(&mut self, rest: &[u8], bytes: &mut Vec<u8>, record: &mut RecordBuf) -> usize {
        // After a `\r`, or in the middle of a multi-byte character, the next byte matters.
        if self.after_cr || !self.utf8.is_clear() {
            return 0;
        }
        let quoted = match self.state {
            State::Quoted => true,
            State::RecordStart | State::FieldStart | State::Unquoted => false,
            // Only the byte after it says whether this quote closed the field or was half of
            // a `""`.
            State::QuoteInQuoted => return 0,
        };
        let end = rest
            .iter()
            .position(|&byte| match class(byte) {
                Class::Text | Class::NonAscii => false,
                Class::Comma => !quoted,
                Class::Quote | Class::LineBreak => true,
            })
            .unwrap_or(rest.len());
        let Some(text) = rest.get(..end) else {
            return 0;
        };
        // ASCII is always valid. Other text is checked by the standard library, in one go,
        // unless the row is bad already (or to be decoded lossily): its text is never handed
        // out as it is.
        let check = !text.is_ascii() && self.mistake.is_none() && !self.invalid_utf8;
        let mut run = text.len();
        let mut broken_at = None;
        if check && let Err(error) = std::str::from_utf8(text) {
            let valid = text.get(..error.valid_up_to()).unwrap_or_default();
            if error.error_len().is_none() {
                // A character cut off by the end of the buffer or of the run: `step` walks it
                // byte by byte with `Utf8Check`, which remembers it between reads.
                run = valid.len();
            } else {
                // Broken here: reported here, and the rest of the run taken all the same.
                // Stopping at the bad byte instead would scan the rest of the run again for
                // every bad byte after it: 60,000 bad bytes would cost 60,000 scans.
                broken_at = Some(Position {
                    column: self.position.column + characters(valid),
                    byte: self.position.byte + valid.len(),
                    ..self.position
                });
            }
        }
        let Some(taken) = text.get(..run).filter(|taken| !taken.is_empty()) else {
            return 0;
        };
        if self.state == State::RecordStart {
            record.start_field(self.position);
        }
        if !quoted {
            self.state = State::Unquoted;
        }
        if let Some(at) = broken_at {
            self.bad_utf8(at, record);
        }
        if self.position.line == 1 && taken.contains(&0) {
            self.utf16 = true;
        }
        bytes.extend_from_slice(taken);
        self.position.byte += run;
        self.position.column += characters(taken);
        run
    }

    /// Takes one byte. A row error is remembered in `mistake`.
    ///
    /// Always inlined into `feed`, which calls it for every comma, quote and line break: the
    /// call itself (saving registers, returning the result through memory) was about a tenth
    /// of the reader's instructions.
    #[inline(always)]
    fn step(&mut self, byte: u8, bytes: &mut Vec<u8>, record: &mut RecordBuf) -> Flow {
        let here = self.position;
        if std::mem::take(&mut self.after_cr) && byte == b'\n' {
            // The `\n` of a `\r\n`: the line was counted at the `\r`. Inside quotes both
            // bytes are data, kept as written.
            self.position.skip_byte();
            if self.state == State::Quoted {
                bytes.push(byte);
            }
            return Flow::More;
        }
        if byte == 0 && here.line == 1 {
            // Text never holds NUL, and UTF-16 has one in every other byte of ASCII text.
            self.utf16 = true;
        }
        // An ASCII byte between characters is always valid, and it is most of what `step`
        // sees (commas, quotes, line breaks): no call to check it.
        let valid_anyway = byte.is_ascii() && self.utf8.is_clear();
        if !valid_anyway && let Err(at) = self.utf8.check(byte, here) {
            self.bad_utf8(at, record);
        }
        let line_break = byte == b'\n' || byte == b'\r';
        if self.state == State::RecordStart {
            if line_break {
                // A line break before any field: a blank line, skipped but counted.
                self.advance_past(byte);
                return Flow::More;
            }
            record.start_field(here);
            self.state = State::FieldStart;
        }
        let mut flow = Flow::More;
        // `RecordStart` became `FieldStart` just above; it is listed beside `FieldStart` below
        // only so that the `match` needs no arm that can never run.
        match self.state {
            State::RecordStart | State::FieldStart | State::Unquoted | State::QuoteInQuoted
                if byte == b',' =>
            {
                record.end_field(bytes.len());
                // The next field starts right after this comma, which is one character.
                let next = here.next_column();
                record.start_field(next);
                self.state = State::FieldStart;
            }
            State::RecordStart | State::FieldStart | State::Unquoted | State::QuoteInQuoted
                if line_break =>
            {
                record.end_field(bytes.len());
                record.set_end(here);
                self.state = State::RecordStart;
                flow = Flow::Record;
            }
            State::RecordStart | State::FieldStart if byte == b'"' => self.state = State::Quoted,
            State::RecordStart | State::FieldStart => {
                self.state = State::Unquoted;
                bytes.push(byte);
            }
            State::Unquoted => {
                if byte == b'"' {
                    // `5" screen`: a quoted field, or a literal quote? Keeping it would be a
                    // guess; the row is reported instead.
                    self.remember(here, record, ErrorKind::StrayQuote);
                }
                bytes.push(byte);
            }
            State::Quoted if byte == b'"' => self.state = State::QuoteInQuoted,
            State::Quoted => bytes.push(byte),
            State::QuoteInQuoted if byte == b'"' => {
                // `""` inside quotes is one literal quote.
                bytes.push(byte);
                self.state = State::Quoted;
            }
            State::QuoteInQuoted => {
                // `"ab"c`: report it, then read on as if unquoted, only to find the row's end.
                self.remember(here, record, ErrorKind::TextAfterQuote);
                self.state = State::Unquoted;
                bytes.push(byte);
            }
        }
        self.advance_past(byte);
        flow
    }

    /// Moves the position past `byte`. A `\r` ends a line on its own; if a `\n` follows, it
    /// belongs to the same line break (see `after_cr`).
    fn advance_past(&mut self, byte: u8) {
        if byte == b'\r' {
            self.position.new_line();
            self.after_cr = true;
        } else {
            self.position.advance(byte);
        }
    }

    /// The input ended: finish the last record.
    fn end_of_input(&mut self, bytes: &[u8], record: &mut RecordBuf) -> Result<bool, ReadError> {
        self.finished = true;
        if let Err(at) = self.utf8.finish() {
            self.bad_utf8(at, record);
        }
        match self.state {
            State::RecordStart => Ok(false),
            // An unclosed quote runs to the end of the input, as in Part 2: the last field
            // holds the rest. Step 3.3 turns this into an error.
            State::FieldStart | State::Unquoted | State::Quoted | State::QuoteInQuoted => {
                record.end_field(bytes.len());
                record.set_end(self.position);
                self.state = State::RecordStart;
                Ok(true)
            }
        }
    }

    /// Invalid UTF-8 at `at`: a row error, or a note to decode the record lossily.
    fn bad_utf8(&mut self, at: Position, record: &RecordBuf) {
        // TODO(3.2): by default a bad byte makes its row an `InvalidUtf8` error at `at`, the
        // row's first mistake winning (`invalid_utf8_is_a_row_error_at_its_byte`). After
        // `Reader::lossy_utf8()` (`self.lossy`) the row is no error: `self.invalid_utf8` tells
        // `read_record` to decode it with `finish_lossy`
        // (`lossy_decoding_replaces_bad_bytes_only_when_asked`).
        let _ = (at, record, self.lossy);
    }

    /// Keeps the row's first mistake; later ones are often echoes of it.
    fn remember(&mut self, at: Position, record: &RecordBuf, kind: ErrorKind) {
        if self.mistake.is_none() {
            self.mistake = Some(ParseError::new(at, record.len() + 1, kind));
        }
    }
}

/// What a byte is to the state machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    /// ASCII that changes no state: valid UTF-8 on its own, and one column.
    Text,
    /// A byte of a multi-byte character, or not UTF-8 at all: text, once checked.
    NonAscii,
    Comma,
    Quote,
    /// `\r` or `\n`.
    LineBreak,
}

/// What `byte` is to the state machine.
///
/// A `match`, not a lookup table: the compiler turns it into a few comparisons that it folds
/// into the scan for the end of a run, which measured faster than one table load per byte
/// (about 350 against 235 MB/s on the throughput bench).
fn class(byte: u8) -> Class {
    match byte {
        b',' => Class::Comma,
        b'"' => Class::Quote,
        b'\r' | b'\n' => Class::LineBreak,
        0x80..=0xFF => Class::NonAscii,
        _ => Class::Text,
    }
}

/// How many characters `text` holds, as columns count them: every byte but a UTF-8
/// continuation byte starts one (valid or not, as `Position::advance` counts).
fn characters(text: &[u8]) -> usize {
    if text.is_ascii() {
        text.len()
    } else {
        text.iter()
            .filter(|&&byte| !is_utf8_continuation(byte))
            .count()
    }
}
