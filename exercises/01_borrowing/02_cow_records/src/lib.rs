//! Step 1.2: records that borrow when they can and own when they must.
//!
//! Most fields of an upload can be handed out as views into the line. A quoted field with an
//! escaped quote inside (`"say ""hi"""`) cannot: its text `say "hi"` appears nowhere in the
//! line, so it must be built. `Cow` holds either kind, so only those rare fields pay for a copy.

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
        // TODO: return the field at `index` as a `&str`, or `None` when there is no such field.
        // Do not panic on a short record.
        let _ = index;
        todo!()
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
        // TODO: build a `Record<'static>` with the same line, turning every field into
        // `Cow::Owned`.
        todo!()
    }
}

/// The text of one raw field: a field that starts and ends with `"` (and is at least two
/// characters long) loses those quotes, and each `""` between them becomes one `"`. Any other
/// field is returned as it is.
///
/// Borrowed unless a `""` had to be rewritten: `"Ada"` gives a view of `Ada` inside `raw`.
pub fn unquote(raw: &str) -> Cow<'_, str> {
    // TODO: return `Cow::Borrowed` for a field without quotes, and for a quoted field without
    // `""` inside; return `Cow::Owned` only when a `""` has to become `"`.
    let _ = raw;
    todo!()
}

/// Parses one line (without its line break) into a record that starts on line `number`.
///
/// Fields are split at every comma, then unquoted. A comma inside quotes still splits the
/// field: step 1.3 fixes that.
pub fn parse_line(line: &str, number: usize) -> Record<'_> {
    // TODO: the record of `line`, numbered `number`, with every field unquoted, empty fields
    // kept (`parse_line_keeps_the_line_number_and_unquotes_each_field`,
    // `parse_line_keeps_empty_fields`).
    let _ = (line, number);
    todo!()
}
