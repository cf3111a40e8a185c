//! One engine connection as the worker loop sees it, whatever the protocol:
//! requests are started on it (up to the plan's depth: the HTTP/1.1
//! pipelining depth or the HTTP/2 streams) and their outcomes come back one at
//! a time with the bookkeeping ([`Sent`]) they were started with.
//!
//! HTTP/1.1 answers come back in request order; HTTP/2 answers in the order
//! they complete. A pipelined HTTP/1.1 connection that fails takes every
//! request on it down: the first gets the failure itself (`reset`,
//! `timeout`, `malformed` or a finer kind such as `body_overflow`), the others behind it are reported as lost the
//! same way (`timeout` after a timeout, `reset` otherwise), one by one, so each
//! request sent is counted exactly once.

use std::collections::VecDeque;
use std::pin::Pin;
use std::time::Instant;

use super::http1::{self, ReadError, Response};
use super::http2;
use super::hyper_http1::HyperHttp1Connection;
use super::worker::Shared;
use crate::record::ErrorKind;

/// What the worker remembers about a request it put on a connection.
#[derive(Debug, Clone, Copy)]
pub struct Sent {
    /// When it was meant to go (open model: its slot; closed: when the
    /// connection was ready for it).
    pub intended: Instant,
    /// When it was handed to the connection.
    pub sent: Instant,
    /// True when it belongs to the measured phase.
    pub measuring: bool,
    /// Its index in the request mix.
    pub spec: usize,
}

/// The outcome of one request: its bookkeeping, the response or the error,
/// and when it completed.
pub type Outcome = (Sent, Result<Response, ErrorKind>, Instant);

/// A connection with requests in flight on it.
pub enum Wire {
    /// The lean HTTP/1.1 client, pipelined when depth > 1.
    H1 {
        /// The connection (boxed, as HTTP/2's: the variants stay small).
        conn: Box<http1::Connection>,
        /// Requests on it, oldest first (answers come in this order).
        sent: VecDeque<Sent>,
        /// Once the connection failed: how the requests still on it are counted.
        lost: Option<ErrorKind>,
        /// The request timeout, armed lazily (see `answer_by`).
        timer: Pin<Box<tokio::time::Sleep>>,
    },
    /// HTTP/2 (the lean client): every request is its own stream.
    H2 {
        /// The connection, with its streams (boxed: the largest variant).
        conn: Box<http2::Connection>,
    },
    /// hyper's HTTP/1.1 client (measurement only), one request at a time.
    Hyper1 {
        /// The connection.
        conn: HyperHttp1Connection,
        /// The request started, not yet sent.
        queued: Option<Sent>,
    },
}

impl Wire {
    /// Opens the connection `shared` asks for.
    pub async fn open(shared: &Shared) -> std::io::Result<Wire> {
        Ok(if shared.http2 {
            Wire::H2 {
                conn: Box::new(http2::Connection::open(&shared.target).await?),
            }
        } else if shared.hyper_http1 {
            Wire::Hyper1 {
                conn: HyperHttp1Connection::open(&shared.target).await?,
                queued: None,
            }
        } else {
            Wire::H1 {
                conn: Box::new(http1::Connection::open(&shared.target, shared.depth).await?),
                sent: VecDeque::new(),
                lost: None,
                timer: Box::pin(tokio::time::sleep(shared.timeout)),
            }
        })
    }

    /// Requests started on it whose outcome has not been taken yet.
    pub fn in_flight(&self) -> usize {
        match self {
            Wire::H1 { sent, .. } => sent.len(),
            Wire::H2 { conn } => conn.in_flight(),
            Wire::Hyper1 { queued, .. } => usize::from(queued.is_some()),
        }
    }

    /// True while another request may be started on it.
    pub fn accepts(&self) -> bool {
        match self {
            Wire::H1 { conn, lost, .. } => conn.reusable && lost.is_none(),
            Wire::H2 { conn } => conn.accepts(),
            Wire::Hyper1 { conn, queued } => conn.reusable && queued.is_none(),
        }
    }

    /// Starts request `sent.spec` of the mix. HTTP/1.1 requests are written
    /// together when the connection next waits for an answer.
    pub fn start(&mut self, shared: &Shared, sent: Sent) {
        let spec = &shared.mix[sent.spec];
        let keep_body = spec.expect_body.is_some();
        match self {
            Wire::H1 {
                conn, sent: list, ..
            } => {
                conn.queue(&spec.h1, keep_body);
                list.push_back(sent);
            }
            Wire::H2 { conn } => {
                // The mix was prepared for HTTP/2 when the wire speaks it.
                if let Some(req) = &spec.h2 {
                    conn.start(req, keep_body, sent, sent.sent + shared.timeout);
                }
            }
            Wire::Hyper1 { queued, .. } => *queued = Some(sent),
        }
    }

