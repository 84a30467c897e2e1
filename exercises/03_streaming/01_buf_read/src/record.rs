//! One record, in a buffer that is reused for every record (pattern PARSE-1).

use std::num::ParseIntError;
use std::ops::Range;
use std::str::FromStr;

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
        // TODO(3.1): the bytes handed out must be `self.text`'s own allocation, emptied, not a
        // new `Vec`: `finish` and `restore` give them back, so equal rows reuse one buffer and
        // a grown buffer stays grown (`the_record_buffer_is_reused_not_regrown`,
        // `a_long_record_grows_the_buffer_once_and_it_stays_grown`). Lesson: "a buffer the
        // caller owns".
        self.ends.clear();
        self.starts.clear();
        self.end = Position::START;
        Vec::new()
    }

    /// Notes that a field starts at `position`.
    pub(crate) fn start_field(&mut self, position: Position) {
        self.starts.push(position);
    }

    /// Notes that the current field ends after `len` bytes of text.
    pub(crate) fn end_field(&mut self, len: usize) {
        self.ends.push(len);
    }

    /// Notes where the record ends.
    pub(crate) fn set_end(&mut self, end: Position) {
        self.end = end;
    }

    /// Takes back the bytes from [`RecordBuf::start`] as the record's text.
    ///
    /// `String::from_utf8` checks that they are UTF-8 and, if they are, moves the allocation
    /// into the `String` without copying. If they are not, the record is emptied rather than
    /// trusted, and `false` says so.
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
