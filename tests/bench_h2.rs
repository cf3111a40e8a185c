//! The lean HTTP/2 client against test servers whose behaviour is known:
//! a server's SETTINGS_MAX_CONCURRENT_STREAMS of 2 is never exceeded
//! (h2-streams counts the streams it has in progress), a GOAWAY fails
//! exactly the streams above its last stream id (h2-goaway ends every
//! connection with one, taking a known number of streams with it), and a
//! stall is charged from the intended send times, as over HTTP/1.1
//! (tests/bench_stall.rs), with the same expected percentiles; a body that
//! never ends times out.

mod bench_support;

use std::io::{Read, Write};
use std::time::Duration;

use bench_support::{gauntlet, start};
use gauntlet::results::LoadReport;

/// `GET /stats` of a test server, on a connection of its own, as JSON.
fn stats(port: u16) -> serde_json::Value {
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.write_all(b"GET /stats HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut text = String::new();
    s.read_to_string(&mut text).unwrap();
    let body = text.split("\r\n\r\n").nth(1).unwrap_or_default();
    serde_json::from_str(body).unwrap_or_else(|e| panic!("/stats answered {text:?}: {e}"))
}

fn h2_bench(url: &str, args: &[&str]) -> LoadReport {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("h2.json");
    gauntlet()
        .args(["bench", url, "--http2", "-q"])
        .args(args)
        .arg("--json")
        .arg(&json)
        .timeout(Duration::from_secs(60))
        .assert()
        .success();
    gauntlet::results::read_json(&json).unwrap()
}

#[test]
fn a_server_limit_of_two_streams_is_never_exceeded() {
    let server = start("h2-streams", &[("DELAY_MS", "20"), ("MAX_STREAMS", "2")]);
    let r = h2_bench(
        &server.url("/x"),
        &["-c", "2", "--streams", "10", "-d", "1s"],
    );
    let s = stats(server.port);
    // No stream refused: the 8 over the limit waited in the client.
    assert!(r.errors.is_empty(), "errors {:?}", r.errors);
    assert_eq!(s["max_in_flight"], 2, "{s}");
    // 2 connections x 2 streams of 20 ms: about 200/s; more than one stream
    // each (100/s) proves they overlap, fewer than 10 each (1,000/s) that
    // the limit held.
    assert!(
        (110..=260).contains(&r.requests),
        "{} requests in 1 s",
        r.requests
    );
    // Waiting for a stream counts in latency: 10 requests per connection
    // share 2 streams of 20 ms, so the median waits about 100 ms.
    let p50_ms = r.latency.p50_us as f64 / 1000.0;
    assert!((60.0..200.0).contains(&p50_ms), "p50 {p50_ms} ms");
}

#[test]
fn a_goaway_fails_exactly_the_streams_above_its_last_stream_id() {
    // Each connection: 5 answered, then 4 held; GOAWAY keeps the first
    // held one (answered) and loses the other 3. So 6 successes for every 3
    // errors, all `reset`.
    let server = start("h2-goaway", &[("ANSWER", "5"), ("HOLD", "4")]);
    let r = h2_bench(
        &server.url("/plaintext"),
        &["-c", "1", "--streams", "4", "-d", "1s"],
    );
    let reset = r.errors.get("reset").copied().unwrap_or(0);
    assert_eq!(
        r.errors.len(),
        usize::from(reset > 0),
        "only resets expected: {:?}",
        r.errors
    );
    assert!(reset >= 30, "{reset} resets, {} successes", r.successes);
    // Responses are all `200 Hello, World!`: none was taken for another.
    assert_eq!(r.requests, r.successes, "status codes {:?}", r.status_codes);
    // The last connection may be cut short by the end of the run.
    let expected = r.successes as f64 / 2.0;
    assert!(
        (reset as f64 - expected).abs() <= 4.0,
        "{reset} resets for {} successes (expected 1 per 2)",
        r.successes
    );
}

#[test]
fn an_http2_stall_is_charged_from_the_intended_send_times() {
    // As tests/bench_stall.rs over HTTP/2: a 300 ms stall one second into a
    // 3 s open-model run on 16 connections. At 200 req/s rather than 1,000
    // (the h2-streams server is hyper, heavier than the raw HTTP/1.1 stall
    // server, and tests run it in debug on a loaded machine): the stall still
    // holds 10 % of the requests, delayed uniformly 0-300 ms, so the same
    // percentiles are expected.
    let server = start(
        "h2-streams",
        &[
            ("DELAY_MS", "0"),
            ("STALL_AFTER_MS", "1000"),
            ("STALL_MS", "300"),
        ],
    );
    let r = h2_bench(
        &server.url("/plaintext"),
        &["-c", "16", "-R", "200", "-d", "3s"],
    );
    let ms = |us: u64| us as f64 / 1000.0;
    assert_eq!(r.requests, 600, "errors {:?}", r.errors);
    let l = &r.latency;
    let p95 = gauntlet::record::decode_histogram(&l.histogram)
        .unwrap()
        .value_at_quantile(0.95);
    // Wider bounds than over HTTP/1.1: hyper's debug server adds a few ms
    // of its own to every answer on a loaded machine. Without the correction
    // p95 would be a few ms and p99 well under 100 ms.
    assert!(ms(l.p50_us) < 30.0, "p50 {} ms", ms(l.p50_us));
    assert!((100.0..260.0).contains(&ms(p95)), "p95 {} ms", ms(p95));
    assert!(
        (220.0..400.0).contains(&ms(l.p99_us)),
        "p99 {} ms",
        ms(l.p99_us)
    );
    assert!(
        (280.0..450.0).contains(&ms(l.max_us)),
        "max {} ms",
        ms(l.max_us)
    );
    // Service time (from the actual send) misses the queue.
    let s = &r.service_time;
    assert!(ms(s.p90_us) < 60.0, "service p90 {} ms", ms(s.p90_us));
    assert!(ms(s.max_us) >= 250.0, "service max {} ms", ms(s.max_us));
}

#[test]
fn an_http2_body_that_never_ends_times_out() {
    // /endless streams data frames without end: each read succeeds, so only
    // a deadline checked between reads can end the request. 2 connections,
    // one stream each, a 1 s timeout in a 2 s run: every request times out,
    // none succeeds, and the run ends near its duration plus the timeout.
    let server = start("h2-streams", &[("DELAY_MS", "0")]);
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("h2.json");
    let started = std::time::Instant::now();
    gauntlet()
        .args(["bench", &server.url("/endless"), "--http2", "-q"])
        .args(["-c", "2", "-t", "1", "-d", "2s", "--timeout", "1s"])
        .arg("--json")
        .arg(&json)
        .timeout(Duration::from_secs(60))
        .assert()
        .code(1);
    let took = started.elapsed();
    let r: LoadReport = gauntlet::results::read_json(&json).unwrap();
    assert_eq!(r.successes, 0, "errors {:?}", r.errors);
    assert!(
        r.errors.get("timeout").copied().unwrap_or(0) >= 2,
        "errors {:?}",
        r.errors
    );
    assert!(took < Duration::from_secs(10), "the run took {took:?}");
}
