//! One record, in a buffer that is reused for every record (pattern PARSE-1).

use std::num::ParseIntError;
use std::ops::Range;
use std::str::FromStr;

use crate::Limits;
use crate::{ErrorKind, ParseError, Position};

/// The fields of one record, in one reusable buffer.
///
/// All fields' text is stored in one `String`, and `spans` says where each field is in it.
/// Reading the next record clears these and fills them again: the allocations made for
/// the first long record are kept and reused for every later one, so a reader that has reached
/// its steady state allocates nothing per row.
///
/// Rejected: a `Vec<String>` per record, which allocates once per field per row (millions of
/// allocations for a large upload), and returning records that borrow from the reader's
/// internal buffer, which the borrow checker rightly refuses once a record spans two reads.
#[derive(Debug, Clone)]
pub struct RecordBuf {
    /// Every field's text. The state machine stores the fields one after another; a record
    /// read as one plain line (see `Parser::plain_record`) keeps the line as it is, commas and
    /// quotes included, and each field is the part of it between them.
    text: String,
    /// Where each field's text is in `text`.
    spans: Vec<Range<usize>>,
    /// Where each field starts in the input (for a quoted field, its opening quote).
    starts: Vec<Position>,
    /// Where the record ends: at its line break, or at the end of the input.
    end: Position,
}

/// Two buffers are equal when they hold the same record: the same fields, from the same places.
/// How the text is laid out (a plain line keeps its commas, see `text`) does not count.
impl PartialEq for RecordBuf {
    fn eq(&self, other: &RecordBuf) -> bool {
        self.len() == other.len()
            && self.iter().eq(other.iter())
            && self.starts == other.starts
            && self.end == other.end
    }
}

impl Eq for RecordBuf {}

impl Default for RecordBuf {
    fn default() -> RecordBuf {
        RecordBuf::new()
    }
}

impl RecordBuf {
    /// An empty buffer. It grows to fit the largest record read into it, and stays that size.
    pub fn new() -> RecordBuf {
        RecordBuf {
            text: String::new(),
            spans: Vec::new(),
            starts: Vec::new(),
            end: Position::START,
        }
    }

    /// The 1-based line on which this record starts (0 when the buffer is empty).
    pub fn line(&self) -> usize {
        self.starts.first().map_or(0, |start| start.line)
    }

    /// The number of fields.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// `true` when the buffer holds no record. A record read from a file has one field at least.
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// The field at `index`, or `None` when the record is shorter.
    ///
    /// `#[inline]`: typed rows call it for every field, from code compiled in the caller's
    /// crate (it is generic over the row type), where a function without it stays a call
    /// (3.7% of the instructions of the typed bench).
    #[inline]
    pub fn field(&self, index: usize) -> Option<&str> {
        self.text.get(self.spans.get(index)?.clone())
    }

