//! A check after an edit builds without cargo while cargo would only run the compiler commands
//! it ran for the last check, and gives the same verdicts; anything that could change those
//! commands makes cargo build again.
#![cfg(unix)]

use std::process::Stdio;

use super::*;

const ADD_LIB: &str = "exercises/01_basics/01_add/src/lib.rs";
const RECORD: &str = "target/grader/rebuild/add.json";

/// A toolchain folder whose `cargo` notes each start in a log, then runs the real cargo (the
/// one running these tests); rustc and clippy's driver beside it are the real ones.
struct LoggedCargo {
    dir: TempDir,
}

impl LoggedCargo {
    fn new() -> LoggedCargo {
        use std::os::unix::fs::PermissionsExt;
        let real = PathBuf::from(std::env::var("CARGO").unwrap());
        let dir = tempfile::tempdir().unwrap();
        let cargo = dir.path().join("cargo");
        let script = format!(
            "#!/bin/sh\necho \"$*\" >> '{}'\nexec '{}' \"$@\"\n",
            dir.path().join("log").display(),
            real.display()
        );
        std::fs::write(&cargo, script).unwrap();
        std::fs::set_permissions(&cargo, std::fs::Permissions::from_mode(0o755)).unwrap();
        for tool in ["rustc", "clippy-driver"] {
            std::os::unix::fs::symlink(real.with_file_name(tool), dir.path().join(tool)).unwrap();
        }
        LoggedCargo { dir }
    }

    /// What cargo was started for, a line each.
    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("log")).unwrap_or_default()
    }

    fn starts(&self) -> usize {
        self.log().lines().count()
    }

    fn env(&self) -> [(&'static str, String); 1] {
        [("CARGO", self.dir.path().join("cargo").display().to_string())]
    }

    fn check(&self, course: &Course) -> Run {
        let [(name, value)] = self.env();
        course.grade_with(&["check", "1.1"], &[(name, &value)])
    }

    /// A check of step 1.1 that fails saying `expected`, through cargo, which keeps its
    /// commands; how many times cargo has started by then.
    fn record(&self, course: &Course, expected: &str) -> usize {
        self.check(course).assert_code(1).assert_stdout(expected);
        assert!(
            course.path(RECORD).is_file(),
            "no record after a failing check"
        );
        self.starts()
    }
}

#[test]
fn after_a_failing_check_an_edit_is_built_without_cargo_with_the_same_verdicts() {
    let cargo = LoggedCargo::new();
    let course = Course::new();
    cargo
        .check(&course)
        .assert_code(1)
        .assert_stdout("not yet implemented");
    assert!(
        course.path(RECORD).is_file(),
        "no record after a failing check"
    );
    let started = cargo.starts();

    std::fs::write(
        course.path(ADD_LIB),
        "pub fn add(a: u32, b: u32) -> u32 {\n    if a == 0 { 0 } else { a + b }\n}\n",
    )
    .unwrap();
    cargo
        .check(&course)
        .assert_code(1)
        .assert_stdout("1 of 2 tests did not pass")
        .assert_stdout("adds_zero");

    std::fs::write(
        course.path(ADD_LIB),
        "pub fn add(a: u32, b: u32) -> u32 {\n    a + b + \"one\"\n}\n",
    )
    .unwrap();
    cargo
        .check(&course)
        .assert_code(1)
        .assert_stdout("cannot add `&str` to `u32`")
        .assert_stdout("src/lib.rs:2:")
        // Colors taken out as cargo takes them out, for a terminal without them.
        .assert_stdout_lacks("\x1b[");

    course.solve("01_basics/01_add");
    cargo
        .check(&course)
        .assert_code(0)
        .assert_stdout("passed: all 2 tests pass");
    assert!(course.passed("01_basics/01_add"));
    assert_eq!(
        cargo.starts(),
        started,
        "cargo ran after the first check:\n{}",
        cargo.log()
    );

    // Turned off, cargo builds.
    std::fs::write(course.path(ADD_LIB), "// edited\n").unwrap();
    course.solve("01_basics/01_add");
    let [(name, value)] = cargo.env();
    course
        .grade_with(
            &["check", "1.1"],
            &[(name, &value), ("GRADER_REBUILD", "cargo")],
        )
        .assert_code(0);
    assert!(cargo.starts() > started);
}

