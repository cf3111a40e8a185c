//! The contract checker: every rule of `reference-servers/CONTRACT.md` that
//! can be observed from outside a running server, as a list of named checks.
//!
//! It owns the expected values (the reference prime counts, the `/alloc`
//! checksum computed here by the contract's own formula, the caps) and the
//! wording of each difference, so a failing server is told what was expected
//! and what it sent. Error cases are followed by a `GET /plaintext` to prove
//! the server still answers. Printing lives in [`super::table`].

use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::{json, Value};

use super::client::{self, ClientError, Connection, Request, Response, Target};

/// The outcome of one rule of the contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EndpointCheck {
    /// What was checked, e.g. `GET /cpu?n=100`.
    pub name: String,
    /// Whether the server did what the contract says.
    pub passed: bool,
    /// On failure, the difference: what was expected and what came back.
    pub detail: Option<String>,
}

/// The largest `/echo` body the contract accepts.
pub const ECHO_LIMIT: usize = 1024 * 1024;

/// Reference prime counts from the contract, `(n, primes)`.
const PRIMES: &[(u64, u64)] = &[
    (0, 0),
    (1, 0),
    (2, 1),
    (100, 25),
    (10_000, 1229),
    (1_000_000, 78_498),
];

/// Checks every rule of CONTRACT.md observable from outside, including the
/// error cases (400s with JSON error bodies, 404, 405, 413 on /echo > 1 MiB),
/// and that the server still answers after each bad request. The server
/// must have been started with UPSTREAM_URL pointing at a live upstream
/// (e.g. spawn_upstream with a short delay) for the /fanout checks.
///
/// Blocking; takes a few seconds on a correct server (the slowest check is
/// `/cpu?n=1000000`, allowed 60 s). A URL that is not `http://HOST:PORT`
/// gives one failed check named `base URL`.
pub fn check_contract(base_url: &str) -> Vec<EndpointCheck> {
    let target = match client::target(base_url) {
        Ok(target) => target,
        Err(err) => {
            return vec![EndpointCheck {
                name: "base URL".into(),
                passed: false,
                detail: Some(err.to_string()),
            }]
        }
    };
    let mut checker = Checker {
        target,
        checks: Vec::new(),
    };
    checker.correct_requests();
    checker.echo_bodies();
    checker.chunked_echo();
    checker.work_endpoints();
    checker.fanout();
    checker.bad_requests();
    checker.checks
}

/// Collects checks against one target.
struct Checker {
    target: Target,
    checks: Vec<EndpointCheck>,
}

/// A rule's verdict: `Err` holds the difference.
type Verdict = Result<(), String>;

impl Checker {
    fn record(&mut self, name: impl Into<String>, verdict: Verdict) {
        self.checks.push(EndpointCheck {
            name: name.into(),
            passed: verdict.is_ok(),
            detail: verdict.err(),
        });
    }

    /// Sends `request` on a fresh connection and judges the response.
    fn expect(
        &mut self,
        name: impl Into<String>,
        request: Request<'_>,
        judge: impl FnOnce(&Response) -> Verdict,
    ) {
        let verdict = match client::send(&self.target, &request) {
            Ok(response) => judge(&response),
            Err(err) => Err(no_response(&err)),
        };
        self.record(name, verdict);
    }

    /// Like [`Checker::expect`] for a request the server must refuse, then
    /// proves the server still answers `GET /plaintext`.
    fn expect_refusal(
        &mut self,
        name: impl Into<String>,
        request: Request<'_>,
        judge: impl FnOnce(&Response) -> Verdict,
    ) {
        let verdict = match client::send(&self.target, &request) {
            Ok(response) => judge(&response),
            Err(err @ ClientError::Connect { .. }) => {
                // Down before this request: nothing more to learn from it.
                return self.record(name, Err(no_response(&err)));
            }
            Err(err) => Err(no_response(&err)),
        };
        let after = match client::send(&self.target, &Request::get("/plaintext")) {
            Ok(r) if r.status == 200 && r.body == b"Hello, World!" => Ok(()),
            Ok(r) => Err(format!(
                "afterwards GET /plaintext answered {} {}",
                r.status,
                shorten(&r.body_text())
            )),
            Err(err) => Err(format!(
                "afterwards the server no longer answers GET /plaintext ({err})"
            )),
        };
        let verdict = match (verdict, after) {
            (Ok(()), Ok(())) => Ok(()),
            (Err(e), Ok(())) | (Ok(()), Err(e)) => Err(e),
            (Err(a), Err(b)) => Err(format!("{a}; {b}")),
        };
        self.record(name, verdict);
    }

