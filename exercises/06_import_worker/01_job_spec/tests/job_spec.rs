//! The graded tests of step 6.1. Read them: they are the specification.
//!
//! The first half reads job specs from JSON; the second opens uploads under an import root
//! made in a temporary folder, with the files, symlinks and FIFOs an attacker would plant.

use std::fs;
use std::io::Read;
use std::path::Path;

use job_spec::spec::{JobSpec, MAX_SPEC_BYTES, Options, Schema, SpecError};
use job_spec::upload::{ImportRoot, MAX_PATH_BYTES, UploadError, UploadPath};

const GOOD: &str = r#"{"job_id": "acme-0042", "upload": "acme/orders.csv", "schema": "orders",
    "options": {"max_bad_rows": 7}}"#;

/// A spec with `upload` set to `upload` (already JSON-escaped).
fn with_upload(upload: &str) -> String {
    format!(r#"{{"job_id": "j1", "upload": "{upload}", "schema": "orders"}}"#)
}

/// The error for `body`, failing the test when it is accepted.
fn refused(body: &str) -> SpecError {
    match JobSpec::from_json(body.as_bytes()) {
        Ok(spec) => panic!("accepted a bad spec: {body}\nas {spec:?}"),
        Err(error) => error,
    }
}

/// Asserts that `error` is about `field` and that its message names it.
fn assert_names_field(error: &SpecError, field: &str) {
    assert_eq!(error.field_name(), Some(field), "wrong field in: {error}");
    let message = error.to_string();
    assert!(
        message.contains(&format!("`{field}`")) && message.contains("(send "),
        "the message must name `{field}` and say what to send instead: {message}"
    );
}

// ---- job specs ----

#[test]
fn a_good_spec_is_read_field_by_field() {
    let spec = JobSpec::from_json(GOOD.as_bytes()).expect("a good spec is accepted");
    assert_eq!(spec.id.as_str(), "acme-0042");
    assert_eq!(spec.upload.as_str(), "acme/orders.csv");
    assert_eq!(spec.schema, Schema::Orders);
    assert_eq!(spec.options, Options { max_bad_rows: 7 });
}

#[test]
fn options_may_be_left_out() {
    let spec = JobSpec::from_json(with_upload("a.csv").as_bytes()).expect("accepted");
    assert_eq!(spec.options, Options::default());
    assert_eq!(spec.options.max_bad_rows, 1000);
}

#[test]
fn a_spec_survives_a_round_trip_through_json() {
    let spec = JobSpec::from_json(GOOD.as_bytes()).expect("accepted");
    let again = JobSpec::from_json(spec.to_json().as_bytes()).expect("its own JSON is accepted");
    assert_eq!(again, spec);
}

#[test]
fn an_unknown_field_is_refused_and_named() {
    let error =
        refused(r#"{"job_id": "j1", "upload": "a.csv", "schema": "orders", "priority": "high"}"#);
    assert!(matches!(error, SpecError::Json(_)), "{error:?}");
    assert!(error.to_string().contains("priority"), "{error}");
}

#[test]
fn an_unknown_option_is_refused_too() {
    // A typo in an option must not silently fall back to the default.
    let error = refused(
        r#"{"job_id": "j1", "upload": "a.csv", "schema": "orders", "options": {"max_bad_row": 5}}"#,
    );
    assert!(error.to_string().contains("max_bad_row"), "{error}");
}

#[test]
fn a_missing_field_is_named() {
    let error = refused(r#"{"job_id": "j1", "schema": "orders"}"#);
    assert!(error.to_string().contains("upload"), "{error}");
}

#[test]
fn a_body_over_the_cap_is_refused_before_it_is_parsed() {
    // Valid JSON padded with spaces: only the size is wrong, so only a size check refuses it.
    let body = format!("{GOOD}{}", " ".repeat(MAX_SPEC_BYTES));
    match JobSpec::from_json(body.as_bytes()) {
        Err(SpecError::TooLarge { size, limit }) => {
            assert_eq!((size, limit), (body.len(), MAX_SPEC_BYTES));
        }
        other => panic!("a {} byte body must be TooLarge, got {other:?}", body.len()),
    }
    // Exactly at the cap is fine.
    let body = format!("{GOOD:<width$}", width = MAX_SPEC_BYTES);
    assert!(JobSpec::from_json(body.as_bytes()).is_ok());
}

#[test]
fn bad_job_ids_are_refused_and_named() {
    for id in ["", "../etc", "a b", "acme.0042", "x/y", &"a".repeat(65)] {
        let error = refused(&format!(
            r#"{{"job_id": "{id}", "upload": "a.csv", "schema": "orders"}}"#
        ));
        assert_names_field(&error, "job_id");
    }
    let longest = "a".repeat(64);
    let body = format!(r#"{{"job_id": "{longest}", "upload": "a.csv", "schema": "orders"}}"#);
    assert!(
        JobSpec::from_json(body.as_bytes()).is_ok(),
        "64 bytes is allowed"
    );
}

#[test]
fn an_unknown_schema_is_named_with_the_ones_there_are() {
    let error = refused(r#"{"job_id": "j1", "upload": "a.csv", "schema": "invoices"}"#);
    assert_names_field(&error, "schema");
    assert!(error.to_string().contains("orders"), "{error}");
}

// ---- upload paths, as text ----

#[test]
fn an_absolute_path_is_refused() {
    assert_names_field(&refused(&with_upload("/etc/passwd")), "upload");
}

#[test]
fn a_path_that_climbs_out_is_refused() {
    for path in ["..", "../secret.csv", "acme/../../etc/passwd", "acme/.."] {
        assert_names_field(&refused(&with_upload(path)), "upload");
    }
}

#[test]
fn two_dots_inside_a_name_are_fine() {
    // Only a `..` *component* climbs; `v1..2.csv` is an ordinary name.
    for path in ["acme/v1..2.csv", "..hidden.csv", "acme/./orders.csv"] {
        assert!(UploadPath::parse(path).is_ok(), "{path} is a fine path");
    }
}

#[test]
fn a_nul_byte_is_refused() {
    assert_names_field(&refused(&with_upload("orders.csv\\u0000.png")), "upload");
}

#[test]
fn a_backslash_is_refused() {
    assert_names_field(&refused(&with_upload("..\\\\secret.csv")), "upload");
}

#[test]
fn an_empty_or_very_long_path_is_refused() {
    assert_names_field(&refused(&with_upload("")), "upload");
    let long = "a/".repeat(MAX_PATH_BYTES / 2) + "x.csv";
    assert_names_field(&refused(&with_upload(&long)), "upload");
    let longest = "a".repeat(MAX_PATH_BYTES);
    assert!(
        UploadPath::parse(&longest).is_ok(),
        "{MAX_PATH_BYTES} bytes is allowed"
    );
}

// ---- opening uploads under the import root ----

/// A temporary folder holding `import/` (the root) with `acme/orders.csv`, and a sibling
/// `secret.csv` outside the root.
fn layout() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary folder");
    fs::create_dir_all(dir.path().join("import/acme")).expect("create the root");
    fs::write(
        dir.path().join("import/acme/orders.csv"),
        "customer_id\n1\n",
    )
    .expect("write");
    fs::write(dir.path().join("secret.csv"), "password\nhunter2\n").expect("write");
    dir
}

fn root(dir: &Path) -> ImportRoot {
    ImportRoot::new(dir.join("import")).expect("the import root exists")
}

fn path(text: &str) -> UploadPath {
    UploadPath::parse(text).expect("a valid path")
}

#[test]
fn a_file_inside_the_root_is_opened() {
    let dir = layout();
    let mut file = root(dir.path())
        .open(&path("acme/orders.csv"))
        .expect("opened");
    let mut text = String::new();
    file.read_to_string(&mut text).expect("read");
    assert_eq!(text, "customer_id\n1\n");
}

#[test]
fn a_missing_file_is_named() {
    let dir = layout();
    let error = root(dir.path())
        .open(&path("acme/nope.csv"))
        .expect_err("missing");
    assert!(matches!(error, UploadError::Missing(_)), "{error:?}");
    assert!(error.to_string().contains("acme/nope.csv"), "{error}");
}

#[test]
fn a_directory_is_not_a_file() {
    let dir = layout();
    let error = root(dir.path())
        .open(&path("acme"))
        .expect_err("a directory");
    assert!(matches!(error, UploadError::NotAFile { .. }), "{error:?}");
    assert!(error.to_string().contains("directory"), "{error}");
}

#[cfg(unix)]
#[test]
fn a_symlink_that_leads_out_is_refused() {
    let dir = layout();
    let link = dir.path().join("import/acme/innocent.csv");
    std::os::unix::fs::symlink(dir.path().join("secret.csv"), link).expect("symlink");
    let error = root(dir.path())
        .open(&path("acme/innocent.csv"))
        .expect_err("leads out");
    assert!(matches!(error, UploadError::Outside(_)), "{error:?}");
}

#[cfg(unix)]
#[test]
fn a_symlinked_folder_that_leads_out_is_refused() {
    let dir = layout();
    std::os::unix::fs::symlink(dir.path(), dir.path().join("import/up")).expect("symlink");
    let error = root(dir.path())
        .open(&path("up/secret.csv"))
        .expect_err("leads out");
    assert!(matches!(error, UploadError::Outside(_)), "{error:?}");
}

#[cfg(unix)]
#[test]
fn a_sibling_folder_whose_name_starts_like_the_root_is_outside() {
    // `import-old/x` starts with the *text* `import`, but not with the folder.
    let dir = layout();
    fs::create_dir(dir.path().join("import-old")).expect("mkdir");
    fs::write(dir.path().join("import-old/x.csv"), "x\n").expect("write");
    let link = dir.path().join("import/acme/old.csv");
    std::os::unix::fs::symlink(dir.path().join("import-old/x.csv"), link).expect("symlink");
    let error = root(dir.path())
        .open(&path("acme/old.csv"))
        .expect_err("leads out");
    assert!(matches!(error, UploadError::Outside(_)), "{error:?}");
}

#[cfg(unix)]
#[test]
fn a_symlink_that_stays_inside_is_fine() {
    let dir = layout();
    let link = dir.path().join("import/latest.csv");
    std::os::unix::fs::symlink("acme/orders.csv", link).expect("symlink");
    assert!(root(dir.path()).open(&path("latest.csv")).is_ok());
}

#[cfg(unix)]
#[test]
fn a_root_reached_through_a_symlink_still_contains_its_files() {
    let dir = layout();
    std::os::unix::fs::symlink(dir.path().join("import"), dir.path().join("current"))
        .expect("symlink");
    let root = ImportRoot::new(dir.path().join("current")).expect("the root exists");
    assert!(root.open(&path("acme/orders.csv")).is_ok());
}

#[cfg(unix)]
#[test]
fn a_fifo_is_refused_without_opening_it() {
    // Opening a FIFO for reading waits for a writer that never comes: a careless `open`
    // hangs here until the step's time limit stops the test.
    let dir = layout();
    let fifo = dir.path().join("import/acme/pipe.csv");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("run mkfifo");
    assert!(made.success(), "mkfifo failed");
    let error = root(dir.path())
        .open(&path("acme/pipe.csv"))
        .expect_err("a FIFO");
    assert!(matches!(error, UploadError::NotAFile { .. }), "{error:?}");
    assert!(error.to_string().contains("FIFO"), "{error}");
}
