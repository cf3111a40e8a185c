//! The metrics a comparison looks at, where each one's samples come from in a
//! result file, which direction is better, and the options of a comparison
//! (per-metric noise thresholds, significance level, bootstrap settings).

use std::collections::BTreeMap;
use std::fmt;

use serde::{Serialize, Serializer};

use crate::results::ServerRunResult;

/// One compared figure. The samples are one value per repetition, except
/// startup, whose samples are the individual cold starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CompareMetric {
    /// Completed requests per second.
    Throughput,
    /// Median latency (corrected in the open model), µs.
    P50,
    /// 99th percentile latency, µs.
    P99,
    /// 99.9th percentile latency, µs.
    P99_9,
    /// Server RSS after startup, before load, bytes.
    RssIdle,
    /// Largest server RSS under load, bytes.
    RssPeak,
    /// Completed requests per server CPU-second.
    RequestsPerCpuSecond,
    /// Cold start, spawn to first correct response, ms.
    Startup,
}

impl CompareMetric {
    /// Every metric, in the order they are printed.
    pub const ALL: [CompareMetric; 8] = [
        CompareMetric::Throughput,
        CompareMetric::P50,
        CompareMetric::P99,
        CompareMetric::P99_9,
        CompareMetric::RssIdle,
        CompareMetric::RssPeak,
        CompareMetric::RequestsPerCpuSecond,
        CompareMetric::Startup,
    ];

    /// The name used on the command line and in JSON (the same names as
    /// scenario thresholds).
    pub fn name(self) -> &'static str {
        match self {
            CompareMetric::Throughput => "throughput",
            CompareMetric::P50 => "p50",
            CompareMetric::P99 => "p99",
            CompareMetric::P99_9 => "p99.9",
            CompareMetric::RssIdle => "rss_idle",
            CompareMetric::RssPeak => "rss_peak",
            CompareMetric::RequestsPerCpuSecond => "requests_per_cpu_s",
            CompareMetric::Startup => "startup",
        }
    }

    /// Looks a metric up by [`name`](Self::name) (`p99_9` is accepted for `p99.9`).
    pub fn from_name(name: &str) -> Option<Self> {
        let name = if name == "p99_9" { "p99.9" } else { name };
        Self::ALL.into_iter().find(|m| m.name() == name)
    }

    /// The names of every metric, comma-separated, for error messages.
    pub fn names() -> String {
        Self::ALL.map(Self::name).join(", ")
    }

    /// True when a larger value is better (throughput, efficiency); false
    /// for latency, memory and startup.
    pub fn higher_is_better(self) -> bool {
        matches!(
            self,
            CompareMetric::Throughput | CompareMetric::RequestsPerCpuSecond
        )
    }

    /// The unit of the samples.
    pub fn unit(self) -> &'static str {
        match self {
            CompareMetric::Throughput => "req/s",
            CompareMetric::P50 | CompareMetric::P99 | CompareMetric::P99_9 => "us",
            CompareMetric::RssIdle | CompareMetric::RssPeak => "bytes",
            CompareMetric::RequestsPerCpuSecond => "req/cpu-s",
            CompareMetric::Startup => "ms",
        }
    }

    /// The default noise threshold: relative changes smaller than this are
    /// "no change" whatever the test says. Chosen from how much each figure
    /// moves between identical runs on a shared machine over loopback: the
    /// tails move far more than the median, CPU accounting more than
    /// throughput (up to ±25 % between identical runs of a light server even
    /// with exact accounting: its CPU per request follows the machine's
    /// load; measured, see docs/compare.md), and idle memory barely at all.
    pub fn default_noise(self) -> f64 {
        match self {
            CompareMetric::Throughput => 0.05,
            CompareMetric::P50 => 0.10,
            CompareMetric::P99 => 0.20,
            CompareMetric::P99_9 => 0.30,
            CompareMetric::RssIdle => 0.05,
            CompareMetric::RssPeak => 0.10,
            CompareMetric::RequestsPerCpuSecond => 0.30,
            CompareMetric::Startup => 0.20,
        }
    }

    /// An absolute noise floor in the metric's unit: changes smaller than
    /// this are "no change" whatever their relative size. Startup has 20 ms
    /// (a spawn on a busy machine waits milliseconds for a CPU; identical
    /// runs of a 2 ms server had medians of 2.0 ms then 9.3 ms); memory has
    /// 1 MiB (a few pages of loader or allocator state moved a 2.1 MiB test
    /// server's idle RSS by 6 % between runs of the same binary).
    pub fn noise_floor(self) -> f64 {
        match self {
            CompareMetric::Startup => 20.0,
            CompareMetric::RssIdle | CompareMetric::RssPeak => 1024.0 * 1024.0,
            _ => 0.0,
        }
    }

    /// The samples of this metric in a server run: one per completed
    /// repetition (repetitions cut short by Ctrl-C are left out), or the
    /// cold-start samples for startup. Empty when the run has no such figure.
    pub fn samples(self, result: &ServerRunResult) -> Vec<f64> {
        let reps = result.repetitions.iter().filter(|r| !r.load.interrupted);
        match self {
            CompareMetric::Throughput => reps.map(|r| r.load.throughput_rps).collect(),
            CompareMetric::P50 => reps.map(|r| r.load.latency.p50_us as f64).collect(),
            CompareMetric::P99 => reps.map(|r| r.load.latency.p99_us as f64).collect(),
            CompareMetric::P99_9 => reps.map(|r| r.load.latency.p99_9_us as f64).collect(),
            CompareMetric::RssIdle => reps
                .filter_map(|r| r.server.as_ref().map(|s| s.idle_rss_bytes as f64))
                .collect(),
            CompareMetric::RssPeak => reps
                .filter_map(|r| r.server.as_ref().map(|s| s.peak_rss_bytes as f64))
                .collect(),
            // A repetition whose CPU was below the clock's resolution has
            // no figure: it is skipped, not compared as 0.
            CompareMetric::RequestsPerCpuSecond => reps
                .filter_map(|r| r.server.as_ref().and_then(|s| s.requests_per_cpu()))
                .collect(),
            CompareMetric::Startup => result
                .startup
                .as_ref()
                .map(|s| s.samples_ms.clone())
                .unwrap_or_default(),
        }
    }
}

