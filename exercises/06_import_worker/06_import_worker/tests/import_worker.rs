//! The graded tests of step 6.6. Read them: they are the specification.
//!
//! They run the real program: each test starts the binary on a free port of 127.0.0.1, talks
//! HTTP to it with a small client, and stops it with SIGTERM or SIGKILL. Waiting for jobs to
//! finish polls their status with a bound of minutes, far above the real work (a second or
//! two), so a slow machine changes how long a test takes, not its verdict.
//!
//! The chaos test runs 200 jobs and 5 kills here. The long form is
//! `CHAOS_JOBS=1000 CHAOS_KILLS=20 cargo test -p import_worker_solution --test graded chaos -- --nocapture`.

use std::collections::BTreeSet;
use std::fs;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use clap::Parser;
use import_worker::cli::{Cli, Command as CliCommand};
use import_worker::job::{Importer, good_rows_path, rejects_path, summary_path};
use import_worker::spec::JobSpec;
use import_worker::upload::ImportRoot;

/// The program under test: the reference's `import-worker` or the exercise's `my-import-worker`.
fn binary() -> &'static str {
    option_env!("CARGO_BIN_EXE_import-worker")
        .or(option_env!("CARGO_BIN_EXE_my-import-worker"))
        .unwrap_or("the test was built without the binary")
}

/// The longest any wait may take: a hang guard, never a measure of speed.
const PATIENCE: Duration = Duration::from_secs(120);

/// Uploads, outputs and the journal of one test.
struct Dirs {
    dir: tempfile::TempDir,
}

impl Dirs {
    fn new() -> Dirs {
        let dir = tempfile::tempdir().expect("a temporary folder");
        fs::create_dir_all(dir.path().join("import")).expect("mkdir");
        fs::create_dir_all(dir.path().join("out")).expect("mkdir");
        Dirs { dir }
    }
    fn root(&self) -> PathBuf {
        self.dir.path().join("import")
    }
    fn out(&self) -> PathBuf {
        self.dir.path().join("out")
    }
    fn journal(&self) -> PathBuf {
        self.dir.path().join("jobs.journal")
    }
    fn log(&self) -> PathBuf {
        self.dir.path().join("worker.log")
    }
    fn upload(&self, name: &str, text: &str) {
        fs::write(self.root().join(name), text).expect("write an upload");
    }
}

/// A running `import-worker serve`.
struct Server {
    child: Child,
    addr: SocketAddr,
}

impl Server {
    fn start(dirs: &Dirs) -> Server {
        Server::start_with(dirs, &[])
    }

    fn start_with(dirs: &Dirs, extra: &[&str]) -> Server {
        let log = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(dirs.log())
            .expect("open the log");
        let mut child = Command::new(binary())
            .arg("serve")
            .args([
                "--listen",
                "127.0.0.1:0",
                "--concurrency",
                "4",
                "--shutdown-grace-secs",
                "5",
            ])
            .arg("--root")
            .arg(dirs.root())
            .arg("--out")
            .arg(dirs.out())
            .arg("--journal")
            .arg(dirs.journal())
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .expect("start the worker");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("read stdout");
        let addr = line
            .trim()
            .strip_prefix("listening on ")
            .and_then(|addr| addr.parse().ok())
            .unwrap_or_else(|| {
                let log = fs::read_to_string(dirs.log()).unwrap_or_default();
                panic!("the worker must print `listening on ADDR` once ready; got {line:?}\n{log}")
            });
        Server { child, addr }
    }

    fn kill(mut self) {
        self.child.kill().expect("SIGKILL"); // `Child::kill` is SIGKILL on Unix
        let _ = self.child.wait();
    }

    /// Sends SIGTERM and waits for the exit.
    fn terminate(mut self) -> ExitStatus {
        let sent = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(sent.success());
        self.child.wait().expect("wait for the worker")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One HTTP/1.1 request; the status and the body.
fn http(addr: SocketAddr, method: &str, path: &str, body: &str) -> io::Result<(u16, String)> {
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(PATIENCE))?;
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| io::Error::other(format!("not an HTTP response: {response:?}")))?;
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_string());
    Ok((status, body.unwrap_or_default()))
}

