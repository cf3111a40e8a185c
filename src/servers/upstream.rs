//! `gauntlet upstream`: the server every reference server's `/fanout` calls.
//!
//! A hyper server that answers any `GET` with 200 `text/plain` `ok` after a
//! delay drawn uniformly from a range by a seeded RNG, so every server under
//! test meets the same sequence of delays. Other methods get 405. It runs as
//! a subcommand, or in-process via [`spawn_upstream`] for the verifier and
//! tests.

use std::convert::Infallible;
use std::fmt;
use std::net::SocketAddr;
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

use super::Error;
use crate::interrupt::Interrupt;

/// A per-request delay range, uniform and inclusive: `5ms..150ms`, or one
/// value (`20ms`) for a fixed delay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DelayRange {
    /// The shortest delay.
    pub min: Duration,
    /// The longest delay.
    pub max: Duration,
}

/// Why a `--delay` value is not a delay range.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DelayRangeError {
    /// One end is not a duration.
    #[error("{text:?} is not a duration like 5ms or 1s ({reason})")]
    Duration {
        /// The offending part.
        text: String,
        /// The parser's reason.
        reason: String,
    },
    /// The range runs backwards.
    #[error("the range {min:?}..{max:?} runs backwards; expected MIN..MAX with MIN <= MAX")]
    Backwards {
        /// The start given.
        min: Duration,
        /// The end given.
        max: Duration,
    },
}

impl DelayRange {
    /// A fixed delay.
    pub fn fixed(delay: Duration) -> Self {
        Self {
            min: delay,
            max: delay,
        }
    }
}

impl FromStr for DelayRange {
    type Err = DelayRangeError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let parse = |part: &str| {
            humantime::parse_duration(part.trim()).map_err(|e| DelayRangeError::Duration {
                text: part.trim().to_string(),
                reason: e.to_string(),
            })
        };
        let (min, max) = match text.split_once("..") {
            Some((a, b)) => (parse(a)?, parse(b)?),
            None => {
                let d = parse(text)?;
                (d, d)
            }
        };
        if min > max {
            return Err(DelayRangeError::Backwards { min, max });
        }
        Ok(Self { min, max })
    }
}

impl fmt::Display for DelayRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        write!(f, "{}ms..{}ms", ms(self.min), ms(self.max))
    }
}

/// The delays, drawn in request order from one seeded generator.
#[derive(Debug)]
struct Delays {
    range: DelayRange,
    rng: Mutex<StdRng>,
}

impl Delays {
    fn new(range: DelayRange, seed: u64) -> Self {
        Self {
            range,
            rng: Mutex::new(StdRng::seed_from_u64(seed)),
        }
    }

    fn next(&self) -> Duration {
        let (min, max) = (self.range.min.as_nanos(), self.range.max.as_nanos());
        if min == max {
            return self.range.min;
        }
        let nanos = match self.rng.lock() {
            Ok(mut rng) => rng.gen_range(min..=max),
            Err(poisoned) => poisoned.into_inner().gen_range(min..=max),
        };
        Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX))
    }
}

async fn handle(
    request: Request<Incoming>,
    delays: Arc<Delays>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let mut response = if request.method() == Method::GET {
        tokio::time::sleep(delays.next()).await;
        Response::new(Full::new(Bytes::from_static(b"ok")))
    } else {
        let mut r = Response::new(Full::new(Bytes::from_static(b"only GET")));
        *r.status_mut() = StatusCode::METHOD_NOT_ALLOWED;
        r
    };
    response.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("text/plain"),
    );
    Ok(response)
}

