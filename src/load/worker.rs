//! The one worker loop. Each worker thread runs a single-threaded tokio
//! runtime with its share of the connections; every connection runs the same
//! loop whatever the schedule and protocol: ask the [`Pacer`] for the next
//! intended send time (open) or whether it is active (closed), wait, send,
//! record.
//!
//! Requests in flight per connection are a value of the plan (the depth:
//! HTTP/1.1 pipelining or HTTP/2 streams, 1 by default), not another loop:
//! the connection starts every request that is due while fewer than `depth`
//! are on it, then waits for whichever comes first, an answer or the next
//! intended send time ([`Wire`] hides how each protocol carries them). At
//! depth 1 this is exactly send, wait for the answer, record. One exception
//! to "while fewer than `depth`": a pipelined HTTP/1.1 connection in the
//! closed model sends batches, the next once the last is all answered.
//!
//! Open model bookkeeping: a free connection claims the next request number
//! from a counter shared by all connections of all workers, so when every
//! connection is busy the unclaimed requests wait in line with their intended
//! times and the next free connection sends the oldest one at once. Latency is
//! charged from the intended time; service time from the actual send. tokio's
//! timers fire on millisecond ticks, so a connection wakes up to 1 ms *before*
//! the intended time and sends then; such a request is charged from its
//! actual send (never from a time before it was sent), which keeps the 1 ms
//! tick out of the latencies. Nothing is sent after the run's end: a
//! generator behind its schedule stops there (requests already sent get their
//! timeout), and the requests it never sent are reported as `not_sent`.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::Sender;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::http1::{self, Response};
use super::plan::Target;
use super::schedule::{Pacer, Slot};
use super::wire::{Sent, Wire};
use super::{http2, hyper_http1};
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
    /// HTTP/2 header block and body (only when speaking HTTP/2).
    pub h2: Option<http2::PreparedRequest>,
    /// hyper's form of the request (only with hyper's HTTP/1.1 client).
    pub hyper1: Option<hyper_http1::PreparedRequest>,
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
    /// Requests in flight per connection: the pipelining depth (HTTP/1.1) or
    /// the streams (HTTP/2); 1 for hyper's HTTP/1.1 client.
    pub depth: usize,
    /// Stop on Ctrl-C.
    pub interrupt: Interrupt,
}

