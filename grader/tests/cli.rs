//! Runs the real `grader` binary against a small fixture course (tests/fixtures/course) with
//! one step of each kind: a `todo!()` starter, an infinite loop, a clippy finding and a compile
//! error. Each test works on its own copy of the fixture in a temporary folder.

use std::path::{Path, PathBuf};
use std::process::Command;

use tempfile::TempDir;

/// Step 1.3's library, and its task solved the way the step's lint forbids: the tests pass,
/// with `unwrap`.
const LINT_LIB: &str = "exercises/01_basics/03_lint/src/lib.rs";
const LINT_WITH_UNWRAP: &str = "pub fn first_number(text: &str) -> Option<u32> {\n    text.split(',').next().unwrap().trim().parse().ok()\n}\n";

/// A private copy of the fixture course.
struct Course {
    dir: TempDir,
}

/// What one run of the grader printed.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    #[track_caller]
    fn assert_code(&self, code: i32) -> &Run {
        assert_eq!(
            self.code, code,
            "exit code\n--- stdout:\n{}\n--- stderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }

    #[track_caller]
    fn assert_stdout(&self, needle: &str) -> &Run {
        assert!(
            self.stdout.contains(needle),
            "stdout lacks {needle:?}\n--- stdout:\n{}\n--- stderr:\n{}",
            self.stdout,
            self.stderr
        );
        self
    }

    #[track_caller]
    fn assert_stdout_lacks(&self, needle: &str) -> &Run {
        assert!(
            !self.stdout.contains(needle),
            "stdout has {needle:?}\n--- stdout:\n{}",
            self.stdout
        );
        self
    }

    #[track_caller]
    fn assert_stderr(&self, needle: &str) -> &Run {
        assert!(
            self.stderr.contains(needle),
            "stderr lacks {needle:?}\n--- stderr:\n{}",
            self.stderr
        );
        self
    }
}

/// Waits, up to ten minutes, for a line of `stream` that holds `needle`, reading it on a thread
/// of its own: a grader that never says it fails the test instead of hanging it. Everything
/// read until then, or until the stream ended.
fn wait_for_line(stream: impl std::io::Read + Send + 'static, needle: &str) -> String {
    use std::io::BufRead;
    let (sender, lines) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stream)
            .lines()
            .map_while(Result::ok)
        {
            if sender.send(line).is_err() {
                break;
            }
        }
    });
    let mut seen = String::new();
    while !seen.contains(needle) {
        match lines.recv_timeout(std::time::Duration::from_secs(600)) {
            Ok(line) => {
                seen.push_str(&line);
                seen.push('\n');
            }
            Err(_) => break,
        }
    }
    seen
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

impl Course {
    fn new() -> Course {
        let dir = tempfile::tempdir().unwrap();
        let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/course");
        copy_dir(&fixture, dir.path());
        Course { dir }
    }

    /// A copy of the fixture course with one file written over.
    fn with_file(relative: &str, text: &str) -> Course {
        let course = Course::new();
        std::fs::write(course.path(relative), text).unwrap();
        course
    }

    /// Whether step `id` counts as passed in the learner's progress.
    fn passed(&self, id: &str) -> bool {
        self.progress()["steps"][id]["passed_at"].is_u64()
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    fn grade(&self, args: &[&str]) -> Run {
        self.grade_with(args, &[])
    }

    /// The grader with `args`, in the course, without colors, not yet started.
    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_grader"));
        command
            .args(args)
            .current_dir(self.dir.path())
            .env("NO_COLOR", "1")
            .env_remove("GRADER_ROOT")
            .env_remove("GRADER_RUNNER")
            .env_remove("CARGO_TARGET_DIR");
        command
    }

