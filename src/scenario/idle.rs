//! Memory per idle keep-alive connection: open the connections a scenario
//! asks for (`idle_connections`), one request each, hold them idle, read the
//! server's RSS, then check which ones the server still holds. A server may
//! close idle connections beyond a cap of its own (the JDK's HttpServer keeps
//! `sun.net.httpserver.maxIdleConnections`, 200 by default), so the memory
//! growth is divided by the connections actually held, and the shortfall is
//! recorded ([`IdleConnections::shortfall`]).
//!
//! The connections come from [`open_idle`], this module's own few-line
//! blocking client, not the contract checker's: measuring must not change
//! when the checker's rules do, and the checker must not grow what only the
//! measurement needs.

use std::io::{self, ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use crate::results::IdleConnections;
use crate::supervise::{sample_tree, Supervised};
use crate::target::Target;

/// How long the one request on each idle connection may take.
pub const IDLE_REQUEST_TIMEOUT: Duration = Duration::from_secs(5);

/// Opens `k` keep-alive connections to `server`, one request to `path` on
/// each, holds them idle for `hold`, reads the server's RSS with them open
/// and counts those the server has not closed.
pub fn measure(server: &Supervised, k: u32, path: &str, hold: Duration) -> IdleConnections {
    let pid = server.pid();
    let before = sample_tree(pid).map_or(0, |s| s.rss_bytes);
    let mut connections = Vec::with_capacity(k as usize);
    // One request on each connection ([`open_idle`]), then the connection
    // is held open, idle.
    if let Ok(target) = Target::parse_base(&server.base_url()) {
        for _ in 0..k {
            let Ok(connection) = open_idle(&target, path, IDLE_REQUEST_TIMEOUT) else {
                break;
            };
            connections.push(connection);
        }
    }
    std::thread::sleep(hold);
    let after = sample_tree(pid).map_or(before, |s| s.rss_bytes);
    // Checked after the RSS reading: a connection closed at any time during
    // the hold shows as end-of-stream or a reset by now.
    let held = connections.iter().filter(|c| still_open(c)).count() as u32;
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

/// How long connecting may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

/// The measuring side's own client, as small as the measurement needs:
/// connect, send `GET path` with keep-alive, read one whole response
/// (framed by `Content-Length`, as reference-servers/CONTRACT.md requires;
/// a chunked or unframed answer is an error), and hand back the open
/// connection to be held idle. Any status counts: the point is a connection
/// the server has served once.
pub fn open_idle(target: &Target, path: &str, timeout: Duration) -> io::Result<TcpStream> {
    let addr = target.resolve()?;
    let mut stream = TcpStream::connect_timeout(&addr, CONNECT_TIMEOUT)?;
    stream.set_nodelay(true)?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    stream.write_all(
        format!(
            "GET {path} HTTP/1.1\r\nHost: {}\r\nUser-Agent: gauntlet-idle\r\nAccept: */*\r\n\r\n",
            target.authority()
        )
        .as_bytes(),
    )?;
    read_response(&mut stream)?;
    Ok(stream)
}

/// Reads one response to its last body byte and returns its status.
fn read_response(stream: &mut TcpStream) -> io::Result<u16> {
    let invalid = |what: String| io::Error::new(ErrorKind::InvalidData, what);
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let (status, head, length) = loop {
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            return Err(io::Error::new(
                ErrorKind::UnexpectedEof,
                format!("closed after {} bytes, before a whole response", buf.len()),
            ));
        }
        buf.extend_from_slice(&chunk[..n]);
        let mut headers = [httparse::EMPTY_HEADER; 64];
        let mut response = httparse::Response::new(&mut headers);
        let head = match response.parse(&buf) {
            Ok(httparse::Status::Complete(head)) => head,
            Ok(httparse::Status::Partial) => continue,
            Err(e) => return Err(invalid(format!("malformed response: {e}"))),
        };
        let status = response.code.unwrap_or(0);
        let header = |name: &str| {
            response
                .headers
                .iter()
                .find(|h| h.name.eq_ignore_ascii_case(name))
                .map(|h| String::from_utf8_lossy(h.value).trim().to_ascii_lowercase())
        };
        if header("transfer-encoding").is_some_and(|v| v.contains("chunked")) {
            return Err(invalid(
                "a chunked response; expected Content-Length".into(),
            ));
        }
        let length = match header("content-length") {
            Some(v) => v
                .parse::<usize>()
                .map_err(|_| invalid(format!("Content-Length {v:?}")))?,
            None if status == 204 || status == 304 || (100..200).contains(&status) => 0,
            None => return Err(invalid("no Content-Length header".into())),
        };
        break (status, head, length);
    };
    while buf.len() < head + length {
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            return Err(io::Error::new(
                ErrorKind::UnexpectedEof,
                "closed before the end of the body",
            ));
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    Ok(status)
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

    /// A one-connection server on port 0 that reads the request head, hands
    /// it back through the channel and writes `reply` in two pieces, then
    /// holds the connection until the test ends (or closes it, `close`).
    fn serve_once(
        reply: &'static [u8],
        close: bool,
    ) -> (Target, std::sync::mpsc::Receiver<String>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let target = Target {
            host: "127.0.0.1".into(),
            port: listener.local_addr().unwrap().port(),
        };
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let (mut conn, _) = listener.accept().unwrap();
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") && conn.read(&mut byte).unwrap_or(0) == 1 {
                head.push(byte[0]);
            }
            let _ = tx.send(String::from_utf8_lossy(&head).into_owned());
            let (a, b) = reply.split_at(reply.len() / 2);
            let _ = conn.write_all(a);
            std::thread::sleep(Duration::from_millis(20));
            let _ = conn.write_all(b);
            if !close {
                std::thread::sleep(Duration::from_secs(5));
            }
        });
        (target, rx)
    }

    #[test]
    fn an_answered_request_leaves_the_connection_open() {
        let (target, head) = serve_once(
            b"HTTP/1.1 200 OK\r\nContent-Length: 13\r\n\r\nHello, World!",
            false,
        );
        let stream = open_idle(&target, "/plaintext", Duration::from_secs(5)).unwrap();
        let head = head.recv().unwrap();
        assert!(head.starts_with("GET /plaintext HTTP/1.1\r\n"), "{head}");
        assert!(
            head.contains(&format!("Host: 127.0.0.1:{}\r\n", target.port)),
            "{head}"
        );
        assert!(still_open(&stream));
    }

    #[test]
    fn unframed_chunked_or_cut_responses_are_errors() {
        for (reply, close) in [
            (
                &b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"[..],
                false,
            ),
            (
                &b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nhello"[..],
                true,
            ),
            (
                &b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort"[..],
                true,
            ),
            (&b"not http at all\r\n\r\n"[..], false),
        ] {
            let (target, _head) = serve_once(reply, close);
            let got = open_idle(&target, "/", Duration::from_secs(5));
            assert!(
                got.is_err(),
                "{:?} was accepted",
                String::from_utf8_lossy(reply)
            );
        }
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
