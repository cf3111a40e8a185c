//! The versioned result schema: what a load run, a server run and a whole run
//! write to disk. Report and compare read only these types, never a live run.
//!
//! Units are in the field names (`_us` microseconds, `_ms` milliseconds, `_s`
//! seconds, `_bytes` bytes) so that a reader of the JSON needs no legend.
//! Bump [`SCHEMA_VERSION`] on any change that an older reader would misread.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Version of the JSON layout written by this build of Gauntlet.
pub const SCHEMA_VERSION: u32 = 2;

/// Which tool wrote a file, so that a result can be traced to its code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ToolInfo {
    /// Gauntlet's crate version, e.g. `0.1.0`.
    pub version: String,
    /// Git commit of the Gauntlet checkout that ran, when it was known at build time.
    pub git_commit: Option<String>,
}

/// How load was offered to the target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum LoadModel {
    /// Constant arrival rate; latency is charged from each request's intended
    /// send time (coordinated-omission corrected).
    Open,
    /// A fixed number of connections, each sending its next request when the
    /// previous answer arrived; latency is not corrected for coordinated omission.
    Closed,
}

/// Summary statistics of one latency distribution, all in microseconds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct LatencyStats {
    /// Number of values recorded.
    pub count: u64,
    /// Smallest value.
    pub min_us: u64,
    /// Arithmetic mean.
    pub mean_us: f64,
    /// Standard deviation.
    pub stdev_us: f64,
    /// 50th percentile (median).
    pub p50_us: u64,
    /// 75th percentile.
    pub p75_us: u64,
    /// 90th percentile.
    pub p90_us: u64,
    /// 99th percentile.
    pub p99_us: u64,
    /// 99.9th percentile.
    pub p99_9_us: u64,
    /// 99.99th percentile.
    pub p99_99_us: u64,
    /// Largest value.
    pub max_us: u64,
    /// The whole HdrHistogram (µs, 3 significant digits), V2-deflate serialized
    /// and base64 encoded, so results can be merged or re-analysed later.
    pub histogram: String,
}

impl LatencyStats {
    /// The percentile a threshold or SLO names (`p50`, `p75`, `p90`, `p99`,
    /// `p99.9`, `p99.99`; anything else is the maximum), in µs.
    pub fn by_name(&self, name: &str) -> u64 {
        match name {
            "p50" => self.p50_us,
            "p75" => self.p75_us,
            "p90" => self.p90_us,
            "p99" => self.p99_us,
            "p99.9" => self.p99_9_us,
            "p99.99" => self.p99_99_us,
            _ => self.max_us,
        }
    }
}

/// One second (or one interval) of a run, for timelines.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct IntervalStats {
    /// Start of the interval, seconds since the measured phase began.
    pub start_s: f64,
    /// Length of the interval in seconds.
    pub length_s: f64,
    /// Responses completed in the interval (successful or not).
    pub requests: u64,
    /// Requests that ended in an error in the interval.
    pub errors: u64,
    /// Median latency of the interval (corrected in the open model).
    pub p50_us: u64,
    /// 99th percentile latency of the interval.
    pub p99_us: u64,
    /// Largest latency of the interval.
    pub max_us: u64,
}

/// How far behind its schedule the generator sent requests (open model only).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ScheduleLag {
    /// Mean delay between a request's intended and actual send time.
    pub mean_us: f64,
    /// 99th percentile of that delay.
    pub p99_us: u64,
    /// Largest delay.
    pub max_us: u64,
    /// Requests the schedule meant to send during the measured phase that
    /// were never sent before the run's end: still waiting for a free
    /// connection (the server was behind: the latencies show its queue) or
    /// for the generator (then `p99_us` is high too). Part of the offered
    /// load, not of the latencies; 0 when everything due was sent.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub not_sent: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// What the generator itself consumed while measuring.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct GeneratorUsage {
    /// User CPU seconds of the Gauntlet process during the measured phase.
    pub cpu_user_s: f64,
    /// System CPU seconds of the Gauntlet process during the measured phase.
    pub cpu_sys_s: f64,
    /// Number of CPUs the generator was allowed to use.
    pub cpus_given: u32,
    /// (user + sys) / (elapsed × cpus_given): 1.0 means every given CPU was busy.
    pub cpu_utilization: f64,
    /// Worker threads the generator ran.
    pub threads: u32,
    /// Generator resident memory at the end of the run, in bytes.
    pub rss_bytes: u64,
}

