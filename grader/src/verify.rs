//! `cargo grade verify`: the course authors' check that every step is complete and honest.
//!
//! For every step: the files and metadata are complete, the shipped tests and starter match
//! `exercises/starters.lock`, carried files equal what they carry (see `carry`), the untouched
//! starter fails the way `step.toml` says, and the reference solution passes the same tests and
//! clippy with the step's lints.

use std::path::Path;

use serde::Serialize;

use crate::cargo::Cargo;
use crate::carry;
use crate::check::{self, Verdict};
use crate::course::{Course, Step};
use crate::hints;
use crate::manifest::StarterKind;
use crate::patterns;
use crate::pristine::{self, Pristine};
use crate::testrun::Runner;

/// The longest a lesson may be, in words outside code blocks.
pub const MAX_LESSON_WORDS: usize = 600;

/// One thing wrong with the course.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The step's ID, or `course` for the whole course.
    pub step: String,
    /// What is wrong, and what to do.
    pub message: String,
}

/// What `verify` checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Depth {
    /// Files, metadata and the lock file only: fast, no compiling.
    Static,
    /// Also build and run every starter and solution.
    Full,
}

/// Verifies the course at `root`, or only the steps `only` names (an empty slice: all),
/// calling `progress` before each step is compiled.
pub fn verify(
    root: &Path,
    cargo: &Cargo,
    runner: Runner,
    depth: Depth,
    only: Option<&str>,
    progress: &mut dyn FnMut(&Step),
) -> Vec<Finding> {
    let course = Course::discover(root);
    let mut findings: Vec<Finding> = course
        .problems
        .iter()
        .map(|problem| course_finding(problem.to_string()))
        .collect();
    let steps: Vec<&Step> = match only {
        Some(query) => match course.find_step(query) {
            Ok(step) => vec![step],
            Err(err) => return vec![course_finding(err.to_string())],
        },
        None => course.steps().collect(),
    };
    if only.is_none() {
        findings.extend(check_lock(&course));
    }
    let known_patterns = patterns::catalog(root);
    if only.is_none() {
        for pattern in &known_patterns {
            for section in pattern.missing_sections() {
                findings.push(course_finding(format!(
                    "pattern {} ({}) has no `{section}` section",
                    pattern.id,
                    course.relative(&pattern.path).display()
                )));
            }
        }
    }
    for step in steps {
        let mut add = |message: String| {
            findings.push(Finding {
                step: step.id.clone(),
                message,
            });
        };
        for message in check_files(step, &known_patterns) {
            add(message);
        }
        for message in carry::check(&course, step) {
            add(message);
        }
        if depth == Depth::Full {
            progress(step);
            for message in check_behaviour(cargo, runner, step) {
                add(message);
            }
        }
    }
    findings
}

fn course_finding(message: String) -> Finding {
    Finding {
        step: "course".to_string(),
        message,
    }
}

/// The lock file matches the shipped starters and tests.
fn check_lock(course: &Course) -> Vec<Finding> {
    let current = match Pristine::snapshot(course) {
        Ok(current) => current,
        Err(err) => return vec![course_finding(err.to_string())],
    };
    match Pristine::load(&course.root) {
        Ok(Some(lock)) => lock
            .differences(&current)
            .into_iter()
            .map(|line| {
                course_finding(format!(
                    "{line}: restore the file, or if the change is deliberate run `cargo grade seal`"
                ))
            })
            .collect(),
        Ok(None) => vec![course_finding(format!(
            "{} is missing: run `cargo grade seal` to write it",
            pristine::LOCK_PATH
        ))],
        Err(err) => vec![course_finding(err.to_string())],
    }
}

