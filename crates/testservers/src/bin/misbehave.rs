//! A server that answers by the request path, to exercise every way a
//! response can go wrong (and a few unusual ways it can go right):
//! `/garbage` not HTTP at all; `/cut` a body shorter than its Content-Length,
//! then close; `/hang` never answers; `/chunked` a valid chunked
//! `Hello, World!`; `/close` a valid answer, then `Connection: close`.
//!
//! `$PORT` picks the port (0 = any); prints `listening on 127.0.0.1:<port>`.

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const CHUNKED: &[u8] = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nHello\r\n8\r\n, World!\r\n0\r\n\r\n";
const CLOSE: &[u8] =
    b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 13\r\n\r\nHello, World!";

async fn serve(mut stream: TcpStream) -> std::io::Result<()> {
    let mut buf = vec![0u8; 8192];
    let mut filled = 0;
    loop {
        let n = stream.read(&mut buf[filled..]).await?;
        if n == 0 {
            return Ok(());
        }
        filled += n;
        while let Some(end) = buf[..filled].windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_string();
            buf.copy_within(end + 4..filled, 0);
            filled -= end + 4;
            let path = head.split_whitespace().nth(1).unwrap_or("/").to_string();
            match path.as_str() {
                "/garbage" => stream.write_all(b"NOT HTTP AT ALL\r\n\r\n").await?,
                "/cut" => {
                    stream
                        .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort")
                        .await?;
                    return Ok(());
                }
                "/hang" => {
                    std::future::pending::<()>().await;
                }
                "/chunked" => stream.write_all(CHUNKED).await?,
                "/close" => {
                    stream.write_all(CLOSE).await?;
                    return Ok(());
                }
                _ => {
                    stream
                        .write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
                        .await?
                }
            }
        }
        if filled == buf.len() {
            return Ok(());
        }
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let listener = TcpListener::bind(("127.0.0.1", gauntlet_testservers::port_from_env())).await?;
    println!("listening on {}", listener.local_addr()?);
    loop {
        let (stream, _) = listener.accept().await?;
        tokio::spawn(serve(stream));
    }
}
