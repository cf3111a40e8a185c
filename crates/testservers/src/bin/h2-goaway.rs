//! An HTTP/2 (h2c, prior knowledge) server, written frame by frame, that
//! ends every connection with a GOAWAY while streams are open on it, for the
//! test that a client counts exactly the streams a GOAWAY takes with it.
//!
//! On each connection it answers the first `ANSWER` requests (default 5)
//! at once with `200 Hello, World!`. Later requests are held; once `HOLD` of
//! them (default 4) are held, or 300 ms after the first was held, it sends
//! GOAWAY whose last stream id is the first held stream, answers that one
//! stream, and closes the connection. The other held streams were never
//! processed: a client must count each as an error. So every full connection
//! carries `ANSWER + 1` successes and `HOLD - 1` lost streams.
//!
//! `$PORT` picks the port (0 = any); prints `listening on 127.0.0.1:<port>`.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const PREFACE_LEN: usize = 24;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn frame(out: &mut Vec<u8>, kind: u8, flags: u8, stream: u32, payload: &[u8]) {
    out.extend_from_slice(&(payload.len() as u32).to_be_bytes()[1..]);
    out.push(kind);
    out.push(flags);
    out.extend_from_slice(&stream.to_be_bytes());
    out.extend_from_slice(payload);
}

fn answer(out: &mut Vec<u8>, stream: u32) {
    // HEADERS: indexed :status 200 (static entry 8), END_HEADERS.
    frame(out, 0x1, 0x4, stream, &[0x88]);
    // DATA with END_STREAM.
    frame(out, 0x0, 0x1, stream, b"Hello, World!");
}

async fn serve(mut sock: TcpStream, answer_n: usize, hold_n: usize) -> std::io::Result<()> {
    let mut buf = Vec::with_capacity(64 * 1024);
    let mut out = Vec::new();
    frame(&mut out, 0x4, 0, 0, &[]); // our SETTINGS (all defaults)
    sock.write_all(&out).await?;
    let mut preface_seen = false;
    let mut answered = 0usize;
    let mut held: Vec<u32> = Vec::new();
    let mut tmp = [0u8; 16 * 1024];
    loop {
        let wait = if held.is_empty() {
            Duration::from_secs(3600)
        } else {
            Duration::from_millis(300)
        };
        // `None`: the timer, no more held streams are coming.
        let read = match tokio::time::timeout(wait, sock.read(&mut tmp)).await {
            Ok(r) => Some(r?),
            Err(_) => None,
        };
        if read == Some(0) {
            return Ok(());
        }
        let mut out = Vec::new();
        let mut go_away = read.is_none();
        if let Some(n) = read {
            buf.extend_from_slice(&tmp[..n]);
            if !preface_seen {
                if buf.len() < PREFACE_LEN {
                    continue;
                }
                buf.drain(..PREFACE_LEN);
                preface_seen = true;
            }
            while buf.len() >= 9 {
                let len =
                    (usize::from(buf[0]) << 16) | (usize::from(buf[1]) << 8) | usize::from(buf[2]);
                if buf.len() < 9 + len {
                    break;
                }
                let (kind, flags) = (buf[3], buf[4]);
                let stream = u32::from_be_bytes([buf[5], buf[6], buf[7], buf[8]]) & 0x7fff_ffff;
                buf.drain(..9 + len);
                match kind {
                    0x4 if flags & 0x1 == 0 => frame(&mut out, 0x4, 0x1, 0, &[]),
                    0x1 => {
                        if answered < answer_n {
                            answered += 1;
                            answer(&mut out, stream);
                        } else {
                            held.push(stream);
                            go_away |= held.len() >= hold_n;
                        }
                    }
                    _ => {}
                }
            }
        }
        if go_away && !held.is_empty() {
            let last = held[0];
            let mut payload = last.to_be_bytes().to_vec();
            payload.extend_from_slice(&0u32.to_be_bytes()); // NO_ERROR
            frame(&mut out, 0x7, 0, 0, &payload);
            answer(&mut out, last);
            sock.write_all(&out).await?;
            sock.flush().await?;
            tokio::time::sleep(Duration::from_millis(20)).await;
            return Ok(());
        }
        if !out.is_empty() {
            sock.write_all(&out).await?;
        }
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let answer_n = env_usize("ANSWER", 5);
    let hold_n = env_usize("HOLD", 4).max(1);
    let listener = TcpListener::bind(("127.0.0.1", gauntlet_testservers::port_from_env())).await?;
    println!("listening on {}", listener.local_addr()?);
    loop {
        let (sock, _) = listener.accept().await?;
        let _ = sock.set_nodelay(true);
        tokio::spawn(async move {
            let _ = serve(sock, answer_n, hold_n).await;
        });
    }
}
