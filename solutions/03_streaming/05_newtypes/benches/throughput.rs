//! Throughput and peak memory of the reference parser, beside the csv crate and Python's csv
//! module, on one deterministic, messy CSV file.
//!
//! ```text
//! cargo bench -p newtypes_solution --bench throughput            # 100 MB, median of 3
//! cargo bench -p newtypes_solution --bench throughput -- 20 5    # 20 MB, median of 5
//! ```
//!
//! Beside the UTF-8 file, the reference parser reads two files that are not UTF-8: the same
//! rows saved as Latin-1 with long notes (every row a bad row), and rows whose note is 2,000
//! bytes of 0xFF. Bad rows are counted and reading goes on, as an import does. The parser must
//! read both at no less than half its UTF-8 throughput: a reader that is slow on invalid input
//! is a denial of service on an upload endpoint.
//!
//! Every measurement runs in a child process of its own (this program started again with
//! `BENCH_MODE` set), so each reports its own peak resident memory (`VmHWM`) untouched by the
//! others. The file is generated once into `target/bench/` and read from the page cache.
//! Figures, not pass or fail: the bench prints medians and ratios and always exits 0 unless a
//! parser fails on the file.

use std::env;
use std::error::Error;
use std::fs::{self, File};
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use newtypes_solution::{Reader, RecordBuf, Rows};

type BenchResult<T> = Result<T, Box<dyn Error>>;

const HEADER: &[u8] = b"customer_id,email,amount_cents,name,note\r\n";

/// One run of one parser: the rows it read, how long it took and its peak memory.
#[derive(Debug, Clone, Copy)]
struct Run {
    rows: u64,
    seconds: f64,
    max_rss_kib: u64,
}

fn main() -> BenchResult<()> {
    if let Ok(mode) = env::var("BENCH_MODE") {
        let path = env::var("BENCH_FILE")
            .map(PathBuf::from)
            .unwrap_or_default();
        let run = run_mode(&mode, &path)?;
        println!(
            "rows={} seconds={:.4} max_rss_kib={}",
            run.rows, run.seconds, run.max_rss_kib
        );
        return Ok(());
    }
    // `cargo bench` passes `--bench`; the numbers after it are ours.
    let numbers: Vec<u64> = env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let size_mb = numbers.first().copied().unwrap_or(100);
    let runs = numbers.get(1).copied().unwrap_or(3).max(1);

    let path = bench_file(size_mb, Kind::Messy)?;
    let bytes = fs::metadata(&path)?.len();
    println!(
        "file: {} ({:.1} MB, quoted fields with commas, escaped quotes, embedded CRLF newlines)",
        path.display(),
        bytes as f64 / 1e6
    );
    println!("each figure: the median of {runs} runs, each in a process of its own\n");

    let modes = [
        (
            "reference-records",
            "reference parser, records (UTF-8 checked)",
        ),
        ("reference-typed", "reference parser, typed rows (serde)"),
        ("csv-records", "csv crate, StringRecord"),
        ("csv-serde", "csv crate, serde"),
    ];
    // Round after round, every parser once per round: a machine that speeds up or slows
    // down during the bench then moves every parser's figures, not only the last one's.
    let python_ok = python(&path).is_ok();
    let mut all: Vec<Vec<Run>> = vec![Vec::new(); modes.len()];
    let mut python_runs = Vec::new();
    for _ in 0..runs {
        for ((mode, _), runs) in modes.iter().zip(&mut all) {
            runs.push(child(mode, &path)?);
        }
        if python_ok {
            python_runs.push(python(&path)?);
        }
    }
    let mut medians = Vec::new();
    for ((mode, label), runs) in modes.iter().zip(all) {
        let median = median(runs);
        print_row(label, bytes, median);
        medians.push((*mode, median));
    }
    let python = if python_ok {
        let median = median(python_runs);
        print_row("Python csv.reader", bytes, median);
        Some(median)
    } else {
        println!("{:<44} skipped: python3 did not run", "Python csv.reader");
        None
    };

    println!(
        "\nthe reference parser on files that are not UTF-8 (bad rows counted, reading goes on):"
    );
    for kind in [Kind::Latin1, Kind::Invalid] {
        let other = bench_file(size_mb, kind)?;
        let other_bytes = fs::metadata(&other)?.len();
        let median = median_run(runs, || child("reference-lenient", &other))?;
        let utf8 = find_median(&medians, "reference-records");
        let ratio = utf8.map_or(0.0, |utf8| {
            (other_bytes as f64 / median.seconds) / (bytes as f64 / utf8.seconds)
        });
        println!(
            "  {:<42} {:>8.1} MB/s {:>10} rows  {:.2}x the UTF-8 throughput",
            kind.label(),
            other_bytes as f64 / 1e6 / median.seconds,
            median.rows,
            ratio
        );
    }
    let field = median_run(runs, || child("reference-ff-field", &path))?;
    println!(
        "  {:<42} {:>8.4} s for 100 rows of 6 MB",
        "a field of 60,000 x 0xFF", field.seconds
    );

    let find = |name: &str| find_median(&medians, name);
    println!();
    if let (Some(ours), Some(theirs)) = (find("reference-records"), find("csv-records")) {
        ratio("reference records / csv StringRecord", ours, theirs);
    }
    if let (Some(ours), Some(theirs)) = (find("reference-typed"), find("csv-serde")) {
        ratio("reference typed / csv serde", ours, theirs);
    }
    if let (Some(ours), Some(theirs)) = (find("reference-records"), python) {
        ratio("reference records / Python csv.reader", ours, theirs);
    }

    println!("\npeak memory does not grow with the input (reference parser, records):");
    for mb in [10, 1000] {
        let median = median_run(runs, || child(&format!("reference-stream-{mb}"), &path))?;
        println!(
            "  {mb:>5} MB generated on the fly: {:>6.2} MB peak RSS, {} rows",
            median.max_rss_kib as f64 / 1024.0,
            median.rows
        );
    }
    Ok(())
}

