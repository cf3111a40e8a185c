//! More than one request in flight per connection: HTTP/1.1 pipelining
//! (`--pipeline N`) and HTTP/2 streams (`--streams N`), checked against test
//! servers that count what arrives (crates/testservers' pipeline-probe and
//! h2-streams): N requests really are on one connection at once, answers are
//! matched to the right requests, a connection lost mid-pipeline counts every
//! request it carried, a stall at depth > 1 is charged from the intended send
//! times, and a server's lower SETTINGS_MAX_CONCURRENT_STREAMS is honoured.

mod bench_support;

use std::time::Duration;

use bench_support::{assert_stall_charged, bench_json, start, stats, StallCeilings, STALL};
use bytes::Bytes;
use gauntlet::interrupt::Interrupt;
use gauntlet::load::{run_plan, LoadPlan, RequestSpec, Schedule, Silent, Target};
use gauntlet::results::LoadReport;

fn word(path: &str, weight: u32) -> RequestSpec {
    RequestSpec {
        method: "GET".into(),
        path: format!("/{path}"),
        headers: Vec::new(),
        body: Bytes::new(),
        weight,
        expect_status: Some(200),
        expect_body: Some(Bytes::from(path.to_string())),
    }
}

/// A closed-model plan with a mix of three words, each checked by its body.
fn mix_plan(port: u16, connections: u32, pipeline: u32) -> LoadPlan {
    LoadPlan {
        target: Target {
            host: "127.0.0.1".into(),
            port,
        },
        requests: vec![word("alpha", 1), word("beta", 1), word("gamma", 2)],
        connections,
        schedule: Schedule::Closed,
        duration: Duration::from_millis(1500),
        warmup: Duration::ZERO,
        threads: 1,
        cpus: None,
        timeout: Duration::from_secs(5),
        http2: false,
        pipeline,
        streams: 1,
        http1_client: gauntlet::load::Http1Client::Lean,
        command_line: vec!["test".into()],
    }
}

#[test]
fn pipelined_requests_are_in_flight_together_and_answered_in_order() {
    for depth in [1u32, 16] {
        let server = start("pipeline-probe", &[("HOLD_MS", "2")]);
        let out = run_plan(&mix_plan(server.port, 2, depth), &Interrupt::new(), &Silent).unwrap();
        let r = &out.report;
        let s = stats(server.port);
        // Every answer matched its own request: a mix-up would show as
        // body_mismatch (a third of the mix differs from any other word).
        assert!(r.errors.is_empty(), "depth {depth}: errors {:?}", r.errors);
        assert!(
            r.requests >= 100,
            "depth {depth}: only {} requests",
            r.requests
        );
        assert_eq!(r.successes, r.requests);
        assert_eq!(r.in_flight_per_connection, depth);
        // The server held exactly `depth` requests of one connection at once:
        // N really are in flight, never more.
        assert_eq!(s["max_in_flight"], depth, "depth {depth}: server saw {s}");
        assert_eq!(s["connections"], 2, "depth {depth}: {s}");
        assert_eq!(
            s["answered"].as_u64(),
            Some(r.requests),
            "depth {depth}: {s}"
        );
    }
}

#[test]
fn a_connection_lost_mid_pipeline_counts_every_request_it_carried() {
    // Each connection gets 4 answers; then the server reads on for 100 ms
    // and closes with the rest of the pipeline unanswered.
    let server = start(
        "pipeline-probe",
        &[
            ("ANSWER_THEN_CLOSE", "4"),
            ("CLOSE_AFTER_MS", "100"),
            ("HOLD_MS", "1"),
        ],
    );
    let url = server.url("/x");
    let r = bench_json(&[&url, "-c", "1", "-d", "1s", "-q", "--pipeline", "16"]);
    let s = stats(server.port);
    let connections = s["connections"].as_u64().unwrap();
    let received = s["received"].as_u64().unwrap();
    let answered = s["answered"].as_u64().unwrap();
    assert!(connections >= 3, "only {connections} connections: {s}");
    assert_eq!(answered, 4 * connections, "{s}");
    assert_eq!(r.successes, answered, "{s}");
    // Every request the server received and did not answer is an error on
    // the generator's side, and nothing else is.
    let errors: u64 = r.errors.values().sum();
    assert_eq!(
        errors,
        received - answered,
        "errors {:?}, server {s}",
        r.errors
    );
    assert_eq!(
        r.errors.get("reset").copied(),
        Some(errors),
        "{:?}",
        r.errors
    );
    // Closed model: each connection sends its batch of 16 and the next batch
    // only once all 16 are answered, so it never sends more than 16 (had it
    // refilled each place as its answer came, the 4 answers would have let 4
    // more go), and it loses the 12 still unanswered when the server closes.
    assert_eq!(received, 16 * connections, "{s}");
    assert_eq!(
        errors,
        12 * connections,
        "errors {:?}, server {s}",
        r.errors
    );
}

