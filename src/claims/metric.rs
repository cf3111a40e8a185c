//! The metrics a claim can name, in one table: each metric's name, unit and
//! where its per-repetition samples come from in a result file. A new figure
//! (capacity at an SLO, deployable footprint, idle connections held) is one
//! more row in [`METRICS`].

use crate::compare::CompareMetric;
use crate::results::{Repetition, ServerRunResult};

/// What kind of quantity a metric is, which decides how its bounds are
/// written in a predicate and how it is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Requests per second or per CPU-second: a plain number.
    Rate,
    /// A time, held in microseconds; written `800us`, `12ms`, `1.5s`.
    Time,
    /// Memory, held in bytes; written `50MB` (10^6), `48MiB` (2^20), `2KB`.
    Bytes,
    /// A share of requests, held as a fraction; written `0.01` or `1%`.
    Fraction,
    /// A ratio of two figures of the same kind; written `5`, `5x` or `0.8`.
    Ratio,
    /// A number of things (connections held); a plain number.
    Count,
}

impl Unit {
    /// How a bound of this kind is written, for error messages.
    pub fn example(self) -> &'static str {
        match self {
            Unit::Rate => "a number such as 5000",
            Unit::Time => "a time with its unit such as 800us, 12ms or 1.5s",
            Unit::Bytes => "a size with its unit such as 2KB, 50MB or 1.5GiB",
            Unit::Fraction => "a fraction such as 0.01 or a percentage such as 1%",
            Unit::Ratio => "a number such as 5, 5x or 0.8",
            Unit::Count => "a whole number such as 10000",
        }
    }
}

/// Where a metric's samples come from.
#[derive(Debug, Clone, Copy)]
pub enum Source {
    /// One of compare's per-repetition (or per-cold-start) metrics, scaled to
    /// this table's base unit.
    Compare(CompareMetric, f64),
    /// Failed requests / all requests attempted, per repetition.
    ErrorRate,
    /// The one idle-connection measurement of a server run.
    BytesPerIdleConnection,
    /// Idle connections the server still held at the end of the hold.
    IdleConnectionsHeld,
    /// The capacity search's bracket: the last passing and the first
    /// failing rate (one sample when the search found no failing rate).
    Capacity,
    /// The deployable footprint's bytes (when every entry was measured).
    Footprint,
}

/// One row of the metric table.
#[derive(Debug, Clone, Copy)]
pub struct MetricDef {
    /// The name written in predicates, e.g. `rss_peak`.
    pub name: &'static str,
    /// Its unit kind.
    pub unit: Unit,
    /// True when the figure depends on the load offered, so that a
    /// generator-limited repetition makes it a lower bound, not a measurement.
    pub load_bound: bool,
    /// True when a generator-limited figure is still a lower bound on the
    /// server's: more load could only raise it (throughput, capacity, peak
    /// RSS). Such a figure can still settle a claim that its lower bound
    /// already decides (an upper limit exceeded, a lower limit met); the
    /// others (latency, CPU efficiency, error rate) can move either way.
    pub limited_is_lower_bound: bool,
    /// Where the samples come from.
    pub source: Source,
    /// What the figure is, one line (claims/README.md lists these).
    pub meaning: &'static str,
}

/// Every metric a predicate may name.
pub const METRICS: &[MetricDef] = &[
    MetricDef {
        name: "throughput",
        unit: Unit::Rate,
        load_bound: true,
        limited_is_lower_bound: true,
        source: Source::Compare(CompareMetric::Throughput, 1.0),
        meaning: "completed requests per second, median over repetitions",
    },
    MetricDef {
        name: "p50",
        unit: Unit::Time,
        load_bound: true,
        limited_is_lower_bound: false,
        source: Source::Compare(CompareMetric::P50, 1.0),
        meaning: "median latency, median over repetitions",
    },
    MetricDef {
        name: "p99",
        unit: Unit::Time,
        load_bound: true,
        limited_is_lower_bound: false,
        source: Source::Compare(CompareMetric::P99, 1.0),
        meaning: "99th percentile latency, median over repetitions",
    },
    MetricDef {
        name: "p99.9",
        unit: Unit::Time,
        load_bound: true,
        limited_is_lower_bound: false,
        source: Source::Compare(CompareMetric::P99_9, 1.0),
        meaning: "99.9th percentile latency, median over repetitions",
    },
    MetricDef {
        name: "error_rate",
        unit: Unit::Fraction,
        load_bound: true,
        limited_is_lower_bound: false,
        source: Source::ErrorRate,
        meaning: "failed requests / requests attempted, median over repetitions",
    },
    MetricDef {
        name: "rss_idle",
        unit: Unit::Bytes,
        load_bound: false,
        limited_is_lower_bound: false,
        source: Source::Compare(CompareMetric::RssIdle, 1.0),
        meaning: "server RSS after startup, before load",
    },
    MetricDef {
        name: "rss_peak",
        unit: Unit::Bytes,
        load_bound: true,
        limited_is_lower_bound: true,
        source: Source::Compare(CompareMetric::RssPeak, 1.0),
        meaning: "largest server RSS (whole process tree) under load",
    },
    MetricDef {
        name: "requests_per_cpu_s",
        unit: Unit::Rate,
        load_bound: true,
        limited_is_lower_bound: false,
        source: Source::Compare(CompareMetric::RequestsPerCpuSecond, 1.0),
        meaning: "completed requests per server CPU-second, median over repetitions",
    },
    MetricDef {
        name: "startup",
        unit: Unit::Time,
        load_bound: false,
        limited_is_lower_bound: false,
        // Startup samples are in ms; the Time base unit is µs.
        source: Source::Compare(CompareMetric::Startup, 1000.0),
        meaning: "cold start, spawn to first correct response: median of the cold starts",
    },
    MetricDef {
        name: "bytes_per_idle_connection",
        unit: Unit::Bytes,
        load_bound: false,
        limited_is_lower_bound: false,
        source: Source::BytesPerIdleConnection,
        meaning: "server RSS added per held idle keep-alive connection (one measurement)",
    },
    MetricDef {
        name: "idle_connections_held",
        unit: Unit::Count,
        load_bound: false,
        limited_is_lower_bound: false,
        source: Source::IdleConnectionsHeld,
        meaning: "idle keep-alive connections the server still held at the end of the hold (one measurement)",
    },
    MetricDef {
        name: "capacity",
        unit: Unit::Rate,
        load_bound: true,
        limited_is_lower_bound: true,
        source: Source::Capacity,
        meaning: "highest offered rate (req/s) meeting the scenario's SLO: the capacity search's bracket, last passing to first failing rate",
    },
    MetricDef {
        name: "footprint",
        unit: Unit::Bytes,
        load_bound: false,
        limited_is_lower_bound: false,
        source: Source::Footprint,
        meaning: "deployable footprint: bytes on disk of what the manifest's `footprint` lists (binary, or runtime + application + dependencies)",
    },
];

