//! An optional part (`optional = true` in its part.toml, as Part 7 is): the course is finished
//! without it, and `list` says it is optional.

use super::*;

/// The fixture course with a second, optional part holding one step (a copy of 1.1).
fn course_with_an_optional_part() -> Course {
    let course = Course::new();
    let part = course.path("exercises/02_extra");
    std::fs::create_dir_all(&part).unwrap();
    std::fs::write(
        part.join("part.toml"),
        "title = \"Extra\"\nsummary = \"For teams that want more.\"\noptional = true\n",
    )
    .unwrap();
    copy_dir(
        &course.path("exercises/01_basics/01_add"),
        &part.join("01_more"),
    );
    copy_dir(
        &course.path("solutions/01_basics/01_add"),
        &course.path("solutions/02_extra/01_more"),
    );
    // Package names are unique in a workspace: `add` becomes `more`.
    let rename = |relative: &str, from: &str, to: &str| {
        let path = course.path(relative);
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, text.replace(from, to)).unwrap();
    };
    rename(
        "exercises/02_extra/01_more/Cargo.toml",
        "\"add\"",
        "\"more\"",
    );
    rename(
        "solutions/02_extra/01_more/Cargo.toml",
        "add_solution",
        "more_solution",
    );
    rename(
        "solutions/02_extra/01_more/tests/graded.rs",
        "add_solution as add",
        "more_solution as more",
    );
    rename(
        "solutions/02_extra/01_more/tests/graded.rs",
        "01_basics/01_add/tests/add.rs",
        "02_extra/01_more/tests/more.rs",
    );
    std::fs::rename(
        part.join("01_more/tests/add.rs"),
        part.join("01_more/tests/more.rs"),
    )
    .unwrap();
    rename(
        "exercises/02_extra/01_more/tests/more.rs",
        "use add::",
        "use more::",
    );
    course
}

#[test]
fn the_course_is_finished_without_its_optional_part() {
    let course = course_with_an_optional_part();
    course.solve_every_step_in_order();
    course
        .grade(&[])
        .assert_code(0)
        .assert_stdout("finished every step");
    course
        .grade(&["list"])
        .assert_code(0)
        .assert_stdout("Part 2 · Extra (optional: the course is finished without it)");
}

#[test]
fn the_optional_part_is_not_counted_as_left_to_do() {
    let course = course_with_an_optional_part();
    course
        .grade(&[])
        .assert_code(1)
        .assert_stdout("Part 1 · step 1 of 4 · 0/4 done");
    // The report counts as the check's header does, with the optional part on its own.
    course
        .grade(&["report"])
        .assert_code(0)
        .assert_stdout("0 of 4 steps done; 0 of 1 optional steps done.");
}
