//! The import worker, measured end to end. Figures, not pass or fail.
//!
//! ```text
//! cargo bench -p import_worker_solution --bench end_to_end              # 100 MB, median of 3
//! cargo bench -p import_worker_solution --bench end_to_end -- 20 5      # 20 MB, median of 5
//! cargo bench -p import_worker_solution --bench end_to_end -- memory 1000 1  # memory only, 1 GB
//! ```
//!
//! 1. Throughput: one messy upload (2% bad rows) submitted over HTTP to the real binary until
//!    its summary is renamed into place, beside the bare parser's typed rows in this process
//!    and a Python script doing the same job the usual way (`python_import.py`: csv reader,
//!    validation, `json.dumps` per row), interleaved run by run. MB/s, medians.
//! 2. Memory: the server's peak resident memory (`VmHWM`) after 4 concurrent jobs, for 10 MB
//!    uploads and for uploads of the chosen size: flat means streaming.
//! 3. Latency: 1,000 jobs of 10 KB each, from submit to summary in place: p50 and p95.

use std::error::Error;
use std::fs::{self, File};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use import_worker_solution::rows::{OrderRows, Row};

type BenchResult<T> = Result<T, Box<dyn Error>>;

fn main() -> BenchResult<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // `memory` measures only the peak RSS (a 1 GB throughput run with Python beside it takes
    // many minutes and a lot of disk).
    let memory_only = args.iter().any(|a| a == "memory");
    let numbers: Vec<u64> = args.iter().filter_map(|a| a.parse().ok()).collect();
    let megabytes = numbers.first().copied().unwrap_or(100);
    let runs = numbers.get(1).copied().unwrap_or(3);
    if memory_only {
        return measure_memory(megabytes * 1_000_000, runs);
    }
    let dir = tempfile::tempdir()?;
    let root = dir.path().join("import");
    let out = dir.path().join("out");
    fs::create_dir_all(&root)?;
    fs::create_dir_all(&out)?;
    let big = root.join("big.csv");
    let bytes = write_upload(&big, megabytes * 1_000_000)?;
    let mb = bytes as f64 / 1e6;
    println!("upload: {mb:.1} MB, {runs} runs interleaved");

    let mut server = Server::start(dir.path())?;
    let (mut parser, mut worker, mut python) = (Vec::new(), Vec::new(), Vec::new());
    for run in 0..runs {
        let started = Instant::now();
        let rows = parse_only(&big)?;
        parser.push(mb / started.elapsed().as_secs_f64());

        let id = format!("big-{run}");
        let started = Instant::now();
        server.submit(&id, "big.csv")?;
        wait_for(&out, &[id])?;
        worker.push(mb / started.elapsed().as_secs_f64());

        let started = Instant::now();
        let status = Command::new("python3")
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/python_import.py"))
            .arg(&big)
            .arg(&out)
            .stdout(Stdio::null())
            .status();
        match status {
            Ok(status) if status.success() => python.push(mb / started.elapsed().as_secs_f64()),
            _ => println!("python3 not available: no Python figure"),
        }
        println!("run {run}: {rows} rows");
    }
    let (p, w) = (median(&mut parser), median(&mut worker));
    println!("bare parser, typed rows:          {p:8.1} MB/s");
    println!(
        "worker, HTTP to outputs in place: {w:8.1} MB/s ({:.0}% of the parser)",
        100.0 * w / p
    );
    if !python.is_empty() {
        let py = median(&mut python);
        println!(
            "python csv + json.dumps:          {py:8.1} MB/s (worker {:.1}x)",
            w / py
        );
    }
    server.stop();

    measure_memory(bytes, 1)?;

    // Latency: 1,000 jobs of 10 KB.
    let lat_dir = tempfile::tempdir()?;
    fs::create_dir_all(lat_dir.path().join("import"))?;
    fs::create_dir_all(lat_dir.path().join("out"))?;
    write_upload(&lat_dir.path().join("import/small.csv"), 10_000)?;
    let mut server = Server::start(lat_dir.path())?;
    let lat_out = lat_dir.path().join("out");
    let mut submitted = Vec::new();
    for n in 0..1000 {
        let id = format!("small-{n}");
        server.submit(&id, "small.csv")?;
        submitted.push((id, Instant::now()));
    }
    let mut latencies = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(600);
    while !submitted.is_empty() && Instant::now() < deadline {
        submitted.retain(|(id, at)| {
            let done = lat_out.join(format!("{id}.summary.json")).exists();
            if done {
                latencies.push(at.elapsed().as_secs_f64() * 1000.0);
            }
            !done
        });
        std::thread::sleep(Duration::from_millis(1));
    }
    latencies.sort_by(f64::total_cmp);
    let rank = |q: f64| {
        latencies[((q * latencies.len() as f64).ceil() as usize).clamp(1, latencies.len()) - 1]
    };
    println!(
        "1,000 jobs of 10 KB, submit to outputs in place: p50 {:.1} ms, p95 {:.1} ms (submitted back to back, so later jobs queue)",
        rank(0.5),
        rank(0.95)
    );
    server.stop();
    Ok(())
}

