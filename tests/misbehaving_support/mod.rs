//! Shared helpers of the misbehaving-server tests: run `gauntlet bench`
//! against one case of the fault-matrix test server while sampling the
//! generator's peak RSS (VmHWM), and check the run's end and memory.

#![allow(dead_code)]

#[path = "../bench_support/mod.rs"]
mod bench_support;

use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use gauntlet::results::LoadReport;

/// Measured duration of every run.
pub const DURATION: Duration = Duration::from_secs(2);
/// Per-request timeout of every run.
pub const TIMEOUT: Duration = Duration::from_secs(1);
/// What a loaded 2-core machine may add to duration + timeout (process
/// start, connection set-up, writing the JSON).
pub const GRACE: Duration = Duration::from_secs(5);
/// How much more peak RSS a misbehaving server may cost the generator than
/// a well-behaved one (an unbounded buffer grows by GiB/s on loopback).
pub const RSS_SLACK_KIB: u64 = 32 * 1024;

/// Which HTTP/1.1 client the generator uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Client {
    /// The lean client (src/load/http1.rs).
    Lean,
    /// hyper's client (`GAUNTLET_HTTP1_CLIENT=hyper`).
    Hyper,
}

/// One finished bench run.
#[derive(Debug)]
pub struct Run {
    /// The case run against.
    pub case: String,
    /// The JSON result.
    pub report: LoadReport,
    /// Wall time from spawn to exit.
    pub elapsed: Duration,
    /// The generator's peak RSS (KiB), from /proc/<pid>/status VmHWM.
    pub peak_rss_kib: u64,
    /// The peak RSS of the same client against the `ok` case.
    pub baseline_rss_kib: u64,
}

fn vm_hwm_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

/// Runs `gauntlet bench` (2 connections, [`DURATION`], [`TIMEOUT`]) against a
/// fresh fault-matrix server running `case`, sampling the peak RSS until exit.
fn run_raw(case: &str, client: Client, extra: &[&str]) -> (LoadReport, Duration, u64) {
    let server = bench_support::start("fault-matrix", &[("CASE", case)]);
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("r.json");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_gauntlet"));
    cmd.arg("bench")
        .arg(server.url("/"))
        .args(["-c", "2", "-t", "1", "-q"])
        .arg("-d")
        .arg(format!("{}s", DURATION.as_secs()))
        .arg("--timeout")
        .arg(format!("{}s", TIMEOUT.as_secs()))
        .args(extra)
        .arg("--json")
        .arg(&json)
        .stdout(Stdio::null());
    if client == Client::Hyper {
        cmd.env("GAUNTLET_HTTP1_CLIENT", "hyper");
    }
    let start = Instant::now();
    let mut child = cmd.spawn().expect("starting gauntlet bench");
    let mut peak = 0;
    let status = loop {
        if let Some(kib) = vm_hwm_kib(child.id()) {
            peak = peak.max(kib);
        }
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("case {case}: gauntlet bench still running after 60 s");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let elapsed = start.elapsed();
    let report = read(&json);
    // Exit 0 when some request succeeded, 1 ("no successful responses") when none did.
    let expected = if report.successes > 0 { 0 } else { 1 };
    assert_eq!(
        status.code(),
        Some(expected),
        "case {case}: gauntlet bench exited {status} after {} successes",
        report.successes
    );
    (report, elapsed, peak)
}

fn read(json: &Path) -> LoadReport {
    gauntlet::results::read_json(json).unwrap()
}

/// Runs `case` with `client`, and the `ok` case once per client for the
/// baseline RSS.
pub fn bench(case: &str, client: Client, extra: &[&str]) -> Run {
    static LEAN: OnceLock<u64> = OnceLock::new();
    static HYPER: OnceLock<u64> = OnceLock::new();
    let cell = match client {
        Client::Lean => &LEAN,
        Client::Hyper => &HYPER,
    };
    let baseline_rss_kib = *cell.get_or_init(|| run_raw("ok", client, &[]).2);
    let (report, elapsed, peak_rss_kib) = run_raw(case, client, extra);
    Run {
        case: case.to_string(),
        report,
        elapsed,
        peak_rss_kib,
        baseline_rss_kib,
    }
}

/// Requests that failed with `kind`.
pub fn count(r: &LoadReport, kind: &str) -> u64 {
    r.errors.get(kind).copied().unwrap_or(0)
}

/// The run ended within duration + timeout + grace, and its peak RSS was
/// within [`RSS_SLACK_KIB`] of the well-behaved baseline.
pub fn assert_bounded(run: &Run) {
    eprintln!(
        "case {}: {:.2?}, peak RSS {} KiB (baseline {} KiB), errors {:?}, {} successes",
        run.case,
        run.elapsed,
        run.peak_rss_kib,
        run.baseline_rss_kib,
        run.report.errors,
        run.report.successes
    );
    let limit = DURATION + TIMEOUT + GRACE;
    assert!(
        run.elapsed <= limit,
        "case {}: the run took {:?}, over {limit:?}",
        run.case,
        run.elapsed
    );
    assert!(
        run.peak_rss_kib > 0 && run.peak_rss_kib <= run.baseline_rss_kib + RSS_SLACK_KIB,
        "case {}: peak RSS {} KiB, baseline {} KiB (+{} KiB allowed)",
        run.case,
        run.peak_rss_kib,
        run.baseline_rss_kib,
        RSS_SLACK_KIB
    );
}