/// Files and metadata of one step.
fn check_files(step: &Step, known_patterns: &[patterns::Pattern]) -> Vec<String> {
    let mut problems = Vec::new();
    let manifest = &step.manifest;
    let readme = step.exercise_dir.join("README.md");
    match std::fs::read_to_string(&readme) {
        Ok(text) => {
            let words = lesson_words(&text);
            if words > MAX_LESSON_WORDS {
                problems.push(format!(
                    "README.md has {words} words outside code blocks; a lesson stays under {MAX_LESSON_WORDS}"
                ));
            }
        }
        Err(_) => problems.push("README.md (the lesson) is missing".to_string()),
    }
    if manifest.title.trim().is_empty() {
        problems.push("step.toml: `title` is empty".to_string());
    }
    if manifest.learned.trim().is_empty() {
        problems.push("step.toml: `learned` is empty".to_string());
    }
    if manifest.concepts.is_empty() {
        problems.push("step.toml: `concepts` is empty".to_string());
    }
    let hints_file = format!("solutions/{}/{}", step.id, hints::HINTS_FILE);
    if !hints::path(&step.solution_dir).is_file() {
        problems.push(format!(
            "{hints_file} is missing: write the step's hints there as `hints = [...]`, from a \
             nudge to nearly the answer (beside the solution, not in step.toml, so a learner \
             browsing the step does not see them)"
        ));
    } else if step.hints.len() < 2 || step.hints.iter().any(|hint| hint.trim().is_empty()) {
        problems.push(format!(
            "{hints_file}: `hints` needs two or more non-empty levels, from a nudge to nearly the answer"
        ));
    }
    if manifest.time_limit_secs == 0 {
        problems.push("step.toml: `time_limit_secs` must be at least 1".to_string());
    }
    for id in &manifest.patterns {
        if !known_patterns.iter().any(|pattern| pattern.id == *id) {
            problems.push(format!(
                "step.toml: pattern `{id}` does not exist in patterns/ (`cargo grade pattern` lists them)"
            ));
        }
    }
    for lint in &manifest.lints {
        let valid = lint
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b':');
        if !valid || lint.is_empty() {
            problems.push(format!(
                "step.toml: `{lint}` is not a lint name such as `clippy::unwrap_used`"
            ));
        }
    }
    problems.extend(check_packages(step));
    problems
}

/// The package names and the solution's test wrapper follow the course's conventions.
fn check_packages(step: &Step) -> Vec<String> {
    let mut problems = Vec::new();
    for (dir, expected, what) in [
        (&step.exercise_dir, step.slug.clone(), "exercise"),
        (&step.solution_dir, step.solution_package(), "solution"),
    ] {
        let manifest = dir.join("Cargo.toml");
        match std::fs::read_to_string(&manifest) {
            Ok(text) => {
                let name = text.parse::<toml::Table>().ok().and_then(|table| {
                    table
                        .get("package")?
                        .get("name")?
                        .as_str()
                        .map(String::from)
                });
                if name.as_deref() != Some(expected.as_str()) {
                    problems.push(format!(
                        "the {what}'s Cargo.toml must name the package `{expected}`"
                    ));
                }
            }
            Err(_) => problems.push(format!("the {what} has no Cargo.toml")),
        }
    }
    for missing in missing_dependencies(&step.exercise_dir, &step.solution_dir) {
        problems.push(format!(
            "the solution depends on `{missing}` but the exercise's Cargo.toml does not: \
             the reference would not compile in the learner's package"
        ));
    }
    problems.extend(check_lesson_doctest(step));
    let tests = step.test_files();
    if tests.is_empty() {
        problems.push("the exercise has no tests/*.rs file".to_string());
    }
    let wrapper_path = step.solution_dir.join("tests/graded.rs");
    let wrapper = std::fs::read_to_string(&wrapper_path).unwrap_or_default();
    let alias = format!("extern crate {} as {};", step.solution_package(), step.slug);
    if !wrapper.contains(&alias) {
        problems.push(format!(
            "solutions/{}/tests/graded.rs must contain `{alias}` so the exercise's tests compile against the solution",
            step.id
        ));
    }
    for test in tests {
        let name = test
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let include = format!("\"../../../../exercises/{}/tests/{name}\"", step.id);
        if !wrapper.contains(&include) {
            problems.push(format!(
                "solutions/{}/tests/graded.rs must include the graded test file with `#[path = {include}]`",
                step.id
            ));
        }
    }
    problems
}

/// The line that makes the lesson a doctest of the solution crate.
fn lesson_include(step: &Step) -> String {
    format!(
        "#[doc = include_str!(\"../../../../exercises/{}/README.md\")]",
        step.id
    )
}

/// The solution crate compiles the lesson's code blocks as doctests, warnings denied.
fn check_lesson_doctest(step: &Step) -> Vec<String> {
    let mut problems = Vec::new();
    let lib = std::fs::read_to_string(step.solution_dir.join("src/lib.rs")).unwrap_or_default();
    let include = lesson_include(step);
    if !lib.contains(&include) || !lib.contains(LESSON_LINTS) {
        problems.push(format!(
            "solutions/{}/src/lib.rs must compile the lesson's code blocks: start it with \
             `{LESSON_LINTS}` and end it with `#[cfg(doctest)] {include} pub struct Lesson;`",
            step.id
        ));
    }
    let no_doctests = std::fs::read_to_string(step.solution_dir.join("Cargo.toml"))
        .ok()
        .and_then(|text| text.parse::<toml::Table>().ok())
        .and_then(|table| table.get("lib")?.get("doctest")?.as_bool())
        == Some(false);
    if no_doctests {
        problems.push(format!(
            "solutions/{}/Cargo.toml turns doctests off (`doctest = false`), so the lesson's \
             code blocks are never compiled: remove it",
            step.id
        ));
    }
    problems
}

