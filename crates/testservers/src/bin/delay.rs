//! Answers every request after sleeping `$DELAY_US` microseconds (default
//! 2000), one thread per connection, so that a test can slow a server by a
//! known fraction: in the closed model throughput is about
//! connections / (delay + overhead), and latency about delay + overhead.
//! `GET /plaintext` is the contract's answer (after the same delay); other
//! paths answer `delayed`. Sleeping rather than burning CPU keeps the figure
//! stable on a machine whose CPUs are shared with other work.

use std::sync::OnceLock;
use std::time::Duration;

use gauntlet_testservers::mini::{env_u64, serve, Reply};

fn handle(_method: &str, target: &str) -> Reply {
    static DELAY: OnceLock<Duration> = OnceLock::new();
    std::thread::sleep(*DELAY.get_or_init(|| Duration::from_micros(env_u64("DELAY_US", 2000))));
    let answer: &[u8] = if target == "/plaintext" {
        b"Hello, World!"
    } else {
        b"delayed"
    };
    (200, "text/plain", answer.to_vec())
}

fn main() -> std::io::Result<()> {
    serve(handle)
}
