//! The grader keeps its promises under hostile and unlucky use (issue 9): no false pass, no
//! hang, no flood, no orphan; and each copy of the course gets builds of its own (issue 17).
//! Each case writes a hostile variant of a fixture step into its own copy of the course.

use super::*;
use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::sync::mpsc;
use std::time::Duration;

const ADD: &str = "exercises/01_basics/01_add";
const ENDLESS: &str = "exercises/01_basics/02_endless";

/// The runners a case runs under: cargo-nextest where installed, and the libtest fallback.
const RUNNERS: [&str; 2] = ["auto", "libtest"];

fn write(course: &Course, relative: &str, text: &str) {
    std::fs::write(course.path(relative), text).unwrap();
}

/// Replaces text in a file of the course, each `(from, to)` in turn.
fn replace_in(course: &Course, relative: &str, edits: &[(&str, &str)]) {
    let mut text = std::fs::read_to_string(course.path(relative)).unwrap();
    for (from, to) in edits {
        assert!(text.contains(from), "{relative} lacks {from:?}");
        text = text.replace(from, to);
    }
    write(course, relative, &text);
}

/// `check 1.1` fails, names the edited graded file, and records no pass.
#[track_caller]
fn check_names_the_edit(course: &Course, file: &str) -> Run {
    let run = course.grade(&["check", "1.1"]);
    run.assert_code(1).assert_stdout(file);
    assert!(!course.passed("01_basics/01_add"));
    run
}

/// The grader on `course` as a learner starts it, without a terminal, output not yet set.
fn grader(course: &Course, args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_grader"));
    command
        .args(args)
        .current_dir(course.dir.path())
        .env("NO_COLOR", "1")
        .env_remove("GRADER_ROOT")
        .env_remove("GRADER_RUNNER")
        .env_remove("CARGO_TARGET_DIR")
        .envs(env.iter().copied())
        .stdin(Stdio::null());
    command
}

/// Runs the grader, ending it (and failing) if it has not finished after `guard`: the guard
/// only turns a hang, the bug, into a failure; a correct grader ends far sooner.
fn grade_guarded(course: &Course, args: &[&str], env: &[(&str, &str)], guard: Duration) -> Run {
    let child = grader(course, args, env)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = sender.send(child.wait_with_output());
    });
    match receiver.recv_timeout(guard) {
        Ok(output) => {
            let output = output.unwrap();
            Run {
                code: output.status.code().unwrap_or(-1),
                stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
                stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            }
        }
        Err(_) => {
            let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
            panic!("the grader did not finish within {guard:?}: it hangs");
        }
    }
}

/// Whether a process still runs (a zombie has ended). A killed process may take a moment to
/// go after the signal; the bound only guards a hang.
#[cfg(target_os = "linux")]
fn still_runs(pid: u32) -> bool {
    let runs = || {
        std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
            stat.rsplit_once(')')
                .is_some_and(|(_, rest)| !rest.trim_start().starts_with(['Z', 'X']))
        })
    };
    let started = std::time::Instant::now();
    while runs() {
        if started.elapsed() > Duration::from_secs(30) {
            // Do not leave it behind for the next test.
            let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
            return true;
        }
        std::thread::yield_now();
    }
    false
}

/// Learner code that starts `sleep 1000` and records its ID (and the test program's) in
/// `<step>/pids`, one per line.
const SPAWN_SLEEP: &str = r#"
fn spawn_sleep() {
    use std::io::Write;
    let child = std::process::Command::new("sleep").arg("1000").spawn().unwrap();
    let mut pids = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(concat!(env!("CARGO_MANIFEST_DIR"), "/pids"))
        .unwrap();
    // One write of the whole text: test programs run at once append to the same file, and
    // `writeln!` on a `File` may write its pieces one by one, interleaving them with another's.
    let line = format!("{}\n{}\n", child.id(), std::process::id());
    pids.write_all(line.as_bytes()).unwrap();
    std::mem::forget(child);
}
"#;

fn pids(course: &Course, step: &str) -> Vec<u32> {
    std::fs::read_to_string(course.path(&format!("{step}/pids")))
        .unwrap_or_default()
        .lines()
        .map(|line| line.parse().unwrap())
        .collect()
}

mod no_false_pass {
    use super::*;

    #[test]
    fn an_exit_zero_in_the_code_fails_under_both_runners() {
        for runner in RUNNERS {
            let course = Course::with_file(
                &format!("{ADD}/src/lib.rs"),
                "pub fn add(_a: u32, _b: u32) -> u32 {\n    std::process::exit(0)\n}\n",
            );
            course
                .grade_with(&["check", "1.1"], &[("GRADER_RUNNER", runner)])
                .assert_code(1)
                .assert_stdout("stopped the test program before it finished (exit code 0)")
                .assert_stdout("2 of 2 tests did not pass");
            assert!(!course.passed("01_basics/01_add"), "{runner}");
        }
    }

