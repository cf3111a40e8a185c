//! An HTTP/1.1 server that records how requests arrive, for the pipelining
//! tests. Every `GET /<word>` is answered, in order, with `200` and the body
//! `<word>`, so a client that matched answers to the wrong requests sees the
//! wrong bodies. After each read it holds its answers for `HOLD_MS` (default
//! 2), so requests a client pipelines pile up, and it counts the most
//! requests it ever held unanswered on one connection.
//!
//! With `ANSWER_THEN_CLOSE=A` it answers only the first `A` requests of each
//! connection, keeps reading (and counting) what else arrives for
//! `CLOSE_AFTER_MS` (default 100) after its last answer, then closes the
//! connection with those requests unanswered.
//!
//! `GET /stats` (on a connection of its own) answers
//! `{"connections":C,"received":R,"answered":A,"max_in_flight":M}` for every
//! other connection so far, and closes.
//!
//! `$PORT` picks the port (0 = any); prints `listening on 127.0.0.1:<port>`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

static CONNECTIONS: AtomicU64 = AtomicU64::new(0);
static RECEIVED: AtomicU64 = AtomicU64::new(0);
static ANSWERED: AtomicU64 = AtomicU64::new(0);
static MAX_IN_FLIGHT: AtomicU64 = AtomicU64::new(0);

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.parse().ok())
}

#[derive(Clone, Copy)]
struct Config {
    hold: Duration,
    answer_limit: Option<u64>,
    close_after: Duration,
}

fn main() -> anyhow::Result<()> {
    let config = Config {
        hold: Duration::from_millis(env_u64("HOLD_MS").unwrap_or(2)),
        answer_limit: env_u64("ANSWER_THEN_CLOSE"),
        close_after: Duration::from_millis(env_u64("CLOSE_AFTER_MS").unwrap_or(100)),
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let listener =
            TcpListener::bind(("127.0.0.1", gauntlet_testservers::port_from_env())).await?;
        println!("listening on {}", listener.local_addr()?);
        loop {
            let (stream, _) = listener.accept().await?;
            let _ = stream.set_nodelay(true);
            tokio::spawn(serve(stream, config));
        }
    })
}

/// The paths of the complete request heads at the start of `buf`, and how
/// many bytes they used.
fn split_requests(buf: &[u8]) -> (Vec<String>, usize) {
    let mut paths = Vec::new();
    let mut start = 0;
    while let Some(pos) = buf[start..].windows(4).position(|w| w == b"\r\n\r\n") {
        let head = String::from_utf8_lossy(&buf[start..start + pos]);
        let path = head.split(' ').nth(1).unwrap_or("/").to_string();
        paths.push(path);
        start += pos + 4;
    }
    (paths, start)
}

async fn serve(mut stream: TcpStream, config: Config) {
    let mut buf = vec![0u8; 64 * 1024];
    let mut filled = 0usize;
    let mut answered = 0u64;
    let mut counted = false;
    let mut waiting: Vec<String> = Vec::new();
    loop {
        let n = match stream.read(&mut buf[filled..]).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        filled += n;
        let (paths, used) = split_requests(&buf[..filled]);
        buf.copy_within(used..filled, 0);
        filled -= used;
        if paths.is_empty() {
            continue;
        }
        if !counted {
            if paths[0] == "/stats" {
                let body = format!(
                    "{{\"connections\":{},\"received\":{},\"answered\":{},\"max_in_flight\":{}}}",
                    CONNECTIONS.load(Ordering::SeqCst),
                    RECEIVED.load(Ordering::SeqCst),
                    ANSWERED.load(Ordering::SeqCst),
                    MAX_IN_FLIGHT.load(Ordering::SeqCst)
                );
                let _ = stream.write_all(response(&body).as_bytes()).await;
                return;
            }
            counted = true;
            CONNECTIONS.fetch_add(1, Ordering::SeqCst);
        }
        RECEIVED.fetch_add(paths.len() as u64, Ordering::SeqCst);
        waiting.extend(paths);
        MAX_IN_FLIGHT.fetch_max(waiting.len() as u64, Ordering::SeqCst);
        tokio::time::sleep(config.hold).await;
        let allowed = match config.answer_limit {
            Some(limit) => (limit.saturating_sub(answered) as usize).min(waiting.len()),
            None => waiting.len(),
        };
        let mut out = String::new();
        for path in waiting.drain(..allowed) {
            out.push_str(&response(path.trim_start_matches('/')));
        }
        answered += allowed as u64;
        if !out.is_empty() {
            if stream.write_all(out.as_bytes()).await.is_err() {
                return;
            }
            ANSWERED.fetch_add(allowed as u64, Ordering::SeqCst);
        }
        if config.answer_limit.is_some_and(|limit| answered >= limit) {
            drain_then_close(stream, buf, filled, config.close_after).await;
            return;
        }
    }
}

/// Counts what else arrives for `linger`, then drops the connection.
async fn drain_then_close(
    mut stream: TcpStream,
    mut buf: Vec<u8>,
    mut filled: usize,
    linger: Duration,
) {
    let until = tokio::time::Instant::now() + linger;
    loop {
        let read = tokio::time::timeout_at(until, stream.read(&mut buf[filled..])).await;
        match read {
            Ok(Ok(n)) if n > 0 => {
                filled += n;
                let (paths, used) = split_requests(&buf[..filled]);
                RECEIVED.fetch_add(paths.len() as u64, Ordering::SeqCst);
                buf.copy_within(used..filled, 0);
                filled -= used;
            }
            _ => return,
        }
    }
}

fn response(body: &str) -> String {
    format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
}
