//! A fuzzer for the reference parser, on the stable toolchain, with no extra dependency.
//!
//! ```text
//! # the short, bounded run CI makes (a fixed seed: the same inputs every time)
//! cargo run -q -p newtypes_solution --example fuzz -- --inputs 10000 --seed 1
//! # a long run, in the background (about 10 minutes per 10 million inputs in release mode)
//! cargo run --release -q -p newtypes_solution --example fuzz -- --inputs 10000000 --seed 7 > fuzz.log &
//! # one input again, from a failure's report
//! cargo run -q -p newtypes_solution --example fuzz -- --seed 7 --case 123456
//! ```
//!
//! Each input is random CSV, or a valid orders file with a few random mutations (flipped,
//! inserted, deleted and repeated bytes). It is read through every public path: raw records
//! ([`Reader::read_record`], strict and lossy), typed rows ([`Rows`] of [`Order`]) and the
//! import ([`import_orders_with`], with a random budget), under tiny random [`Limits`] half of
//! the time. Each path reads the input twice: whole, and through a reader that hands out 1 to
//! 64 bytes at a time. The two must give the same outcome, nothing may panic, and every read
//! loop must end within a bound set by the input's length.
//!
//! The generator is seeded (SplitMix64): case `I` of seed `S` is always the same input, so a
//! failure prints `--seed S --case I` and the input is written to `target/fuzz-failures/`.
//! The run ends with one line: inputs, panics, differences. Exit status 1 when any was found.

use std::fmt::Write as _;
use std::fs;
use std::io::{BufRead, Read};
use std::panic::{self, AssertUnwindSafe};
use std::process::ExitCode;

use newtypes_solution::{ErrorBudget, Limits, Order, Reader, RecordBuf, Rows, import_orders_with};

fn main() -> ExitCode {
    let Some(options) = Options::parse(std::env::args().skip(1)) else {
        eprintln!("usage: fuzz [--inputs N] [--seed S] [--case I]");
        return ExitCode::from(2);
    };
    // Panics are counted and reported with their seed, not printed by the default hook.
    panic::set_hook(Box::new(|_| {}));
    let cases: Box<dyn Iterator<Item = u64>> = match options.case {
        Some(case) => Box::new(std::iter::once(case)),
        None => Box::new(0..options.inputs),
    };
    let (mut inputs, mut panics, mut differences) = (0_u64, 0_u64, 0_u64);
    for case in cases {
        inputs += 1;
        let mut rng = Rng::new(options.seed, case);
        let input = generate(&mut rng);
        let outcome = panic::catch_unwind(AssertUnwindSafe(|| check(&input, &mut rng)));
        let failure = match outcome {
            Ok(Ok(())) => None,
            Ok(Err(difference)) => {
                differences += 1;
                Some(difference)
            }
            Err(payload) => {
                panics += 1;
                Some(format!("panic: {}", panic_message(&*payload)))
            }
        };
        if let Some(failure) = failure {
            report_failure(options.seed, case, &input, &failure);
        }
        if options.case.is_none() && inputs.is_multiple_of(1_000_000) {
            eprintln!("fuzz: {inputs} inputs so far, {panics} panics, {differences} differences");
        }
    }
    println!(
        "fuzz: seed {}: {inputs} inputs, {panics} panics, {differences} differences",
        options.seed
    );
    if panics + differences == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

struct Options {
    inputs: u64,
    seed: u64,
    case: Option<u64>,
}

impl Options {
    fn parse(mut args: impl Iterator<Item = String>) -> Option<Options> {
        let mut options = Options {
            inputs: 10_000,
            seed: 1,
            case: None,
        };
        while let Some(flag) = args.next() {
            let value: u64 = args.next()?.parse().ok()?;
            match flag.as_str() {
                "--inputs" => options.inputs = value,
                "--seed" => options.seed = value,
                "--case" => options.case = Some(value),
                _ => return None,
            }
        }
        Some(options)
    }
}

fn report_failure(seed: u64, case: u64, input: &[u8], failure: &str) {
    eprintln!(
        "fuzz: FAILED --seed {seed} --case {case} ({} bytes): {failure}",
        input.len()
    );
    eprintln!("  input: {:?}", String::from_utf8_lossy(input));
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../target/fuzz-failures");
    let written = fs::create_dir_all(&dir)
        .and_then(|()| fs::write(dir.join(format!("seed-{seed}-case-{case}.csv")), input));
    if let Err(error) = written {
        eprintln!("  (could not save the input: {error})");
    }
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_string()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "(not a string)".to_string()
    }
}

// --- the checks ---------------------------------------------------------------------------

