//! Carried files (`verify` and `cargo grade carry`) and where hints live, on variants of the
//! fixture course built inside each test: a file `src/shared.rs` carried through the steps.

use super::*;

const V1: &str = "//! Shared.\npub fn one() -> u32 {\n    1\n}\n";
const V2: &str = "//! Shared.\npub fn one() -> u32 {\n    // fixed\n    1\n}\n";
const STEPS: [&str; 4] = [
    "01_basics/01_add",
    "01_basics/02_endless",
    "01_basics/03_lint",
    "01_basics/04_broken",
];

impl Course {
    pub(crate) fn read(&self, relative: &str) -> String {
        std::fs::read_to_string(self.path(relative)).unwrap()
    }

    /// Adds `entry` to the `changes` list of a step's step.toml, and seals the change as an
    /// author would (`step.toml` is sealed with the tests).
    fn declare_change(&self, step: &str, entry: &str) {
        let path = format!("exercises/{step}/step.toml");
        let text = self.read(&path);
        let text = text.replace("changes = [", &format!("changes = [\"{entry}\", "));
        self.author_write(&path, &text);
    }

    /// Writes a step's `step.toml` and seals it, as an author would: `step.toml` is sealed
    /// with the tests, and `verify` reports one that differs from the lock.
    fn author_write(&self, relative: &str, text: &str) {
        self.write(relative, text);
        self.grade_with(&["seal"], &[("GRADER_AUTHOR", "1")])
            .assert_code(0);
    }

    fn findings(&self) -> Vec<String> {
        let run = self.grade(&["verify", "--quick", "--json"]);
        let findings: Vec<serde_json::Value> = serde_json::from_str(&run.stdout).unwrap();
        findings
            .iter()
            .map(|f| format!("{}: {}", f["step"].as_str().unwrap(), f["message"]))
            .collect()
    }
}

/// Fails with every finding unless one contains `needle`.
#[track_caller]
fn assert_has(findings: &[String], needle: &str) {
    assert!(
        findings.iter().any(|f| f.contains(needle)),
        "no finding has {needle:?}: {findings:#?}"
    );
}

/// The fixture with `src/shared.rs` in every starter and solution, holding `text(step)`,
/// sealed and committed.
fn course_with_shared(text: impl Fn(&str, bool) -> &'static str) -> Course {
    let course = Course::new();
    for step in STEPS {
        course.write(&format!("exercises/{step}/src/shared.rs"), text(step, true));
        course.write(
            &format!("solutions/{step}/src/shared.rs"),
            text(step, false),
        );
    }
    course.grade(&["seal"]).assert_code(0);
    course.commit_all();
    course
}

mod verify {
    use super::*;

    #[test]
    fn a_carried_copy_that_fell_behind_is_named_with_both_files_and_the_line() {
        let course = course_with_shared(|step, in_starter| {
            if step == "01_basics/02_endless" && in_starter {
                V2
            } else {
                V1
            }
        });
        let findings = course.findings();
        let behind = "01_basics/02_endless: \"exercises/01_basics/02_endless/src/shared.rs differs \
                      from solutions/01_basics/01_add/src/shared.rs at line 3: `1` there, \
                      `// fixed` here";
        assert_has(&findings, behind);
        let solution = "solutions/01_basics/02_endless/src/shared.rs differs from \
                        exercises/01_basics/02_endless/src/shared.rs at line 3";
        assert_has(&findings, solution);
        assert_has(
            &findings,
            "add \\\"src/shared.rs\\\" to `changes` in step.toml",
        );
        // Step 3 carries from step 2's solution, which still holds the old text: in line.
        assert!(
            !findings.iter().any(|f| f.starts_with("01_basics/03_lint")),
            "{findings:#?}"
        );
        course.declare_change("01_basics/02_endless", "src/shared.rs");
        assert_eq!(course.findings(), Vec::<String>::new());
    }

    #[test]
    fn a_declared_change_that_changes_nothing_is_reported() {
        let course = course_with_shared(|_, _| V1);
        assert_eq!(course.findings(), Vec::<String>::new());
        course.declare_change("01_basics/03_lint", "src/shared.rs");
        course.declare_change("01_basics/03_lint", "src/gone.rs");
        let findings = course.findings();
        assert_has(
            &findings,
            "`changes` lists \\\"src/shared.rs\\\", but it is carried unchanged from step 1.2",
        );
        assert_has(
            &findings,
            "`changes` lists \\\"src/gone.rs\\\", which neither the starter nor the solution has",
        );
    }

