//! Memory per idle keep-alive connection: open the connections a scenario
//! asks for (`idle_connections`), one request each, hold them idle, read the
//! server's RSS, then check which ones the server still holds. A server may
//! close idle connections beyond a cap of its own (the JDK's HttpServer keeps
//! `sun.net.httpserver.maxIdleConnections`, 200 by default), so the memory
//! growth is divided by the connections actually held, and the shortfall is
//! recorded ([`IdleConnections::shortfall`]).

use std::io::{ErrorKind, Read};
use std::net::TcpStream;
use std::time::Duration;

use crate::results::IdleConnections;
use crate::supervise::{sample_tree, Supervised};
use crate::verify::client;

/// How long the one request on each idle connection may take.
pub const IDLE_REQUEST_TIMEOUT: Duration = Duration::from_secs(5);

/// Opens `k` keep-alive connections to `server`, one request to `path` on
/// each, holds them idle for `hold`, reads the server's RSS with them open
/// and counts those the server has not closed.
pub fn measure(server: &Supervised, k: u32, path: &str, hold: Duration) -> IdleConnections {
    let pid = server.pid();
    let before = sample_tree(pid).map_or(0, |s| s.rss_bytes);
    let mut connections = Vec::with_capacity(k as usize);
    // The contract checker's blocking keep-alive client: one request on each
    // connection, then the connection is held open, idle.
    if let Ok(target) = client::target(&server.base_url()) {
        let request = client::Request::get(path).with_timeout(IDLE_REQUEST_TIMEOUT);
        for _ in 0..k {
            let Ok(mut connection) = client::Connection::open(&target) else {
                break;
            };
            if connection.send(&request).is_err() {
                break;
            }
            connections.push(connection);
        }
    }
    std::thread::sleep(hold);
    let after = sample_tree(pid).map_or(before, |s| s.rss_bytes);
    // Checked after the RSS reading: a connection closed at any time during
    // the hold shows as end-of-stream or a reset by now.
    let held = connections
        .iter()
        .filter(|c| still_open(c.stream()))
        .count() as u32;
    let opened = connections.len() as u32;
    drop(connections);
    IdleConnections {
        requested: k,
        opened,
        held: Some(held),
        rss_before_bytes: before,
        rss_after_bytes: after,
        bytes_per_connection: per_connection(before, after, held),
    }
}

/// Memory growth divided over the connections held (0 when none was).
fn per_connection(before: u64, after: u64, held: u32) -> f64 {
    if held > 0 {
        after.saturating_sub(before) as f64 / f64::from(held)
    } else {
        0.0
    }
}

/// False when the peer has closed `stream` (end of stream or a reset);
/// never blocks. Bytes the server sent unasked (e.g. a `408` before it
/// closes) are read past so that a close behind them is seen.
pub fn still_open(stream: &TcpStream) -> bool {
    if stream.set_nonblocking(true).is_err() {
        return false;
    }
    let mut reader = stream;
    let mut buf = [0u8; 4096];
    let open = loop {
        match reader.read(&mut buf) {
            Ok(0) => break false,
            Ok(_) => continue,
            Err(e) if e.kind() == ErrorKind::WouldBlock => break true,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(_) => break false,
        }
    };
    let _ = stream.set_nonblocking(false);
    open
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::net::{Shutdown, TcpListener};

    use super::*;

    fn pair() -> (TcpStream, TcpStream) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (server, _) = listener.accept().unwrap();
        (client, server)
    }

    /// Polls for up to 5 s: the close travels through the kernel.
    fn settles_to(stream: &TcpStream, open: bool) -> bool {
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        loop {
            if still_open(stream) == open {
                return true;
            }
            if std::time::Instant::now() > deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    #[test]
    fn an_idle_connection_is_open_and_a_closed_one_is_not() {
        let (client, server) = pair();
        assert!(still_open(&client));
        drop(server);
        assert!(settles_to(&client, false));
    }

    #[test]
    fn a_close_behind_unasked_bytes_is_seen() {
        let (client, mut server) = pair();
        server
            .write_all(b"HTTP/1.1 408 Request Timeout\r\n\r\n")
            .unwrap();
        assert!(settles_to(&client, true));
        server.shutdown(Shutdown::Both).unwrap();
        drop(server);
        assert!(settles_to(&client, false));
    }

    #[test]
    fn memory_is_divided_over_the_connections_held() {
        assert_eq!(per_connection(1000, 51_000, 50), 1000.0);
        assert_eq!(per_connection(1000, 500, 50), 0.0);
        assert_eq!(per_connection(1000, 51_000, 0), 0.0);
    }

    #[test]
    fn the_shortfall_names_what_the_server_closed() {
        let idle = |opened, held| IdleConnections {
            requested: 1000,
            opened,
            held,
            rss_before_bytes: 0,
            rss_after_bytes: 0,
            bytes_per_connection: 0.0,
        };
        assert_eq!(
            idle(1000, Some(200)).shortfall().as_deref(),
            Some("1000 requested, 200 held: the server closed 800")
        );
        assert_eq!(
            idle(900, Some(200)).shortfall().as_deref(),
            Some("1000 requested, 900 opened, 200 held: the server closed 700 and 100 could not be opened")
        );
        assert_eq!(
            idle(900, Some(900)).shortfall().as_deref(),
            Some("1000 requested, 900 opened, 900 held: 100 could not be opened")
        );
        assert_eq!(idle(1000, Some(1000)).shortfall(), None);
        // Written before `held` was recorded: what was opened counts as held.
        assert_eq!(idle(1000, None).shortfall(), None);
    }
}
