//! Starting and supervising child processes: the one place the grader starts a program.
//!
//! Every child runs in a process group of its own, registered here while it lives, so that
//! nothing a check starts outlives it:
//!
//! - a [`Group`] ends its whole process group when it is dropped, on every exit path (a
//!   verdict, an error, a panic unwinding);
//! - on Linux the grader is also the "child subreaper" of everything it starts, so a process
//!   that a learner's test leaves behind (a `sleep 1000`, a test that nextest started in a group
//!   of its own) is re-parented to the grader instead of to init, and is ended once no group is
//!   left running ([`sweep`]);
//! - SIGTERM, SIGINT, SIGHUP and SIGQUIT to the grader alone (an editor's task runner stopping
//!   it, a closed terminal) end every registered group and every descendant before the grader
//!   exits ([`install_signal_handlers`]).
//!
//! [`run`] runs a command to its end under a time limit, with its output captured and capped:
//! the first and last [`KEEP_BYTES`] of each stream, and a line saying how much was cut. The
//! time limit holds however much the child prints: the deadline is checked after every chunk,
//! and the pipes are read by threads that block (the child then blocks on its writes) rather
//! than buffer without bound.
//!
//! On platforms other than Unix there are no process groups: a [`Group`] ends its child only.

use std::collections::VecDeque;
use std::io::Read;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// How much of the start and of the end of each output stream is kept.
pub const KEEP_BYTES: usize = 16 * 1024;

/// How often a running child is looked at while it prints nothing.
const TICK: Duration = Duration::from_millis(100);

/// How long the pipes may stay open after the child exited, when something it started (and
/// that escaped its process group) still holds them. The child's own output is already in the
/// pipe by then; this only bounds the wait for an end-of-file that may never come.
const DRAIN_AFTER_EXIT: Duration = Duration::from_secs(1);

/// The process IDs (each its group's ID) of the groups running now.
static LIVE: Mutex<Vec<u32>> = Mutex::new(Vec::new());

fn live() -> MutexGuard<'static, Vec<u32>> {
    // A panic while the list was held leaves it usable: it is a plain list of numbers.
    LIVE.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A child process in a process group of its own, ended with its whole group when dropped.
#[derive(Debug)]
pub struct Group {
    child: Child,
    ended: bool,
}

impl Group {
    /// Starts `command` in a new process group (Unix) and registers it.
    ///
    /// # Errors
    ///
    /// When the program cannot be started.
    pub fn spawn(command: &mut Command) -> std::io::Result<Group> {
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(command, 0);
        // Held while starting, so that a sweep (which runs when no group is left) never sees a
        // process that is about to be registered.
        let mut live = live();
        become_subreaper();
        let child = command.spawn()?;
        live.push(child.id());
        Ok(Group {
            child,
            ended: false,
        })
    }

    /// The child, to take its pipes.
    pub fn child(&mut self) -> &mut Child {
        &mut self.child
    }

    /// Waits for the child to exit, then ends what is left of its group.
    ///
    /// # Errors
    ///
    /// When the operating system cannot wait for it.
    pub fn wait(&mut self) -> std::io::Result<ExitStatus> {
        let status = self.child.wait()?;
        self.end();
        Ok(status)
    }

    /// Ends the child and everything in its group, and waits for the child. Idempotent.
    pub fn end(&mut self) {
        if self.ended {
            return;
        }
        self.ended = true;
        kill_group(self.child.id());
        let _ = self.child.kill();
        let _ = self.child.wait();
        let mut live = live();
        live.retain(|pid| *pid != self.child.id());
        if live.is_empty() {
            sweep();
        }
    }
}

impl Drop for Group {
    fn drop(&mut self) {
        self.end();
    }
}

/// Which output stream a chunk came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    /// Standard output.
    Stdout,
    /// Standard error.
    Stderr,
}

/// How [`run`] bounds a child.
#[derive(Debug, Clone, Copy)]
pub struct Limit {
    /// How long the child may run; `None` for no limit.
    pub time: Option<Duration>,
    /// With `true`, the time limit starts again whenever the observer reports progress (the
    /// libtest watchdog: the limit is per test, not for the whole run).
    pub per_progress: bool,
}

impl Limit {
    /// No time limit.
    pub const NONE: Limit = Limit {
        time: None,
        per_progress: false,
    };