    fn grade_with(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let mut command = self.command(args);
        for (key, value) in env {
            command.env(key, value);
        }
        let output = command.output().unwrap();
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// Copies a step's reference solution over the learner's code, as a learner who solved it.
    fn solve(&self, id: &str) {
        copy_dir(
            &self.path(&format!("solutions/{id}/src")),
            &self.path(&format!("exercises/{id}/src")),
        );
    }

    /// Solves the fixture's four steps in order with `cargo grade`, each passing.
    fn solve_every_step_in_order(&self) {
        for id in [
            "01_basics/01_add",
            "01_basics/02_endless",
            "01_basics/03_lint",
            "01_basics/04_broken",
        ] {
            self.solve(id);
            self.grade(&[]).assert_code(0).assert_stdout("passed");
        }
    }

    fn progress(&self) -> serde_json::Value {
        let text = std::fs::read_to_string(self.path(".grader/progress.json")).unwrap();
        serde_json::from_str(&text).unwrap()
    }

    /// A fresh fixture course committed to a git repository, as a learner's clone is (`reset`
    /// takes the shipped files from git).
    fn in_git() -> Course {
        let course = Course::new();
        course.commit_all();
        course
    }

    /// Commits everything in the course, as a fresh clone has it.
    fn commit_all(&self) {
        self.git(&["init", "-q"]);
        self.git(&["add", "-A"]);
        self.git(&["commit", "-qm", "the course"]);
    }

    fn git(&self, args: &[&str]) {
        let status = Command::new("git")
            .args(["-c", "user.name=Learner", "-c", "user.email=l@example.com"])
            .args(args)
            .current_dir(self.dir.path())
            .output()
            .unwrap();
        assert!(status.status.success(), "git {args:?}: {status:?}");
    }
}

mod learner_loop {
    use super::*;

    #[test]
    fn a_fresh_course_shows_the_first_step_failing_with_a_next_action() {
        let course = Course::new();
        course
            .grade(&[])
            .assert_code(1)
            .assert_stdout("Part 1 · step 1 of 4 · 0/4 done")
            .assert_stdout("2 of 2 tests did not pass")
            .assert_stdout("not yet implemented")
            .assert_stdout("This is a `todo!()` in the starter")
            .assert_stdout("Next: read the failing test in exercises/01_basics/01_add/tests/add.rs")
            .assert_stdout("`cargo grade hint` shows hint 1 of 2");
        assert_eq!(
            course.progress()["steps"]["01_basics/01_add"]["attempts"],
            0,
            "a check of the starter as shipped is no attempt"
        );
    }

    #[test]
    fn failures_are_listed_in_source_order_with_their_messages() {
        let course = Course::new();
        std::fs::write(
            course.path("exercises/01_basics/01_add/src/lib.rs"),
            "pub fn add(a: u32, b: u32) -> u32 { a * b }\n",
        )
        .unwrap();
        let run = course.grade(&["check"]);
        run.assert_code(1)
            .assert_stdout("2 of 2 tests did not pass")
            .assert_stdout("two plus three")
            .assert_stdout("left: 6");
        let first = run.stdout.find("adds_small_numbers").unwrap();
        let second = run.stdout.find("adds_zero").unwrap();
        assert!(
            first < second,
            "the first test of the file comes first:\n{}",
            run.stdout
        );
    }

    #[test]
    fn a_passing_step_congratulates_and_moves_on() {
        let course = Course::new();
        course.solve("01_basics/01_add");
        course
            .grade(&[])
            .assert_code(0)
            .assert_stdout("1.1 passed: all 2 tests pass and clippy is clean")
            .assert_stdout("You learned: You made add pass.")
            .assert_stdout("Next up: 1.2 Step endless");
        let progress = course.progress();
        assert_eq!(progress["current"], "01_basics/02_endless");
        assert!(progress["steps"]["01_basics/01_add"]["passed_at"].is_u64());
    }

    #[test]
    fn solving_every_step_in_order_finishes_the_course() {
        let course = Course::new();
        course.solve_every_step_in_order();
        course
            .grade(&[])
            .assert_code(0)
            .assert_stdout("finished every step");
        let list = course.grade(&["list"]);
        list.assert_code(0).assert_stdout("Part 1 · Basics");
        assert_eq!(list.stdout.matches("✓ done").count(), 4, "{}", list.stdout);
    }

    #[test]
    fn goto_and_next_move_the_position() {
        let course = Course::new();
        course
            .grade(&["goto", "1.3"])
            .assert_code(0)
            .assert_stdout("You are now on 1.3");
        course
            .grade(&["next"])
            .assert_code(0)
            .assert_stdout("You are now on 1.4");
        course
            .grade(&["next"])
            .assert_code(0)
            .assert_stdout("1.4 is the last step");
        course
            .grade(&["goto", "9.9"])
            .assert_code(2)
            .assert_stderr("no step matches `9.9`");
    }
}

mod verdicts {
    use super::*;

    fn infinite_loop_gives_a_timeout_verdict(runner: &str) {
        let course = Course::new();
        course
            .grade_with(&["check", "1.2"], &[("GRADER_RUNNER", runner)])
            .assert_code(1)
            .assert_stdout("counts_down_from_three did not finish in 2 s");
    }