    /// All fields, in order.
    pub fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        (0..self.len()).filter_map(|index| self.field(index))
    }

    /// Where the field at `index` starts in the input, or `None` when the record is shorter.
    pub fn position(&self, index: usize) -> Option<Position> {
        self.starts.get(index).copied()
    }

    /// Where the record ends: at its line break, or at the end of the input.
    pub fn end(&self) -> Position {
        self.end
    }

    /// How many bytes of field text the buffer can hold before it must grow again.
    pub fn capacity(&self) -> usize {
        self.text.capacity()
    }

    /// The field at `index`, or a `MissingField` error pointing at the end of the row.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::MissingField`] when the record has fewer than `index + 1` fields.
    pub fn text(&self, index: usize) -> Result<&str, ParseError> {
        self.field(index)
            .ok_or_else(|| ParseError::new(self.end, index + 1, ErrorKind::MissingField))
    }

    /// The field at `index` parsed as a whole number (`u64`, `i64`, ...).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::MissingField`] for a short record, [`ErrorKind::InvalidNumber`] when the
    /// text is not a whole number (`" 42"` and `"4.0"` are not: a value is never silently
    /// changed on its way in).
    pub fn number<T>(&self, index: usize) -> Result<T, ParseError>
    where
        T: FromStr<Err = ParseIntError>,
    {
        let text = self.text(index)?;
        text.parse().map_err(|cause| {
            let position = self.position(index).unwrap_or(self.end);
            ParseError::new(position, index + 1, ErrorKind::InvalidNumber(cause))
        })
    }

    /// Empties the buffer for the next record, keeping every allocation, and hands out the
    /// text's bytes for the reader to fill. [`RecordBuf::finish`] gives them back.
    pub(crate) fn start(&mut self) -> Vec<u8> {
        self.spans.clear();
        self.starts.clear();
        self.end = Position::START;
        // `String` -> `Vec<u8>` moves the allocation, it does not copy. The reader fills bytes
        // because the input is bytes; they become text again only once checked as UTF-8.
        let mut bytes = std::mem::take(&mut self.text).into_bytes();
        bytes.clear();
        bytes
    }

    /// Notes that a field starts at `position`.
    pub(crate) fn start_field(&mut self, position: Position) {
        self.starts.push(position);
    }

    /// Notes that the current field ends after `len` bytes of text: it starts where the one
    /// before it ended.
    pub(crate) fn end_field(&mut self, len: usize) {
        let start = self.field_offset();
        self.spans.push(start..len);
    }

    /// Where the current field's text starts in the record's bytes.
    pub(crate) fn field_offset(&self) -> usize {
        self.spans.last().map_or(0, |span| span.end)
    }

    /// Notes a field that the reader found in a record's line (see `Parser::plain_record`):
    /// it starts at `position` in the input, and its text is `span` in the record's bytes.
    pub(crate) fn plain_field(&mut self, position: Position, span: Range<usize>) {
        self.starts.push(position);
        self.spans.push(span);
    }

    /// The reader has copied a record's line into `bytes` as it is, and each field is its
    /// part of it. A quoted field with `""` inside needs one quote for each pair: its text
    /// becomes such a copy, stored after the line. `first` is the first field that may have
    /// pairs; none before it has.
    pub(crate) fn unescape_quotes(&mut self, bytes: &mut Vec<u8>, first: usize) {
        for span in self.spans.iter_mut().skip(first) {
            let start = bytes.len();
            let mut from = span.start;
            // Every quote in the field's text is the first half of a `""`, from where a piece
            // starts: the piece is kept up to it, and the second half is skipped.
            while let Some(quote) = bytes
                .get(from..span.end)
                .and_then(|text| text.iter().position(|&byte| byte == b'"'))
            {
                copy_within(bytes, from..from + quote + 1);
                from += quote + 2;
            }
            if start == bytes.len() {
                // No pair: the field's text stays where it is.
                continue;
            }
            copy_within(bytes, from..span.end);
            *span = start..bytes.len();
        }
    }

    /// Notes where the record ends.
    pub(crate) fn set_end(&mut self, end: Position) {
        self.end = end;
    }

    /// Takes back the bytes from [`RecordBuf::start`] as the record's text.
    ///
    /// The reader has checked them as UTF-8 as they arrived (see `utf8.rs`), so the conversion
    /// succeeds and moves the allocation without copying. It is still checked, because
    /// `String::from_utf8` is how safe code turns bytes into text; if it ever fails, the
    /// record is emptied rather than trusted, and `false` says so.
    pub(crate) fn finish(&mut self, bytes: Vec<u8>) -> bool {
        match String::from_utf8(bytes) {
            Ok(text) => {
                self.text = text;
                true
            }
            Err(error) => {
                self.restore(error.into_bytes());
                false
            }
        }
    }

    /// Takes back the bytes, replacing every invalid UTF-8 sequence with U+FFFD, one field at
    /// a time so that the field boundaries stay right although the text changes length.
    ///
    /// U+FFFD is three bytes, so a field of invalid bytes can triple in length: the limits are
    /// checked again on the text it becomes, before building it.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::FieldTooLong`] or [`ErrorKind::RecordTooLong`] when the replaced text is
    /// over a limit; the buffer is then left empty.
    pub(crate) fn finish_lossy(
        &mut self,
        bytes: Vec<u8>,
        limits: &Limits,
    ) -> Result<(), ParseError> {
        let (total, over) = self.lossy_len(&bytes, limits);
        if let Some((index, kind)) = over {
            let position = self.position(index).unwrap_or(self.end);
            self.restore(bytes);
            return Err(ParseError::new(position, index + 1, kind));
        }
        let mut text = String::with_capacity(total);
        for span in &mut self.spans {
            let field = bytes.get(span.clone()).unwrap_or_default();
            let start = text.len();
            text.push_str(&String::from_utf8_lossy(field));
            *span = start..text.len();
        }
        self.text = text;
        Ok(())
    }

    /// How long the text of `bytes` will be once each invalid sequence is replaced, and the
    /// first field (its index) that the replacing takes over a limit, if any.
    fn lossy_len(&self, bytes: &[u8], limits: &Limits) -> (usize, Option<(usize, ErrorKind)>) {
        let mut total = 0;
        for (index, span) in self.spans.iter().enumerate() {
            let field = bytes.get(span.clone()).unwrap_or_default();
            // `from_utf8_lossy` puts one U+FFFD (three bytes) for each invalid sequence.
            let len: usize = field
                .utf8_chunks()
                .map(|chunk| chunk.valid().len() + 3 * usize::from(!chunk.invalid().is_empty()))
                .sum();
            total += len;
            if len > limits.max_field_bytes {
                let limit = limits.max_field_bytes;
                return (
                    total,
                    Some((
                        index,
                        ErrorKind::FieldTooLong {
                            limit,
                            quoted: false,
                        },
                    )),
                );
            }
            if total > limits.max_record_bytes {
                let limit = limits.max_record_bytes;
                return (total, Some((0, ErrorKind::RecordTooLong { limit })));
            }
        }
        (total, None)
    }

    /// Forgets the fields noted so far, keeping their allocations: the reader started the
    /// record on its fast path and hands it to the state machine instead.
    pub(crate) fn clear_fields(&mut self) {
        self.spans.clear();
        self.starts.clear();
    }

    /// Takes back the bytes of a record that is not handed out (it had an error), keeping
    /// their allocation for the next record.
    pub(crate) fn restore(&mut self, mut bytes: Vec<u8>) {
        bytes.clear();
        self.spans.clear();
        self.starts.clear();
        // An empty `Vec` is always valid UTF-8, so this keeps the allocation and never fails.
        self.text = String::from_utf8(bytes).unwrap_or_default();
    }
}

/// Appends `bytes[range]` to `bytes`; nothing when `range` is not within it.
fn copy_within(bytes: &mut Vec<u8>, range: Range<usize>) {
    if range.start <= range.end && range.end <= bytes.len() {
        bytes.extend_from_within(range);
    }
}
