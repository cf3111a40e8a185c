//! The verdict on one metric: from the baseline's and the current run's
//! samples to improved / regressed / no change / not enough samples.
//!
//! A change is called only when three things hold at once: the Mann-Whitney
//! U test rejects "same distribution" at `alpha`, the whole bootstrap
//! interval of the ratio of medians lies beyond half the noise threshold
//! (on the same side of 1), and the change of the medians is larger than the
//! metric's noise threshold. Anything less is "no change". When the sample
//! sizes make significance impossible, "no change" is said only when every
//! current sample is within the noise threshold of every baseline sample;
//! otherwise the verdict says how many samples are needed instead of
//! guessing.

use serde::Serialize;

use super::metrics::{CompareMetric, CompareOptions};
use crate::stats;

/// The verdict on one metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Verdict {
    /// Significantly better, by more than the noise threshold.
    Improved,
    /// Significantly worse, by more than the noise threshold.
    Regressed,
    /// Not significantly different, or different by less than the noise threshold.
    NoChange,
    /// Too few samples for the test to ever reach significance.
    NotEnoughSamples {
        /// Samples needed in each run (e.g. repetitions).
        needed: usize,
    },
}

impl Verdict {
    /// A short label for tables.
    pub fn label(self) -> String {
        match self {
            Verdict::Improved => "improved".into(),
            Verdict::Regressed => "regressed".into(),
            Verdict::NoChange => "no change".into(),
            Verdict::NotEnoughSamples { needed } => {
                format!("not enough samples (need >= {needed} per run)")
            }
        }
    }
}

/// The comparison of one metric of one scenario × server.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetricComparison {
    /// Which metric.
    pub metric: CompareMetric,
    /// Unit of the samples and medians.
    pub unit: &'static str,
    /// True when larger values are better.
    pub higher_is_better: bool,
    /// The baseline's samples.
    pub baseline_samples: Vec<f64>,
    /// The current run's samples.
    pub current_samples: Vec<f64>,
    /// Median of the baseline's samples.
    pub baseline_median: Option<f64>,
    /// Median of the current run's samples.
    pub current_median: Option<f64>,
    /// current median / baseline median - 1 (0.10 = 10 % larger).
    pub change: Option<f64>,
    /// Lower bound of the bootstrap interval of the ratio of medians.
    pub ratio_ci_low: Option<f64>,
    /// Upper bound of that interval.
    pub ratio_ci_high: Option<f64>,
    /// Two-sided p-value of the Mann-Whitney U test.
    pub p_value: Option<f64>,
    /// True when the p-value is exact (permutation distribution).
    pub exact: bool,
    /// The noise threshold applied, as a fraction: the metric's threshold,
    /// or its absolute floor relative to the baseline median when larger.
    pub noise: f64,
    /// The verdict.
    #[serde(flatten)]
    pub verdict: Verdict,
}

/// Fewest samples per run with which [`compare_samples`] may show "no change"
/// without the test: every ratio current / baseline over all pairs of samples
/// lies within the noise.
pub const MIN_SAMPLES_FOR_EQUIVALENCE: usize = 3;

/// True when both runs have at least [`MIN_SAMPLES_FOR_EQUIVALENCE`] samples
/// and every ratio current / baseline over all pairs of samples lies within
/// 1 ± `noise`.
fn within_noise_pairwise(baseline: &[f64], current: &[f64], noise: f64) -> bool {
    if baseline.len() < MIN_SAMPLES_FOR_EQUIVALENCE || current.len() < MIN_SAMPLES_FOR_EQUIVALENCE {
        return false;
    }
    let min = |v: &[f64]| v.iter().copied().fold(f64::INFINITY, f64::min);
    let max = |v: &[f64]| v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let (base_low, base_high) = (min(baseline), max(baseline));
    if base_low <= 0.0 {
        // Ratios are undefined; only identical samples are no change.
        return base_low == base_high && min(current) == base_low && max(current) == base_high;
    }
    max(current) / base_low <= 1.0 + noise && min(current) / base_high >= 1.0 - noise
}

