//! The course as the file tree describes it: parts and steps, in the order of their `NN_`
//! prefixes.
//!
//! Nothing lists the steps by hand: adding `exercises/03_streaming/02_bytes/` adds a step.
//! Problems in the tree (a gap in the numbering, a malformed `step.toml`) are collected, not
//! fatal, so that `verify` can list them all; every other command stops at the first one.

use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::error::{Error, Result};
use crate::hints;
use crate::manifest::{self, PartManifest, StepManifest};

/// The whole course: its root folder and its parts in order.
#[derive(Debug)]
pub struct Course {
    /// The folder holding `exercises/` and `solutions/`.
    pub root: PathBuf,
    /// The parts, in order.
    pub parts: Vec<Part>,
    /// What is wrong with the tree, one finding per entry.
    pub problems: Vec<Error>,
}

/// One part of the course, e.g. `01_borrowing`.
#[derive(Debug)]
pub struct Part {
    /// The number in the folder name: `1` for `01_borrowing`.
    pub number: u32,
    /// The folder name, e.g. `01_borrowing`.
    pub dir_name: String,
    /// From `part.toml`.
    pub title: String,
    /// From `part.toml`: the course is finished without this part.
    pub optional: bool,
    /// The steps, in order.
    pub steps: Vec<Step>,
}

/// One step: an exercise crate and its reference solution.
#[derive(Debug, Clone)]
pub struct Step {
    /// `"<part dir>/<step dir>"`, e.g. `01_borrowing/02_cow_records`: the step's stable ID.
    pub id: String,
    /// The part's number.
    pub part: u32,
    /// The step's number within its part.
    pub number: u32,
    /// The folder name without its prefix; also the exercise's package name.
    pub slug: String,
    /// The part's title, for messages.
    pub part_title: String,
    /// The step belongs to an optional part: finishing the course does not need it.
    pub optional: bool,
    /// `exercises/<part>/<step>`.
    pub exercise_dir: PathBuf,
    /// `solutions/<part>/<step>`.
    pub solution_dir: PathBuf,
    /// From `step.toml`.
    pub manifest: StepManifest,
    /// From `solutions/<part>/<step>/hints.toml` (see `hints`): from a nudge to nearly the
    /// answer; empty when the file is missing, which `verify` reports.
    pub hints: Vec<String>,
}

impl Step {
    /// The short label learners type, e.g. `1.2`.
    pub fn label(&self) -> String {
        format!("{}.{}", self.part, self.number)
    }

    /// The cargo package of the exercise.
    pub fn package(&self) -> &str {
        &self.slug
    }

    /// The cargo package of the reference solution.
    pub fn solution_package(&self) -> String {
        format!("{}_solution", self.slug)
    }

    /// The exercise's graded test files (`tests/*.rs`), sorted.
    pub fn test_files(&self) -> Vec<PathBuf> {
        rust_files_in(&self.exercise_dir.join("tests"))
    }

    /// The learner's files that still hold the step's work: a `todo!(` first, then a `TODO`
    /// comment, each group in path order. Empty once every TODO is gone.
    ///
    /// Earlier steps' modules are carried as solved code, so a TODO marks this step's work.
    pub fn todo_files(&self) -> Vec<PathBuf> {
        let mut files: Vec<(bool, PathBuf)> = rust_sources_below(&self.exercise_dir.join("src"))
            .filter_map(|(path, text)| {
                let stub = text.contains("todo!(");
                (stub || text.contains("TODO")).then_some((!stub, path))
            })
            .collect();
        // Stable: path order within each group.
        files.sort_by_key(|(comment_only, _)| *comment_only);
        files.into_iter().map(|(_, path)| path).collect()
    }
}

/// Where the test named `test` is declared in `sources` (path, text): the index of the first
/// source that has its `fn name(`, and where in it. A test's full name (`graded::module::name`
/// from a solution's wrapper, `tests::name` for a unit test) ends in the fn's name.
pub fn find_test_fn(test: &str, sources: &[(PathBuf, String)]) -> Option<(usize, usize)> {
    let name = test.rsplit("::").next().unwrap_or(test);
    let needle = format!("fn {name}(");
    sources
        .iter()
        .enumerate()
        .find_map(|(index, (_, text))| text.find(&needle).map(|at| (index, at)))
}

/// The `.rs` files among `files`, with their text; unreadable ones left out.
pub fn read_sources(files: Vec<PathBuf>) -> Vec<(PathBuf, String)> {
    files
        .into_iter()
        .filter_map(|file| Some((file.clone(), std::fs::read_to_string(&file).ok()?)))
        .collect()
}

/// Splits `01_borrowing` into `(1, "borrowing")`.
fn split_prefix(name: &str) -> Option<(u32, &str)> {
    let (digits, rest) = name.split_once('_')?;
    if digits.len() != 2 || rest.is_empty() {
        return None;
    }
    Some((digits.parse().ok()?, rest))
}

/// The `.rs` files directly in `dir`, sorted.
pub fn rust_files_in(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "rs") && path.is_file())
        .collect();
    files.sort();
    files
}

