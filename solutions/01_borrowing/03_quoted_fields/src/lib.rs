//! Step 1.3: quoted fields as a state machine.
//!
//! `"Smith, Ada",42` has two fields, but splitting at every comma finds three. Whether a comma
//! ends a field depends on what came before it, so the parser reads the line once, byte by
//! byte, and remembers where it is in a `State`. Each `match` arm is one rule of CSV.

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

    /// `true` when the record has no fields. Records from [`parse_line`] always have at least
    /// one.
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
#[doc = include_str!("../../../../exercises/01_borrowing/03_quoted_fields/README.md")]
pub struct Lesson;