#[test]
fn an_edit_to_a_package_the_step_builds_on_is_built_by_cargo() {
    let cargo = LoggedCargo::new();
    let course = Course::new();
    // A package of the course's own that step 1.1 builds on, as 2.5 builds on 2.4's reference.
    std::fs::create_dir_all(course.path("helper/src")).unwrap();
    std::fs::write(
        course.path("helper/Cargo.toml"),
        "[package]\nname = \"helper\"\nversion = \"0.1.0\"\nedition.workspace = true\npublish.workspace = true\n",
    )
    .unwrap();
    std::fs::write(
        course.path("helper/src/lib.rs"),
        "pub fn offset() -> u32 {\n    1\n}\n",
    )
    .unwrap();
    let manifest = course.path("exercises/01_basics/01_add/Cargo.toml");
    let mut text = std::fs::read_to_string(&manifest).unwrap();
    text.push_str("\n[dependencies]\nhelper = { path = \"../../../helper\" }\n");
    std::fs::write(&manifest, text).unwrap();
    std::fs::write(
        course.path(ADD_LIB),
        "pub fn add(a: u32, b: u32) -> u32 {\n    a + b + helper::offset()\n}\n",
    )
    .unwrap();
    // The course's authors seal the new manifest, so the check grades it.
    course
        .grade_with(&["seal"], &[("GRADER_AUTHOR", "1")])
        .assert_code(0);

    let started = cargo.record(&course, "2 of 2 tests did not pass");

    // Cargo would compile the helper first; the recorded commands would not.
    std::fs::write(
        course.path("helper/src/lib.rs"),
        "pub fn offset() -> u32 {\n    1 - 1\n}\n",
    )
    .unwrap();
    cargo
        .check(&course)
        .assert_code(0)
        .assert_stdout("passed: all 2 tests pass");
    assert!(cargo.starts() > started, "cargo did not build");
}

#[test]
fn while_another_cargo_holds_the_build_folder_cargo_builds_and_says_it_waits() {
    let cargo = LoggedCargo::new();
    let course = Course::new();
    let started = cargo.record(&course, "did not pass");

    // Another cargo (rust-analyzer, a second terminal) building in the course's `target/`.
    let lock = std::fs::File::options()
        .write(true)
        .open(course.path("target/debug/.cargo-lock"))
        .unwrap();
    lock.lock().unwrap();
    course.solve("01_basics/01_add");
    let mut command = course.command(&["check", "1.1"]);
    let [(name, value)] = cargo.env();
    let mut child = command
        .env(name, value)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let said = wait_for_line(
        child.stderr.take().unwrap(),
        "waiting: another cargo is building",
    );
    // Let cargo go on, whatever was said.
    drop(lock);
    assert!(
        said.contains("waiting: another cargo is building"),
        "the check did not say it waits for cargo:\n{said}"
    );
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{output:?}");
    assert!(cargo.starts() > started);
    assert!(course.passed("01_basics/01_add"));
}

#[test]
fn a_learners_own_unit_tests_are_built_beside_the_library_and_run() {
    let cargo = LoggedCargo::new();
    let course = Course::new();
    let with_unit_test = |sum: &str| {
        format!(
            "pub fn add(a: u32, b: u32) -> u32 {{\n    a + b\n}}\n\n#[cfg(test)]\nmod tests {{\n    #[test]\n    fn my_own_sum() {{\n        assert_eq!(super::add(1, 1), {sum});\n    }}\n}}\n"
        )
    };
    std::fs::write(course.path(ADD_LIB), with_unit_test("3")).unwrap();
    let started = cargo.record(&course, "my_own_sum");

    // The library's own harness, and the test file, from the recorded commands.
    std::fs::write(course.path(ADD_LIB), with_unit_test("2")).unwrap();
    cargo
        .check(&course)
        .assert_code(0)
        .assert_stdout("passed: all 3 tests pass");
    assert_eq!(cargo.starts(), started, "cargo ran:\n{}", cargo.log());
}
