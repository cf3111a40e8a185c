//! Both loops against a server of known behaviour: a thread per connection
//! on 127.0.0.1:0 that answers every request head with one fixed response
//! and counts what it answered. A loop's count must match the server's,
//! less at most the requests still in flight when the loop stopped; a
//! server that answers something else must make the loop fail; the mean
//! batch latency a loop reports must agree with Little's law.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::target::Target;
use crate::{epoll, uring, Outcome};

const OK: &[u8] =
    b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nHello, World!";
const NOT_FOUND: &[u8] = b"HTTP/1.1 404 Not Found\r\nContent-Length: 13\r\n\r\nHello, World!";

/// Starts the server; the response after `good` answers is `NOT_FOUND`.
/// Returns its URL and its count of answers.
fn server(good: u64) -> (String, Arc<AtomicU64>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/plaintext", listener.local_addr().unwrap());
    let answered = Arc::new(AtomicU64::new(0));
    let count = answered.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { return };
            let count = count.clone();
            std::thread::spawn(move || {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                loop {
                    let n = match s.read(&mut chunk) {
                        Ok(0) | Err(_) => return,
                        Ok(n) => n,
                    };
                    buf.extend_from_slice(&chunk[..n]);
                    let mut out = Vec::new();
                    while let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                        buf.drain(..end + 4);
                        let k = count.fetch_add(1, Ordering::SeqCst);
                        out.extend_from_slice(if k < good { OK } else { NOT_FOUND });
                    }
                    if s.write_all(&out).is_err() {
                        return;
                    }
                }
            });
        }
    });
    (url, answered)
}

fn options() -> Vec<uring::Options> {
    let base = uring::Options {
        wait: 1,
        ..Default::default()
    };
    vec![
        base,
        uring::Options {
            link: true,
            poll_first: true,
            fixed_files: true,
            ..base
        },
        uring::Options {
            fixed_bufs: true,
            ..base
        },
        uring::Options {
            multishot: true,
            defer_taskrun: true,
            fixed_files: true,
            wait: 4,
            min_wait_us: if min_timeout() { 50 } else { 0 },
            ..base
        },
    ]
}

/// The counts of one run agree with the server's: every counted response
/// was answered, and at most `conns * depth` answers were not yet counted.
fn check(out: Outcome, answered: &AtomicU64, conns: u64, depth: u64, what: &str) {
    // Let the server finish the batch it may be answering.
    std::thread::sleep(Duration::from_millis(200));
    let served = answered.load(Ordering::SeqCst);
    assert!(out.requests > 0, "{what}: no responses");
    assert!(
        out.requests <= served && served <= out.requests + conns * depth,
        "{what}: counted {} responses, the server answered {served}",
        out.requests
    );
    // A closed loop keeps every connection busy with one batch: the mean
    // batch latency is connections * seconds / batches (Little's law), less
    // the batches still in flight at the stop.
    let little_us = conns as f64 * out.seconds / out.batches as f64 * 1e6;
    assert!(
        out.latency_us > little_us * 0.5 && out.latency_us <= little_us * 1.05,
        "{what}: mean latency {:.1} us, Little's law says {little_us:.1} us ({} batches)",
        out.latency_us,
        out.batches
    );
}

/// Whether this kernel has `min_wait_usec` (Linux 6.12).
fn min_timeout() -> bool {
    io_uring::IoUring::new(8).is_ok_and(|r| r.params().is_feature_min_timeout())
}

/// Whether this kernel lets us make an io_uring (a sandbox may forbid it).
fn uring_available() -> bool {
    match io_uring::IoUring::new(8) {
        Ok(_) => true,
        Err(e) => {
            eprintln!("io_uring unavailable here ({e}); the uring checks are skipped");
            false
        }
    }
}

#[test]
fn counts_match_the_server_at_depth_1_and_16() {
    let d = Duration::from_millis(300);
    for depth in [1u64, 16] {
        let (url, answered) = server(u64::MAX);
        let t = Target::new(&url, depth as usize).unwrap();
        let out = epoll::run(&t, 4, depth, d).unwrap();
        check(out, &answered, 4, depth, &format!("epoll depth {depth}"));
        if !uring_available() {
            continue;
        }
        for o in options() {
            let (url, answered) = server(u64::MAX);
            let t = Target::new(&url, depth as usize).unwrap();
            let out = uring::run(&t, 4, depth, d, o).unwrap();
            check(
                out,
                &answered,
                4,
                depth,
                &format!("uring {o:?} depth {depth}"),
            );
        }
    }
}

#[test]
fn another_answer_mid_run_fails_loudly() {
    let d = Duration::from_secs(5);
    let (url, _) = server(50);
    let t = Target::new(&url, 1).unwrap();
    let err = epoll::run(&t, 2, 1, d).unwrap_err().to_string();
    assert!(err.contains("does not start with"), "epoll: {err}");
    if !uring_available() {
        return;
    }
    for o in options() {
        let (url, _) = server(50);
        let t = Target::new(&url, 1).unwrap();
        let err = uring::run(&t, 2, 1, d, o).unwrap_err().to_string();
        assert!(err.contains("does not start with"), "uring {o:?}: {err}");
    }
}

#[test]
fn waiting_for_more_answers_than_can_come_stalls_unless_min_wait_is_set() {
    if !uring_available() || !min_timeout() {
        return;
    }
    let d = Duration::from_millis(400);
    let stall = uring::Options {
        wait: 16,
        defer_taskrun: true,
        ..Default::default()
    };
    // One connection, one answer at a time: 16 never come, so every round
    // ends on the 100 ms timeout.
    let (url, _) = server(u64::MAX);
    let t = Target::new(&url, 1).unwrap();
    let out = uring::run(&t, 1, 1, d, stall).unwrap();
    assert!(
        out.batches <= 5,
        "{} batches in 400 ms without min_wait",
        out.batches
    );
    let (url, _) = server(u64::MAX);
    let t = Target::new(&url, 1).unwrap();
    let free = uring::Options {
        min_wait_us: 50,
        ..stall
    };
    let out = uring::run(&t, 1, 1, d, free).unwrap();
    assert!(
        out.batches > 40,
        "{} batches in 400 ms with min_wait 50 us",
        out.batches
    );
}
