//! What the learner's shell and the files around a step cannot change: a verdict depends on
//! the step's code and its sealed tests only.

use super::*;

/// Step 1.1 solved except for a zero: `adds_zero` fails, `adds_small_numbers` passes.
const WRONG_FOR_ZERO: &str =
    "pub fn add(a: u32, b: u32) -> u32 {\n    if a == 0 { 0 } else { a + b }\n}\n";

#[test]
fn a_nextest_config_in_the_course_does_not_leave_a_failing_test_out() {
    let course = Course::new();
    std::fs::write(
        course.path("exercises/01_basics/01_add/src/lib.rs"),
        WRONG_FOR_ZERO,
    )
    .unwrap();
    // A learner's (or a team's) nextest settings; the grader's profile would inherit them.
    std::fs::create_dir_all(course.path(".config")).unwrap();
    std::fs::write(
        course.path(".config/nextest.toml"),
        "[profile.default]\ndefault-filter = \"not test(adds_zero)\"\n",
    )
    .unwrap();
    course
        .grade(&["check", "1.1"])
        .assert_code(1)
        .assert_stdout("adds_zero");
    assert!(!course.passed("01_basics/01_add"));
}

#[test]
fn nextest_variables_in_the_environment_do_not_pass_a_failing_test() {
    // Wrong on the first run of the tests, right from then on: a retry would pass it.
    let course = Course::with_file(
        "exercises/01_basics/01_add/src/lib.rs",
        "pub fn add(a: u32, b: u32) -> u32 {\n    let marker = std::path::Path::new(\"first-run-done\");\n    if marker.exists() {\n        a + b\n    } else {\n        let _ = std::fs::write(marker, \"\");\n        a * b\n    }\n}\n",
    );
    course
        .grade_with(&["check", "1.1"], &[("NEXTEST_RETRIES", "3")])
        .assert_code(1)
        .assert_stdout("did not pass");
    assert!(!course.passed("01_basics/01_add"));
}

#[test]
fn rustflags_in_the_environment_do_not_silence_clippy() {
    Course::with_file(LINT_LIB, LINT_WITH_UNWRAP)
        .grade_with(&["check", "1.3"], &[("RUSTFLAGS", "--cap-lints=allow")])
        .assert_code(1)
        .assert_stdout("The tests pass, but clippy has 1 finding");
}

#[test]
fn a_solution_that_prints_passes_whatever_rust_test_nocapture_says() {
    Course::with_file(
        "exercises/01_basics/01_add/src/lib.rs",
        "pub fn add(a: u32, b: u32) -> u32 {\n    println!(\"adding {a} and {b}\");\n    a + b\n}\n",
    )
    .grade_with(
            &["check", "1.1"],
            &[("GRADER_RUNNER", "libtest"), ("RUST_TEST_NOCAPTURE", "1")],
        )
        .assert_code(0)
        .assert_stdout("1.1 passed");
}

#[test]
fn a_test_file_of_the_learners_own_runs_and_does_not_void_the_pass() {
    let course = Course::new();
    course.solve("01_basics/01_add");
    let mine = "exercises/01_basics/01_add/tests/mine.rs";
    course.write(
        mine,
        "#[test]\nfn my_own_sum() {\n    assert_eq!(add::add(40, 2), 42);\n}\n",
    );
    course.grade(&["check", "1.1"]).assert_code(0);
    assert!(course.passed("01_basics/01_add"));

    // It is a test like the others: when it fails, the step does not pass.
    course.write(
        mine,
        "#[test]\nfn my_own_sum() {\n    assert_eq!(add::add(40, 2), 41);\n}\n",
    );
    course
        .grade(&["check", "1.1"])
        .assert_code(1)
        .assert_stdout("my_own_sum");
}

#[test]
fn a_check_of_the_untouched_starter_counts_no_attempt() {
    // As `watch` does when a step passes and the next one is checked at once.
    let course = Course::new();
    course.grade(&["check", "1.1"]).assert_code(1);
    assert_eq!(
        course.progress()["steps"]["01_basics/01_add"]["attempts"],
        0
    );
    course.solve("01_basics/01_add");
    course.grade(&["check", "1.1"]).assert_code(0);
    assert_eq!(
        course.progress()["steps"]["01_basics/01_add"]["attempts"],
        1
    );
}

#[test]
#[cfg(unix)]
fn reset_backs_up_a_symlinked_file_through_its_link() {
    let course = Course::in_git();
    let lib = course.path("exercises/01_basics/01_add/src/lib.rs");
    let mine = course.path("my-add.rs");
    std::fs::write(&mine, "pub fn add(a: u32, b: u32) -> u32 {\n    a + b\n}\n").unwrap();
    std::fs::remove_file(&lib).unwrap();
    std::os::unix::fs::symlink(&mine, &lib).unwrap();

    course.grade(&["reset", "1.1"]).assert_code(0);
    let backups: Vec<PathBuf> = std::fs::read_dir(course.path(".grader/backups"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    let saved = std::fs::read_to_string(backups[0].join("src/lib.rs")).unwrap();
    assert!(
        saved.contains("a + b"),
        "the backup holds the code: {saved}"
    );
    assert!(
        course
            .read("exercises/01_basics/01_add/src/lib.rs")
            .contains("todo!()")
    );
    assert!(std::fs::read_to_string(&mine).unwrap().contains("a + b"));
}

#[test]
fn reset_of_a_passed_step_says_what_becomes_of_the_pass() {
    let course = Course::in_git();
    course.solve("01_basics/01_add");
    course.grade(&["check", "1.1"]).assert_code(0);
    course
        .grade(&["reset", "1.1"])
        .assert_code(0)
        .assert_stdout("1.1 was passed: a check of the starter withdraws the pass");
}
