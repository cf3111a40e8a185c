//! `/fanout` with threads: one thread per upstream call, a keep-alive pool of
//! idle connections to the upstream, and a channel the request thread reads
//! until the deadline. Threads cannot be cancelled, so an abandoned call ends
//! at the deadline through its socket's read timeout, and its connection is
//! dropped instead of going back to the pool.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// The upstream and the idle connections to it.
pub struct Upstream {
    addr: SocketAddr,
    host: String,
    idle: Arc<Mutex<Vec<TcpStream>>>,
}

impl Upstream {
    /// From a base URL `http://HOST:PORT`; `None` if it is not one.
    pub fn new(url: &str) -> Option<Self> {
        let host = url.strip_prefix("http://")?.trim_end_matches('/');
        let addr = host.to_socket_addrs().ok()?.next()?;
        Some(Self {
            addr,
            host: host.to_string(),
            idle: Arc::new(Mutex::new(Vec::new())),
        })
    }

    /// Calls `GET /item?i=<i>` for `i` in `0..n` at once and returns how many
    /// answered 200 before `deadline`.
    pub fn fan_out(&self, n: u64, deadline: Instant) -> u64 {
        let (tx, rx) = mpsc::channel::<bool>();
        for i in 0..n {
            let tx = tx.clone();
            let call = Call {
                addr: self.addr,
                host: self.host.clone(),
                idle: self.idle.clone(),
                deadline,
            };
            let spawned = std::thread::Builder::new()
                .name("upstream-call".into())
                .stack_size(64 * 1024)
                .spawn(move || {
                    let _ = tx.send(call.run(i));
                });
            if spawned.is_err() {
                // No thread for this call: it counts as missed.
                continue;
            }
        }
        drop(tx);
        let mut arrived = 0;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok(true) => arrived += 1,
                Ok(false) => {}
                // Timed out, or every call has reported.
                Err(_) => return arrived,
            }
        }
    }
}

/// One upstream call, run on its own thread.
struct Call {
    addr: SocketAddr,
    host: String,
    idle: Arc<Mutex<Vec<TcpStream>>>,
    deadline: Instant,
}

impl Call {
    fn run(&self, i: u64) -> bool {
        let pooled = self.idle.lock().ok().and_then(|mut idle| idle.pop());
        if let Some(stream) = pooled {
            match self.call(stream, i) {
                Ok(ok) => return ok,
                // The upstream may have closed an idle connection: retry once
                // on a new one.
                Err(_) if Instant::now() < self.deadline => {}
                Err(_) => return false,
            }
        }
        let left = self.deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return false;
        }
        match TcpStream::connect_timeout(&self.addr, left) {
            Ok(stream) => self.call(stream, i).unwrap_or(false),
            Err(_) => false,
        }
    }

    /// One request on `stream`; puts the connection back in the pool when
    /// the response was read whole.
    fn call(&self, mut stream: TcpStream, i: u64) -> io::Result<bool> {
        let left = self.deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Ok(false);
        }
        stream.set_nodelay(true)?;
        stream.set_read_timeout(Some(left))?;
        stream.set_write_timeout(Some(left))?;
        write!(
            stream,
            "GET /item?i={i} HTTP/1.1\r\nHost: {}\r\n\r\n",
            self.host
        )?;
        let mut buf = Vec::with_capacity(512);
        let mut chunk = [0u8; 1024];
        loop {
            let n = stream.read(&mut chunk)?;
            if n == 0 {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
            buf.extend_from_slice(&chunk[..n]);
            let mut headers = [httparse::EMPTY_HEADER; 32];
            let mut response = httparse::Response::new(&mut headers);
            let head_len = match response.parse(&buf) {
                Ok(httparse::Status::Complete(len)) => len,
                Ok(httparse::Status::Partial) => continue,
                Err(e) => return Err(io::Error::new(io::ErrorKind::InvalidData, e)),
            };
            let length = response
                .headers
                .iter()
                .find(|h| h.name.eq_ignore_ascii_case("content-length"))
                .and_then(|h| {
                    std::str::from_utf8(h.value)
                        .ok()?
                        .trim()
                        .parse::<usize>()
                        .ok()
                })
                .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "no Content-Length"))?;
            let ok = response.code == Some(200);
            let mut have = buf.len() - head_len;
            while have < length {
                let n = stream.read(&mut chunk)?;
                if n == 0 {
                    return Err(io::ErrorKind::UnexpectedEof.into());
                }
                have += n;
            }
            if Instant::now() < self.deadline {
                if let Ok(mut idle) = self.idle.lock() {
                    idle.push(stream);
                }
                return Ok(ok);
            }
            return Ok(false);
        }
    }
}
