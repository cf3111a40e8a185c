//! One supervised server process: spawned in its own process group, pinned
//! to CPUs, with stdout/stderr drained into ring buffers, the startup clock
//! ([`Supervised::wait_ready`]) and a stop that reaches the whole group
//! (SIGTERM, then SIGKILL) — also when the handle is dropped, so no server
//! outlives Gauntlet, even on panic.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

use crate::cpus::CpuSet;
use crate::interrupt::Interrupt;
use crate::servers::ServerEntry;

/// Lines of stderr (and of stdout) kept per process.
const RING_LINES: usize = 200;
/// Longer lines are cut to this many bytes in the ring buffers.
const MAX_LINE_BYTES: usize = 4096;
/// Pause between readiness probes (the startup clock's resolution).
const POLL_INTERVAL: Duration = Duration::from_micros(500);
/// Grace period used when a handle is dropped without `stop`.
const DROP_GRACE: Duration = Duration::from_secs(2);
/// Times a server whose port was taken before it could bind is started again
/// on a fresh port (see [`Supervised::wait_ready_or_interrupt`]).
const PORT_TAKEN_RETRIES: u32 = 2;

/// How to start a server.
#[derive(Debug, Clone, Default)]
pub struct LaunchOptions {
    /// Pin the server (and every process it starts) to these CPUs.
    pub cpus: Option<CpuSet>,
    /// Extra environment, applied after the manifest's `[env]`
    /// (e.g. `UPSTREAM_URL`).
    pub extra_env: Vec<(String, String)>,
}

/// Why a server did not become ready.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The process ended before answering.
    #[error("{server} exited before it was ready ({status}){}", tail_text(.stderr_tail))]
    Exited {
        /// Server name.
        server: String,
        /// How it ended.
        status: ExitStatus,
        /// Its last stderr lines.
        stderr_tail: Vec<String>,
    },
    /// No correct answer within the timeout.
    #[error("{server} was not ready after {timeout:?}: {last_problem}{}", tail_text(.stderr_tail))]
    Timeout {
        /// Server name.
        server: String,
        /// The timeout that ran out.
        timeout: Duration,
        /// What the last probe saw (connection refused, status 503, ...).
        last_problem: String,
        /// Its last stderr lines.
        stderr_tail: Vec<String>,
    },
}

/// Why [`Supervised::wait_ready_or_interrupt`] gave up.
#[derive(Debug, thiserror::Error)]
pub enum WaitError {
    /// The server did not become ready.
    #[error(transparent)]
    Start(#[from] StartError),
    /// The user asked to stop (Ctrl-C) while waiting.
    #[error("stopped while waiting for {server} to be ready (interrupted)")]
    Interrupted {
        /// Server name.
        server: String,
    },
}

impl StartError {
    /// The server's last stderr lines.
    pub fn stderr_tail(&self) -> &[String] {
        match self {
            StartError::Exited { stderr_tail, .. } | StartError::Timeout { stderr_tail, .. } => {
                stderr_tail
            }
        }
    }

