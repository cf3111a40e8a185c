//! Every kind of failure is counted by its kind and the run goes on; unusual
//! but valid responses (chunked, `Connection: close`) count as successes.

mod bench_support;

use std::time::Duration;

use bench_support::{gauntlet, start};
use gauntlet::results::LoadReport;

fn run(url: &str, extra: &[&str]) -> LoadReport {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("r.json");
    let out = gauntlet()
        .arg("bench")
        .arg(url)
        .args(["-c", "2", "-d", "1s", "-q"])
        .args(extra)
        .arg("--json")
        .arg(&json)
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap();
    let report: LoadReport = gauntlet::results::read_json(&json).unwrap();
    // Exit 1 when no request succeeded ("no successful responses"), else 0.
    let expected = if report.successes > 0 { 0 } else { 1 };
    assert_eq!(out.status.code(), Some(expected), "{out:?}");
    report
}

fn count(r: &LoadReport, kind: &str) -> u64 {
    r.errors.get(kind).copied().unwrap_or(0)
}

#[test]
fn malformed_cut_and_hanging_responses_are_counted_by_kind() {
    let server = start("misbehave", &[]);
    let r = run(&server.url("/garbage"), &[]);
    assert!(
        count(&r, "malformed") > 0 && r.requests == 0,
        "{:?}",
        r.errors
    );

    let r = run(&server.url("/cut"), &[]);
    assert!(count(&r, "reset") > 0 && r.requests == 0, "{:?}", r.errors);

    let r = run(&server.url("/hang"), &["--timeout", "200ms"]);
    // Two connections, each timing out every 200 ms for 1 s: about 10.
    let timeouts = count(&r, "timeout");
    assert!((4..=12).contains(&timeouts), "{:?}", r.errors);
    assert_eq!(r.requests, 0);
}

#[test]
fn chunked_and_closing_responses_succeed() {
    let server = start("misbehave", &[]);
    let r = run(&server.url("/chunked"), &[]);
    assert!(
        r.requests > 10 && r.successes == r.requests,
        "{:?}",
        r.errors
    );

    // The server closes after every answer: the engine reconnects each time.
    let r = run(&server.url("/close"), &["-R", "100"]);
    assert_eq!(
        r.requests + r.schedule_lag.as_ref().map_or(0, |l| l.not_sent),
        100,
        "{:?}",
        r.errors
    );
    assert_eq!(r.successes, r.requests);
}
