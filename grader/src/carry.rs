//! Carried code: a step's starter is the solution of the step before it plus stubs, so most of
//! its files are copies of earlier ones. This module keeps the copies one source.
//!
//! - [`check`] (run by `verify`): every file below a starter's `src/` equals the same file in
//!   the solution it carries from, and every file of a step's solution equals the starter's
//!   copy, unless the step lists the file in `changes` in its `step.toml`.
//! - [`plan`] (`cargo grade carry`): after an author changed one copy, the later copies that
//!   still hold the committed old content, which `--write` replaces with the new.
//!
//! Which solution a starter carries from: the previous step's in course order (across part
//! boundaries too: 3.1 carries 2.5's `app.rs`), or the steps `carries_from` names, e.g. 4.1
//! carries 1.5's `records.rs`. A file that none of them holds is new in the step.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::course::{Course, Step};
use crate::error::{Error, Result};

/// The files below `dir/src`, as `src/...` with `/` separators, sorted.
pub fn src_files(dir: &Path) -> Vec<String> {
    let mut files: Vec<String> = walkdir::WalkDir::new(dir.join("src"))
        .into_iter()
        .flatten()
        .filter(|entry| entry.file_type().is_file())
        .filter_map(|entry| {
            let relative = entry.path().strip_prefix(dir).ok()?;
            let parts: Vec<String> = relative
                .components()
                .map(|part| part.as_os_str().to_string_lossy().into_owned())
                .collect();
            Some(parts.join("/"))
        })
        .collect();
    files.sort();
    files
}

/// The steps whose solutions `step`'s starter carries from, and a message for each entry of
/// `carries_from` that names no earlier step.
pub fn sources<'c>(course: &'c Course, step: &Step) -> (Vec<&'c Step>, Vec<String>) {
    let earlier: Vec<&Step> = course.steps().take_while(|s| s.id != step.id).collect();
    let Some(names) = &step.manifest.carries_from else {
        return (earlier.last().copied().into_iter().collect(), Vec::new());
    };
    let mut found = Vec::new();
    let mut problems = Vec::new();
    for name in names {
        match course.find_step(name) {
            Ok(source) if earlier.iter().any(|s| s.id == source.id) => found.push(source),
            _ => problems.push(format!(
                "step.toml: `carries_from` names `{name}`, which is not a step before this one; \
                 use a step ID such as `01_borrowing/05_borrow_checker`"
            )),
        }
    }
    (found, problems)
}

/// The first of `sources` whose solution holds `file`.
fn source_of<'c>(sources: &[&'c Step], file: &str) -> Option<&'c Step> {
    sources
        .iter()
        .copied()
        .find(|source| source.solution_dir.join(file).is_file())
}

/// Where two files first differ, for a message: the 1-based line and each side's text there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FirstDifference {
    /// The first line that differs.
    pub line: usize,
    /// That line in the first file, or `(end of file)`.
    pub ours: String,
    /// That line in the second file, or `(end of file)`.
    pub theirs: String,
}

/// Where `ours` and `theirs` first differ; `None` when they are the same.
pub fn first_difference(ours: &[u8], theirs: &[u8]) -> Option<FirstDifference> {
    if ours == theirs {
        return None;
    }
    let mut ours_lines = ours.split_inclusive(|&b| b == b'\n');
    let mut theirs_lines = theirs.split_inclusive(|&b| b == b'\n');
    let mut line = 1;
    loop {
        let (a, b) = (ours_lines.next(), theirs_lines.next());
        if a != b {
            return Some(FirstDifference {
                line,
                ours: shown_line(a),
                theirs: shown_line(b),
            });
        }
        line += 1;
    }
}

/// A line as a message quotes it: trimmed, and cut after 80 characters.
fn shown_line(line: Option<&[u8]>) -> String {
    let Some(line) = line else {
        return "(end of file)".to_string();
    };
    let text = String::from_utf8_lossy(line);
    let text = text.trim();
    let mut shown: String = text.chars().take(80).collect();
    if shown.len() < text.len() {
        shown.push_str("...");
    }
    format!("`{shown}`")
}

/// Whether two files differ, and if so, a sentence naming both and their first difference.
fn compare(course: &Course, ours: &Path, theirs: &Path) -> Option<String> {
    let (Ok(a), Ok(b)) = (std::fs::read(ours), std::fs::read(theirs)) else {
        return Some(format!(
            "{} or {} cannot be read",
            course.relative(ours).display(),
            course.relative(theirs).display()
        ));
    };
    let difference = first_difference(&a, &b)?;
    Some(format!(
        "{} differs from {} at line {}: {} there, {} here",
        course.relative(ours).display(),
        course.relative(theirs).display(),
        difference.line,
        difference.theirs,
        difference.ours,
    ))
}