/// Reads `input` through every path, whole and in chunks; `Err` says which path differed.
fn check(input: &[u8], rng: &mut Rng) -> Result<(), String> {
    let limits = if rng.chance(2) {
        Limits {
            max_field_bytes: rng.range(1, 64),
            max_record_bytes: rng.range(1, 256),
            max_fields: rng.range(1, 16),
        }
    } else {
        Limits::default()
    };
    let lossy = rng.chance(4);
    let budget = ErrorBudget {
        max_bad_rows: rng.range(0, 8),
        max_bad_percent: u8::try_from(rng.range(0, 100)).unwrap_or(100),
    };
    let chunk_seed = rng.next();
    let chunked = || Chunked::new(input, chunk_seed);
    let bound = input.len() + 2;

    let whole = raw(input, limits, lossy, bound);
    let parts = raw(chunked(), limits, lossy, bound);
    same("raw records", &whole, &parts)?;

    let whole = typed::<_, Order>(Reader::with_limits(input, limits), bound);
    let parts = typed::<_, Order>(Reader::with_limits(chunked(), limits), bound);
    same("typed rows", &whole, &parts)?;

    let whole = typed::<_, Loose>(Reader::with_limits(input, limits), bound);
    let parts = typed::<_, Loose>(Reader::with_limits(chunked(), limits), bound);
    same("typed rows (optional columns)", &whole, &parts)?;

    let whole = import(input, &budget);
    let parts = import(chunked(), &budget);
    same("import", &whole, &parts)
}

fn same(path: &str, whole: &str, chunked: &str) -> Result<(), String> {
    if whole == chunked {
        Ok(())
    } else {
        Err(format!(
            "{path}: whole and chunked reads differ:\n  whole:   {whole}\n  chunked: {chunked}"
        ))
    }
}

/// Every record and error from the raw reader, as text to compare.
fn raw(input: impl BufRead, limits: Limits, lossy: bool, bound: usize) -> String {
    let mut reader = Reader::with_limits(input, limits);
    if lossy {
        reader = reader.lossy_utf8();
    }
    let mut record = RecordBuf::new();
    let mut out = String::new();
    for _ in 0..bound {
        match reader.read_record(&mut record) {
            Ok(true) => {
                let fields: Vec<&str> = record.iter().collect();
                let starts: Vec<_> = (0..record.len())
                    .filter_map(|i| record.position(i))
                    .collect();
                let _ = write!(out, "R{fields:?}{starts:?}{:?};", record.end());
            }
            Ok(false) => return out + "end",
            Err(error) => {
                let _ = write!(out, "E{error:?};");
                if error.is_fatal() {
                    return out + "fatal";
                }
            }
        }
    }
    out + "DID NOT END"
}

/// A row type unlike `Order`: optional columns, unknown ones ignored.
#[derive(Debug, serde::Deserialize)]
#[allow(dead_code)] // read only through `Debug`
struct Loose {
    customer_id: Option<u64>,
    email: String,
    note: Option<String>,
}

/// The header and every typed row, as text to compare.
fn typed<R: BufRead, T: serde::de::DeserializeOwned + std::fmt::Debug>(
    reader: Reader<R>,
    bound: usize,
) -> String {
    let rows = match Rows::<_, T>::new(reader) {
        Ok(rows) => rows,
        Err(error) => return format!("header {error:?}"),
    };
    let mut out = format!("header {:?};", rows.header());
    for (count, row) in rows.enumerate() {
        if count > bound {
            return out + "DID NOT END";
        }
        let _ = write!(out, "{row:?};");
    }
    out
}

/// The import's outcome and the orders it handed on, as text to compare.
fn import(input: impl BufRead, budget: &ErrorBudget) -> String {
    let mut orders = String::new();
    let result = import_orders_with(input, budget, |order| {
        let _ = write!(orders, "{order:?};");
    });
    format!("{result:?} {orders}")
}

/// A reader that hands out 1 to 64 bytes per `fill_buf`, chosen by its own seeded generator.
struct Chunked<'a> {
    data: &'a [u8],
    at: usize,
    window_end: usize,
    rng: Rng,
}

impl<'a> Chunked<'a> {
    fn new(data: &'a [u8], seed: u64) -> Chunked<'a> {
        Chunked {
            data,
            at: 0,
            window_end: 0,
            rng: Rng::new(seed, 0),
        }
    }
}

impl Read for Chunked<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let available = self.fill_buf()?;
        let len = available.len().min(buf.len());
        buf[..len].copy_from_slice(&available[..len]);
        self.consume(len);
        Ok(len)
    }
}

impl BufRead for Chunked<'_> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        if self.at >= self.window_end {
            self.window_end = (self.at + self.rng.range(1, 64)).min(self.data.len());
        }
        Ok(&self.data[self.at..self.window_end])
    }

    fn consume(&mut self, amount: usize) {
        self.at = (self.at + amount).min(self.window_end);
    }
}

// --- the inputs ---------------------------------------------------------------------------