    #[test]
    fn carries_from_chooses_the_source_and_must_name_an_earlier_step() {
        // Step 3 takes shared.rs from step 1, not from step 2, which changes it.
        let course = course_with_shared(|step, _| {
            if step == "01_basics/02_endless" {
                V2
            } else {
                V1
            }
        });
        let findings = course.findings();
        assert_has(&findings, "01_basics/03_lint");
        course.declare_change("01_basics/02_endless", "src/shared.rs");
        let step = course.read("exercises/01_basics/03_lint/step.toml");
        course.author_write(
            "exercises/01_basics/03_lint/step.toml",
            &format!("{step}carries_from = [\"01_basics/01_add\"]\n"),
        );
        assert_eq!(course.findings(), Vec::<String>::new());
        course.author_write(
            "exercises/01_basics/03_lint/step.toml",
            &format!("{step}carries_from = [\"1.4\"]\n"),
        );
        let findings = course.findings();
        assert_has(
            &findings,
            "`carries_from` names `1.4`, which is not a step before",
        );
    }
}

mod carry_command {
    use super::*;

    /// Steps 1 and 2 carry V1; step 3 changes shared.rs (its solution adds a line), so step 4
    /// starts from that.
    const V1_CHANGED: &str = "//! Shared.\npub fn one() -> u32 {\n    1\n}\npub fn three() {}\n";

    fn course() -> Course {
        let course = course_with_shared(|step, in_starter| match step {
            "01_basics/03_lint" if in_starter => V1,
            "01_basics/03_lint" | "01_basics/04_broken" => V1_CHANGED,
            _ => V1,
        });
        course.declare_change("01_basics/03_lint", "src/shared.rs");
        course.git(&["commit", "-qam", "step 3 changes shared.rs"]);
        course
    }

    #[test]
    fn carry_shows_the_plan_and_writes_nothing_without_write() {
        let course = course();
        course.write("solutions/01_basics/01_add/src/shared.rs", V2);
        let run = course.grade(&["carry", "solutions/01_basics/01_add/src/shared.rs"]);
        run.assert_code(1)
            .assert_stdout("will write  exercises/01_basics/02_endless/src/shared.rs")
            .assert_stdout("will write  solutions/01_basics/02_endless/src/shared.rs")
            .assert_stdout(
                "by hand     exercises/01_basics/03_lint/src/shared.rs: step 1.3 changes \
                 src/shared.rs (it is in `changes` in its step.toml)",
            )
            .assert_stdout("cargo grade carry solutions/01_basics/03_lint/src/shared.rs")
            .assert_stdout("run it again with `--write` to write 2 files");
        run.assert_stdout_lacks("04_broken");
        assert_eq!(
            course.read("exercises/01_basics/02_endless/src/shared.rs"),
            V1
        );
    }

    #[test]
    fn carry_write_updates_every_later_copy_and_reseals() {
        let course = course();
        course.write("exercises/01_basics/01_add/src/shared.rs", V2);
        course
            .grade(&[
                "carry",
                "exercises/01_basics/01_add/src/shared.rs",
                "--write",
            ])
            .assert_code(1)
            .assert_stdout("wrote       solutions/01_basics/01_add/src/shared.rs")
            .assert_stdout("wrote       solutions/01_basics/02_endless/src/shared.rs")
            .assert_stdout("Resealed exercises/starters.lock.");
        for copy in [
            "solutions/01_basics/01_add/src/shared.rs",
            "exercises/01_basics/02_endless/src/shared.rs",
            "solutions/01_basics/02_endless/src/shared.rs",
        ] {
            assert_eq!(course.read(copy), V2, "{copy}");
        }
        // Step 3 changes the file: the author carries the fix into it by hand.
        assert_eq!(course.read("exercises/01_basics/03_lint/src/shared.rs"), V1);
        assert_eq!(course.findings(), Vec::<String>::new(), "lock resealed");
    }

    #[test]
    fn carry_write_does_not_reseal_a_learners_edited_tests() {
        let course = course();
        let lock = course.read("exercises/starters.lock");
        // A learner who edited a test of a step they checked...
        let test = "exercises/01_basics/01_add/tests/add.rs";
        let text = course.read(test);
        course.write(test, &text.replace("assert_eq!(add(0, 7), 7);", ""));
        course.grade(&["check", "1.1"]).assert_code(1);
        // ...cannot bless it through carry's reseal either: nothing is written.
        course.write("solutions/01_basics/01_add/src/shared.rs", V2);
        course
            .grade(&[
                "carry",
                "solutions/01_basics/01_add/src/shared.rs",
                "--write",
            ])
            .assert_code(2)
            .assert_stderr("is for course authors")
            .assert_stderr("exercises/01_basics/01_add/tests/add.rs");
        assert_eq!(course.read("exercises/starters.lock"), lock);
        assert_eq!(
            course.read("exercises/01_basics/02_endless/src/shared.rs"),
            V1
        );
    }

