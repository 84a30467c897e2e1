//! What a support engineer runs on a customer's file: does it import, and if not, where not?
//!
//! ```text
//! cargo run -q -p newtypes_solution --example inspect -- FILE
//! ```
//!
//! Reads FILE with the reference parser and the `Order` schema, as the import does, and
//! prints the rows read, the good rows and the bad rows, then one line per error:
//!
//! ```text
//! rows read: 3
//! good rows: 2
//! bad rows: 1
//! line 3, column 1: field 1 "customer_id": not a customer number (only digits are allowed); found " 5"
//! ```
//!
//! Exit status: 0 when the file was read to its end (bad rows included), 1 when the file
//! itself is broken (unreadable, a header that does not fit, an unclosed quote, a limit), 2
//! for a usage error. Unlike the import, it applies no error budget: it reports every row.
//!
//! The file is read twice, once to count and once to print the errors, so memory stays flat
//! whatever the number of bad rows (rejected: keeping every error to print after the counts).

use std::fs::File;
use std::io::{self, BufReader, Write};
use std::path::Path;
use std::process::ExitCode;

use newtypes_solution::{Order, ParseError, ReadError, Reader, Rows};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let code = run(&args, &mut io::stdout().lock(), &mut io::stderr().lock());
    ExitCode::from(code)
}

/// Runs the tool on `args` (without the program's name), writing the report to `out` and
/// problems with the tool's use or the file to `err`. Returns the exit status.
pub fn run(args: &[String], out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let [path] = args else {
        // Writing to stderr can only fail when it is closed; there is nobody to tell then.
        let _ = writeln!(
            err,
            "usage: inspect FILE\n(reads an orders CSV file and lists its bad rows)"
        );
        return 2;
    };
    let path = Path::new(path);
    match inspect(path, out) {
        Ok(true) => 0,
        Ok(false) => 1,
        Err(error) => {
            let _ = writeln!(err, "inspect: {}: {error}", path.display());
            1
        }
    }
}

/// What one pass over the file found.
#[derive(Debug, Default)]
struct Counts {
    rows: usize,
    bad: usize,
    /// The error that ended reading before the end of the file.
    fatal: Option<ParseError>,
}

/// Prints the counts and the errors of the file at `path`. `Ok(true)` when the file was read
/// to its end, `Ok(false)` when a fatal error stopped it (that error is printed last).
fn inspect(path: &Path, out: &mut dyn Write) -> io::Result<bool> {
    let counts = read(path, &mut |_| Ok(()))?;
    writeln!(out, "rows read: {}", counts.rows)?;
    writeln!(out, "good rows: {}", counts.rows - counts.bad)?;
    writeln!(out, "bad rows: {}", counts.bad)?;
    read(path, &mut |error| print_error(out, error))?;
    match &counts.fatal {
        Some(error) => {
            print_error(out, error)?;
            writeln!(out, "the file cannot be read past this error")?;
            Ok(false)
        }
        None => Ok(true),
    }
}

/// Reads the file once, calling `on_bad_row` for each bad row, and counts.
fn read(
    path: &Path,
    on_bad_row: &mut dyn FnMut(&ParseError) -> io::Result<()>,
) -> io::Result<Counts> {
    let reader = Reader::new(BufReader::new(File::open(path)?));
    let mut counts = Counts::default();
    let rows = match Rows::<_, Order>::new(reader) {
        Ok(rows) => rows,
        Err(ReadError::Io(cause)) => return Err(cause),
        Err(ReadError::Row(error) | ReadError::Fatal(error)) => {
            counts.fatal = Some(error);
            return Ok(counts);
        }
    };
    for row in rows {
        match row {
            Ok(_) => counts.rows += 1,
            Err(ReadError::Row(error)) => {
                counts.rows += 1;
                counts.bad += 1;
                on_bad_row(&error)?;
            }
            Err(ReadError::Fatal(error)) => counts.fatal = Some(error),
            Err(ReadError::Io(cause)) => return Err(cause),
        }
    }
    Ok(counts)
}

/// One line per error: `line L, column C: field F "name": reason; note`.
fn print_error(out: &mut dyn Write, error: &ParseError) -> io::Result<()> {
    let at = error.position();
    write!(
        out,
        "line {}, column {}: field {}",
        at.line,
        at.column,
        error.field()
    )?;
    if let Some(name) = error.column() {
        write!(out, " {name:?}")?;
    }
    write!(out, ": {}", error.kind())?;
    if let Some(note) = error.note() {
        write!(out, "; {note}")?;
    }
    writeln!(out)
}
