//! HTTP/2 over cleartext (h2c, prior knowledge) through hyper's client
//! connection API: one HTTP/2 connection per engine connection, with up to
//! `streams` requests in flight on it (h2load's `-m`; 1 by default, so
//! `--connections` means the same in both versions). Streams beyond the
//! server's SETTINGS_MAX_CONCURRENT_STREAMS wait in the client (the `h2` crate
//! honours the setting) and the wait counts in their latency. The receive
//! windows are raised so that many streams of ordinary responses are never
//! held back by flow control.
//!
//! The same wrapper can speak HTTP/1.1 through hyper
//! (`GAUNTLET_HTTP1_CLIENT=hyper`): only there to measure hyper's client
//! against the lean one in `http1.rs` (see benches/vs-wrk.sh).

use std::future::Future;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::net::TcpStream;

use super::http1::{ReadError, Response, MAX_KEPT_BODY};
use super::plan::{RequestSpec, Target};

/// Receive window of each stream: 2 MiB (RFC 9113's default is 64 KiB, which
/// bounds one stream to 64 KiB per round trip).
pub const STREAM_WINDOW: u32 = 2 << 20;
/// Receive window of the whole connection: 32 MiB, shared by its streams.
pub const CONNECTION_WINDOW: u32 = 32 << 20;

/// A request prepared once: hyper needs a fresh `Request` per send, so this
/// keeps the parts that are cloned cheaply.
#[derive(Debug, Clone)]
pub struct PreparedRequest {
    method: hyper::Method,
    uri: hyper::Uri,
    headers: hyper::HeaderMap,
    body: Bytes,
}

/// Why a request could not be prepared for HTTP/2.
#[derive(Debug, thiserror::Error)]
#[error("request {method} {path} is not valid for HTTP/2: {reason}")]
pub struct PrepareError {
    method: String,
    path: String,
    reason: String,
}

/// Prepares `spec` for `target`.
pub fn prepare(target: &Target, spec: &RequestSpec) -> Result<PreparedRequest, PrepareError> {
    let fail = |reason: String| PrepareError {
        method: spec.method.clone(),
        path: spec.path.clone(),
        reason,
    };
    let method =
        hyper::Method::from_bytes(spec.method.as_bytes()).map_err(|e| fail(e.to_string()))?;
    let uri: hyper::Uri = format!("{}{}", target.origin(), spec.path)
        .parse()
        .map_err(|e: hyper::http::uri::InvalidUri| fail(e.to_string()))?;
    let mut headers = hyper::HeaderMap::new();
    for (name, value) in &spec.headers {
        let name = hyper::header::HeaderName::from_bytes(name.as_bytes())
            .map_err(|e| fail(e.to_string()))?;
        let value = hyper::header::HeaderValue::from_str(value).map_err(|e| fail(e.to_string()))?;
        headers.append(name, value);
    }
    Ok(PreparedRequest {
        method,
        uri,
        headers,
        body: spec.body.clone(),
    })
}

/// One HTTP/2 connection.
pub struct Connection {
    sender: Sender,
    /// False once the connection failed.
    pub reusable: bool,
}

enum Sender {
    H1(hyper::client::conn::http1::SendRequest<Full<Bytes>>),
    H2(hyper::client::conn::http2::SendRequest<Full<Bytes>>),
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("http2::Connection")
            .field("reusable", &self.reusable)
            .finish()
    }
}

impl Connection {
    /// Opens a TCP connection and performs the HTTP/2 handshake.
    pub async fn open(target: &Target) -> std::io::Result<Connection> {
        let host = target.host.trim_start_matches('[').trim_end_matches(']');
        let stream = TcpStream::connect((host, target.port)).await?;
        stream.set_nodelay(true)?;
        let (sender, conn) = hyper::client::conn::http2::Builder::new(TokioExecutor::new())
            // One stream until the server's SETTINGS arrive: streams opened
            // before them could exceed its MAX_CONCURRENT_STREAMS and be refused.
            .initial_max_send_streams(1)
            .initial_stream_window_size(STREAM_WINDOW)
            .initial_connection_window_size(CONNECTION_WINDOW)
            .handshake(TokioIo::new(stream))
            .await
            .map_err(std::io::Error::other)?;
        tokio::spawn(async move {
            // The connection's errors surface on the requests that use it.
            let _ = conn.await;
        });
        Ok(Connection {
            sender: Sender::H2(sender),
            reusable: true,
        })
    }

