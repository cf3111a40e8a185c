//! The Rust reference servers (the three stdlib-tier ones and the framework
//! tier's rust-axum and rust-actix) pass every check of the contract, and
//! stop on SIGTERM with status 0 within 2 seconds.

mod verify_support;

use std::time::Duration;

use gauntlet::servers::upstream::{spawn_upstream, DelayRange};
use gauntlet::verify::contract::check_contract;
use verify_support::{build_rust_servers, Server};

#[test]
fn rust_servers_pass_every_check_and_stop_on_sigterm() {
    let bin = build_rust_servers();
    let delay: DelayRange = "1ms..5ms".parse().expect("valid range");
    let upstream = spawn_upstream(delay, 7).expect("upstream starts");
    let upstream_url = upstream.url();
    for name in [
        "rust-hyper",
        "rust-hyper-single",
        "rust-threads",
        "rust-axum",
        "rust-actix",
    ] {
        let mut server = Server::start(&bin.join(name), &[("UPSTREAM_URL", &upstream_url)]);
        let checks = check_contract(&server.url);
        let failed: Vec<_> = checks.iter().filter(|c| !c.passed).collect();
        assert!(failed.is_empty(), "{name} failed: {failed:#?}");
        assert!(
            checks.len() > 40,
            "{name}: only {} checks ran",
            checks.len()
        );
        assert!(server.is_running(), "{name} died during the checks");
        let (status, took) = server
            .terminate(Duration::from_secs(2))
            .unwrap_or_else(|| panic!("{name} did not exit within 2 s of SIGTERM"));
        assert!(status.success(), "{name} exited with {status}");
        eprintln!(
            "{name}: {} checks passed; SIGTERM exit 0 in {took:?}",
            checks.len()
        );
    }
}

#[test]
fn fanout_without_upstream_is_503() {
    let bin = build_rust_servers();
    for name in ["rust-hyper", "rust-threads", "rust-axum", "rust-actix"] {
        let server = Server::start(&bin.join(name), &[]);
        let target = gauntlet::verify::client::target(&server.url).expect("url");
        let response = gauntlet::verify::client::send(
            &target,
            &gauntlet::verify::client::Request::get("/fanout?n=1&deadline_ms=100"),
        )
        .expect("a response");
        assert_eq!(response.status, 503, "{name}");
    }
}

/// Sends `GET path` and returns the JSON body and how long the answer took.
fn timed_json(url: &str, path: &str) -> (serde_json::Value, Duration) {
    let target = gauntlet::verify::client::target(url).expect("url");
    let started = std::time::Instant::now();
    let response =
        gauntlet::verify::client::send(&target, &gauntlet::verify::client::Request::get(path))
            .expect("a response");
    let took = started.elapsed();
    assert_eq!(response.status, 200, "{path}: {}", response.body_text());
    (
        serde_json::from_slice(&response.body).expect("JSON body"),
        took,
    )
}

#[test]
fn fanout_answers_at_the_deadline_or_when_all_arrived() {
    let bin = build_rust_servers();
    let slow = spawn_upstream(DelayRange::fixed(Duration::from_millis(300)), 1).expect("upstream");
    for name in [
        "rust-hyper",
        "rust-hyper-single",
        "rust-threads",
        "rust-axum",
        "rust-actix",
    ] {
        let server = Server::start(&bin.join(name), &[("UPSTREAM_URL", &slow.url())]);
        // The upstream takes 300 ms: at a 100 ms deadline nothing has arrived,
        // and the answer comes at the deadline, not when the calls end.
        let (body, took) = timed_json(&server.url, "/fanout?n=50&deadline_ms=100");
        assert_eq!(body["arrived"], 0, "{name}: {body}");
        assert_eq!(body["missed"], 50, "{name}: {body}");
        assert!(
            took >= Duration::from_millis(100) && took < Duration::from_millis(280),
            "{name}: answered after {took:?} for a 100 ms deadline"
        );
        // A deadline far away: all arrive, and the answer comes when they do.
        let (body, took) = timed_json(&server.url, "/fanout?n=50&deadline_ms=5000");
        assert_eq!(body["arrived"], 50, "{name}: {body}");
        assert!(
            took < Duration::from_millis(2000),
            "{name}: took {took:?}, it should answer once all 50 arrived (~300 ms)"
        );
        eprintln!("{name}: fan-out of 50 to a 300 ms upstream answered in {took:?}");
    }
}
