//! # OWN-2: Cow for maybe-owned text
//!
//! ## Use when
//! A function usually returns a piece of its input unchanged, but sometimes has to build new
//! text (unescaping, normalising). Return `Cow<'_, str>`: `Borrowed` in the common case,
//! `Owned` only when something was rewritten.
//!
//! ## Why
//! A parser that returns `String` copies every field of every row, although most fields need
//! no change. A parser that returns `&str` cannot express the rewritten ones at all. `Cow`
//! (clone on write) holds either, derefs to `&str` for the caller, and `into_owned` turns a
//! whole record into `'static` data when it must outlive the input.
//!
//! ## Avoid
//! Returning `&str` from a function that sometimes builds the text: the built `String` is a
//! temporary, dropped when the function returns, so the compiler rejects it.
//!
//! ```compile_fail,E0515
//! fn unescape(field: &str) -> &str {
//!     if field.contains("\"\"") {
//!         &field.replace("\"\"", "\"") // a temporary String: the reference would dangle
//!     } else {
//!         field
//!     }
//! }
//! ```
//!
//! Returning `String` always compiles, and quietly copies every field; the tests below catch
//! it by asserting that the common case is `Cow::Borrowed`.
//!
//! ## Steps
//! - `01_borrowing/02_cow_records`
//! - `01_borrowing/03_quoted_fields`

use std::borrow::Cow;

/// The text of a quoted CSV field (quotes already removed): each `""` becomes `"`.
///
/// Borrowed when there is no `""`, which is almost always; owned only when text was rewritten.
pub fn unescape_quotes(inner: &str) -> Cow<'_, str> {
    if inner.contains("\"\"") {
        Cow::Owned(inner.replace("\"\"", "\""))
    } else {
        Cow::Borrowed(inner)
    }
}

/// Copies a row of maybe-borrowed fields into owned data that outlives the input.
pub fn into_owned_row(row: Vec<Cow<'_, str>>) -> Vec<Cow<'static, str>> {
    // `Cow::into_owned` moves an owned field and copies only the borrowed ones.
    row.into_iter()
        .map(|field| Cow::Owned(field.into_owned()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed() {
        assert!(matches!(unescape_quotes("Ada"), Cow::Borrowed("Ada")));
    }

    #[test]
    fn escaped_quotes_are_rewritten_into_owned_text() {
        let field = unescape_quotes("say \"\"hi\"\"");
        assert!(matches!(field, Cow::Owned(_)));
        assert_eq!(field, "say \"hi\"");
    }

    #[test]
    fn owned_rows_outlive_their_input() {
        let row = {
            let line = String::from("a,\"\"b");
            let fields: Vec<Cow<'_, str>> = line.split(',').map(unescape_quotes).collect();
            into_owned_row(fields)
        };
        assert_eq!(row, ["a", "\"b"]);
    }
}