    #[test]
    fn a_stack_overflow_in_the_second_test_is_named_under_both_runners() {
        for runner in RUNNERS {
            let course = Course::new();
            // `adds_small_numbers` passes; `adds_zero` recurses without end.
            write(
                &course,
                &format!("{ADD}/src/lib.rs"),
                "pub fn add(a: u32, b: u32) -> u32 {\n    if a == 0 {\n        \
                 add(std::hint::black_box(0), b) + 1\n    } else {\n        a + b\n    }\n}\n",
            );
            course
                .grade_with(&["check", "1.1"], &[("GRADER_RUNNER", runner)])
                .assert_code(1)
                .assert_stdout("1 of 2 tests did not pass")
                .assert_stdout("adds_zero overflowed its stack")
                .assert_stdout("unbounded recursion");
        }
    }

    #[test]
    fn a_test_target_of_ones_own_does_not_pass_the_starter() {
        let course = Course::new();
        replace_in(
            &course,
            &format!("{ADD}/Cargo.toml"),
            &[
                (
                    "publish.workspace = true",
                    "publish.workspace = true\nautotests = false",
                ),
                (
                    "[lib]",
                    "[[test]]\nname = \"mine\"\npath = \"mine.rs\"\n\n[lib]",
                ),
            ],
        );
        write(
            &course,
            &format!("{ADD}/mine.rs"),
            "#[test]\nfn fine() {}\n",
        );
        check_names_the_edit(&course, "exercises/01_basics/01_add/Cargo.toml")
            .assert_stdout("tests/add.rs did not run");
    }

    #[test]
    fn a_library_path_into_the_solutions_does_not_pass() {
        let course = Course::new();
        replace_in(
            &course,
            &format!("{ADD}/Cargo.toml"),
            &[(
                "[lib]",
                "[lib]\npath = \"../../../solutions/01_basics/01_add/src/lib.rs\"",
            )],
        );
        check_names_the_edit(&course, "exercises/01_basics/01_add/Cargo.toml");
    }

    #[test]
    fn a_build_script_that_rewrites_the_tests_does_not_pass() {
        let course = Course::with_file(
            &format!("{ADD}/build.rs"),
            "fn main() {\n    std::fs::write(\"tests/add.rs\", \"#[test]\\nfn adds_small_numbers() {}\\n\
             #[test]\\nfn adds_zero() {}\\n\").unwrap();\n}\n",
        );
        check_names_the_edit(&course, "exercises/01_basics/01_add/build.rs");
    }

    #[test]
    fn a_recorded_pass_is_withdrawn_by_a_later_failing_check() {
        let course = Course::new();
        let starter = std::fs::read_to_string(course.path(&format!("{ADD}/src/lib.rs"))).unwrap();
        course.solve("01_basics/01_add");
        course.grade(&["check", "1.1"]).assert_code(0);
        assert!(course.passed("01_basics/01_add"));
        write(&course, &format!("{ADD}/src/lib.rs"), &starter);
        course.grade(&["check", "1.1"]).assert_code(1);
        assert!(!course.passed("01_basics/01_add"));
    }

    #[test]
    fn seal_in_a_learners_checkout_does_not_rebless_edited_tests() {
        let course = Course::new();
        let lock = std::fs::read_to_string(course.path("exercises/starters.lock")).unwrap();
        let test = course.path(&format!("{ADD}/tests/add.rs"));
        let text = std::fs::read_to_string(&test).unwrap();
        std::fs::write(&test, text.replace("assert_eq!(add(0, 7), 7);", "")).unwrap();
        course.grade(&["check", "1.1"]).assert_code(1);
        course
            .grade(&["seal"])
            .assert_code(2)
            .assert_stderr("is for course authors")
            .assert_stderr("exercises/01_basics/01_add/tests/add.rs")
            .assert_stderr("cargo grade reset 1.1 --tests");
        assert_eq!(
            std::fs::read_to_string(course.path("exercises/starters.lock")).unwrap(),
            lock
        );
        // An author who changed the tests on purpose says so.
        course
            .grade_with(&["seal"], &[("GRADER_AUTHOR", "1")])
            .assert_code(0);
    }
}

mod no_hang_no_flood_no_orphan {
    use super::*;

    /// Checks step 1.2 with `lib` under each runner; each must end at the 2 s time limit.
    fn each_runner_ends_it_at_the_time_limit(lib: &str) -> Vec<(&'static str, Run)> {
        RUNNERS
            .iter()
            .map(|runner| {
                let course = Course::with_file(&format!("{ENDLESS}/src/lib.rs"), lib);
                let run = grade_guarded(
                    &course,
                    &["check", "1.2"],
                    &[("GRADER_RUNNER", runner)],
                    Duration::from_secs(600),
                );
                run.assert_code(1)
                    .assert_stdout("counts_down_from_three did not finish in 2 s");
                (*runner, run)
            })
            .collect()
    }

