//! A real PostgreSQL server for the tests, never a mock.
//!
//! - With `DATABASE_URL` set, the tests use that server (a user allowed to create databases).
//! - Otherwise, when PostgreSQL's programs are installed, the first test of this test binary
//!   starts a throwaway cluster in a temporary folder (`initdb`, then `pg_ctl start` with a Unix
//!   socket and no TCP port). A small guard process stops it and deletes the folder when this
//!   test binary exits. As root, the cluster runs as the `postgres` user, because PostgreSQL
//!   refuses to run as root.
//! - With neither, the test fails with one paragraph that says how to get PostgreSQL.
//!
//! A run that is killed outright, its guard too (as the grader ends every process a check
//! started), leaves its cluster behind; the next run that starts one first stops and deletes
//! every such cluster it can prove dead (see [`sweep_stale_clusters`]).
//!
//! Every test gets a fresh database of its own, so tests run in parallel without seeing each
//! other's rows.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio_postgres::{Client, Config, NoTls};

/// What to do when no server can be had: shown instead of a connection error.
const HOW_TO_GET_POSTGRES: &str = "\
Either install PostgreSQL's programs, and the tests start a throwaway server by themselves \
(Debian or Ubuntu: `sudo apt-get install postgresql`; macOS: `brew install postgresql@15`; \
Fedora: `sudo dnf install postgresql-server`), or point them at a server you run yourself, for \
example in a container (`docker run -d -p 5432:5432 -e POSTGRES_PASSWORD=course postgres:15`) \
with `export DATABASE_URL=postgres://postgres:course@localhost:5432/postgres`. Then run \
`cargo grade` again.";

/// Why there is no server when PostgreSQL is simply not installed: the usual case on a new
/// laptop, so it is one paragraph with [`HOW_TO_GET_POSTGRES`] rather than an error above it.
const NOT_INSTALLED: &str = "these tests need a PostgreSQL server: `DATABASE_URL` is not set, \
and PostgreSQL's programs (`initdb`, `pg_ctl`) were not found.";

/// Folders that hold one folder per installed version, each with its own `bin/initdb`:
/// Debian's and Ubuntu's packages, then Homebrew's on Apple silicon and on Intel (Homebrew does
/// not put a versioned `postgresql@15` on the `PATH`).
const VERSIONED_INSTALLS: &[&str] = &["/usr/lib/postgresql", "/opt/homebrew/opt", "/usr/local/opt"];

/// How to reach the server's maintenance database, found or started once per test binary.
static SERVER: OnceLock<Result<Config, String>> = OnceLock::new();
static NEXT_DATABASE: AtomicUsize = AtomicUsize::new(0);

/// A database of its own for one test.
pub struct TestDb {
    config: Config,
}

impl TestDb {
    /// Creates an empty database for this test on the shared server.
    ///
    /// # Panics
    ///
    /// When no server can be had (with the paragraph above), or the database cannot be
    /// created: a test cannot run without one.
    pub async fn new() -> TestDb {
        let server = SERVER.get_or_init(find_or_start_server);
        let admin_config = match server {
            Ok(config) => config.clone(),
            Err(why) if why == NOT_INSTALLED => panic!("{why} {HOW_TO_GET_POSTGRES}"),
            Err(why) => panic!("{why}\n\n{HOW_TO_GET_POSTGRES}"),
        };
        let name = format!(
            "course_test_{}_{}",
            std::process::id(),
            NEXT_DATABASE.fetch_add(1, Ordering::Relaxed)
        );
        let admin = connect_to(&admin_config).await;
        // Two statements, not one batch: `CREATE DATABASE` cannot run inside the implicit
        // transaction a multi-statement batch is.
        for statement in [
            format!("DROP DATABASE IF EXISTS {name}"),
            format!("CREATE DATABASE {name}"),
        ] {
            admin
                .batch_execute(&statement)
                .await
                .unwrap_or_else(|error| panic!("{statement}: {error:?}"));
        }
        let mut config = admin_config;
        config.dbname(&name);
        TestDb { config }
    }

