//! The raw scenario file as serde reads it (first of two stages): every key
//! that scenarios/README.md documents, unknown keys rejected, and the byte
//! span of every value that validation may have to point at. Nothing here
//! judges values; [`super::validate`] does, once.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

/// A scenario file exactly as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScenario {
    /// Scenario name (default: the file stem).
    pub name: Option<Spanned<String>>,
    /// One-line description.
    #[serde(default)]
    pub description: String,
    /// `"all"`, `"tier:stdlib"`, `"tier:framework"` or a list of server names
    /// and tier selections.
    pub servers: Option<Spanned<toml::Value>>,
    /// Measured duration per repetition, e.g. `"10s"`.
    pub duration: Option<Spanned<String>>,
    /// Load before measuring: `"auto"` (until steady) or a duration, e.g. `"2s"`.
    pub warmup: Option<Spanned<String>>,
    /// Cap of the automatic warmup, e.g. `"30s"`.
    pub warmup_max: Option<Spanned<String>>,
    /// Stability limit of the automatic warmup (coefficient of variation).
    pub warmup_cv: Option<Spanned<f64>>,
    /// One-second windows that must be stable in a row.
    pub warmup_windows: Option<Spanned<i64>>,
    /// Repetitions of the measured load per server.
    pub repetitions: Option<Spanned<i64>>,
    /// CPUs for the server's process tree, taskset list.
    pub server_cpus: Option<Spanned<String>>,
    /// CPUs for the load generator, taskset list.
    pub loadgen_cpus: Option<Spanned<String>>,
    /// Cold starts measured per server.
    pub startup_samples: Option<Spanned<i64>>,
    /// How long a server may take to become ready.
    pub startup_timeout: Option<Spanned<String>>,
    /// Idle keep-alive connections opened to measure memory per connection (0: skip).
    pub idle_connections: Option<Spanned<super::fd_limit::Count>>,
    /// Interval of the server's resource sampler, e.g. `"100ms"`.
    pub sample_interval: Option<Spanned<String>>,
    /// Per-request timeout, e.g. `"10s"`.
    pub timeout: Option<Spanned<String>>,
    /// Threshold expressions, e.g. `"p99 < 10ms"`.
    #[serde(default)]
    pub thresholds: Vec<Spanned<String>>,
    /// How load is offered.
    pub load: Option<Spanned<RawLoad>>,
    /// The request mix (`[[request]]` tables).
    #[serde(default)]
    pub request: Vec<Spanned<RawRequest>>,
    /// An upstream server to start for `/fanout` (its URL goes into `UPSTREAM_URL`).
    pub upstream: Option<Spanned<RawUpstream>>,
    /// A capacity search at an SLO instead of fixed-rate repetitions.
    pub capacity: Option<Spanned<super::capacity_spec::RawCapacity>>,
}

/// The `[load]` table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLoad {
    /// Connections (closed model: all busy; open model: the most in flight).
    pub connections: Option<Spanned<super::fd_limit::Count>>,
    /// Constant arrival rate in requests per second: the open model.
    pub rate: Option<Spanned<f64>>,
    /// Ramps of rate or connections over time.
    #[serde(default)]
    pub stages: Vec<Spanned<RawStage>>,
    /// Generator worker threads (default: one per generator CPU).
    pub threads: Option<Spanned<i64>>,
    /// HTTP/1.1 pipelining depth: requests in flight per connection.
    pub pipeline: Option<Spanned<i64>>,
    /// HTTP/2 streams per connection; set, the load speaks HTTP/2 (h2c).
    pub streams: Option<Spanned<i64>>,
}

/// One `stages` item.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStage {
    /// How long the stage lasts, e.g. `"10s"`.
    pub duration: Spanned<String>,
    /// Rate at the end of the stage (open model).
    pub rate: Option<Spanned<f64>>,
    /// Connections at the end of the stage (closed model).
    pub connections: Option<Spanned<i64>>,
}

/// One `[[request]]` table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRequest {
    /// HTTP method (default GET).
    pub method: Option<Spanned<String>>,
    /// Path and query, starting with `/`.
    pub path: Spanned<String>,
    /// Extra headers.
    #[serde(default)]
    pub headers: BTreeMap<String, Spanned<String>>,
    /// Request body.
    pub body: Option<String>,
    /// Request body read from a file, relative to the scenario file's folder.
    pub body_file: Option<Spanned<String>>,
    /// Relative weight in the mix (default 1).
    pub weight: Option<Spanned<i64>>,
    /// Status that counts as success (default: any 2xx).
    pub expect_status: Option<Spanned<i64>>,
    /// Exact body that counts as success (default: not checked).
    pub expect_body: Option<String>,
}

/// The `[upstream]` table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawUpstream {
    /// Per-request delay range, e.g. `"5ms..150ms"`.
    pub delay: Option<Spanned<String>>,
    /// Seed of the delay distribution.
    pub seed: Option<u64>,
}
