//! The graded tests of step 2.4. Read them: they are the specification.
//!
//! The first half pins what must NOT change when the hand-written impls become `thiserror`
//! derives: every message and every `source()`. The second half checks the application edge.

use std::error::Error;
use std::io::{self, Read};
use std::num::{IntErrorKind, ParseIntError};
use std::path::{Path, PathBuf};

use thiserror_anyhow::{
    ErrorBudget, ErrorKind, ImportError, ParseError, import_file, import_orders,
};

const HEADER: &str = "customer_id,email,amount_cents\n";

/// A budget that only the percentage can exceed.
fn percent(max_bad_percent: u8) -> ErrorBudget {
    ErrorBudget {
        max_bad_rows: usize::MAX,
        max_bad_percent,
    }
}

/// The messages of `error` and of every cause under it, outermost first.
fn chain(error: &dyn Error) -> Vec<String> {
    let mut messages = vec![error.to_string()];
    let mut cause = error.source();
    while let Some(error) = cause {
        messages.push(error.to_string());
        cause = error.source();
    }
    messages
}

fn not_a_number() -> ParseIntError {
    "12.50".parse::<u64>().unwrap_err()
}

/// Writes `contents` to a file called `name` in `dir` and returns its path.
fn upload(dir: &Path, name: &str, contents: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, contents).expect("the test can write to its temporary directory");
    path
}

/// Every error type of a library should be able to travel inside `anyhow::Error`, across
/// threads and tasks. This does not compile unless it can.
fn assert_can_travel<E: Error + Send + Sync + 'static>() {}

#[test]
fn every_kind_keeps_its_message() {
    let cases = [
        (
            ErrorKind::StrayQuote,
            "unexpected quote in an unquoted field (quote the whole field and write the quote as \"\")",
        ),
        (
            ErrorKind::TextAfterQuote,
            "unexpected text after a closing quote (quote the whole field and write each quote inside it as \"\")",
        ),
        (
            ErrorKind::MissingField,
            "missing field (the row ends too early)",
        ),
        (
            ErrorKind::InvalidNumber(not_a_number()),
            "not a whole number",
        ),
    ];
    for (kind, message) in cases {
        assert_eq!(kind.to_string(), message, "the message of {kind:?}");
    }
}

#[test]
fn the_kind_is_an_error_whose_source_is_the_number_error() {
    assert_can_travel::<ErrorKind>();
    let kind = ErrorKind::InvalidNumber(not_a_number());
    let kind: &dyn Error = &kind;
    let cause = kind
        .source()
        .expect("the source of InvalidNumber is its ParseIntError (`#[source]`)");
    let cause = cause
        .downcast_ref::<ParseIntError>()
        .expect("the source is the very ParseIntError, not a copy of its text");
    assert_eq!(cause.kind(), &IntErrorKind::InvalidDigit);
    for kind in [
        ErrorKind::StrayQuote,
        ErrorKind::TextAfterQuote,
        ErrorKind::MissingField,
    ] {
        assert!(
            kind.source().is_none(),
            "{kind:?} has no cause underneath it"
        );
    }
}

#[test]
fn a_row_error_says_everything_once() {
    assert_can_travel::<ParseError>();
    let text = format!("{HEADER}1,ann@example.com,12.50\n2,\"bo\"b@example.com,1\n");
    let import = import_orders(text.as_bytes(), &percent(100)).unwrap();
    assert_eq!(
        chain(&import.report.bad_rows[0]),
        vec![
            "line 2, column 19, field 3: not a whole number".to_string(),
            "invalid digit found in string".to_string(),
        ],
        "a ParseError's source is the ParseIntError itself, not the kind (which would repeat \
         \"not a whole number\")"
    );
    assert_eq!(
        chain(&import.report.bad_rows[1]),
        vec![
            "line 3, column 7, field 2: unexpected text after a closing quote (quote the whole field and write each quote inside it as \"\")"
                .to_string()
        ]
    );
}

#[test]
fn import_errors_keep_their_messages_and_sources() {
    assert_can_travel::<ImportError>();

    let header = "customer_id,\"email\"x,amount_cents\n";
    let error = import_orders(header.as_bytes(), &percent(100)).unwrap_err();
    assert!(matches!(error, ImportError::Header(_)), "got {error:?}");
    assert_eq!(
        chain(&error),
        vec!["line 1, column 20, field 2: unexpected text after a closing quote (quote the whole field and write each quote inside it as \"\")".to_string()],
        "a Header error prints its ParseError and nothing more"
    );

    let text = format!("{HEADER}1,ann@example.com,1\n2,bob@example.com,lots\n");
    let error = import_orders(text.as_bytes(), &percent(10)).unwrap_err();
    assert_eq!(
        chain(&error),
        vec![
            format!(
                "too many bad rows: 1 of the 2 rows read (at most {} rows and 10% may be bad)",
                usize::MAX
            ),
            "line 3, column 19, field 3: not a whole number".to_string(),
            "invalid digit found in string".to_string(),
        ],
        "the source of TooManyBadRows is the first bad row"
    );

    struct Broken;
    impl Read for Broken {
        fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
            Err(io::Error::new(io::ErrorKind::TimedOut, "read timed out"))
        }
    }
    // `?` on the `io::Error` inside `import_orders` still converts it (`From`, or `#[from]`).
    let error = import_orders(Broken, &percent(100)).unwrap_err();
    assert!(matches!(error, ImportError::Io(_)), "got {error:?}");
    assert_eq!(
        chain(&error),
        vec![
            "could not read the upload".to_string(),
            "read timed out".to_string()
        ]
    );
}