    #[test]
    fn an_infinite_loop_ends_in_a_timeout_verdict() {
        // cargo-nextest when it is installed, as on a learner's machine with it.
        infinite_loop_gives_a_timeout_verdict("auto");
    }

    #[test]
    fn an_infinite_loop_ends_in_a_timeout_verdict_without_nextest() {
        infinite_loop_gives_a_timeout_verdict("libtest");
    }

    #[test]
    fn failing_tests_read_the_same_without_nextest() {
        let course = Course::new();
        course
            .grade_with(&["check", "1.1"], &[("GRADER_RUNNER", "libtest")])
            .assert_code(1)
            .assert_stdout("2 of 2 tests did not pass")
            .assert_stdout("not yet implemented");
    }

    #[test]
    fn a_compile_error_is_shown_with_plain_words_and_where_to_look() {
        let course = Course::new();
        course
            .grade(&["check", "1.4"])
            .assert_code(1)
            .assert_stdout("The code does not compile yet")
            .assert_stdout("In plain words:")
            .assert_stdout("error[E0")
            .assert_stdout("open exercises/01_basics/04_broken/src/lib.rs:")
            .assert_stdout("rustc --explain E0");
    }

    #[test]
    fn a_clippy_finding_fails_a_step_whose_tests_pass() {
        let course = Course::with_file(LINT_LIB, LINT_WITH_UNWRAP);
        course
            .grade(&["check", "1.3"])
            .assert_code(1)
            .assert_stdout("The tests pass, but clippy has 1 finding")
            .assert_stdout("clippy::unwrap_used")
            .assert_stdout("unwrap");
    }

    #[test]
    #[cfg(unix)]
    fn a_missing_clippy_is_an_error_that_says_how_to_install_it() {
        // A toolchain whose `clippy-driver` is rustup's proxy for a component not installed.
        let course = Course::new();
        let cargo = toolchain_without_clippy(
            &course,
            Some(
                "#!/bin/sh\necho \"error: 'clippy-driver' is not installed for the toolchain 'stable-x86_64-unknown-linux-gnu'.\" >&2\necho \"To install, run \\`rustup component add clippy\\`\" >&2\nexit 1\n",
            ),
        );
        course.solve("01_basics/01_add");
        course
            .grade_with(&["check", "1.1"], &[("CARGO", &cargo)])
            .assert_code(2)
            .assert_stderr("is not installed")
            .assert_stderr("rustup component add clippy");
    }

    #[test]
    #[cfg(unix)]
    fn without_clippy_the_tests_still_run_and_a_pass_waits_for_it() {
        // A toolchain with no `clippy-driver` at all beside its cargo.
        let course = Course::new();
        let cargo = toolchain_without_clippy(&course, None);
        course
            .grade_with(&["check", "1.1"], &[("CARGO", &cargo)])
            .assert_code(1)
            .assert_stdout("tests did not pass");
        course.solve("01_basics/01_add");
        course
            .grade_with(&["check", "1.1"], &[("CARGO", &cargo)])
            .assert_code(2)
            .assert_stderr("the tests pass, but clippy is not installed")
            .assert_stderr("rustup component add clippy");
        assert!(!course.passed("01_basics/01_add"));
    }

    /// A folder with a `cargo` that is the real one and, when given, a `clippy-driver` script:
    /// the path of its `cargo`, for `CARGO`.
    #[cfg(unix)]
    fn toolchain_without_clippy(course: &Course, driver: Option<&str>) -> String {
        let real_cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
        let bin = course.path("toolchain-without-clippy");
        std::fs::create_dir_all(&bin).unwrap();
        let cargo = format!("#!/bin/sh\nexec \"{real_cargo}\" \"$@\"\n");
        let scripts = [("cargo", Some(cargo.as_str())), ("clippy-driver", driver)];
        for (name, script) in scripts {
            let Some(script) = script else { continue };
            let path = bin.join(name);
            std::fs::write(&path, script).unwrap();
            let mut permissions = std::fs::metadata(&path).unwrap().permissions();
            std::os::unix::fs::PermissionsExt::set_mode(&mut permissions, 0o755);
            std::fs::set_permissions(&path, permissions).unwrap();
        }
        bin.join("cargo").to_string_lossy().into_owned()
    }

    #[test]
    fn check_json_is_machine_readable() {
        let course = Course::new();
        let run = course.grade(&["check", "add", "--json"]);
        run.assert_code(1);
        let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
        assert_eq!(json["verdict"], "tests_failed");
        assert_eq!(json["failures"].as_array().unwrap().len(), 2);
        assert_eq!(json["step"], "01_basics/01_add");
    }