/// The crate attribute that makes a warning in a lesson's code block an error.
const LESSON_LINTS: &str = "#![doc(test(attr(deny(warnings)";

/// Compiles the lesson's `rust` code blocks (the solution's doctests) and names each block
/// that fails, by its line in README.md.
fn check_lesson_code(cargo: &Cargo, step: &Step) -> Vec<String> {
    let package = step.solution_package();
    let mut command = cargo.command();
    command.args(["test", "--doc", "--color", "never", "-p", &package]);
    let output = match cargo.output(command) {
        Ok(output) => output,
        Err(err) => return vec![format!("compiling the lesson's code blocks failed: {err}")],
    };
    if output.status.success() {
        return Vec::new();
    }
    let lib = std::fs::read_to_string(step.solution_dir.join("src/lib.rs")).unwrap_or_default();
    let include = lesson_include(step);
    let include_line = lib.lines().position(|line| line.trim() == include);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let failures = failing_blocks(&stdout, include_line);
    if failures.is_empty() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let first = stderr
            .lines()
            .find(|line| line.starts_with("error"))
            .unwrap_or("no message");
        return vec![format!("`cargo test --doc -p {package}` failed: {first}")];
    }
    failures
        .into_iter()
        .map(|(line, error)| {
            format!(
                "README.md: the `rust` code block at line {line} does not compile without \
                 warnings ({error}); fix it, or mark a fragment that cannot compile on its own \
                 ```rust,ignore (`cargo test --doc -p {package}` shows it all)"
            )
        })
        .collect()
}

/// The lesson blocks rustdoc reports as failed: (line in README.md, first error). rustdoc
/// names a block by README.md and its line there when the doc is only the included file,
/// else by lib.rs and the line the doc starts on (the 0-based `include_line`) plus its line in
/// the doc.
fn failing_blocks(stdout: &str, include_line: Option<usize>) -> Vec<(String, String)> {
    let mut failures: Vec<(String, String)> = Vec::new();
    for line in stdout.lines() {
        if let Some(header) = line.strip_prefix("---- ") {
            let reported = header
                .rsplit_once("(line ")
                .and_then(|(_, rest)| rest.split(')').next())
                .and_then(|number| number.parse::<usize>().ok());
            let line = match (reported, include_line) {
                // A doc that is only the included file is named by that file and its line.
                (Some(reported), _) if header.contains("README.md - ") => reported.to_string(),
                (Some(reported), Some(include)) if reported > include => {
                    (reported - include).to_string()
                }
                _ => "?".to_string(),
            };
            failures.push((line, String::new()));
        } else if line.starts_with("error")
            && let Some((_, error)) = failures.last_mut()
            && error.is_empty()
        {
            *error = line.to_string();
        }
    }
    failures
}

/// The `[dependencies]` of the solution that the exercise lacks. (Dev-dependencies may
/// differ: a solution's bench may compare against a peer crate the learner never needs.)
fn missing_dependencies(exercise_dir: &Path, solution_dir: &Path) -> Vec<String> {
    let dependencies = |dir: &Path| -> Vec<String> {
        std::fs::read_to_string(dir.join("Cargo.toml"))
            .ok()
            .and_then(|text| text.parse::<toml::Table>().ok())
            .and_then(|table| {
                let deps = table.get("dependencies")?.as_table()?;
                Some(deps.keys().cloned().collect())
            })
            .unwrap_or_default()
    };
    let theirs = dependencies(exercise_dir);
    dependencies(solution_dir)
        .into_iter()
        .filter(|dep| !theirs.contains(dep))
        .collect()
}

/// Words of a lesson outside fenced code blocks.
fn lesson_words(text: &str) -> usize {
    let mut in_code = false;
    let mut words = 0;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
        } else if !in_code {
            words += line.split_whitespace().count();
        }
    }
    words
}