fn find_median(medians: &[(&str, Run)], name: &str) -> Option<Run> {
    medians.iter().find(|(mode, _)| *mode == name).map(|m| m.1)
}

fn print_row(label: &str, bytes: u64, run: Run) {
    println!(
        "{label:<44} {:>8.1} MB/s {:>10} rows {:>8.2} MB peak RSS",
        bytes as f64 / 1e6 / run.seconds,
        run.rows,
        run.max_rss_kib as f64 / 1024.0
    );
}

fn ratio(label: &str, ours: Run, theirs: Run) {
    // Same file, so the throughput ratio is the inverse of the time ratio.
    println!("{label:<44} {:>6.2}x", theirs.seconds / ours.seconds);
}

/// Runs `measure` `runs` times and returns the run with the median time.
fn median_run(runs: u64, mut measure: impl FnMut() -> BenchResult<Run>) -> BenchResult<Run> {
    let all = (0..runs)
        .map(|_| measure())
        .collect::<BenchResult<Vec<Run>>>()?;
    Ok(median(all))
}

/// The run with the median time (of an even count, the slower of the middle two).
fn median(mut runs: Vec<Run>) -> Run {
    runs.sort_by(|a, b| a.seconds.total_cmp(&b.seconds));
    runs[runs.len() / 2]
}

fn child(mode: &str, path: &Path) -> BenchResult<Run> {
    let output = Command::new(env::current_exe()?)
        .env("BENCH_MODE", mode)
        .env("BENCH_FILE", path)
        .output()?;
    parse_run(mode, &output)
}

fn python(path: &Path) -> BenchResult<Run> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/python_csv.py");
    let output = Command::new("python3").arg(script).arg(path).output()?;
    parse_run("python3", &output)
}

