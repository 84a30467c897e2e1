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
use crate::lesson;
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
    problems.extend(lesson::check_doctest_setup(step));
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
            problems.extend(lesson::check_quotes(step, &errors));
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
    problems.extend(lesson::check_code(cargo, step));
    problems
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