/// Accepts connections until `stop` completes.
async fn serve(
    listener: TcpListener,
    delays: Arc<Delays>,
    stop: impl std::future::Future<Output = ()>,
) {
    tokio::pin!(stop);
    loop {
        let accepted = tokio::select! {
            _ = &mut stop => return,
            accepted = listener.accept() => accepted,
        };
        let Ok((stream, _)) = accepted else {
            // Out of file descriptors or similar: back off, keep serving.
            tokio::time::sleep(Duration::from_millis(10)).await;
            continue;
        };
        let _ = stream.set_nodelay(true);
        let delays = delays.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req| handle(req, delays.clone()));
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

/// An upstream running on its own thread; it stops when dropped.
#[derive(Debug)]
pub struct UpstreamHandle {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl UpstreamHandle {
    /// The base URL, `http://127.0.0.1:P`, with no trailing slash (the form
    /// `UPSTREAM_URL` takes).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
}

impl Drop for UpstreamHandle {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Starts an upstream on 127.0.0.1 and a free port, on its own thread and
/// tokio runtime. Returns once it accepts connections.
pub fn spawn_upstream(delay: DelayRange, seed: u64) -> Result<UpstreamHandle, Error> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("gauntlet-upstream")
        .enable_all()
        .build()
        .map_err(Error::UpstreamRuntime)?;
    let std_listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(Error::UpstreamBind)?;
    std_listener
        .set_nonblocking(true)
        .map_err(Error::UpstreamSocket)?;
    let addr = std_listener.local_addr().map_err(Error::UpstreamSocket)?;
    let (stop_tx, stop_rx) = oneshot::channel::<()>();
    let delays = Arc::new(Delays::new(delay, seed));
    let thread = std::thread::Builder::new()
        .name("gauntlet-upstream".into())
        .spawn(move || {
            runtime.block_on(async move {
                let Ok(listener) = TcpListener::from_std(std_listener) else {
                    return;
                };
                serve(listener, delays, async {
                    let _ = stop_rx.await;
                })
                .await;
            });
            runtime.shutdown_timeout(Duration::from_millis(200));
        })
        .map_err(Error::UpstreamThread)?;
    Ok(UpstreamHandle {
        addr,
        stop: Some(stop_tx),
        thread: Some(thread),
    })
}

/// What `gauntlet upstream` is asked to do (the flags of `cli::UpstreamArgs`,
/// the delay range parsed).
#[derive(Debug, Clone, Copy)]
pub struct UpstreamOptions {
    /// Port on 127.0.0.1 (0: a free one, printed).
    pub port: u16,
    /// Per-request delay range, uniform.
    pub delay: DelayRange,
    /// Seed of the delay sequence.
    pub seed: u64,
}

/// Serves until Ctrl-C or SIGTERM; `listening` is told the address once it
/// accepts connections (the caller prints it: a free port is chosen here).
pub fn serve_until_interrupted(
    args: &UpstreamOptions,
    listening: impl FnOnce(SocketAddr),
) -> Result<(), Error> {
    let delays = Arc::new(Delays::new(args.delay, args.seed));
    let interrupt = Interrupt::global();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(Error::Runtime)?;
    runtime.block_on(async {
        let listener = TcpListener::bind(("127.0.0.1", args.port))
            .await
            .map_err(|source| Error::Bind {
                port: args.port,
                source,
            })?;
        listening(listener.local_addr().map_err(Error::UpstreamSocket)?);
        serve(listener, delays, interrupt.raised()).await;
        Ok::<(), Error>(())
    })?;
    runtime.shutdown_timeout(Duration::from_millis(200));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delay_ranges_parse_and_bad_ones_say_why() {
        assert_eq!(
            "5ms..150ms".parse(),
            Ok(DelayRange {
                min: Duration::from_millis(5),
                max: Duration::from_millis(150)
            })
        );
        assert_eq!(
            "20ms".parse(),
            Ok(DelayRange::fixed(Duration::from_millis(20)))
        );
        assert!(matches!(
            "150ms..5ms".parse::<DelayRange>(),
            Err(DelayRangeError::Backwards { .. })
        ));
        assert!(matches!(
            "5..150".parse::<DelayRange>(),
            Err(DelayRangeError::Duration { .. })
        ));
    }

    #[test]
    fn the_same_seed_gives_the_same_delays_within_the_range() {
        let range: DelayRange = "5ms..150ms".parse().expect("valid range");
        let a = Delays::new(range, 7);
        let b = Delays::new(range, 7);
        let c = Delays::new(range, 8);
        let seq_a: Vec<_> = (0..20).map(|_| a.next()).collect();
        let seq_b: Vec<_> = (0..20).map(|_| b.next()).collect();
        let seq_c: Vec<_> = (0..20).map(|_| c.next()).collect();
        assert_eq!(seq_a, seq_b);
        assert_ne!(seq_a, seq_c);
        assert!(seq_a.iter().all(|d| range.min <= *d && *d <= range.max));
    }

    #[test]
    fn spawned_upstream_answers_ok_after_its_delay_and_stops_on_drop() {
        let upstream =
            spawn_upstream(DelayRange::fixed(Duration::from_millis(50)), 1).expect("upstream");
        let target = crate::verify::client::target(&upstream.url()).expect("url");
        let started = std::time::Instant::now();
        let response =
            crate::verify::client::send(&target, &crate::verify::client::Request::get("/item?i=3"))
                .expect("response");
        assert!(started.elapsed() >= Duration::from_millis(50));
        assert_eq!(response.status, 200);
        assert_eq!(response.body, b"ok");
        assert_eq!(response.media_type().as_deref(), Some("text/plain"));
        let addr = upstream.addr();
        drop(upstream);
        assert!(std::net::TcpStream::connect(addr).is_err());
    }
}