/// Whether the figures may be limited by the generator rather than the target.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Saturation {
    /// True when any reason below applies; the figures are then a lower bound
    /// of what the target can do.
    pub generator_limited: bool,
    /// Human-readable reasons, e.g. "generator used 96% of 1 CPU".
    pub reasons: Vec<String>,
}

/// The outcome of one load run against one target: what `gauntlet bench`
/// writes with `--json`, and one repetition of a server run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(transform = super::json_schema::versioned)]
pub struct LoadReport {
    /// Layout version of this document ([`SCHEMA_VERSION`]).
    pub schema_version: u32,
    /// The Gauntlet build that measured.
    pub tool: ToolInfo,
    /// The command line as typed, argument by argument.
    pub command_line: Vec<String>,
    /// Start of the measured phase (after warmup), RFC 3339 UTC.
    pub started_at: String,
    /// Target URL (for a request mix, the base URL).
    pub target: String,
    /// HTTP version spoken: `HTTP/1.1` or `HTTP/2`.
    pub http_version: String,
    /// Open or closed model.
    pub model: LoadModel,
    /// Requested arrival rate in requests per second (open model; for stages, the peak).
    pub rate_rps: Option<f64>,
    /// Number of connections.
    pub connections: u32,
    /// Requests in flight per connection: the HTTP/1.1 pipelining depth or
    /// the HTTP/2 streams (1: one at a time, also for results that predate it).
    #[serde(default = "one")]
    pub in_flight_per_connection: u32,
    /// Requested duration of the measured phase, in seconds.
    pub duration_s: f64,
    /// Warmup before measuring, in seconds (not recorded in the histograms).
    pub warmup_s: f64,
    /// Measured phase as it actually lasted, in seconds.
    pub elapsed_s: f64,
    /// Requests that received a complete response (any status).
    pub requests: u64,
    /// Responses judged successful (2xx, or the status the request expects).
    pub successes: u64,
    /// Requests that failed, by kind (`connect`, `reset`, `timeout`, `malformed`,
    /// `bad_status_line`, `header_too_large`, `body_overflow`,
    /// `tls_on_plain_port`, `status`, `body_mismatch`).
    pub errors: BTreeMap<String, u64>,
    /// Response count by HTTP status code.
    pub status_codes: BTreeMap<u16, u64>,
    /// Completed requests per second over the measured phase.
    pub throughput_rps: f64,
    /// Latency from the intended send time to the last byte of the response
    /// (open model: coordinated-omission corrected; closed model: equals service time).
    pub latency: LatencyStats,
    /// Latency from the actual send to the last byte of the response.
    pub service_time: LatencyStats,
    /// True when `latency` is corrected for coordinated omission (open model).
    pub corrected: bool,
    /// Schedule lag (open model only).
    pub schedule_lag: Option<ScheduleLag>,
    /// The generator's own consumption.
    pub generator: GeneratorUsage,
    /// Whether the generator may have been the bottleneck.
    pub saturation: Saturation,
    /// Per-second timeline.
    pub intervals: Vec<IntervalStats>,
    /// True when the run was stopped early (Ctrl-C); the figures cover what ran.
    pub interrupted: bool,
    /// This run was one shard of a sharded plan (`bench --shard`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<super::ShardRecord>,
    /// This result was merged from shards (`gauntlet merge`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merged: Option<super::MergeRecord>,
}

/// One reading of the server's process tree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ResourceSample {
    /// Seconds since the load phase began (negative during idle/warmup).
    pub t_s: f64,
    /// Resident set size summed over the process tree.
    pub rss_bytes: u64,
    /// Cumulative user+sys CPU seconds of the process tree since spawn.
    pub cpu_s: f64,
    /// Threads summed over the process tree.
    pub threads: u32,
    /// Open file descriptors summed over the process tree.
    pub fds: u32,
    /// Processes in the tree.
    pub processes: u32,
}