    #[test]
    fn carry_goes_on_from_a_step_that_changes_the_file() {
        let course = course();
        let fixed = V1_CHANGED.replace("{}", "{ /* fixed */ }");
        course.write("solutions/01_basics/03_lint/src/shared.rs", &fixed);
        course
            .grade(&[
                "carry",
                "solutions/01_basics/03_lint/src/shared.rs",
                "--write",
            ])
            .assert_code(0)
            .assert_stdout("wrote       exercises/01_basics/04_broken/src/shared.rs");
        assert_eq!(
            course.read("solutions/01_basics/04_broken/src/shared.rs"),
            fixed
        );
    }

    #[test]
    fn carry_from_the_middle_of_a_chain_names_where_the_change_belongs() {
        let course = course();
        course.write("solutions/01_basics/02_endless/src/shared.rs", V2);
        course
            .grade(&["carry", "solutions/01_basics/02_endless/src/shared.rs"])
            .assert_stdout(
                "Note: exercises/01_basics/01_add/src/shared.rs holds the committed content \
                 too, and this file carries it unchanged, so the change belongs there",
            )
            .assert_stdout(
                "list the file in `changes` in exercises/01_basics/02_endless/step.toml",
            );
        course.write("solutions/01_basics/01_add/src/shared.rs", V2);
        let run = course.grade(&["carry", "solutions/01_basics/01_add/src/shared.rs"]);
        assert!(
            run.stdout
                .contains("Note: exercises/01_basics/01_add/src/shared.rs holds"),
            "{}",
            run.stdout
        );
        run.assert_stdout("carried     solutions/01_basics/02_endless/src/shared.rs");
    }

    #[test]
    fn carry_leaves_a_copy_that_holds_something_else() {
        let course = course();
        course.write("solutions/01_basics/02_endless/src/shared.rs", "// mine\n");
        course.git(&["commit", "-qam", "drift"]);
        course.write("exercises/01_basics/02_endless/src/shared.rs", V2);
        course
            .grade(&[
                "carry",
                "exercises/01_basics/02_endless/src/shared.rs",
                "--write",
            ])
            .assert_code(1)
            .assert_stdout("by hand     solutions/01_basics/02_endless/src/shared.rs: it differs from both the old and the new content");
        assert_eq!(
            course.read("solutions/01_basics/02_endless/src/shared.rs"),
            "// mine\n"
        );
    }

    #[test]
    fn carry_explains_a_file_it_cannot_carry() {
        let course = course();
        course
            .grade(&["carry", "solutions/01_basics/01_add/src/shared.rs"])
            .assert_code(0)
            .assert_stdout("is the same as in git's HEAD: nothing to carry");
        course
            .grade(&["carry", "exercises/01_basics/01_add/step.toml"])
            .assert_code(2)
            .assert_stderr("is not below a step's `src/`");
        course.write("solutions/01_basics/01_add/src/new.rs", V1);
        course
            .grade(&["carry", "solutions/01_basics/01_add/src/new.rs"])
            .assert_code(2)
            .assert_stderr("git has no committed version of solutions/01_basics/01_add/src/new.rs");
    }
}

mod hints {
    use super::*;

    #[test]
    fn the_hint_command_reads_hints_beside_the_solution() {
        let course = Course::new();
        course.write(
            "solutions/01_basics/01_add/hints.toml",
            "hints = [\"Look at `+`.\", \"Return `a + b`.\"]\n",
        );
        course
            .grade(&["hint"])
            .assert_code(0)
            .assert_stdout("hint 1 of 2")
            .assert_stdout("Look at `+`.");
    }

    #[test]
    fn hints_left_in_step_toml_say_where_hints_live_now() {
        let course = Course::new();
        let step = course.read("exercises/01_basics/01_add/step.toml");
        course.write(
            "exercises/01_basics/01_add/step.toml",
            &format!("{step}hints = [\"a\", \"b\"]\n"),
        );
        course
            .grade(&["list"])
            .assert_code(2)
            .assert_stderr("exercises/01_basics/01_add/step.toml, line 6, key `hints`")
            .assert_stderr("move them to solutions/01_basics/01_add/hints.toml");
    }

    #[test]
    fn verify_reports_a_missing_hints_file() {
        let course = Course::new();
        std::fs::remove_file(course.path("solutions/01_basics/02_endless/hints.toml")).unwrap();
        let findings = course.findings();
        assert_has(
            &findings,
            "01_basics/02_endless: \"solutions/01_basics/02_endless/hints.toml is missing",
        );
    }
}
