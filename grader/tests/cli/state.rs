//! The learner's progress under unlucky use (two terminals, bad progress files, huge counters)
//! and where the grader sends a learner after a pass.

use super::*;

fn write_progress(course: &Course, bytes: &[u8]) {
    std::fs::create_dir_all(course.path(".grader")).unwrap();
    std::fs::write(course.path(".grader/progress.json"), bytes).unwrap();
}

#[track_caller]
fn assert_stdout_lacks(run: &Run, needle: &str) {
    assert!(
        !run.stdout.contains(needle),
        "stdout has {needle:?}\n--- stdout:\n{}",
        run.stdout
    );
}

#[test]
fn a_progress_file_that_is_not_utf8_is_moved_aside() {
    let course = Course::new();
    write_progress(&course, b"{\"version\": 1, \"current\": \"\xff\xfe\"}");
    course
        .grade(&["list"])
        .assert_code(0)
        .assert_stderr("could not be used")
        .assert_stdout("1.1");
}

#[test]
fn a_check_with_an_attempts_counter_at_its_maximum_does_not_crash() {
    let course = Course::new();
    write_progress(
        &course,
        br#"{"version": 1, "steps": {"01_basics/01_add": {"attempts": 4294967295}}}"#,
    );
    course.grade(&["check"]).assert_code(1);
    assert_eq!(
        course.progress()["steps"]["01_basics/01_add"]["attempts"],
        u64::from(u32::MAX)
    );
}

#[test]
fn graders_run_at_once_keep_every_record() {
    // Eight graders at once, two hints on each of the four steps: every hint is kept, and no
    // file is corrupted (and so moved aside).
    let course = Course::new();
    std::thread::scope(|scope| {
        for n in 0..8 {
            let course = &course;
            scope.spawn(move || {
                let step = format!("1.{}", n % 4 + 1);
                course.grade(&["hint", &step]).assert_code(0);
            });
        }
    });
    let progress = course.progress();
    for id in [
        "01_basics/01_add",
        "01_basics/02_endless",
        "01_basics/03_lint",
        "01_basics/04_broken",
    ] {
        assert_eq!(progress["steps"][id]["hints_used"], 2, "{id}: {progress}");
    }
    let names: Vec<String> = std::fs::read_dir(course.path(".grader"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        !names
            .iter()
            .any(|name| name.contains("unreadable") || name.contains(".tmp")),
        "{names:?}"
    );
}

#[test]
fn watch_does_not_undo_a_hint_from_another_terminal() {
    let course = Course::new();
    let (mut child, lines) = super::watch::spawn_watch(&course);
    let mut seen = String::new();
    super::watch::wait_for(&lines, "Watching exercises/01_basics/01_add", &mut seen);
    // The other terminal: a hint while watch waits.
    course.grade(&["hint"]).assert_code(0);
    course.solve("01_basics/01_add");
    super::watch::wait_for(&lines, "Watching exercises/01_basics/02_endless", &mut seen);
    child.kill().unwrap();
    child.wait().unwrap();
    let progress = course.progress();
    assert_eq!(progress["steps"]["01_basics/01_add"]["hints_used"], 1);
    assert!(progress["steps"]["01_basics/01_add"]["passed_at"].is_u64());
}

#[test]
fn finishing_the_last_step_after_skipping_ahead_does_not_finish_the_course() {
    let course = Course::new();
    course.grade(&["goto", "1.4"]).assert_code(0);
    course.solve("01_basics/04_broken");
    let run = course.grade(&[]);
    run.assert_code(0)
        .assert_stdout("Part 1 · step 4 of 4 · 0/4 done · 3 skipped")
        .assert_stdout("3 steps of the course are not done yet (3 skipped)")
        .assert_stdout("The first is 1.1 Step add");
    assert_stdout_lacks(&run, "finished every step");
    assert!(course.progress()["current"].is_null());
    // The next hint is for the first step not done.
    course.grade(&["hint"]).assert_stdout("First hint for add.");
}

#[test]
fn rechecking_a_passed_step_counts_no_attempt_and_knows_where_the_learner_is() {
    let course = Course::new();
    course.solve("01_basics/01_add");
    course
        .grade(&[])
        .assert_code(0)
        .assert_stdout("Next up: 1.2");
    let run = course.grade(&["check", "1.1"]);
    run.assert_code(0)
        .assert_stdout("1.1 passed")
        .assert_stdout("You are on 1.2 already: `cargo grade` checks it.");
    assert_stdout_lacks(&run, "goto 1.2");
    let progress = course.progress();
    assert_eq!(progress["steps"]["01_basics/01_add"]["attempts"], 1);
    assert_eq!(progress["current"], "01_basics/02_endless");
}