/// What the server consumed during one repetition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ServerUsage {
    /// RSS after startup, before any load.
    pub idle_rss_bytes: u64,
    /// Largest RSS seen while the load ran.
    pub peak_rss_bytes: u64,
    /// Median RSS over the second half of the load phase.
    pub steady_rss_bytes: u64,
    /// Server CPU seconds (user+sys) spent during the measured phase.
    pub cpu_s: f64,
    /// Completed requests per server CPU-second: the efficiency figure
    /// (0 when `cpu_below_resolution`; read it through
    /// [`ServerUsage::requests_per_cpu`]).
    pub requests_per_cpu_s: f64,
    /// True when the server used too few CPU clock ticks in the window for
    /// `cpu_s` to be a figure (see docs/compare.md): requests per CPU-second
    /// is then "below resolution", not a number.
    #[serde(default)]
    pub cpu_below_resolution: bool,
    /// Most threads seen.
    pub peak_threads: u32,
    /// Most open file descriptors seen.
    pub peak_fds: u32,
    /// Sampling interval in milliseconds.
    pub sample_interval_ms: u64,
    /// The samples, in time order.
    pub timeline: Vec<ResourceSample>,
}

impl ServerUsage {
    /// Requests per CPU-second, or `None` when the CPU used was below the
    /// clock's resolution.
    pub fn requests_per_cpu(&self) -> Option<f64> {
        (!self.cpu_below_resolution).then_some(self.requests_per_cpu_s)
    }
}

/// Measurement of memory held per idle keep-alive connection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct IdleConnections {
    /// Connections asked for.
    pub requested: u32,
    /// Connections actually opened (each answered one request).
    pub opened: u32,
    /// Of those, connections the server still held open at the end of the
    /// hold (absent in results written before this was checked).
    #[serde(default)]
    pub held: Option<u32>,
    /// Server RSS before opening them.
    pub rss_before_bytes: u64,
    /// Server RSS with all of them open.
    pub rss_after_bytes: u64,
    /// (after - before) / held (before `held` was recorded: / opened).
    pub bytes_per_connection: f64,
}

impl IdleConnections {
    /// Connections the server held through the hold (`opened` for results
    /// written before this was checked).
    pub fn held_count(&self) -> u32 {
        self.held.unwrap_or(self.opened)
    }

    /// What fell short of the request, in words, e.g. "1000 requested,
    /// 200 held: the server closed 800"; `None` when every requested
    /// connection was held.
    pub fn shortfall(&self) -> Option<String> {
        let held = self.held_count();
        if held >= self.requested {
            return None;
        }
        let closed = self.opened.saturating_sub(held);
        let unopened = self.requested.saturating_sub(self.opened);
        let mut text = format!("{} requested", self.requested);
        if unopened > 0 {
            text.push_str(&format!(", {} opened", self.opened));
        }
        text.push_str(&format!(", {held} held"));
        let mut why = Vec::new();
        if closed > 0 {
            why.push(format!("the server closed {closed}"));
        }
        if unopened > 0 {
            why.push(format!("{unopened} could not be opened"));
        }
        text.push_str(&format!(": {}", why.join(" and ")));
        Some(text)
    }
}

/// Cold-start measurements: spawn to first correct response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct StartupStats {
    /// One figure per cold start, in milliseconds.
    pub samples_ms: Vec<f64>,
    /// Median of the samples.
    pub median_ms: f64,
    /// Smallest sample.
    pub min_ms: f64,
    /// Largest sample.
    pub max_ms: f64,
}

/// How the build of a server went.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct BuildInfo {
    /// Wall-clock seconds the build took (0 when cached).
    pub seconds: f64,
    /// True when an earlier build was reused.
    pub cached: bool,
}

