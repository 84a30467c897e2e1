//! The record iterator: [`records`] walks the text once, byte by byte, with a small state
//! machine (`State`), and hands out [`Record`]s that borrow from the input wherever they can.

use std::borrow::Cow;

use crate::{ErrorKind, ParseError, Position};

/// One CSV record: its fields and where each of them starts.
///
/// The fields borrow from the input text (`Cow::Borrowed`) unless a field had to be rewritten
/// because it contained escaped quotes (`""` becomes `"`), in which case that one field owns
/// its text (`Cow::Owned`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record<'a> {
    line: usize,
    fields: Vec<Cow<'a, str>>,
    /// Where each field starts in the input (for a quoted field, its opening quote).
    starts: Vec<Position>,
    /// Where the record ends: just before its line break, or at the end of the input.
    end: Position,
}

impl<'a> Record<'a> {
    /// The 1-based line on which this record starts.
    pub fn line(&self) -> usize {
        self.line
    }

    /// All fields, in order.
    pub fn fields(&self) -> &[Cow<'a, str>] {
        &self.fields
    }

    /// The field at `index`, or `None` when the record is shorter.
    pub fn field(&self, index: usize) -> Option<&str> {
        self.fields.get(index).map(|field| field.as_ref())
    }

    /// Where the field at `index` starts, or `None` when the record is shorter.
    pub fn position(&self, index: usize) -> Option<Position> {
        self.starts.get(index).copied()
    }

    /// Where the record ends: just before its line break, or at the end of the input.
    pub fn end(&self) -> Position {
        self.end
    }

    /// The number of fields.
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    /// `true` when the record has no fields. Records from [`records`] always have at least one.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// Copies every borrowed field, so the record can outlive the input text.
    pub fn into_owned(self) -> Record<'static> {
        Record {
            line: self.line,
            fields: self
                .fields
                .into_iter()
                .map(|field| Cow::Owned(field.into_owned()))
                .collect(),
            starts: self.starts,
            end: self.end,
        }
    }
}

/// Returns an iterator over the records of `input`.
///
/// - Fields are separated by `,`; records end at `\n` or `\r\n`.
/// - A field wrapped in double quotes may contain `,`, line breaks, and `""` for one `"`.
/// - Blank lines between records are skipped.
/// - A `"` inside an unquoted field, or text after a closing quote, makes the row an error.
///   The rest of that row is still read, so the next item is the next row.
/// - An unclosed quote runs to the end of the input: the last field holds all the rest. (Part 3
///   turns this into an error.)
pub fn records(input: &str) -> Records<'_> {
    Records {
        rest: input,
        position: Position::START,
    }
}

/// The iterator returned by [`records`].
#[derive(Debug, Clone)]
pub struct Records<'a> {
    /// The input not yet read.
    rest: &'a str,
    /// Where `rest` starts.
    position: Position,
}

/// Where the parser is inside the current field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Nothing of the field read yet.
    FieldStart,
    /// Inside a field that did not start with a quote.
    Unquoted,
    /// Inside a quoted field.
    Quoted,
    /// Just read a `"` inside a quoted field: either the closing quote or the first half of `""`.
    QuoteInQuoted,
}