    fn correct_requests(&mut self) {
        self.expect("GET /plaintext", Request::get("/plaintext"), |r| {
            status(r, 200)?;
            media_type(r, "text/plain")?;
            exact_body(r, b"Hello, World!")
        });
        self.expect("GET /json", Request::get("/json"), |r| {
            status(r, 200)?;
            media_type(r, "application/json")?;
            exact_body(r, br#"{"message":"Hello, World!"}"#)
        });
        let verdict = self.keep_alive();
        self.record("keep-alive (3 requests on one connection)", verdict);
    }

    fn keep_alive(&self) -> Verdict {
        let mut conn = Connection::open(&self.target).map_err(|e| no_response(&e))?;
        for (i, path) in ["/plaintext", "/json", "/plaintext"]
            .into_iter()
            .enumerate()
        {
            let response = conn.send(&Request::get(path)).map_err(|e| {
                format!("request {} (GET {path}) on the same connection: {e}", i + 1)
            })?;
            status(&response, 200).map_err(|e| format!("request {} (GET {path}): {e}", i + 1))?;
        }
        Ok(())
    }

    fn echo_bodies(&mut self) {
        let object = json!({
            "name": "gauntlet",
            "list": [1, -2, 2.5, "x", null, true, false, {"nested": []}],
            "int_2_pow_53": 9_007_199_254_740_992u64,
            "negative": -9_007_199_254_740_992i64,
            "decimal": 0.123_456_789_012_345,
            "unicode": "h\u{e9}llo \u{2603}",
            "escapes": "quote \" backslash \\ newline \n",
        });
        let cases: Vec<(&str, Value)> = vec![
            ("object", object),
            ("array", json!([1, 2, 3])),
            ("string", json!("just a string")),
            ("number", json!(3.25)),
            ("true", json!(true)),
            ("null", Value::Null),
        ];
        for (label, value) in cases {
            let body = value.to_string();
            self.expect(
                format!("POST /echo ({label})"),
                Request::post("/echo", body.as_bytes()),
                |r| {
                    status(r, 200)?;
                    media_type(r, "application/json")?;
                    json_body(r, &value)
                },
            );
        }
        // Exactly 1 MiB is still accepted: a JSON string of ECHO_LIMIT bytes.
        let big = format!("\"{}\"", "a".repeat(ECHO_LIMIT - 2));
        let expected = Value::String("a".repeat(ECHO_LIMIT - 2));
        self.expect(
            "POST /echo (body of exactly 1 MiB)",
            Request::post("/echo", big.as_bytes()),
            |r| {
                status(r, 200)?;
                json_body(r, &expected)
            },
        );
    }

    fn chunked_echo(&mut self) {
        let body = br#"{"sent":"chunked","n":[1,2,3]}"#;
        self.expect(
            "POST /echo (chunked body)",
            Request::post("/echo", body).chunked(),
            |r| {
                status(r, 200)?;
                json_body(r, &json!({"sent": "chunked", "n": [1, 2, 3]}))
            },
        );
    }

    fn work_endpoints(&mut self) {
        for &(n, primes) in PRIMES {
            let path = format!("/cpu?n={n}");
            let timeout = Duration::from_secs(if n >= 1_000_000 { 60 } else { 10 });
            self.expect(
                format!("GET {path}"),
                Request::get(&path).with_timeout(timeout),
                |r| {
                    status(r, 200)?;
                    media_type(r, "application/json")?;
                    json_body(r, &json!({"n": n, "primes": primes}))
                },
            );
        }
        for kb in [0u64, 1, 4, 1024] {
            let path = format!("/alloc?kb={kb}");
            let (objects, checksum) = alloc_expected(kb);
            self.expect(format!("GET {path}"), Request::get(&path), |r| {
                status(r, 200)?;
                media_type(r, "application/json")?;
                json_body(
                    r,
                    &json!({"kb": kb, "objects": objects, "checksum": checksum}),
                )
            });
        }
        self.expect("GET /sleep?ms=0", Request::get("/sleep?ms=0"), |r| {
            status(r, 200)?;
            media_type(r, "application/json")?;
            json_body(r, &json!({"slept_ms": 0}))
        });
        let started = Instant::now();
        let response = client::send(&self.target, &Request::get("/sleep?ms=200"));
        let took = started.elapsed();
        let verdict = match response {
            Ok(r) => status(&r, 200)
                .and_then(|()| json_body(&r, &json!({"slept_ms": 200})))
                .and_then(|()| {
                    if took < Duration::from_millis(200) {
                        Err(format!(
                            "answered after {took:?}, before the 200 ms had passed"
                        ))
                    } else if took > Duration::from_millis(2200) {
                        Err(format!("answered after {took:?}, expected about 200 ms"))
                    } else {
                        Ok(())
                    }
                }),
            Err(err) => Err(no_response(&err)),
        };
        self.record("GET /sleep?ms=200 (waits 200 ms)", verdict);
    }

    fn fanout(&mut self) {
        let path = "/fanout?n=5&deadline_ms=5000";
        self.expect(format!("GET {path}"), Request::get(path), |r| {
            if r.status == 503 {
                return Err("503: the server has no UPSTREAM_URL; start it with \
                            UPSTREAM_URL pointing at a live upstream"
                    .into());
            }
            status(r, 200)?;
            media_type(r, "application/json")?;
            json_body(
                r,
                &json!({"requested": 5, "arrived": 5, "missed": 0, "deadline_ms": 5000}),
            )
        });
        // A deadline the upstream cannot meet: the answer must come at the
        // deadline with the counts adding up, not when the calls finish.
        let path = "/fanout?n=20&deadline_ms=1";
        let started = Instant::now();
        let response = client::send(&self.target, &Request::get(path));
        let took = started.elapsed();
        let verdict = match response {
            Ok(r) => status(&r, 200)
                .and_then(|()| fanout_counts(&r, 20, 1))
                .and_then(|()| {
                    if took > Duration::from_millis(1000) {
                        Err(format!("answered after {took:?}; the deadline was 1 ms"))
                    } else {
                        Ok(())
                    }
                }),
            Err(err) => Err(no_response(&err)),
        };
        self.record(format!("GET {path} (answers at the deadline)"), verdict);
    }

    fn bad_requests(&mut self) {
        let bad_params: &[&str] = &[
            "/cpu",
            "/cpu?n=-1",
            "/cpu?n=abc",
            "/cpu?n=1.5",
            "/cpu?n=1000001",
            "/cpu?n=99999999999999999999999",
            "/sleep",
            "/sleep?ms=-5",
            "/sleep?ms=10001",
            "/alloc?kb=-1",
            "/alloc?kb=65537",
            "/alloc?kb=x",
            "/fanout?deadline_ms=100",
            "/fanout?n=0&deadline_ms=100",
            "/fanout?n=10001&deadline_ms=100",
            "/fanout?n=1",
            "/fanout?n=1&deadline_ms=0",
            "/fanout?n=1&deadline_ms=60001",
        ];
        for path in bad_params {
            self.expect_refusal(format!("GET {path} (400)"), Request::get(path), |r| {
                status(r, 400)?;
                error_body(r)
            });
        }
        for body in ["{\"a\":", "not json", ""] {
            let label = if body.is_empty() {
                "empty body"
            } else {
                "invalid JSON"
            };
            self.expect_refusal(
                format!("POST /echo `{body}` ({label}, 400)"),
                Request::post("/echo", body.as_bytes()),
                |r| status(r, 400),
            );
        }
        let too_big = format!("\"{}\"", "a".repeat(ECHO_LIMIT - 1));
        self.expect_refusal(
            "POST /echo (1 MiB + 1 byte, 413)",
            Request::post("/echo", too_big.as_bytes()),
            |r| status(r, 413),
        );
        // Without Content-Length the cap applies to the bytes read.
        self.expect_refusal(
            "POST /echo (chunked, 1 MiB + 1 byte, 413)",
            Request::post("/echo", too_big.as_bytes()).chunked(),
            |r| status(r, 413),
        );
        self.expect_refusal(
            "GET /no-such-path (404)",
            Request::get("/no-such-path"),
            |r| status(r, 404),
        );
        self.expect_refusal("GET /echo (405)", Request::get("/echo"), |r| status(r, 405));
        self.expect_refusal("POST /json (405)", Request::post("/json", b"{}"), |r| {
            status(r, 405)
        });
        self.expect_refusal(
            "POST /cpu?n=1 (405)",
            Request::post("/cpu?n=1", b"{}"),
            |r| status(r, 405),
        );
    }
}

/// `O` and `C` of `/alloc?kb=K`, by the contract's formula.
pub fn alloc_expected(kb: u64) -> (u64, u64) {
    let objects = kb * 16;
    let checksum = (0..objects)
        .map(|i| (0..64u64).map(|j| (i + j) % 256).sum::<u64>())
        .sum();
    (objects, checksum)
}

fn no_response(err: &ClientError) -> String {
    format!("no valid response: {err}")
}

fn status(r: &Response, expected: u16) -> Verdict {
    if r.status == expected {
        Ok(())
    } else {
        Err(format!(
            "status: expected {expected}, got {} (body {})",
            r.status,
            shorten(&r.body_text())
        ))
    }
}

fn media_type(r: &Response, expected: &str) -> Verdict {
    match r.media_type() {
        Some(got) if got == expected => Ok(()),
        Some(_) => Err(format!(
            "Content-Type: expected {expected}, got {:?}",
            r.header("content-type").unwrap_or_default()
        )),
        None => Err(format!("Content-Type: expected {expected}, got none")),
    }
}

fn exact_body(r: &Response, expected: &[u8]) -> Verdict {
    if r.body == expected {
        Ok(())
    } else {
        Err(format!(
            "body: expected {} ({} bytes), got {} ({} bytes)",
            shorten(&String::from_utf8_lossy(expected)),
            expected.len(),
            shorten(&r.body_text()),
            r.body.len()
        ))
    }
}

fn json_body(r: &Response, expected: &Value) -> Verdict {
    let got: Value = serde_json::from_slice(&r.body).map_err(|e| {
        format!(
            "body: expected JSON {}, got {} (not JSON: {e})",
            shorten(&expected.to_string()),
            shorten(&r.body_text())
        )
    })?;
    if json_equal(&got, expected) {
        Ok(())
    } else {
        Err(format!(
            "body: expected {}, got {}",
            shorten(&expected.to_string()),
            shorten(&got.to_string())
        ))
    }
}

fn error_body(r: &Response) -> Verdict {
    media_type(r, "application/json")?;
    let got: Value = serde_json::from_slice(&r.body).map_err(|e| {
        format!(
            "body: expected {{\"error\":\"...\"}}, got {} ({e})",
            shorten(&r.body_text())
        )
    })?;
    match got.get("error") {
        Some(Value::String(message)) if !message.trim().is_empty() && !message.contains('\n') => {
            Ok(())
        }
        _ => Err(format!(
            "body: expected {{\"error\":\"<one line>\"}}, got {}",
            shorten(&got.to_string())
        )),
    }
}

fn fanout_counts(r: &Response, requested: u64, deadline_ms: u64) -> Verdict {
    media_type(r, "application/json")?;
    let got: Value = serde_json::from_slice(&r.body)
        .map_err(|e| format!("body: not JSON ({e}): {}", shorten(&r.body_text())))?;
    let field = |name: &str| got.get(name).and_then(Value::as_u64);
    match (
        field("requested"),
        field("arrived"),
        field("missed"),
        field("deadline_ms"),
    ) {
        (Some(n), Some(a), Some(m), Some(d))
            if n == requested && d == deadline_ms && a + m == n && got.as_object().is_some_and(|o| o.len() == 4) =>
        {
            Ok(())
        }
        _ => Err(format!(
            "body: expected {{\"requested\":{requested},\"arrived\":A,\"missed\":{requested}-A,\"deadline_ms\":{deadline_ms}}}, got {}",
            shorten(&got.to_string())
        )),
    }
}

/// JSON equality with numbers compared by value (`1.0` equals `1`).
pub fn json_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(x), Some(y)) => x == y,
            _ => match (x.as_u64(), y.as_u64()) {
                (Some(x), Some(y)) => x == y,
                _ => x.as_f64() == y.as_f64(),
            },
        },
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| json_equal(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_equal(v, w)))
        }
        _ => a == b,
    }
}

