//! Step 1.4: an iterator over the records of a CSV text.
//!
//! A record usually ends at a line break, but a quoted field may contain line breaks of its
//! own, so records cannot be found with `str::lines`. The iterator walks the text once, byte by
//! byte, with a small state machine (see `State`), and hands out records that borrow from the
//! input wherever they can.

// The lesson's code blocks are doctests of this crate (`Lesson` below): every example must
// compile without warnings, as the learner's code must (items a snippet never uses aside).
#![doc(test(attr(deny(warnings), allow(dead_code))))]

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
///
/// It holds the unread rest of the input as a `&'a str` and cuts one record off its front per
/// call to `next`. Rejected: parsing everything into a `Vec<Record>` up front, which holds
/// every record of a large upload in memory at once and makes the caller wait for all of them.
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

// `Item = Record<'a>`: each record borrows from the input text (lifetime `'a`), not from the
// iterator, so callers may keep records while they ask for the next one, or `collect` them.
impl<'a> Iterator for Records<'a> {
    type Item = Record<'a>;

    fn next(&mut self) -> Option<Record<'a>> {
        self.skip_blank_lines();
        if self.rest.is_empty() {
            return None;
        }
        let input = self.rest;
        let bytes = input.as_bytes();
        let record_line = self.line;
        let mut fields = Vec::new();
        let mut state = State::FieldStart;
        // Where the current field's text starts, and whether it holds a `""` to rewrite.
        let mut start = 0;
        let mut escaped = false;
        let mut i = 0;
        // Every delimiter is ASCII, so every index where we slice `input` is a char boundary.
        // A `loop` with a manual index rather than `for`, because a `\r\n` line break is two
        // bytes and the loop must hand back how much of the input the record used.
        let consumed = loop {
            let Some(&byte) = bytes.get(i) else {
                // End of input: the last field ends here, whatever the state.
                let end = if state == State::QuoteInQuoted {
                    i - 1
                } else {
                    i
                };
                fields.push(field_text(input, start, end, escaped));
                break i;
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
                        self.line += 1;
                        break i + line_break;
                    }
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
                State::Quoted => {
                    if byte == b'\n' {
                        self.line += 1;
                    }
                }
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
            i += 1;
        };
        self.rest = &input[consumed..];
        Some(Record {
            line: record_line,
            fields,
        })
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

// The step's lesson, so that `cargo test --doc` compiles its `rust` code blocks.
#[cfg(doctest)]
#[doc = include_str!("../../../../exercises/01_borrowing/04_record_iterator/README.md")]
pub struct Lesson;