#[test]
fn a_good_file_is_imported() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!("{HEADER}1,ann@example.com,100\n2,bob@example.com,oops\n");
    let path = upload(dir.path(), "orders.csv", text.as_bytes());
    let import = import_file(&path, &percent(50)).expect("1 bad row of 2 is within 50%");
    assert_eq!(import.orders.len(), 1);
    assert_eq!(import.orders[0].email, "ann@example.com");
    assert_eq!(import.report.rows, 2);
    assert_eq!(import.report.bad_rows.len(), 1);
}

#[test]
fn a_missing_file_names_the_path_and_keeps_the_io_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("missing.csv");
    let error = import_file(&path, &ErrorBudget::default()).unwrap_err();

    let outer = format!("importing orders from {}", path.display());
    assert_eq!(
        error.to_string(),
        outer,
        "`{{}}` prints only the outermost context: what the application was doing"
    );
    let line = format!("{error:#}");
    let expected_start = format!("{outer}: could not open the file: ");
    assert!(
        line.starts_with(&expected_start),
        "`{{:#}}` prints the whole chain; expected it to start with {expected_start:?}, got {line:?}"
    );
    let cause = error
        .downcast_ref::<io::Error>()
        .expect("the io::Error from opening the file is still inside the anyhow::Error");
    assert_eq!(cause.kind(), io::ErrorKind::NotFound);
    assert!(
        error.downcast_ref::<ImportError>().is_none(),
        "the file was never opened, so the import did not start: no ImportError"
    );
}

#[test]
fn a_bad_header_names_the_path_and_keeps_the_import_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = upload(
        dir.path(),
        "header.csv",
        b"customer_id,\"email\"x,amount_cents\n1,ann@example.com,100\n",
    );
    let error = import_file(&path, &ErrorBudget::default()).unwrap_err();
    assert_eq!(
        format!("{error:#}"),
        format!(
            "importing orders from {}: line 1, column 20, field 2: unexpected text after a closing quote (quote the whole field and write each quote inside it as \"\")",
            path.display()
        )
    );
    match error.downcast_ref::<ImportError>() {
        Some(ImportError::Header(error)) => {
            assert_eq!(error.kind(), &ErrorKind::TextAfterQuote);
            assert_eq!(error.position().line, 1);
        }
        other => {
            panic!("expected to find ImportError::Header inside the anyhow::Error, got {other:?}")
        }
    }
}

#[test]
fn too_many_bad_rows_read_as_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!("{HEADER}1,ann@example.com,1\n2,bob@example.com,lots\n");
    let path = upload(dir.path(), "noisy.csv", text.as_bytes());
    let error = import_file(&path, &percent(10)).unwrap_err();
    assert_eq!(
        format!("{error:#}"),
        format!(
            "importing orders from {}: too many bad rows: 1 of the 2 rows read (at most {} rows and 10% may be bad): line 3, column 19, field 3: not a whole number: invalid digit found in string",
            path.display(),
            usize::MAX
        ),
        "the whole chain on one line, each message once"
    );
    assert!(matches!(
        error.downcast_ref::<ImportError>(),
        Some(ImportError::TooManyBadRows { .. })
    ));
    // `downcast_ref` looks at the contexts and the error they wrap, not at that error's
    // sources. `chain()` walks all of them.
    let first = error
        .chain()
        .find_map(|cause| cause.downcast_ref::<ParseError>())
        .expect("the first bad row is in the chain too");
    assert_eq!(first.position().line, 3);
}

#[test]
fn a_file_that_is_not_utf8_is_an_import_error_naming_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = upload(
        dir.path(),
        "latin1.csv",
        b"customer_id,email,amount_cents\n1,caf\xe9@example.com,1\n",
    );
    let error = import_file(&path, &ErrorBudget::default()).unwrap_err();
    let line = format!("{error:#}");
    assert!(
        line.starts_with(&format!(
            "importing orders from {}: could not read the upload: ",
            path.display()
        )),
        "got {line:?}"
    );
    assert_eq!(
        line.matches(&path.display().to_string()).count(),
        1,
        "the path is named once, by the outermost context: {line:?}"
    );
    match error.downcast_ref::<ImportError>() {
        Some(ImportError::Io(cause)) => assert_eq!(cause.kind(), io::ErrorKind::InvalidData),
        other => panic!("expected ImportError::Io inside the anyhow::Error, got {other:?}"),
    }
}