#[test]
fn a_stall_at_depth_4_is_charged_from_the_intended_send_times() {
    // As tests/bench_stall.rs, with 4 connections × 4 pipelined instead of
    // 16 × 1: the same 16 requests in flight, the same queue behind a 300 ms
    // stall at 1,000 req/s, so the same lower bounds.
    let server = start("stall", &STALL);
    let url = server.url("/plaintext");
    let r = bench_json(&[
        &url,
        "-c",
        "4",
        "--pipeline",
        "4",
        "-R",
        "1000",
        "-d",
        "3s",
        "-q",
    ]);
    assert_eq!(
        r.requests + r.schedule_lag.as_ref().map_or(0, |l| l.not_sent),
        3000,
        "errors {:?}",
        r.errors
    );
    // Higher latency ceilings than bench_stall's: at depth 4 the backlog's
    // catch-up was seen to take longer on a loaded machine (p95 of 213-250 ms
    // in 3 of 10 runs at load 13-15 on 2 cores). Service time's p99 has no
    // ceiling here (it never had; bench_stall holds it at depth 1).
    assert_stall_charged(
        &r,
        &StallCeilings {
            p50: 20.0,
            p95: 300.0,
            p99: 450.0,
            max: 600.0,
            service_p90: 20.0,
            service_p99: None,
        },
    );
}

fn h2_run(server: &bench_support::TestServer, streams: &str) -> LoadReport {
    let url = server.url("/x");
    bench_json(&[
        &url,
        "-c",
        "1",
        "-d",
        "1s",
        "-q",
        "--http2",
        "--streams",
        streams,
    ])
}

#[test]
fn http2_streams_run_concurrently_on_one_connection() {
    let server = start("h2-streams", &[("DELAY_MS", "20")]);
    let r = h2_run(&server, "8");
    let s = stats(server.port);
    assert!(r.errors.is_empty(), "errors {:?}", r.errors);
    assert_eq!(r.http_version, "HTTP/2");
    assert_eq!(r.in_flight_per_connection, 8);
    assert_eq!(s["connections"], 1, "{s}");
    assert_eq!(s["max_in_flight"], 8, "{s}");
    // 8 streams of 20 ms each: several times what one stream could do (50/s).
    assert!(r.requests >= 150, "{} requests in 1 s", r.requests);
}

#[test]
fn http2_streams_honour_the_servers_max_concurrent_streams() {
    let server = start("h2-streams", &[("DELAY_MS", "20"), ("MAX_STREAMS", "3")]);
    let r = h2_run(&server, "8");
    let s = stats(server.port);
    // No stream refused: the extra 5 waited in the client.
    assert!(r.errors.is_empty(), "errors {:?}", r.errors);
    assert!(r.requests >= 60, "{} requests in 1 s", r.requests);
    assert_eq!(s["connections"], 1, "{s}");
    assert_eq!(s["max_in_flight"], 3, "{s}");
}

#[test]
fn a_scenarios_load_table_takes_pipeline_or_streams() {
    use gauntlet::scenario::{Overrides, Scenario};
    let parse = |load: &str| {
        let text = format!("servers = [\"s\"]\n[[request]]\npath = \"/plaintext\"\n[load]\n{load}");
        Scenario::parse(
            std::path::Path::new("x.toml"),
            &text,
            &Overrides::default(),
            &["s"],
        )
        .map_err(|e| e.to_string())
    };
    let plain = parse("connections = 4\n").unwrap();
    assert_eq!((plain.pipeline, plain.streams), (1, None));
    let piped = parse("pipeline = 16\n").unwrap();
    assert_eq!((piped.pipeline, piped.streams), (16, None));
    let h2 = parse("streams = 10\n").unwrap();
    assert_eq!((h2.pipeline, h2.streams), (1, Some(10)));
    let err = parse("pipeline = 0\n").unwrap_err();
    assert!(
        err.contains("load.pipeline") && err.contains("from 1"),
        "{err}"
    );
    let err = parse("pipeline = 4\nstreams = 4\n").unwrap_err();
    assert!(
        err.contains("load.streams") && err.contains("exclude"),
        "{err}"
    );
}
