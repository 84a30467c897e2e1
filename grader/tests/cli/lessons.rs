//! Lesson claims that `verify` checks against the compiler: the `rust` code blocks of a lesson
//! compile without warnings, and the places a lesson of a `fails-to-compile` step quotes are
//! where the untouched starter's errors are.

use super::*;

#[track_caller]
fn assert_verify(course: &Course, args: &[&str], code: i32, needle: &str) {
    let mut all = vec!["verify"];
    all.extend_from_slice(args);
    course.grade(&all).assert_code(code).assert_stdout(needle);
}

/// `verify STEP` reports `finding` for the lesson `bad` of `step`, and nothing for `good`.
#[track_caller]
fn assert_lesson_checked(step: (&str, &str), bad: &str, finding: &str, good: &str) {
    let (label, id) = step;
    let course = Course::new();
    let lesson = format!("exercises/{id}/README.md");
    course.write(&lesson, bad);
    let run = course.grade(&["verify", label]);
    run.assert_code(1).assert_stdout(finding);
    assert_eq!(run.stdout.matches("✗").count(), 1, "{}", run.stdout);
    course.write(&lesson, good);
    assert_verify(&course, &[label], 0, "no findings");
}

#[test]
fn a_quoted_compiler_location_that_rustc_does_not_print_is_reported() {
    // rustc reports the fixture's E0515 at `src/lib.rs:9:5`; the lesson quotes it right once
    // and wrong once, and only the wrong quote is a finding.
    assert_lesson_checked(
        ("1.4", "01_basics/04_broken"),
        "# broken\n\nrustc points at `src/lib.rs:9:5`:\n\n```text\n --> src/lib.rs:8:5\n```\n",
        "README.md quotes `src/lib.rs:8:5`, but no error of the untouched starter is there \
         (rustc says: `src/lib.rs:9:5`); quote what the compiler prints",
        "# broken\n\nrustc points at `src/lib.rs:9:5`.\n",
    );
}

#[test]
fn a_lesson_code_block_that_warns_is_reported_by_its_line() {
    // Line 5 opens a block whose `mut` is not needed; line 10 a fragment marked `ignore`.
    let lesson = "# add\n\nAn example:\n\n```rust\nlet mut total = 1 + 2;\nassert_eq!(total, 3);\n```\n\n\
                  ```rust,ignore\nlet sum = add(a, b);\n```\n";
    assert_lesson_checked(
        ("1.1", "01_basics/01_add"),
        lesson,
        "README.md: the `rust` code block at line 5 does not compile without warnings \
         (error: variable does not need to be mutable)",
        &lesson.replace("let mut total", "let total"),
    );
}

#[test]
fn a_solution_that_does_not_compile_its_lesson_is_reported() {
    let course = Course::new();
    let lib = "solutions/01_basics/02_endless/src/lib.rs";
    let text = course.read(lib);
    let cut = text.find("// The step's lesson").unwrap();
    course.write(lib, &text[..cut]);
    let missing = "solutions/01_basics/02_endless/src/lib.rs must compile the lesson's code blocks";
    assert_verify(&course, &["--quick"], 1, missing);
}
