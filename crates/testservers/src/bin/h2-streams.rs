//! A hyper server (HTTP/1.1 and HTTP/2 over cleartext, prior knowledge) that
//! counts concurrent streams, for the `--streams` tests: every request is
//! answered `Hello, World!` after `DELAY_MS` (default 20), so streams a client
//! multiplexes overlap, and the server records the most requests it ever had
//! in progress on one connection. `MAX_STREAMS=N` advertises
//! SETTINGS_MAX_CONCURRENT_STREAMS = N (default: hyper's, effectively
//! unlimited here); a client that ignored it would get its extra streams
//! refused.
//!
//! `STALL_MS=S` (with `STALL_AFTER_MS=A`, default 1000) holds every answer
//! that would go out between A and A+S ms after the first request until the
//! stall ends, as the HTTP/1.1 `stall` server does, for the
//! coordinated-omission test over HTTP/2.
//!
//! `GET /endless` answers a body that never ends, 16 KiB data frames as fast
//! as flow control lets them go, for the request-timeout test over HTTP/2.
//!
//! `GET /stats` answers `{"connections":C,"requests":R,"max_in_flight":M}`
//! for every other connection so far.
//!
//! `$PORT` picks the port (0 = any); prints `listening on 127.0.0.1:<port>`.

use std::convert::Infallible;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body_util::{Either, Full};
use hyper::body::{Body, Frame};
use hyper::{Request, Response};
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder;
use tokio::net::TcpListener;

static CONNECTIONS: AtomicU64 = AtomicU64::new(0);
static REQUESTS: AtomicU64 = AtomicU64::new(0);
static MAX_IN_FLIGHT: AtomicU64 = AtomicU64::new(0);

/// A response body that never ends.
struct Endless(Bytes);

impl Body for Endless {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        Poll::Ready(Some(Ok(Frame::data(self.0.clone()))))
    }
}

/// A short response.
fn full(body: impl Into<Bytes>) -> Response<Either<Full<Bytes>, Endless>> {
    Response::new(Either::Left(Full::new(body.into())))
}

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.parse().ok())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let delay = Duration::from_millis(env_u64("DELAY_MS").unwrap_or(20));
    let max_streams = env_u64("MAX_STREAMS").map(|n| n as u32);
    let stall = env_u64("STALL_MS").map(|ms| {
        let after = Duration::from_millis(env_u64("STALL_AFTER_MS").unwrap_or(1000));
        (after, after + Duration::from_millis(ms))
    });
    let first: &'static std::sync::OnceLock<std::time::Instant> =
        Box::leak(Box::new(std::sync::OnceLock::new()));
    let listener = TcpListener::bind(("127.0.0.1", gauntlet_testservers::port_from_env())).await?;
    println!("listening on {}", listener.local_addr()?);
    loop {
        let (stream, _) = listener.accept().await?;
        let _ = stream.set_nodelay(true);
        // Requests in progress on this connection; counted once it carries a
        // request other than /stats.
        let in_flight = Arc::new(AtomicU64::new(0));
        let counted = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let service = hyper::service::service_fn(move |req: Request<hyper::body::Incoming>| {
            let in_flight = in_flight.clone();
            let counted = counted.clone();
            async move {
                if req.uri().path() == "/stats" {
                    let body = format!(
                        "{{\"connections\":{},\"requests\":{},\"max_in_flight\":{}}}",
                        CONNECTIONS.load(Ordering::SeqCst),
                        REQUESTS.load(Ordering::SeqCst),
                        MAX_IN_FLIGHT.load(Ordering::SeqCst)
                    );
                    return Ok::<_, Infallible>(full(body));
                }
                if req.uri().path() == "/endless" {
                    let chunk = Bytes::from(vec![b'x'; 16 * 1024]);
                    return Ok(Response::new(Either::Right(Endless(chunk))));
                }
                if !counted.swap(true, Ordering::SeqCst) {
                    CONNECTIONS.fetch_add(1, Ordering::SeqCst);
                }
                REQUESTS.fetch_add(1, Ordering::SeqCst);
                let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                MAX_IN_FLIGHT.fetch_max(now, Ordering::SeqCst);
                let first = *first.get_or_init(std::time::Instant::now);
                if !delay.is_zero() {
                    tokio::time::sleep(delay).await;
                }
                if let Some((from, to)) = stall {
                    let since = first.elapsed();
                    if since >= from && since < to {
                        tokio::time::sleep_until((first + to).into()).await;
                    }
                }
                in_flight.fetch_sub(1, Ordering::SeqCst);
                Ok(full(Bytes::from_static(b"Hello, World!")))
            }
        });
        tokio::spawn(async move {
            let mut builder = Builder::new(TokioExecutor::new());
            if let Some(n) = max_streams {
                builder.http2().max_concurrent_streams(n);
            }
            let _ = builder
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}