/// Why a capacity figure is not a plain measurement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CapacityLimit {
    /// No capacity was found: nothing to judge.
    Unusable(String),
    /// The bracket is a lower bound on the server's capacity.
    LowerBound(String),
}

/// The metric called `name`, if any.
pub fn find(name: &str) -> Option<&'static MetricDef> {
    METRICS.iter().find(|m| m.name == name)
}

/// Every metric name, comma-separated, for error messages.
pub fn names() -> String {
    METRICS
        .iter()
        .map(|m| m.name)
        .collect::<Vec<_>>()
        .join(", ")
}

fn error_rate(r: &Repetition) -> f64 {
    let errors: u64 = r.load.errors.values().sum();
    let total = r.load.requests + errors;
    if total == 0 {
        0.0
    } else {
        errors as f64 / total as f64
    }
}

impl MetricDef {
    /// The samples of this metric in a server run, in the base unit: one per
    /// completed repetition, or one per cold start for `startup`, or the one
    /// idle-connection figure. Empty when the run holds no such figure.
    pub fn samples(&self, result: &ServerRunResult) -> Vec<f64> {
        match self.source {
            Source::Compare(metric, scale) => metric
                .samples(result)
                .into_iter()
                .map(|v| v * scale)
                .collect(),
            Source::ErrorRate => result
                .repetitions
                .iter()
                .filter(|r| !r.load.interrupted)
                .map(error_rate)
                .collect(),
            Source::BytesPerIdleConnection => result
                .idle_connections
                .iter()
                .filter(|i| i.opened > 0)
                .map(|i| i.bytes_per_connection)
                .collect(),
            Source::IdleConnectionsHeld => result
                .idle_connections
                .iter()
                .filter(|i| i.opened > 0)
                .map(|i| f64::from(i.held_count()))
                .collect(),
            Source::Capacity => match &result.capacity {
                Some(c) => match (c.last_pass_rps, c.first_fail_rps) {
                    (Some(pass), Some(fail)) => vec![pass, fail],
                    (Some(pass), None) => vec![pass],
                    _ => Vec::new(),
                },
                None => Vec::new(),
            },
            Source::Footprint => result
                .footprint
                .iter()
                .filter(|f| f.complete)
                .map(|f| f.bytes as f64)
                .collect(),
        }
    }

    /// For a capacity figure: why it cannot be used as measured, if so.
    /// [`CapacityLimit::Unusable`] when no capacity was found;
    /// [`CapacityLimit::LowerBound`] when a failing step was generator-limited,
    /// so the server's capacity may lie above the bracket (never below its
    /// last passing rate).
    pub fn capacity_limited(&self, result: &ServerRunResult) -> Option<CapacityLimit> {
        if !matches!(self.source, Source::Capacity) {
            return None;
        }
        let c = result.capacity.as_ref()?;
        if c.capacity_rps.is_none() {
            return Some(CapacityLimit::Unusable(format!(
                "no capacity: the search ended by {} (even {:.0} req/s broke the SLO {})",
                c.ended_by.as_str(),
                c.start_rate_rps,
                c.slo.join(", ")
            )));
        }
        let limited: Vec<String> = c
            .steps
            .iter()
            .filter(|s| !s.passed && s.generator_limited)
            .map(|s| format!("{:.0} req/s", s.offered_rps))
            .collect();
        (!limited.is_empty()).then(|| {
            CapacityLimit::LowerBound(format!(
                "the capacity search's failing steps were generator-limited at {} (the capacity may be the generator's: a lower bound)",
                limited.join(", ")
            ))
        })
    }

    /// The repetitions this metric's samples come from (for the
    /// generator-limited check): every completed one when the metric is
    /// load-bound, none otherwise.
    pub fn repetitions_used<'a>(&self, result: &'a ServerRunResult) -> Vec<&'a Repetition> {
        if !self.load_bound {
            return Vec::new();
        }
        result
            .repetitions
            .iter()
            .filter(|r| !r.load.interrupted)
            .collect()
    }
}
