//! Coordinated omission: a server that stalls every response for 300 ms, one
//! second into a 3 s open-model run at 1,000 req/s. About 300 of the 3,000
//! requests were meant to go out during the stall; each waits until the stall
//! ends, so they are delayed uniformly 0–300 ms: about 10 % of requests, so
//! the latency p95 lies near 150 ms and p99 near 270 ms. Service time (from
//! the actual send) only sees the few requests that were on the wire when the
//! stall began, so its percentiles stay small.

mod bench_support;

use std::time::Duration;

use bench_support::{gauntlet, start};
use gauntlet::results::LoadReport;

#[test]
fn latency_percentiles_carry_the_queue_a_stall_built() {
    let server = start("stall", &[("STALL_AFTER_MS", "1000"), ("STALL_MS", "300")]);
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("stall.json");
    gauntlet()
        .args([
            "bench",
            &server.url("/plaintext"),
            "-c",
            "16",
            "-R",
            "1000",
            "-d",
            "3s",
            "-q",
        ])
        .arg("--json")
        .arg(&json)
        .timeout(Duration::from_secs(60))
        .assert()
        .success();
    let r: LoadReport = gauntlet::results::read_json(&json).unwrap();
    let ms = |us: u64| us as f64 / 1000.0;
    // (On a loaded machine a few may be reported as not sent by the deadline.)
    let not_sent = r.schedule_lag.as_ref().map_or(0, |l| l.not_sent);
    assert_eq!(r.requests + not_sent, 3000, "errors {:?}", r.errors);
    // Latency: the queue is charged to the server.
    let l = &r.latency;
    assert!(ms(l.p50_us) < 20.0, "p50 {} ms", ms(l.p50_us));
    assert!(
        (100.0..200.0).contains(&ms(l.p95_us())),
        "p95 {} ms",
        ms(l.p95_us())
    );
    assert!(
        (220.0..320.0).contains(&ms(l.p99_us)),
        "p99 {} ms",
        ms(l.p99_us)
    );
    assert!(
        (280.0..400.0).contains(&ms(l.max_us)),
        "max {} ms",
        ms(l.max_us)
    );
    // Service time: only the 16 requests in flight at the stall waited.
    let s = &r.service_time;
    assert!(ms(s.p90_us) < 20.0, "service p90 {} ms", ms(s.p90_us));
    assert!(ms(s.p99_us) < 50.0, "service p99 {} ms", ms(s.p99_us));
    assert!(ms(s.max_us) >= 250.0, "service max {} ms", ms(s.max_us));
}

trait P95 {
    fn p95_us(&self) -> u64;
}

impl P95 for gauntlet::results::LatencyStats {
    /// p95 from the stored histogram (the summary has no p95 field).
    fn p95_us(&self) -> u64 {
        gauntlet::record::decode_histogram(&self.histogram)
            .unwrap()
            .value_at_quantile(0.95)
    }
}
