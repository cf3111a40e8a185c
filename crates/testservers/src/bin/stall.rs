//! A plaintext server that stalls: every response that would be sent between
//! `STALL_AFTER_MS` and `STALL_AFTER_MS + STALL_MS` after the first request
//! arrives is held until the stall ends. For the coordinated-omission test: at
//! a known rate, a known stall builds a known queue.
//!
//! `$PORT` picks the port (0 = any); prints `listening on 127.0.0.1:<port>`.
//! Defaults: stall after 1000 ms for 300 ms.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const RESPONSE: &[u8] =
    b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nHello, World!";

fn env_ms(name: &str, default: u64) -> Duration {
    Duration::from_millis(
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default),
    )
}

fn main() -> anyhow::Result<()> {
    let stall_after = env_ms("STALL_AFTER_MS", 1000);
    let stall_for = env_ms("STALL_MS", 300);
    let first: &'static OnceLock<Instant> = Box::leak(Box::new(OnceLock::new()));
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let listener =
            TcpListener::bind(("127.0.0.1", gauntlet_testservers::port_from_env())).await?;
        println!("listening on {}", listener.local_addr()?);
        loop {
            let (mut stream, _) = listener.accept().await?;
            let _ = stream.set_nodelay(true);
            tokio::spawn(async move {
                let mut buf = vec![0u8; 4096];
                let mut filled = 0usize;
                loop {
                    let n = match stream.read(&mut buf[filled..]).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => n,
                    };
                    filled += n;
                    let mut start = 0;
                    let mut answers = 0;
                    while let Some(pos) =
                        buf[start..filled].windows(4).position(|w| w == b"\r\n\r\n")
                    {
                        answers += 1;
                        start += pos + 4;
                    }
                    buf.copy_within(start..filled, 0);
                    filled -= start;
                    if answers == 0 {
                        continue;
                    }
                    let t0 = *first.get_or_init(Instant::now);
                    let (from, to) = (t0 + stall_after, t0 + stall_after + stall_for);
                    let now = Instant::now();
                    if now >= from && now < to {
                        tokio::time::sleep_until(to.into()).await;
                    }
                    for _ in 0..answers {
                        if stream.write_all(RESPONSE).await.is_err() {
                            return;
                        }
                    }
                }
            });
        }
    })
}
