//! A step's `lints` hold however the learner tries to lift them: an `allow` in their code is
//! ignored, and an edited `step.toml` voids the pass like an edited test.

use super::*;

#[test]
fn an_allow_in_the_learners_code_does_not_lift_the_steps_lint() {
    let course = Course::with_file(
        LINT_LIB,
        &format!("#![allow(clippy::unwrap_used)]\n{LINT_WITH_UNWRAP}"),
    );
    course
        .grade(&["check", "1.3"])
        .assert_code(1)
        .assert_stdout("The tests pass, but clippy has 1 finding")
        .assert_stdout("clippy::unwrap_used")
        .assert_stdout("hold even where the code says `allow`");
    assert!(!course.passed("01_basics/03_lint"));
}

#[test]
fn a_step_toml_without_its_lints_is_an_edit_and_its_pass_does_not_count() {
    let course = Course::in_git();
    std::fs::write(course.path(LINT_LIB), LINT_WITH_UNWRAP).unwrap();
    let manifest = course.path("exercises/01_basics/03_lint/step.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    let without_lints: String = text
        .lines()
        .filter(|line| !line.starts_with("lints"))
        .map(|line| format!("{line}\n"))
        .collect();
    assert_ne!(
        without_lints, text,
        "the fixture's step 1.3 has lints to remove"
    );
    std::fs::write(&manifest, without_lints).unwrap();
    course
        .grade(&["check", "1.3"])
        .assert_code(1)
        .assert_stdout("You changed the graded tests: exercises/01_basics/03_lint/step.toml")
        .assert_stdout("cargo grade reset 1.3 --tests");
    assert!(!course.passed("01_basics/03_lint"));
    // `reset --tests` puts the step's manifest back with the tests, and the lint with it.
    course.grade(&["reset", "1.3", "--tests"]).assert_code(0);
    assert_eq!(std::fs::read_to_string(&manifest).unwrap(), text);
}

#[test]
fn the_code_clippy_reads_is_the_code_the_tests_run() {
    // A clean twin for clippy's eyes only, and the `unwrap` the tests run: one build lints and
    // tests the same code, so `cfg(clippy)` is set for both.
    let twins = format!(
        "#[cfg(clippy)]\npub fn first_number(_text: &str) -> Option<u32> {{\n    None\n}}\n\n#[cfg(not(clippy))]\n{LINT_WITH_UNWRAP}"
    );
    let course = Course::with_file(LINT_LIB, &twins);
    let run = course.grade(&["check", "1.3"]);
    // Either the twin the tests run is the clean one, and a test fails, or it is the one
    // with the `unwrap`, and clippy finds it: never a pass.
    run.assert_code(1);
    assert!(!course.passed("01_basics/03_lint"));
}

#[test]
fn a_finding_in_the_learners_own_unit_tests_is_not_a_step_lint() {
    // `unwrap` in a test is a test's business (`allow-unwrap-in-tests` in clippy.toml), even
    // in a step that forbids it in the code.
    let code = "pub fn first_number(text: &str) -> Option<u32> {\n    text.split(',').next()?.trim().parse().ok()\n}\n\n#[cfg(test)]\nmod tests {\n    #[test]\n    fn four() {\n        assert_eq!(super::first_number(\"4\").unwrap(), 4);\n    }\n}\n";
    let course = Course::with_file(LINT_LIB, code);
    course
        .grade(&["check", "1.3"])
        .assert_code(0)
        .assert_stdout("clippy is clean");
    assert!(course.passed("01_basics/03_lint"));
}