/// Outcome of a whole server run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum RunStatus {
    /// Every repetition completed.
    Ok,
    /// The server crashed, exited or never became ready; what was measured
    /// before is kept.
    Failed {
        /// Why, in one line (e.g. "exited with signal 9 during repetition 2").
        reason: String,
        /// Exit status when the process ended, as the OS reported it.
        exit_status: Option<String>,
        /// The last lines the server wrote to stderr.
        stderr_tail: Vec<String>,
    },
    /// Stopped by the user (Ctrl-C); what was measured before is kept.
    Interrupted,
    /// Not run: toolchain missing or build failed.
    Skipped {
        /// Why it was not run.
        reason: String,
    },
}

/// A threshold from the scenario and whether this result met it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ThresholdOutcome {
    /// The threshold as written in the scenario, e.g. `p99 < "10ms"`.
    pub expression: String,
    /// Metric name, e.g. `p99`, `error_rate`, `rss_peak`.
    pub metric: String,
    /// The observed value in the metric's base unit (µs, ratio, bytes, req/s).
    pub observed: f64,
    /// The limit in the same unit.
    pub limit: f64,
    /// True when the observed value satisfied the threshold.
    pub passed: bool,
}

/// Machine and software the result came from; two results are comparable
/// only when these agree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(transform = super::json_schema::environment_aliases)]
pub struct Environment {
    /// Host name.
    pub hostname: String,
    /// CPU model name (brand string).
    pub cpu_model: String,
    /// Logical CPUs (hardware threads) the kernel runs on. Results written
    /// before this name call it `cpu_cores` (it always counted logical CPUs,
    /// not cores).
    #[serde(alias = "cpu_cores")]
    pub logical_cpus: u32,
    /// Physical cores, when the machine reports them (some VMs do not).
    #[serde(default)]
    pub physical_cores: Option<u32>,
    /// Kernel release (`uname -r`).
    pub kernel: String,
    /// Operating system description.
    pub os: String,
    /// Total memory in bytes.
    pub memory_bytes: u64,
    /// CPU frequency governor, when readable.
    pub cpu_governor: Option<String>,
    /// The Gauntlet build.
    pub tool: ToolInfo,
    /// Runtime versions by server name, from each manifest's version command.
    pub runtimes: BTreeMap<String, String>,
}

/// Which server a result concerns, from its manifest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ServerInfo {
    /// Server name, e.g. `rust-hyper` (the folder under reference-servers/).
    pub name: String,
    /// Language, e.g. `Rust`.
    pub language: String,
    /// Runtime, e.g. `tokio multi-thread + hyper 1`.
    pub runtime: String,
    /// The runtime's version as its version command printed it.
    pub runtime_version: String,
    /// The concurrency model in one line.
    pub concurrency_model: String,
    /// The server's tier from its manifest (`stdlib` in results written
    /// before tiers existed, when every server was one).
    #[serde(default)]
    pub tier: crate::servers::Tier,
}

/// Which scenario a result concerns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ScenarioInfo {
    /// Scenario name (from the file, or its file stem).
    pub name: String,
    /// The scenario file it came from.
    pub file: String,
    /// One-line description from the file.
    pub description: String,
}

/// One repetition of the load against a server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Repetition {
    /// 1-based repetition number.
    pub index: u32,
    /// What the generator measured.
    pub load: LoadReport,
    /// What the server consumed (absent when the server is not supervised,
    /// e.g. an external URL).
    pub server: Option<ServerUsage>,
    /// What bounded this repetition's throughput, with the utilisations that
    /// decided it (absent in results written before it was recorded, and
    /// when the server is not supervised).
    #[serde(default)]
    pub bound: Option<Bound>,
}

/// What bounded a repetition's throughput.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum BoundBy {
    /// The server's CPUs were busy: the figure is the server's.
    Server,
    /// The generator was busy or behind its schedule while the server was
    /// not: the figure is a lower bound of what the server can do.
    Generator,
    /// Neither was busy: the scenario's concurrency, think time or waits
    /// capped the throughput.
    Scenario,
    /// Neither was busy, but other programs held the server's CPUs (they
    /// were ≥ 90 % busy, ≥ 10 % of them not with the server): the figures
    /// say more about the machine than about the server.
    Contended,
}

