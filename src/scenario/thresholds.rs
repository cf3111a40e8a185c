//! Threshold expressions from scenarios (`p99 < 10ms`, `error_rate < 0.001`,
//! `rss_peak < 200MB`, `throughput > 5000`): parsing, and evaluation against a
//! server run's result. A failed threshold makes `gauntlet run` exit with 1.
//! It lives with the scenarios that declare thresholds; `merge --threshold`,
//! the capacity search's limit and the report's capacity chart reuse it.

use std::fmt;
use std::str::FromStr;

use crate::results::{ServerRunResult, ThresholdOutcome};

/// A metric a threshold can name, with the unit its limit is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    /// Latency percentile (corrected in the open model), in µs; the field name.
    Latency(&'static str),
    /// Failed requests / all requests.
    ErrorRate,
    /// Completed requests per second.
    Throughput,
    /// Peak server RSS, bytes.
    RssPeak,
    /// Idle server RSS, bytes.
    RssIdle,
    /// Completed requests per server CPU-second.
    RequestsPerCpuSecond,
    /// Median cold start, in µs.
    StartupMedian,
}

const METRICS: &[(&str, Metric)] = &[
    ("p50", Metric::Latency("p50")),
    ("p75", Metric::Latency("p75")),
    ("p90", Metric::Latency("p90")),
    ("p99", Metric::Latency("p99")),
    ("p99.9", Metric::Latency("p99.9")),
    ("p99_9", Metric::Latency("p99.9")),
    ("p99.99", Metric::Latency("p99.99")),
    ("max", Metric::Latency("max")),
    ("error_rate", Metric::ErrorRate),
    ("throughput", Metric::Throughput),
    ("rss_peak", Metric::RssPeak),
    ("rss_idle", Metric::RssIdle),
    ("requests_per_cpu_s", Metric::RequestsPerCpuSecond),
    ("startup", Metric::StartupMedian),
];

/// Comparison operator of a threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `<`
    Less,
    /// `<=`
    LessOrEqual,
    /// `>`
    Greater,
    /// `>=`
    GreaterOrEqual,
}

impl Op {
    /// True when `observed` satisfies `observed OP limit`.
    pub fn holds(self, observed: f64, limit: f64) -> bool {
        match self {
            Op::Less => observed < limit,
            Op::LessOrEqual => observed <= limit,
            Op::Greater => observed > limit,
            Op::GreaterOrEqual => observed >= limit,
        }
    }
}

/// A parsed threshold: metric, operator and limit in the metric's base unit
/// (µs for latency and startup, bytes for memory, a ratio for error rate).
#[derive(Debug, Clone, PartialEq)]
pub struct Threshold {
    /// The expression as written.
    pub expression: String,
    /// The metric's name as written.
    pub metric_name: String,
    /// The metric.
    pub metric: Metric,
    /// The operator.
    pub op: Op,
    /// The limit in base units.
    pub limit: f64,
}

/// Why a threshold expression could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid threshold {expression:?}: {reason}")]
pub struct ThresholdError {
    expression: String,
    reason: String,
}

fn metric_names() -> String {
    METRICS
        .iter()
        .map(|(name, _)| *name)
        .collect::<Vec<_>>()
        .join(", ")
}

impl FromStr for Threshold {
    type Err = ThresholdError;

    fn from_str(expression: &str) -> Result<Self, Self::Err> {
        let fail = |reason: String| ThresholdError {
            expression: expression.to_string(),
            reason,
        };
        let (pos, op, op_len) = ["<=", ">=", "<", ">"]
            .iter()
            .find_map(|sym| expression.find(sym).map(|pos| (pos, *sym, sym.len())))
            .ok_or_else(|| {
                fail("expected `METRIC < LIMIT` (or <=, >, >=), e.g. `p99 < 10ms`".into())
            })?;
        let op = match op {
            "<=" => Op::LessOrEqual,
            ">=" => Op::GreaterOrEqual,
            "<" => Op::Less,
            _ => Op::Greater,
        };
        let metric_name = expression[..pos].trim();
        let limit_text = expression[pos + op_len..].trim().trim_matches('"');
        let metric = METRICS
            .iter()
            .find(|(name, _)| *name == metric_name)
            .map(|(_, m)| *m)
            .ok_or_else(|| {
                fail(format!(
                    "unknown metric {metric_name:?}; known: {}",
                    metric_names()
                ))
            })?;
        let limit = match metric {
            Metric::Latency(_) | Metric::StartupMedian => humantime::parse_duration(limit_text)
                .map(|d| d.as_secs_f64() * 1e6)
                .map_err(|_| {
                    fail(format!(
                        "{limit_text:?} is not a duration like 10ms or 1.5s"
                    ))
                })?,
            Metric::RssPeak | Metric::RssIdle => parse_bytes(limit_text).ok_or_else(|| {
                fail(format!("{limit_text:?} is not a size like 200MB or 1.5GiB"))
            })?,
            Metric::ErrorRate | Metric::Throughput | Metric::RequestsPerCpuSecond => limit_text
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite() && *v >= 0.0)
                .ok_or_else(|| fail(format!("{limit_text:?} is not a non-negative number")))?,
        };
        Ok(Threshold {
            expression: expression.trim().to_string(),
            metric_name: metric_name.to_string(),
            metric,
            op,
            limit,
        })
    }
}