    /// A time limit for the whole run.
    pub fn total(time: Duration) -> Limit {
        Limit {
            time: Some(time),
            per_progress: false,
        }
    }
}

/// What a child printed and how it ended.
#[derive(Debug)]
pub struct Finished {
    /// How it exited; `None` when the grader ended it at the time limit.
    pub status: Option<ExitStatus>,
    /// Its standard output, capped (see [`Capped`]).
    pub stdout: Capped,
    /// Its standard error, capped.
    pub stderr: Capped,
}

impl Finished {
    /// Whether the grader ended it at the time limit.
    pub fn timed_out(&self) -> bool {
        self.status.is_none()
    }

    /// Whether it exited with status 0.
    pub fn success(&self) -> bool {
        self.status.is_some_and(|status| status.success())
    }
}

/// Runs `command` to its end (or its time limit) with its output piped and capped, calling
/// `observe` with every chunk as it arrives; `observe` returns `true` when the chunk showed
/// progress (see [`Limit::per_progress`]). Standard input is closed.
///
/// # Errors
///
/// When the program cannot be started.
pub fn run(
    command: &mut Command,
    limit: Limit,
    observe: &mut dyn FnMut(Stream, &[u8]) -> bool,
) -> std::io::Result<Finished> {
    Running::start(command, KEEP_BYTES)?.finish(limit, observe)
}

/// A child started with its output piped, not yet waited for. Dropping it ends its group.
#[derive(Debug)]
pub struct Running {
    group: Group,
    receiver: mpsc::Receiver<(Stream, Vec<u8>)>,
    keep: usize,
}

impl Running {
    /// Starts `command` with standard input closed and its output piped; `keep` bytes of the
    /// start and of the end of each stream are kept.
    ///
    /// Until [`Running::finish`] reads them, a little of its output waits in memory, then the
    /// child blocks on its writes: start only what will be finished or dropped soon.
    ///
    /// # Errors
    ///
    /// When the program cannot be started.
    pub fn start(command: &mut Command, keep: usize) -> std::io::Result<Running> {
        command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut group = Group::spawn(command)?;
        // Bounded, so a child that prints faster than the grader reads blocks on its own
        // writes instead of growing the grader's memory.
        let (sender, receiver) = mpsc::sync_channel::<(Stream, Vec<u8>)>(16);
        if let Some(stdout) = group.child().stdout.take() {
            forward(stdout, Stream::Stdout, sender.clone());
        }
        if let Some(stderr) = group.child().stderr.take() {
            forward(stderr, Stream::Stderr, sender);
        }
        Ok(Running {
            group,
            receiver,
            keep,
        })
    }

    /// Reads the child's output until it ends or the time limit (counted from now) runs out,
    /// then ends its group. See [`run`].
    ///
    /// # Errors
    ///
    /// When the operating system cannot wait for the child.
    pub fn finish(
        mut self,
        limit: Limit,
        observe: &mut dyn FnMut(Stream, &[u8]) -> bool,
    ) -> std::io::Result<Finished> {
        let mut stdout = Capped::new(self.keep);
        let mut stderr = Capped::new(self.keep);
        let mut deadline = limit.time.map(|time| Instant::now() + time);
        let mut exited: Option<(ExitStatus, Instant)> = None;
        let mut timed_out = false;
        loop {
            let now = Instant::now();
            // Checked before every receive: a child that never stops printing cannot push
            // the deadline away.
            if exited.is_none() && deadline.is_some_and(|deadline| now >= deadline) {
                timed_out = true;
                break;
            }
            if exited.is_some_and(|(_, at)| now >= at + DRAIN_AFTER_EXIT) {
                break;
            }
            let wait = deadline.map_or(TICK, |deadline| {
                deadline.saturating_duration_since(now).min(TICK)
            });
            match self.receiver.recv_timeout(wait) {
                Ok((stream, chunk)) => {
                    match stream {
                        Stream::Stdout => stdout.push(&chunk),
                        Stream::Stderr => stderr.push(&chunk),
                    }
                    if observe(stream, &chunk) && limit.per_progress {
                        deadline = limit.time.map(|time| Instant::now() + time);
                    }
                }
                Err(RecvTimeoutError::Timeout) => {
                    if exited.is_none()
                        && let Ok(Some(status)) = self.group.child().try_wait()
                    {
                        // Whatever it started and left holding the pipes goes with its group.
                        kill_group(self.group.child().id());
                        exited = Some((status, Instant::now()));
                    }
                }
                Err(RecvTimeoutError::Disconnected) => break,
            }
        }
        // The pipes closed: wait for the exit, still within the deadline (a child can close
        // its output and go on running). A child that exits closes its pipes a moment before
        // the system reports the exit, so the first looks come soon after one another: a
        // first nap of a whole tick made about one check in eight 0.1 s slower.
        let mut nap = Duration::from_millis(1);
        while !timed_out && exited.is_none() {
            if let Some(status) = self.group.child().try_wait()? {
                exited = Some((status, Instant::now()));
            } else if let Some(deadline) = deadline {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    timed_out = true;
                } else {
                    std::thread::sleep(left.min(nap));
                    nap = (nap * 2).min(TICK);
                }
            } else {
                exited = Some((self.group.wait()?, Instant::now()));
            }
        }
        let status = if timed_out {
            None
        } else {
            exited.map(|(status, _)| status)
        };
        self.group.end();
        Ok(Finished {
            status,
            stdout,
            stderr,
        })
    }
}

