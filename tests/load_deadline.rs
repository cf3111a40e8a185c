//! The open model ends at its deadline even when the server is slower than
//! the asked rate (the soak of benches/runs/2026-11-30-soak ran 761 s of a
//! 600 s run, draining its backlog), and the requests the generator never
//! sent are reported as `schedule_lag.not_sent`, so every request of the
//! schedule is accounted for: sent (a response or an error) or not sent.

mod bench_support;

use std::time::{Duration, Instant};

use bench_support::start;
use bytes::Bytes;
use gauntlet::interrupt::Interrupt;
use gauntlet::load::{run_plan, LoadPlan, RequestSpec, Schedule, Silent, Target};

fn plan(port: u16, rate: f64, connections: u32, secs: u64) -> LoadPlan {
    LoadPlan {
        target: Target {
            host: "127.0.0.1".into(),
            port,
        },
        requests: vec![RequestSpec {
            method: "GET".into(),
            path: "/plaintext".into(),
            headers: Vec::new(),
            body: Bytes::new(),
            weight: 1,
            expect_status: None,
            expect_body: None,
        }],
        connections,
        schedule: Schedule::OpenConstant { rate },
        duration: Duration::from_secs(secs),
        warmup: Duration::ZERO,
        threads: 1,
        cpus: None,
        timeout: Duration::from_secs(2),
        http2: false,
        pipeline: 1,
        streams: 1,
        http1_client: gauntlet::load::Http1Client::Lean,
        command_line: vec!["test".into()],
    }
}

/// Errors that are not responses: each is one request sent.
fn failed_sends(r: &gauntlet::results::LoadReport) -> u64 {
    r.errors
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "status" | "body_mismatch"))
        .map(|(_, v)| v)
        .sum()
}

#[test]
fn an_open_model_behind_a_slow_server_stops_at_the_deadline_and_reports_what_it_did_not_send() {
    // The server releases 200 responses a second; 2,000 a second are asked
    // for 3 s: 6,000 scheduled, at most about 200 × (3 + 2) + 20 + 20 (burst
    // credit) can be answered before the deadline plus the timeout. Draining
    // the backlog, as before, took about 30 s.
    let server = start("fixed-capacity", &[("CAPACITY_RPS", "200")]);
    let p = plan(server.port, 2000.0, 20, 3);
    let started = Instant::now();
    let out = run_plan(&p, &Interrupt::new(), &Silent).unwrap();
    let took = started.elapsed();
    let r = &out.report;
    // Duration 3 s + timeout 2 s + a generous grace for a loaded machine.
    assert!(
        took < Duration::from_secs(9),
        "a 3 s run with a 2 s timeout took {took:?}"
    );
    assert!(r.elapsed_s < 9.0, "elapsed_s {}", r.elapsed_s);
    let lag = r.schedule_lag.as_ref().expect("open model reports its lag");
    let sent = r.requests + failed_sends(r);
    assert_eq!(
        sent + lag.not_sent,
        6000,
        "responses {} + failed sends {} + not sent {} should be the 6,000 scheduled",
        r.requests,
        failed_sends(r),
        lag.not_sent
    );
    assert!(lag.not_sent >= 4500, "not sent: {}", lag.not_sent);
    // The server was behind, not the generator: the unsent requests waited
    // for a free connection, so they do not make the run generator-limited
    // (the generator may still be so on a loaded machine, by its CPU or its
    // own lag, but never for this), and the queue shows in the latencies.
    assert!(
        !r.saturation.reasons.iter().any(|w| w.contains("not send")),
        "{:?}",
        r.saturation.reasons
    );
    assert!(
        r.latency.p99_us > 1_000_000,
        "p99 {} µs: the queue behind a 200 req/s server must show",
        r.latency.p99_us
    );
    // The JSON carries it (older readers ignore it; 0 is left out).
    let json = serde_json::to_value(r).unwrap();
    assert_eq!(json["schedule_lag"]["not_sent"], lag.not_sent);
}

#[test]
fn a_generator_that_keeps_up_sends_its_whole_schedule() {
    let server = start("hyper-plaintext", &[]);
    let p = plan(server.port, 200.0, 4, 2);
    let out = run_plan(&p, &Interrupt::new(), &Silent).unwrap();
    let r = &out.report;
    let lag = r.schedule_lag.as_ref().expect("open model reports its lag");
    // At most a request due in the last timer tick may miss the deadline.
    assert!(lag.not_sent <= 2, "not sent: {}", lag.not_sent);
    assert_eq!(r.requests + failed_sends(r) + lag.not_sent, 400);
    assert!(
        !r.saturation.reasons.iter().any(|w| w.contains("not send")),
        "{:?}",
        r.saturation.reasons
    );
}