/// Every `.rs` file below `dir` with its text, in path order; unreadable files are skipped.
pub fn rust_sources_below(dir: &Path) -> impl Iterator<Item = (PathBuf, String)> {
    WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .flatten()
        .filter(|entry| entry.path().extension().is_some_and(|ext| ext == "rs"))
        .filter_map(|entry| {
            let text = std::fs::read_to_string(entry.path()).ok()?;
            Some((entry.into_path(), text))
        })
}

/// The sorted sub-folders of `dir` (hidden ones and `target` skipped).
fn sub_dirs(dir: &Path) -> Vec<(String, PathBuf)> {
    WalkDir::new(dir)
        .min_depth(1)
        .max_depth(1)
        .sort_by_file_name()
        .into_iter()
        .flatten()
        .filter(|entry| entry.file_type().is_dir())
        .filter_map(|entry| {
            let name = entry.file_name().to_str()?.to_string();
            (!name.starts_with('.') && name != "target").then(|| (name, entry.into_path()))
        })
        .collect()
}

impl Course {
    /// Finds the course root: `start` or the nearest ancestor with `exercises/` and a
    /// `Cargo.toml`.
    ///
    /// # Errors
    ///
    /// [`Error::NotACourse`] when no such folder exists.
    pub fn find_root(start: &Path) -> Result<PathBuf> {
        start
            .ancestors()
            .find(|dir| dir.join("exercises").is_dir() && dir.join("Cargo.toml").is_file())
            .map(Path::to_path_buf)
            .ok_or_else(|| Error::NotACourse {
                start: start.to_path_buf(),
            })
    }

    /// Reads the course below `root`.
    ///
    /// Problems are collected in [`Course::problems`]; a step whose `step.toml` does not parse
    /// is left out of its part.
    pub fn discover(root: &Path) -> Course {
        let mut problems = Vec::new();
        let mut parts = Vec::new();
        for (part_dir_name, part_dir) in sub_dirs(&root.join("exercises")) {
            let Some((part_number, _)) = split_prefix(&part_dir_name) else {
                problems.push(Error::Layout {
                    folder: format!("exercises/{part_dir_name}"),
                    problem: "a part folder's name starts with two digits and `_`".into(),
                    advice: "rename it, e.g. `01_borrowing`",
                });
                continue;
            };
            let (title, optional) =
                match manifest::load::<PartManifest>(&part_dir.join("part.toml")) {
                    Ok(part) => (part.title, part.optional),
                    Err(err) => {
                        problems.push(relative_to(err, root).into());
                        (part_dir_name.clone(), false)
                    }
                };
            let mut steps = Vec::new();
            for (step_dir_name, step_dir) in sub_dirs(&part_dir) {
                let Some((step_number, slug)) = split_prefix(&step_dir_name) else {
                    problems.push(Error::Layout {
                        folder: format!("exercises/{part_dir_name}/{step_dir_name}"),
                        problem: "a step folder's name starts with two digits and `_`".into(),
                        advice: "rename it, e.g. `02_cow_records`",
                    });
                    continue;
                };
                let solution_dir = root
                    .join("solutions")
                    .join(&part_dir_name)
                    .join(&step_dir_name);
                let hints = hints::load(&solution_dir).unwrap_or_else(|err| {
                    problems.push(err.into());
                    None
                });
                match manifest::load::<StepManifest>(&step_dir.join("step.toml")) {
                    Ok(manifest) => steps.push(Step {
                        id: format!("{part_dir_name}/{step_dir_name}"),
                        part: part_number,
                        number: step_number,
                        slug: slug.to_string(),
                        part_title: title.clone(),
                        optional,
                        exercise_dir: step_dir.clone(),
                        solution_dir,
                        manifest,
                        hints: hints.unwrap_or_default(),
                    }),
                    Err(err) => problems.push(relative_to(err, root).into()),
                }
            }
            check_numbering(
                &format!("exercises/{part_dir_name}"),
                steps.iter().map(|step| step.number),
                1,
                &mut problems,
            );
            parts.push(Part {
                number: part_number,
                dir_name: part_dir_name,
                title,
                optional,
                steps,
            });
        }
        let first_part = parts.first().map_or(0, |part| part.number.min(1));
        check_numbering(
            "exercises",
            parts.iter().map(|part| part.number),
            first_part,
            &mut problems,
        );
        Course {
            root: root.to_path_buf(),
            parts,
            problems,
        }
    }

    /// Fails with the first problem, for commands that need a sound course.
    ///
    /// # Errors
    ///
    /// The first entry of [`Course::problems`].
    pub fn into_valid(mut self) -> Result<Course> {
        if self.problems.is_empty() {
            Ok(self)
        } else {
            Err(self.problems.swap_remove(0))
        }
    }

    /// Every step, in course order.
    pub fn steps(&self) -> impl Iterator<Item = &Step> {
        self.parts.iter().flat_map(|part| part.steps.iter())
    }

    /// The step after `id`, if any.
    pub fn step_after(&self, id: &str) -> Option<&Step> {
        let mut steps = self.steps().skip_while(|step| step.id != id);
        steps.next();
        steps.next()
    }