fn spec_json(id: &str, upload: &str) -> String {
    format!(r#"{{"job_id": "{id}", "upload": "{upload}", "schema": "orders"}}"#)
}

/// Waits until every job in `ids` has its summary file (its outputs are in place).
fn wait_for_outputs(out: &Path, ids: &BTreeSet<String>) {
    let started = Instant::now();
    loop {
        let missing = ids
            .iter()
            .filter(|id| !out.join(format!("{id}.summary.json")).exists())
            .count();
        if missing == 0 {
            return;
        }
        assert!(
            started.elapsed() < PATIENCE,
            "{missing} acknowledged jobs never finished"
        );
        thread::sleep(Duration::from_millis(20)); // polling a folder, not synchronising
    }
}

/// Polls `GET /jobs/{id}` until the job is done; its answer.
fn wait_until_done(addr: SocketAddr, id: &str) -> serde_json::Value {
    let started = Instant::now();
    loop {
        let (status, body) = http(addr, "GET", &format!("/jobs/{id}"), "").expect("get");
        assert_eq!(status, 200, "{body}");
        let json: serde_json::Value = serde_json::from_str(&body).expect("JSON");
        if json["job"]["status"] == "done" {
            return json;
        }
        assert!(
            started.elapsed() < PATIENCE,
            "job {id} never finished: {body}"
        );
        thread::sleep(Duration::from_millis(20)); // polling, not synchronising
    }
}

const HEADER: &str = "customer_id,email,amount_cents\n";

fn upload_text(variant: usize) -> String {
    let mut text = HEADER.to_string();
    for n in 1..=200 + variant * 50 {
        if n % (7 + variant) == 0 {
            text.push_str(&format!("{n},not-an-email,{n}\n"));
        } else {
            text.push_str(&format!("{n},c{n}@example.com,{}\n", n * 10 + variant));
        }
    }
    text
}

// ---- the command line ----

#[test]
fn serve_listens_on_loopback_unless_told_otherwise() {
    let cli = Cli::try_parse_from([
        "import-worker",
        "serve",
        "--root",
        "r",
        "--out",
        "o",
        "--journal",
        "j",
    ])
    .expect("the required options are enough");
    let CliCommand::Serve(args) = cli.command else {
        panic!("parsed as another command")
    };
    assert!(
        args.listen.ip().is_loopback(),
        "default address {}",
        args.listen
    );
}

#[test]
fn check_reports_a_file_and_exits_by_what_it_found() {
    let dirs = Dirs::new();
    dirs.upload("good.csv", &format!("{HEADER}1,a@b.co,5\n"));
    dirs.upload("bad.csv", &format!("{HEADER}1,a@b.co,5\n2,nobody,7\n"));
    let run = |name: &str| {
        Command::new(binary())
            .arg("check")
            .arg(dirs.root().join(name))
            .output()
            .expect("run check")
    };
    let good = run("good.csv");
    assert_eq!(good.status.code(), Some(0), "{good:?}");
    assert!(String::from_utf8_lossy(&good.stdout).contains("1 rows, 0 bad"));
    let bad = run("bad.csv");
    assert_eq!(bad.status.code(), Some(1), "{bad:?}");
    let text = String::from_utf8_lossy(&bad.stdout);
    assert!(text.contains("line 3, column 3, email"), "{text}");
    let missing = run("missing.csv");
    assert_eq!(missing.status.code(), Some(3), "{missing:?}");
}

#[test]
fn a_damaged_journal_stops_the_start_with_exit_code_3() {
    let dirs = Dirs::new();
    let mut bytes = Vec::new();
    for id in ["a", "b"] {
        let event = format!(r#"{{"event":"finished","job_id":"{id}"}}"#);
        bytes.extend_from_slice(&(event.len() as u32).to_le_bytes());
        bytes.extend_from_slice(&crc32fast::hash(event.as_bytes()).to_le_bytes());
        bytes.extend_from_slice(event.as_bytes());
    }
    bytes[10] ^= 1; // the first record, with a second after it
    fs::write(dirs.journal(), &bytes).expect("write");
    let output = Command::new(binary())
        .args(["serve", "--listen", "127.0.0.1:0"])
        .arg("--root")
        .arg(dirs.root())
        .arg("--out")
        .arg(dirs.out())
        .arg("--journal")
        .arg(dirs.journal())
        .output()
        .expect("run serve");
    assert_eq!(output.status.code(), Some(3), "{output:?}");
    assert!(String::from_utf8_lossy(&output.stderr).contains("damaged"));
}

// ---- HTTP ----

#[test]
fn health_metrics_and_unknown_jobs() {
    let dirs = Dirs::new();
    let server = Server::start(&dirs);
    assert_eq!(
        http(server.addr, "GET", "/healthz", "").expect("healthz").0,
        200
    );
    let (status, text) = http(server.addr, "GET", "/metrics", "").expect("metrics");
    assert_eq!(status, 200);
    assert!(text.contains("import_jobs_accepted_total 0"), "{text}");
    assert_eq!(
        http(server.addr, "GET", "/jobs/nope", "").expect("get").0,
        404
    );
}

#[test]
fn a_job_is_accepted_run_and_reported() {
    let dirs = Dirs::new();
    dirs.upload("u.csv", &format!("{HEADER}1,a@b.co,5\n2,nobody,7\n"));
    let server = Server::start(&dirs);
    let (status, body) =
        http(server.addr, "POST", "/jobs", &spec_json("j-1", "u.csv")).expect("post");
    assert_eq!(status, 202, "{body}");
    let json = wait_until_done(server.addr, "j-1");
    assert!(
        dirs.out().join("j-1.summary.json").exists(),
        "done means the outputs are in place"
    );
    assert_eq!(
        (json["job"]["good"].as_u64(), json["job"]["bad"].as_u64()),
        (Some(1), Some(1))
    );
    let (_, metrics) = http(server.addr, "GET", "/metrics", "").expect("metrics");
    assert!(
        metrics.contains("import_jobs_accepted_total 1"),
        "{metrics}"
    );
    assert!(metrics.contains("import_jobs_done_total 1"), "{metrics}");
}

#[test]
fn a_repeated_job_id_is_recognised_not_run_twice() {
    let dirs = Dirs::new();
    dirs.upload("u.csv", &format!("{HEADER}1,a@b.co,5\n"));
    let server = Server::start(&dirs);
    let body = spec_json("j-2", "u.csv");
    assert_eq!(
        http(server.addr, "POST", "/jobs", &body).expect("post").0,
        202
    );
    let (status, again) = http(server.addr, "POST", "/jobs", &body).expect("post again");
    assert_eq!(
        status, 200,
        "a repeat is answered 200, not accepted again: {again}"
    );
    assert!(again.contains("\"duplicate\":true"), "{again}");
    wait_until_done(server.addr, "j-2");
    // Known after a restart too, from the journal or the outputs.
    server.kill();
    let server = Server::start(&dirs);
    assert_eq!(
        http(server.addr, "POST", "/jobs", &body).expect("post").0,
        200
    );
    let (_, metrics) = http(server.addr, "GET", "/metrics", "").expect("metrics");
    assert!(
        metrics.contains("import_jobs_accepted_total 0"),
        "{metrics}"
    );
}

#[test]
fn bad_requests_are_refused_with_a_reason() {
    let dirs = Dirs::new();
    let server = Server::start(&dirs);
    let (status, body) = http(
        server.addr,
        "POST",
        "/jobs",
        &spec_json("j-3", "../../etc/passwd"),
    )
    .expect("post");
    assert_eq!(status, 400);
    assert!(body.contains("`upload`"), "{body}");
    let huge = format!("{}{}", spec_json("j-4", "u.csv"), " ".repeat(20_000));
    assert_eq!(
        http(server.addr, "POST", "/jobs", &huge).expect("post").0,
        413
    );
    let (_, metrics) = http(server.addr, "GET", "/metrics", "").expect("metrics");
    assert!(
        metrics.contains("import_jobs_accepted_total 0"),
        "{metrics}"
    );
}

#[test]
fn a_full_worker_answers_503_with_retry_after_and_promises_nothing() {
    let dirs = Dirs::new();
    dirs.upload("u.csv", &format!("{HEADER}1,a@b.co,5\n"));
    // No room at all: every job is refused, deterministically.
    let server = Server::start_with(&dirs, &["--max-pending", "0"]);
    let mut stream = TcpStream::connect(server.addr).expect("connect");
    let body = spec_json("j-5", "u.csv");
    write!(
        stream,
        "POST /jobs HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .expect("send");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read");
    assert!(
        response.starts_with("HTTP/1.1 503"),
        "a full worker answers 503; it answered {response:?}"
    );
    assert!(
        response.to_ascii_lowercase().contains("retry-after: 1"),
        "{response}"
    );
    assert_eq!(
        http(server.addr, "GET", "/jobs/j-5", "").expect("get").0,
        404
    );
    let (_, metrics) = http(server.addr, "GET", "/metrics", "").expect("metrics");
    assert!(
        metrics.contains("import_jobs_accepted_total 0"),
        "{metrics}"
    );
}

// ---- crashes and shutdowns ----

/// The bytes each job's three outputs must have: computed in this process by the library,
/// without the server, as "a run without kills".
fn expected_outputs(dirs: &Dirs, variants: usize) -> Vec<[Vec<u8>; 3]> {
    let reference = tempfile::tempdir().expect("a temporary folder");
    let root = ImportRoot::new(dirs.root()).expect("root");
    let importer = Importer::new(root, reference.path());
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    (0..variants)
        .map(|variant| {
            let spec = JobSpec::from_json(spec_json("ref", &format!("u{variant}.csv")).as_bytes())
                .expect("spec");
            runtime
                .block_on(importer.run_spec(spec.clone()))
                .expect("a reference run");
            [
                good_rows_path(reference.path(), &spec.id),
                rejects_path(reference.path(), &spec.id),
                summary_path(reference.path(), &spec.id),
            ]
            .map(|path| fs::read(path).expect("reference output"))
        })
        .collect()
}

/// Checks that `out` holds exactly one complete, correct set of outputs per job of `acked`.
fn assert_outputs(dirs: &Dirs, acked: &BTreeSet<String>, expected: &[[Vec<u8>; 3]]) {
    let out = dirs.out();
    let names: Vec<String> = fs::read_dir(&out)
        .expect("read out")
        .map(|entry| {
            entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    let stray: Vec<&String> = names.iter().filter(|name| name.starts_with('.')).collect();
    assert!(
        stray.is_empty(),
        "temporary or partial files are visible: {stray:?}"
    );
    assert_eq!(
        names.len(),
        3 * acked.len(),
        "one set of three outputs per job"
    );
    for id in acked {
        let variant: usize = id
            .rsplit('-')
            .next()
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
            % expected.len();
        let spec = JobSpec::from_json(spec_json(id, "x.csv").as_bytes()).expect("spec");
        let [good, rejects, summary] = &expected[variant];
        assert_eq!(
            &fs::read(good_rows_path(&out, &spec.id)).expect("good"),
            good,
            "{id}"
        );
        assert_eq!(
            &fs::read(rejects_path(&out, &spec.id)).expect("rejects"),
            rejects,
            "{id}"
        );
        let summary = String::from_utf8_lossy(summary).replace("\"ref\"", &format!("\"{id}\""));
        let written = fs::read_to_string(summary_path(&out, &spec.id)).expect("summary");
        assert_eq!(written, summary, "{id}");
    }
}

/// A seeded pseudo-random number generator (SplitMix64): the kill points repeat per seed.
fn next(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn from_env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The chaos test's job `n`: its ID and its spec, on one of `variants` uploads.
fn chaos_job(n: usize, variants: usize) -> (String, String) {
    let id = format!("chaos-{n:05}-{}", n % variants);
    let body = spec_json(&id, &format!("u{}.csv", n % variants));
    (id, body)
}

#[test]
fn chaos_sigkill_loses_no_acknowledged_job() {
    let jobs = from_env("CHAOS_JOBS", 200);
    let kills = from_env("CHAOS_KILLS", 5);
    let variants = 5;
    let dirs = Dirs::new();
    for variant in 0..variants {
        dirs.upload(&format!("u{variant}.csv"), &upload_text(variant));
    }
    let expected = expected_outputs(&dirs, variants);

    let mut seed = 0x5EED_u64;
    let mut kill_after: Vec<usize> = (0..kills)
        .map(|_| (next(&mut seed) as usize) % jobs)
        .collect();
    kill_after.sort_unstable();

    let server = Server::start(&dirs);
    // The first job goes to a server that has not been killed yet, and must be accepted at
    // once: the client below retries through the restarts, for minutes, and would otherwise
    // spend them on a server that accepts no job at all.
    let (first_id, first) = chaos_job(0, variants);
    match http(server.addr, "POST", "/jobs", &first) {
        Ok((202, _)) => {}
        other => panic!(
            "the chaos test starts once a job is accepted (see \
             `a_job_is_accepted_run_and_reported`); POST /jobs gave {other:?}"
        ),
    }
    let addr = Arc::new(Mutex::new(server.addr));
    let (acks, acked_rx) = mpsc::channel::<String>();
    acks.send(first_id).expect("the receiver is alive");
    let client_addr = Arc::clone(&addr);
    // The client: submits the other jobs, retrying each until it gets its 202 (or 200: the
    // server had journaled it before the kill, and the answer was lost).
    let client = thread::spawn(move || {
        let started = Instant::now();
        for n in 1..jobs {
            let (id, body) = chaos_job(n, variants);
            loop {
                assert!(
                    started.elapsed() < PATIENCE * 2,
                    "the client gave up on {id}"
                );
                let at = *client_addr.lock().expect("not poisoned");
                match http(at, "POST", "/jobs", &body) {
                    Ok((202 | 200, _)) => break,
                    // Refused while the server restarts: back off a little and try again.
                    _ => thread::sleep(Duration::from_millis(5)),
                }
            }
            if acks.send(id).is_err() {
                return;
            }
        }
    });

    let mut acked = BTreeSet::new();
    let mut server = server;
    for point in &kill_after {
        while acked.len() <= *point {
            acked.insert(acked_rx.recv().expect("the client acknowledges jobs"));
        }
        server.kill(); // SIGKILL, whatever the server is doing
        server = Server::start(&dirs);
        *addr.lock().expect("not poisoned") = server.addr;
    }
    acked.extend(acked_rx.iter());
    client.join().expect("the client finished");
    assert_eq!(acked.len(), jobs);

    wait_for_outputs(&dirs.out(), &acked);
    let status = server.terminate();
    assert!(status.success(), "a clean SIGTERM exits 0: {status:?}");
    assert_outputs(&dirs, &acked, &expected);
    let log = fs::read_to_string(dirs.log()).unwrap_or_default();
    let reruns: usize = log
        .lines()
        .filter(|line| line.contains("journal replayed"))
        .filter_map(|line| {
            line.split("pending=")
                .nth(1)?
                .split(' ')
                .next()?
                .parse::<usize>()
                .ok()
        })
        .sum();
    println!(
        "chaos: {} jobs acknowledged, {kills} kills, {reruns} jobs re-queued at restarts, 0 lost",
        acked.len()
    );
}

#[test]
fn a_sigterm_the_moment_it_listens_is_a_graceful_stop() {
    // A process manager may stop the worker at any moment, even right after it started: by the
    // time `listening on` is printed, SIGTERM must already mean "shut down gracefully" (exit 0),
    // not the signal's default action (the process dies at once, exit by signal).
    let dirs = Dirs::new();
    for attempt in 1..=5 {
        let status = Server::start(&dirs).terminate();
        assert!(
            status.success(),
            "start {attempt}: SIGTERM right after `listening on` exits 0, got {status:?}"
        );
    }
}

#[test]
fn sigterm_during_load_loses_nothing_and_exits_in_time() {
    let dirs = Dirs::new();
    for variant in 0..3 {
        dirs.upload(&format!("u{variant}.csv"), &upload_text(variant));
    }
    let expected = expected_outputs(&dirs, 3);
    let server = Server::start(&dirs);
    let mut acked = BTreeSet::new();
    for n in 0..60 {
        let id = format!("term-{n:03}-{}", n % 3);
        let body = spec_json(&id, &format!("u{}.csv", n % 3));
        let (status, text) = http(server.addr, "POST", "/jobs", &body).expect("post");
        assert_eq!(status, 202, "{text}");
        acked.insert(id);
    }
    let started = Instant::now();
    let status = server.terminate();
    assert!(status.success(), "SIGTERM exits 0: {status:?}");
    // The grace is 5 s; this bound only catches a shutdown that ignores it.
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "took {:?}",
        started.elapsed()
    );
    let server = Server::start(&dirs);
    wait_for_outputs(&dirs.out(), &acked);
    drop(server);
    assert_outputs(&dirs, &acked, &expected);
}
