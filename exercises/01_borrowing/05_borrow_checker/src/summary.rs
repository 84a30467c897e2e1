//! The import report: what the worker tells a customer about their upload.
//!
//! A teammate wrote these three functions in a hurry, and none of them compiles. Fix each one
//! by reading what the compiler says: change as little as you can, keep what each function
//! promises in its documentation, and check the tests in `tests/borrow_checker.rs`.

use crate::Record;

/// The field at `index`, or `default` when the record has no such field.
///
/// An empty field is still a field: `field_or` returns `""` for it, not `default`.
// TODO: this signature does not compile. Which of the two references does the result borrow
// from? Tell the compiler.
pub fn field_or(record: &Record<'_>, index: usize, default: &str) -> &str {
    record.field(index).unwrap_or(default)
}

/// The key that finds duplicate customers: an email address, trimmed and lower-cased.
///
/// `" Ada@Example.COM"` and `"ada@example.com"` give the same key.
// TODO: this does not compile. Where does the text of `key` live, and until when?
pub fn email_key(email: &str) -> &str {
    let key = email.trim().to_lowercase();
    &key
}

/// Checks that every row has as many fields as the header (the first record), and describes
/// each row that does not, in order.
///
/// When there are problems, the first message is a summary for the top of the report:
/// `rows with the wrong number of fields: 2; first: line 3: expected 3 fields, found 2`.
// TODO: this does not compile. What happens to a reference into a `Vec` when you push to it?
pub fn width_problems(records: &[Record<'_>]) -> Vec<String> {
    let Some((header, rows)) = records.split_first() else {
        return Vec::new();
    };
    let mut problems = Vec::new();
    let mut first_problem: Option<&String> = None;
    for row in rows {
        if row.len() != header.len() {
            problems.push(format!(
                "line {}: expected {} fields, found {}",
                row.line(),
                header.len(),
                row.len()
            ));
            if first_problem.is_none() {
                first_problem = problems.last();
            }
        }
    }
    if let Some(first) = first_problem {
        let summary = format!(
            "rows with the wrong number of fields: {}; first: {first}",
            problems.len()
        );
        problems.insert(0, summary);
    }
    problems
}