    /// A new connection to this test's database; its connection task runs on the test's
    /// runtime.
    pub async fn connect(&self) -> Client {
        connect_to(&self.config).await
    }

    /// The settings to connect with, for code under test that opens its own connections.
    // Not every step's tests open connections of their own.
    #[allow(dead_code)]
    pub fn config(&self) -> &Config {
        &self.config
    }
}

async fn connect_to(config: &Config) -> Client {
    let (client, connection) = config
        .connect(NoTls)
        .await
        .unwrap_or_else(|error| panic!("connecting to the test server: {error:?}"));
    tokio::spawn(async move {
        // The connection ends with an error when the test ends first; nothing to report.
        let _ = connection.await;
    });
    client
}

fn find_or_start_server() -> Result<Config, String> {
    if let Ok(url) = std::env::var("DATABASE_URL") {
        return url
            .parse::<Config>()
            .map_err(|error| format!("DATABASE_URL is set but is not a PostgreSQL URL: {error}"));
    }
    let bin = postgres_bin_dir().ok_or(NOT_INSTALLED)?;
    let as_root = is_root();
    sweep_stale_clusters(&bin, as_root);
    // One server per test run. cargo-nextest runs each test in a process of its own, under a
    // run id they share; starting a server per test would cost seconds each on a busy machine
    // and bring the tests close to their time limit. The server then lives as long as nextest.
    let (run, owner) = match std::env::var("NEXTEST_RUN_ID") {
        Ok(run) => (run, parent_process_id()),
        Err(_) => (std::process::id().to_string(), std::process::id()),
    };
    let dir = std::env::temp_dir().join(format!("course-postgres-{run}"));
    let lock_path = std::env::temp_dir().join(format!("course-postgres-{run}.lock"));
    let lock = std::fs::File::create(&lock_path)
        .map_err(|error| format!("creating {}: {error}", lock_path.display()))?;
    // The first process starts the server while the others wait here; the lock is released
    // when `lock` is dropped, at the end of this function.
    lock.lock()
        .map_err(|error| format!("locking {}: {error}", lock_path.display()))?;
    if !dir.join("ready").exists() {
        start_cluster(&bin, &dir, owner, as_root)?;
        std::fs::write(dir.join("ready"), "")
            .map_err(|error| format!("writing {}: {error}", dir.display()))?;
    }
    let mut config = Config::new();
    config.host_path(&dir).user("postgres").dbname("postgres");
    Ok(config)
}

#[cfg(unix)]
fn parent_process_id() -> u32 {
    std::os::unix::process::parent_id()
}

#[cfg(not(unix))]
fn parent_process_id() -> u32 {
    std::process::id()
}

/// The folder holding `initdb` and `pg_ctl`: `pg_config --bindir`, the newest version in one of
/// [`VERSIONED_INSTALLS`], or the `PATH` (an empty path, so that `bin.join("initdb")` is the
/// bare name).
fn postgres_bin_dir() -> Option<PathBuf> {
    if let Ok(output) = Command::new("pg_config").arg("--bindir").output() {
        let dir = PathBuf::from(String::from_utf8_lossy(&output.stdout).trim());
        if output.status.success() && dir.join("initdb").exists() {
            return Some(dir);
        }
    }
    for installs in VERSIONED_INSTALLS {
        let Ok(versions) = std::fs::read_dir(installs) else {
            continue;
        };
        // Homebrew's folder holds every formula: only PostgreSQL's have an `initdb`.
        let mut dirs: Vec<PathBuf> = versions
            .filter_map(|entry| Some(entry.ok()?.path().join("bin")))
            .filter(|dir| dir.join("initdb").exists())
            .collect();
        dirs.sort();
        if let Some(newest) = dirs.pop() {
            return Some(newest);
        }
    }
    let on_path = Command::new("initdb")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    on_path
        .is_ok_and(|status| status.success())
        .then(PathBuf::new)
}