/// Compares the samples of one metric.
pub fn compare_samples(
    metric: CompareMetric,
    baseline: &[f64],
    current: &[f64],
    opts: &CompareOptions,
) -> MetricComparison {
    let baseline_median = stats::median(baseline);
    let current_median = stats::median(current);
    // A metric with an absolute noise floor (startup) gets the larger of the
    // relative threshold and the floor relative to the baseline's median.
    let noise = match baseline_median {
        Some(b) if b > 0.0 => opts.noise_for(metric).max(metric.noise_floor() / b),
        _ => opts.noise_for(metric),
    };
    let change = match (baseline_median, current_median) {
        (Some(b), Some(c)) if b != 0.0 => Some(c / b - 1.0),
        (Some(b), Some(c)) if b == c => Some(0.0),
        _ => None,
    };
    let test = stats::mann_whitney(baseline, current);
    let ci = stats::bootstrap_ratio_ci(
        baseline,
        current,
        opts.resamples,
        opts.confidence,
        opts.seed ^ metric as u64,
    );
    let enough = stats::smallest_p_value(baseline.len(), current.len()) < opts.alpha;
    let verdict = if !enough {
        // The test cannot detect anything at this size, but "no change" can
        // still be shown positively: every current sample lies within the
        // noise threshold of every baseline sample.
        if within_noise_pairwise(baseline, current, noise) {
            Verdict::NoChange
        } else {
            Verdict::NotEnoughSamples {
                needed: stats::samples_needed(opts.alpha),
            }
        }
    } else {
        let significant = test.is_some_and(|t| t.p_value < opts.alpha);
        // The whole interval must sit beyond half the noise threshold: with
        // 5 repetitions this cuts the false alarms of identical code at 5 %
        // noise roughly tenfold for a small loss of power (docs/compare.md).
        let margin = noise / 2.0;
        let ci_clear = ci.map_or(true, |i| i.low > 1.0 + margin || i.high < 1.0 - margin);
        match change {
            Some(change) if significant && ci_clear && change.abs() > noise => {
                let better = (change > 0.0) == metric.higher_is_better();
                if better {
                    Verdict::Improved
                } else {
                    Verdict::Regressed
                }
            }
            _ => Verdict::NoChange,
        }
    };
    MetricComparison {
        metric,
        unit: metric.unit(),
        higher_is_better: metric.higher_is_better(),
        baseline_samples: baseline.to_vec(),
        current_samples: current.to_vec(),
        baseline_median,
        current_median,
        change,
        ratio_ci_low: ci.map(|i| i.low),
        ratio_ci_high: ci.map(|i| i.high),
        p_value: test.map(|t| t.p_value),
        exact: test.is_some_and(|t| t.exact),
        noise,
        verdict,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::StdRng;
    use rand::SeedableRng;
    use rand_distr::{Distribution, Normal};

    /// `n` samples around `center` with a relative standard deviation `cv`.
    fn noisy(center: f64, cv: f64, n: usize, seed: u64) -> Vec<f64> {
        let mut rng = StdRng::seed_from_u64(seed);
        let normal = Normal::new(center, center * cv).expect("valid normal");
        (0..n).map(|_| normal.sample(&mut rng)).collect()
    }

    #[test]
    fn the_same_samples_are_no_change() {
        let opts = CompareOptions::default();
        for metric in CompareMetric::ALL {
            let samples = noisy(10_000.0, 0.03, 5, 1);
            let cmp = compare_samples(metric, &samples, &samples, &opts);
            assert_eq!(cmp.verdict, Verdict::NoChange, "{metric}");
            assert_eq!(cmp.change, Some(0.0));
        }
    }

    #[test]
    fn a_ten_percent_slowdown_with_realistic_noise_is_regressed() {
        let opts = CompareOptions::default();
        // Throughput with 2 % run-to-run noise, 5 repetitions: the common
        // spread of a loopback closed-model run. Try many seeds so that the
        // test does not pass by luck of one draw.
        let mut flagged = 0;
        for seed in 0..50 {
            let base = noisy(20_000.0, 0.02, 5, seed);
            let slow = noisy(18_000.0, 0.02, 5, seed + 1000);
            let cmp = compare_samples(CompareMetric::Throughput, &base, &slow, &opts);
            assert_ne!(cmp.verdict, Verdict::Improved);
            if cmp.verdict == Verdict::Regressed {
                flagged += 1;
            }
            // The same slowdown seen as latency: p50 up by 11 %.
            let base = noisy(3_000.0, 0.02, 5, seed + 2000);
            let slow = noisy(3_333.0, 0.02, 5, seed + 3000);
            let cmp = compare_samples(CompareMetric::P50, &base, &slow, &opts);
            assert_ne!(cmp.verdict, Verdict::Improved);
        }
        assert!(flagged >= 48, "only {flagged}/50 slowdowns flagged");
    }

    #[test]
    fn two_runs_of_identical_code_are_rarely_called_different() {
        // Same distribution, 5 % noise on throughput (more than a quiet
        // machine shows): the test alone is significant in about 5 % of
        // pairs; the effect conditions must keep false alarms near zero.
        let opts = CompareOptions::default();
        let mut called = 0;
        for seed in 0..200 {
            let a = noisy(20_000.0, 0.05, 5, seed);
            let b = noisy(20_000.0, 0.05, 5, seed + 10_000);
            let cmp = compare_samples(CompareMetric::Throughput, &a, &b, &opts);
            if cmp.verdict != Verdict::NoChange {
                called += 1;
            }
        }
        assert!(called <= 2, "{called}/200 identical pairs called different");
    }

    #[test]
    fn a_small_but_consistent_shift_within_noise_is_no_change() {
        // 3 % lower in every repetition: significant, but within the 5 %
        // noise threshold of throughput.
        let base = [1000.0, 1001.0, 1002.0, 1003.0, 1004.0];
        let cur: Vec<f64> = base.iter().map(|v| v * 0.97).collect();
        let cmp = compare_samples(
            CompareMetric::Throughput,
            &base,
            &cur,
            &CompareOptions::default(),
        );
        assert!(cmp.p_value.unwrap() < 0.05);
        assert_eq!(cmp.verdict, Verdict::NoChange);
    }

    #[test]
    fn startup_changes_of_a_few_milliseconds_stay_within_its_floor() {
        // Measured between identical runs of a 2 ms server on a loaded
        // machine: 2 ms then 6-9 ms. Relative change huge, absolute small.
        let opts = CompareOptions::default();
        let base = [2.0, 2.1, 1.9, 2.0, 2.2];
        let cur = [6.0, 9.0, 7.0, 8.0, 6.5];
        let cmp = compare_samples(CompareMetric::Startup, &base, &cur, &opts);
        assert_eq!(cmp.verdict, Verdict::NoChange);
        // A JVM-sized start that gets 50 % slower is still flagged.
        let base = [500.0, 510.0, 490.0, 505.0, 495.0];
        let cur: Vec<f64> = base.iter().map(|v| v * 1.5).collect();
        let cmp = compare_samples(CompareMetric::Startup, &base, &cur, &opts);
        assert_eq!(cmp.verdict, Verdict::Regressed);
    }

    #[test]
    fn memory_moves_below_one_mebibyte_stay_within_its_floor() {
        let opts = CompareOptions::default();
        let mib = 1024.0 * 1024.0;
        let small: Vec<f64> = [2.10, 2.11, 2.10, 2.12, 2.10]
            .iter()
            .map(|v| v * mib)
            .collect();
        let grown: Vec<f64> = small.iter().map(|v| v * 1.06).collect();
        let cmp = compare_samples(CompareMetric::RssIdle, &small, &grown, &opts);
        assert_eq!(cmp.verdict, Verdict::NoChange);
        let big: Vec<f64> = small.iter().map(|v| v * 50.0).collect();
        let bigger: Vec<f64> = big.iter().map(|v| v * 1.2).collect();
        let cmp = compare_samples(CompareMetric::RssPeak, &big, &bigger, &opts);
        assert_eq!(cmp.verdict, Verdict::Regressed);
    }

    #[test]
    fn improvement_respects_direction() {
        let opts = CompareOptions::default();
        let base = [100.0, 101.0, 102.0, 103.0, 104.0];
        let lower: Vec<f64> = base.iter().map(|v| v * 0.5).collect();
        let p99 = compare_samples(CompareMetric::P99, &base, &lower, &opts);
        assert_eq!(p99.verdict, Verdict::Improved);
        let tput = compare_samples(CompareMetric::Throughput, &base, &lower, &opts);
        assert_eq!(tput.verdict, Verdict::Regressed);
    }

    #[test]
    fn too_few_samples_are_said_so_not_guessed() {
        let opts = CompareOptions::default();
        // Even a 50 % drop over 3 repetitions each cannot be significant at 5 %.
        let cmp = compare_samples(
            CompareMetric::Throughput,
            &[100.0, 101.0, 102.0],
            &[50.0, 51.0, 52.0],
            &opts,
        );
        assert_eq!(cmp.verdict, Verdict::NotEnoughSamples { needed: 4 });
        assert!(cmp.verdict.label().contains("need >= 4"));
        let none = compare_samples(CompareMetric::Startup, &[], &[5.0; 5], &opts);
        assert!(matches!(none.verdict, Verdict::NotEnoughSamples { .. }));
        // An 8 % spread is not within throughput's 5 % pairwise either.
        let spread = compare_samples(
            CompareMetric::Throughput,
            &[100.0, 104.0, 108.0],
            &[99.0, 103.0, 107.0],
            &opts,
        );
        assert_eq!(spread.verdict, Verdict::NotEnoughSamples { needed: 4 });
    }

    #[test]
    fn three_samples_all_within_noise_of_each_other_are_no_change() {
        let opts = CompareOptions::default();
        let cmp = compare_samples(
            CompareMetric::Throughput,
            &[100.0, 101.0, 102.0],
            &[99.0, 100.5, 101.5],
            &opts,
        );
        assert_eq!(cmp.verdict, Verdict::NoChange);
        let two = compare_samples(CompareMetric::Throughput, &[100.0; 2], &[100.0; 2], &opts);
        assert!(matches!(two.verdict, Verdict::NotEnoughSamples { .. }));
    }
}