/// The starter fails as declared; the solution passes tests and clippy.
fn check_behaviour(cargo: &Cargo, runner: Runner, step: &Step) -> Vec<String> {
    let mut problems = Vec::new();
    match (
        step.manifest.starter,
        check::check_package_without_clippy(cargo, runner, step, step.package()),
    ) {
        (_, Err(err)) => problems.push(format!("checking the starter failed: {err}")),
        (StarterKind::FailsTests, Ok(Verdict::TestsFailed { .. })) => {}
        (StarterKind::FailsToCompile, Ok(Verdict::CompileError { errors })) => {
            let lesson = std::fs::read_to_string(step.exercise_dir.join("README.md"))
                .unwrap_or_default();
            let rendered: Vec<&str> = errors.iter().map(|e| e.rendered.as_str()).collect();
            for quote in unmatched_quotes(&lesson, &rendered) {
                problems.push(format!(
                    "README.md quotes `{quote}`, but no error of the untouched starter is there \
                     (rustc says: {}); quote what the compiler prints",
                    error_locations(&rendered).join(", ")
                ));
            }
        }
        (StarterKind::FailsTests, Ok(Verdict::CompileError { errors })) => problems.push(format!(
            "the starter does not compile ({}); fix it, or set `starter = \"fails-to-compile\"` if that is the point of the step",
            errors.first().map_or("no message", |e| e.message.as_str())
        )),
        (StarterKind::FailsToCompile, Ok(verdict)) => problems.push(format!(
            "step.toml says the starter fails to compile, but it compiles ({})",
            verdict.summary()
        )),
        (_, Ok(verdict)) => problems.push(format!(
            "the untouched starter must fail its tests, but: {}",
            verdict.summary()
        )),
    }
    match check::check_package(cargo, runner, step, &step.solution_package()) {
        Ok(Verdict::Passed { .. }) => {}
        Ok(verdict) => problems.push(format!(
            "the solution must pass its tests and clippy, but: {}",
            describe(&verdict)
        )),
        Err(err) => problems.push(format!("checking the solution failed: {err}")),
    }
    problems.extend(check_lesson_code(cargo, step));
    problems
}

/// The places `src/<file>.rs:LINE:COLUMN` a lesson quotes, in order, each once.
fn quoted_locations(lesson: &str) -> Vec<&str> {
    let mut quotes: Vec<&str> = Vec::new();
    for (start, _) in lesson.match_indices("src/") {
        // Not the tail of a longer word such as `mysrc/`.
        let before = lesson
            .get(..start)
            .and_then(|text| text.chars().next_back());
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let rest = lesson.get(start..).unwrap_or_default();
        let Some(rs) = rest.find(".rs:") else {
            continue;
        };
        let path_ok = rest.get(..rs).is_some_and(|path| {
            path.chars()
                .all(|c| c.is_alphanumeric() || "_/".contains(c))
        });
        let numbers = rest.get(rs + 4..).unwrap_or_default();
        let line = numbers.chars().take_while(char::is_ascii_digit).count();
        let column = numbers.get(line + 1..).map_or(0, |tail| {
            tail.chars().take_while(char::is_ascii_digit).count()
        });
        if path_ok && line > 0 && numbers.get(line..=line) == Some(":") && column > 0 {
            let quote = rest.get(..rs + 4 + line + 1 + column).unwrap_or_default();
            if !quotes.contains(&quote) {
                quotes.push(quote);
            }
        }
    }
    quotes
}

/// Whether `text` holds `place` (`src/a.rs:3:5`) as a whole location, not the start of a longer
/// one such as `src/a.rs:3:57`.
fn mentions(text: &str, place: &str) -> bool {
    text.match_indices(place).any(|(start, _)| {
        !text
            .get(start + place.len()..)
            .and_then(|rest| rest.chars().next())
            .is_some_and(|c| c.is_ascii_digit())
    })
}

/// The places a lesson quotes that appear in none of the compiler's `rendered` errors.
fn unmatched_quotes<'l>(lesson: &'l str, rendered: &[&str]) -> Vec<&'l str> {
    quoted_locations(lesson)
        .into_iter()
        .filter(|quote| !rendered.iter().any(|text| mentions(text, quote)))
        .collect()
}

