//! Step 1.4: an iterator over the records of a CSV text.
//!
//! A record usually ends at a line break, but a quoted field may contain line breaks of its
//! own, so records cannot be found with `str::lines`. The iterator walks the text once, byte by
//! byte, with a small state machine (see `State`), and hands out records that borrow from the
//! input wherever they can.

use std::borrow::Cow;

/// One CSV record: its fields and the line it starts on.
///
/// The fields borrow from the input text (`Cow::Borrowed`) unless a field had to be rewritten
/// because it contained escaped quotes (`""` becomes `"`), in which case that one field owns
/// its text (`Cow::Owned`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record<'a> {
    line: usize,
    fields: Vec<Cow<'a, str>>,
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
        // `get`, not `self.fields[index]`: a short row from a customer is normal input, not a
        // reason to panic. `as_ref` views a `Cow` as `&str` whichever variant it is.
        self.fields.get(index).map(|field| field.as_ref())
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
        // `'static` means "borrows nothing": the record can be kept after the line buffer is
        // reused, or sent to another thread. Fields that are already owned are moved, not
        // copied: `Cow::into_owned` only allocates for `Borrowed`.
        Record {
            line: self.line,
            fields: self
                .fields
                .into_iter()
                .map(|field| Cow::Owned(field.into_owned()))
                .collect(),
        }
    }
}

/// Parses one line (without its line break) into a record that starts on line `number`.
///
/// - Fields are separated by `,`.
/// - A field wrapped in double quotes may contain `,`, and `""` for one `"`.
/// - A quote inside an unquoted field (`5" screen`) is data.
/// - Text after a closing quote (`"ab"c`) is kept as it is, quotes included, rather than
///   dropped. Part 2 reports it as an error.
/// - An unclosed quote runs to the end of the line: the last field holds all the rest.
pub fn parse_line(line: &str, number: usize) -> Record<'_> {
    // One pass over the bytes, not `split(',')` followed by a fix-up: only the state knows
    // whether a comma ends a field. Rejected: a pair of booleans (`in_quotes`, `after_quote`),
    // which allows a fourth combination that means nothing and that no `match` checks.
    let bytes = line.as_bytes();
    let mut fields = Vec::new();
    let mut state = State::FieldStart;
    // Where the current field's text starts, and whether it holds a `""` to rewrite.
    let mut start = 0;
    let mut escaped = false;
    // We only stop at `,` and `"`, which are ASCII. A byte below 128 is never part of a
    // multi-byte UTF-8 character, so every index we slice `line` at is a char boundary.
    // (`chars().enumerate()` would count characters, not bytes, and slice at wrong places.)
    for (i, &byte) in bytes.iter().enumerate() {
        match state {
            State::FieldStart | State::Unquoted | State::QuoteInQuoted if byte == b',' => {
                // The field ends here. A quoted field's text stops before its closing quote.
                let end = if state == State::QuoteInQuoted {
                    i - 1
                } else {
                    i
                };
                fields.push(field_text(line, start, end, escaped));
                state = State::FieldStart;
                start = i + 1;
                escaped = false;
            }
            State::FieldStart if byte == b'"' => {
                state = State::Quoted;
                start = i + 1;
            }
            State::FieldStart => state = State::Unquoted,
            State::Unquoted => {}
            State::Quoted if byte == b'"' => state = State::QuoteInQuoted,
            State::Quoted => {}
            State::QuoteInQuoted if byte == b'"' => {
                // `""` inside quotes is one literal quote.
                escaped = true;
                state = State::Quoted;
            }
            State::QuoteInQuoted => {
                // Text after the closing quote, as in `"ab"c`: keep it as written, quotes
                // included, rather than drop data. Part 2 reports this as an error.
                state = State::Unquoted;
                // Back to the opening quote: `start` is just past it, so it is at least 1.
                start -= 1;
                // As written means no rewriting: `"a""b"c` keeps both of its quotes.
                escaped = false;
            }
        }
    }
    // The end of the line ends the last field, whatever the state: a line always has at least
    // one field, even when it is empty.
    let end = if state == State::QuoteInQuoted {
        line.len() - 1
    } else {
        line.len()
    };
    fields.push(field_text(line, start, end, escaped));
    Record {
        line: number,
        fields,
    }
}

/// Returns an iterator over the records of `input`.
///
/// - Fields are separated by `,`; records end at `\n` or `\r\n`.
/// - A field wrapped in double quotes may contain `,`, line breaks, and `""` for one `"`.
/// - Blank lines between records are skipped.
/// - An unclosed quote runs to the end of the input: the last field holds all the rest. (Part 3
///   turns this into an error; for now the iterator behaves like most CSV readers.)
pub fn records(input: &str) -> Records<'_> {
    Records {
        rest: input,
        line: 1,
    }
}

/// The iterator returned by [`records`].
#[derive(Debug, Clone)]
pub struct Records<'a> {
    /// The input not yet read.
    rest: &'a str,
    /// The line on which `rest` starts.
    line: usize,
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
    type Item = Record<'a>;

    fn next(&mut self) -> Option<Record<'a>> {
        self.skip_blank_lines();
        if self.rest.is_empty() {
            return None;
        }
        // TODO: the record at the start of `self.rest`. A line break (`\n` or `\r\n`, see
        // `line_break_len`) ends it, except inside quotes, where it is data
        // (`windows_line_breaks_are_not_part_of_the_fields`,
        // `quoted_fields_may_contain_line_breaks`); the record's `line` is the line it starts
        // on, counting the line breaks inside quotes too (`blank_lines_are_skipped_but_counted`);
        // the next call starts after this record and its line break.
        // Then `parse_line` has no callers left: delete it.
        todo!()
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
            self.line += 1;
        }
    }
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
