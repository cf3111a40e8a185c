//! Closed and open runs of `gauntlet bench` against a local server: the
//! summary, the JSON and the `.hlog` agree with each other, the JSON validates
//! against schemas/load-report.schema.json, errors are counted without
//! stopping the run, and Ctrl-C still writes what was measured.

mod bench_support;

use std::time::Duration;

use bench_support::{closed_port, gauntlet, start};
use gauntlet::record::decode_histogram;
use gauntlet::results::LoadReport;
use hdrhistogram::serialization::interval_log::{IntervalLogIterator, LogEntry};
use hdrhistogram::serialization::Deserializer;

fn validate_against_schema(json: &serde_json::Value) {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/schemas/load-report.schema.json"
    ))
    .unwrap();
    let schema: serde_json::Value = serde_json::from_str(&text).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(json)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(
        errors.is_empty(),
        "JSON does not match the schema: {errors:#?}"
    );
}

/// Runs bench with `args`, returns (stdout, report, raw JSON, hlog text).
fn bench(args: &[&str]) -> (String, LoadReport, serde_json::Value, String) {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("run.json");
    let hlog = dir.path().join("run.hlog");
    let out = gauntlet()
        .arg("bench")
        .args(args)
        .arg("--json")
        .arg(&json)
        .arg("--hlog")
        .arg(&hlog)
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    let text = std::fs::read_to_string(&json).unwrap();
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    let report: LoadReport = serde_json::from_value(value.clone()).unwrap();
    // Exit 0 when something succeeded, 1 when nothing did.
    let expected = if report.successes > 0 { 0 } else { 1 };
    assert_eq!(out.status.code(), Some(expected), "{out:?}");
    let out = out.stdout;
    (
        String::from_utf8(out).unwrap(),
        report,
        value,
        std::fs::read_to_string(&hlog).unwrap(),
    )
}

/// Sums the counts of every histogram in an interval log.
fn hlog_total(text: &str) -> (u64, usize) {
    let mut total = 0;
    let mut intervals = 0;
    let mut de = Deserializer::new();
    for entry in IntervalLogIterator::new(text.as_bytes()) {
        if let LogEntry::Interval(h) = entry.expect("a valid interval log line") {
            let bytes = base64_decode(h.encoded_histogram());
            let hist: hdrhistogram::Histogram<u64> = de.deserialize(&mut bytes.as_slice()).unwrap();
            total += hist.len();
            intervals += 1;
        }
    }
    (total, intervals)
}

fn base64_decode(text: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .unwrap()
}

fn check_consistency(stdout: &str, r: &LoadReport) {
    assert!(r.requests > 0, "no request completed");
    assert_eq!(r.successes, r.requests, "errors: {:?}", r.errors);
    assert_eq!(r.status_codes.get(&200), Some(&r.requests));
    assert_eq!(r.latency.count, r.requests);
    assert_eq!(r.service_time.count, r.requests);
    let expected_rps = r.requests as f64 / r.elapsed_s;
    assert!((r.throughput_rps - expected_rps).abs() < 1e-6 * expected_rps.max(1.0));
    let from_intervals: u64 = r.intervals.iter().map(|i| i.requests).sum();
    assert_eq!(from_intervals, r.requests, "the timeline must add up");
    assert_eq!(
        decode_histogram(&r.latency.histogram).unwrap().len(),
        r.requests
    );
    assert!(r.latency.p50_us <= r.latency.p99_us && r.latency.p99_us <= r.latency.max_us);
    assert!(
        stdout.contains(&format!("requests  {} ", r.requests)),
        "{stdout}"
    );
    assert!(!r.interrupted);
}

#[test]
fn closed_run_json_hlog_and_summary_agree() {
    let server = start("fast-plaintext", &[]);
    let url = server.url("/plaintext");
    let (stdout, r, raw, hlog) = bench(&[&url, "-c", "8", "-d", "2s", "-t", "1", "-q"]);
    check_consistency(&stdout, &r);
    assert_eq!(r.model, gauntlet::results::LoadModel::Closed);
    assert!(!r.corrected && r.schedule_lag.is_none());
    assert!(
        stdout.contains("NOT corrected for coordinated omission"),
        "{stdout}"
    );
    assert!((1.9..3.0).contains(&r.elapsed_s), "elapsed {}", r.elapsed_s);
    assert!(r.generator.cpu_user_s + r.generator.cpu_sys_s > 0.0);
    let (hlog_count, hlog_intervals) = hlog_total(&hlog);
    assert_eq!(hlog_count, r.requests, "the .hlog must hold every response");
    assert_eq!(hlog_intervals, r.intervals.len());
    validate_against_schema(&raw);
}

