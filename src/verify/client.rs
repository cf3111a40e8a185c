//! A deliberately small, blocking HTTP/1.1 client for the contract checker
//! (`gauntlet run`'s idle-connection measurement has its own, in
//! `scenario::idle`).
//!
//! It speaks exactly what the contract asks of servers and nothing more:
//! requests with an optional body, responses framed by `Content-Length` (a
//! chunked or unframed response is an error, because the contract forbids it),
//! keep-alive on one connection, and a read timeout on every request. Using a
//! plain `TcpStream` keeps the checker independent of any async runtime, so
//! the verifier can call it from anywhere.

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::time::Duration;

/// What went wrong talking to a server, before any rule of the contract
/// could be checked.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The base URL is not `http://HOST:PORT`.
    #[error("base URL {url:?} is not of the form http://HOST:PORT ({reason})")]
    BadUrl {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// No TCP connection could be made.
    #[error("cannot connect to {addr}: {source}")]
    Connect {
        /// The address tried.
        addr: SocketAddr,
        /// The OS error.
        source: io::Error,
    },
    /// The server did not answer in time.
    #[error("no response within {0:?}")]
    Timeout(Duration),
    /// The connection closed before a whole response arrived.
    #[error("connection closed after {received} bytes of the response, before it was complete")]
    Closed {
        /// How many bytes of the response had arrived.
        received: usize,
    },
    /// Reading or writing the socket failed.
    #[error("socket error: {0}")]
    Io(#[from] io::Error),
    /// The bytes received are not an HTTP/1.x response.
    #[error("malformed response: {0}")]
    Malformed(String),
    /// The response is not framed by `Content-Length`.
    #[error("response has {0}; the contract requires a Content-Length header")]
    Unframed(&'static str),
}

pub use crate::target::Target;

/// Parses a server's base URL (`http://HOST:PORT`, a trailing slash
/// allowed) and checks that its host resolves.
pub fn target(base_url: &str) -> Result<Target, ClientError> {
    let bad = |reason: String| ClientError::BadUrl {
        url: base_url.to_string(),
        reason,
    };
    let target = Target::parse_base(base_url).map_err(|e| bad(e.reason))?;
    target.resolve().map_err(|e| bad(e.to_string()))?;
    Ok(target)
}

/// One request to send.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    /// `GET`, `POST`, ...
    pub method: &'a str,
    /// Path and query, e.g. `/cpu?n=100`.
    pub path: &'a str,
    /// The body, sent with a `Content-Length` header.
    pub body: Option<&'a [u8]>,
    /// Send the body with `Transfer-Encoding: chunked` (64 KiB chunks)
    /// instead of `Content-Length`.
    pub chunked: bool,
    /// How long to wait for the response.
    pub timeout: Duration,
}

impl<'a> Request<'a> {
    /// A `GET` with the default timeout.
    pub fn get(path: &'a str) -> Self {
        Self {
            method: "GET",
            path,
            body: None,
            chunked: false,
            timeout: DEFAULT_TIMEOUT,
        }
    }

    /// A `POST` with a body and the default timeout.
    pub fn post(path: &'a str, body: &'a [u8]) -> Self {
        Self {
            method: "POST",
            path,
            body: Some(body),
            chunked: false,
            timeout: DEFAULT_TIMEOUT,
        }
    }

    /// The same request with its body sent chunked.
    pub fn chunked(mut self) -> Self {
        self.chunked = true;
        self
    }

    /// The same request with another timeout.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }
}

/// How long a request waits for its response unless told otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

/// Bodies at least this long are written from a second thread, so a server
/// that answers (413) before reading them all cannot deadlock the checker.
const STREAMED_BODY: usize = 64 * 1024;

/// A response, read whole.
#[derive(Debug, Clone)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// Header names (lower-cased) and values, in the order received.
    pub headers: Vec<(String, String)>,
    /// The body, exactly `Content-Length` bytes.
    pub body: Vec<u8>,
}

impl Response {
    /// The first header with this (lower-case) name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The media type of `Content-Type` without parameters, lower-cased.
    pub fn media_type(&self) -> Option<String> {
        self.header("content-type").map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
    }

    /// The body as text, lossily, for messages.
    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// One keep-alive connection.
#[derive(Debug)]
pub struct Connection {
    stream: TcpStream,
    host: String,
    /// Bytes read past the end of the previous response.
    leftover: Vec<u8>,
}

impl Connection {
    /// Opens a connection to the target.
    pub fn open(target: &Target) -> Result<Self, ClientError> {
        let addr = target.resolve().map_err(|e| ClientError::BadUrl {
            url: target.origin(),
            reason: e.to_string(),
        })?;
        let stream = TcpStream::connect_timeout(&addr, CONNECT_TIMEOUT)
            .map_err(|source| ClientError::Connect { addr, source })?;
        stream.set_nodelay(true)?;
        Ok(Self {
            stream,
            host: target.authority(),
            leftover: Vec::new(),
        })
    }

    /// The socket, e.g. to check whether the server has closed it.
    pub fn stream(&self) -> &TcpStream {
        &self.stream
    }

