//! `gauntlet verify SERVER...`: for each reference server, in order: is its
//! toolchain here (skip with the reason, or fail under `--require-all`),
//! build (cached), start it with `UPSTREAM_URL` pointing at a live upstream,
//! wait for readiness, run the contract checks, and check the rules only a
//! supervisor can see (the startup line on stdout, still running after the
//! checks, SIGTERM stops it within 2 s with status 0).

use std::time::{Duration, Instant};

use serde::Serialize;

use super::contract::{check_contract, EndpointCheck};
use crate::interrupt::Interrupt;
use crate::servers::{Registry, ServerEntry};
use crate::supervise::{describe_status, launch, LaunchOptions};

/// How long a server may take to become ready.
pub const READY_TIMEOUT: Duration = Duration::from_secs(60);
/// How long the contract gives a server to stop after SIGTERM.
pub const STOP_GRACE: Duration = Duration::from_secs(2);

/// How verifying one server ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VerdictStatus {
    /// Every check passed.
    Passed,
    /// A check failed, or the server could not be built or started.
    Failed,
    /// Not run: its toolchain is missing here.
    Skipped,
}

/// The outcome of verifying one server.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServerVerdict {
    /// Server name.
    pub server: String,
    /// The runtime's version (empty when skipped).
    pub runtime_version: String,
    /// Passed, failed or skipped.
    pub status: VerdictStatus,
    /// Why it was skipped, or why it failed before the checks (build, start).
    pub reason: Option<String>,
    /// Spawn → first correct answer, in milliseconds, when it started.
    pub startup_ms: Option<f64>,
    /// The checks that ran (contract and supervision rules).
    pub checks: Vec<EndpointCheck>,
}

impl ServerVerdict {
    fn new(entry: &ServerEntry) -> ServerVerdict {
        ServerVerdict {
            server: entry.name().to_string(),
            runtime_version: String::new(),
            status: VerdictStatus::Failed,
            reason: None,
            startup_ms: None,
            checks: Vec::new(),
        }
    }

    fn failed(mut self, reason: String) -> ServerVerdict {
        self.status = VerdictStatus::Failed;
        self.reason = Some(reason);
        self
    }
}

/// The entries named (in the order given, each once), or every entry when
/// `names` is empty. An unknown name is an input error listing the known ones.
pub fn select<'r>(
    registry: &'r Registry,
    names: &[String],
) -> Result<Vec<&'r ServerEntry>, crate::servers::Error> {
    if names.is_empty() {
        return Ok(registry.entries().iter().collect());
    }
    let mut chosen: Vec<&ServerEntry> = Vec::new();
    for name in names {
        let entry = registry.get(name)?;
        if !chosen.iter().any(|e| e.name() == entry.name()) {
            chosen.push(entry);
        }
    }
    Ok(chosen)
}

/// Verifies one server end to end; `upstream_url` is passed as `UPSTREAM_URL`.
/// `progress` receives one line per step (for the terminal).
pub fn verify_server(
    entry: &ServerEntry,
    upstream_url: &str,
    require_all: bool,
    interrupt: &Interrupt,
    progress: &mut dyn FnMut(&str),
) -> ServerVerdict {
    let mut verdict = ServerVerdict::new(entry);
    let name = entry.name();
    if let Err(reason) = entry.availability() {
        verdict.reason = Some(reason);
        verdict.status = if require_all {
            VerdictStatus::Failed
        } else {
            VerdictStatus::Skipped
        };
        return verdict;
    }
    verdict.runtime_version = entry.runtime_version();
    if !entry.manifest.build.is_empty() {
        progress(&format!("{name}: building"));
    }
    match entry.build() {
        Ok(_) if entry.manifest.build.is_empty() => {}
        Ok(build) if build.cached => progress(&format!("{name}: build is current (cached)")),
        Ok(build) => progress(&format!("{name}: built in {:.1} s", build.seconds)),
        Err(e) => return verdict.failed(format!("{e:#}")),
    }
    let opts = LaunchOptions {
        cpus: None,
        extra_env: vec![("UPSTREAM_URL".into(), upstream_url.to_string())],
    };
    let mut server = match launch(entry, &opts) {
        Ok(server) => server,
        Err(e) => return verdict.failed(format!("{e:#}")),
    };
    let ready_timeout = entry.manifest.ready_timeout().unwrap_or(READY_TIMEOUT);
    match server.wait_ready_or_interrupt(ready_timeout, interrupt) {
        Ok(took) => {
            verdict.startup_ms = Some(took.as_secs_f64() * 1000.0);
            progress(&format!(
                "{name}: ready in {:.1} ms on {}, checking the contract",
                took.as_secs_f64() * 1000.0,
                server.base_url()
            ));
        }
        Err(e) => return verdict.failed(e.to_string()),
    }
    if interrupt.is_raised() {
        return verdict.failed("interrupted".into());
    }
    verdict.checks = check_contract(&server.base_url());

    let expected = format!("listening on 127.0.0.1:{}", server.port());
    let stdout = server.stdout_tail(50);
    verdict.checks.push(rule(
        "startup line on stdout",
        if stdout.iter().any(|l| l.starts_with(&expected)) {
            Ok(())
        } else {
            Err(format!(
                "expected a line starting with {expected:?}, stdout ended with {:?}",
                server.stdout_tail(3)
            ))
        },
    ));
    let still_running = match server.exit_status() {
        None => Ok(()),
        Some(status) => {
            server.settle_stderr(Duration::from_millis(500));
            Err(format!(
                "the server ended during the checks ({}); last stderr lines: {:?}",
                describe_status(&status),
                server.stderr_tail(10)
            ))
        }
    };
    let ended_early = still_running.is_err();
    verdict
        .checks
        .push(rule("still running after the checks", still_running));
    if !ended_early {
        let asked = Instant::now();
        let stopped = match server.stop(STOP_GRACE) {
            Ok(status) if status.success() => Ok(()),
            Ok(status) if asked.elapsed() >= STOP_GRACE => Err(format!(
                "still running {STOP_GRACE:?} after SIGTERM; killed ({})",
                describe_status(&status)
            )),
            Ok(status) => Err(format!(
                "ended with {} instead of exit code 0",
                describe_status(&status)
            )),
            Err(e) => Err(format!("{e:#}")),
        };
        verdict
            .checks
            .push(rule("SIGTERM stops it within 2 s, exit code 0", stopped));
    }
    verdict.status = if verdict.checks.iter().all(|c| c.passed) {
        VerdictStatus::Passed
    } else {
        VerdictStatus::Failed
    };
    verdict
}