    /// Opens a TCP connection spoken over hyper's HTTP/1.1 client (for
    /// measuring it against the lean client).
    pub async fn open_http1(target: &Target) -> std::io::Result<Connection> {
        let host = target.host.trim_start_matches('[').trim_end_matches(']');
        let stream = TcpStream::connect((host, target.port)).await?;
        stream.set_nodelay(true)?;
        let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(std::io::Error::other)?;
        tokio::task::spawn_local(async move {
            let _ = conn.await;
        });
        Ok(Connection {
            sender: Sender::H1(sender),
            reusable: true,
        })
    }

    /// False once the connection failed or the server closed it: no more
    /// requests may be started on it.
    pub fn accepts(&self) -> bool {
        let open = match &self.sender {
            Sender::H1(_) => true,
            Sender::H2(s) => !s.is_closed(),
        };
        self.reusable && open
    }

    /// Starts `request` on a new stream and returns the future of its whole
    /// response, independent of the connection, so that many can be in flight
    /// at once. `None` on an HTTP/1.1 (hyper) connection, which takes one
    /// request at a time through [`Connection::send`].
    pub fn start(
        &mut self,
        request: &PreparedRequest,
        keep_body: bool,
    ) -> Option<impl Future<Output = Result<Response, ReadError>> + 'static> {
        let Sender::H2(sender) = &mut self.sender else {
            return None;
        };
        let mut req = hyper::Request::new(Full::new(request.body.clone()));
        *req.method_mut() = request.method.clone();
        *req.uri_mut() = request.uri.clone();
        *req.headers_mut() = request.headers.clone();
        let response = sender.send_request(req);
        Some(async move {
            let result = async {
                let resp = response.await?;
                let status = resp.status().as_u16();
                let body = read_body(resp.into_body(), keep_body).await?;
                Ok::<_, hyper::Error>(Response {
                    status,
                    body,
                    close: false,
                })
            }
            .await;
            result.map_err(|e| classify(&e))
        })
    }

    /// Sends one request and reads its whole response.
    pub async fn send(
        &mut self,
        request: &PreparedRequest,
        keep_body: bool,
    ) -> Result<Response, ReadError> {
        let mut req = hyper::Request::new(Full::new(request.body.clone()));
        *req.method_mut() = request.method.clone();
        *req.uri_mut() = request.uri.clone();
        *req.headers_mut() = request.headers.clone();
        let result = async {
            let resp = match &mut self.sender {
                Sender::H1(s) => {
                    if let Some(authority) = request.uri.authority() {
                        if let Ok(value) = hyper::header::HeaderValue::from_str(authority.as_str())
                        {
                            req.headers_mut()
                                .entry(hyper::header::HOST)
                                .or_insert(value);
                        }
                    }
                    s.ready().await?;
                    s.send_request(req).await?
                }
                Sender::H2(s) => {
                    s.ready().await?;
                    s.send_request(req).await?
                }
            };
            let status = resp.status().as_u16();
            let close = closes_after(&resp);
            let body = read_body(resp.into_body(), keep_body).await?;
            Ok::<_, hyper::Error>(Response {
                status,
                body,
                close,
            })
        }
        .await;
        match result {
            Ok(resp) => {
                if resp.close {
                    // hyper closes it after this answer: the next request
                    // needs a new connection, not a `reset`.
                    self.reusable = false;
                }
                Ok(resp)
            }
            Err(e) => {
                self.reusable = false;
                Err(classify(&e))
            }
        }
    }
}

/// True when an HTTP/1.x answer ends its connection: `Connection: close`,
/// or HTTP/1.0 without `Connection: keep-alive`.
fn closes_after<B>(resp: &hyper::Response<B>) -> bool {
    let connection = resp.headers().get(hyper::header::CONNECTION);
    let says = |word: &[u8]| connection.is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(word));
    says(b"close") || (resp.version() == hyper::Version::HTTP_10 && !says(b"keep-alive"))
}

fn classify(e: &hyper::Error) -> ReadError {
    if e.is_parse_too_large() {
        ReadError::HeaderTooLarge
    } else if e.is_parse_status() {
        ReadError::BadStatusLine
    } else if e.is_parse() || e.is_user() {
        ReadError::Malformed
    } else {
        ReadError::Reset
    }
}

/// Reads a body frame by frame, keeping at most [`MAX_KEPT_BODY`] bytes of
/// it when asked to (and nothing otherwise), so an endless body is streamed
/// past rather than collected.
async fn read_body(
    mut body: hyper::body::Incoming,
    keep: bool,
) -> Result<Option<Vec<u8>>, hyper::Error> {
    let mut kept = Vec::new();
    while let Some(frame) = body.frame().await {
        if let Ok(data) = frame?.into_data() {
            if keep {
                let room = MAX_KEPT_BODY.saturating_sub(kept.len());
                kept.extend_from_slice(&data[..data.len().min(room)]);
            }
        }
    }
    Ok(keep.then_some(kept))
}
