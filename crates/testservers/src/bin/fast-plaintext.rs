//! A tiny fixed HTTP/1.1 server for benchmarks and tests: every request gets
//! `200 Hello, World!` with keep-alive, on a single-threaded tokio runtime (so
//! pinning it to one CPU gives one CPU of server). Requests are split on the
//! blank line that ends their head; bodies are not expected.
//!
//! `$PORT` picks the port (0 = any); prints `listening on 127.0.0.1:<port>`.
//! `$BIND_HOST` binds another address (the netns tests of sharded load bind
//! a namespace's own address); the default is 127.0.0.1.

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const RESPONSE: &[u8] =
    b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nHello, World!";

fn main() -> anyhow::Result<()> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    rt.block_on(async {
        let host = std::env::var("BIND_HOST").unwrap_or_else(|_| "127.0.0.1".into());
        let listener =
            TcpListener::bind((host.as_str(), gauntlet_testservers::port_from_env())).await?;
        println!("listening on {}", listener.local_addr()?);
        loop {
            let (mut stream, _) = listener.accept().await?;
            let _ = stream.set_nodelay(true);
            tokio::spawn(async move {
                let mut buf = vec![0u8; 4096];
                let mut filled = 0usize;
                let mut out = Vec::with_capacity(RESPONSE.len() * 4);
                loop {
                    let n = match stream.read(&mut buf[filled..]).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => n,
                    };
                    filled += n;
                    // Answer every complete request head in the buffer (pipelining works).
                    let mut start = 0;
                    while let Some(pos) =
                        buf[start..filled].windows(4).position(|w| w == b"\r\n\r\n")
                    {
                        out.extend_from_slice(RESPONSE);
                        start += pos + 4;
                    }
                    buf.copy_within(start..filled, 0);
                    filled -= start;
                    if filled == buf.len() {
                        return; // a head larger than 4 KiB: not for this server
                    }
                    if !out.is_empty() {
                        if stream.write_all(&out).await.is_err() {
                            return;
                        }
                        out.clear();
                    }
                }
            });
        }
    })
}
