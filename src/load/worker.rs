//! The one worker loop. Each worker thread runs a single-threaded tokio
//! runtime with its share of the connections; every connection runs the same
//! loop whatever the schedule: ask the [`Pacer`] for the next intended send
//! time (open) or whether it is active (closed), wait, send, record.
//!
//! Open model bookkeeping: a free connection claims the next request number
//! from a counter shared by all connections of all workers, so when every
//! connection is busy the unclaimed requests wait in line with their intended
//! times and the next free connection sends the oldest one at once. Latency is
//! charged from the intended time; service time from the actual send. tokio's
//! timers fire on millisecond ticks, so a connection wakes up to 1 ms *before*
//! the intended time and sends then; such a request is charged from its
//! actual send (never from a time before it was sent), which keeps the 1 ms
//! tick out of the latencies.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::Sender;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::http1;
use super::http2;
use super::plan::Target;
use super::schedule::{Pacer, Slot};
use crate::interrupt::Interrupt;
use crate::record::{micros, ErrorKind, IntervalPart, Recorder};

/// Pause after a failed connect, so a dead target is not hammered in a loop.
const CONNECT_BACKOFF: Duration = Duration::from_millis(10);
/// How early a paced connection wakes (tokio's timer resolution).
const TIMER_SLACK: Duration = Duration::from_millis(1);

/// One entry of the request mix, prepared for both protocols.
#[derive(Debug, Clone)]
pub struct PreparedSpec {
    /// HTTP/1.1 bytes.
    pub h1: http1::EncodedRequest,
    /// HTTP/2 parts (only when speaking HTTP/2).
    pub h2: Option<http2::PreparedRequest>,
    /// Status that counts as success (`None`: any 2xx).
    pub expect_status: Option<u16>,
    /// Body that counts as success.
    pub expect_body: Option<bytes::Bytes>,
    /// Cumulative weight up to and including this entry.
    pub cumulative_weight: u64,
}

/// What every worker shares.
#[derive(Debug)]
pub struct Shared {
    /// Where to connect.
    pub target: Target,
    /// The request mix.
    pub mix: Vec<PreparedSpec>,
    /// The timeline.
    pub pacer: Pacer,
    /// Run start (offset 0 of the pacer).
    pub start: Instant,
    /// Start of the measured phase.
    pub measure_start: Instant,
    /// End of the run.
    pub end: Instant,
    /// Next open-model request number.
    pub next_slot: AtomicU64,
    /// Open-model requests sent in the measured phase.
    pub sent_in_measure: AtomicU64,
    /// Per-request timeout.
    pub timeout: Duration,
    /// Speak HTTP/2.
    pub http2: bool,
    /// Speak HTTP/1.1 through hyper instead of the lean client (measurement only).
    pub hyper_http1: bool,
    /// Stop on Ctrl-C.
    pub interrupt: Interrupt,
}

impl Shared {
    fn pick(&self, rng: &mut u64) -> &PreparedSpec {
        if self.mix.len() == 1 {
            return &self.mix[0];
        }
        // xorshift64: cheap and good enough to spread a weighted mix.
        *rng ^= *rng << 13;
        *rng ^= *rng >> 7;
        *rng ^= *rng << 17;
        let total = self.mix.last().map(|s| s.cumulative_weight).unwrap_or(1);
        let r = *rng % total.max(1);
        let i = self.mix.partition_point(|s| s.cumulative_weight <= r);
        &self.mix[i.min(self.mix.len() - 1)]
    }

    fn interval_of(&self, at: Instant) -> usize {
        at.saturating_duration_since(self.measure_start).as_secs() as usize
    }
}

/// A message from a worker to the engine.
#[derive(Debug)]
pub enum WorkerMsg {
    /// One second of one worker closed.
    Interval(IntervalPart),
}

/// What a worker hands back when its connections are done.
#[derive(Debug)]
pub struct WorkerResult {
    /// Its whole-run figures.
    pub recorder: Recorder,
    /// When its last connection finished.
    pub finished_at: Instant,
}

enum Conn {
    H1(http1::Connection),
    H2(http2::Connection),
}

