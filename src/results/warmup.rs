//! What a server's warmup did, as recorded in its result: an automatic
//! warmup (`warmup = "auto"`, the default) runs once per server before the
//! first repetition until the throughput of its last few one-second windows
//! is stable, or until its cap; [`WarmupRecord`] keeps how long that took,
//! every window's throughput and whether it ended stable or capped. A fixed
//! warmup is not recorded here: it is each repetition's `load.warmup_s`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// How the warmup was decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum WarmupMode {
    /// Load until the throughput is stable (or the cap), once per server.
    Auto,
}

/// The automatic warmup of one server, before its first repetition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct WarmupRecord {
    /// How it was decided.
    pub mode: WarmupMode,
    /// Seconds of load it took (to steady state, the cap, or Ctrl-C).
    pub seconds: f64,
    /// True when the last `windows` windows were stable (coefficient of
    /// variation of their throughput under `cv_limit`).
    pub stable: bool,
    /// True when it ran for `max_s` without becoming stable: the repetitions
    /// may still be warming up.
    pub capped: bool,
    /// Throughput of every one-second window, requests per second, in order.
    pub window_rps: Vec<f64>,
    /// Coefficient of variation (sample standard deviation / mean) of the
    /// last `windows` windows when it ended (`None`: fewer windows than that).
    pub last_cv: Option<f64>,
    /// The cap, seconds (`warmup_max`).
    pub max_s: f64,
    /// The stability limit (`warmup_cv`).
    pub cv_limit: f64,
    /// How many consecutive windows had to be stable (`warmup_windows`).
    pub windows: u32,
    /// The short fixed warmup each repetition still got (connections are new
    /// in every repetition), seconds.
    pub repetition_warmup_s: f64,
}