fn rule(name: &str, verdict: Result<(), String>) -> EndpointCheck {
    EndpointCheck {
        name: name.to_string(),
        passed: verdict.is_ok(),
        detail: verdict.err(),
    }
}

/// The closing summary: one line per server (name, runtime version, result).
pub fn render_summary(verdicts: &[ServerVerdict]) -> String {
    let rows: Vec<[String; 3]> = verdicts
        .iter()
        .map(|v| {
            let passed = v.checks.iter().filter(|c| c.passed).count();
            let result = match (&v.status, &v.reason) {
                (VerdictStatus::Skipped, reason) => {
                    format!("skipped: {}", reason.as_deref().unwrap_or("unavailable"))
                }
                (VerdictStatus::Failed, Some(reason)) => {
                    format!("FAILED: {}", reason.lines().next().unwrap_or(""))
                }
                (VerdictStatus::Failed, None) => format!(
                    "FAILED: {} of {} checks failed",
                    v.checks.len() - passed,
                    v.checks.len()
                ),
                (VerdictStatus::Passed, _) => format!("pass ({passed} checks)"),
            };
            let version = if v.runtime_version.is_empty() {
                "-".to_string()
            } else {
                v.runtime_version.clone()
            };
            [v.server.clone(), version, result]
        })
        .collect();
    let header = ["server", "runtime version", "result"];
    let mut widths = header.map(str::len);
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let (w0, w1) = (widths[0], widths[1]);
    let mut out = format!("{:<w0$}  {:<w1$}  {}\n", header[0], header[1], header[2]);
    for [server, version, result] in &rows {
        out.push_str(&format!("{server:<w0$}  {version:<w1$}  {result}\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_says_pass_fail_and_skip() {
        let verdict = |server: &str, status, reason: Option<&str>, failed: usize| ServerVerdict {
            server: server.into(),
            runtime_version: if status == VerdictStatus::Skipped {
                String::new()
            } else {
                "v1".into()
            },
            status,
            reason: reason.map(str::to_string),
            startup_ms: None,
            checks: (0..3)
                .map(|i| rule("c", if i < failed { Err("x".into()) } else { Ok(()) }))
                .collect(),
        };
        let text = render_summary(&[
            verdict("a", VerdictStatus::Passed, None, 0),
            verdict("bb", VerdictStatus::Failed, None, 2),
            verdict(
                "c",
                VerdictStatus::Skipped,
                Some("not found on PATH: go"),
                0,
            ),
            verdict(
                "d",
                VerdictStatus::Failed,
                Some("building d failed\nmore"),
                0,
            ),
        ]);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[1], "a       v1               pass (3 checks)");
        assert_eq!(
            lines[2],
            "bb      v1               FAILED: 2 of 3 checks failed"
        );
        assert_eq!(
            lines[3],
            "c       -                skipped: not found on PATH: go"
        );
        assert_eq!(
            lines[4],
            "d       v1               FAILED: building d failed"
        );
    }
}
