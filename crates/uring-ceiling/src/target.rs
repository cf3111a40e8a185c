//! The work both loops share: the target address, the pre-built batch of
//! requests (`depth` copies of wrk's GET, written with one call), and the
//! connections, opened before the clock starts.

use std::net::{SocketAddr, TcpStream};
use std::os::fd::{AsRawFd, RawFd};

use anyhow::Context;

/// Where to send and what.
#[derive(Debug, Clone)]
pub struct Target {
    /// The server's address.
    pub addr: SocketAddr,
    /// `depth` requests back to back, written as one batch.
    pub batch: Vec<u8>,
}

impl Target {
    /// Reads an `http://HOST:PORT/PATH` URL with Gauntlet's own parser and
    /// builds the batch of `depth` GET requests the way wrk formats them,
    /// with the `Host` header Gauntlet sends.
    pub fn new(url: &str, depth: usize) -> anyhow::Result<Self> {
        let (target, path) = gauntlet::target::Target::parse_url(url)
            .with_context(|| format!("URL {url:?}: {}", gauntlet::target::URL_FORM))?;
        let addr = target
            .resolve()
            .with_context(|| format!("URL {url:?}: cannot resolve {}", target.host))?;
        let one = format!(
            "GET {path} HTTP/1.1\r\nHost: {}\r\n\r\n",
            target.authority()
        );
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
        assert_eq!(t.batch, b"GET / HTTP/1.1\r\nHost: 127.0.0.1:9\r\n\r\n");
        assert!(Target::new("https://127.0.0.1:9/", 1).is_err());
    }
}
