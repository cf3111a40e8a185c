//! A server whose capacity is known in advance and does not depend on CPU
//! speed: it releases at most `$CAPACITY_RPS` responses per second (default
//! 3000) from one shared schedule, one slot every 1/C seconds, and queues the
//! rest (a token bucket in its virtual-scheduling form). Below C every
//! request finds a free slot at once and latency stays low; above C the
//! queue grows without bound (in the open model the generator's backlog
//! grows with it). Slots left unused while no request came are kept for at
//! most `$BURST_MS` milliseconds (default 100), so a generator that stalls
//! for a moment (a loaded machine) can catch up without losing capacity;
//! over any window of T seconds at most C × T + C × BURST_MS / 1000
//! responses go out. Each request costs microseconds of CPU, so the figure
//! holds as long as the server gets a few percent of a core. `GET
//! /plaintext` is the contract's answer; other paths answer 404.

use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use gauntlet_testservers::mini::{env_u64, plaintext, serve, Reply};

/// The next free release time, shared by every connection.
fn next_slot() -> &'static Mutex<Option<Instant>> {
    static NEXT: OnceLock<Mutex<Option<Instant>>> = OnceLock::new();
    NEXT.get_or_init(|| Mutex::new(None))
}

fn handle(method: &str, target: &str) -> Reply {
    static SPACING: OnceLock<Duration> = OnceLock::new();
    let spacing = *SPACING
        .get_or_init(|| Duration::from_secs_f64(1.0 / env_u64("CAPACITY_RPS", 3000).max(1) as f64));
    let now = Instant::now();
    let slot = {
        let mut next = next_slot().lock().unwrap_or_else(|e| e.into_inner());
        // An idle server does not bank slots: at most one spacing of credit.
        let slot = match *next {
            Some(n) if n > now => n,
            _ => now,
        };
        *next = Some(slot + spacing);
        slot
    };
    if slot > now {
        std::thread::sleep(slot - now);
    }
    plaintext(method, target)
}

fn main() -> std::io::Result<()> {
    serve(handle)
}
