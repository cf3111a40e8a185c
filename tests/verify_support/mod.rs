//! Helpers for the verify tests: build a server binary, start it on a free
//! port, wait for its `listening on` line, stop it with SIGTERM.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The workspace's target folder.
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"))
}

/// Runs `cargo build` with these arguments in the workspace and panics with
/// cargo's output if it fails.
pub fn cargo_build(args: &[&str]) {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .arg("build")
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "cargo build {args:?} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Builds the Rust reference servers of both tiers in release mode; returns the
/// folder holding their binaries.
pub fn build_rust_servers() -> PathBuf {
    cargo_build(&[
        "--release",
        "-p",
        "rust-hyper",
        "-p",
        "rust-hyper-single",
        "-p",
        "rust-threads",
        "-p",
        "rust-axum",
        "-p",
        "rust-actix",
    ]);
    target_dir().join("release")
}

/// A server process started for a test; SIGTERM and wait on drop.
pub struct Server {
    child: Option<Child>,
    /// `http://127.0.0.1:P`.
    pub url: String,
    /// The whole `listening on ...` line.
    pub banner: String,
}

impl Server {
    /// Starts `binary` with `PORT=0` and `envs`, and waits (at most 20 s)
    /// for its `listening on 127.0.0.1:P` line.
    pub fn start(binary: &Path, envs: &[(&str, &str)]) -> Server {
        let mut command = Command::new(binary);
        command.env("PORT", "0").env_remove("UPSTREAM_URL");
        for (key, value) in envs {
            command.env(key, value);
        }
        Self::start_command(command)
    }

    /// Starts a prepared command and waits (at most 20 s) for its
    /// `listening on 127.0.0.1:P` line.
    pub fn start_command(mut command: Command) -> Server {
        let binary = PathBuf::from(command.get_program());
        command.stdout(Stdio::piped()).stderr(Stdio::inherit());
        let mut child = command
            .spawn()
            .unwrap_or_else(|e| panic!("starting {}: {e}", binary.display()));
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            if let Some(Ok(line)) = lines.next() {
                let _ = tx.send(line);
            }
            // Keep draining so the server never blocks on a full pipe.
            for _ in lines {}
        });
        let banner = match rx.recv_timeout(Duration::from_secs(20)) {
            Ok(line) => line,
            Err(_) => {
                let _ = child.kill();
                panic!("{} printed no listening line within 20 s", binary.display());
            }
        };
        let addr = banner
            .strip_prefix("listening on ")
            .and_then(|rest| rest.split_whitespace().next())
            .unwrap_or_else(|| panic!("unexpected first line {banner:?}"));
        Server {
            child: Some(child),
            url: format!("http://{addr}"),
            banner,
        }
    }

    /// Sends SIGTERM and waits at most `limit`; returns the exit status and
    /// how long the exit took, or `None` if it did not exit in time (the
    /// process is then killed).
    pub fn terminate(&mut self, limit: Duration) -> Option<(ExitStatus, Duration)> {
        let mut child = self.child.take()?;
        let pid = i32::try_from(child.id()).expect("pid fits");
        // SAFETY: signalling a child we spawned and have not reaped.
        unsafe {
            libc::kill(pid, libc::SIGTERM);
        }
        let started = Instant::now();
        while started.elapsed() < limit {
            if let Ok(Some(status)) = child.try_wait() {
                return Some((status, started.elapsed()));
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = child.kill();
        let _ = child.wait();
        None
    }

    /// The process id, while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// Whether the process is still running.
    pub fn is_running(&mut self) -> bool {
        self.child
            .as_mut()
            .is_some_and(|c| matches!(c.try_wait(), Ok(None)))
    }

    /// True when the process has exited within `limit`. A process that
    /// aborts closes its sockets before the kernel has reaped it (a core
    /// dump takes a while), so a crash is waited for, not sampled once.
    pub fn exits_within(&mut self, limit: Duration) -> bool {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if !self.is_running() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        !self.is_running()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.terminate(Duration::from_secs(3));
    }
}