/// Starts a cluster in `dir`, stopped and deleted once process `owner` has exited.
fn start_cluster(bin: &Path, dir: &Path, owner: u32, as_root: bool) -> Result<(), String> {
    // A folder left by an earlier run with the same id is stale.
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).map_err(|error| format!("creating {}: {error}", dir.display()))?;
    // Who the cluster is for: once that process is gone, a later run may delete the cluster.
    std::fs::write(dir.join("owner"), owner.to_string())
        .map_err(|error| format!("writing {}: {error}", dir.display()))?;
    if as_root {
        run(Command::new("chown").arg("postgres").arg(dir), "chown")?;
    }
    let data = dir.join("data");
    let initdb = bin.join("initdb");
    let pg_ctl = bin.join("pg_ctl");
    run(
        postgres_command(as_root, &initdb)
            .arg("-D")
            .arg(&data)
            .args(["-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C"])
            // The cluster lives for one test run: durability on disk buys nothing here.
            .arg("--no-sync"),
        "initdb",
    )?;
    // No TCP port: the socket lives in our folder, so parallel runs never collide. Dynamic
    // shared memory as files in the data folder (`mmap`), not in `/dev/shm`: a server that is
    // killed (the grader ends every process a check started) cannot remove its segments, and
    // these go with the folder.
    let options = format!(
        "-k {} -c listen_addresses='' -c fsync=off -c max_connections=200 \
         -c dynamic_shared_memory_type=mmap",
        dir.display()
    );
    // The server, like the guard, leaves the test's process group (`setsid`): it serves every
    // test of the run, not only the one that happened to start it.
    let mut start = Command::new("setsid");
    start.args(postgres_argv(as_root, &pg_ctl));
    run(
        start
            .arg("-D")
            .arg(&data)
            .arg("-o")
            .arg(&options)
            .arg("-l")
            .arg(dir.join("server.log"))
            .args(["-w", "start"]),
        "pg_ctl start",
    )?;
    spawn_guard(as_root, &pg_ctl, dir, &data, owner)
}

