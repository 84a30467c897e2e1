//! The `inspect` example, run as a support engineer runs it, on files written for each case.

#[allow(dead_code)] // the example's `main` is not called here, only `run`
#[path = "../examples/inspect.rs"]
mod inspect;

use std::fs;
use std::path::PathBuf;

/// Writes `text` to a file of its own and runs the tool on it: (status, stdout, stderr).
fn run_on(name: &str, text: &[u8]) -> (u8, String, String) {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("inspect");
    fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    fs::write(&path, text).unwrap();
    run_args(&[path.display().to_string()])
}

fn run_args(args: &[String]) -> (u8, String, String) {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = inspect::run(args, &mut out, &mut err);
    (
        code,
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    )
}

#[test]
fn a_file_with_bad_rows_is_read_to_the_end_and_every_error_listed() {
    let text = "customer_id,email,amount_cents\n1,a@example.com,5\n 5,b@example.com,6\n3,c.example.com,-\n4,d@example.com,7\n";
    let (code, out, err) = run_on("bad_rows.csv", text.as_bytes());
    assert_eq!(code, 0, "read to the end, bad rows included: {err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[..3], ["rows read: 4", "good rows: 2", "bad rows: 2"]);
    assert_eq!(
        lines[3],
        "line 3, column 1: field 1 \"customer_id\": not a customer number (only digits are allowed); found \" 5\""
    );
    assert!(
        lines[4].starts_with("line 4, column 3: field 2 \"email\": "),
        "{}",
        lines[4]
    );
    assert_eq!(lines.len(), 5, "{out}");
}

#[test]
fn a_broken_file_exits_1_after_saying_where() {
    let (code, out, _) = run_on(
        "semicolons.csv",
        b"customer_id;email;amount_cents\n1;a@example.com;5\n",
    );
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("line 1, column 31: field 2 \"customer_id\": missing column"),
        "{out}"
    );
    assert!(out.contains("separated by \";\""), "{out}");

    let (code, out, _) = run_on(
        "duplicate.csv",
        b"customer_id,email,email,amount_cents
1,a@example.com,b@example.com,5
",
    );
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("line 1, column 19: field 3 \"email\": duplicate column"),
        "{out}"
    );
}

#[test]
fn a_file_that_cannot_be_opened_exits_1_naming_it() {
    let (code, _, err) = run_args(&["/nonexistent/orders.csv".to_string()]);
    assert_eq!(code, 1);
    assert!(err.contains("/nonexistent/orders.csv"), "{err}");
}

#[test]
fn a_usage_error_exits_2() {
    for args in [vec![], vec!["a.csv".to_string(), "b.csv".to_string()]] {
        let (code, _, err) = run_args(&args);
        assert_eq!(code, 2, "{args:?}");
        assert!(err.starts_with("usage: inspect FILE"), "{err}");
    }
}
