//! The import report: what the worker tells a customer about their upload.
//!
//! Each function here first failed to compile with a classic borrow-checker error. The
//! comments name the error and say why the fix is the right one.

use crate::Record;

/// The field at `index`, or `default` when the record has no such field.
///
/// An empty field is still a field: `field_or` returns `""` for it, not `default`.
pub fn field_or<'a>(record: &'a Record<'_>, index: usize, default: &'a str) -> &'a str {
    // E0106 (missing lifetime specifier): with two references in, the compiler cannot guess
    // which one the result borrows from. It may borrow from either, so one named lifetime `'a`
    // on both says "the result lives no longer than the shorter of the two". Rejected:
    // `-> String`, which compiles but copies a field on every call for no reason.
    record.field(index).unwrap_or(default)
}

/// The key that finds duplicate customers: an email address, trimmed and lower-cased.
///
/// `" Ada@Example.COM"` and `"ada@example.com"` give the same key.
pub fn email_key(email: &str) -> String {
    // E0515 (cannot return reference to local variable): lower-casing builds a new `String`
    // inside this function, and it is dropped when the function returns, so a `&str` into it
    // would dangle. Return the `String` itself (pattern OWN-1: own out). Rejected: returning
    // `email.trim()` borrowed, which compiles but then `Ada@Example.com` and
    // `ada@example.com` are two different customers.
    email.trim().to_lowercase()
}

/// Checks that every row has as many fields as the header (the first record), and describes
/// each row that does not, in order.
///
/// When there are problems, the first message is a summary for the top of the report:
/// `rows with the wrong number of fields: 2; first: line 3: expected 3 fields, found 2`.
pub fn width_problems(records: &[Record<'_>]) -> Vec<String> {
    let Some((header, rows)) = records.split_first() else {
        return Vec::new();
    };
    let mut problems = Vec::new();
    for row in rows {
        if row.len() != header.len() {
            problems.push(format!(
                "line {}: expected {} fields, found {}",
                row.line(),
                header.len(),
                row.len()
            ));
        }
    }
    // E0502 (cannot borrow as mutable because it is also borrowed as immutable): the first
    // version kept `problems.last()` in a variable while the loop went on pushing. A push may
    // move the whole buffer to a bigger allocation, which would leave that reference pointing
    // at freed memory, so the compiler forbids it. Borrow the first message only after the
    // last push, and let that borrow end (inside `format!`) before `insert` changes the Vec.
    // Rejected: cloning the message inside the loop, which works but hides the real rule.
    if let Some(first) = problems.first() {
        let summary = format!(
            "rows with the wrong number of fields: {}; first: {first}",
            problems.len()
        );
        problems.insert(0, summary);
    }
    problems
}