/// The carry findings of one step: copies that differ from what they carry, and entries of
/// `changes` that name nothing the step changes.
pub fn check(course: &Course, step: &Step) -> Vec<String> {
    let (sources, mut problems) = sources(course, step);
    let declared = &step.manifest.changes;
    let starter = src_files(&step.exercise_dir);
    let solution = src_files(&step.solution_dir);
    let files: BTreeSet<&String> = starter.iter().chain(&solution).collect();
    let add_it = |file: &str| {
        format!(
            "; carry the change there too (`cargo grade carry`), or if this step changes the \
             file on purpose, add \"{file}\" to `changes` in step.toml"
        )
    };
    for file in &files {
        let file = file.as_str();
        let in_starter = starter.iter().any(|f| f == file);
        let in_solution = solution.iter().any(|f| f == file);
        let starter_path = step.exercise_dir.join(file);
        let solution_path = step.solution_dir.join(file);
        let source = source_of(&sources, file);
        let mut changed = Vec::new();
        if in_starter && let Some(source) = source {
            changed.extend(compare(
                course,
                &starter_path,
                &source.solution_dir.join(file),
            ));
        }
        match (in_starter, in_solution) {
            (true, true) => changed.extend(compare(course, &solution_path, &starter_path)),
            (true, false) => changed.push(format!(
                "{} has no copy in the solution",
                course.relative(&starter_path).display()
            )),
            (false, _) => changed.push(format!(
                "{} has no copy in the starter, so the learner must write it",
                course.relative(&solution_path).display()
            )),
        }
        let is_declared = declared.iter().any(|d| d == file);
        if is_declared && changed.is_empty() {
            let how = match source {
                Some(source) => format!("carried unchanged from step {}", source.label()),
                None => "new in this step".to_string(),
            };
            problems.push(format!(
                "step.toml: `changes` lists \"{file}\", but it is {how} and the solution's copy \
                 is the same: remove it from `changes`, so that `verify` checks it"
            ));
        } else if !is_declared {
            problems.extend(
                changed
                    .iter()
                    .map(|change| format!("{change}{}", add_it(file))),
            );
        }
    }
    for file in declared {
        if !files.contains(file) {
            problems.push(format!(
                "step.toml: `changes` lists \"{file}\", which neither the starter nor the \
                 solution has; entries are paths such as \"src/lib.rs\""
            ));
        }
    }
    problems
}

/// What `cargo grade carry` does with one changed file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    /// Later copies that hold the old content: they get the new.
    pub writes: Vec<PathBuf>,
    /// Later copies that already hold the new content.
    pub carried: Vec<PathBuf>,
    /// Copies the change must reach by hand, and why.
    pub by_hand: Vec<(PathBuf, String)>,
    /// The first copy that holds the old content, when it comes before the changed file (the
    /// copies from there on are one source, so the change belongs there), and the step.toml
    /// that would declare the change instead.
    pub upstream: Option<(PathBuf, PathBuf)>,
}

/// Which copy of a step's file the author changed.
#[derive(Debug)]
pub struct Origin<'c> {
    /// The step.
    pub step: &'c Step,
    /// The file, relative to the step's folder: `src/...`.
    pub file: String,
    /// Whether it is the starter's copy (else the solution's).
    pub in_starter: bool,
}

/// Which step's copy the file at `path` (absolute) is.
///
/// # Errors
///
/// [`Error::NotAStepFile`] when `path` is not below a step's `src/`.
pub fn locate<'c>(course: &'c Course, path: &Path) -> Result<Origin<'c>> {
    for step in course.steps() {
        for (dir, in_starter) in [(&step.exercise_dir, true), (&step.solution_dir, false)] {
            let Ok(relative) = path.strip_prefix(dir) else {
                continue;
            };
            let file: Vec<String> = relative
                .components()
                .map(|part| part.as_os_str().to_string_lossy().into_owned())
                .collect();
            if file.first().is_some_and(|first| first == "src") {
                return Ok(Origin {
                    step,
                    file: file.join("/"),
                    in_starter,
                });
            }
        }
    }
    Err(Error::NotAStepFile {
        path: course.relative(path).to_path_buf(),
    })
}

/// How one later copy compares with the change being carried.
enum Copy {
    Old,
    New,
    Other,
    Missing,
}

fn classify(path: &Path, old: &[u8], new: &[u8]) -> Copy {
    match std::fs::read(path) {
        Err(_) => Copy::Missing,
        Ok(bytes) if bytes == old => Copy::Old,
        Ok(bytes) if bytes == new => Copy::New,
        Ok(_) => Copy::Other,
    }
}

