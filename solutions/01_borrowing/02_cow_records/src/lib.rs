//! Step 1.2: records that borrow when they can and own when they must.
//!
//! Most fields of an upload can be handed out as views into the line. A quoted field with an
//! escaped quote inside (`"say ""hi"""`) cannot: its text `say "hi"` appears nowhere in the
//! line, so it must be built. `Cow` holds either kind, so only those rare fields pay for a copy.

// The lesson's code blocks are doctests of this crate (`Lesson` below): every example must
// compile without warnings, as the learner's code must (items a snippet never uses aside).
#![doc(test(attr(deny(warnings), allow(dead_code))))]

use std::borrow::Cow;

/// Splits one line of CSV text (without its line break) into its fields, at every comma.
///
/// The fields borrow from `line`. Written out in full, the signature is
/// `fn split_fields<'a>(line: &'a str) -> Vec<&'a str>`: the fields live as long as the line,
/// and the compiler refuses any use of them after the line is gone.
///
/// Every line has at least one field: `""` is one empty field and `"a,"` is two fields, the
/// second one empty. Spaces are data and are kept. Quotes get no special meaning here.
pub fn split_fields(line: &str) -> Vec<&str> {
    // `str::split` yields borrowed slices of `line` and keeps empty pieces, which is what CSV
    // means by `a,,b`. Rejected: `split_terminator` (drops the empty field after a trailing
    // comma) and `map(str::to_string)` (copies every field for nothing).
    line.split(',').collect()
}

/// The column names of a header line: each field trimmed and lower-cased.
///
/// The names are owned `String`s, not views into `line`, for two reasons: lower-casing makes
/// new text, and the worker keeps the header while it reads every later line into the same
/// reused buffer, which it could not overwrite while names still borrowed from it.
pub fn header_names(line: &str) -> Vec<String> {
    // Borrow while working (`split_fields`, `trim` copy nothing), own only the result.
    // `to_lowercase`, not `to_ascii_lowercase`: customers name columns `État` and `ÜBER`.
    split_fields(line)
        .into_iter()
        .map(|name| name.trim().to_lowercase())
        .collect()
}

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

/// The text of one raw field: a field that starts and ends with `"` (and is at least two
/// characters long) loses those quotes, and each `""` between them becomes one `"`. Any other
/// field is returned as it is.
///
/// Borrowed unless a `""` had to be rewritten: `"Ada"` gives a view of `Ada` inside `raw`.
pub fn unquote(raw: &str) -> Cow<'_, str> {
    // `strip_prefix` + `strip_suffix` remove exactly one quote at each end. Rejected:
    // `trim_matches('"')`, which also eats the escaped quotes of `"""Ada"""`, and
    // `&raw[1..raw.len() - 1]`, which panics on a lone `"`.
    let Some(inner) = raw
        .strip_prefix('"')
        .and_then(|rest| rest.strip_suffix('"'))
    else {
        // Not quoted: `""` in `5""` is data, not an escape.
        return Cow::Borrowed(raw);
    };
    if inner.contains("\"\"") {
        // The only case that allocates: the text `say "hi"` does not exist in the line.
        Cow::Owned(inner.replace("\"\"", "\""))
    } else {
        Cow::Borrowed(inner)
    }
}

/// Parses one line (without its line break) into a record that starts on line `number`.
///
/// Fields are split at every comma, then unquoted. A comma inside quotes still splits the
/// field: step 1.3 fixes that.
pub fn parse_line(line: &str, number: usize) -> Record<'_> {
    // `map(unquote)` keeps each field's `Cow`: borrowed fields stay views into `line`.
    Record {
        line: number,
        fields: split_fields(line).into_iter().map(unquote).collect(),
    }
}

// The step's lesson, so that `cargo test --doc` compiles its `rust` code blocks.
#[cfg(doctest)]
#[doc = include_str!("../../../../exercises/01_borrowing/02_cow_records/README.md")]
pub struct Lesson;