    #[test]
    fn output_has_no_color_codes_when_not_a_terminal() {
        let course = Course::new();
        let run = course.grade_with(&["check", "1.4"], &[("NO_COLOR", "")]);
        assert!(
            !run.stdout.contains('\u{1b}'),
            "escape codes in:\n{}",
            run.stdout
        );
    }
}

mod bad_input {
    use super::*;

    #[test]
    fn a_malformed_step_toml_names_the_file_line_and_key() {
        let course = Course::new();
        let path = course.path("exercises/01_basics/02_endless/step.toml");
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(
            &path,
            text.replace("time_limit_secs = 2", "time_limit_secs = \"two\""),
        )
        .unwrap();
        course.grade(&[]).assert_code(2).assert_stderr(
            "exercises/01_basics/02_endless/step.toml, line 6, key `time_limit_secs`",
        );
    }

    #[test]
    fn an_edited_test_is_reported_and_its_pass_does_not_count() {
        let course = Course::new();
        course.solve("01_basics/01_add");
        let test = course.path("exercises/01_basics/01_add/tests/add.rs");
        let text = std::fs::read_to_string(&test).unwrap();
        std::fs::write(&test, text.replace("assert_eq!(add(0, 7), 7);", "")).unwrap();
        course
            .grade(&[])
            .assert_code(1)
            .assert_stdout("You changed the graded tests: exercises/01_basics/01_add/tests/add.rs")
            .assert_stdout("cargo grade reset 1.1 --tests");
        assert!(!course.passed("01_basics/01_add"));
    }

    #[test]
    fn a_corrupt_progress_file_is_moved_aside_with_a_warning() {
        let course = Course::new();
        std::fs::create_dir_all(course.path(".grader")).unwrap();
        std::fs::write(
            course.path(".grader/progress.json"),
            "{\"version\": 1, \"steps\": [",
        )
        .unwrap();
        course
            .grade(&["list"])
            .assert_code(0)
            .assert_stderr("could not be used")
            .assert_stderr("Your code is untouched");
        let aside = std::fs::read_dir(course.path(".grader"))
            .unwrap()
            .filter(|entry| {
                let name = entry.as_ref().unwrap().file_name();
                name.to_string_lossy()
                    .starts_with("progress.json.unreadable-")
            })
            .count();
        assert_eq!(aside, 1, "the unreadable file is kept beside the new one");
    }

    #[test]
    fn outside_a_course_the_error_says_where_to_go() {
        let dir = tempfile::tempdir().unwrap();
        let output = Command::new(env!("CARGO_BIN_EXE_grader"))
            .current_dir(dir.path())
            .env_remove("GRADER_ROOT")
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&output.stderr).contains("is not inside the course"));
    }
}

mod help {
    use super::*;

    #[test]
    fn hints_come_in_levels_and_are_recorded() {
        let course = Course::new();
        course
            .grade(&["hint"])
            .assert_code(0)
            .assert_stdout("hint 1 of 2")
            .assert_stdout("First hint for add.");
        course
            .grade(&["hint"])
            .assert_stdout("hint 2 of 2")
            .assert_stdout("Second hint for add.")
            .assert_stdout("That is the last hint");
        course.grade(&["hint"]).assert_stdout("hint 2 of 2");
        assert_eq!(
            course.progress()["steps"]["01_basics/01_add"]["hints_used"],
            2
        );
    }

    #[test]
    fn the_solution_waits_for_a_pass_unless_peeked() {
        let course = Course::new();
        course
            .grade(&["solution", "1.1"])
            .assert_code(1)
            .assert_stdout("stays hidden");
        course
            .grade(&["solution", "1.1", "--peek"])
            .assert_code(0)
            .assert_stdout("+    a + b")
            .assert_stdout("-    todo!()");
        assert_eq!(
            course.progress()["steps"]["01_basics/01_add"]["solution_peeked"],
            true
        );
    }

