//! The streaming reader: records from any `BufRead`, one at a time, in a reused buffer.

use std::io::{self, BufRead};

use crate::Limits;
use crate::record::RecordBuf;
use crate::utf8::Utf8Check;
use crate::{ErrorKind, ParseError, Position, ReadError, is_utf8_continuation};

/// The UTF-8 byte order mark, which some editors (Excel among them) put before the first byte.
const BOM: [u8; 3] = [0xEF, 0xBB, 0xBF];

/// Reads CSV records from any [`BufRead`]: a file, a socket, a decompressor, a byte slice.
///
/// - Fields are separated by `,`. A field in double quotes may contain `,`, line breaks, and
///   `""` for one `"`.
/// - `\n`, `\r\n` and a lone `\r` all end a record. Blank lines are skipped (but counted).
/// - A UTF-8 byte order mark at the start is skipped. A UTF-16 file is refused as a whole.
/// - Text must be UTF-8. An invalid byte makes its row an error, unless
///   [`Reader::lossy_utf8`] asks for U+FFFD instead.
/// - Memory is bounded by [`Limits`]: the reader holds one record, never the file. A row over
///   a limit is a row error; the reader skips the rest of it without storing it.
/// - A quote that is never closed costs its own row, not the rows after it: see
///   [`Reader::read_record`].
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
    /// Input kept to be read again, after a quote that was not closed.
    replay: Replay,
}

impl<R: BufRead> Reader<R> {
    /// A reader with the default [`Limits`] and strict UTF-8.
    pub fn new(inner: R) -> Reader<R> {
        Reader::with_limits(inner, Limits::default())
    }