impl Conn {
    fn reusable(&self) -> bool {
        match self {
            Conn::H1(c) => c.reusable,
            Conn::H2(c) => c.reusable,
        }
    }
}

type Sink = Rc<RefCell<(Recorder, Sender<WorkerMsg>)>>;

/// Runs one worker: `connections` are the global indices of its connections.
/// Blocks until they are all done.
pub fn run_worker(
    shared: Arc<Shared>,
    connections: Vec<u32>,
    tx: Sender<WorkerMsg>,
) -> std::io::Result<WorkerResult> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let local = tokio::task::LocalSet::new();
    let sink: Sink = Rc::new(RefCell::new((Recorder::new(), tx)));
    let finished_at = local.block_on(&rt, async {
        let ticker = {
            let shared = shared.clone();
            let sink = sink.clone();
            tokio::task::spawn_local(async move {
                let mut next = 1u32;
                loop {
                    let at = shared.measure_start + Duration::from_secs(u64::from(next));
                    tokio::time::sleep_until(at.into()).await;
                    roll(&sink, next as usize);
                    next += 1;
                }
            })
        };
        let mut tasks = tokio::task::JoinSet::new();
        for i in connections {
            tasks.spawn_local(connection_loop(shared.clone(), i, sink.clone()));
        }
        // Ctrl-C aborts the connections at their next await point; what they
        // recorded stays, requests in flight are dropped. Watching the
        // interrupt here, once, keeps it out of the per-request path.
        let all_done = async { while tasks.join_next().await.is_some() {} };
        tokio::select! {
            _ = all_done => {}
            _ = shared.interrupt.raised() => {}
        }
        tasks.abort_all();
        ticker.abort();
        Instant::now()
    });
    // Close the interval that was being filled when the run ended.
    let last = sink.borrow().0.current_interval();
    roll(&sink, last + 1);
    drop(local);
    let recorder = match Rc::try_unwrap(sink) {
        Ok(cell) => cell.into_inner().0,
        Err(rc) => rc.borrow().0.clone(),
    };
    Ok(WorkerResult {
        recorder,
        finished_at,
    })
}

fn roll(sink: &Sink, index: usize) {
    let mut guard = sink.borrow_mut();
    let (recorder, tx) = &mut *guard;
    recorder.roll_to(index, &mut |part| {
        let _ = tx.send(WorkerMsg::Interval(part));
    });
}

/// The outcome of one attempt, before it is recorded.
enum Attempt {
    Response {
        status: u16,
        check: Result<(), ErrorKind>,
        done: Instant,
    },
    Failed(ErrorKind),
}

async fn connection_loop(shared: Arc<Shared>, index: u32, sink: Sink) {
    let open = shared.pacer.is_open();
    let mut conn: Option<Conn> = None;
    let mut free_since = Instant::now();
    let mut rng =
        0x9E37_79B9_7F4A_7C15u64 ^ (u64::from(index) + 1).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    // Nothing goes out before the run's start: a closed-model request sent
    // earlier would count as warmup even when there is none.
    sleep(shared.start).await;
    loop {
        if shared.interrupt.is_raised() {
            return;
        }
        // 1. When is this request meant to go?
        let intended = if open {
            let n = shared.next_slot.fetch_add(1, Ordering::Relaxed);
            match shared.pacer.slot(n) {
                Slot::At(offset) => shared.start + offset,
                Slot::End => return,
            }
        } else {
            let now = Instant::now();
            if now >= shared.end {
                return;
            }
            if index >= shared.pacer.active_connections(now - shared.start) {
                conn = None;
                let wake = (now + Duration::from_millis(50)).min(shared.end);
                sleep(wake).await;
                continue;
            }
            now
        };
        // 2. Wait for it (open model), waking a timer tick early.
        if let Some(wake) = intended.checked_sub(TIMER_SLACK) {
            if wake > Instant::now() {
                sleep(wake).await;
            }
        }
        let ready = Instant::now();
        let measuring = intended >= shared.measure_start;
        if open && measuring {
            let lag = ready.saturating_duration_since(intended.max(free_since));
            sink.borrow_mut().0.record_lag(micros(lag));
            shared.sent_in_measure.fetch_add(1, Ordering::Relaxed);
        }
        // 3. Connect if needed.
        if !conn.as_ref().is_some_and(Conn::reusable) {
            conn = None;
            let opened = tokio::time::timeout(shared.timeout, open_conn(&shared)).await;
            match opened {
                Ok(Ok(c)) => conn = Some(c),
                Ok(Err(_)) | Err(_) => {
                    if measuring {
                        record(
                            &shared,
                            &sink,
                            Attempt::Failed(ErrorKind::Connect),
                            intended,
                            ready,
                        );
                    }
                    sleep(Instant::now() + CONNECT_BACKOFF).await;
                    free_since = Instant::now();
                    continue;
                }
            }
        }
        let Some(c) = conn.as_mut() else { continue };
        // 4. Send and read the response.
        let spec = shared.pick(&mut rng);
        let sent = Instant::now();
        let attempt = send(&shared, c, spec).await;
        if let Attempt::Failed(_) = attempt {
            conn = None;
        }
        // 5. Record (only what was meant for the measured phase).
        if measuring {
            record(&shared, &sink, attempt, intended, sent);
        }
        free_since = Instant::now();
    }
}

