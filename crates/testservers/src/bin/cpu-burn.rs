//! Burns `$BURN_MS` milliseconds (default 50) of its own CPU time on every
//! `GET /burn`, so a test can compare the sampled CPU time with requests × BURN_MS.

use gauntlet_testservers::mini::{env_u64, plaintext, serve, Reply};

fn thread_cpu_ns() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes into the timespec we own.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

fn handle(method: &str, target: &str) -> Reply {
    if target != "/burn" {
        return plaintext(method, target);
    }
    let budget = env_u64("BURN_MS", 50) * 1_000_000;
    let start = thread_cpu_ns();
    let mut x = 0u64;
    while thread_cpu_ns() - start < budget {
        for i in 0..1000u64 {
            x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(i));
        }
    }
    (200, "text/plain", format!("{x}").into_bytes())
}

fn main() -> std::io::Result<()> {
    serve(handle)
}