impl Plan {
    /// Files one copy under the plan; true when it holds (or will hold) the new content.
    fn add(&mut self, path: PathBuf, old: &[u8], new: &[u8]) -> bool {
        match classify(&path, old, new) {
            Copy::Old => self.writes.push(path),
            Copy::New => self.carried.push(path),
            Copy::Other => {
                let reason = "it differs from both the old and the new content; bring it in line by hand (`cargo grade verify --quick` shows where it differs)".to_string();
                self.by_hand.push((path, reason));
                return false;
            }
            Copy::Missing => {
                let reason = "the starter has this file but the solution does not; `cargo grade verify --quick` says what to do".to_string();
                self.by_hand.push((path, reason));
                return false;
            }
        }
        true
    }

    /// The copies of a step that lists the file in `changes`: they take the change by hand.
    fn declared(&mut self, course: &Course, step: &Step, file: &str, paths: &[PathBuf]) {
        for path in paths.iter().filter(|path| path.is_file()) {
            self.by_hand.push((
                path.clone(),
                format!(
                    "step {} changes {file} (it is in `changes` in its step.toml): make the same \
                     change here by hand, then run `cargo grade carry {}` to carry it further",
                    step.label(),
                    course.relative(&step.solution_dir.join(file)).display()
                ),
            ));
        }
    }
}

/// The plan for carrying the change of the `origin` file from `old` (its committed content) to
/// `new` into the later copies.
///
/// A later copy is written only when it holds exactly `old`, so nothing is lost that git does
/// not have. The carry stops at a step that lists the file in `changes`, at a copy that holds
/// something else, and where a step no longer has the file.
pub fn plan(course: &Course, origin: &Origin<'_>, old: &[u8], new: &[u8]) -> Plan {
    let file = origin.file.as_str();
    let mut plan = Plan {
        upstream: upstream(course, origin, old)
            .map(|first| (first, origin.step.exercise_dir.join("step.toml"))),
        ..Plan::default()
    };
    let mut reached: BTreeSet<&str> = BTreeSet::new();
    let origin_step = origin.step;
    let carries = |step: &Step| !step.manifest.changes.iter().any(|d| d == file);
    if !origin.in_starter {
        reached.insert(&origin_step.id);
    } else if !carries(origin_step) {
        plan.declared(
            course,
            origin_step,
            file,
            &[origin_step.solution_dir.join(file)],
        );
    } else if plan.add(origin_step.solution_dir.join(file), old, new) {
        reached.insert(&origin_step.id);
    }
    for step in course
        .steps()
        .skip_while(|s| s.id != origin_step.id)
        .skip(1)
    {
        let (sources, _) = sources(course, step);
        let from_reached =
            source_of(&sources, file).is_some_and(|source| reached.contains(source.id.as_str()));
        let starter = step.exercise_dir.join(file);
        if !from_reached || !starter.is_file() {
            continue;
        }
        let solution = step.solution_dir.join(file);
        if !carries(step) {
            plan.declared(course, step, file, &[starter, solution]);
        } else if plan.add(starter, old, new) && plan.add(solution, old, new) {
            reached.insert(&step.id);
        }
    }
    plan
}

/// The first copy before `origin` in its carry chain that holds `old`, if any: walking back
/// from a solution to its starter, and from a starter to the solution it carries, while the
/// step does not list the file in `changes`.
fn upstream(course: &Course, origin: &Origin<'_>, old: &[u8]) -> Option<PathBuf> {
    let file = origin.file.as_str();
    let holds_old = |path: &Path| std::fs::read(path).is_ok_and(|bytes| bytes == old);
    let mut step = origin.step;
    let mut in_starter = origin.in_starter;
    let mut first = None;
    while !step.manifest.changes.iter().any(|d| d == file) {
        let before = if in_starter {
            let (sources, _) = sources(course, step);
            let Some(source) = source_of(&sources, file) else {
                break;
            };
            step = source;
            step.solution_dir.join(file)
        } else {
            step.exercise_dir.join(file)
        };
        if !holds_old(&before) {
            break;
        }
        first = Some(before);
        in_starter = !in_starter;
    }
    first
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_difference_names_the_line_and_both_texts() {
        assert_eq!(first_difference(b"a\nb\n", b"a\nb\n"), None);
        let difference = first_difference(b"a\nb\nc\n", b"a\nB\nc\n").unwrap();
        assert_eq!(difference.line, 2);
        assert_eq!(difference.ours, "`b`");
        assert_eq!(difference.theirs, "`B`");
        let shorter = first_difference(b"a\n", b"a\nmore\n").unwrap();
        assert_eq!(shorter.line, 2);
        assert_eq!(shorter.ours, "(end of file)");
        let newline = first_difference(b"a", b"a\n").unwrap();
        assert_eq!(newline.line, 1);
    }

    #[test]
    fn long_lines_are_cut() {
        let long = "x".repeat(200);
        let difference = first_difference(long.as_bytes(), b"y").unwrap();
        assert_eq!(difference.ours, format!("`{}...`", "x".repeat(80)));
    }
}
