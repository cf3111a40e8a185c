//! The /sleep concurrency measurement: 1,000 concurrent `/sleep?ms=100`
//! requests, each on its own connection, all sent at once. On the two tokio
//! servers they must all finish within a few seconds (the waits overlap on
//! timers); rust-threads is measured and printed (its README quotes it).
//! Run with `--nocapture` to see the figures.

mod verify_support;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use verify_support::{build_rust_servers, Server};

const REQUESTS: usize = 1000;

/// The measurements must not overlap each other on this small machine.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Samples the thread count of `pid` (from /proc) until `stop` is set;
/// returns the highest seen.
fn peak_threads(pid: u32, stop: Arc<AtomicBool>) -> std::thread::JoinHandle<usize> {
    std::thread::spawn(move || {
        let mut peak = 0;
        while !stop.load(Ordering::Relaxed) {
            let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
            let threads = status
                .lines()
                .find_map(|l| l.strip_prefix("Threads:"))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            peak = peak.max(threads);
            std::thread::sleep(Duration::from_millis(2));
        }
        peak
    })
}

/// Runs [`thousand_sleeps`] against `server`; also returns the peak thread
/// count of the server process during the run.
fn measure(server: &Server) -> (Duration, usize, usize) {
    let stop = Arc::new(AtomicBool::new(false));
    let sampler = peak_threads(server.pid().expect("running"), stop.clone());
    let (took, ok) = thousand_sleeps(&server.url);
    stop.store(true, Ordering::Relaxed);
    (took, ok, sampler.join().expect("sampler"))
}

/// Sends REQUESTS concurrent sleeps; returns (wall time, how many got 200).
fn thousand_sleeps(url: &str) -> (Duration, usize) {
    let addr = url.trim_start_matches("http://").to_string();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async move {
        let started = Instant::now();
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..REQUESTS {
            let addr = addr.clone();
            tasks.spawn(async move {
                let call = async {
                    let mut stream = tokio::net::TcpStream::connect(&addr).await?;
                    stream
                        .write_all(
                            b"GET /sleep?ms=100 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
                        )
                        .await?;
                    let mut response = Vec::new();
                    stream.read_to_end(&mut response).await?;
                    std::io::Result::Ok(response.starts_with(b"HTTP/1.1 200"))
                };
                matches!(
                    tokio::time::timeout(Duration::from_secs(20), call).await,
                    Ok(Ok(true))
                )
            });
        }
        let mut ok = 0;
        while let Some(result) = tasks.join_next().await {
            if matches!(result, Ok(true)) {
                ok += 1;
            }
        }
        (started.elapsed(), ok)
    })
}

#[test]
fn thousand_concurrent_sleeps_overlap_on_the_tokio_servers() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let bin = build_rust_servers();
    for name in ["rust-hyper", "rust-hyper-single"] {
        let server = Server::start(&bin.join(name), &[]);
        let (took, ok, threads) = measure(&server);
        eprintln!(
            "{name}: {REQUESTS} concurrent /sleep?ms=100: {ok} answered 200 in {took:?}, \
             peak {threads} threads"
        );
        assert_eq!(ok, REQUESTS, "{name}");
        if name == "rust-hyper-single" {
            assert!(
                threads <= 2,
                "{name}: one event loop, yet {threads} threads"
            );
        }
        // Overlapping waits take about 100 ms plus 1,000 connects; waits in
        // turn would take 100 s, and a pool of 16 threads 6 s. 3 s leaves a
        // loaded machine room (1.07 s was seen with every core busy).
        assert!(
            took < Duration::from_secs(3),
            "{name}: {REQUESTS} sleeps of 100 ms took {took:?}, expected them to overlap"
        );
    }
}

#[test]
fn thousand_concurrent_sleeps_on_rust_threads_are_measured() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let bin = build_rust_servers();
    let server = Server::start(&bin.join("rust-threads"), &[]);
    let (took, ok, threads) = measure(&server);
    eprintln!(
        "rust-threads: {REQUESTS} concurrent /sleep?ms=100: {ok} answered 200 in {took:?}, \
         peak {threads} threads"
    );
    // One thread per connection: they all sleep at once, so they all answer.
    assert_eq!(ok, REQUESTS);
    assert!(took >= Duration::from_millis(100));
    assert!(
        threads > 100,
        "one thread per connection, yet only {threads} threads"
    );
}