/// The `src/...:L:C` places in the compiler's errors, for a finding.
fn error_locations(rendered: &[&str]) -> Vec<String> {
    let mut places = Vec::new();
    for text in rendered {
        for line in text.lines() {
            let Some((_, path)) = line.split_once("--> ") else {
                continue;
            };
            // The course's files are relative paths; the standard library's and registry
            // crates' are absolute, and no lesson quotes those.
            if path.trim_start().starts_with('/') {
                continue;
            }
            if let Some(start) = path.rfind("src/") {
                let place = format!("`{}`", path.get(start..).unwrap_or(path).trim());
                if !places.contains(&place) {
                    places.push(place);
                }
            }
        }
    }
    places
}

/// A verdict with its first detail, for a one-line finding.
fn describe(verdict: &Verdict) -> String {
    let detail = match verdict {
        Verdict::CompileError { errors } => errors.first().map(|e| e.message.clone()),
        Verdict::Clippy { findings } => findings.first().map(|f| f.message.clone()),
        Verdict::TestsFailed { failures, .. } => {
            failures.first().map(|f| format!("{:?}", f.reason))
        }
        Verdict::NoTests | Verdict::Passed { .. } => None,
    };
    match detail {
        Some(detail) => format!("{} ({detail})", verdict.summary()),
        None => verdict.summary(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lesson_words_skip_code_blocks() {
        let text = "# Title here\n\nTwo words.\n```rust\nlet not_counted = 1;\n```\nend\n";
        assert_eq!(lesson_words(text), 6);
    }

    #[test]
    fn quoted_compiler_locations_are_found_once_each() {
        let lesson = "See `src/lib.rs:18:13` and\n```text\n --> src/thread_pool.rs:96:31\n```\n\
                      again src/lib.rs:18:13, not mysrc/x.rs:1:1 nor src/a.rs:3 nor src/b.rs:x:1";
        assert_eq!(
            quoted_locations(lesson),
            ["src/lib.rs:18:13", "src/thread_pool.rs:96:31"]
        );
    }

    #[test]
    fn a_quote_the_compiler_does_not_print_is_unmatched() {
        let rendered = "error[E0277]: `Rc<u32>` cannot be sent between threads safely\n   \
                        --> exercises/04_threads/04_send_sync/src/thread_pool.rs:97:31\n    |\n\
                        note: required because it appears within the type `Metrics`\n   \
                        --> exercises/04_threads/04_send_sync/src/metrics.rs:41:12\n\
                        note: required by a bound in `spawn`\n   \
                        --> /rustc/abc/library/std/src/thread/functions.rs:125:0\n";
        let lesson = "rustc points at `src/thread_pool.rs:96:31` and `src/metrics.rs:41:12`, \
                      not `src/metrics.rs:41:1`";
        assert_eq!(
            unmatched_quotes(lesson, &[rendered]),
            ["src/thread_pool.rs:96:31", "src/metrics.rs:41:1"]
        );
        assert_eq!(
            error_locations(&[rendered]),
            ["`src/thread_pool.rs:97:31`", "`src/metrics.rs:41:12`"]
        );
    }

    #[test]
    fn failing_lesson_blocks_are_named_by_their_readme_line() {
        let stdout = "running 2 tests\n\
            ---- solutions/x/src/../../exercises/x/README.md - Lesson (line 13) stdout ----\n\
            error: variable does not need to be mutable\n --> x\nerror: aborting\n\
            ---- solutions/x/src/lib.rs - Lesson (line 52) stdout ----\n\
            error[E0728]: `await` is only allowed inside `async` functions and blocks\n";
        assert_eq!(
            failing_blocks(stdout, Some(27)),
            [
                (
                    "13".to_string(),
                    "error: variable does not need to be mutable".to_string()
                ),
                (
                    "25".to_string(),
                    "error[E0728]: `await` is only allowed inside `async` functions and blocks"
                        .to_string()
                )
            ]
        );
    }

    #[test]
    fn a_dependency_only_the_solution_has_is_found() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, manifest: &str| {
            let path = dir.path().join(name);
            std::fs::create_dir_all(&path).unwrap();
            std::fs::write(path.join("Cargo.toml"), manifest).unwrap();
            path
        };
        let exercise = write(
            "exercise",
            "[package]\nname = \"x\"\n[dependencies]\nserde.workspace = true\n",
        );
        let solution = write(
            "solution",
            "[package]\nname = \"x_solution\"\n[dependencies]\nserde.workspace = true\n\
             thiserror.workspace = true\n[dev-dependencies]\ncsv.workspace = true\n",
        );
        assert_eq!(missing_dependencies(&exercise, &solution), ["thiserror"]);
        assert!(missing_dependencies(&solution, &exercise).is_empty());
    }
}