    /// The exit status, when the process ended.
    pub fn exit_status(&self) -> Option<ExitStatus> {
        match self {
            StartError::Exited { status, .. } => Some(*status),
            StartError::Timeout { .. } => None,
        }
    }
}

fn tail_text(lines: &[String]) -> String {
    if lines.is_empty() {
        "; it wrote nothing to stderr".to_string()
    } else {
        format!("; last lines of its stderr:\n  {}", lines.join("\n  "))
    }
}

/// A running server. Dropping it stops the whole process group.
#[derive(Debug)]
pub struct Supervised {
    name: String,
    child: Child,
    status: Option<ExitStatus>,
    port: u16,
    ready_path: String,
    spawned_at: Instant,
    stderr: Arc<Mutex<VecDeque<String>>>,
    stdout: Arc<Mutex<VecDeque<String>>>,
    stderr_closed: Arc<AtomicBool>,
    /// What it was started from, to start it again on a fresh port.
    entry: ServerEntry,
    opts: LaunchOptions,
    port_retries_left: u32,
}

/// Starts `entry` on a free port of 127.0.0.1 (the port goes into the
/// manifest's `port_env`), in its own process group, pinned to `opts.cpus`.
pub fn launch(entry: &ServerEntry, opts: &LaunchOptions) -> Result<Supervised> {
    let m = &entry.manifest;
    let port = free_port().context("finding a free port")?;
    let mut cmd = Command::new(entry.program(&m.run[0]));
    cmd.args(&m.run[1..])
        .current_dir(&entry.dir)
        .envs(&m.env)
        .env(&m.port_env, port.to_string())
        .envs(opts.extra_env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    let cpus = opts.cpus.clone();
    // SAFETY: the closure runs between fork and exec and only makes system
    // calls (prctl, getppid, sched_setaffinity, _exit), which are async-signal-safe.
    unsafe {
        let parent = libc::getpid();
        cmd.pre_exec(move || {
            // If Gauntlet dies (even by SIGKILL) the server gets SIGKILL.
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            if libc::getppid() != parent {
                libc::_exit(1);
            }
            if let Some(cpus) = &cpus {
                cpus.pin_current_thread()?;
            }
            Ok(())
        });
    }
    let spawned_at = Instant::now();
    let mut child = spawn_from_spawner_thread(cmd)
        .with_context(|| format!("starting {} (`{}`)", m.name, m.run.join(" ")))?;
    let stderr = Arc::new(Mutex::new(VecDeque::new()));
    let stdout = Arc::new(Mutex::new(VecDeque::new()));
    let stderr_closed = Arc::new(AtomicBool::new(false));
    if let Some(pipe) = child.stderr.take() {
        let closed = Arc::clone(&stderr_closed);
        drain_lines(
            pipe,
            Arc::clone(&stderr),
            closed,
            format!("{}-stderr", m.name),
        );
    }
    if let Some(pipe) = child.stdout.take() {
        let closed = Arc::new(AtomicBool::new(false));
        drain_lines(
            pipe,
            Arc::clone(&stdout),
            closed,
            format!("{}-stdout", m.name),
        );
    }
    Ok(Supervised {
        name: m.name.clone(),
        child,
        status: None,
        port,
        ready_path: m.ready_path.clone(),
        spawned_at,
        stderr,
        stdout,
        stderr_closed,
        entry: entry.clone(),
        opts: opts.clone(),
        port_retries_left: PORT_TAKEN_RETRIES,
    })
}

/// `PR_SET_PDEATHSIG` fires when the *thread* that forked the child ends, so
/// every server is forked from one thread that lives as long as the process.
fn spawn_from_spawner_thread(cmd: Command) -> Result<Child> {
    type Request = (Command, mpsc::Sender<std::io::Result<Child>>);
    static SPAWNER: OnceLock<Mutex<mpsc::Sender<Request>>> = OnceLock::new();
    let sender = SPAWNER
        .get_or_init(|| {
            let (tx, rx) = mpsc::channel::<Request>();
            let spawned = std::thread::Builder::new()
                .name("gauntlet-spawner".into())
                .spawn(move || {
                    for (mut cmd, reply) in rx {
                        let _ = reply.send(cmd.spawn());
                    }
                });
            if let Err(e) = spawned {
                eprintln!("warning: cannot start the spawner thread: {e}");
            }
            Mutex::new(tx)
        })
        .lock()
        .map_err(|_| anyhow::anyhow!("spawner lock poisoned"))?
        .clone();
    let (reply_tx, reply_rx) = mpsc::channel();
    sender
        .send((cmd, reply_tx))
        .map_err(|_| anyhow::anyhow!("the spawner thread is gone"))?;
    Ok(reply_rx
        .recv()
        .map_err(|_| anyhow::anyhow!("the spawner thread is gone"))??)
}

fn drain_lines(
    pipe: impl Read + Send + 'static,
    ring: Arc<Mutex<VecDeque<String>>>,
    closed: Arc<AtomicBool>,
    name: String,
) {
    let spawned = std::thread::Builder::new().name(name).spawn(move || {
        let mut reader = BufReader::new(pipe);
        let mut buf = Vec::new();
        loop {
            buf.clear();
            match reader.read_until(b'\n', &mut buf) {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    let kept = &buf[..buf.len().min(MAX_LINE_BYTES)];
                    let line = String::from_utf8_lossy(kept).trim_end().to_string();
                    if let Ok(mut ring) = ring.lock() {
                        if ring.len() == RING_LINES {
                            ring.pop_front();
                        }
                        ring.push_back(line);
                    }
                }
            }
        }
        closed.store(true, Ordering::Release);
    });
    if let Err(e) = spawned {
        eprintln!("warning: cannot read the server's output: {e}");
    }
}

/// True when a server's last stderr lines say its listen address was taken.
/// Every reference server says it in these words (checked by hand against a
/// held port): Rust "Address already in use (os error 98)", Go "bind:
/// address already in use", Java "BindException: Address already in use",
/// Node "listen EADDRINUSE: address already in use", Python "OSError:
/// [Errno 98] Address already in use".
fn says_port_taken(stderr_tail: &[String]) -> bool {
    stderr_tail.iter().any(|line| {
        let line = line.to_ascii_lowercase();
        line.contains("address already in use") || line.contains("eaddrinuse")
    })
}

/// A port that was free a moment ago on 127.0.0.1.
pub fn free_port() -> std::io::Result<u16> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
    Ok(listener.local_addr()?.port())
}