/// Peak RSS of a fresh server (so each peak is its own) after 4 concurrent jobs, for 10 MB
/// uploads and for uploads of `size` bytes, median of `runs`.
fn measure_memory(size: u64, runs: u64) -> BenchResult<()> {
    for (label, size) in [("10 MB", 10_000_000), ("chosen size", size)] {
        let mem_dir = tempfile::tempdir()?;
        let (root, out) = (mem_dir.path().join("import"), mem_dir.path().join("out"));
        fs::create_dir_all(&root)?;
        fs::create_dir_all(&out)?;
        let first = root.join("u0.csv");
        write_upload(&first, size)?;
        for n in 1..4 {
            // Hard links, not copies: four names (so four jobs) for one file's disk space.
            fs::hard_link(&first, root.join(format!("u{n}.csv")))?;
        }
        let mut peaks = Vec::new();
        for run in 0..runs {
            let mut server = Server::start(mem_dir.path())?;
            let ids: Vec<String> = (0..4).map(|n| format!("mem-{run}-{n}")).collect();
            for (n, id) in ids.iter().enumerate() {
                server.submit(id, &format!("u{n}.csv"))?;
            }
            wait_for(&out, &ids)?;
            peaks.push(server.peak_rss_kib()? as f64 / 1024.0);
            server.stop();
            // The outputs of a big run take twice the upload's size on disk, four times over.
            // (The journal stays: the next run's job ids are new.)
            for entry in fs::read_dir(&out)? {
                fs::remove_file(entry?.path())?;
            }
        }
        println!(
            "peak RSS, 4 concurrent jobs of {label} ({:.0} MB each), median of {runs}: {:.1} MB",
            size as f64 / 1e6,
            median(&mut peaks)
        );
    }
    Ok(())
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// Writes a messy orders upload of about `size` bytes: 2% bad rows, some quoted fields.
fn write_upload(path: &Path, size: u64) -> BenchResult<u64> {
    let mut out = std::io::BufWriter::new(File::create(path)?);
    let mut written = 0u64;
    let header = b"customer_id,email,amount_cents\n";
    out.write_all(header)?;
    written += header.len() as u64;
    let mut n = 0u64;
    while written < size {
        n += 1;
        let line = match n % 50 {
            0 => format!("{n},not-an-email,{}\n", n % 9000),
            25 => format!("{n},\"quoted.{n}@example.com\",-{}\n", n % 700),
            _ => format!("{n},customer.{n}@example.com,{}\n", (n * 37) % 100_000),
        };
        out.write_all(line.as_bytes())?;
        written += line.len() as u64;
    }
    out.flush()?;
    Ok(written)
}

/// The parser alone: typed rows counted, nothing written.
fn parse_only(path: &Path) -> BenchResult<u64> {
    let mut rows = 0;
    for row in OrderRows::new(BufReader::new(File::open(path)?))? {
        // Good or bad, a row was parsed and typed: that is the work the worker does per row.
        let (Row::Good(_) | Row::Bad(_)) = row?;
        rows += 1;
    }
    Ok(rows)
}

fn wait_for(out: &Path, ids: &[String]) -> BenchResult<()> {
    // A dead job never gets a summary: give up after a while rather than hang.
    let deadline = Instant::now() + Duration::from_secs(300);
    while !ids
        .iter()
        .all(|id| out.join(format!("{id}.summary.json")).exists())
    {
        if Instant::now() > deadline {
            return Err("a job never finished".into());
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    Ok(())
}

struct Server {
    child: Child,
    addr: SocketAddr,
}

impl Server {
    fn start(dir: &Path) -> BenchResult<Server> {
        let path = |name: &str| -> PathBuf { dir.join(name) };
        let mut child = Command::new(env!("CARGO_BIN_EXE_import-worker"))
            .args(["serve", "--listen", "127.0.0.1:0", "--concurrency", "4"])
            .arg("--root")
            .arg(path("import"))
            .arg("--out")
            .arg(path("out"))
            .arg("--journal")
            .arg(path("jobs.journal"))
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()?;
        let mut line = String::new();
        let stdout = child.stdout.take().ok_or("no stdout")?;
        BufReader::new(stdout).read_line(&mut line)?;
        let addr = line.trim().trim_start_matches("listening on ").parse()?;
        Ok(Server { child, addr })
    }

    fn submit(&mut self, id: &str, upload: &str) -> BenchResult<()> {
        // 2% of the rows are bad: more than the default `max_bad_rows` in a big upload.
        let body = format!(
            r#"{{"job_id":"{id}","upload":"{upload}","schema":"orders","options":{{"max_bad_rows":1000000000}}}}"#
        );
        let mut stream = TcpStream::connect(self.addr)?;
        write!(
            stream,
            "POST /jobs HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )?;
        let mut response = String::new();
        stream.read_to_string(&mut response)?;
        if !response.starts_with("HTTP/1.1 202") {
            return Err(format!("not accepted: {response}").into());
        }
        Ok(())
    }

    fn peak_rss_kib(&self) -> BenchResult<u64> {
        let status = fs::read_to_string(format!("/proc/{}/status", self.child.id()))?;
        let line = status
            .lines()
            .find(|l| l.starts_with("VmHWM:"))
            .ok_or("no VmHWM")?;
        Ok(line.split_whitespace().nth(1).ok_or("no value")?.parse()?)
    }

    fn stop(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
