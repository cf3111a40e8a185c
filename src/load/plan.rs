//! What the load engine is asked to do: a validated [`LoadPlan`] (target,
//! request mix, schedule, stop condition, placement). `gauntlet bench` builds
//! one from flags, `gauntlet run` from a scenario; the engine never
//! re-validates it.

use std::time::Duration;

use bytes::Bytes;

use crate::cpus::CpuSet;

/// Where the load goes: the one URL/target type of [`crate::target`].
pub use crate::target::Target;

/// One kind of request in the mix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestSpec {
    /// HTTP method, upper case.
    pub method: String,
    /// Path and query, starting with `/`.
    pub path: String,
    /// Extra headers (Host, Content-Length and Connection are added by the client).
    pub headers: Vec<(String, String)>,
    /// Request body (empty for none).
    pub body: Bytes,
    /// Relative weight in the mix (≥ 1).
    pub weight: u32,
    /// Status that counts as success; `None` means any 2xx.
    pub expect_status: Option<u16>,
    /// Exact body that counts as success; `None` means the body is not checked.
    pub expect_body: Option<Bytes>,
}

/// One step of a staged schedule: over `duration`, the rate (open model) or
/// the number of connections (closed model) goes linearly from the previous
/// stage's target (or the first stage's `target`, for the first) to `target`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stage {
    /// How long the stage lasts.
    pub duration: Duration,
    /// Requests per second (open) or connections (closed) at the end of the stage.
    pub target: f64,
}

/// How requests are offered.
#[derive(Debug, Clone, PartialEq)]
pub enum Schedule {
    /// Open model at a constant arrival rate (requests per second); latency is
    /// charged from each request's intended send time.
    OpenConstant {
        /// Requests per second.
        rate: f64,
    },
    /// Open model whose rate follows stages; `connections` bounds concurrency.
    OpenStages(Vec<Stage>),
    /// Closed model: every connection sends its next request when the previous
    /// answer arrived.
    Closed,
    /// Closed model whose active connection count follows stages (at most
    /// `LoadPlan::connections`).
    ClosedStages(Vec<Stage>),
}

/// Which HTTP/1.1 client the engine speaks through.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Http1Client {
    /// The lean client (`http1.rs`): the default.
    #[default]
    Lean,
    /// hyper's client, one request at a time: only there to measure the
    /// lean one against it (benches/vs-wrk.sh).
    Hyper,
}

impl std::str::FromStr for Http1Client {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        match text {
            "lean" => Ok(Http1Client::Lean),
            "hyper" => Ok(Http1Client::Hyper),
            other => Err(format!(
                "{other:?} is not an HTTP/1.1 client; expected lean or hyper"
            )),
        }
    }
}

/// A complete, validated description of one load run.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadPlan {
    /// Where to send.
    pub target: Target,
    /// The request mix (at least one).
    pub requests: Vec<RequestSpec>,
    /// Connections to open (the most in flight at once).
    pub connections: u32,
    /// Open or closed, constant or staged.
    pub schedule: Schedule,
    /// Measured phase (for staged schedules, the sum of the stages).
    pub duration: Duration,
    /// Load before measuring, not recorded.
    pub warmup: Duration,
    /// Worker threads.
    pub threads: usize,
    /// CPUs the generator's threads are pinned to (`None`: not pinned).
    pub cpus: Option<CpuSet>,
    /// Per-request timeout.
    pub timeout: Duration,
    /// Speak HTTP/2 (h2c prior knowledge) instead of HTTP/1.1.
    pub http2: bool,
    /// HTTP/1.1 pipelining depth: requests in flight per connection, written
    /// together, answered in order (1: no pipelining). Ignored for HTTP/2.
    pub pipeline: u32,
    /// HTTP/2 streams in flight per connection, as h2load's `-m` (1: one
    /// request at a time). Ignored for HTTP/1.1.
    pub streams: u32,
    /// The HTTP/1.1 client (ignored for HTTP/2).
    pub http1_client: Http1Client,
    /// The command line, recorded in the result.
    pub command_line: Vec<String>,
}

impl LoadPlan {
    /// Requests one connection keeps in flight: the pipelining depth
    /// (HTTP/1.1) or the streams (HTTP/2), at least 1.
    pub fn depth(&self) -> usize {
        if !self.http2 && self.http1_client == Http1Client::Hyper {
            return 1;
        }
        let depth = if self.http2 {
            self.streams
        } else {
            self.pipeline
        };
        depth.max(1) as usize
    }
}

/// Which part of a run the engine is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Load is offered but not recorded.
    Warmup,
    /// Load is offered and recorded.
    Measure,
    /// No more requests are sent; in-flight ones have been collected.
    Done,
}

/// A live reading, about once a second, for progress lines.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Progress {
    /// The phase the reading belongs to.
    pub phase: Phase,
    /// Time since the phase began.
    pub elapsed: Duration,
    /// Length of the phase.
    pub phase_length: Duration,
    /// Responses completed in the phase so far.
    pub requests: u64,
    /// Failed requests in the phase so far.
    pub errors: u64,
    /// Completed requests per second over the last interval.
    pub recent_rps: f64,
    /// 99th percentile latency of the last interval, in µs.
    pub recent_p99_us: u64,
}

/// Hooks the engine calls while it runs, so a caller can draw progress or
/// line up its own measurements (the supervisor's sampler) with the measured
/// phase. Every method has a no-op default.
pub trait LoadObserver: Send + Sync {
    /// Called at the moment a phase begins (`Measure` marks the start of the
    /// measured window; `Done` its end).
    fn phase_started(&self, _phase: Phase) {}
    /// Called about once a second with a live reading.
    fn progress(&self, _progress: &Progress) {}
}

/// An observer that ignores everything.
#[derive(Debug, Clone, Copy, Default)]
pub struct Silent;

impl LoadObserver for Silent {}