/// The classification of one repetition and the figures behind it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Bound {
    /// Server, generator or scenario.
    pub by: BoundBy,
    /// Server CPU seconds over the measured window ÷ (window × server CPUs):
    /// 1.0 means every CPU the server was given was busy.
    pub server_utilization: f64,
    /// Number of CPUs the server was given (all online CPUs when unpinned).
    pub server_cpus: u32,
    /// Time the server's threads were runnable but waited for a CPU, over
    /// (window × server CPUs); absent when the kernel does not say.
    #[serde(default)]
    pub server_wait: Option<f64>,
    /// Time the busiest server thread per CPU was running or waiting for
    /// one, over (window × server CPUs): the share of its CPUs the server had
    /// work for; absent when the kernel does not say (or in older results).
    #[serde(default)]
    pub server_runnable: Option<f64>,
    /// Share of the server's CPUs busy with anything (the server or other
    /// programs) over the window; absent when unknown.
    #[serde(default)]
    pub cpus_busy: Option<f64>,
    /// The generator's CPU utilisation (see [`GeneratorUsage::cpu_utilization`]).
    pub generator_utilization: f64,
    /// True when the generator fell behind its schedule (open model).
    pub generator_behind: bool,
}

/// Everything measured for one scenario × server: one file
/// `results/<run-id>/<scenario>__<server>.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(transform = super::json_schema::versioned)]
pub struct ServerRunResult {
    /// Layout version of this document ([`SCHEMA_VERSION`]).
    pub schema_version: u32,
    /// The run this belongs to.
    pub run_id: String,
    /// The scenario.
    pub scenario: ScenarioInfo,
    /// The server.
    pub server: ServerInfo,
    /// Where it ran.
    pub environment: Environment,
    /// Ok, failed, interrupted or skipped.
    pub status: RunStatus,
    /// The build, when the server was built by this run.
    pub build: Option<BuildInfo>,
    /// Cold-start distribution.
    pub startup: Option<StartupStats>,
    /// Memory per idle connection, when the scenario asks for it.
    pub idle_connections: Option<IdleConnections>,
    /// The repetitions that completed (and the one that was cut short, if any).
    pub repetitions: Vec<Repetition>,
    /// Thresholds from the scenario and their outcome.
    pub thresholds: Vec<ThresholdOutcome>,
    /// CPUs the server was pinned to.
    pub server_cpus: Vec<usize>,
    /// CPUs the generator was pinned to.
    pub loadgen_cpus: Vec<usize>,
    /// The automatic warmup before the first repetition (absent with a fixed warmup).
    #[serde(default)]
    pub warmup: Option<super::WarmupRecord>,
    /// What a reader should know before trusting the figures.
    #[serde(default)]
    pub warnings: Vec<super::Warning>,
    /// The capacity search, for a scenario with `[capacity]` (then there are
    /// no repetitions).
    #[serde(default)]
    pub capacity: Option<super::CapacityResult>,
    /// The deployable footprint (bytes on disk a deployment needs), when
    /// the server's manifest lists it (`footprint`).
    #[serde(default)]
    pub footprint: Option<super::Footprint>,
    /// How the connection count was derived from the open-files limit, when
    /// the scenario asked for `"fd_limit"`.
    #[serde(default)]
    pub fd_limit: Option<super::FdLimitRecord>,
}

/// The index of one run: `results/<run-id>/manifest.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(transform = super::json_schema::versioned)]
pub struct RunManifest {
    /// Layout version of this document ([`SCHEMA_VERSION`]).
    pub schema_version: u32,
    /// Identifier of the run (also the folder name), e.g. `2026-11-22T21-57-03Z-quick`.
    pub run_id: String,
    /// When the run began, RFC 3339 UTC.
    pub started_at: String,
    /// When it ended (absent while running or after a crash).
    pub finished_at: Option<String>,
    /// The command line as typed.
    pub command_line: Vec<String>,
    /// Scenario files run.
    pub scenario_files: Vec<String>,
    /// Where it ran.
    pub environment: Environment,
    /// Result files written so far, relative to the run folder.
    pub results: Vec<String>,
    /// True when the run was interrupted before finishing.
    pub interrupted: bool,
}

fn one() -> u32 {
    1
}
