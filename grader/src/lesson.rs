//! Checks of a step's lesson (its README.md) against the compiler: the `rust` code blocks
//! compile without warnings, as doctests of the solution crate, and the compiler locations a
//! lesson of a `fails-to-compile` step quotes are where rustc really reports its errors.

use crate::cargo::{Cargo, Diagnostic};
use crate::course::Step;

/// The line that makes the lesson a doctest of the solution crate.
fn lesson_include(step: &Step) -> String {
    format!(
        "#[doc = include_str!(\"../../../../exercises/{}/README.md\")]",
        step.id
    )
}

/// The solution crate compiles the lesson's code blocks as doctests, warnings denied.
pub fn check_doctest_setup(step: &Step) -> Vec<String> {
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
pub fn check_code(cargo: &Cargo, step: &Step) -> Vec<String> {
    let package = step.solution_package();
    let mut command = cargo.command();
    command.args(["test", "--doc", "--color", "never", "-p", &package]);
    let run = match cargo.build(command) {
        Ok(run) => run,
        Err(err) => return vec![format!("compiling the lesson's code blocks failed: {err}")],
    };
    if run.success() {
        return Vec::new();
    }
    let lib = std::fs::read_to_string(step.solution_dir.join("src/lib.rs")).unwrap_or_default();
    let include = lesson_include(step);
    let include_line = lib.lines().position(|line| line.trim() == include);
    let stdout = run.finished.stdout.text();
    let failures = failing_blocks(&stdout, include_line);
    if failures.is_empty() {
        let stderr = run.stderr();
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

/// For a `fails-to-compile` step: every `src/<file>.rs:LINE:COLUMN` the lesson quotes is
/// where one of the untouched starter's `errors` is.
pub fn check_quotes(step: &Step, errors: &[Diagnostic]) -> Vec<String> {
    let lesson = std::fs::read_to_string(step.exercise_dir.join("README.md")).unwrap_or_default();
    let rendered: Vec<&str> = errors.iter().map(|e| e.rendered.as_str()).collect();
    unmatched_quotes(&lesson, &rendered)
        .into_iter()
        .map(|quote| {
            format!(
                "README.md quotes `{quote}`, but no error of the untouched starter is there \
                 (rustc says: {}); quote what the compiler prints",
                error_locations(&rendered).join(", ")
            )
        })
        .collect()
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