/// Pieces CSV is made of, the well-formed and the hostile.
const TOKENS: &[&[u8]] = &[
    b",",
    b",",
    b",",
    b"\"",
    b"\"\"",
    b"\n",
    b"\n",
    b"\r\n",
    b"\r",
    b"a",
    b"bc",
    b"7",
    b"42",
    b"-",
    b"-5",
    b"12.50",
    b" ",
    b"@",
    b"ann@example.com",
    b".",
    b"\xC3\xA9",
    b"\xE2\x80\x8B",
    b"\xEF\xBB\xBF",
    b"\xFF",
    b"\xC3",
    b"\xE9",
    b"\x00",
    b"\t",
    b";",
    b"sep=,",
    b"sep=;",
    b"customer_id",
    b"email",
    b"amount_cents",
    b"note",
    b"\xF0\x9F\x98\x80",
    b"\xED\xA0\x80",
];

const HEADERS: &[&[u8]] = &[
    b"customer_id,email,amount_cents",
    b"amount_cents,customer_id,email",
    b"customer_id,email,amount_cents,",
    b"\xEF\xBB\xBFcustomer_id,email,amount_cents",
    b"sep=,\ncustomer_id,email,amount_cents",
    b"Customer_ID,email,amount_cents",
    b"customer_id;email;amount_cents",
    b"customer_id,email",
    b"title\ncustomer_id,email,amount_cents",
];

/// One input: random tokens, or an orders file with a few mutations.
fn generate(rng: &mut Rng) -> Vec<u8> {
    if rng.chance(3) {
        let mut input = Vec::new();
        for _ in 0..rng.range(0, 80) {
            input.extend_from_slice(TOKENS[rng.range(0, TOKENS.len() - 1)]);
        }
        return input;
    }
    let mut input = HEADERS[rng.range(0, HEADERS.len() - 1)].to_vec();
    let ending: &[u8] = [&b"\n"[..], b"\r\n", b"\r"][rng.range(0, 2)];
    for row in 0..rng.range(0, 12) {
        input.extend_from_slice(ending);
        let email = if rng.chance(4) {
            "\"quoted, \"\"name\"\"\n@example.com\"".to_string()
        } else {
            format!("c{row}@example.com")
        };
        let _ = write!(
            VecWriter(&mut input),
            "{},{email},{}",
            rng.range(0, 1000),
            rng.range(0, 2_000_000) as i64 - 1_000_000
        );
    }
    if rng.chance(2) {
        input.extend_from_slice(ending);
    }
    // Now and then a field past the default limits: a long quoted note, or invalid UTF-8.
    if rng.chance(10_000) {
        let (open, byte): (&[u8], u8) = if rng.chance(2) {
            (b",\"", b'x')
        } else {
            (b",", 0xFF)
        };
        input.extend_from_slice(open);
        input.resize(input.len() + rng.range(60_000, 80_000), byte);
    }
    for _ in 0..rng.range(1, 4) {
        mutate(&mut input, rng);
    }
    input
}

fn mutate(input: &mut Vec<u8>, rng: &mut Rng) {
    if input.is_empty() {
        input.extend_from_slice(TOKENS[rng.range(0, TOKENS.len() - 1)]);
        return;
    }
    let at = rng.range(0, input.len() - 1);
    match rng.range(0, 3) {
        0 => input[at] ^= 1 << rng.range(0, 7),
        1 => {
            let token = TOKENS[rng.range(0, TOKENS.len() - 1)];
            input.splice(at..at, token.iter().copied());
        }
        2 => {
            let end = (at + rng.range(1, 16)).min(input.len());
            input.drain(at..end);
        }
        _ => {
            let end = (at + rng.range(1, 32)).min(input.len());
            let piece = input[at..end].to_vec();
            input.splice(at..at, piece);
        }
    }
}

/// `write!` into a `Vec<u8>` with `fmt::Write`, which cannot fail.
struct VecWriter<'a>(&'a mut Vec<u8>);

impl std::fmt::Write for VecWriter<'_> {
    fn write_str(&mut self, text: &str) -> std::fmt::Result {
        self.0.extend_from_slice(text.as_bytes());
        Ok(())
    }
}

/// SplitMix64: small, fast and good enough to pick inputs; seeded per case, so any case can be
/// made again on its own.
struct Rng(u64);

impl Rng {
    fn new(seed: u64, case: u64) -> Rng {
        let mut rng = Rng(seed ^ case.wrapping_mul(0xA076_1D64_78BD_642F));
        rng.next();
        rng
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number from `low` to `high`, both included.
    fn range(&mut self, low: usize, high: usize) -> usize {
        let span = (high - low + 1) as u64;
        low + (self.next() % span) as usize
    }

    /// `true` one time in `n`.
    fn chance(&mut self, n: u64) -> bool {
        self.next().is_multiple_of(n)
    }
}
