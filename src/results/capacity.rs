//! The result of a capacity search (`[capacity]` in a scenario): every step
//! of the open-model ramp and bisection with the figures it was judged on,
//! the highest offered rate that held the SLO, the rates that bracket it and
//! how the search ended. Written into [`super::ServerRunResult::capacity`].

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Why a capacity search stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CapacityEnd {
    /// The bracket between the last passing and the first failing rate became
    /// narrower than `precision`.
    Converged,
    /// The start rate already broke the SLO: there is no capacity to report.
    StartRateFailed,
    /// `max_rate` held the SLO; the capacity is at least that.
    MaxRate,
    /// The next step would have ended after `time_limit`.
    TimeLimit,
    /// Stopped by Ctrl-C; the steps done are kept.
    Interrupted,
    /// The server exited or the load engine failed; the steps done are kept.
    Failed,
}

impl CapacityEnd {
    /// The snake_case name used in the JSON and in tables.
    pub fn as_str(self) -> &'static str {
        match self {
            CapacityEnd::Converged => "converged",
            CapacityEnd::StartRateFailed => "start_rate_failed",
            CapacityEnd::MaxRate => "max_rate",
            CapacityEnd::TimeLimit => "time_limit",
            CapacityEnd::Interrupted => "interrupted",
            CapacityEnd::Failed => "failed",
        }
    }
}

/// Whether a step belongs to the ramp (doubling) or the bisection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    /// Doubling from the start rate until the SLO breaks.
    Ramp,
    /// Halving the bracket between the last pass and the first failure.
    Bisect,
}

/// An SLO clause a step did not meet, with what was observed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ClauseMiss {
    /// The clause as written (`p99 < 10ms`), or `achieved >= 99% of offered`.
    pub clause: String,
    /// The observed value in the clause's base unit (µs for latency, a ratio
    /// for error_rate and for the achieved share of the offered rate).
    pub observed: f64,
}

/// One step of the search: the load offered at one rate, after an
/// unrecorded warmup at the same rate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CapacityStep {
    /// 1-based step number.
    pub index: u32,
    /// Ramp or bisection.
    pub kind: StepKind,
    /// Offered (scheduled) requests per second.
    pub offered_rps: f64,
    /// Successful responses per second over the measured step.
    pub achieved_rps: f64,
    /// Complete responses in the measured step (any status).
    pub requests: u64,
    /// Failed requests in the measured step (all kinds).
    pub errors: u64,
    /// errors / (requests + errors), as `error_rate` thresholds compute it.
    pub error_rate: f64,
    /// Median latency from the intended send time (coordinated-omission corrected).
    pub p50_us: u64,
    /// 90th percentile latency, corrected.
    pub p90_us: u64,
    /// 99th percentile latency, corrected.
    pub p99_us: u64,
    /// 99.9th percentile latency, corrected.
    pub p99_9_us: u64,
    /// Server CPU seconds (user+sys, whole process tree) during the measured step.
    pub server_cpu_s: Option<f64>,
    /// server_cpu_s / (elapsed × CPUs the server was given): 1.0 is every CPU busy.
    pub server_cpu_utilization: Option<f64>,
    /// The generator may have been the bottleneck in this step (its reasons
    /// are those of a load report's `saturation`).
    pub generator_limited: bool,
    /// Measured phase as it lasted, seconds.
    pub elapsed_s: f64,
    /// True when every SLO clause held.
    pub passed: bool,
    /// The clauses that did not hold (empty when passed).
    pub failed: Vec<ClauseMiss>,
}

/// A whole capacity search against one server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CapacityResult {
    /// The SLO clauses as written in the scenario.
    pub slo: Vec<String>,
    /// The share of the offered rate that must be achieved (always part of the SLO).
    pub min_achieved_ratio: f64,
    /// First rate tried, requests per second.
    pub start_rate_rps: f64,
    /// Highest rate the search may try.
    pub max_rate_rps: Option<f64>,
    /// Measured length of each step, seconds.
    pub step_duration_s: f64,
    /// Unrecorded load before each step, seconds.
    pub step_warmup_s: f64,
    /// Budget of the whole search, seconds.
    pub time_limit_s: f64,
    /// Bisection stops when (first fail − last pass) / last pass is below this.
    pub precision: f64,
    /// Every step, in the order run.
    pub steps: Vec<CapacityStep>,
    /// The highest offered rate that held the SLO (None when even the start rate failed).
    pub capacity_rps: Option<f64>,
    /// Lower end of the bracket: the highest passing rate (equals `capacity_rps`).
    pub last_pass_rps: Option<f64>,
    /// Upper end of the bracket: the lowest failing rate above the last pass.
    pub first_fail_rps: Option<f64>,
    /// How the search ended.
    pub ended_by: CapacityEnd,
    /// Wall-clock seconds the search took.
    pub elapsed_s: f64,
}