impl Shared {
    /// Index of the next request of the mix.
    fn pick(&self, rng: &mut u64) -> usize {
        if self.mix.len() == 1 {
            return 0;
        }
        // xorshift64: cheap and good enough to spread a weighted mix.
        *rng ^= *rng << 13;
        *rng ^= *rng >> 7;
        *rng ^= *rng << 17;
        let total = self.mix.last().map(|s| s.cumulative_weight).unwrap_or(1);
        let r = *rng % total.max(1);
        let i = self.mix.partition_point(|s| s.cumulative_weight <= r);
        i.min(self.mix.len() - 1)
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

/// What a worker's connections record into (one thread, so a `RefCell`):
/// the recorder, where closed intervals go, and the responses not yet
/// recorded (see [`Batch`]).
type Sink = Rc<RefCell<(Recorder, Sender<WorkerMsg>, Option<Batch>)>>;

/// Responses that go into the recorder together. The answers of one
/// pipelined read share their status, intended time, send time and arrival
/// (one clock read per read), so they are recorded as one value with a count:
/// one histogram update and one set of clock subtractions per read instead of
/// per response (about 5 % of the generator's CPU at depth 16). Flushed
/// before anything else is recorded and before every interval roll, so
/// every response still lands in the interval of its arrival.
#[derive(Debug, Clone, Copy)]
struct Batch {
    status: u16,
    check: Result<(), ErrorKind>,
    intended: Instant,
    sent: Instant,
    done: Instant,
    count: u64,
}

/// Records the pending batch, if any.
fn flush(recorder: &mut Recorder, batch: &mut Option<Batch>) {
    if let Some(b) = batch.take() {
        // Charged from the intended time, or from the send when the
        // timer woke us slightly before it.
        let from = b.intended.min(b.sent);
        recorder.record_responses(
            b.status,
            micros(b.done.saturating_duration_since(from)),
            micros(b.done.saturating_duration_since(b.sent)),
            b.check,
            b.count,
        );
    }
}

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
    let sink: Sink = Rc::new(RefCell::new((Recorder::new(), tx, None)));
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
    let (recorder, tx, batch) = &mut *guard;
    flush(recorder, batch);
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
    let depth = shared.depth.max(1);
    // Closed model, HTTP/1.1 pipelining: batches of `depth` requests, the
    // next sent when the previous one is answered, as wrk's pipelining
    // script and TechEmpower's plaintext do. Refilling each place as soon as
    // its answer came let partial reads split the batches for good (15.0
    // requests per write at depth 16 against wrk's 15.9). The open model
    // sends each request when it is due, up to `depth` in flight; HTTP/2
    // streams refill as they finish (h2load's -m).
    let batches = !open && depth > 1 && !shared.http2;
    let mut wire: Option<Wire> = None;
    // Open model: a request whose number is claimed but whose time has not come.
    let mut due: Option<Instant> = None;
    // Closed stages: this connection is inactive until then.
    let mut idle_until: Option<Instant> = None;
    // No more requests are to be started (those in flight are still read).
    let mut ended = false;
    let mut free_since = Instant::now();
    // Closed model: the arrival of the answer that just freed a place (or
    // the batch's last place), which is when the next requests are meant to
    // go (saves reading the clock).
    let mut freed_at: Option<Instant> = None;
    let mut rng =
        0x9E37_79B9_7F4A_7C15u64 ^ (u64::from(index) + 1).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    // Nothing goes out before the run's start: a closed-model request sent
    // earlier would count as warmup even when there is none.
    sleep(shared.start).await;
    loop {
        if shared.interrupt.is_raised() {
            return;
        }
        // 1. Start every request that is due, up to `depth` in flight.
        // Closed model, pipelined HTTP/1.1: a connection sends its next
        // batch of `depth` once the last one is answered (see `batches`).
        let refill = !batches || wire.as_ref().map_or(true, |w| w.in_flight() == 0);
        while !ended && refill {
            let in_flight = wire.as_ref().map_or(0, Wire::in_flight);
            if in_flight >= depth || (in_flight > 0 && !wire.as_ref().is_some_and(Wire::accepts)) {
                // Full, or a connection that takes no more drains first.
                break;
            }
            // When is this request meant to go?
            let intended = match due.take() {
                Some(at) => at,
                None if open => {
                    let n = shared.next_slot.fetch_add(1, Ordering::Relaxed);
                    match shared.pacer.slot(n) {
                        Slot::At(offset) => shared.start + offset,
                        Slot::End => {
                            ended = true;
                            break;
                        }
                    }
                }
                None => {
                    // Every request of one fill was ready at the same
                    // moment (and is recorded together, see `record`).
                    let now = *freed_at.get_or_insert_with(Instant::now);
                    if now >= shared.end {
                        ended = true;
                        break;
                    }
                    if index >= shared.pacer.active_connections(shared.start, now) {
                        if in_flight == 0 {
                            wire = None;
                            idle_until = Some((now + Duration::from_millis(50)).min(shared.end));
                        }
                        break;
                    }
                    now
                }
            };
            // Not yet (open model): wait for it, waking a timer tick early.
            if open
                && intended
                    .checked_sub(TIMER_SLACK)
                    .is_some_and(|wake| wake > Instant::now())
            {
                due = Some(intended);
                break;
            }
            // (Closed model: `intended` was read from the clock just now.)
            let ready = if open { Instant::now() } else { intended };
            // Open model: nothing is sent after the run's end, however far
            // behind the schedule is. The requests left over are counted by
            // the engine as not sent (schedule minus sent), not drained.
            if open && ready >= shared.end {
                ended = true;
                break;
            }
            let measuring = intended >= shared.measure_start;
            let lag = (open && measuring)
                .then(|| micros(ready.saturating_duration_since(intended.max(free_since))));
            // Connect if needed (nothing is in flight here).
            let mut sent = ready;
            if !wire.as_ref().is_some_and(Wire::accepts) {
                wire = None;
                let connected = tokio::time::timeout(shared.timeout, Wire::open(&shared)).await;
                // Time passed: the requests after this one (closed model)
                // read the clock again, and a failed connect's retry sees
                // the run's end.
                freed_at = None;
                match connected {
                    // A connect that ended after the deadline sends nothing.
                    Ok(Ok(_)) if open && Instant::now() >= shared.end => {
                        ended = true;
                        break;
                    }
                    Ok(Ok(w)) => {
                        wire = Some(w);
                        sent = Instant::now();
                    }
                    Ok(Err(_)) | Err(_) => {
                        if let Some(lag) = lag {
                            count_sent(&shared, &sink, lag);
                        }
                        if measuring {
                            let failed = Attempt::Failed(ErrorKind::Connect);
                            record(&shared, &sink, failed, intended, ready);
                        }
                        sleep(Instant::now() + CONNECT_BACKOFF).await;
                        free_since = Instant::now();
                        continue;
                    }
                }
            }
            let Some(w) = wire.as_mut() else { continue };
            if let Some(lag) = lag {
                count_sent(&shared, &sink, lag);
            }
            let spec = shared.pick(&mut rng);
            w.start(
                &shared,
                Sent {
                    intended,
                    sent,
                    measuring,
                    spec,
                },
            );
        }
        // Only the fill right after an answer may use its arrival time.
        freed_at = None;
        // 2. Wait for an answer, or for the next request to fall due.
        let Some(w) = wire.as_mut().filter(|w| w.in_flight() > 0) else {
            if ended {
                return;
            }
            let wake = match (due, idle_until.take()) {
                (Some(at), _) => at.checked_sub(TIMER_SLACK).unwrap_or(at),
                (None, Some(at)) => at,
                (None, None) => {
                    tokio::task::yield_now().await;
                    continue;
                }
            };
            sleep(wake).await;
            continue;
        };
        let full = w.in_flight() >= depth;
        let wake = due
            .filter(|_| !full && w.accepts())
            .map(|at| at.checked_sub(TIMER_SLACK).unwrap_or(at));
        let outcome = match (w.ready(), wake) {
            (Some(outcome), _) => Some(outcome),
            (None, Some(at)) => tokio::select! {
                biased;
                outcome = w.next(&shared) => outcome,
                _ = sleep(at) => None,
            },
            (None, None) => w.next(&shared).await,
        };
        // 3. Record (only what was meant for the measured phase).
        if let Some((sent, result, done)) = outcome {
            if sent.measuring {
                let attempt = judge(&shared.mix[sent.spec], result, done);
                record(&shared, &sink, attempt, sent.intended, sent.sent);
            }
            if open {
                if full {
                    free_since = Instant::now();
                }
            } else {
                freed_at = Some(done);
            }
        }
    }
}

/// Open model, measured phase: one request went out (or its connect failed),
/// `lag_us` after it was due.
fn count_sent(shared: &Shared, sink: &Sink, lag_us: u64) {
    sink.borrow_mut().0.record_lag(lag_us);
    shared.sent_in_measure.fetch_add(1, Ordering::Relaxed);
}

/// Checks a response against what the request expects.
fn judge(spec: &PreparedSpec, result: Result<Response, ErrorKind>, done: Instant) -> Attempt {
    let resp = match result {
        Ok(resp) => resp,
        Err(kind) => return Attempt::Failed(kind),
    };
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

fn record(shared: &Shared, sink: &Sink, attempt: Attempt, intended: Instant, sent: Instant) {
    let mut guard = sink.borrow_mut();
    let (recorder, tx, batch) = &mut *guard;
    let now = match attempt {
        Attempt::Response {
            status,
            check,
            done,
        } => {
            let same = |b: &Batch| {
                (b.status, b.check, b.intended, b.sent, b.done)
                    == (status, check, intended, sent, done)
            };
            if let Some(b) = batch.as_mut().filter(|b| same(b)) {
                b.count += 1;
                return;
            }
            done
        }
        Attempt::Failed(_) => Instant::now(),
    };
    flush(recorder, batch);
    let interval = shared.interval_of(now);
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
            *batch = Some(Batch {
                status,
                check,
                intended,
                sent,
                done,
                count: 1,
            });
        }
        Attempt::Failed(kind) => recorder.record_error(kind),
    }
}

async fn sleep(until: Instant) {
    tokio::time::sleep_until(until.into()).await;
}
