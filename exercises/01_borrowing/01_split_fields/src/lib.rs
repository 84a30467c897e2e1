//! Step 1.1: split a line into fields.
//!
//! The import worker reads an upload one line at a time. Splitting a line must not copy it:
//! each field is a `&str`, a view into the line, so splitting costs one small `Vec` of
//! (address, length) pairs however long the text is.

/// Splits one line of CSV text (without its line break) into its fields, at every comma.
///
/// The fields borrow from `line`. Written out in full, the signature is
/// `fn split_fields<'a>(line: &'a str) -> Vec<&'a str>`: the fields live as long as the line,
/// and the compiler refuses any use of them after the line is gone.
///
/// Every line has at least one field: `""` is one empty field and `"a,"` is two fields, the
/// second one empty. Spaces are data and are kept. Quotes get no special meaning yet.
pub fn split_fields(line: &str) -> Vec<&str> {
    // TODO: return the pieces of `line` between commas, as slices of `line` (no copies).
    // The `str` documentation lists a method that splits at a character.
    let _ = line;
    todo!()
}

/// The column names of a header line: each field trimmed and lower-cased.
///
/// The names are owned `String`s, not views into `line`, for two reasons: lower-casing makes
/// new text, and the worker keeps the header while it reads every later line into the same
/// reused buffer, which it could not overwrite while names still borrowed from it.
pub fn header_names(line: &str) -> Vec<String> {
    // TODO: the names as the doc comment says, every letter lower-cased, not only ASCII
    // (`header_names_lower_case_all_letters`), and empty names kept
    // (`header_names_keep_empty_names`). They must outlive `line`
    // (`the_header_outlives_the_reused_line_buffer`).
    let _ = line;
    todo!()
}
