//! A user's request reaches the server as written, on every client path: the
//! lean HTTP/1.1 encoder, hyper's HTTP/1.1 client and HTTP/2. The `recorder`
//! test server writes down each request it receives; every one must carry the
//! method, path and query, headers, body and Host/authority given to `bench`.

mod bench_support;

use std::time::Duration;

use bench_support::{gauntlet, start};
use serde_json::Value;

const BODY: &str = r#"{"name":"gauntlet","tags":["a|b","<c>"]}"#;

/// Runs `bench` with a POST carrying headers and a body against a fresh
/// recorder; returns the recorded requests and the recorder's port.
fn recorded(extra: &[&str], env: &[(&str, &str)]) -> (Vec<Value>, u16) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("requests.jsonl");
    let server = start("recorder", &[("RECORD_FILE", file.to_str().unwrap())]);
    gauntlet()
        .arg("bench")
        .arg(server.url("/submit?id=7&q=a%20b"))
        .args(["-m", "POST", "-H", "X-Trace: abc 123", "-H"])
        .arg("Content-Type: application/json")
        .args(["--body", BODY, "-c", "2", "-R", "40", "-d", "1s", "-q"])
        .args(extra)
        .envs(env.iter().copied())
        .timeout(Duration::from_secs(30))
        .assert()
        .success();
    let text = std::fs::read_to_string(&file).unwrap();
    let requests = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (requests, server.port)
}

fn header<'a>(request: &'a Value, name: &str) -> Vec<&'a str> {
    request["headers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h[0] == name)
        .map(|h| h[1].as_str().unwrap())
        .collect()
}

fn assert_as_written(requests: &[Value], port: u16, version: &str) {
    assert!(
        requests.len() >= 10,
        "only {} requests recorded",
        requests.len()
    );
    let host = format!("127.0.0.1:{port}");
    for r in requests {
        assert_eq!(r["version"], version, "{r}");
        assert_eq!(r["method"], "POST", "{r}");
        assert_eq!(r["path"], "/submit?id=7&q=a%20b", "{r}");
        assert_eq!(r["body"], BODY, "{r}");
        assert_eq!(header(r, "x-trace"), ["abc 123"], "{r}");
        assert_eq!(header(r, "content-type"), ["application/json"], "{r}");
        if version == "HTTP/2.0" {
            assert_eq!(r["authority"], host.as_str(), "{r}");
        } else {
            assert_eq!(header(r, "host"), [host.as_str()], "{r}");
            let length = BODY.len().to_string();
            assert_eq!(header(r, "content-length"), [length.as_str()], "{r}");
        }
    }
}

#[test]
fn the_lean_http1_client_sends_the_request_as_written() {
    let (requests, port) = recorded(&[], &[]);
    assert_as_written(&requests, port, "HTTP/1.1");
}

#[test]
fn the_hyper_http1_client_sends_the_request_as_written() {
    let (requests, port) = recorded(&[], &[("GAUNTLET_HTTP1_CLIENT", "hyper")]);
    assert_as_written(&requests, port, "HTTP/1.1");
}

#[test]
fn http2_sends_the_request_as_written() {
    let (requests, port) = recorded(&["--http2"], &[]);
    assert_as_written(&requests, port, "HTTP/2.0");
}
