//! HTTP/2 over cleartext (h2c, prior knowledge) through hyper's client
//! connection API: one HTTP/2 connection per engine connection, one request in
//! flight on it at a time, so `--connections` means the same in both versions.
//!
//! The same wrapper can speak HTTP/1.1 through hyper
//! (`GAUNTLET_HTTP1_CLIENT=hyper`): only there to measure hyper's client
//! against the lean one in `http1.rs` (see benches/vs-wrk.sh).

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::net::TcpStream;

use super::http1::{ReadError, Response};
use super::plan::{RequestSpec, Target};

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
        let (sender, conn) =
            hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(stream))
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
            let body = resp.into_body().collect().await?.to_bytes();
            Ok::<_, hyper::Error>(Response {
                status,
                body: keep_body.then(|| body.to_vec()),
                close: false,
            })
        }
        .await;
        result.map_err(|e| {
            self.reusable = false;
            if e.is_parse() || e.is_user() {
                ReadError::Malformed
            } else {
                ReadError::Reset
            }
        })
    }
}
