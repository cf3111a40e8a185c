//! A stand-in for the `/fanout` upstream while `servers::upstream` has no
//! in-process `spawn_upstream` yet: a std-only HTTP/1.1 server on 127.0.0.1
//! (port chosen by the OS, keep-alive, one thread per connection) that
//! answers any `GET` with 200 `text/plain` `ok` after a fixed delay. It stops
//! accepting when dropped.

use std::io::{BufRead, BufReader, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// A running stand-in upstream.
#[derive(Debug)]
pub struct StandInUpstream {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
}

impl StandInUpstream {
    /// Starts answering after `delay` per request.
    pub fn start(delay: Duration) -> std::io::Result<StandInUpstream> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
        let addr = listener.local_addr()?;
        let stop = Arc::new(AtomicBool::new(false));
        let stop_flag = Arc::clone(&stop);
        std::thread::Builder::new()
            .name("standin-upstream".into())
            .spawn(move || {
                for stream in listener.incoming() {
                    if stop_flag.load(Ordering::Acquire) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let _ = std::thread::Builder::new()
                        .name("standin-upstream-conn".into())
                        .spawn(move || serve(stream, delay));
                }
            })?;
        Ok(StandInUpstream { addr, stop })
    }

    /// Base URL, e.g. `http://127.0.0.1:41234` (no trailing slash).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for StandInUpstream {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_millis(100));
    }
}

fn serve(stream: TcpStream, delay: Duration) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut writer = stream;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let mut close = false;
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header)? == 0 {
                return Ok(());
            }
            let header = header.trim_end().to_ascii_lowercase();
            if header.is_empty() {
                break;
            }
            if header.starts_with("connection:") && header.ends_with("close") {
                close = true;
            }
        }
        std::thread::sleep(delay);
        writer.write_all(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok",
        )?;
        writer.flush()?;
        if close {
            return Ok(());
        }
    }
}