fn parse_run(what: &str, output: &std::process::Output) -> BenchResult<Run> {
    let text = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(format!("{what} failed: {stderr}").into());
    }
    let field = |name: &str| {
        text.split_whitespace()
            .find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))
            .ok_or_else(|| format!("{what} printed no {name}: {text}"))
    };
    Ok(Run {
        rows: field("rows")?.parse()?,
        seconds: field("seconds")?.parse()?,
        max_rss_kib: field("max_rss_kib")?.parse()?,
    })
}

/// Peak resident memory of this process so far, from Linux's `/proc/self/status`.
fn max_rss_kib() -> u64 {
    let status = fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn run_mode(mode: &str, path: &Path) -> BenchResult<Run> {
    let start = Instant::now();
    let rows = match mode {
        "reference-records" => reference_records(BufReader::new(File::open(path)?))?,
        "reference-typed" => reference_typed(BufReader::new(File::open(path)?))?,
        "csv-records" => csv_records(File::open(path)?)?,
        "csv-serde" => csv_serde(File::open(path)?)?,
        "reference-lenient" => reference_lenient(BufReader::new(File::open(path)?))?,
        "reference-ff-field" => {
            // 100 rows whose one field is 60,000 bytes of 0xFF: the input of issue 8, 6 MB.
            let mut row = vec![0xFF; 60_000];
            row.push(b'\n');
            let input = [b"note\n".to_vec(), row.repeat(100)].concat();
            reference_lenient(&input[..])?
        }
        other => match other.strip_prefix("reference-stream-") {
            Some(mb) => {
                let bytes = mb.parse::<u64>()? * 1_000_000;
                reference_records(BufReader::new(MessyCsv::new(bytes, Kind::Messy)))?
            }
            None => return Err(format!("unknown mode {other}").into()),
        },
    };
    Ok(Run {
        rows,
        seconds: start.elapsed().as_secs_f64(),
        max_rss_kib: max_rss_kib(),
    })
}

// --- the parsers under test ----------------------------------------------------------------

/// The typed row, the same for the reference parser and the csv crate.
#[derive(Debug, serde::Deserialize)]
#[allow(dead_code)] // read only by serde: the bench checks parsing, not the values
struct Row {
    customer_id: u64,
    email: String,
    amount_cents: i64,
    name: String,
    note: String,
}

fn reference_records(input: impl io::BufRead) -> BenchResult<u64> {
    let mut reader = Reader::new(input);
    // One buffer for every record: the steady state allocates nothing.
    let mut record = RecordBuf::new();
    // The header is a record like any other; count the data rows only, as the others do.
    reader.read_record(&mut record)?;
    let mut rows = 0;
    while reader.read_record(&mut record)? {
        rows += 1;
    }
    Ok(rows)
}

/// Reads every record, counting bad rows as rows and going on, as an import does.
fn reference_lenient(input: impl io::BufRead) -> BenchResult<u64> {
    let mut reader = Reader::new(input);
    let mut record = RecordBuf::new();
    let mut rows = 0;
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => return Ok(rows.max(1) - 1),
            Err(newtypes_solution::ReadError::Row(_)) => {}
            Err(error) => return Err(error.into()),
        }
        rows += 1;
    }
}

fn reference_typed(input: impl io::BufRead) -> BenchResult<u64> {
    let mut rows = 0;
    for row in Rows::<_, Row>::new(Reader::new(input))? {
        row?;
        rows += 1;
    }
    Ok(rows)
}

fn csv_records(input: File) -> BenchResult<u64> {
    let mut reader = csv::Reader::from_reader(input);
    let mut record = csv::StringRecord::new();
    let mut rows = 0;
    while reader.read_record(&mut record)? {
        rows += 1;
    }
    Ok(rows)
}

fn csv_serde(input: File) -> BenchResult<u64> {
    let mut reader = csv::Reader::from_reader(input);
    let mut rows = 0;
    for row in reader.deserialize::<Row>() {
        row?;
        rows += 1;
    }
    Ok(rows)
}

// --- the input ------------------------------------------------------------------------------