    /// The next outcome if it is known without waiting: an answer already
    /// read (pipelined answers arrive together), or a request lost with its
    /// connection. A plain function, not a future: at pipelining depth 16
    /// most answers come this way, and taking them without building the
    /// future of [`Wire::next`] for each cut the generator's user time per
    /// request by 4-16 % in two A/B rounds (benches/runs/2026-11-30-http1-ready/).
    pub fn ready(&mut self) -> Option<Outcome> {
        match self {
            Wire::H1 {
                conn, sent, lost, ..
            } => {
                if let Some(kind) = *lost {
                    let first = sent.pop_front()?;
                    return Some((first, Err(kind), Instant::now()));
                }
                if sent.is_empty() {
                    return None;
                }
                let answer = conn.buffered_response()?;
                Some(settle(conn, sent, lost, answer))
            }
            Wire::H2 { conn } => conn.take_done(),
            Wire::Hyper1 { .. } => None,
        }
    }

    /// Waits for the next outcome (`None` when nothing is in flight).
    /// Cancel-safe: dropped while waiting, nothing is lost.
    pub async fn next(&mut self, shared: &Shared) -> Option<Outcome> {
        if let Some(outcome) = self.ready() {
            return Some(outcome);
        }
        match self {
            Wire::H1 {
                conn,
                sent,
                lost,
                timer,
            } => {
                let first = *sent.front()?;
                match answer_by(conn, timer, first.sent + shared.timeout).await {
                    Ok(answer) => Some(settle(conn, sent, lost, answer)),
                    Err(TimedOut) => {
                        conn.reusable = false;
                        *lost = Some(ErrorKind::Timeout);
                        sent.pop_front();
                        Some((first, Err(ErrorKind::Timeout), Instant::now()))
                    }
                }
            }
            Wire::H2 { conn } => conn.next(shared).await,
            Wire::Hyper1 { conn, queued } => {
                let first = (*queued)?;
                let spec = &shared.mix[first.spec];
                let keep_body = spec.expect_body.is_some();
                let result = match &spec.hyper1 {
                    Some(req) => {
                        tokio::time::timeout(shared.timeout, conn.send(req, keep_body)).await
                    }
                    None => Ok(Err(ReadError::Malformed)),
                };
                *queued = None;
                let result = match result {
                    Ok(r) => r.map_err(error_kind),
                    Err(_) => {
                        conn.reusable = false;
                        Err(ErrorKind::Timeout)
                    }
                };
                Some((first, result, Instant::now()))
            }
        }
    }
}

/// The oldest request on `sent` with its answer as read from `conn`. A read
/// error loses the connection: the requests behind it go as `reset`.
fn settle(
    conn: &http1::Connection,
    sent: &mut VecDeque<Sent>,
    lost: &mut Option<ErrorKind>,
    answer: Result<Response, ReadError>,
) -> Outcome {
    let first = sent
        .pop_front()
        .expect("an answer is read only for a request in flight");
    match answer {
        Ok(resp) => (first, Ok(resp), conn.read_at),
        Err(e) => {
            *lost = Some(ErrorKind::Reset);
            (first, Err(error_kind(e)), Instant::now())
        }
    }
}

/// The oldest request on a connection was not answered by its deadline.
struct TimedOut;

/// The next answer on `conn`, or [`TimedOut`] once `deadline` passes.
///
/// `timer` is the connection's one timer. It is not re-armed for every read
/// (a timer registration per read cost about 2 % of the generator's CPU at
/// pipelining depth 16): it stays armed for an earlier request's deadline,
/// and when it fires before `deadline` it is pushed on to it. So a timer
/// fires at most once per timeout period while answers keep coming, and
/// never later than `deadline`, even while bytes keep arriving.
async fn answer_by(
    conn: &mut http1::Connection,
    timer: &mut Pin<Box<tokio::time::Sleep>>,
    deadline: Instant,
) -> Result<Result<Response, ReadError>, TimedOut> {
    let deadline = tokio::time::Instant::from_std(deadline);
    if timer.deadline() > deadline {
        timer.as_mut().reset(deadline);
    }
    loop {
        tokio::select! {
            biased;
            answer = conn.next_response() => return Ok(answer),
            // Unconstrained: a body that streams without end spends the
            // task's cooperative budget in `next_response`, after which a
            // budgeted timer would read as pending on every poll and the
            // request would never time out (tokio's own `timeout` does the
            // same for its delay).
            () = tokio::task::unconstrained(timer.as_mut()) => {
                if tokio::time::Instant::now() >= deadline {
                    return Err(TimedOut);
                }
                timer.as_mut().reset(deadline);
            }
        }
    }
}

fn error_kind(e: ReadError) -> ErrorKind {
    match e {
        ReadError::Reset => ErrorKind::Reset,
        ReadError::Malformed => ErrorKind::Malformed,
        ReadError::BadStatusLine => ErrorKind::BadStatusLine,
        ReadError::HeaderTooLarge => ErrorKind::HeaderTooLarge,
        ReadError::BodyOverflow => ErrorKind::BodyOverflow,
        ReadError::TlsOnPlainPort => ErrorKind::TlsOnPlainPort,
    }
}