/// The text cut to a readable length, in backticks; escaped only when it
/// holds control characters.
fn shorten(text: &str) -> String {
    const MAX: usize = 160;
    let quote = |t: &str| {
        if t.chars().any(char::is_control) {
            format!("{t:?}")
        } else {
            format!("`{t}`")
        }
    };
    if text.chars().count() <= MAX {
        quote(text)
    } else {
        let head: String = text.chars().take(MAX).collect();
        format!("{}... ({} bytes)", quote(&head), text.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alloc_expectation_matches_the_contract_reference() {
        assert_eq!(alloc_expected(0), (0, 0));
        assert_eq!(alloc_expected(1), (16, 39_936));
    }

    #[test]
    fn numbers_compare_by_value_but_types_do_not_mix() {
        assert!(json_equal(&json!({"a": 1.0}), &json!({"a": 1})));
        assert!(!json_equal(&json!({"a": 1}), &json!({"a": 2})));
        assert!(!json_equal(&json!("1"), &json!(1)));
        assert!(!json_equal(&json!([1, 2]), &json!([1, 2, 3])));
    }

    #[test]
    fn an_unparsable_base_url_is_one_failed_check() {
        let checks = check_contract("localhost:80");
        assert_eq!(checks.len(), 1);
        assert!(!checks[0].passed);
        assert!(checks[0]
            .detail
            .as_deref()
            .is_some_and(|d| d.contains("http://")));
    }
}