    /// Sends one request and reads its response; the connection stays open.
    pub fn send(&mut self, request: &Request<'_>) -> Result<Response, ClientError> {
        let mut head = format!(
            "{} {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: gauntlet-verify\r\nAccept: */*\r\n",
            request.method, request.path, self.host
        );
        let encoded;
        let body = match request.body {
            Some(body) if request.chunked => {
                head.push_str("Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n");
                encoded = chunk_encode(body);
                Some(encoded.as_slice())
            }
            Some(body) => {
                head.push_str(&format!(
                    "Content-Type: application/json\r\nContent-Length: {}\r\n",
                    body.len()
                ));
                Some(body)
            }
            None => None,
        };
        head.push_str("\r\n");
        self.stream.set_read_timeout(Some(request.timeout))?;
        self.stream.set_write_timeout(Some(request.timeout))?;
        self.stream.write_all(head.as_bytes())?;
        match body {
            Some(body) if body.len() >= STREAMED_BODY => {
                // The server may answer and close before reading it all: write
                // from another thread and ignore its errors, read here.
                let mut writer = self.stream.try_clone()?;
                let owned = body.to_vec();
                let handle = std::thread::spawn(move || {
                    let _ = writer.write_all(&owned);
                });
                let response = self.read_response(request.timeout);
                let _ = self.stream.shutdown(Shutdown::Both);
                let _ = handle.join();
                response
            }
            Some(body) => {
                self.stream.write_all(body)?;
                self.read_response(request.timeout)
            }
            None => self.read_response(request.timeout),
        }
    }

    fn read_response(&mut self, timeout: Duration) -> Result<Response, ClientError> {
        let mut buf = std::mem::take(&mut self.leftover);
        let mut chunk = [0u8; 16 * 1024];
        let (status, headers, head_len) = loop {
            let mut parsed = [httparse::EMPTY_HEADER; 64];
            let mut response = httparse::Response::new(&mut parsed);
            match response.parse(&buf) {
                Ok(httparse::Status::Complete(len)) => {
                    let status = response.code.unwrap_or(0);
                    let headers = response
                        .headers
                        .iter()
                        .map(|h| {
                            (
                                h.name.to_ascii_lowercase(),
                                String::from_utf8_lossy(h.value).trim().to_string(),
                            )
                        })
                        .collect::<Vec<_>>();
                    break (status, headers, len);
                }
                Ok(httparse::Status::Partial) => {}
                Err(e) => return Err(ClientError::Malformed(e.to_string())),
            }
            let n = read_some(&mut self.stream, &mut chunk, timeout)?;
            if n == 0 {
                return Err(ClientError::Closed {
                    received: buf.len(),
                });
            }
            buf.extend_from_slice(&chunk[..n]);
        };
        let find = |name: &str| headers.iter().find(|(n, _)| n == name).map(|(_, v)| v);
        if find("transfer-encoding").is_some_and(|v| v.to_ascii_lowercase().contains("chunked")) {
            return Err(ClientError::Unframed("Transfer-Encoding: chunked"));
        }
        let length: usize = match find("content-length") {
            Some(v) => v
                .parse()
                .map_err(|_| ClientError::Malformed(format!("Content-Length {v:?}")))?,
            None if status == 204 || status == 304 || (100..200).contains(&status) => 0,
            None => return Err(ClientError::Unframed("no Content-Length header")),
        };
        let mut body = buf.split_off(head_len);
        while body.len() < length {
            let n = read_some(&mut self.stream, &mut chunk, timeout)?;
            if n == 0 {
                return Err(ClientError::Closed {
                    received: head_len + body.len(),
                });
            }
            body.extend_from_slice(&chunk[..n]);
        }
        self.leftover = body.split_off(length);
        Ok(Response {
            status,
            headers,
            body,
        })
    }
}

/// The body in `Transfer-Encoding: chunked` framing, 64 KiB per chunk.
fn chunk_encode(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + body.len() / 8192 + 16);
    for chunk in body.chunks(64 * 1024) {
        out.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        out.extend_from_slice(chunk);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"0\r\n\r\n");
    out
}

fn read_some(
    stream: &mut TcpStream,
    chunk: &mut [u8],
    timeout: Duration,
) -> Result<usize, ClientError> {
    loop {
        match stream.read(chunk) {
            Ok(n) => return Ok(n),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                return Err(ClientError::Timeout(timeout))
            }
            Err(e) if e.kind() == io::ErrorKind::ConnectionReset => {
                return Err(ClientError::Closed { received: 0 })
            }
            Err(e) => return Err(ClientError::Io(e)),
        }
    }
}

/// Sends one request on a fresh connection.
pub fn send(target: &Target, request: &Request<'_>) -> Result<Response, ClientError> {
    Connection::open(target)?.send(request)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_base_urls_and_names_what_is_wrong() {
        assert_eq!(
            target("http://127.0.0.1:8080/").map(|t| t.port).ok(),
            Some(8080)
        );
        let err = target("127.0.0.1:8080").err().map(|e| e.to_string());
        assert!(err.is_some_and(|e| e.contains("http://")));
        let err = target("http://127.0.0.1").err().map(|e| e.to_string());
        assert!(err.is_some_and(|e| e.contains("port")));
        let err = target("http://127.0.0.1:80/x").err().map(|e| e.to_string());
        assert!(err.is_some_and(|e| e.contains("no path")));
        let err = target("http://no-such-host.invalid:80")
            .err()
            .map(|e| e.to_string());
        assert!(
            err.is_some_and(|e| e.starts_with("base URL")),
            "unresolvable host"
        );
    }
}