/// Repetitions of `result` left out of requests per CPU-second because the
/// server's CPU in them was below the clock's resolution.
pub fn below_resolution(result: &ServerRunResult) -> usize {
    result
        .repetitions
        .iter()
        .filter(|r| !r.load.interrupted)
        .filter(|r| r.server.as_ref().is_some_and(|s| s.cpu_below_resolution))
        .count()
}

impl fmt::Display for CompareMetric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for CompareMetric {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

/// A bad `--noise` / `--noise-for` value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OptionError {
    /// `--noise-for` without `=`, or with an unknown metric.
    #[error("--noise-for {given:?}: expected METRIC=FRACTION, e.g. p99=0.10, with METRIC one of {known}")]
    NoiseFor {
        /// What was given.
        given: String,
        /// The known metric names.
        known: String,
    },
    /// A noise fraction outside [0, 1).
    #[error("{flag} {given:?}: expected a fraction between 0 and 1, e.g. 0.05 for 5 %")]
    Fraction {
        /// The flag concerned.
        flag: &'static str,
        /// What was given.
        given: String,
    },
}

/// How a comparison decides. `Default` gives the documented defaults.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CompareOptions {
    /// Noise threshold per metric, as a fraction (0.05 = 5 %): a change must
    /// be larger than this to be called improved or regressed.
    pub noise: BTreeMap<CompareMetric, f64>,
    /// Significance level of the Mann-Whitney U test.
    pub alpha: f64,
    /// Confidence level of the bootstrap interval of the ratio of medians.
    pub confidence: f64,
    /// Bootstrap resamples.
    pub resamples: usize,
    /// Seed of the bootstrap RNG (same seed, same intervals).
    pub seed: u64,
}

impl Default for CompareOptions {
    fn default() -> Self {
        CompareOptions {
            noise: CompareMetric::ALL
                .into_iter()
                .map(|m| (m, m.default_noise()))
                .collect(),
            alpha: 0.05,
            confidence: 0.95,
            resamples: 2000,
            seed: 0x6761_756e_746c_6574,
        }
    }
}

fn parse_fraction(flag: &'static str, text: &str) -> Result<f64, OptionError> {
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|v| (0.0..1.0).contains(v))
        .ok_or_else(|| OptionError::Fraction {
            flag,
            given: text.to_string(),
        })
}

impl CompareOptions {
    /// The defaults, with every metric's noise threshold set to `noise` when
    /// given, then the `METRIC=FRACTION` overrides applied in order.
    pub fn from_flags(noise: Option<f64>, noise_for: &[String]) -> Result<Self, OptionError> {
        let mut options = CompareOptions::default();
        if let Some(all) = noise {
            let all = parse_fraction("--noise", &all.to_string())?;
            for value in options.noise.values_mut() {
                *value = all;
            }
        }
        for item in noise_for {
            let bad = || OptionError::NoiseFor {
                given: item.clone(),
                known: CompareMetric::names(),
            };
            let (name, value) = item.split_once('=').ok_or_else(bad)?;
            let metric = CompareMetric::from_name(name.trim()).ok_or_else(bad)?;
            options
                .noise
                .insert(metric, parse_fraction("--noise-for", value)?);
        }
        Ok(options)
    }

    /// The noise threshold of `metric`.
    pub fn noise_for(&self, metric: CompareMetric) -> f64 {
        self.noise
            .get(&metric)
            .copied()
            .unwrap_or_else(|| metric.default_noise())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_directions_are_right() {
        for metric in CompareMetric::ALL {
            assert_eq!(CompareMetric::from_name(metric.name()), Some(metric));
        }
        assert_eq!(
            CompareMetric::from_name("p99_9"),
            Some(CompareMetric::P99_9)
        );
        assert!(CompareMetric::Throughput.higher_is_better());
        assert!(!CompareMetric::P99.higher_is_better());
        assert!(!CompareMetric::Startup.higher_is_better());
    }

    #[test]
    fn noise_flags_override_defaults_in_order() {
        let opts = CompareOptions::from_flags(None, &[]).unwrap();
        assert_eq!(opts.noise_for(CompareMetric::Throughput), 0.05);
        assert_eq!(opts.noise_for(CompareMetric::P99), 0.20);
        let opts = CompareOptions::from_flags(Some(0.03), &["p99=0.10".to_string()]).unwrap();
        assert_eq!(opts.noise_for(CompareMetric::Throughput), 0.03);
        assert_eq!(opts.noise_for(CompareMetric::P99), 0.10);
    }

    #[test]
    fn bad_noise_flags_name_the_flag_and_the_form() {
        let err = CompareOptions::from_flags(None, &["p98=0.1".into()])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("--noise-for") && err.contains("METRIC=FRACTION"),
            "{err}"
        );
        let err = CompareOptions::from_flags(Some(5.0), &[])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("--noise") && err.contains("between 0 and 1"),
            "{err}"
        );
    }
}
