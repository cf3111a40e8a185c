//! The work both loops share: the target address, the pre-built batch of
//! requests (`depth` copies of wrk's GET, written with one call), and the
//! connections, opened before the clock starts.

use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::os::fd::{AsRawFd, RawFd};

use anyhow::{bail, Context};

/// Where to send and what.
#[derive(Debug, Clone)]
pub struct Target {
    /// The server's address.
    pub addr: SocketAddr,
    /// `depth` requests back to back, written as one batch.
    pub batch: Vec<u8>,
}

impl Target {
    /// Reads an `http://HOST:PORT/PATH` URL (plain HTTP only) and builds the
    /// batch of `depth` GET requests the way wrk formats them.
    pub fn new(url: &str, depth: usize) -> anyhow::Result<Self> {
        let Some(rest) = url.strip_prefix("http://") else {
            bail!("URL {url:?}: expected http://HOST:PORT/PATH (plain HTTP/1.1 only)");
        };
        let (authority, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, "/"),
        };
        let addr = authority
            .to_socket_addrs()
            .with_context(|| format!("URL {url:?}: cannot resolve {authority:?} (HOST:PORT)"))?
            .next()
            .with_context(|| format!("URL {url:?}: {authority:?} resolves to nothing"))?;
        let one = format!("GET {path} HTTP/1.1\r\nHost: {authority}\r\n\r\n");
        Ok(Self {
            addr,
            batch: one.repeat(depth).into_bytes(),
        })
    }

    /// Opens `n` connections (TCP_NODELAY, nonblocking).
    pub fn connect(&self, n: usize) -> anyhow::Result<Vec<TcpStream>> {
        (0..n)
            .map(|i| {
                let s = TcpStream::connect(self.addr)
                    .with_context(|| format!("connection {i} to {}", self.addr))?;
                s.set_nodelay(true)?;
                s.set_nonblocking(true)?;
                Ok(s)
            })
            .collect()
    }
}

/// The raw descriptors of `conns`, in order.
pub fn fds(conns: &[TcpStream]) -> Vec<RawFd> {
    conns.iter().map(|c| c.as_raw_fd()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batch_is_depth_requests_like_wrk() {
        let t = Target::new("http://127.0.0.1:8080/plaintext", 2).unwrap();
        assert_eq!(t.addr, "127.0.0.1:8080".parse().unwrap());
        let one = "GET /plaintext HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n";
        assert_eq!(t.batch, format!("{one}{one}").as_bytes());
        let t = Target::new("http://127.0.0.1:9", 1).unwrap();
        assert!(t.batch.starts_with(b"GET / HTTP/1.1\r\n"));
        assert!(Target::new("https://127.0.0.1:9/", 1).is_err());
    }
}
