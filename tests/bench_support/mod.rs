//! Shared helpers of the bench_* integration tests: start a test server from
//! crates/testservers on port 0 and learn its port, read its `/stats`, run
//! the real binary and read its JSON report, and the expectation every coordinated-omission
//! stall test shares ([`assert_stall_charged`]).

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Once;
use std::time::Duration;

use gauntlet::results::LoadReport;

/// A running test server, killed when dropped.
pub struct TestServer {
    child: Child,
    /// The port it bound.
    pub port: u16,
}

impl TestServer {
    /// `http://127.0.0.1:<port><path>`.
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{}", self.port, path)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The folder holding the gauntlet binary under test (and, once built, the test servers).
pub fn bin_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_gauntlet"))
        .parent()
        .expect("binary has a folder")
        .to_path_buf()
}

fn build_testservers() {
    static BUILD: Once = Once::new();
    BUILD.call_once(|| {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let mut cmd = Command::new(cargo);
        cmd.args(["build", "-q", "-p", "gauntlet-testservers"]);
        if bin_dir().ends_with("release") {
            cmd.arg("--release");
        }
        let status = cmd
            .status()
            .expect("running cargo build for the test servers");
        assert!(status.success(), "building gauntlet-testservers failed");
    });
}

/// Starts test server `name` with extra environment variables, waiting for
/// its `listening on 127.0.0.1:<port>` line.
pub fn start(name: &str, env: &[(&str, &str)]) -> TestServer {
    build_testservers();
    let mut child = Command::new(bin_dir().join(name))
        .env("PORT", "0")
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("starting test server {name}: {e}"));
    let stdout = child.stdout.take().expect("piped stdout");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("reading the server's first line");
    let port = line
        .trim()
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("{name} printed {line:?}, not `listening on 127.0.0.1:<port>`"));
    TestServer { child, port }
}

/// `GET /stats` of a test server that counts what it sees (pipeline-probe,
/// h2-streams), on a connection of its own, as JSON.
pub fn stats(port: u16) -> serde_json::Value {
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.write_all(b"GET /stats HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut text = String::new();
    s.read_to_string(&mut text).unwrap();
    let body = text.split("\r\n\r\n").nth(1).unwrap_or_default();
    serde_json::from_str(body).unwrap_or_else(|e| panic!("/stats answered {text:?}: {e}"))
}

/// The gauntlet binary as an assert_cmd command.
pub fn gauntlet() -> assert_cmd::Command {
    assert_cmd::Command::new(env!("CARGO_BIN_EXE_gauntlet"))
}

/// A port on which nothing listens (bound, then released).
pub fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("binding port 0");
    l.local_addr().expect("local addr").port()
}

/// Runs `gauntlet bench` with `args` (the URL among them) and `--json`,
/// expecting success, and reads the report it wrote.
pub fn bench_json(args: &[&str]) -> LoadReport {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("bench.json");
    gauntlet()
        .arg("bench")
        .args(args)
        .arg("--json")
        .arg(&json)
        .timeout(Duration::from_secs(60))
        .assert()
        .success();
    gauntlet::results::read_json(&json).unwrap()
}

/// The environment that makes a test server (`stall`, `h2-streams`) hold
/// every response for 300 ms, one second after it starts: run against it
/// for 3 s in the open model, and [`assert_stall_charged`] says what the
/// report must show.
pub const STALL: [(&str, &str); 2] = [("STALL_AFTER_MS", "1000"), ("STALL_MS", "300")];

/// The upper bounds, in ms, of a stall run's figures: what differs between
/// the stall tests (the transport, the server, how fast the backlog clears
/// on a loaded machine). Each test says why its own are what they are.
pub struct StallCeilings {
    /// Latency p50: the requests the stall did not hold.
    pub p50: f64,
    /// Latency p95 (at least 100 ms).
    pub p95: f64,
    /// Latency p99 (at least 220 ms).
    pub p99: f64,
    /// Latency max (at least 280 ms).
    pub max: f64,
    /// Service-time p90.
    pub service_p90: f64,
    /// Service-time p99, where the test can hold it.
    pub service_p99: Option<f64>,
}

/// What a run against a [`STALL`] server breaks, as one line each: empty
/// when the report charges the stall's queue to the server.
///
/// A 300 ms stall in a 3 s open-model run holds the 10 % of the requests
/// due during it; each waits until the stall ends, so they are delayed
/// uniformly 0–300 ms: latency (from the intended send time) has p95 near
/// 150 ms, p99 near 270 ms and max near 300 ms if the backlog clears at
/// once. Service time (from the actual send) sees only the requests on the
/// wire when the stall began, so it stays small but for its max. A tool
/// that is not coordinated-omission correct charges the queue to those few
/// requests alone: the lower bounds here, the same for every test, are what
/// catch it; the ceilings leave room for the backlog's catch-up.
pub fn stall_violations(r: &LoadReport, c: &StallCeilings) -> Vec<String> {
    let ms = |us: u64| us as f64 / 1000.0;
    let l = &r.latency;
    let p95 = gauntlet::record::decode_histogram(&l.histogram)
        .unwrap()
        .value_at_quantile(0.95);
    let s = &r.service_time;
    let checks = [
        ("p50", ms(l.p50_us), 0.0, c.p50),
        ("p95", ms(p95), 100.0, c.p95),
        ("p99", ms(l.p99_us), 220.0, c.p99),
        ("max", ms(l.max_us), 280.0, c.max),
        ("service p90", ms(s.p90_us), 0.0, c.service_p90),
        (
            "service p99",
            ms(s.p99_us),
            0.0,
            c.service_p99.unwrap_or(f64::INFINITY),
        ),
        ("service max", ms(s.max_us), 250.0, f64::INFINITY),
    ];
    checks
        .into_iter()
        .filter(|&(_, v, lo, hi)| !(lo..hi).contains(&v))
        .map(|(what, v, lo, hi)| format!("{what} {v} ms, expected {lo}..{hi} ms"))
        .collect()
}

/// Asserts that `r`, a run against a [`STALL`] server, charges the queue
/// the stall built ([`stall_violations`] finds nothing), and that the same
/// run read as a tool that is not coordinated-omission correct would read
/// it (latency = service time) would fail: the bounds still tell the two
/// apart.
pub fn assert_stall_charged(r: &LoadReport, c: &StallCeilings) {
    let broken = stall_violations(r, c);
    assert!(broken.is_empty(), "{}", broken.join("; "));
    let uncorrected = LoadReport {
        latency: r.service_time.clone(),
        ..r.clone()
    };
    assert!(
        !stall_violations(&uncorrected, c).is_empty(),
        "the bounds would pass an uncorrected run: service time {:?}",
        r.service_time
    );
}