    /// A reader with the given limits and strict UTF-8.
    pub fn with_limits(inner: R, limits: Limits) -> Reader<R> {
        Reader {
            inner,
            parser: Parser::new(limits),
            replay: Replay::default(),
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

    /// The limits this reader enforces.
    pub fn limits(&self) -> Limits {
        self.parser.limits
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
    /// A quoted field may contain line breaks, so a quote the customer forgot to close looks,
    /// at first, like a note that goes on for a few lines. The reader gives such a record the
    /// benefit of the doubt, and keeps the input after the quote's line (at most
    /// [`Limits::max_record_bytes`]) until the record has ended. If the record then gives
    /// itself away (text after a closing quote, a stray quote, a limit, a different number
    /// of fields than the first record, or the end of the input inside the quotes), the row
    /// where the quote opened is reported as [`ErrorKind::UnclosedQuote`] at the quote, and
    /// the lines after it are read again as rows. Each byte is read again at most once, so
    /// reading stays linear in the input.
    ///
    /// # Errors
    ///
    /// - [`ReadError::Row`]: this row is malformed, over a limit or not UTF-8. The reader has
    ///   moved past it; call again for the next row.
    /// - [`ReadError::Fatal`]: the file is UTF-16, so no row of it can be read.
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
                if error.is_fatal() {
                    parser.finished = true;
                }
                record.restore(bytes);
                return Err(error);
            }
        }
        // Taken before anything else, so that the flags never leak into the next record.
        let lossy = std::mem::take(&mut parser.invalid_utf8);
        parser.skipping = false;
        parser.broken = false;
        if std::mem::take(&mut parser.utf16) {
            // A NUL byte on the first line: every other byte of UTF-16 text is one.
            parser.finished = true;
            record.restore(bytes);
            return Err(ReadError::Fatal(ParseError::new(
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
        parser.first_record_fields.get_or_insert(record.len());
        if lossy {
            if let Err(error) = record.finish_lossy(bytes, &parser.limits) {
                return Err(ReadError::Row(error));
            }
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

    /// Takes back the record just read, when the caller found a bad value in its field `field`
    /// (counting from 1) and a quote stretched the record over several lines. Returns the
    /// row's error, or `None` when it was not such a record: then the caller's error stands.
    ///
    /// A record whose quote swallowed the lines after it can still have the right number of
    /// fields (`1,"a@x.com,100` then `2,b@x.com",200` is one record of three fields). Only a
    /// caller that checks values can tell: an email with a line break in it, or an amount that
    /// is not a number. Then the quote most likely never closed. The error is
    /// [`ErrorKind::UnclosedQuote`] at the quote, and the next [`Reader::read_record`] reads the
    /// lines after the quote's line again, as rows; the caller reports this error instead of
    /// its own, which would point into lines that are about to be read again.
    ///
    /// A bad value before the quoted field is not taken as a sign: those fields are on the
    /// quote's own line, so the quote cannot have made them. A note that really spans two
    /// lines, in a row with a typo in its amount before it, stays one bad row.
    ///
    /// The input to read again is what the reader keeps anyway while such a record is in
    /// doubt (at most [`Limits::max_record_bytes`]); it is dropped at the next `read_record`.
    /// Each byte is read again at most once, so reading stays linear.
    pub fn reject_record(&mut self, field: usize) -> Option<ParseError> {
        let doubt = self
            .parser
            .accepted_doubt
            .take_if(|doubt| field >= doubt.field)?;
        let error = self.parser.go_back_to(doubt);
        self.replay.rewind_held();
        Some(error)
    }

    /// Feeds input to the parser until a record is complete (`true`) or the input ends.
    fn fill(&mut self, bytes: &mut Vec<u8>, record: &mut RecordBuf) -> Result<bool, ReadError> {
        if self.parser.accepted_doubt.take().is_some() {
            // The record before was not taken back: its input will not be read again.
            self.replay.stop_keeping();
        }
        if self.parser.finished {
            return Ok(false);
        }
        if !self.parser.bom_checked {
            self.skip_bom(bytes, record)?;
        }
        loop {
            let flow = if let Some(kept) = self.replay.unread() {
                // Input read once already, kept after a quote that turned out not to close.
                let (used, flow) = self.parser.feed(kept, bytes, record);
                self.replay.read += used;
                flow
            } else {
                // `fill_buf` lends the reader's own buffer: no copy, and no allocation here.
                let buf = match self.inner.fill_buf() {
                    Ok(buf) => buf,
                    Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                    Err(error) => return Err(ReadError::Io(error)),
                };
                if buf.is_empty() {
                    self.parser.finished = true;
                    self.parser.end_of_input(bytes, record)
                } else {
                    // The parser takes bytes until a record ends, and says how many it took:
                    // only those are consumed, so the rest of `buf` is there for the next
                    // record.
                    let (used, flow) = self.parser.feed(buf, bytes, record);
                    if let Some(from) = self.parser.kept.take() {
                        // A record in doubt read in one go: keep what the state machine would
                        // have kept, the input after the quote's line.
                        self.replay.start_keeping();
                        self.replay.keep(buf.get(from..used).unwrap_or_default());
                    } else {
                        self.replay.keep(buf.get(..used).unwrap_or_default());
                    }
                    self.inner.consume(used);
                    flow
                }
            };
            match flow {
                Flow::More if self.parser.finished => return Ok(false),
                Flow::More => {}
                Flow::Record if self.parser.accepted_doubt.is_some() => {
                    // Kept until the caller has checked the record's values: see
                    // `reject_record`.
                    self.replay.hold();
                    return Ok(true);
                }
                Flow::Record => {
                    self.replay.stop_keeping();
                    return Ok(true);
                }
                Flow::Keep => self.replay.start_keeping(),
                Flow::GoBack => {
                    let error = self.parser.go_back(record);
                    self.replay.rewind();
                    return Err(ReadError::Row(error));
                }
            }
        }
    }

    /// Skips a byte order mark, even one that arrives one byte per read.
    ///
    /// `fill_buf` may return fewer than three bytes, so the mark is matched a byte at a time
    /// and each matching byte consumed. If the input only starts like a mark, the bytes taken
    /// were data after all and go to the parser.
    fn skip_bom(&mut self, bytes: &mut Vec<u8>, record: &mut RecordBuf) -> Result<(), ReadError> {
        let mut matched = 0;
        while let Some(&expected) = BOM.get(matched) {
            let next = match self.inner.fill_buf() {
                Ok(buf) => buf.first().copied(),
                Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                Err(error) => return Err(ReadError::Io(error)),
            };
            if next != Some(expected) {
                break;
            }
            self.inner.consume(1);
            matched += 1;
        }
        self.parser.bom_checked = true;
        if matched == BOM.len() {
            for _ in BOM {
                // The mark counts as bytes (tools seek by byte) but not as a column.
                self.parser.position.skip_byte();
            }
            return Ok(());
        }
        // Not a line break, so a record cannot end here.
        for &byte in BOM.iter().take(matched) {
            self.parser.step(byte, bytes, record);
        }
        Ok(())
    }
}

/// Where the first byte of `text` that may end a run of text is, or `None` if there is none.
/// It finds every `"`, `\n` and `\r`; every `,` when `comma` (outside quotes: inside them a
/// `,` is text); with `non_ascii`, every byte that is not ASCII; and also the other control
/// bytes below `\r` (a tab, say), which are text. A caller that meets one of those reads on
/// the slow way, with `step`: right, only slower, and rare in a CSV upload.
///
/// It looks at eight bytes at a time, as one `u64`: a byte-by-byte loop costs about seven
/// instructions a byte, this under two, and text is most of an upload. Taking the control
/// bytes along is what makes it cheap: one subtraction finds `\n` and `\r` together (see
/// `candidates`). Rejected: an exact test for each of `\n` and `\r` (7% more instructions on
/// the throughput bench), and the `memchr` crate (SIMD, but it searches for at most three
/// bytes, and a search per field measured 30% slower: most fields are a dozen bytes).
fn find_stop(text: &[u8], comma: bool, non_ascii: bool) -> Option<usize> {
    let mut chunks = text.chunks_exact(8);
    let mut offset = 0;
    for chunk in &mut chunks {
        let mut word = [0; 8];
        word.copy_from_slice(chunk);
        let found = candidates(u64::from_le_bytes(word), comma, non_ascii);
        if found != 0 {
            // Little-endian: the first byte is the lowest one of `word`.
            return Some(offset + found.trailing_zeros() as usize / 8);
        }
        offset += 8;
    }
    // The last few bytes one by one (padding them to eight measured slower).
    let tail = chunks.remainder();
    tail.iter()
        .position(|&byte| {
            byte <= b'\r'
                || byte == b'"'
                || (comma && byte == b',')
                || (non_ascii && !byte.is_ascii())
        })
        .map(|index| offset + index)
}

/// `0x01`, `0x80`, `"`, `,` and `\r + 1` in every byte of a `u64`.
const ONES: u64 = u64::from_le_bytes([0x01; 8]);
const HIGHS: u64 = u64::from_le_bytes([0x80; 8]);
const QUOTES: u64 = u64::from_le_bytes([b'"'; 8]);
const COMMAS: u64 = u64::from_le_bytes([b','; 8]);
const ABOVE_CR: u64 = u64::from_le_bytes([b'\r' + 1; 8]);

/// The high bit set in the bytes of `word` that `find_stop` looks for, and no other bit below
/// the lowest of them, so that the lowest bit set is the first such byte.
///
/// Tests from "Bit Twiddling Hacks", each exact up to the first byte it finds:
/// `has_zero_byte(word ^ QUOTES)` finds a `"` (a byte equal to `"` is a zero byte of the XOR),
/// and `COMMAS` a `,` the same way; taking `\r + 1` from every byte sets the high bit of each
/// byte below it (it wraps around) and of no ASCII byte above it; a byte that is not ASCII has
/// its high bit set already.
fn candidates(word: u64, comma: bool, non_ascii: bool) -> u64 {
    let quotes = has_zero_byte(word ^ QUOTES);
    let commas = if comma {
        has_zero_byte(word ^ COMMAS)
    } else {
        0
    };
    let below_cr = word.wrapping_sub(ABOVE_CR);
    let controls = if non_ascii {
        (below_cr | word) & HIGHS
    } else {
        below_cr & !word & HIGHS
    };
    quotes | commas | controls
}

/// The high bit of every zero byte of `word` set, and no other bit below the lowest of them.
fn has_zero_byte(word: u64) -> u64 {
    word.wrapping_sub(ONES) & !word & HIGHS
}

/// Input kept so that it can be read again (see [`Reader::read_record`]).
///
/// From the first line break inside a quoted field until the record ends, every byte the
/// parser takes is appended to `bytes`. If the record ends well, they are dropped; if it proves
/// that its quote was never closed, they are fed to the parser again, from the start, before
/// any new input. The parser bounds how much is kept (see `Parser::window_room`).
#[derive(Debug, Default)]
struct Replay {
    bytes: Vec<u8>,
    /// How many of `bytes` the parser has taken.
    read: usize,
    /// Append what the parser takes from the input.
    keeping: bool,
}

// The three methods that `Reader::read_record` calls for every record are `#[inline]`: the
// reader is generic over its input, so it is compiled in the caller's crate, where a
// function without it is a call (1% of the instructions of the records bench).
impl Replay {
    /// The kept bytes the parser has not taken yet, if any.
    #[inline]
    fn unread(&self) -> Option<&[u8]> {
        self.bytes.get(self.read..).filter(|rest| !rest.is_empty())
    }

    /// Starts keeping input from here on. Bytes already taken are dropped: only what comes
    /// after this point may have to be read again.
    fn start_keeping(&mut self) {
        self.bytes.drain(..self.read);
        self.read = 0;
        self.keeping = true;
    }

    /// Appends bytes just taken from the input, while keeping.
    #[inline]
    fn keep(&mut self, taken: &[u8]) {
        if self.keeping {
            self.bytes.extend_from_slice(taken);
            self.read = self.bytes.len();
        }
    }

    /// The record ended well: what was kept will not be read again.
    #[inline]
    fn stop_keeping(&mut self) {
        self.keeping = false;
        if self.unread().is_none() {
            self.bytes.clear();
            self.read = 0;
        }
    }

    /// A record in doubt ended well: stop keeping, but hold what was kept until the caller
    /// has checked the record (see `Reader::reject_record`).
    fn hold(&mut self) {
        self.keeping = false;
    }

    /// Reads what was held again, from its start.
    fn rewind_held(&mut self) {
        self.read = 0;
        self.keeping = false;
    }

    /// Reads what was kept again, from its start (nothing when nothing was kept).
    fn rewind(&mut self) {
        if self.keeping {
            self.read = 0;
        }
        self.keeping = false;
    }
}

/// Where the lines of a record read by `Parser::plain_record` start and end.
#[derive(Debug, Clone, Copy)]
struct PlainLines {
    /// Where the record starts.
    start: Position,
    /// How many line breaks inside quotes the record has so far.
    breaks: usize,
    /// Where the current line starts, in bytes from the record's start.
    line_start: usize,
    /// Where the record's line break is, in bytes from the record's start.
    end: usize,
    /// How long that line break is: 1, or 2 for `\r\n`.
    line_break: usize,
    /// Set at the first line break inside quotes: the record is in doubt.
    doubt: Option<Doubt>,
    /// How many bytes of text are copies (of the fields with `""`), stored after the line.
    copied: usize,
    /// The first field with `""`.
    first_pairs: Option<usize>,
}

impl PlainLines {
    fn new(start: Position) -> PlainLines {
        PlainLines {
            start,
            breaks: 0,
            line_start: 0,
            end: 0,
            line_break: 1,
            doubt: None,
            copied: 0,
            first_pairs: None,
        }
    }

    /// Where the byte `offset` bytes after the record's start is. ASCII: a byte is a column.
    fn position(&self, offset: usize) -> Position {
        let byte = self.start.byte + offset;
        if self.breaks == 0 {
            Position {
                column: self.start.column + offset,
                byte,
                ..self.start
            }
        } else {
            Position {
                line: self.start.line + self.breaks,
                column: 1 + offset.saturating_sub(self.line_start),
                byte,
            }
        }
    }

    /// The line break `line_break` at `at`, inside the quoted field number `field` whose
    /// quote is at `quote`. The first one puts the record in doubt, as
    /// `Parser::line_break_in_quotes` does.
    fn break_in_quotes(&mut self, quote: usize, field: usize, at: usize, line_break: &[u8]) {
        if self.doubt.is_none() {
            // Where the state machine is after the line break's first byte.
            let after = self.position(at + 1);
            self.doubt = Some(Doubt {
                quote: self.position(quote),
                field,
                restart: Position {
                    line: after.line + 1,
                    column: 1,
                    ..after
                },
                restart_after_cr: line_break.first() == Some(&b'\r'),
                had_mistake: false,
                can_go_back: true,
            });
        }
        self.breaks += 1;
        self.line_start = at + line_break.len();
    }
}

/// What the parser says after a byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flow {
    /// Keep feeding bytes.
    More,
    /// The byte ended a record.
    Record,
    /// The byte was the first line break inside quotes: keep the input from here on, in case
    /// the quote turns out not to close.
    Keep,
    /// The record proved that its quote does not close: report it, and read the lines after
    /// the quote's line again.
    GoBack,
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

/// A record whose quoted field went past the end of its line, while it is still in doubt.
#[derive(Debug, Clone, Copy)]
struct Doubt {
    /// The quote that opened the field.
    quote: Position,
    /// The field's number, counting from 1.
    field: usize,
    /// Where the next line starts: reading starts again here if the quote does not close.
    restart: Position,
    /// The line break before `restart` was a `\r`, so a `\n` there belongs to it.
    restart_after_cr: bool,
    /// The row had a mistake before the quote's line ended: that one is reported.
    had_mistake: bool,
    /// `false` when the input after `restart` was read again once already: going back once
    /// more could read it again and again, so this record's row only ends at the next line.
    can_go_back: bool,
}

/// The state machine of Part 2, fed one byte at a time.
///
/// Feeding bytes (a push parser) rather than walking a slice is what makes streaming work: a
/// record may start in one `fill_buf` and end three reads later, and every piece of state that
/// must survive between reads is a field here, including the `\r` whose `\n` has not arrived.
#[derive(Debug)]
struct Parser {
    limits: Limits,
    lossy: bool,
    /// Where the next byte is.
    position: Position,
    bom_checked: bool,
    /// The last byte was a `\r` line break, so a `\n` now belongs to it.
    after_cr: bool,
    /// The input ended, or a fatal error happened.
    finished: bool,
    state: State,
    /// Where the current quoted field's opening quote is.
    quote: Position,
    utf8: Utf8Check,
    /// The current record had invalid UTF-8 and `lossy` is set.
    invalid_utf8: bool,
    /// A NUL byte on the first line: the file is UTF-16.
    utf16: bool,
    /// The current record's first row error.
    mistake: Option<ParseError>,
    /// The current record has a mistake that a quote left open could explain: a stray quote,
    /// text after a closing quote, or a limit.
    broken: bool,
    /// The current record went over a limit: the rest of it is read but not stored.
    skipping: bool,
    /// Set while a quoted field of the current record has gone past the end of its line.
    doubt: Option<Doubt>,
    /// Input up to here was read a second time after a quote that did not close.
    replayed_to: usize,
    /// How many fields the first record had: a record in doubt must have as many.
    first_record_fields: Option<usize>,
    /// The record just handed out was in doubt and could still be taken back: where its
    /// quote was, and where to read again from (see `Reader::reject_record`).
    accepted_doubt: Option<Doubt>,
    /// `plain_record` read a record in doubt: the input from here to the record's end must
    /// be kept, as the state machine keeps it.
    kept: Option<usize>,
}

impl Parser {
    fn new(limits: Limits) -> Parser {
        Parser {
            limits,
            lossy: false,
            position: Position::START,
            bom_checked: false,
            after_cr: false,
            finished: false,
            state: State::RecordStart,
            quote: Position::START,
            utf8: Utf8Check::default(),
            invalid_utf8: false,
            utf16: false,
            mistake: None,
            broken: false,
            skipping: false,
            doubt: None,
            replayed_to: 0,
            first_record_fields: None,
            accepted_doubt: None,
            kept: None,
        }
    }

    /// Feeds bytes from `buf` until a record ends. Returns how many bytes it used, and why it
    /// stopped (`Flow::More` when `buf` ran out first).
    fn feed(&mut self, buf: &[u8], bytes: &mut Vec<u8>, record: &mut RecordBuf) -> (usize, Flow) {
        let mut used = 0;
        while let Some(rest) = buf.get(used..).filter(|rest| !rest.is_empty()) {
            // Most records are one ordinary line: read it whole, in one go, or not at all.
            if let Some(taken) = self.plain_record(rest, bytes, record) {
                // `kept` counts from `rest`, the reader from `buf`.
                if let Some(kept) = &mut self.kept {
                    *kept += used;
                }
                return (used + taken, Flow::Record);
            }
            // Most bytes of an upload are text inside a field. Copying a run of them in one
            // go, instead of one `step` per byte, makes the reader several times faster;
            // `step` still sees every byte that means something, starting with the one that
            // ended the run.
            used += self.text_run(rest, bytes, record);
            let Some(&byte) = buf.get(used) else { break };
            used += 1;
            if byte == b',' && self.plain_comma() {
                // The comma between two plain fields is most of what `step` would see: this is
                // its comma arm, without the checks that cannot apply (6% fewer instructions
                // on the throughput bench).
                let next = self.position.next_column();
                self.next_field(next, bytes, record);
                self.position = next;
                continue;
            }
            match self.step(byte, bytes, record) {
                Flow::More => {}
                other => return (used, other),
            }
        }
        (used, Flow::More)
    }

    /// Reads a whole record from the start of `rest` when it is an ordinary one, and returns
    /// how many bytes it took, line break included. Returns `None`, with `bytes` and `record`
    /// empty again, for anything else: `step` then reads the record byte by byte.
    ///
    /// Ordinary means: ASCII with no control byte but its line breaks, ended by `\n` or `\r\n`
    /// within `rest`, within the limits, and every quoted field closed and followed by `,` or
    /// the record's end. That is nearly every record of a real upload, and for those the state
    /// machine's work (a state per byte, a check per field and per run of text) decides
    /// nothing. Anything it would decide (a stray quote, a limit, a bad byte, a lone `\r`
    /// outside quotes, the end of `rest`) sends the record back to it, so the rules live in one
    /// place: this path only recognises the records where they all agree. Rejected: a faster
    /// state machine alone (it measured 20% behind the csv crate), and `memchr` for the runs
    /// (slower on fields of a dozen bytes).
    ///
    /// The record's text is its line as it is, copied in one go, and each field is its part
    /// of it (see `RecordBuf::plain_field`); only a field with `""` gets a copy of its own. The
    /// search for the next comma or quote also stops at a byte that is not ASCII, so the line
    /// is known to be ASCII without reading it again. Rejected, measured on the throughput
    /// bench: checking the line with `is_ascii` after the search (a second pass over it, 10%
    /// slower), and copying each field's text on its own (a `memcpy` per field, 5% slower).
    ///
    /// A quoted field may go on past its line (a note of two lines). Such a record is in doubt
    /// as the state machine's would be (see `Reader::read_record`): it is taken here only when
    /// its shape is right (as many fields as the first record), and then it is left exactly
    /// as the state machine leaves it, with the input after the quote's line kept (`kept`)
    /// so that `Reader::reject_record` can read it again. (Reading them with the state
    /// machine instead, when one row in 17 has a note of two lines, as in the throughput
    /// bench, took 3% more instructions for the whole file.)
    fn plain_record(
        &mut self,
        rest: &[u8],
        bytes: &mut Vec<u8>,
        record: &mut RecordBuf,
    ) -> Option<usize> {
        let at_record_start = self.state == State::RecordStart
            && !self.after_cr
            && self.utf8.is_clear()
            && self.doubt.is_none()
            && !self.skipping
            && !self.invalid_utf8
            && self.mistake.is_none()
            // A NUL byte on the first line means UTF-16, which `step` looks for.
            && self.position.line > 1
            // A blank line is skipped, not read as a record of one empty field.
            && !matches!(rest.first(), Some(b'\n' | b'\r'));
        if !at_record_start {
            return None;
        }
        let found = self
            .plain_fields(rest, record)
            .filter(|lines| self.in_doubt_but_whole(lines, record));
        let line = found.and_then(|lines| rest.get(..lines.end));
        // Within the record limit with the copies of the fields with `""`, so that the
        // buffer's memory is too.
        let copied = found.map_or(0, |lines| lines.copied);
        let fits = |line: &&[u8]| line.len() + copied <= self.limits.max_record_bytes;
        let (Some(lines), Some(line)) = (found, line.filter(fits)) else {
            record.clear_fields();
            return None;
        };
        // The line as it is, in one copy: each field is its part of it.
        let needed = line.len() + copied;
        if bytes.capacity() < needed {
            // It doubles, as a `Vec` would, but never past the record limit (which `needed`
            // is within).
            let doubled = bytes.capacity().saturating_mul(2);
            bytes.reserve_exact(needed.max(doubled.min(self.limits.max_record_bytes)));
        }
        bytes.extend_from_slice(line);
        if let Some(first) = lines.first_pairs {
            record.unescape_quotes(bytes, first);
        }
        let here = lines.position(lines.end);
        record.set_end(here);
        // A record in doubt ends at the first byte of its line break, as the state machine's
        // does: the `\n` of a `\r\n` is then the next record's, and if the record is taken
        // back, the same input is read again (see `Reader::reject_record`).
        let mut line_break = lines.line_break;
        if let Some(doubt) = lines.doubt {
            self.accepted_doubt = Some(doubt);
            self.kept = Some(doubt.restart.byte - self.position.byte);
            self.after_cr = line_break == 2;
            line_break = 1;
        }
        self.position = Position {
            line: here.line + 1,
            column: 1,
            byte: here.byte + line_break,
        };
        Some(lines.end + line_break)
    }

    /// `true` unless the record is in doubt and the state machine would not hand it out as it
    /// is: it has another number of fields than the first record, it keeps more input than
    /// the record limit, or its input is being read again (where no record may be in doubt).
    fn in_doubt_but_whole(&self, lines: &PlainLines, record: &RecordBuf) -> bool {
        let Some(doubt) = lines.doubt else {
            return true;
        };
        // Input read again lies before `replayed_to`: this also means that the input kept
        // here always comes from the reader's input, never from `Replay`.
        let fields = self.first_record_fields.unwrap_or(record.len());
        record.len() == fields
            && lines.position(lines.end).byte - doubt.restart.byte < self.limits.max_record_bytes
            && self.position.byte >= self.replayed_to
    }

    /// The fields of `plain_record`: notes them in `record` as parts of the record's line, and
    /// returns where its lines are, or `None` when it is not an ordinary one.
    fn plain_fields(&self, rest: &[u8], record: &mut RecordBuf) -> Option<PlainLines> {
        let mut lines = PlainLines::new(self.position);
        // The record's text as the limits count it: without quotes and delimiters.
        let mut text_len = 0;
        let mut index = 0;
        loop {
            if record.len() >= self.limits.max_fields {
                return None;
            }
            // Column and byte as if ASCII; `plain_record` gives up on any other record.
            let position = lines.position(index);
            let (span, field_len) = if rest.get(index) == Some(&b'"') {
                let quote = index;
                index += 1;
                let text_start = index;
                let mut pairs = 0;
                loop {
                    // Text up to the next quote or line break, which is text here too.
                    index += find_stop(rest.get(index..)?, false, true)?;
                    match rest.get(index..)? {
                        [b'"', b'"', ..] => {
                            // `""`: one literal quote, and the field goes on.
                            pairs += 1;
                            index += 2;
                        }
                        [b'"', ..] => break,
                        // A `\r` at the end of `rest`: is a `\n` next? Only `step` can wait.
                        [b'\r'] => return None,
                        rest_of_line @ [b'\r' | b'\n', ..] => {
                            let line_break = match rest_of_line {
                                [b'\r', b'\n', ..] => b"\r\n".as_slice(),
                                [b'\r', ..] => b"\r",
                                _ => b"\n",
                            };
                            lines.break_in_quotes(quote, record.len() + 1, index, line_break);
                            index += line_break.len();
                        }
                        // A byte that is not ASCII, or another control byte (see `find_stop`).
                        _ => return None,
                    }
                }
                let field_len = index - text_start - pairs;
                if pairs > 0 {
                    // Its text is a copy, with one quote for each pair.
                    lines.copied += field_len;
                    lines.first_pairs.get_or_insert(record.len());
                }
                // Past the closing quote.
                index += 1;
                (text_start..index - 1, field_len)
            } else {
                let len = find_stop(rest.get(index..)?, true, true)?;
                index += len;
                (index - len..index, len)
            };
            text_len += field_len;
            if field_len > self.limits.max_field_bytes || text_len > self.limits.max_record_bytes {
                return None;
            }
            record.plain_field(position, span);
            lines.end = index;
            match rest.get(index) {
                Some(b',') => index += 1,
                Some(b'\n') => return Some(lines),
                Some(b'\r') if rest.get(index + 1) == Some(&b'\n') => {
                    lines.line_break = 2;
                    return Some(lines);
                }
                // A quote in an unquoted field, text after a closing quote, a lone `\r`, a
                // control byte (see `find_stop`), or the end of `rest`.
                _ => return None,
            }
        }
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
        // Up to the limits, no further: `step` reports the byte that exceeds one, at its place.
        // (Cut before the search, so that a byte-by-byte walk past a limit does not search the
        // rest of the buffer for every byte.)
        let rest = rest.get(..self.room(bytes, record)).unwrap_or(rest);
        // Two calls with constant arguments, so that each gets its own loop (one call with
        // `!quoted` tested `comma` on every word: 6% more instructions on invalid input).
        let stop = if quoted {
            find_stop(rest, false, false)
        } else {
            find_stop(rest, true, false)
        };
        let end = stop.unwrap_or(rest.len());
        let Some(text) = rest.get(..end).filter(|text| !text.is_empty()) else {
            return 0;
        };
        // ASCII, most text, is always valid. Other text is checked by the standard library, in
        // one go, unless the row is bad already (or to be decoded lossily): its text is never
        // handed out as it is.
        let ascii = text.is_ascii();
        let mut run = text.len();
        let mut broken_at = None;
        let check = !ascii && self.mistake.is_none() && !self.invalid_utf8;
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
        if !self.skipping {
            self.make_room(bytes, run);
            bytes.extend_from_slice(taken);
        }
        self.position.byte += run;
        self.position.column += if ascii { run } else { characters(taken) };
        run
    }

    /// How many more bytes of text the record may take: the least of the room left in the
    /// field, in the record and, for a record in doubt, in the input kept to be read again.
    fn room(&self, bytes: &[u8], record: &RecordBuf) -> usize {
        if self.skipping {
            return usize::MAX;
        }
        let field_len = bytes.len().saturating_sub(record.field_offset());
        let field_room = self.limits.max_field_bytes.saturating_sub(field_len);
        let record_room = self.limits.max_record_bytes.saturating_sub(bytes.len());
        field_room.min(record_room).min(self.window_room())
    }

    /// How many more bytes of input a record in doubt may take: the input kept to read again
    /// is bounded by the record limit too.
    fn window_room(&self) -> usize {
        match self.doubt {
            Some(doubt) => {
                let kept = self.position.byte.saturating_sub(doubt.restart.byte);
                self.limits.max_record_bytes.saturating_sub(kept)
            }
            None => usize::MAX,
        }
    }

    /// Takes one byte, and says whether a record ended or the reader must act.
    ///
    /// Always inlined into `feed`, which calls it for every comma, quote and line break: the
    /// call itself (saving registers, returning the result through memory) was about a tenth
    /// of the reader's instructions.
    #[inline(always)]
    fn step(&mut self, byte: u8, bytes: &mut Vec<u8>, record: &mut RecordBuf) -> Flow {
        let here = self.position;
        if self.doubt.is_some() && self.window_room() == 0 {
            // The record would keep more input than it may: too long to be a record.
            self.broken = true;
            if self.doubt_broken() == Flow::GoBack {
                return Flow::GoBack;
            }
        }
        if std::mem::take(&mut self.after_cr) && byte == b'\n' {
            // The `\n` of a `\r\n`: the line was counted at the `\r`. Inside quotes both
            // bytes are data, kept as written.
            self.position.skip_byte();
            if self.state == State::Quoted {
                self.push(byte, bytes, record);
            }
            return self.check_doubt();
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
                // The next field starts right after this comma, which is one character.
                self.next_field(here.next_column(), bytes, record);
            }
            State::RecordStart | State::FieldStart | State::Unquoted | State::QuoteInQuoted
                if line_break =>
            {
                record.end_field(bytes.len());
                record.set_end(here);
                self.state = State::RecordStart;
                flow = self.end_of_record(record);
            }
            State::RecordStart | State::FieldStart if byte == b'"' => {
                self.state = State::Quoted;
                self.quote = here;
            }
            State::RecordStart | State::FieldStart => {
                self.state = State::Unquoted;
                self.push(byte, bytes, record);
            }
            State::Unquoted => {
                if byte == b'"' {
                    // `5" screen`: a quoted field, or a literal quote? Keeping it would be a
                    // guess; the row is reported instead.
                    self.remember(here, record, ErrorKind::StrayQuote);
                    self.broken = true;
                }
                self.push(byte, bytes, record);
            }
            State::Quoted if line_break => {
                self.push(byte, bytes, record);
                self.advance_past(byte);
                return self.line_break_in_quotes(record);
            }
            State::Quoted if byte == b'"' => self.state = State::QuoteInQuoted,
            State::Quoted => self.push(byte, bytes, record),
            State::QuoteInQuoted if byte == b'"' => {
                // `""` inside quotes is one literal quote.
                self.push(byte, bytes, record);
                self.state = State::Quoted;
            }
            State::QuoteInQuoted => {
                // `"ab"c`: report it, then read on as if unquoted, only to find the row's end.
                self.remember(here, record, ErrorKind::TextAfterQuote);
                self.broken = true;
                self.state = State::Unquoted;
                self.push(byte, bytes, record);
            }
        }
        self.advance_past(byte);
        if flow == Flow::More {
            flow = self.check_doubt();
        }
        flow
    }

    /// `true` when a comma now would only end an unquoted field: no `\r` or character is
    /// waiting for its next byte, and the record is not in doubt.
    fn plain_comma(&self) -> bool {
        matches!(self.state, State::Unquoted | State::FieldStart)
            && !self.after_cr
            && self.utf8.is_clear()
            && self.doubt.is_none()
    }

    /// A comma ended the current field: the next one starts at `next`, right after it.
    fn next_field(&mut self, next: Position, bytes: &[u8], record: &mut RecordBuf) {
        if !self.skipping {
            record.end_field(bytes.len());
            if record.len() >= self.limits.max_fields {
                let limit = self.limits.max_fields;
                self.over_limit(next, record, ErrorKind::TooManyFields { limit });
            } else {
                record.start_field(next);
            }
        }
        self.state = State::FieldStart;
    }

    /// A record in doubt that has just broken goes back; any other goes on.
    fn check_doubt(&mut self) -> Flow {
        if self.broken && self.doubt.is_some() {
            self.doubt_broken()
        } else {
            Flow::More
        }
    }

    /// The record in doubt has a mistake that its quote explains: it goes back to the line
    /// after the quote, or, if that input was read again once already, its row ends at the
    /// next line break.
    fn doubt_broken(&mut self) -> Flow {
        let Some(doubt) = self.doubt else {
            return Flow::More;
        };
        if doubt.can_go_back {
            return Flow::GoBack;
        }
        self.mistake = Some(self.doubt_error(doubt));
        self.doubt = None;
        self.broken = true;
        self.skipping = true;
        Flow::More
    }

    /// The row error of a record in doubt that broke: the mistake on the quote's own line if
    /// there was one, else the quote. Mistakes after it belong to the lines read again.
    fn doubt_error(&mut self, doubt: Doubt) -> ParseError {
        let unclosed = ParseError::new(doubt.quote, doubt.field, ErrorKind::UnclosedQuote);
        match self.mistake.take() {
            Some(mistake) if doubt.had_mistake => mistake,
            _ => unclosed,
        }
    }

    /// A line break inside quotes, just taken.
    fn line_break_in_quotes(&mut self, record: &RecordBuf) -> Flow {
        if self.doubt.is_some() {
            // The record is in doubt already, since an earlier line.
            return self.check_doubt();
        }
        if self.broken {
            // Bad on its first line already: its row ends here, and the next line is read as
            // a row, whatever the quote meant.
            return Flow::GoBack;
        }
        // By the parity of quotes this always holds: in lines read again, quotes pair up
        // the other way round, so no record there is in doubt before the place where the
        // first one broke. Checked all the same, because the price of being wrong would be
        // a reader that reads the same lines again and again.
        let can_go_back = self.position.byte >= self.replayed_to;
        self.doubt = Some(Doubt {
            quote: self.quote,
            field: record.len() + 1,
            had_mistake: self.mistake.is_some(),
            restart: self.position,
            restart_after_cr: self.after_cr,
            can_go_back,
        });
        if can_go_back { Flow::Keep } else { Flow::More }
    }

    /// A line break (or the end of the input) ended the record: is it one?
    fn end_of_record(&mut self, record: &RecordBuf) -> Flow {
        if self.doubt.is_none() {
            return Flow::Record;
        }
        let fields = self.first_record_fields.unwrap_or(record.len());
        if record.len() != fields {
            // Only a quote that swallowed the lines after it makes a record of this shape.
            self.broken = true;
        }
        if self.broken && self.doubt_broken() == Flow::GoBack {
            return Flow::GoBack;
        }
        // Its shape is right, but its values may still give it away: the caller can take it
        // back once, while its input is kept.
        self.accepted_doubt = self.doubt.take().filter(|doubt| doubt.can_go_back);
        Flow::Record
    }

    /// The current record is not one: forgets it, and gets ready to read again, from the line
    /// after its quote when it was in doubt, else from here. Returns the row's error.
    fn go_back(&mut self, record: &RecordBuf) -> ParseError {
        let error = match self.doubt.take() {
            Some(doubt) => return self.go_back_to(doubt),
            None => self.mistake.take().unwrap_or_else(|| {
                ParseError::new(self.quote, record.len() + 1, ErrorKind::UnclosedQuote)
            }),
        };
        self.reset_record();
        error
    }

    /// The record in `doubt` is not one: gets ready to read again from the line after its
    /// quote, and returns the row's error.
    fn go_back_to(&mut self, doubt: Doubt) -> ParseError {
        self.replayed_to = self.replayed_to.max(self.position.byte);
        self.position = doubt.restart;
        self.after_cr = doubt.restart_after_cr;
        let error = self.doubt_error(doubt);
        self.reset_record();
        error
    }

    /// Forgets the current record's state, to read the next record from the start.
    fn reset_record(&mut self) {
        self.finished = false;
        self.state = State::RecordStart;
        self.utf8 = Utf8Check::default();
        self.invalid_utf8 = false;
        self.mistake = None;
        self.broken = false;
        self.skipping = false;
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

    /// Appends one byte of field text, within the limits.
    fn push(&mut self, byte: u8, bytes: &mut Vec<u8>, record: &RecordBuf) {
        if byte == 0 && self.position.line == 1 {
            self.utf16 = true;
        }
        if self.skipping {
            return;
        }
        let field_len = bytes.len().saturating_sub(record.field_offset());
        if field_len >= self.limits.max_field_bytes {
            // Reported where the field starts: for a quoted field, at its quote.
            let start = record.position(record.len()).unwrap_or(self.position);
            let limit = self.limits.max_field_bytes;
            let quoted = start == self.quote;
            self.over_limit(start, record, ErrorKind::FieldTooLong { limit, quoted });
        } else if bytes.len() >= self.limits.max_record_bytes {
            let start = record.position(0).unwrap_or(self.position);
            let limit = self.limits.max_record_bytes;
            self.over_limit(start, record, ErrorKind::RecordTooLong { limit });
        } else {
            self.make_room(bytes, 1);
            bytes.push(byte);
        }
    }

    /// The record went over a limit at `at`: a row error. The rest of the row is read, to
    /// find where it ends, but not stored, so memory stays within the limit.
    fn over_limit(&mut self, at: Position, record: &RecordBuf, kind: ErrorKind) {
        self.remember(at, record, kind);
        self.broken = true;
        self.skipping = true;
    }

    /// Makes room for `additional` more bytes, which the caller has checked fit the record
    /// limit. It doubles the capacity, as `Vec` would, but never past the record limit: plain
    /// doubling could allocate almost twice the limit for a record just over half of it.
    fn make_room(&self, bytes: &mut Vec<u8>, additional: usize) {
        if bytes.capacity() - bytes.len() < additional {
            let most = self.limits.max_record_bytes.saturating_sub(bytes.len());
            bytes.reserve_exact(bytes.len().max(64).max(additional).min(most));
        }
    }

    /// The input ended: finish the last record, if there is one.
    fn end_of_input(&mut self, bytes: &[u8], record: &mut RecordBuf) -> Flow {
        if let Err(at) = self.utf8.finish() {
            self.bad_utf8(at, record);
        }
        if self.state == State::RecordStart {
            return Flow::More;
        }
        if self.state == State::Quoted {
            // Not "the last field holds the rest of the file", which is what many CSV
            // readers do: that hides the mistake and imports garbage. The error points at
            // the quote, which is where the customer has to look.
            self.broken = true;
            let unclosed = ParseError::new(self.quote, record.len() + 1, ErrorKind::UnclosedQuote);
            if self.doubt.is_none() && !self.skipping {
                self.mistake.get_or_insert(unclosed);
            }
        }
        record.end_field(bytes.len());
        record.set_end(self.position);
        self.state = State::RecordStart;
        self.end_of_record(record)
    }

    /// Invalid UTF-8 at `at`: a row error, or a note to decode the record lossily.
    fn bad_utf8(&mut self, at: Position, record: &RecordBuf) {
        if self.lossy {
            self.invalid_utf8 = true;
        } else {
            self.remember(at, record, ErrorKind::InvalidUtf8);
        }
    }

    /// Keeps the row's first mistake; later ones are often echoes of it.
    fn remember(&mut self, at: Position, record: &RecordBuf, kind: ErrorKind) {
        if self.mistake.is_none() {
            self.mistake = Some(ParseError::new(at, record.len() + 1, kind));
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// What `find_stop` promises, one byte at a time.
    fn naive(text: &[u8], comma: bool, non_ascii: bool) -> Option<usize> {
        text.iter().position(|&byte| {
            byte <= b'\r'
                || byte == b'"'
                || (comma && byte == b',')
                || (non_ascii && !byte.is_ascii())
        })
    }

    /// Every byte value at every place of two words and a tail.
    #[test]
    fn find_stop_finds_each_byte_it_should_at_every_place() {
        for len in 0..18 {
            for at in 0..=len {
                for byte in 0..=u8::MAX {
                    let mut text = vec![b'a'; len];
                    text.insert(at, byte);
                    check_find_stop(&text);
                }
            }
        }
    }

    /// Two bytes that may both be ones to find, at every pair of places: the test of a word is
    /// exact only up to its first find, so that one must be the one reported. The bytes are
    /// those at the edges of what is found (every byte value is the test above's).
    #[test]
    fn find_stop_reports_the_first_of_two() {
        let edges = [
            b'a', 0, 1, b'\t', b'\n', 12, b'\r', 14, b' ', b'!', b'"', b'#', b'+', b',', b'-',
            0x7F, 0x80, 0x81, 0xFE, 0xFF,
        ];
        for len in 0..18 {
            for first in 0..=len {
                for second in first + 1..=len + 1 {
                    for before in edges {
                        for byte in edges {
                            let mut text = vec![b'a'; len];
                            text.insert(first, before);
                            text.insert(second, byte);
                            check_find_stop(&text);
                        }
                    }
                }
            }
        }
    }

    fn check_find_stop(text: &[u8]) {
        for (comma, non_ascii) in [(true, true), (true, false), (false, true), (false, false)] {
            assert_eq!(
                find_stop(text, comma, non_ascii),
                naive(text, comma, non_ascii),
                "{text:?}, comma {comma}, non_ascii {non_ascii}"
            );
        }
    }
}
