//! A server whose speed changes for a known time, then holds: every request
//! sleeps a delay that moves linearly from `$START_US` (default 5000) to
//! `$END_US` (default 1000) microseconds over the first `$RAMP_MS` (default
//! 3000) milliseconds after the server started listening, then stays at
//! `$END_US`. With START_US > END_US it warms up like a JIT (throughput rises
//! for RAMP_MS, then is flat); with START_US < END_US it degrades. In the
//! closed model throughput is about connections / delay. One thread per
//! connection; sleeping rather than burning CPU keeps the figures stable on
//! a machine whose CPUs are shared with other work.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use gauntlet_testservers::mini::{env_u64, serve, Reply};

struct Ramp {
    started: Instant,
    start_us: f64,
    end_us: f64,
    ramp: Duration,
}

fn ramp() -> &'static Ramp {
    static RAMP: OnceLock<Ramp> = OnceLock::new();
    RAMP.get_or_init(|| Ramp {
        started: Instant::now(),
        start_us: env_u64("START_US", 5000) as f64,
        end_us: env_u64("END_US", 1000) as f64,
        ramp: Duration::from_millis(env_u64("RAMP_MS", 3000)),
    })
}

fn handle(_method: &str, target: &str) -> Reply {
    let r = ramp();
    let progress = if r.ramp.is_zero() {
        1.0
    } else {
        (r.started.elapsed().as_secs_f64() / r.ramp.as_secs_f64()).min(1.0)
    };
    let delay_us = r.start_us + (r.end_us - r.start_us) * progress;
    std::thread::sleep(Duration::from_micros(delay_us as u64));
    let answer: &[u8] = if target == "/plaintext" {
        b"Hello, World!"
    } else {
        b"ramp"
    };
    (200, "text/plain", answer.to_vec())
}

fn main() -> std::io::Result<()> {
    // The clock starts before the port is announced, so "RAMP_MS after
    // start" is measured from readiness on.
    let _ = ramp();
    serve(handle)
}