impl<'a> Iterator for Records<'a> {
    type Item = Result<Record<'a>, ParseError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.skip_blank_lines();
        if self.rest.is_empty() {
            return None;
        }
        let input = self.rest;
        let bytes = input.as_bytes();
        let record_line = self.position.line;
        let mut fields = Vec::new();
        let mut starts = vec![self.position];
        // The first mistake in this row. The row is still read to its end, so that one bad
        // row costs one item and the next call starts cleanly at the next row. Returning at
        // the first mistake instead would leave the iterator in the middle of a row.
        let mut error: Option<ParseError> = None;
        let mut state = State::FieldStart;
        // Where the current field's text starts, and whether it holds a `""` to rewrite.
        let mut start = 0;
        let mut escaped = false;
        let mut i = 0;
        // Every delimiter is ASCII, so every index where we slice `input` is a char boundary.
        let (consumed, end) = loop {
            // `here` is the position of `bytes[i]`.
            let here = self.position;
            let Some(&byte) = bytes.get(i) else {
                // End of input: the last field ends here, whatever the state.
                let end = if state == State::QuoteInQuoted {
                    i - 1
                } else {
                    i
                };
                fields.push(field_text(input, start, end, escaped));
                break (i, here);
            };
            let line_break = line_break_len(bytes, i);
            match state {
                State::FieldStart | State::Unquoted | State::QuoteInQuoted
                    if byte == b',' || line_break > 0 =>
                {
                    // The field ends here. A quoted field's text stops before its closing quote.
                    let end = if state == State::QuoteInQuoted {
                        i - 1
                    } else {
                        i
                    };
                    fields.push(field_text(input, start, end, escaped));
                    if line_break > 0 {
                        self.position.next_line(line_break);
                        break (i + line_break, here);
                    }
                    state = State::FieldStart;
                    start = i + 1;
                    escaped = false;
                    // The next field starts right after this comma, which is one character.
                    starts.push(Position {
                        column: here.column + 1,
                        byte: here.byte + 1,
                        ..here
                    });
                }
                State::FieldStart if byte == b'"' => {
                    state = State::Quoted;
                    start = i + 1;
                }
                State::FieldStart => state = State::Unquoted,
                State::Unquoted if byte == b'"' => {
                    // `5" screen`: the customer may have meant a quoted field, or a literal
                    // quote. Keeping the quote would be a guess; the row is reported instead.
                    let mistake = ParseError::new(here, fields.len() + 1, ErrorKind::StrayQuote);
                    remember(&mut error, mistake);
                }
                State::Unquoted => {}
                State::Quoted if byte == b'"' => state = State::QuoteInQuoted,
                State::Quoted => {}
                State::QuoteInQuoted if byte == b'"' => {
                    // `""` inside quotes is one literal quote.
                    escaped = true;
                    state = State::Quoted;
                }
                State::QuoteInQuoted => {
                    // `"ab"c`: text after the closing quote. Report it, then read on as if
                    // the field were unquoted, only to find where the row ends.
                    let mistake =
                        ParseError::new(here, fields.len() + 1, ErrorKind::TextAfterQuote);
                    remember(&mut error, mistake);
                    state = State::Unquoted;
                    start -= 1;
                }
            }
            self.position.advance(byte);
            i += 1;
        };
        self.rest = &input[consumed..];
        match error {
            Some(error) => Some(Err(error)),
            None => Some(Ok(Record {
                line: record_line,
                fields,
                starts,
                end,
            })),
        }
    }
}

impl Records<'_> {
    fn skip_blank_lines(&mut self) {
        loop {
            let len = line_break_len(self.rest.as_bytes(), 0);
            if len == 0 {
                return;
            }
            self.rest = &self.rest[len..];
            self.position.next_line(len);
        }
    }
}

/// Keeps `mistake` unless the row already has one: the first mistake of a row is reported.
///
/// Later mistakes in the same row are often echoes of the first (one stray quote can make the
/// rest of the row look wrong), so reporting only the first keeps the message trustworthy.
fn remember(error: &mut Option<ParseError>, mistake: ParseError) {
    // TODO: after any number of calls, `*error` holds the row's first mistake; a later one
    // never replaces it (`the_first_mistake_of_a_row_is_the_one_reported`).
    let _ = (error, mistake);
    todo!()
}

/// The length of the line break at `i`: 1 for `\n`, 2 for `\r\n`, 0 for anything else.
fn line_break_len(bytes: &[u8], i: usize) -> usize {
    match (bytes.get(i), bytes.get(i + 1)) {
        (Some(b'\n'), _) => 1,
        (Some(b'\r'), Some(b'\n')) => 2,
        _ => 0,
    }
}

/// The text of one field: borrowed when it can be, owned when `""` must become `"`.
fn field_text(input: &str, start: usize, end: usize, escaped: bool) -> Cow<'_, str> {
    let text = &input[start..end];
    if escaped {
        Cow::Owned(text.replace("\"\"", "\""))
    } else {
        Cow::Borrowed(text)
    }
}