impl fmt::Display for Threshold {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.expression)
    }
}

/// Parses `200MB`, `1.5GiB`, `512KB`, `1000` (bytes). Decimal units are powers
/// of 1000, binary units (KiB, MiB, GiB) powers of 1024.
pub fn parse_bytes(text: &str) -> Option<f64> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let value: f64 = text[..split].parse().ok()?;
    let factor = match text[split..].trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "kb" | "k" => 1e3,
        "mb" | "m" => 1e6,
        "gb" | "g" => 1e9,
        "kib" => 1024.0,
        "mib" => 1024.0 * 1024.0,
        "gib" => 1024.0 * 1024.0 * 1024.0,
        _ => return None,
    };
    Some(value * factor)
}

impl Threshold {
    /// The observed value of the metric for a server run: the median over its
    /// repetitions. `None` when the run holds no such figure (e.g. memory of
    /// an unsupervised target), which counts as a failed threshold.
    pub fn observe(&self, result: &ServerRunResult) -> Option<f64> {
        let reps = &result.repetitions;
        let per_rep = |f: &dyn Fn(&crate::results::Repetition) -> Option<f64>| {
            let values: Vec<f64> = reps.iter().filter_map(f).collect();
            crate::stats::median(&values)
        };
        match self.metric {
            Metric::Latency(which) => per_rep(&|r| Some(r.load.latency.by_name(which) as f64)),
            // Failed ÷ attempted: a `status` error is a complete response,
            // counted once (as an error), not also as a request.
            Metric::ErrorRate => per_rep(&|r| Some(crate::scenario::errors::error_rate(&r.load))),
            Metric::Throughput => per_rep(&|r| Some(r.load.throughput_rps)),
            Metric::RssPeak => per_rep(&|r| r.server.as_ref().map(|s| s.peak_rss_bytes as f64)),
            Metric::RssIdle => per_rep(&|r| r.server.as_ref().map(|s| s.idle_rss_bytes as f64)),
            Metric::RequestsPerCpuSecond => {
                per_rep(&|r| r.server.as_ref().and_then(|s| s.requests_per_cpu()))
            }
            Metric::StartupMedian => result.startup.as_ref().map(|s| s.median_ms * 1000.0),
        }
    }

    /// Evaluates the threshold on a server run.
    pub fn evaluate(&self, result: &ServerRunResult) -> ThresholdOutcome {
        let observed = self.observe(result);
        ThresholdOutcome {
            expression: self.expression.clone(),
            metric: self.metric_name.clone(),
            observed: observed.unwrap_or(f64::NAN),
            limit: self.limit,
            passed: observed.is_some_and(|v| self.op.holds(v, self.limit)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_each_unit_kind() {
        let t: Threshold = "p99 < \"10ms\"".parse().unwrap();
        assert_eq!((t.op, t.limit), (Op::Less, 10_000.0));
        let t: Threshold = "rss_peak <= 200MB".parse().unwrap();
        assert_eq!((t.op, t.limit), (Op::LessOrEqual, 200e6));
        let t: Threshold = "error_rate < 0.001".parse().unwrap();
        assert_eq!(t.limit, 0.001);
        let t: Threshold = "throughput >= 5000".parse().unwrap();
        assert_eq!((t.op, t.limit), (Op::GreaterOrEqual, 5000.0));
    }

    #[test]
    fn bad_expressions_say_what_is_expected() {
        let err = "p98 < 1ms".parse::<Threshold>().unwrap_err().to_string();
        assert!(
            err.contains("unknown metric") && err.contains("p99"),
            "{err}"
        );
        let err = "p99 10ms".parse::<Threshold>().unwrap_err().to_string();
        assert!(err.contains("METRIC < LIMIT"), "{err}");
        let err = "p99 < ten".parse::<Threshold>().unwrap_err().to_string();
        assert!(err.contains("duration"), "{err}");
        let err = "rss_peak < 2 lots"
            .parse::<Threshold>()
            .unwrap_err()
            .to_string();
        assert!(err.contains("size"), "{err}");
    }

    #[test]
    fn byte_sizes_follow_decimal_and_binary_prefixes() {
        assert_eq!(parse_bytes("1.5GiB"), Some(1.5 * 1024.0 * 1024.0 * 1024.0));
        assert_eq!(parse_bytes("512 KB"), Some(512e3));
        assert_eq!(parse_bytes("12 parsecs"), None);
    }
}