async fn open_conn(shared: &Shared) -> std::io::Result<Conn> {
    if shared.http2 {
        Ok(Conn::H2(http2::Connection::open(&shared.target).await?))
    } else if shared.hyper_http1 {
        Ok(Conn::H2(
            http2::Connection::open_http1(&shared.target).await?,
        ))
    } else {
        Ok(Conn::H1(http1::Connection::open(&shared.target).await?))
    }
}

async fn send(shared: &Shared, conn: &mut Conn, spec: &PreparedSpec) -> Attempt {
    let keep_body = spec.expect_body.is_some();
    let exchange = async {
        match (conn, &spec.h2) {
            (Conn::H2(c), Some(req)) => c.send(req, keep_body).await,
            (Conn::H1(c), _) => c.send(&spec.h1, keep_body).await,
            (Conn::H2(_), None) => Err(http1::ReadError::Malformed),
        }
    };
    let result = tokio::time::timeout(shared.timeout, exchange).await;
    let done = Instant::now();
    match result {
        Err(_) => Attempt::Failed(ErrorKind::Timeout),
        Ok(Err(http1::ReadError::Reset)) => Attempt::Failed(ErrorKind::Reset),
        Ok(Err(http1::ReadError::Malformed)) => Attempt::Failed(ErrorKind::Malformed),
        Ok(Ok(resp)) => {
            let status_ok = match spec.expect_status {
                Some(want) => resp.status == want,
                None => (200..300).contains(&resp.status),
            };
            let check = if !status_ok {
                Err(ErrorKind::Status)
            } else if let (Some(want), Some(got)) = (&spec.expect_body, &resp.body) {
                if want.as_ref() == got.as_slice() {
                    Ok(())
                } else {
                    Err(ErrorKind::BodyMismatch)
                }
            } else {
                Ok(())
            };
            Attempt::Response {
                status: resp.status,
                check,
                done,
            }
        }
    }
}

fn record(shared: &Shared, sink: &Sink, attempt: Attempt, intended: Instant, sent: Instant) {
    let now = match &attempt {
        Attempt::Response { done, .. } => *done,
        _ => Instant::now(),
    };
    let interval = shared.interval_of(now);
    let mut guard = sink.borrow_mut();
    let (recorder, tx) = &mut *guard;
    if interval > recorder.current_interval() {
        recorder.roll_to(interval, &mut |part| {
            let _ = tx.send(WorkerMsg::Interval(part));
        });
    }
    match attempt {
        Attempt::Response {
            status,
            check,
            done,
        } => {
            // Charged from the intended time, or from the send when the
            // timer woke us slightly before it.
            let from = intended.min(sent);
            recorder.record_response(
                status,
                micros(done.saturating_duration_since(from)),
                micros(done.saturating_duration_since(sent)),
                check,
            );
        }
        Attempt::Failed(kind) => recorder.record_error(kind),
    }
}

async fn sleep(until: Instant) {
    tokio::time::sleep_until(until.into()).await;
}