/// Stops and deletes the clusters of earlier runs (`course-postgres-*` in the temporary folder)
/// that are provably dead: no run is starting it (its `.lock` file is not locked), and the
/// process it was for is gone (its `owner` file), or, for a folder without one, its server is
/// not running (`data/postmaster.pid` names no live process). The guard of each run does this
/// when the run ends; a run killed together with its guard (a killed container, a reboot of
/// the session) leaves it to the next run. So does every `cargo grade` check: the grader ends
/// every process a check started, this run's server and guard too. Anything uncertain is left
/// alone: a process id that cannot be checked counts as alive.
fn sweep_stale_clusters(bin: &Path, as_root: bool) {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let dir = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.starts_with("course-postgres-") || name.ends_with(".lock") || !dir.is_dir() {
            continue;
        }
        let lock_path = PathBuf::from(format!("{}.lock", dir.display()));
        // A run starting this cluster holds the lock until the server is ready; `try_lock`
        // does not wait for it. The lock is ours until `lock` is dropped at the end of the
        // loop's turn, so no run can start this cluster while it is being deleted.
        let Ok(lock) = std::fs::File::create(&lock_path) else {
            continue;
        };
        if lock.try_lock().is_err() {
            continue;
        }
        let data = dir.join("data");
        let postmaster = read_pid(&data.join("postmaster.pid"));
        let dead = match read_pid(&dir.join("owner")) {
            Some(owner) => !is_running(owner),
            None => !postmaster.is_some_and(is_running),
        };
        if !dead {
            continue;
        }
        if postmaster.is_some_and(is_running) {
            let _ = postgres_command(as_root, &bin.join("pg_ctl"))
                .arg("-D")
                .arg(&data)
                .args(["-m", "immediate", "stop"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
        remove_shared_memory(&data.join("postmaster.pid"));
        let _ = std::fs::remove_dir_all(&dir);
        let _ = std::fs::remove_file(&lock_path);
    }
}

/// Removes the small System V shared memory segment a killed server leaves (56 bytes, but each
/// counts against the machine's limit on segments). `postmaster.pid` names it on its seventh
/// line (`key shmid`); it is removed only when no process is attached to it (`nattch=0`).
fn remove_shared_memory(postmaster_pid: &Path) {
    let Ok(text) = std::fs::read_to_string(postmaster_pid) else {
        return;
    };
    let Some(shmid) = text
        .lines()
        .nth(6)
        .and_then(|line| line.split_whitespace().nth(1))
        .and_then(|id| id.parse::<u64>().ok())
    else {
        return;
    };
    let shmid = shmid.to_string();
    let unattached = Command::new("ipcs")
        .args(["-m", "-i", &shmid])
        .output()
        .is_ok_and(|output| {
            output.status.success() && String::from_utf8_lossy(&output.stdout).contains("nattch=0")
        });
    if unattached {
        let _ = Command::new("ipcrm")
            .args(["-m", &shmid])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

/// The process id on the first line of `path`, if it holds one.
fn read_pid(path: &Path) -> Option<u32> {
    let text = std::fs::read_to_string(path).ok()?;
    text.lines().next()?.trim().parse().ok()
}

/// Whether process `pid` runs: `/proc/<pid>` where there is a `/proc`, else `ps -p`. When
/// neither can tell, it counts as running, so that nothing live is deleted.
fn is_running(pid: u32) -> bool {
    if Path::new("/proc/self").exists() {
        return Path::new("/proc").join(pid.to_string()).exists();
    }
    Command::new("ps")
        .args(["-p", &pid.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .ok()
        .is_none_or(|status| status.success())
}

/// Starts a process that waits for `owner` to exit, then stops the cluster and deletes its
/// folder. A `Drop` cannot do it: statics are never dropped, and a test that panics or times
/// out must not leave a server behind.
fn spawn_guard(
    as_root: bool,
    pg_ctl: &Path,
    dir: &Path,
    data: &Path,
    owner: u32,
) -> Result<(), String> {
    let stop = format!(
        "{}'{}' -D '{}' -m immediate stop",
        if as_root {
            "runuser -u postgres -- "
        } else {
            ""
        },
        pg_ctl.display(),
        data.display()
    );
    // Polling once a second is only for the clean-up after the run, never for a test's verdict.
    let script = format!(
        "while kill -0 {owner} 2>/dev/null; do sleep 1; done; {stop} >/dev/null 2>&1; \
         rm -rf '{dir}' '{dir}.lock'",
        dir = dir.display()
    );
    // `setsid`: the guard leaves the test's process group, so a test runner that ends the
    // group of a timed-out test does not end the guard before it has cleaned up.
    Command::new("setsid")
        .args(["sh", "-c", &script])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map(drop)
        .map_err(|error| format!("starting the clean-up guard: {error}"))
}

/// The command line that runs a PostgreSQL program, as the `postgres` user when we are root
/// (PostgreSQL refuses to run as root).
fn postgres_argv(as_root: bool, program: &Path) -> Vec<std::ffi::OsString> {
    let mut argv = Vec::new();
    if as_root {
        argv.extend(["runuser", "-u", "postgres", "--"].map(std::ffi::OsString::from));
    }
    argv.push(program.as_os_str().to_owned());
    argv
}

fn postgres_command(as_root: bool, program: &Path) -> Command {
    if as_root {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--"]).arg(program);
        command
    } else {
        Command::new(program)
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|output| output.stdout.trim_ascii() == b"0")
}

fn run(command: &mut Command, what: &str) -> Result<(), String> {
    let output = command
        .output()
        .map_err(|error| format!("{what} could not be started: {error}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{what} failed: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}