/// Which text the generated rows hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// UTF-8, with quoted commas, escaped quotes and line breaks.
    Messy,
    /// The same rows with a long note, saved as Latin-1 (`é` is the byte 0xE9).
    Latin1,
    /// The same rows with a note of 2,000 bytes of 0xFF.
    Invalid,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Messy => "messy",
            Kind::Latin1 => "latin1",
            Kind::Invalid => "invalid",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Kind::Messy => "UTF-8",
            Kind::Latin1 => "Latin-1, long notes",
            Kind::Invalid => "notes of 2,000 x 0xFF",
        }
    }
}

/// The benchmark file of about `size_mb` MB, generated once and kept in `target/bench/`.
fn bench_file(size_mb: u64, kind: Kind) -> BenchResult<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../target/bench");
    fs::create_dir_all(&dir)?;
    let path = dir.join(format!("{}-{size_mb}mb.csv", kind.name()));
    // Only whole rows, so the file is a little shorter than asked: generating it into a sink
    // says how long it must be (well under a second, and a stale file is never reused).
    let bytes = io::copy(
        &mut MessyCsv::new(size_mb * 1_000_000, kind),
        &mut io::sink(),
    )?;
    if fs::metadata(&path).map(|m| m.len()).ok() != Some(bytes) {
        let mut out = BufWriter::new(File::create(&path)?);
        io::copy(&mut MessyCsv::new(size_mb * 1_000_000, kind), &mut out)?;
        out.flush()?;
    }
    Ok(fs::canonicalize(path)?)
}

/// A deterministic, messy CSV upload of at most `bytes` bytes, made on the fly: a header,
/// then rows with quoted commas, escaped quotes, embedded CRLF line breaks and CRLF endings.
/// It ends before the first row that does not fit: a row cut short would be a short row,
/// which the typed parsers rightly refuse (the 100 MB file used to end that way).
struct MessyCsv {
    kind: Kind,
    remaining: u64,
    row: u64,
    pending: Vec<u8>,
    offset: usize,
}

impl MessyCsv {
    fn new(bytes: u64, kind: Kind) -> MessyCsv {
        MessyCsv {
            kind,
            remaining: bytes,
            row: 0,
            pending: HEADER.to_vec(),
            offset: 0,
        }
    }

    fn next_row(&mut self) {
        let n = self.row;
        self.row += 1;
        self.pending.clear();
        self.offset = 0;
        let amount = (n.wrapping_mul(7919) % 200_000) as i64 - 50_000;
        let name = if n.is_multiple_of(3) {
            format!("\"Smith, Ada {n}\"")
        } else {
            format!("Ada Smith {n}")
        };
        let note = if n.is_multiple_of(17) {
            "\"line one\r\nline two\"".to_string()
        } else if n.is_multiple_of(5) {
            format!("\"said \"\"hello\"\" {n} times\"")
        } else {
            format!("plain note {n}")
        };
        let _ = write!(
            self.pending,
            "{},customer{n}@example.com,{amount},{name},",
            n + 1
        );
        match self.kind {
            Kind::Messy => self.pending.extend_from_slice(note.as_bytes()),
            Kind::Latin1 => {
                for _ in 0..4 {
                    self.pending
                        .extend_from_slice(b"Livr\xE9 \xE0 Zo\xEB, caf\xE9 cr\xE8me br\xFBl\xE9e ");
                }
            }
            Kind::Invalid => self.pending.extend(std::iter::repeat_n(0xFF, 2_000)),
        }
        self.pending.extend_from_slice(b"\r\n");
    }
}

impl Read for MessyCsv {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.remaining == 0 || buf.is_empty() {
            return Ok(0);
        }
        if self.offset == self.pending.len() {
            self.next_row();
            if self.pending.len() as u64 > self.remaining {
                self.remaining = 0;
                return Ok(0);
            }
        }
        let available = &self.pending[self.offset..];
        let len = available.len().min(buf.len()).min(self.remaining as usize);
        buf[..len].copy_from_slice(&available[..len]);
        self.offset += len;
        self.remaining -= len as u64;
        Ok(len)
    }
}