/// Runs `command` to its end with its output captured and capped, without a time limit: for
/// quick tools (git, `cargo metadata`).
///
/// # Errors
///
/// When the program cannot be started.
pub fn output(command: &mut Command) -> std::io::Result<Finished> {
    run(command, Limit::NONE, &mut |_, _| false)
}

/// Runs a trusted tool (git, `cargo metadata`) to its end and keeps all it prints: what it
/// prints is data the grader needs whole, not a learner's output.
///
/// # Errors
///
/// When the program cannot be started.
pub fn output_uncapped(command: &mut Command) -> std::io::Result<Finished> {
    Running::start(command, usize::MAX / 4)?.finish(Limit::NONE, &mut |_, _| false)
}

fn forward(
    mut pipe: impl Read + Send + 'static,
    stream: Stream,
    sender: mpsc::SyncSender<(Stream, Vec<u8>)>,
) {
    std::thread::spawn(move || {
        let mut buffer = vec![0u8; 64 * 1024];
        while let Ok(read @ 1..) = pipe.read(&mut buffer) {
            let chunk = buffer.get(..read).unwrap_or_default().to_vec();
            if sender.send((stream, chunk)).is_err() {
                break;
            }
        }
    });
}

/// The start and the end of a stream of bytes, and how much was cut between them.
#[derive(Debug, Clone, Default)]
pub struct Capped {
    keep: usize,
    head: Vec<u8>,
    tail: VecDeque<u8>,
    total: u64,
}

impl Capped {
    /// Keeps up to `keep` bytes of the start and `keep` of the end.
    pub fn new(keep: usize) -> Capped {
        Capped {
            keep,
            ..Capped::default()
        }
    }

    /// Adds bytes; linear in their length, whatever came before.
    pub fn push(&mut self, mut bytes: &[u8]) {
        self.total += bytes.len() as u64;
        let room = self.keep.saturating_sub(self.head.len());
        if room > 0 {
            let (now, rest) = bytes.split_at(room.min(bytes.len()));
            self.head.extend_from_slice(now);
            bytes = rest;
        }
        if bytes.len() >= self.keep {
            self.tail.clear();
            bytes = bytes.get(bytes.len() - self.keep..).unwrap_or_default();
        }
        let overflow = (self.tail.len() + bytes.len()).saturating_sub(self.keep);
        self.tail.drain(..overflow.min(self.tail.len()));
        self.tail.extend(bytes);
    }

    /// The kept bytes, start then end (all of them when nothing was cut).
    pub fn into_bytes(self) -> Vec<u8> {
        let mut bytes = self.head;
        bytes.extend(self.tail);
        bytes
    }

    /// How many bytes were pushed in all.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// The kept text, with a line saying how much was cut when anything was.
    pub fn text(&self) -> String {
        let kept = (self.head.len() + self.tail.len()) as u64;
        let mut text = String::from_utf8_lossy(&self.head).into_owned();
        if self.total > kept {
            text.push_str(&cut_line(self.total - kept));
        }
        let (first, second) = self.tail.as_slices();
        text.push_str(&String::from_utf8_lossy(&[first, second].concat()));
        text
    }
}

/// The line that stands for the bytes left out of a long output.
fn cut_line(bytes: u64) -> String {
    format!("\n[... {bytes} bytes of output cut here ...]\n")
}

