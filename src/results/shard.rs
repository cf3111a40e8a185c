//! What a sharded load run adds to a [`super::LoadReport`]: each shard's
//! [`ShardRecord`] (its index, the plan's fingerprint, its start and its
//! interval histograms on absolute time), and the [`MergeRecord`] that
//! `gauntlet merge` writes into the merged result (one [`ShardRow`] per shard).
//!
//! Histograms are V2-deflate base64 like [`super::LatencyStats::histogram`],
//! so a shard file's size depends on the range of latencies and the run's
//! length in seconds, never on its number of requests.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One shard's part of a sharded run (`gauntlet bench --shard INDEX/COUNT`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ShardRecord {
    /// 0-based index of this shard.
    pub index: u32,
    /// Number of shards the plan was split into.
    pub count: u32,
    /// Hash of the whole plan (target, model, rate, connections, duration,
    /// warmup, timeout, request mix, protocol, shard count), hex: shards of one
    /// plan carry the same fingerprint.
    pub plan_fingerprint: String,
    /// The whole plan's arrival rate (open model), before splitting.
    pub plan_rate_rps: Option<f64>,
    /// The whole plan's connections, before splitting.
    pub plan_connections: u32,
    /// The `--start-at` instant every shard waited for (RFC 3339), if given.
    pub start_at: Option<String>,
    /// Host name of the machine (or pod) that ran the shard.
    pub host: String,
    /// Start of this shard's measured phase, Unix seconds.
    pub measure_started_unix_s: f64,
    /// Schedule-lag histogram (open model), so the merge is exact for it too.
    pub lag_histogram: Option<String>,
    /// Per-second latency histograms of the measured phase, on absolute time.
    pub intervals: Vec<ShardInterval>,
}

/// One interval of one shard, with its whole histogram.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ShardInterval {
    /// Start of the interval, Unix seconds.
    pub start_unix_s: f64,
    /// Length in seconds (1, the last one possibly shorter).
    pub length_s: f64,
    /// Responses completed in the interval.
    pub requests: u64,
    /// Errors in the interval.
    pub errors: u64,
    /// Latency histogram of the interval (µs), V2-deflate base64.
    pub histogram: String,
}

/// What `gauntlet merge` records in a merged result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MergeRecord {
    /// The plan fingerprint every shard carried.
    pub plan_fingerprint: String,
    /// Number of shards merged.
    pub count: u32,
    /// The common `--start-at` instant, if the shards were given one.
    pub start_at: Option<String>,
    /// One row per shard, by index.
    pub shards: Vec<ShardRow>,
}

/// One shard as the merged result shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ShardRow {
    /// Shard index.
    pub index: u32,
    /// The file it was read from.
    pub source: String,
    /// Host that ran it.
    pub host: String,
    /// Its planned rate (open model).
    pub rate_rps: Option<f64>,
    /// Its connections.
    pub connections: u32,
    /// Requests it completed.
    pub requests: u64,
    /// Errors it saw.
    pub errors: u64,
    /// Its achieved throughput.
    pub throughput_rps: f64,
    /// Its generator CPU seconds (user + sys).
    pub cpu_s: f64,
    /// Its generator CPU utilisation.
    pub cpu_utilization: f64,
    /// Its measured phase began this long after the earliest shard's, ms.
    pub start_skew_ms: f64,
    /// True when its generator may have limited the figures.
    pub generator_limited: bool,
}
