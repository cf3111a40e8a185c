//! HTTP/1.1 through hyper's client connection API, one request at a time:
//! only there to measure hyper's client against the lean one in `http1.rs`
//! (`GAUNTLET_HTTP1_CLIENT=hyper`, see benches/vs-wrk.sh). It used to share a
//! type with the HTTP/2 client when both went through hyper; HTTP/2 now has
//! its own lean client (`http2.rs`).

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

use super::http1::{ReadError, Response, MAX_KEPT_BODY};
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

/// Why a request could not be prepared for hyper.
#[derive(Debug, thiserror::Error)]
#[error("request {method} {path} is not valid for hyper's client: {reason}")]
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

/// One HTTP/1.1 connection driven by hyper.
pub struct HyperHttp1Connection {
    sender: hyper::client::conn::http1::SendRequest<Full<Bytes>>,
    /// False once the connection failed or the server asked to close it.
    pub reusable: bool,
}

impl std::fmt::Debug for HyperHttp1Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HyperHttp1Connection")
            .field("reusable", &self.reusable)
            .finish()
    }
}

impl HyperHttp1Connection {
    /// Opens a TCP connection spoken over hyper's HTTP/1.1 client.
    pub async fn open(target: &Target) -> std::io::Result<HyperHttp1Connection> {
        let host = target.host.trim_start_matches('[').trim_end_matches(']');
        let stream = TcpStream::connect((host, target.port)).await?;
        stream.set_nodelay(true)?;
        let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(std::io::Error::other)?;
        tokio::task::spawn_local(async move {
            let _ = conn.await;
        });
        Ok(HyperHttp1Connection {
            sender,
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
        if let Some(authority) = request.uri.authority() {
            if let Ok(value) = hyper::header::HeaderValue::from_str(authority.as_str()) {
                req.headers_mut()
                    .entry(hyper::header::HOST)
                    .or_insert(value);
            }
        }
        let s = &mut self.sender;
        let result = async {
            s.ready().await?;
            let resp = s.send_request(req).await?;
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