    #[test]
    fn reset_restores_the_starter_after_a_commit_and_keeps_a_backup() {
        let course = Course::in_git();
        course.solve("01_basics/01_add");
        std::fs::write(
            course.path("exercises/01_basics/01_add/src/notes.rs"),
            "// mine\n",
        )
        .unwrap();
        course.git(&["add", "-A"]);
        course.git(&["commit", "-qm", "my work"]);

        course
            .grade(&["reset", "1.1"])
            .assert_code(0)
            .assert_stdout("are saved in .grader/backups/01_basics-01_add-")
            .assert_stdout("notes.rs was not part of the starter");
        let lib =
            std::fs::read_to_string(course.path("exercises/01_basics/01_add/src/lib.rs")).unwrap();
        assert!(lib.contains("todo!()"), "the starter is back:\n{lib}");
        assert!(
            !course
                .path("exercises/01_basics/01_add/src/notes.rs")
                .exists()
        );

        let backups: Vec<PathBuf> = std::fs::read_dir(course.path(".grader/backups"))
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .collect();
        assert_eq!(backups.len(), 1);
        let saved = std::fs::read_to_string(backups[0].join("src/lib.rs")).unwrap();
        assert!(
            saved.contains("a + b"),
            "the learner's solution is in the backup"
        );
        assert!(backups[0].join("src/notes.rs").exists());
    }

    #[test]
    fn reset_tests_only_keeps_the_learners_code() {
        let course = Course::in_git();
        course.solve("01_basics/01_add");
        std::fs::write(
            course.path("exercises/01_basics/01_add/tests/add.rs"),
            "// gone\n",
        )
        .unwrap();
        course
            .grade(&["reset", "1.1", "--tests"])
            .assert_code(0)
            .assert_stdout("The graded tests are restored");
        let lib =
            std::fs::read_to_string(course.path("exercises/01_basics/01_add/src/lib.rs")).unwrap();
        assert!(lib.contains("a + b"), "the learner's code stays");
        course.grade(&["check", "1.1"]).assert_code(0);
    }

    #[test]
    fn patterns_are_listed_and_printed() {
        let course = Course::new();
        course
            .grade(&["pattern"])
            .assert_code(0)
            .assert_stdout("DEMO-1")
            .assert_stdout("A demonstration pattern");
        course
            .grade(&["pattern", "demo-1"])
            .assert_code(0)
            .assert_stdout("## Use when")
            .assert_stdout("pub fn add(a: u32, b: u32) -> u32");
        course
            .grade(&["pattern", "NOPE-1"])
            .assert_code(2)
            .assert_stderr("no pattern has the ID `NOPE-1`");
    }

    #[test]
    fn reports_combine_into_a_team_view() {
        let course = Course::new();
        course.solve("01_basics/01_add");
        course.grade(&[]).assert_code(0);
        // A first try at 1.2: a check of its starter as shipped would be no attempt.
        let endless = "exercises/01_basics/02_endless/src/lib.rs";
        course.write(
            endless,
            &format!("{}\n// a first try\n", course.read(endless)),
        );
        course.grade(&["check"]).assert_code(1);
        let report = course.grade(&["report", "--json", "--name", "ana"]);
        report.assert_code(0);
        let file = course.path("ana.json");
        std::fs::write(&file, &report.stdout).unwrap();
        course
            .grade(&["report", "--name", "ana"])
            .assert_stdout("# Course progress: ana")
            .assert_stdout("1 of 4 steps done");
        course
            .grade(&["team", file.to_str().unwrap()])
            .assert_code(0)
            .assert_stdout("1 learner")
            .assert_stdout("working → ana: 1 check")
            .assert_stdout("last: test `counts_down_from_three` failed")
            .assert_stdout("ana  1 done, 0 skipped · working on 1.2");
    }
}

mod authors {
    use super::*;

    #[test]
    fn verify_passes_on_a_sound_course() {
        let course = Course::new();
        course
            .grade(&["verify"])
            .assert_code(0)
            .assert_stdout("verify: 4 steps, no findings.");
    }

    #[test]
    fn verify_finds_a_starter_that_passes_and_a_missing_hint() {
        let course = Course::new();
        course.solve("01_basics/01_add");
        let hints = course.path("solutions/01_basics/01_add/hints.toml");
        let text = std::fs::read_to_string(&hints).unwrap();
        std::fs::write(&hints, text.replace(", \"Second hint for add.\"", "")).unwrap();
        let run = course.grade(&["verify", "--json"]);
        run.assert_code(1);
        let findings: Vec<serde_json::Value> = serde_json::from_str(&run.stdout).unwrap();
        let messages: Vec<&str> = findings
            .iter()
            .map(|f| f["message"].as_str().unwrap())
            .collect();
        assert!(
            messages
                .iter()
                .any(|m| m.contains("differs from exercises/starters.lock")),
            "{messages:?}"
        );
        assert!(
            messages
                .iter()
                .any(|m| m.contains("must fail its tests, but: passed")),
            "{messages:?}"
        );
        assert!(
            messages
                .iter()
                .any(|m| m.contains("`hints` needs two or more")),
            "{messages:?}"
        );
    }

