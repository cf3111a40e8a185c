//! The misbehaving-server matrix: one server, one misbehaviour per run,
//! chosen with `--case NAME` (or `$CASE`), applied to every request on every
//! connection. tests/misbehaving*.rs runs `gauntlet bench` against each case
//! and checks the error kind, the run's end and the generator's memory.
//!
//! Cases (what the server does once it has read a request head):
//! - `ok`: a valid `Hello, World!` answer (the baseline);
//! - `truncated-head`: half a response head, then close;
//! - `truncated-body`: a body shorter than its Content-Length, then close;
//! - `body-overflow`: a body longer than its Content-Length (keep-alive);
//! - `bad-status-line`: `HTTP/1.1 2OO OK`;
//! - `huge-header`: one 1 MiB header;
//! - `endless-chunked`: a chunked body that never ends, as fast as it can;
//! - `endless-length`: a Content-Length of 1 TiB, streamed as fast as it can;
//! - `slow-drip`: a valid answer, one byte every 200 ms;
//! - `close-on-accept`: closes each connection as soon as it is accepted;
//! - `http10-close`: an HTTP/1.0 answer whose body ends when the server closes;
//! - `interim-1xx`: `100 Continue` and `103 Early Hints` before the answer;
//! - `no-content-body`: a 204 with a 5-byte body (keep-alive);
//! - `not-modified-body`: a 304 with a 5-byte body (keep-alive);
//! - `tls`: a TLS alert record, as an https server sends to plain HTTP;
//! - `never-read`: accepts and holds the connection, never reads or writes.
//!
//! `$PORT` picks the port (0 = any); prints `listening on 127.0.0.1:<port>`.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const OK: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Length: 13\r\n\r\nHello, World!";
const CASES: &[&str] = &[
    "ok",
    "truncated-head",
    "truncated-body",
    "body-overflow",
    "bad-status-line",
    "huge-header",
    "endless-chunked",
    "endless-length",
    "slow-drip",
    "close-on-accept",
    "http10-close",
    "interim-1xx",
    "no-content-body",
    "not-modified-body",
    "tls",
    "never-read",
];

/// Reads up to the end of the next request head; false when the peer closed.
/// Request bodies are not expected (the tests send GETs).
async fn read_head(stream: &mut TcpStream, buf: &mut Vec<u8>) -> std::io::Result<bool> {
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            buf.drain(..end + 4);
            return Ok(true);
        }
        let mut chunk = [0u8; 4096];
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(false);
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

/// Writes `data` forever, as fast as the peer reads it.
async fn forever(stream: &mut TcpStream, data: &[u8]) -> std::io::Result<()> {
    loop {
        stream.write_all(data).await?;
    }
}

async fn serve(mut stream: TcpStream, case: &'static str) -> std::io::Result<()> {
    match case {
        "close-on-accept" => return Ok(()),
        "never-read" => {
            std::future::pending::<()>().await;
        }
        _ => {}
    }
    let mut buf = Vec::new();
    while read_head(&mut stream, &mut buf).await? {
        match case {
            "truncated-head" => {
                stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Le").await?;
                return Ok(());
            }
            "truncated-body" => {
                stream
                    .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort")
                    .await?;
                return Ok(());
            }
            "body-overflow" => {
                stream
                    .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nHello, World!")
                    .await?
            }
            "bad-status-line" => {
                stream
                    .write_all(b"HTTP/1.1 2OO OK\r\nContent-Length: 0\r\n\r\n")
                    .await?
            }
            "huge-header" => {
                let mut head = b"HTTP/1.1 200 OK\r\nX-Huge: ".to_vec();
                head.resize(head.len() + 1024 * 1024, b'a');
                head.extend_from_slice(b"\r\nContent-Length: 0\r\n\r\n");
                stream.write_all(&head).await?;
            }
            "endless-chunked" => {
                stream
                    .write_all(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
                    .await?;
                let mut chunk = b"4000\r\n".to_vec();
                chunk.resize(chunk.len() + 0x4000, b'x');
                chunk.extend_from_slice(b"\r\n");
                return forever(&mut stream, &chunk).await;
            }
            "endless-length" => {
                stream
                    .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 1099511627776\r\n\r\n")
                    .await?;
                return forever(&mut stream, &[b'x'; 16 * 1024]).await;
            }
            "slow-drip" => {
                for byte in OK {
                    stream.write_all(&[*byte]).await?;
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            }
            "http10-close" => {
                stream
                    .write_all(b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nHello, World!")
                    .await?;
                return Ok(());
            }
            "interim-1xx" => {
                stream
                    .write_all(
                        b"HTTP/1.1 100 Continue\r\n\r\n\
                          HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n",
                    )
                    .await?;
                stream.write_all(OK).await?;
            }
            "no-content-body" => {
                stream
                    .write_all(b"HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\nHello")
                    .await?
            }
            "not-modified-body" => {
                stream
                    .write_all(b"HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\nHello")
                    .await?
            }
            "tls" => {
                // A fatal `protocol_version` alert, TLS 1.2 record layer.
                stream
                    .write_all(&[0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x46])
                    .await?;
                return Ok(());
            }
            _ => stream.write_all(OK).await?,
        }
    }
    Ok(())
}

fn case_from_args() -> anyhow::Result<&'static str> {
    let mut args = std::env::args().skip(1);
    let mut name = std::env::var("CASE").ok();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--case" => name = args.next(),
            other => anyhow::bail!("unknown argument {other:?} (expected --case NAME)"),
        }
    }
    let name = name.unwrap_or_else(|| "ok".into());
    CASES
        .iter()
        .find(|c| **c == name)
        .copied()
        .ok_or_else(|| anyhow::anyhow!("unknown case {name:?}; expected one of {CASES:?}"))
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let case = case_from_args()?;
    let listener = TcpListener::bind(("127.0.0.1", gauntlet_testservers::port_from_env())).await?;
    println!("listening on {}", listener.local_addr()?);
    loop {
        let (stream, _) = listener.accept().await?;
        tokio::spawn(async move {
            let _ = serve(stream, case).await;
        });
    }
}
