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

    /// A check of step 1.1 that passes, built by cargo: cargo started after its `started`th
    /// start.
    #[track_caller]
    fn assert_passes_built_by_cargo(&self, course: &Course, started: usize) {
        self.check(course)
            .assert_code(0)
            .assert_stdout("passed: all 2 tests pass");
        assert!(self.starts() > started, "cargo did not build");
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

/// Writes a package of the course's own at `dir`, with `dependencies` (a `[dependencies]`
/// table's lines) and `lib` as its `src/lib.rs`.
fn write_package(course: &Course, dir: &str, dependencies: &str, lib: &str) {
    std::fs::create_dir_all(course.path(&format!("{dir}/src"))).unwrap();
    let name = dir.rsplit('/').next().unwrap();
    std::fs::write(
        course.path(&format!("{dir}/Cargo.toml")),
        format!(
            "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition.workspace = true\npublish.workspace = true\n\n[dependencies]\n{dependencies}"
        ),
    )
    .unwrap();
    std::fs::write(course.path(&format!("{dir}/src/lib.rs")), lib).unwrap();
}

/// A course whose step 1.1 builds on a package of its own, `helper`, which builds on `base`,
/// as 2.5 builds on 2.4's reference; `add` is off by `base::offset()`, 1 for now.
fn course_with_dependencies() -> Course {
    let course = Course::new();
    // Not inlined into `helper`: the test executable links `base`'s own build.
    write_package(
        &course,
        "base",
        "",
        "#[inline(never)]\npub fn offset() -> u32 {\n    1\n}\n",
    );
    write_package(
        &course,
        "helper",
        "base = { path = \"../base\" }\n",
        "pub fn offset() -> u32 {\n    base::offset()\n}\n",
    );
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
    course
}

#[test]
fn an_edit_to_a_package_the_step_builds_on_is_built_by_cargo() {
    let cargo = LoggedCargo::new();
    let course = course_with_dependencies();
    let started = cargo.record(&course, "2 of 2 tests did not pass");

    // Cargo would compile `base` and `helper` first; the recorded commands would not.
    std::fs::write(
        course.path("base/src/lib.rs"),
        "#[inline(never)]\npub fn offset() -> u32 {\n    1 - 1\n}\n",
    )
    .unwrap();
    cargo.assert_passes_built_by_cargo(&course, started);
}

#[test]
fn a_build_output_gone_from_under_a_dependency_is_built_again_by_cargo() {
    let cargo = LoggedCargo::new();
    let course = course_with_dependencies();
    let started = cargo.record(&course, "2 of 2 tests did not pass");

    // `cargo clean -p base`: the recorded commands name `helper`'s build, which is still
    // there, and rustc finds `base`'s missing only as it reads `helper`'s.
    for entry in std::fs::read_dir(course.path("target/debug/deps")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with("libbase-") {
            std::fs::remove_file(path).unwrap();
        }
    }
    // Solved, still through `helper` (which links `base`).
    std::fs::write(
        course.path(ADD_LIB),
        "pub fn add(a: u32, b: u32) -> u32 {\n    a + b + helper::offset() - 1\n}\n",
    )
    .unwrap();
    // Not "can't find crate" in the learner's code: cargo builds `base` again.
    cargo.assert_passes_built_by_cargo(&course, started);
}

#[test]
fn a_variable_read_as_the_code_compiles_sees_what_cargo_would_give() {
    let cargo = LoggedCargo::new();
    let course = Course::with_file(
        ADD_LIB,
        "pub fn add(a: u32, b: u32) -> u32 {\n    let _ = a;\n    b\n}\n",
    );
    cargo.record(&course, "did not pass");
    // `RUSTC` is set for cargo's build, and so for the rebuild; a variable of the learner's
    // own is read as it is at each build.
    std::fs::write(
        course.path(ADD_LIB),
        "const _: &str = env!(\"RUSTC\");\n\npub fn add(a: u32, b: u32) -> u32 {\n    if option_env!(\"ADD_FLAVOUR\").is_some() {\n        panic!(\"flavoured\");\n    }\n    a + b\n}\n",
    )
    .unwrap();
    let [(name, value)] = cargo.env();
    let check = |variables: &[(&str, &str)]| {
        let mut env = vec![(name, value.as_str())];
        env.extend_from_slice(variables);
        course.grade_with(&["check", "1.1"], &env)
    };
    // Cargo builds this code, and keeps its own record of the build.
    check(&[("GRADER_REBUILD", "cargo")])
        .assert_code(0)
        .assert_stdout("passed: all 2 tests pass");
    let started = cargo.starts();
    check(&[("ADD_FLAVOUR", "1")])
        .assert_code(1)
        .assert_stdout("flavoured");
    assert_eq!(cargo.starts(), started, "cargo ran:\n{}", cargo.log());
    // Nothing edited since cargo's build: cargo must not take the rebuild's files for its own.
    check(&[("GRADER_REBUILD", "cargo")])
        .assert_code(0)
        .assert_stdout("passed: all 2 tests pass");
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