/// `text` with its middle cut when it is longer than twice `keep` bytes.
pub fn cap_text(text: &str, keep: usize) -> String {
    if text.len() <= 2 * keep {
        return text.to_string();
    }
    let mut capped = Capped::new(keep);
    capped.push(text.as_bytes());
    capped.text()
}

/// How a process ended, in words: `exit code 0`, `signal 9 (SIGKILL)`.
pub fn describe_status(status: ExitStatus) -> String {
    if let Some(code) = status.code() {
        return format!("exit code {code}");
    }
    #[cfg(unix)]
    if let Some(signal) = std::os::unix::process::ExitStatusExt::signal(&status) {
        let name = nix::sys::signal::Signal::try_from(signal).map_or_else(
            |_| String::new(),
            |signal| format!(" ({})", signal.as_str()),
        );
        return format!("signal {signal}{name}");
    }
    status.to_string()
}

// ---------------------------------------------------------------------------------------------
// Ending processes

#[cfg(unix)]
fn kill_group(pid: u32) {
    use nix::sys::signal::{Signal, killpg};
    use nix::unistd::Pid;
    if let Ok(pid) = i32::try_from(pid) {
        // An error means the group is already gone, which is what we want.
        let _ = killpg(Pid::from_raw(pid), Signal::SIGKILL);
    }
}

#[cfg(not(unix))]
fn kill_group(_pid: u32) {}

#[cfg(target_os = "linux")]
fn become_subreaper() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // Without it (an old kernel), orphans go to init as before and only groups are ended.
        let _ = nix::sys::prctl::set_child_subreaper(true);
    });
}

#[cfg(not(target_os = "linux"))]
fn become_subreaper() {}

/// Ends every process descended from the grader, and reaps the ones re-parented to it.
///
/// Runs when no [`Group`] is left (so every descendant is a leftover) and on SIGTERM/SIGINT.
#[cfg(target_os = "linux")]
pub fn sweep() {
    use nix::sys::signal::{Signal, kill};
    use nix::sys::wait::{WaitPidFlag, waitpid};
    use nix::unistd::Pid;

    let me = std::process::id();
    // Each round ends the descendants found; their own children are re-parented to the grader
    // and found in the next round. A bound, so a fork bomb cannot keep the grader here.
    for _ in 0..20 {
        let found = descendants(me);
        for pid in &found {
            if let Ok(pid) = i32::try_from(*pid) {
                let _ = kill(Pid::from_raw(pid), Signal::SIGKILL);
            }
        }
        // Reap whatever is ours to reap (killed orphans, and ones that had ended by
        // themselves). No `Child` of the grader is running now, so none is taken from std.
        while let Ok(status) = waitpid(Pid::from_raw(-1), Some(WaitPidFlag::WNOHANG)) {
            if status == nix::sys::wait::WaitStatus::StillAlive {
                break;
            }
        }
        if found.is_empty() {
            return;
        }
        for pid in found {
            if let Ok(pid) = i32::try_from(pid) {
                // Blocks only for our direct children, which SIGKILL ends at once.
                let _ = waitpid(Pid::from_raw(pid), None);
            }
        }
    }
}

#[cfg(not(target_os = "linux"))]
pub fn sweep() {}

/// The process IDs descended from `root`, read from `/proc`.
#[cfg(target_os = "linux")]
fn descendants(root: u32) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    let parents: Vec<(u32, u32)> = entries
        .flatten()
        .filter_map(|entry| {
            let pid: u32 = entry.file_name().to_str()?.parse().ok()?;
            let stat = std::fs::read_to_string(entry.path().join("stat")).ok()?;
            Some((pid, parent_of(&stat)?))
        })
        .collect();
    let mut found = Vec::new();
    let mut frontier = vec![root];
    while let Some(parent) = frontier.pop() {
        for (pid, _) in parents.iter().filter(|(_, ppid)| *ppid == parent) {
            if !found.contains(pid) {
                found.push(*pid);
                frontier.push(*pid);
            }
        }
    }
    found
}

/// The parent's ID in a `/proc/PID/stat` line: `pid (comm) state ppid ...`. The command name
/// may hold spaces and parentheses, so the fields are counted from its last `)`.
#[cfg(target_os = "linux")]
fn parent_of(stat: &str) -> Option<u32> {
    let (_, rest) = stat.rsplit_once(')')?;
    rest.split_whitespace().nth(1)?.parse().ok()
}

