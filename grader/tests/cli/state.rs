//! The learner's progress under unlucky use (two terminals, bad progress files, huge counters)
//! and where the grader sends a learner after a pass.

use super::*;

fn write_progress(course: &Course, bytes: &[u8]) {
    std::fs::create_dir_all(course.path(".grader")).unwrap();
    std::fs::write(course.path(".grader/progress.json"), bytes).unwrap();
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
fn a_held_progress_lock_is_waited_for_saying_so() {
    use std::io::Read;
    let course = Course::new();
    std::fs::create_dir_all(course.path(".grader")).unwrap();
    // Something else holds the lock (another grader writing, a stuck process).
    let lock = std::fs::File::create(course.path(".grader/progress.lock")).unwrap();
    lock.lock().unwrap();
    let mut child = course
        .command(&["hint"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Its first line on stderr comes while it waits: the lock is still held here. The bound
    // only turns a silent wait, the bug, into a failure.
    let mut stderr = child.stderr.take().unwrap();
    let (sender, first_line) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut said = String::new();
        let mut byte = [0u8; 1];
        while !said.ends_with('\n') && stderr.read(&mut byte).unwrap_or(0) == 1 {
            said.push(char::from(byte[0]));
        }
        let _ = sender.send(said);
    });
    let said = first_line.recv_timeout(std::time::Duration::from_secs(120));
    drop(lock);
    let said = said.expect("the grader waited on the lock without a word");
    assert!(said.contains("waiting: another `cargo grade`"), "{said}");
    assert!(child.wait().unwrap().success());
    assert_eq!(
        course.progress()["steps"]["01_basics/01_add"]["hints_used"],
        1
    );
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
        .assert_stdout("3 steps have not passed yet (3 skipped)")
        .assert_stdout("Next up: 1.1 Step add");
    run.assert_stdout_lacks("finished every step");
    assert_eq!(course.progress()["current"], "01_basics/01_add");
    course
        .grade(&["report", "--name", "ana"])
        .assert_stdout("1 of 4 steps done, 3 skipped.")
        .assert_stdout("| 1.2 | Step endless | skipped |");
    // The next hint is for the first step not done; a hint is work, so 1.1 is no longer
    // skipped.
    course.grade(&["hint"]).assert_stdout("First hint for add.");
    course
        .grade(&["report", "--name", "ana"])
        .assert_stdout("1 of 4 steps done, 2 skipped.");
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
        .assert_stdout("Your current step is 1.2 Step endless: `cargo grade` checks it.");
    run.assert_stdout_lacks("cargo grade goto");
    let progress = course.progress();
    assert_eq!(progress["steps"]["01_basics/01_add"]["attempts"], 1);
    assert_eq!(progress["current"], "01_basics/02_endless");
    // From elsewhere in the course, `goto` is still the way on.
    course.grade(&["goto", "1.4"]).assert_code(0);
    course
        .grade(&["check", "1.1"])
        .assert_code(0)
        .assert_stdout("`cargo grade goto 1.2` moves on to Step endless.");
}

/// A report as `cargo grade report --json` writes it, over the fixture's four steps: `done`
/// holds the steps passed (with checks and minutes), `opened` the one moved to and not checked.
fn report_json(learner: &str, current: &str, done: &[(&str, u32, u64)], opened: &str) -> String {
    let steps: Vec<serde_json::Value> = ["01_add", "02_endless", "03_lint", "04_broken"]
        .iter()
        .enumerate()
        .map(|(index, name)| {
            let id = format!("01_basics/{name}");
            let passed = done.iter().find(|(d, _, _)| *d == id);
            serde_json::json!({
                "id": id,
                "label": format!("1.{}", index + 1),
                "title": format!("Step {name}"),
                "done": passed.is_some(),
                "attempts": passed.map_or(0, |p| p.1),
                "seconds_to_pass": passed.map(|p| p.2 * 60),
                "seconds_worked": passed.map(|p| p.2 * 60),
                "hints_used": 0,
                "hints_after_pass": 0,
                "solution_peeked": false,
                "opened": passed.is_some() || id == opened,
                "last_verdict": passed.map(|_| "passed"),
            })
        })
        .collect();
    serde_json::json!({ "learner": learner, "current": current, "steps": steps }).to_string()
}

#[test]
fn the_team_view_of_three_learners_who_are_not_stuck_says_so() {
    // The issue's three: one did the first steps and has not opened the next; one skipped to
    // the last step and finished it (their current step fell back to the first); one did the
    // middle steps and stopped.
    let course = Course::new();
    let files = [
        (
            "a.json",
            report_json(
                "learner-a",
                "01_basics/03_lint",
                &[("01_basics/01_add", 2, 5), ("01_basics/02_endless", 3, 12)],
                "01_basics/03_lint",
            ),
        ),
        (
            "b.json",
            report_json(
                "learner-b",
                "01_basics/01_add",
                &[("01_basics/04_broken", 2, 20)],
                "",
            ),
        ),
        (
            "c.json",
            report_json(
                "learner-c",
                "01_basics/04_broken",
                &[("01_basics/02_endless", 1, 4), ("01_basics/03_lint", 4, 30)],
                "01_basics/04_broken",
            ),
        ),
    ];
    for (name, json) in &files {
        std::fs::write(course.path(name), json).unwrap();
    }
    let run = course.grade(&["team", "a.json", "b.json", "c.json", "--html", "team.html"]);
    run.assert_code(0)
        .assert_stdout("learner-a  2 done, 0 skipped · finished what they took on")
        .assert_stdout("learner-b  1 done, 3 skipped · finished what they took on")
        .assert_stdout("learner-c  2 done, 1 skipped · finished what they took on")
        .assert_stdout("1.2       2        0      0        1       1  4 min (2)")
        .assert_stdout("stuck: checked and not passed")
        .assert_stdout("Wrote team.html");
    run.assert_stdout_lacks("stuck →");
    run.assert_stdout_lacks("working →");
    let page = std::fs::read_to_string(course.path("team.html")).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert_eq!(page.matches("<td class=\"cell ").count(), 3 * 4);
    assert!(page.contains("No one is stuck."));
}

#[test]
fn a_report_that_is_not_json_names_the_file() {
    let course = Course::new();
    std::fs::write(course.path("bad.json"), "{").unwrap();
    course
        .grade(&["team", "bad.json"])
        .assert_code(2)
        .assert_stderr("bad.json is not a report from `cargo grade report --json`");
}