    #[test]
    fn verify_reports_a_gap_in_the_numbering() {
        let course = Course::new();
        std::fs::rename(
            course.path("exercises/01_basics/04_broken"),
            course.path("exercises/01_basics/05_broken"),
        )
        .unwrap();
        course
            .grade(&["verify", "--quick"])
            .assert_code(1)
            .assert_stdout("expected a folder numbered 04 next, found 05");
    }
}

mod watch {
    use super::*;
    use std::io::{BufRead, BufReader};
    use std::process::{Child, Stdio};
    use std::sync::mpsc;
    use std::time::Duration;

    /// Waits for a line containing `needle`; the timeout only guards against a hung grader.
    #[track_caller]
    pub(super) fn wait_for(lines: &mpsc::Receiver<String>, needle: &str, seen: &mut String) {
        while !seen.contains(needle) {
            match lines.recv_timeout(Duration::from_secs(120)) {
                Ok(line) => {
                    seen.push_str(&line);
                    seen.push('\n');
                }
                Err(_) => panic!("watch never printed {needle:?}; it printed:\n{seen}"),
            }
        }
    }

    /// Starts `cargo grade watch --poll` in `course`; its output comes line by line.
    pub(super) fn spawn_watch(course: &Course) -> (Child, mpsc::Receiver<String>) {
        let mut child = Command::new(env!("CARGO_BIN_EXE_grader"))
            .args(["watch", "--poll"])
            .current_dir(course.dir.path())
            .env("NO_COLOR", "1")
            .env_remove("GRADER_ROOT")
            .env_remove("CARGO_TARGET_DIR")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (sender, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        (child, lines)
    }

    #[test]
    fn watch_rechecks_on_save_and_moves_on_when_the_step_passes() {
        let course = Course::new();
        let (mut child, lines) = spawn_watch(&course);
        let mut seen = String::new();
        wait_for(&lines, "did not pass", &mut seen);
        wait_for(
            &lines,
            "Watching exercises/01_basics/01_add for changes (polling)",
            &mut seen,
        );
        course.solve("01_basics/01_add");
        wait_for(&lines, "1.1 passed", &mut seen);
        // It moved on by itself and checks the next step.
        wait_for(&lines, "Watching exercises/01_basics/02_endless", &mut seen);
        child.kill().unwrap();
        child.wait().unwrap();
        assert_eq!(course.progress()["current"], "01_basics/02_endless");
    }

    #[test]
    fn watch_stops_when_nobody_reads_its_output() {
        let course = Course::new();
        let (mut child, lines) = spawn_watch(&course);
        let mut seen = String::new();
        wait_for(&lines, "Watching exercises/01_basics/01_add", &mut seen);
        // The reader goes away (`cargo grade watch | head`): its thread ends at the next line,
        // and with it the pipe.
        drop(lines);
        let attempts = || course.progress()["steps"]["01_basics/01_add"]["attempts"].clone();
        let before = attempts();
        std::fs::write(
            course.path("exercises/01_basics/01_add/src/lib.rs"),
            "pub fn add(a: u32, b: u32) -> u32 { a * b }\n",
        )
        .unwrap();
        // The bound only turns a watch that goes on for nobody, the bug, into a failure.
        let (sender, ended) = mpsc::channel();
        std::thread::spawn(move || {
            let _ = sender.send(child.wait());
        });
        match ended.recv_timeout(Duration::from_secs(300)) {
            Ok(status) => assert!(status.is_ok()),
            Err(_) => panic!("watch kept running after its output was closed"),
        }
        // At most the one check that found the pipe closed was counted.
        let after = attempts();
        assert!(
            after.as_u64() <= before.as_u64().map(|n| n + 1),
            "{before} -> {after}"
        );
    }
}

#[path = "cli/carry.rs"]
mod carry;
#[path = "cli/isolation.rs"]
mod isolation;
#[path = "cli/lessons.rs"]
mod lessons;
#[path = "cli/lints.rs"]
mod lints;
#[path = "cli/messages.rs"]
mod messages;
#[path = "cli/optional.rs"]
mod optional;
#[path = "cli/rebuild.rs"]
mod rebuild;
#[path = "cli/run.rs"]
mod run;
#[path = "cli/state.rs"]
mod state;
