//! `cargo grade verify` on the real course, as part of `cargo test`: every starter fails its
//! tests, every solution passes them and clippy with the step's lints, and every step is
//! complete. This takes a few minutes; `cargo test -p grader --test cli` skips it.

use std::path::Path;
use std::process::Command;

#[test]
fn the_course_verifies() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_grader"))
        .arg("verify")
        .current_dir(root)
        .env("NO_COLOR", "1")
        .env_remove("GRADER_ROOT")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "cargo grade verify found problems:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("no findings"), "{stdout}");
}