impl Supervised {
    /// The server's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Process id of the process started (also its process group id).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The port the server was told to listen on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `http://127.0.0.1:<port>`, without a trailing slash.
    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// When the process was spawned.
    pub fn spawned_at(&self) -> Instant {
        self.spawned_at
    }

    /// Polls `GET ready_path` every ≤ 1 ms until a 200 answer and returns the
    /// time from spawn to that answer. Fails early if the process exits.
    ///
    /// The port is picked by binding port 0 and releasing it, so another
    /// process can take it before the server binds it. A server that exits
    /// before it is ready saying its address is in use is therefore started
    /// again on a fresh port (at most twice, within the same timeout); the
    /// handle then holds the new process, and the time returned is that of
    /// the start that succeeded.
    pub fn wait_ready(&mut self, timeout: Duration) -> Result<Duration, StartError> {
        match self.wait_ready_or_interrupt(timeout, &Interrupt::new()) {
            Ok(took) => Ok(took),
            Err(WaitError::Start(e)) => Err(e),
            Err(WaitError::Interrupted { server }) => Err(StartError::Timeout {
                server,
                timeout,
                last_problem: "interrupted".into(),
                stderr_tail: Vec::new(),
            }),
        }
    }

    /// [`Supervised::wait_ready`] that also gives up (with
    /// [`WaitError::Interrupted`]) as soon as `interrupt` is raised (Ctrl-C).
    pub fn wait_ready_or_interrupt(
        &mut self,
        timeout: Duration,
        interrupt: &Interrupt,
    ) -> Result<Duration, WaitError> {
        let deadline = Instant::now() + timeout;
        let mut last_problem = "no probe made".to_string();
        loop {
            if let Some(status) = self.exit_status() {
                self.settle_stderr(Duration::from_millis(500));
                let stderr_tail = self.stderr_tail(20);
                if self.port_retries_left > 0 && says_port_taken(&stderr_tail) {
                    if let Ok(mut fresh) = launch(&self.entry, &self.opts) {
                        eprintln!(
                            "note: port {} was taken before {} could listen on it; \
                             starting it again on port {}",
                            self.port, self.name, fresh.port
                        );
                        fresh.port_retries_left = self.port_retries_left - 1;
                        *self = fresh;
                        continue;
                    }
                }
                return Err(WaitError::Start(StartError::Exited {
                    server: self.name.clone(),
                    status,
                    stderr_tail,
                }));
            }
            if interrupt.is_raised() {
                return Err(WaitError::Interrupted {
                    server: self.name.clone(),
                });
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(WaitError::Start(StartError::Timeout {
                    server: self.name.clone(),
                    timeout,
                    last_problem,
                    stderr_tail: self.stderr_tail(20),
                }));
            }
            let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, self.port));
            match probe(addr, &self.ready_path, deadline - now) {
                Ok(200) => return Ok(self.spawned_at.elapsed()),
                Ok(status) => last_problem = format!("GET {} answered {status}", self.ready_path),
                Err(e) => last_problem = format!("GET {}: {e}", self.ready_path),
            }
            std::thread::sleep(POLL_INTERVAL);
        }
    }

    /// After the process ended: waits (at most `limit`) until its stderr
    /// has been read to the end, so that [`Supervised::stderr_tail`] holds
    /// the last lines. A descendant still holding the pipe shortens nothing
    /// but the wait.
    pub fn settle_stderr(&self, limit: Duration) {
        let deadline = Instant::now() + limit;
        while !self.stderr_closed.load(Ordering::Acquire) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    /// How the process ended, or `None` while it runs.
    pub fn exit_status(&mut self) -> Option<ExitStatus> {
        if self.status.is_none() {
            self.status = self.child.try_wait().ok().flatten();
        }
        self.status
    }

    /// The last `lines` lines the server wrote to stderr (at most 200 are kept).
    pub fn stderr_tail(&self, lines: usize) -> Vec<String> {
        tail(&self.stderr, lines)
    }

    /// The last `lines` lines the server wrote to stdout (at most 200 are kept).
    pub fn stdout_tail(&self, lines: usize) -> Vec<String> {
        tail(&self.stdout, lines)
    }

    /// Sends SIGTERM to the process group, waits up to `grace` for the
    /// process to end, then SIGKILLs the group; returns how it ended.
    pub fn stop(mut self, grace: Duration) -> Result<ExitStatus> {
        self.terminate(grace)
            .with_context(|| format!("stopping {} (pid {})", self.name, self.pid()))
    }

    fn terminate(&mut self, grace: Duration) -> std::io::Result<ExitStatus> {
        let pgid = self.child.id() as libc::pid_t;
        if let Some(status) = self.exit_status() {
            kill_group(pgid, libc::SIGKILL);
            return Ok(status);
        }
        kill_group(pgid, libc::SIGTERM);
        let deadline = Instant::now() + grace;
        while Instant::now() < deadline {
            if let Some(status) = self.exit_status() {
                // Whatever else is left in the group does not get to linger.
                kill_group(pgid, libc::SIGKILL);
                return Ok(status);
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        kill_group(pgid, libc::SIGKILL);
        let status = self.child.wait()?;
        self.status = Some(status);
        Ok(status)
    }
}

impl Drop for Supervised {
    fn drop(&mut self) {
        if let Err(e) = self.terminate(DROP_GRACE) {
            eprintln!("warning: stopping {}: {e}", self.name);
        }
    }
}

fn kill_group(pgid: libc::pid_t, signal: libc::c_int) {
    if pgid > 0 {
        // SAFETY: a plain system call; ESRCH (nothing left) is fine.
        unsafe {
            libc::kill(-pgid, signal);
        }
    }
}

fn tail(ring: &Mutex<VecDeque<String>>, lines: usize) -> Vec<String> {
    match ring.lock() {
        Ok(ring) => ring
            .iter()
            .skip(ring.len().saturating_sub(lines))
            .cloned()
            .collect(),
        Err(_) => Vec::new(),
    }
}

/// One readiness probe: the status code of `GET path`.
fn probe(addr: SocketAddr, path: &str, budget: Duration) -> std::io::Result<u16> {
    let budget = budget.clamp(Duration::from_millis(1), Duration::from_secs(2));
    let mut stream = TcpStream::connect_timeout(&addr, budget)?;
    stream.set_read_timeout(Some(budget))?;
    stream.set_nodelay(true)?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n",
        addr.port()
    )?;
    let mut buf = Vec::with_capacity(512);
    let mut chunk = [0u8; 512];
    loop {
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(end) = buf.windows(2).position(|w| w == b"\r\n") {
            return parse_status_line(&buf[..end]);
        }
        if buf.len() > 4096 {
            break;
        }
    }
    Err(std::io::Error::new(
        std::io::ErrorKind::UnexpectedEof,
        "connection closed before a status line",
    ))
}

fn parse_status_line(line: &[u8]) -> std::io::Result<u16> {
    let text = String::from_utf8_lossy(line);
    let mut parts = text.split(' ');
    match (parts.next(), parts.next().map(str::parse::<u16>)) {
        (Some(v), Some(Ok(code))) if v.starts_with("HTTP/1.") => Ok(code),
        _ => Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("malformed status line {text:?}"),
        )),
    }
}

/// A readable description of an exit status (`exit code 3`, `signal 9 (SIGKILL)`).
pub fn describe_status(status: &ExitStatus) -> String {
    if let Some(code) = status.code() {
        format!("exit code {code}")
    } else if let Some(signal) = status.signal() {
        format!("signal {signal}")
    } else {
        status.to_string()
    }
}