    #[test]
    fn output_without_end_cannot_outlast_the_time_limit_under_both_runners() {
        let runs = each_runner_ends_it_at_the_time_limit(
            "pub fn countdown(_from: u32) -> u32 {\n    use std::io::Write;\n    \
             let mut out = std::io::stdout();\n    while std::hint::black_box(true) {\n        \
             let _ = out.write_all(b\"flood \");\n    }\n    0\n}\n",
        );
        for (runner, run) in runs {
            assert!(
                run.stdout.len() < 100_000,
                "{runner}: {} bytes",
                run.stdout.len()
            );
        }
    }

    #[test]
    fn forged_result_lines_without_end_cannot_outlast_the_time_limit_under_both_runners() {
        // Each line looks like a test that just passed, one every half second, well within
        // the 2 s limit: only results of listed tests, each once, may give more time.
        each_runner_ends_it_at_the_time_limit(
            "pub fn countdown(_from: u32) -> u32 {\n    use std::io::Write;\n    \
             let mut out = std::io::stdout();\n    for n in 0.. {\n        \
             let _ = writeln!(out, \"test fake{n} ... ok\");\n        \
             std::thread::sleep(std::time::Duration::from_millis(500));\n    }\n    0\n}\n",
        );
    }

    #[test]
    fn a_build_that_never_ends_is_stopped_saying_how_long_and_why() {
        for runner in RUNNERS {
            let course = Course::with_file(
                &format!("{ADD}/build.rs"),
                "fn main() {\n    while std::hint::black_box(true) {}\n}\n",
            );
            // The build script never ends, so the limit is reached however fast the machine.
            grade_guarded(
                &course,
                &["check", "1.1"],
                &[("GRADER_RUNNER", runner), ("GRADER_BUILD_LIMIT_SECS", "30")],
                Duration::from_secs(600),
            )
            .assert_code(2)
            .assert_stderr("the build was still running after 30 seconds")
            .assert_stderr("build script");
        }
    }

