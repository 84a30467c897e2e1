//! # OWN-1: Borrow in, own out
//!
//! ## Use when
//! A function reads text it does not keep: take `&str`. Return slices of that input when the
//! result is a piece of it, and an owned `String` when the result is new text or must outlive
//! the input (a header kept while the line buffer is reused).
//!
//! ## Why
//! `&str` accepts a `String`, a literal or a slice of a bigger buffer without a copy, and a
//! slice of the input costs nothing to return. The compiler ties a returned `&str` to the
//! input, so it can never dangle. Owning only at the edge keeps copies where they are needed.
//!
//! ## Avoid
//! Returning a reference to text the function just built: the `String` is dropped when the
//! function returns, so the compiler rejects it. Return the `String` itself.
//!
//! ```compile_fail,E0515
//! fn column_key(name: &str) -> &str {
//!     let key = name.trim().to_lowercase();
//!     &key // `key` is dropped here: the reference would dangle
//! }
//! ```
//!
//! Also avoid parameters of type `&String` (clippy's `ptr_arg` flags them: they reject
//! slices and literals) and `String` (forces every caller to give up or copy its text).
//!
//! ## Steps
//! - `01_borrowing/01_split_fields`
//! - `01_borrowing/02_cow_records`
//! - `01_borrowing/05_borrow_checker`

/// The fields of one CSV line, split at commas. Borrowed: each field is a view into `line`.
pub fn split_fields(line: &str) -> Vec<&str> {
    line.split(',').collect()
}

/// A column name as a lookup key: trimmed and lower-cased. Owned: lower-casing makes new text.
pub fn column_key(name: &str) -> String {
    name.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_borrow_from_the_line() {
        let line = String::from("id,name,");
        let fields = split_fields(&line);
        assert_eq!(fields, ["id", "name", ""]);
        assert_eq!(fields[1].as_ptr(), line[3..].as_ptr(), "no copy was made");
    }

    #[test]
    fn keys_outlive_the_text_they_came_from() {
        let key = {
            let header = String::from(" Prénom ");
            column_key(&header)
        };
        assert_eq!(key, "prénom");
    }
}
