//! The server the bench runs against: the caller's (`DATABASE_URL`) or a throwaway cluster
//! with fsync ON, stopped and deleted when the bench ends, fails or is killed.

use std::env;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use tokio_postgres::{Client, Config, NoTls};

use crate::BenchResult;

pub async fn connect(config: &Config) -> Result<Client, tokio_postgres::Error> {
    let (client, connection) = config.connect(NoTls).await?;
    tokio::spawn(async move {
        // The connection ends with an error when the bench ends first; nothing to report.
        let _ = connection.await;
    });
    Ok(client)
}

/// Connection settings as text a worker process parses back: the socket folder or host, the
/// port, the user, the password and the database.
pub fn conninfo(config: &Config) -> String {
    let quote = |value: &str| format!("'{}'", value.replace('\\', "\\\\").replace('\'', "\\'"));
    let mut parts = Vec::new();
    for host in config.get_hosts() {
        match host {
            tokio_postgres::config::Host::Tcp(name) => parts.push(format!("host={}", quote(name))),
            #[cfg(unix)]
            tokio_postgres::config::Host::Unix(path) => {
                parts.push(format!("host={}", quote(&path.to_string_lossy())));
            }
        }
    }
    if let Some(port) = config.get_ports().first() {
        parts.push(format!("port={port}"));
    }
    if let Some(user) = config.get_user() {
        parts.push(format!("user={}", quote(user)));
    }
    if let Some(password) = config.get_password() {
        parts.push(format!(
            "password={}",
            quote(&String::from_utf8_lossy(password))
        ));
    }
    if let Some(dbname) = config.get_dbname() {
        parts.push(format!("dbname={}", quote(dbname)));
    }
    parts.join(" ")
}

/// The server the bench runs against: the caller's (`DATABASE_URL`) or a throwaway cluster.
pub struct Server {
    base: Config,
    /// The database to connect to for `CREATE DATABASE`.
    pub admin_db: String,
    /// `Some` for a cluster this bench started: stopped and deleted on drop.
    cluster: Option<Cluster>,
}

struct Cluster {
    dir: PathBuf,
    pg_ctl: PathBuf,
    as_root: bool,
}

impl Server {
    pub fn find_or_start() -> BenchResult<Server> {
        if let Ok(url) = env::var("DATABASE_URL") {
            let base: Config = url
                .parse()
                .map_err(|error| format!("DATABASE_URL is not a PostgreSQL URL: {error}"))?;
            let admin_db = base.get_dbname().unwrap_or("postgres").to_string();
            return Ok(Server {
                base,
                admin_db,
                cluster: None,
            });
        }
        let bin = postgres_bin_dir().ok_or(
            "the queue bench needs PostgreSQL: install it (Debian or Ubuntu: `sudo apt-get \
             install postgresql`; macOS: `brew install postgresql@15`) or set DATABASE_URL",
        )?;
        let cluster = Cluster::start(&bin)?;
        let mut base = Config::new();
        base.host_path(&cluster.dir).user("postgres");
        Ok(Server {
            base,
            admin_db: "postgres".to_string(),
            cluster: Some(cluster),
        })
    }

    pub fn config(&self, dbname: &str) -> Config {
        let mut config = self.base.clone();
        config.dbname(dbname);
        config
    }

    pub fn describe(&self) -> &'static str {
        if self.cluster.is_some() {
            "a throwaway local cluster, Unix socket"
        } else {
            "DATABASE_URL"
        }
    }
}

impl Cluster {
    fn start(bin: &Path) -> BenchResult<Cluster> {
        let dir = env::temp_dir().join(format!("course-queue-bench-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)?;
        let as_root = is_root();
        let cluster = Cluster {
            dir,
            pg_ctl: bin.join("pg_ctl"),
            as_root,
        };
        // From here on, `cluster`'s drop deletes the folder, whatever fails next.
        if as_root {
            run(
                Command::new("chown").arg("postgres").arg(&cluster.dir),
                "chown",
            )?;
        }
        let data = cluster.dir.join("data");
        // `--no-sync` only skips initdb's own final flush of the new files; the server below
        // syncs every commit.
        run(
            cluster
                .command(&bin.join("initdb"))
                .arg("-D")
                .arg(&data)
                .args(["-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C"])
                .arg("--no-sync"),
            "initdb",
        )?;
        // fsync ON, unlike the tests' cluster: a commit here costs what it costs in production.
        // No TCP port: the socket lives in our folder.
        let options = format!(
            "-k {} -c listen_addresses='' -c fsync=on -c synchronous_commit=on \
             -c max_connections=50",
            cluster.dir.display()
        );
        cluster.spawn_guard()?;
        run(
            cluster
                .command(&cluster.pg_ctl)
                .arg("-D")
                .arg(&data)
                .arg("-o")
                .arg(&options)
                .arg("-l")
                .arg(cluster.dir.join("server.log"))
                .args(["-w", "start"]),
            "pg_ctl start",
        )?;
        Ok(cluster)
    }

    fn command(&self, program: &Path) -> Command {
        if self.as_root {
            // PostgreSQL refuses to run as root.
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(program);
            command
        } else {
            Command::new(program)
        }
    }

    /// A process that stops the cluster and deletes its folder if this bench is killed (a
    /// `Drop` does not run then). After a normal end it finds nothing left to do.
    fn spawn_guard(&self) -> BenchResult<()> {
        let stop = format!(
            "{}'{}' -D '{}' -m immediate stop",
            if self.as_root {
                "runuser -u postgres -- "
            } else {
                ""
            },
            self.pg_ctl.display(),
            self.dir.join("data").display()
        );
        // Polling once a second only delays the clean-up after a killed run.
        let script = format!(
            "while kill -0 {} 2>/dev/null; do sleep 1; done; \
             if [ -d '{dir}' ]; then {stop} >/dev/null 2>&1; rm -rf '{dir}'; fi",
            std::process::id(),
            dir = self.dir.display()
        );
        // `setsid`: out of the bench's process group, so Ctrl-C does not end the guard too.
        Command::new("setsid")
            .args(["sh", "-c", &script])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        Ok(())
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let data = self.dir.join("data");
        if data.join("postmaster.pid").exists() {
            // `fast`: roll back open sessions and shut down cleanly; nothing here is kept.
            let _ = self
                .command(&self.pg_ctl)
                .arg("-D")
                .arg(&data)
                .args(["-m", "fast", "-w", "stop"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The folder holding `initdb` and `pg_ctl`: `pg_config --bindir`, Debian's versioned folders,
/// or the `PATH` (an empty path, so that `bin.join("initdb")` is the bare name).
fn postgres_bin_dir() -> Option<PathBuf> {
    if let Ok(output) = Command::new("pg_config").arg("--bindir").output() {
        let dir = PathBuf::from(String::from_utf8_lossy(&output.stdout).trim());
        if output.status.success() && dir.join("initdb").exists() {
            return Some(dir);
        }
    }
    if let Ok(versions) = std::fs::read_dir("/usr/lib/postgresql") {
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

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|output| output.stdout.trim_ascii() == b"0")
}

fn run(command: &mut Command, what: &str) -> BenchResult<()> {
    let output = command.output()?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{what} failed: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
        .into())
    }
}
