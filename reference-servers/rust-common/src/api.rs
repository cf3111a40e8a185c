//! The contract's routes and replies, independent of any HTTP library:
//! [`route`] turns a method and request target into a [`Route`] or an error
//! [`Reply`] (400, 404, 405), and the reply functions build every body the
//! contract names. Each server only moves bytes and waits.

use serde_json::json;

/// The largest `/echo` body accepted (1 MiB).
pub const ECHO_LIMIT: usize = 1024 * 1024;

/// A response: status, media type and the whole body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// The status code.
    pub status: u16,
    /// The `Content-Type` value.
    pub content_type: &'static str,
    /// The body.
    pub body: Vec<u8>,
}

impl Reply {
    fn json(status: u16, value: serde_json::Value) -> Self {
        Self {
            status,
            content_type: "application/json",
            body: value.to_string().into_bytes(),
        }
    }

    fn text(status: u16, body: &str) -> Self {
        Self {
            status,
            content_type: "text/plain; charset=utf-8",
            body: body.as_bytes().to_vec(),
        }
    }
}

/// A request the contract knows, with its validated parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// `GET /plaintext`.
    Plaintext,
    /// `GET /json`.
    Json,
    /// `POST /echo`; the body is still to be read.
    Echo,
    /// `GET /cpu?n=N`.
    Cpu(u64),
    /// `GET /sleep?ms=M`.
    Sleep(u64),
    /// `GET /alloc?kb=K`.
    Alloc(u64),
    /// `GET /fanout?n=N&deadline_ms=D`.
    Fanout {
        /// Upstream calls to make.
        n: u64,
        /// Milliseconds from the request's arrival to the answer.
        deadline_ms: u64,
    },
}

/// Routes a request: `target` is the path with its query string.
pub fn route(method: &str, target: &str) -> Result<Route, Reply> {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let want = match path {
        "/echo" => "POST",
        "/plaintext" | "/json" | "/cpu" | "/sleep" | "/alloc" | "/fanout" => "GET",
        _ => return Err(Reply::text(404, "not found")),
    };
    if method != want {
        return Err(Reply::text(405, "method not allowed"));
    }
    Ok(match path {
        "/plaintext" => Route::Plaintext,
        "/json" => Route::Json,
        "/echo" => Route::Echo,
        "/cpu" => Route::Cpu(cpu_param(query)?),
        "/sleep" => Route::Sleep(sleep_param(query)?),
        "/alloc" => Route::Alloc(alloc_param(query)?),
        _ => {
            let (n, deadline_ms) = fanout_params(query)?;
            Route::Fanout { n, deadline_ms }
        }
    })
}

/// `/cpu`'s `n` from a query string (without `?`), or a 400. The framework
/// servers route with their framework and validate with these functions, so
/// the caps and messages live in one place.
pub fn cpu_param(query: &str) -> Result<u64, Reply> {
    param(query, "n", 0, 1_000_000)
}

/// `/sleep`'s `ms` from a query string, or a 400.
pub fn sleep_param(query: &str) -> Result<u64, Reply> {
    param(query, "ms", 0, 10_000)
}

/// `/alloc`'s `kb` from a query string, or a 400.
pub fn alloc_param(query: &str) -> Result<u64, Reply> {
    param(query, "kb", 0, 65_536)
}

/// `/fanout`'s `(n, deadline_ms)` from a query string, or a 400.
pub fn fanout_params(query: &str) -> Result<(u64, u64), Reply> {
    Ok((
        param(query, "n", 1, 10_000)?,
        param(query, "deadline_ms", 1, 60_000)?,
    ))
}

/// The integer parameter `name` in `min..=max`, or a 400 saying so.
fn param(query: &str, name: &str, min: u64, max: u64) -> Result<u64, Reply> {
    let value = query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value);
    let parsed = value
        .filter(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|v| v.parse::<u64>().ok())
        .filter(|v| (min..=max).contains(v));
    parsed.ok_or_else(|| {
        bad_request(&format!(
            "parameter {name} must be an integer from {min} to {max}"
        ))
    })
}

/// 400 with `{"error": message}`.
pub fn bad_request(message: &str) -> Reply {
    Reply::json(400, json!({ "error": message }))
}

/// `GET /plaintext`.
pub fn plaintext() -> Reply {
    Reply {
        status: 200,
        content_type: "text/plain",
        body: b"Hello, World!".to_vec(),
    }
}

/// `GET /json`, serialized from a value like any service would.
pub fn json_message() -> Reply {
    Reply::json(200, json!({ "message": "Hello, World!" }))
}

/// `POST /echo` with the whole body read: the same JSON value, or 400.
pub fn echo(body: &[u8]) -> Reply {
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(value) => Reply::json(200, value),
        Err(e) => bad_request(&format!("the body must be one JSON value: {e}")),
    }
}

/// 413 for an `/echo` body over [`ECHO_LIMIT`].
pub fn too_large() -> Reply {
    Reply::json(
        413,
        json!({ "error": format!("the body must be at most {ECHO_LIMIT} bytes") }),
    )
}

/// `GET /cpu?n=N`, computed now on the calling thread.
pub fn cpu(n: u64) -> Reply {
    Reply::json(
        200,
        json!({ "n": n, "primes": crate::work::count_primes(n) }),
    )
}

/// `GET /sleep?ms=M`, once the wait is over.
pub fn slept(ms: u64) -> Reply {
    Reply::json(200, json!({ "slept_ms": ms }))
}

/// `GET /alloc?kb=K`, computed now on the calling thread.
pub fn alloc(kb: u64) -> Reply {
    let (objects, checksum) = crate::work::alloc_checksum(kb);
    Reply::json(
        200,
        json!({ "kb": kb, "objects": objects, "checksum": checksum }),
    )
}

/// `GET /fanout` once the calls are counted.
pub fn fanout(n: u64, arrived: u64, deadline_ms: u64) -> Reply {
    Reply::json(
        200,
        json!({ "requested": n, "arrived": arrived, "missed": n - arrived, "deadline_ms": deadline_ms }),
    )
}

/// 503 for `/fanout` without `UPSTREAM_URL`.
pub fn no_upstream() -> Reply {
    Reply::json(503, json!({ "error": "UPSTREAM_URL is not set" }))
}

/// The upstream's base URL from `$UPSTREAM_URL`, trailing slash removed.
pub fn upstream_from_env() -> Option<String> {
    std::env::var("UPSTREAM_URL")
        .ok()
        .map(|u| u.trim().trim_end_matches('/').to_string())
        .filter(|u| !u.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_check_method_path_and_caps() {
        assert_eq!(route("GET", "/cpu?n=100"), Ok(Route::Cpu(100)));
        assert_eq!(route("GET", "/nope").map_err(|r| r.status), Err(404));
        assert_eq!(route("GET", "/echo").map_err(|r| r.status), Err(405));
        assert_eq!(route("GET", "/cpu?n=-1").map_err(|r| r.status), Err(400));
        assert_eq!(
            route("GET", "/cpu?n=1000001").map_err(|r| r.status),
            Err(400)
        );
        assert_eq!(
            route("GET", "/fanout?deadline_ms=5&n=3"),
            Ok(Route::Fanout {
                n: 3,
                deadline_ms: 5
            })
        );
        assert_eq!(route("GET", "/fanout?n=3").map_err(|r| r.status), Err(400));
    }
}
