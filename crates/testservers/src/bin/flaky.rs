//! Answers `GET /plaintext` with the contract's `Hello, World!`, except every
//! `$FAIL_EVERY`-th request (default 10) over the server's lifetime, which
//! gets `500 Internal Server Error`: a known share of failures (1 in N, 10 %
//! by default) for tests of error rates. Other paths answer 404.

use std::sync::atomic::{AtomicU64, Ordering};

use gauntlet_testservers::mini::{env_u64, plaintext, serve, Reply};

fn handle(method: &str, target: &str) -> Reply {
    static COUNT: AtomicU64 = AtomicU64::new(0);
    let n = COUNT.fetch_add(1, Ordering::Relaxed) + 1;
    if n.is_multiple_of(env_u64("FAIL_EVERY", 10).max(1)) {
        return (500, "text/plain", b"failing on purpose".to_vec());
    }
    plaintext(method, target)
}

fn main() -> std::io::Result<()> {
    serve(handle)
}
