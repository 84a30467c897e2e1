//! What the grader says and where it points: the seam between deciding and printing (issue 9
//! §4-5), the review's findings (issue 14) and a newcomer's (issue 15). Each test copies the
//! fixture course and writes the files its case needs.

use super::*;

impl Course {
    /// Writes `text` to `relative`, creating folders.
    pub(crate) fn write(&self, relative: &str, text: &str) {
        let path = self.path(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

// Progression after a pass (the last step with earlier ones left; re-checking a passed step)
// is tested in `state.rs`.

#[test]
fn watch_says_once_that_the_course_is_finished() {
    let course = Course::new();
    for (id, label) in [
        ("01_basics/01_add", "1.1"),
        ("01_basics/02_endless", "1.2"),
        ("01_basics/03_lint", "1.3"),
        ("01_basics/04_broken", "1.4"),
    ] {
        course.solve(id);
        if label != "1.4" {
            course.grade(&["check", label]).assert_code(0);
        }
    }
    course.grade(&["goto", "1.4"]).assert_code(0);
    let run = course.grade(&["watch", "--poll"]);
    run.assert_code(0).assert_stdout("1.4 passed");
    assert_eq!(
        run.stdout.matches("finished every step").count(),
        1,
        "{}",
        run.stdout
    );
}

mod compile_errors {
    use super::*;

    #[test]
    fn an_error_cargo_reports_for_lib_and_lib_test_counts_once() {
        // 1.4's starter has one error; cargo builds the library twice and reports it twice.
        let course = Course::new();
        let run = course.grade(&["check", "1.4"]);
        run.assert_code(1).assert_stdout("error[E0515]");
        run.assert_stdout_lacks("more error");

        course.write(
            "exercises/01_basics/04_broken/src/lib.rs",
            "pub fn longest(words: &[String]) -> &str {\n    let best: u32 = \"x\";\n    missing(words)\n}\n",
        );
        course
            .grade(&["check", "1.4"])
            .assert_code(1)
            .assert_stdout("(and 1 more error; fix the first one first");
    }

    #[test]
    fn an_error_in_the_graded_tests_points_at_the_learners_file_and_says_why() {
        let course = Course::new();
        course.write(
            "exercises/01_basics/01_add/src/lib.rs",
            "// TODO: add the numbers\npub fn add(a: u32) -> u32 {\n    a\n}\n",
        );
        let run = course.grade(&["check", "1.1"]);
        run.assert_code(1)
            .assert_stdout("Next: open exercises/01_basics/01_add/src/lib.rs")
            .assert_stdout(
                "rustc reports it in the graded tests (exercises/01_basics/01_add/tests/add.rs:",
            )
            .assert_stdout("which you do not change");
        run.assert_stdout_lacks("open exercises/01_basics/01_add/tests/");
    }

    #[test]
    fn the_compilers_notes_lead_to_the_file_to_change() {
        // As in 4.4's starter: rustc reports a `spawn` in one file; its note names the type,
        // in the file with the step's TODOs, whose field cannot cross threads.
        let course = Course::new();
        course.write(
            "exercises/01_basics/01_add/src/lib.rs",
            "pub mod metrics;\npub mod pool;\n\npub fn add(a: u32, b: u32) -> u32 {\n    a + b\n}\n",
        );
        course.write(
            "exercises/01_basics/01_add/src/metrics.rs",
            "// TODO: let workers share the count.\n#[derive(Default)]\npub struct Metrics {\n    pub count: std::rc::Rc<u32>,\n}\n",
        );
        course.write(
            "exercises/01_basics/01_add/src/pool.rs",
            "pub fn run(metrics: crate::metrics::Metrics) {\n    std::thread::spawn(move || drop(metrics));\n}\n",
        );
        course
            .grade(&["check", "1.1"])
            .assert_code(1)
            .assert_stdout("Next: open exercises/01_basics/01_add/src/metrics.rs:")
            .assert_stdout("rustc reports the error at exercises/01_basics/01_add/src/pool.rs:2:")
            .assert_stdout("its notes lead to the code to change");
    }
}

mod failing_tests {
    use super::*;

    #[test]
    fn next_names_the_file_with_the_steps_todos() {
        let course = Course::new();
        course.write(
            "exercises/01_basics/01_add/src/lib.rs",
            "mod sum;\npub use sum::add;\n",
        );
        course.write(
            "exercises/01_basics/01_add/src/sum.rs",
            "// TODO: add the numbers, do not multiply them.\npub fn add(a: u32, b: u32) -> u32 {\n    a * b\n}\n",
        );
        course
            .grade(&["check", "1.1"])
            .assert_code(1)
            .assert_stdout(
                "change exercises/01_basics/01_add/src/sum.rs (where the step's TODOs are)",
            );
    }

    #[test]
    fn a_failing_test_of_the_learners_own_is_read_where_it_is() {
        // The step solved, plus a unit test of the learner's that is wrong.
        let course = Course::with_file(
            "exercises/01_basics/01_add/src/lib.rs",
            "pub fn add(a: u32, b: u32) -> u32 {\n    a + b\n}\n\n#[cfg(test)]\nmod tests {\n    \
             #[test]\n    fn my_own_check() {\n        assert_eq!(super::add(1, 1), 3);\n    }\n}\n",
        );
        course
            .grade(&["check", "1.1"])
            .assert_code(1)
            .assert_stdout("my_own_check")
            .assert_stdout("read the failing test in exercises/01_basics/01_add/src/lib.rs");
    }
}

mod errors {
    use super::*;

    #[test]
    fn a_step_argument_that_climbs_out_with_dot_dot_is_refused() {
        let course = Course::new();
        // Before: taken for a folder inside 1.1, and 1.1 was checked.
        course
            .grade(&["check", "exercises/01_basics/01_add/../02_endless"])
            .assert_code(2)
            .assert_stderr(
                "error: the step `exercises/01_basics/01_add/../02_endless` contains `..`",
            )
            .assert_stderr("name the step by its number");
    }

    #[test]
    fn check_json_errors_are_json() {
        let course = Course::new();
        let run = course.grade(&["check", "9.9", "--json"]);
        run.assert_code(2);
        let json: serde_json::Value =
            serde_json::from_str(&run.stdout).unwrap_or_else(|err| panic!("{err}: {}", run.stdout));
        assert_eq!(json["error"], "no step matches `9.9`");
        assert!(
            json["advice"]
                .as_str()
                .unwrap()
                .contains("`cargo grade list`")
        );
    }

    #[test]
    fn advice_is_on_a_line_of_its_own() {
        let course = Course::new();
        course.grade(&["goto", "9.9"]).assert_code(2).assert_stderr(
            "error: no step matches `9.9`\n  `cargo grade list` shows every step with its number\n",
        );
    }

    #[test]
    fn a_part_toml_error_does_not_send_the_author_to_step_toml() {
        let course = Course::new();
        course.write("exercises/01_basics/part.toml", "titel = \"Basics\"\n");
        let run = course.grade(&["list"]);
        run.assert_code(2)
            .assert_stderr("error: exercises/01_basics/part.toml, line 1")
            .assert_stderr("key `titel`")
            .assert_stderr("a part.toml has `title` and an optional `summary`");
        assert!(!run.stderr.contains("step.toml"), "{}", run.stderr);
    }

    #[test]
    fn an_unclosed_array_names_its_own_key() {
        let course = Course::new();
        course.write(
            "exercises/01_basics/02_endless/step.toml",
            "title = \"Step endless\"\nconcepts = [\"x\", \"y\"\nlearned = \"y\"\n",
        );
        course.grade(&["list"]).assert_code(2).assert_stderr(
            "error: exercises/01_basics/02_endless/step.toml, line 3, key `concepts`",
        );
    }
}

#[cfg(unix)]
mod output {
    use super::*;

    #[test]
    fn a_full_device_is_an_error_not_a_panic() {
        let course = Course::new();
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let output = course.command(&["list"]).stdout(full).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.contains("error: cannot write to standard output"),
            "{stderr}"
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
    }

    #[test]
    fn a_closed_pipe_ends_quietly() {
        let course = Course::new();
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let output = course.command(&["list"]).stdout(writer).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(0), "{stderr}");
        assert_eq!(stderr, "");
    }
}

mod panics {
    use super::*;

    fn shows_the_tests_own_assertion_first(runner: &str) {
        // As in 4.3: a helper thread's `recv()` fails because the test's assertion failed.
        let course = Course::new();
        course.solve("01_basics/01_add");
        course.write(
            "exercises/01_basics/01_add/tests/add.rs",
            "use std::sync::mpsc;\n\n#[test]\nfn job_is_running() {\n    let (sender, receiver) = mpsc::channel::<u32>();\n    let helper = std::thread::spawn(move || receiver.recv().unwrap());\n    drop(sender);\n    let _ = helper.join();\n    assert!(add::add(1, 1) == 3, \"job 1 is running: set `Running` first\");\n}\n",
        );
        let run = course.grade_with(&["check", "1.1"], &[("GRADER_RUNNER", runner)]);
        run.assert_code(1)
            .assert_stdout("job_is_running\n    job 1 is running: set `Running` first\n");
        if runner == "libtest" {
            // The grader's own runner keeps every panic; under nextest the report holds the
            // test thread's panic only (failing tests' output is not stored: see testrun.rs).
            run.assert_stdout("thread '<unnamed>' also panicked at")
                .assert_stdout("RecvError");
            let own = run.stdout.find("job 1 is running").unwrap();
            let helper = run.stdout.find("RecvError").unwrap();
            assert!(own < helper, "{}", run.stdout);
        }
    }

    #[test]
    fn the_tests_own_assertion_comes_first() {
        shows_the_tests_own_assertion_first("auto");
    }

    #[test]
    fn the_tests_own_assertion_comes_first_without_nextest() {
        shows_the_tests_own_assertion_first("libtest");
    }
}