/// On SIGTERM, SIGINT, SIGHUP (the terminal was closed) or SIGQUIT, ends every running group
/// and every descendant, then exits with 128 + the signal's number, as a shell reports it.
/// Call once, early in `main`.
#[cfg(unix)]
pub fn install_signal_handlers() {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGQUIT, SIGTERM};
    let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGTERM, SIGINT, SIGHUP, SIGQUIT])
    else {
        // Without handlers the default applies: the grader ends, its groups may not.
        return;
    };
    std::thread::spawn(move || {
        if let Some(signal) = signals.forever().next() {
            let live = live();
            for pid in live.iter() {
                kill_group(*pid);
            }
            sweep();
            std::process::exit(128 + signal);
        }
    });
}

/// Without Unix signals, Ctrl-C ends the grader the usual way.
#[cfg(not(unix))]
pub fn install_signal_handlers() {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capped_keeps_the_start_and_the_end_and_says_how_much_was_cut() {
        let mut capped = Capped::new(4);
        for chunk in ["ab", "cdef", "ghij", "k", "lmnop"] {
            capped.push(chunk.as_bytes());
        }
        assert_eq!(capped.total(), 16);
        assert_eq!(
            capped.text(),
            "abcd\n[... 8 bytes of output cut here ...]\nmnop"
        );
        let mut short = Capped::new(4);
        short.push(b"abcdef");
        assert_eq!(short.text(), "abcdef");
    }

    #[test]
    fn cap_text_leaves_short_text_alone() {
        assert_eq!(cap_text("short", 8), "short");
        assert!(cap_text(&"x".repeat(100), 8).contains("84 bytes of output cut"));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_parent_id_is_read_past_a_name_with_parentheses() {
        assert_eq!(parent_of("42 (a) b (c)) S 7 42 42 0"), Some(7));
    }

    #[cfg(unix)]
    #[test]
    fn a_flood_cannot_push_the_deadline_away_and_is_capped() {
        // `yes` prints without end; only the time limit stops it.
        let finished = run(
            Command::new("yes").arg("flood"),
            Limit::total(Duration::from_millis(300)),
            &mut |_, _| false,
        )
        .unwrap();
        assert!(finished.timed_out());
        assert!(finished.stdout.total() > 2 * KEEP_BYTES as u64);
        assert!(finished.stdout.text().len() < 3 * KEEP_BYTES);
        assert!(finished.stdout.text().contains("bytes of output cut here"));
    }

    #[cfg(unix)]
    #[test]
    fn a_child_that_closes_its_output_and_runs_on_is_still_ended_at_the_limit() {
        let finished = run(
            Command::new("sh").args(["-c", "exec >&- 2>&-; while :; do :; done"]),
            Limit::total(Duration::from_millis(300)),
            &mut |_, _| false,
        )
        .unwrap();
        assert!(finished.timed_out());
    }

    #[cfg(unix)]
    #[test]
    fn a_child_that_exits_gives_its_status_and_output() {
        let finished =
            output(Command::new("sh").args(["-c", "echo out; echo err >&2; exit 3"])).unwrap();
        assert_eq!(finished.status.and_then(|s| s.code()), Some(3));
        assert_eq!(finished.stdout.text(), "out\n");
        assert_eq!(finished.stderr.text(), "err\n");
    }

    /// Whether a process still runs (a zombie has ended); waits a while for a killed one to
    /// go, since a signal is delivered after `kill` returns. The bound only guards a hang.
    #[cfg(target_os = "linux")]
    pub(crate) fn still_runs(pid: u32) -> bool {
        let runs = || {
            std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
                stat.rsplit_once(')')
                    .is_some_and(|(_, rest)| !rest.trim_start().starts_with(['Z', 'X']))
            })
        };
        let started = Instant::now();
        while runs() {
            if started.elapsed() > Duration::from_secs(30) {
                return true;
            }
            std::thread::yield_now();
        }
        false
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn what_a_child_leaves_running_is_ended_with_its_group() {
        // The shell starts a `sleep` that holds the pipe, prints its ID and exits at once.
        let finished = output(Command::new("sh").args(["-c", "sleep 1000 & echo $!"])).unwrap();
        let pid: u32 = finished.stdout.text().trim().parse().unwrap();
        assert!(!still_runs(pid), "sleep {pid} outlived its check");
    }
}
