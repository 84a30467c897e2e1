//! One record, in a buffer that is reused for every record (pattern PARSE-1).

use std::num::ParseIntError;
use std::ops::Range;
use std::str::FromStr;

use crate::Limits;
use crate::{ErrorKind, ParseError, Position};

/// The fields of one record, in one reusable buffer.
///
/// All fields' text is stored back to back in one `String`, and `ends` says where each field
/// ends. Reading the next record clears these and fills them again: the allocations made for
/// the first long record are kept and reused for every later one, so a reader that has reached
/// its steady state allocates nothing per row.
///
/// Rejected: a `Vec<String>` per record, which allocates once per field per row (millions of
/// allocations for a large upload), and returning records that borrow from the reader's
/// internal buffer, which the borrow checker rightly refuses once a record spans two reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordBuf {
    /// Every field's text, one after another, without quotes or delimiters.
    text: String,
    /// Where each field ends in `text`; field `i` starts where field `i - 1` ends.
    ends: Vec<usize>,
    /// Where each field starts in the input (for a quoted field, its opening quote).
    starts: Vec<Position>,
    /// Where the record ends: at its line break, or at the end of the input.
    end: Position,
}

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
            ends: Vec::new(),
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
        self.ends.len()
    }

    /// `true` when the buffer holds no record. A record read from a file has one field at least.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The field at `index`, or `None` when the record is shorter.
    pub fn field(&self, index: usize) -> Option<&str> {
        self.text.get(self.range(index)?)
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

    /// The byte range of field `index` in `text`.
    fn range(&self, index: usize) -> Option<Range<usize>> {
        let end = *self.ends.get(index)?;
        let start = match index.checked_sub(1) {
            Some(previous) => *self.ends.get(previous)?,
            None => 0,
        };
        Some(start..end)
    }

    /// Empties the buffer for the next record, keeping every allocation, and hands out the
    /// text's bytes for the reader to fill. [`RecordBuf::finish`] gives them back.
    pub(crate) fn start(&mut self) -> Vec<u8> {
        self.ends.clear();
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

    /// Notes that the current field ends after `len` bytes of text.
    pub(crate) fn end_field(&mut self, len: usize) {
        self.ends.push(len);
    }

    /// Where the current field's text starts in the record's bytes.
    pub(crate) fn field_offset(&self) -> usize {
        self.ends.last().copied().unwrap_or(0)
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
        let mut start = 0;
        for end in &mut self.ends {
            let field = bytes.get(start..*end).unwrap_or_default();
            text.push_str(&String::from_utf8_lossy(field));
            start = *end;
            *end = text.len();
        }
        self.text = text;
        Ok(())
    }

    /// How long the text of `bytes` will be once each invalid sequence is replaced, and the
    /// first field (its index) that the replacing takes over a limit, if any.
    fn lossy_len(&self, bytes: &[u8], limits: &Limits) -> (usize, Option<(usize, ErrorKind)>) {
        let mut total = 0;
        let mut start = 0;
        for (index, &end) in self.ends.iter().enumerate() {
            let field = bytes.get(start..end).unwrap_or_default();
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
            start = end;
        }
        (total, None)
    }

    /// Forgets the fields noted so far, keeping their allocations: the reader started the
    /// record on its fast path and hands it to the state machine instead.
    pub(crate) fn clear_fields(&mut self) {
        self.ends.clear();
        self.starts.clear();
    }

    /// Takes back the bytes of a record that is not handed out (it had an error), keeping
    /// their allocation for the next record.
    pub(crate) fn restore(&mut self, mut bytes: Vec<u8>) {
        bytes.clear();
        self.ends.clear();
        self.starts.clear();
        // An empty `Vec` is always valid UTF-8, so this keeps the allocation and never fails.
        self.text = String::from_utf8(bytes).unwrap_or_default();
    }
}