    #[test]
    fn a_huge_panic_message_is_cut_under_both_runners() {
        for runner in RUNNERS {
            let course = Course::with_file(
                &format!("{ADD}/src/lib.rs"),
                "pub fn add(_a: u32, _b: u32) -> u32 {\n    panic!(\"{}\", \"x\".repeat(20 << 20))\n}\n",
            );
            let run = course.grade_with(&["check", "1.1"], &[("GRADER_RUNNER", runner)]);
            run.assert_code(1).assert_stdout("bytes of output cut here");
            assert!(
                run.stdout.len() < 100_000,
                "{runner}: {} bytes",
                run.stdout.len()
            );
        }
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn what_the_learners_code_starts_does_not_outlive_the_check() {
        for runner in RUNNERS {
            let course = Course::with_file(
                &format!("{ADD}/src/lib.rs"),
                &format!(
                    "{SPAWN_SLEEP}\npub fn add(a: u32, b: u32) -> u32 {{\n    spawn_sleep();\n    a + b\n}}\n"
                ),
            );
            course.grade_with(&["check", "1.1"], &[("GRADER_RUNNER", runner)]);
            let pids = pids(&course, ADD);
            assert!(!pids.is_empty(), "{runner}: the learner's code did not run");
            for pid in pids {
                assert!(
                    !still_runs(pid),
                    "{runner}: process {pid} outlived the check"
                );
            }
        }
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn sigterm_or_sighup_to_the_grader_alone_ends_everything_it_started() {
        // SIGTERM: an editor's task runner stops the check. SIGHUP: the terminal is closed.
        let cases = RUNNERS
            .iter()
            .flat_map(|runner| [(*runner, "TERM", 15), (*runner, "HUP", 1)]);
        for (runner, signal, number) in cases {
            let course = Course::new();
            // A time limit far beyond the test, so only the signal can end the check.
            let manifest = course.path(&format!("{ENDLESS}/step.toml"));
            let text = std::fs::read_to_string(&manifest).unwrap();
            std::fs::write(
                &manifest,
                text.replace("time_limit_secs = 2", "time_limit_secs = 3600"),
            )
            .unwrap();
            let fifo = course.path(&format!("{ENDLESS}/ready"));
            assert!(
                Command::new("mkfifo")
                    .arg(&fifo)
                    .status()
                    .unwrap()
                    .success()
            );
            write(
                &course,
                &format!("{ENDLESS}/src/lib.rs"),
                &format!(
                    "{SPAWN_SLEEP}\npub fn countdown(_from: u32) -> u32 {{\n    spawn_sleep();\n    \
                     std::fs::write(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/ready\"), \"go\\n\").unwrap();\n    \
                     while std::hint::black_box(true) {{}}\n    0\n}}\n"
                ),
            );
            let mut grader = grader(&course, &["check", "1.2"], &[("GRADER_RUNNER", runner)])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            // Opening the FIFO waits until the learner's test has started its `sleep`.
            let (sender, ready) = mpsc::channel();
            std::thread::spawn(move || {
                let line = BufReader::new(std::fs::File::open(fifo).unwrap())
                    .lines()
                    .next();
                let _ = sender.send(line.is_some());
            });
            assert_eq!(
                ready.recv_timeout(Duration::from_secs(600)),
                Ok(true),
                "{runner}"
            );
            let pids = pids(&course, ENDLESS);
            assert!(
                Command::new("kill")
                    .args([&format!("-{signal}"), &grader.id().to_string()])
                    .status()
                    .unwrap()
                    .success()
            );
            let status = grader.wait().unwrap();
            assert_eq!(status.code(), Some(128 + number), "{runner}, SIG{signal}");
            for pid in pids {
                assert!(
                    !still_runs(pid),
                    "{runner}, SIG{signal}: process {pid} outlived the grader"
                );
            }
        }
    }
}

mod copies_of_the_course {
    use super::*;

    #[test]
    fn two_copies_sharing_a_target_dir_get_their_own_verdicts() {
        let shared = tempfile::tempdir().unwrap();
        let shared = shared.path().to_str().unwrap().to_string();
        let env = [("CARGO_TARGET_DIR", shared.as_str())];
        let solved = Course::new();
        solved.solve("01_basics/01_add");
        let fresh = Course::new();
        solved.grade_with(&["check", "1.1"], &env).assert_code(0);
        fresh
            .grade_with(&["check", "1.1"], &env)
            .assert_code(1)
            .assert_stdout("not yet implemented");
        // `verify`: the solved copy's starter passes, which verify reports; the fresh copy's
        // starter fails as it should.
        solved
            .grade_with(&["verify", "1.1"], &env)
            .assert_code(1)
            .assert_stdout("must fail its tests, but: passed");
        fresh.grade_with(&["verify", "1.1"], &env).assert_code(0);
        solved.grade_with(&["check", "1.1"], &env).assert_code(0);
    }
}

mod messages {
    use super::*;

    #[test]
    fn a_deleted_test_file_is_named_not_blamed_on_the_course() {
        let course = Course::new();
        std::fs::remove_file(course.path(&format!("{ADD}/tests/add.rs"))).unwrap();
        let run = check_names_the_edit(&course, "exercises/01_basics/01_add/tests/add.rs");
        run.assert_stdout("tests/add.rs did not run")
            .assert_stdout("cargo grade reset 1.1 --tests")
            .assert_stdout_lacks("problem with the course");
    }

    #[test]
    fn a_step_shipped_without_tests_is_a_course_problem_with_exit_2() {
        let course = Course::new();
        write(&course, &format!("{ADD}/tests/add.rs"), "// no tests yet\n");
        course
            .grade_with(&["seal"], &[("GRADER_AUTHOR", "1")])
            .assert_code(0);
        course
            .grade(&["check", "1.1"])
            .assert_code(2)
            .assert_stderr("has no tests to run")
            .assert_stderr("problem with the course");
    }

    #[test]
    fn warm_builds_a_parts_dependencies_and_names_a_wrong_part() {
        let course = Course::new();
        course
            .grade(&["warm", "1"])
            .assert_code(0)
            .assert_stdout("Part 1 is ready");
        course
            .grade(&["warm", "9"])
            .assert_code(2)
            .assert_stderr("no part matches `9`");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_held_build_lock_is_named_not_waited_on_silently() {
        let course = Course::new();
        course.grade(&["check", "1.1"]).assert_code(1);
        // Another cargo (rust-analyzer, say) holds the build directory's lock until told.
        let lock = course.path("target/debug/.cargo-lock");
        assert!(
            lock.exists(),
            "cargo keeps its build lock at {}",
            lock.display()
        );
        let mut holder = Command::new("flock")
            .arg(&lock)
            .args(["sh", "-c", "echo held; read line"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut held = String::new();
        BufReader::new(holder.stdout.take().unwrap())
            .read_line(&mut held)
            .unwrap();
        assert_eq!(held, "held\n");
        let mut grader = grader(&course, &["check", "1.1"], &[])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let seen = wait_for_line(grader.stderr.take().unwrap(), "another cargo is building");
        // Let the grader go on, and end the holder.
        drop(holder.stdin.take());
        holder.wait().unwrap();
        grader.wait().unwrap();
        assert!(seen.contains("rust-analyzer"), "stderr: {seen}");
    }
}