#[test]
fn open_run_sends_the_scheduled_requests() {
    let server = start("fast-plaintext", &[]);
    let url = server.url("/plaintext");
    let (stdout, r, raw, hlog) = bench(&[
        &url, "-c", "8", "-R", "400", "-d", "2s", "--warmup", "500ms", "-q",
    ]);
    check_consistency(&stdout, &r);
    // 400 req/s for 2 s: exactly 800 requests are scheduled in the measured phase.
    // (On a loaded machine some may be reported as not sent by the deadline.)
    assert_eq!(
        r.requests + r.schedule_lag.as_ref().map_or(0, |l| l.not_sent),
        800
    );
    assert!(
        (r.throughput_rps - 400.0).abs() < 40.0,
        "throughput {}",
        r.throughput_rps
    );
    assert_eq!(r.model, gauntlet::results::LoadModel::Open);
    assert_eq!(r.rate_rps, Some(400.0));
    assert!(r.corrected && r.schedule_lag.is_some());
    assert!(r.latency.p50_us >= r.service_time.p50_us);
    assert!(stdout.contains("intended send time"), "{stdout}");
    assert_eq!(hlog_total(&hlog).0, 800);
    validate_against_schema(&raw);
}

#[test]
fn refused_connections_are_counted_and_the_run_finishes() {
    let url = format!("http://127.0.0.1:{}/", closed_port());
    let (stdout, r, raw, _) = bench(&[&url, "-c", "2", "-d", "1s", "-q"]);
    assert_eq!(r.requests, 0);
    assert!(
        r.errors.get("connect").copied().unwrap_or(0) > 0,
        "{:?}",
        r.errors
    );
    assert!(stdout.contains("connect "), "{stdout}");
    assert!(stdout.contains("no successful responses"), "{stdout}");
    assert!(
        !stdout.contains("p50"),
        "no percentiles of nothing: {stdout}"
    );
    validate_against_schema(&raw);
}

#[test]
fn ctrl_c_writes_an_interrupted_summary_and_exits_130() {
    let server = start("fast-plaintext", &[]);
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("cut.json");
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_gauntlet"))
        .args([
            "bench",
            &server.url("/plaintext"),
            "-c",
            "4",
            "-R",
            "200",
            "-d",
            "30s",
            "-q",
        ])
        .arg("--json")
        .arg(&json)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    // SAFETY: sending SIGINT to the child we spawned.
    unsafe {
        libc::kill(child.id() as libc::pid_t, libc::SIGINT);
    }
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("INTERRUPTED"), "{stdout}");
    let r: LoadReport = gauntlet::results::read_json(&json).unwrap();
    assert!(r.interrupted);
    assert!(
        r.requests > 100 && r.requests < 1000,
        "requests {}",
        r.requests
    );
    assert!(r.elapsed_s < 5.0);
}

#[test]
fn http2_and_hyper_http1_runs_complete() {
    let server = start("hyper-plaintext", &[]);
    let url = server.url("/plaintext");
    let (stdout, r, raw, _) = bench(&[&url, "-c", "4", "-d", "1s", "--http2", "-q"]);
    check_consistency(&stdout, &r);
    assert_eq!(r.http_version, "HTTP/2");
    validate_against_schema(&raw);
    let (stdout, r, _, _) = bench(&[&url, "-c", "4", "-R", "200", "-d", "1s", "-q"]);
    check_consistency(&stdout, &r);
    assert_eq!(
        r.requests + r.schedule_lag.as_ref().map_or(0, |l| l.not_sent),
        200
    );
}

#[test]
fn unexpected_statuses_are_errors_but_complete_responses() {
    let server = start("hyper-plaintext", &[]);
    let (stdout, r, _, _) = bench(&[&server.url("/status/503"), "-c", "2", "-d", "1s", "-q"]);
    assert!(r.requests > 0);
    assert_eq!(r.successes, 0);
    assert_eq!(r.errors.get("status"), Some(&r.requests));
    assert_eq!(r.status_codes.get(&503), Some(&r.requests));
    assert!(stdout.contains("status "), "{stdout}");
}