    /// The step with this ID.
    pub fn step(&self, id: &str) -> Option<&Step> {
        self.steps().find(|step| step.id == id)
    }

    /// Finds a step by what a learner types: `1.2`, `01_borrowing/02_cow_records`,
    /// `cow_records`, or a path inside the step's folder.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownStep`] when nothing matches, and [`Error::StepWithParent`] for a path
    /// with a `..` in it: `absolute` does not resolve `..`, so `01_add/../02_endless` would
    /// otherwise be taken for a folder inside `01_add`.
    pub fn find_step(&self, query: &str) -> Result<&Step> {
        let query = query.trim().trim_end_matches('/');
        if Path::new(query)
            .components()
            .any(|part| part == std::path::Component::ParentDir)
        {
            return Err(Error::StepWithParent(query.to_string()));
        }
        let wanted_path = std::path::absolute(query).ok();
        self.steps()
            .find(|step| {
                step.label() == query
                    || step.id == query
                    || step.slug == query
                    || format!("exercises/{}", step.id) == query
                    || wanted_path
                        .as_deref()
                        .is_some_and(|path| path.starts_with(&step.exercise_dir))
            })
            .ok_or_else(|| Error::UnknownStep(query.to_string()))
    }

    /// A path relative to the course root, for messages.
    pub fn relative<'a>(&self, path: &'a Path) -> &'a Path {
        path.strip_prefix(&self.root).unwrap_or(path)
    }
}

/// The error with its file named from the course root, as learners and authors see it.
fn relative_to(mut err: manifest::ManifestError, root: &Path) -> manifest::ManifestError {
    if let Ok(path) = err.path.strip_prefix(root) {
        err.path = path.to_path_buf();
    }
    err
}

/// Reports gaps and duplicates in a sequence of folder numbers that should run `first, first+1, ...`.
fn check_numbering(
    folder: &str,
    numbers: impl Iterator<Item = u32>,
    first: u32,
    problems: &mut Vec<Error>,
) {
    let mut expected = first;
    for number in numbers {
        if number + 1 == expected {
            problems.push(Error::Layout {
                folder: folder.to_string(),
                problem: format!("two folders are numbered {number:02}"),
                advice: "give each its own number",
            });
        } else if number != expected {
            problems.push(Error::Layout {
                folder: folder.to_string(),
                problem: format!(
                    "expected a folder numbered {expected:02} next, found {number:02}"
                ),
                advice: "renumber the folders: numbers run without gaps",
            });
        }
        expected = number + 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_split_into_number_and_name() {
        assert_eq!(split_prefix("01_borrowing"), Some((1, "borrowing")));
        assert_eq!(split_prefix("12_a_b"), Some((12, "a_b")));
        assert_eq!(split_prefix("1_x"), None);
        assert_eq!(split_prefix("ab_x"), None);
        assert_eq!(split_prefix("01_"), None);
        assert_eq!(split_prefix("01"), None);
    }

    fn numbering(numbers: &[u32], first: u32) -> Vec<String> {
        let mut problems = Vec::new();
        check_numbering("x", numbers.iter().copied(), first, &mut problems);
        problems.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn numbering_without_gaps_is_fine() {
        assert!(numbering(&[1, 2, 3], 1).is_empty());
        assert!(numbering(&[0, 1], 0).is_empty());
        assert!(numbering(&[], 1).is_empty());
    }

    #[test]
    fn gaps_and_duplicates_are_reported() {
        assert_eq!(numbering(&[1, 3], 1).len(), 1);
        assert!(numbering(&[1, 1, 2], 1)[0].contains("two folders are numbered 01"));
        assert!(numbering(&[2], 1)[0].contains("expected a folder numbered 01"));
    }

    fn fixture() -> Course {
        Course::discover(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/course"))
    }

    #[test]
    fn a_step_argument_with_dot_dot_is_refused() {
        let course = fixture();
        let add = course.root.join("exercises/01_basics/01_add");
        assert_eq!(
            course.find_step(add.to_str().unwrap()).unwrap().label(),
            "1.1"
        );
        // Before: a folder inside 1.1 by its prefix, so 1.1, while it means 1.2.
        let climbing = format!("{}/../02_endless", add.display());
        let err = course.find_step(&climbing).unwrap_err();
        assert!(matches!(err, Error::StepWithParent(_)), "{err}");
        assert!(err.to_string().contains("contains `..`"), "{err}");
    }

    #[test]
    fn todo_files_put_stubs_first() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("src");
        std::fs::create_dir_all(&src).unwrap();
        std::fs::write(src.join("a.rs"), "// TODO: later\n").unwrap();
        std::fs::write(src.join("b.rs"), "fn f() { todo!() }\n").unwrap();
        std::fs::write(src.join("lib.rs"), "mod a;\nmod b;\n").unwrap();
        let mut step = fixture().steps().next().unwrap().clone();
        step.exercise_dir = dir.path().to_path_buf();
        assert_eq!(step.todo_files(), vec![src.join("b.rs"), src.join("a.rs")]);
    }
}
