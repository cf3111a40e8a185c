//! The statistics behind a verdict: medians, the Mann-Whitney U test (exact
//! permutation distribution for small samples, ties handled with midranks;
//! normal approximation with tie correction beyond that), and a seeded
//! bootstrap confidence interval of the ratio of medians.
//!
//! Everything here is a pure function of its inputs and seed, so a
//! comparison of the same files always prints the same figures.
//!
//! Crate-level because every layer takes its medians from here: the
//! supervisor (startup), scenario (bounds, the run table), results
//! (warnings), report, claims and compare.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Above this many pooled samples the exact distribution is replaced by the
/// normal approximation (the exact one costs O(N² · n) here).
const EXACT_LIMIT: usize = 60;

/// Median of `values` (mean of the two middle values for an even count);
/// `None` when empty. The one median of Gauntlet: the table of `gauntlet
/// run`, threshold observations, cold-start statistics, the report and the
/// verdicts of `gauntlet compare` all use it, so they agree on a figure.
pub fn median(values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    Some(if sorted.len() % 2 == 0 {
        (sorted[mid - 1] + sorted[mid]) / 2.0
    } else {
        sorted[mid]
    })
}

/// Outcome of a two-sided Mann-Whitney U test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MannWhitney {
    /// U statistic of the first sample.
    pub u: f64,
    /// Two-sided p-value: the probability, if both samples came from the same
    /// distribution, of a rank sum at least this far from its expectation.
    pub p_value: f64,
    /// True when the p-value comes from the exact permutation distribution.
    pub exact: bool,
}

/// Midranks (1-based, ties share the mean of their ranks) of `pooled`.
fn midranks(pooled: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..pooled.len()).collect();
    order.sort_by(|&i, &j| pooled[i].total_cmp(&pooled[j]));
    let mut ranks = vec![0.0; pooled.len()];
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && pooled[order[end]] == pooled[order[start]] {
            end += 1;
        }
        // Positions start..end (0-based) share ranks start+1..=end.
        let rank = (start + 1 + end) as f64 / 2.0;
        for &index in &order[start..end] {
            ranks[index] = rank;
        }
        start = end;
    }
    ranks
}

/// Two-sided Mann-Whitney U test of `a` against `b`. Returns `None` when
/// either sample is empty.
pub fn mann_whitney(a: &[f64], b: &[f64]) -> Option<MannWhitney> {
    let (n, m) = (a.len(), b.len());
    if n == 0 || m == 0 {
        return None;
    }
    let pooled: Vec<f64> = a.iter().chain(b).copied().collect();
    let ranks = midranks(&pooled);
    let rank_sum_a: f64 = ranks[..n].iter().sum();
    let u = rank_sum_a - (n * (n + 1)) as f64 / 2.0;
    let total = n + m;
    let expected = n as f64 * (total + 1) as f64 / 2.0;
    let distance = (rank_sum_a - expected).abs();
    if total <= EXACT_LIMIT {
        // Doubled midranks are integers, so the rank sum of every subset of
        // size n can be counted exactly with a subset-sum table.
        let doubled: Vec<usize> = ranks.iter().map(|r| (r * 2.0).round() as usize).collect();
        let max_sum: usize = doubled.iter().sum();
        // ways[k][s]: number of k-element subsets with doubled rank sum s.
        let mut ways = vec![vec![0f64; max_sum + 1]; n + 1];
        ways[0][0] = 1.0;
        for &r in &doubled {
            for k in (1..=n).rev() {
                let (lower, upper) = ways.split_at_mut(k);
                let prev = &lower[k - 1];
                let row = &mut upper[0];
                for s in (r..=max_sum).rev() {
                    if prev[s - r] > 0.0 {
                        row[s] += prev[s - r];
                    }
                }
            }
        }
        let all: f64 = ways[n].iter().sum();
        let extreme: f64 = ways[n]
            .iter()
            .enumerate()
            .filter(|(s, _)| (*s as f64 / 2.0 - expected).abs() >= distance - 1e-9)
            .map(|(_, w)| *w)
            .sum();
        return Some(MannWhitney {
            u,
            p_value: (extreme / all).min(1.0),
            exact: true,
        });
    }
    // Normal approximation with tie correction and continuity correction.
    let mut sorted = pooled.clone();
    sorted.sort_by(f64::total_cmp);
    let mut tie_term = 0.0;
    let mut i = 0;
    while i < sorted.len() {
        let mut j = i + 1;
        while j < sorted.len() && sorted[j] == sorted[i] {
            j += 1;
        }
        let t = (j - i) as f64;
        tie_term += t * t * t - t;
        i = j;
    }
    let (nf, mf, tf) = (n as f64, m as f64, total as f64);
    let variance = nf * mf / 12.0 * ((tf + 1.0) - tie_term / (tf * (tf - 1.0)));
    let p_value = if variance <= 0.0 {
        1.0
    } else {
        let z = (distance - 0.5).max(0.0) / variance.sqrt();
        (2.0 * normal_upper_tail(z)).min(1.0)
    };
    Some(MannWhitney {
        u,
        p_value,
        exact: false,
    })
}

/// P(Z > z) for a standard normal Z (Abramowitz-Stegun 7.1.26 via erfc,
/// absolute error below 1.5e-7).
fn normal_upper_tail(z: f64) -> f64 {
    let x = z / std::f64::consts::SQRT_2;
    let t = 1.0 / (1.0 + 0.327_591_1 * x.abs());
    let poly = t
        * (0.254_829_592
            + t * (-0.284_496_736
                + t * (1.421_413_741 + t * (-1.453_152_027 + t * 1.061_405_429))));
    let erfc = poly * (-x * x).exp();
    let erfc = if x >= 0.0 { erfc } else { 2.0 - erfc };
    erfc / 2.0
}

/// The smallest two-sided p-value the exact test can ever give for sample
/// sizes `n` and `m` (both samples completely separated, no ties):
/// 2 / C(n+m, n).
pub fn smallest_p_value(n: usize, m: usize) -> f64 {
    if n == 0 || m == 0 {
        return 1.0;
    }
    let (k, total) = (n.min(m), n + m);
    let mut combinations = 1.0f64;
    for i in 0..k {
        combinations = combinations * (total - i) as f64 / (i + 1) as f64;
    }
    (2.0 / combinations).min(1.0)
}

/// The fewest samples per run (the same number in both) with which the test
/// can reach significance at `alpha` at all.
pub fn samples_needed(alpha: f64) -> usize {
    (1..=64)
        .find(|&k| smallest_p_value(k, k) < alpha)
        .unwrap_or(64)
}

/// A confidence interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interval {
    /// Lower bound.
    pub low: f64,
    /// Upper bound.
    pub high: f64,
}

/// Percentile bootstrap confidence interval of median(current) /
/// median(baseline) at `confidence` (e.g. 0.95), from `resamples` resamples
/// drawn with a RNG seeded by `seed`. `None` when a sample is empty or a
/// resampled baseline median is zero (the ratio is then undefined).
pub fn bootstrap_ratio_ci(
    baseline: &[f64],
    current: &[f64],
    resamples: usize,
    confidence: f64,
    seed: u64,
) -> Option<Interval> {
    if baseline.is_empty() || current.is_empty() || resamples == 0 {
        return None;
    }
    let mut rng = StdRng::seed_from_u64(seed);
    let mut scratch_b = vec![0.0; baseline.len()];
    let mut scratch_c = vec![0.0; current.len()];
    let mut ratios = Vec::with_capacity(resamples);
    for _ in 0..resamples {
        for slot in scratch_b.iter_mut() {
            *slot = baseline[rng.gen_range(0..baseline.len())];
        }
        for slot in scratch_c.iter_mut() {
            *slot = current[rng.gen_range(0..current.len())];
        }
        let base = median(&scratch_b)?;
        let cur = median(&scratch_c)?;
        if base == 0.0 {
            return None;
        }
        ratios.push(cur / base);
    }
    ratios.sort_by(f64::total_cmp);
    let tail = (1.0 - confidence) / 2.0;
    let at = |q: f64| {
        let index = (q * (ratios.len() - 1) as f64).round() as usize;
        ratios[index.min(ratios.len() - 1)]
    };
    Some(Interval {
        low: at(tail),
        high: at(1.0 - tail),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), Some(2.5));
        assert_eq!(median(&[]), None);
    }

    #[test]
    fn exact_p_value_of_fully_separated_samples_is_two_over_the_combinations() {
        let a = [1.0, 2.0, 3.0, 4.0, 5.0];
        let b = [6.0, 7.0, 8.0, 9.0, 10.0];
        let test = mann_whitney(&a, &b).unwrap();
        assert!(test.exact);
        assert_eq!(test.u, 0.0);
        assert!((test.p_value - 2.0 / 252.0).abs() < 1e-12, "{test:?}");
        assert!((smallest_p_value(5, 5) - 2.0 / 252.0).abs() < 1e-12);
    }

    #[test]
    fn exact_p_value_matches_a_textbook_case() {
        // n = m = 4 with U = 3: P(U <= 3) = 7/70 one-sided (Mann-Whitney
        // tables), so 14/70 = 0.2 two-sided.
        let a = [1.0, 2.0, 4.0, 6.0];
        let b = [3.0, 5.0, 7.0, 8.0];
        let test = mann_whitney(&a, &b).unwrap();
        assert_eq!(test.u, 3.0);
        assert!((test.p_value - 0.2).abs() < 1e-12, "{test:?}");
    }

    #[test]
    fn identical_samples_give_p_one() {
        let a = [5.0, 5.0, 5.0, 5.0];
        assert_eq!(mann_whitney(&a, &a).unwrap().p_value, 1.0);
        let b = [1.0, 2.0, 3.0];
        assert_eq!(mann_whitney(&b, &b).unwrap().p_value, 1.0);
    }

    #[test]
    fn normal_approximation_agrees_with_a_separation_for_large_samples() {
        let a: Vec<f64> = (0..40).map(f64::from).collect();
        let b: Vec<f64> = (100..140).map(f64::from).collect();
        let test = mann_whitney(&a, &b).unwrap();
        assert!(!test.exact);
        assert!(test.p_value < 1e-10, "{test:?}");
        let same = mann_whitney(&a, &a).unwrap();
        assert!(same.p_value > 0.9, "{same:?}");
    }

    #[test]
    fn three_repetitions_can_never_be_significant_at_five_percent() {
        assert!((smallest_p_value(3, 3) - 0.1).abs() < 1e-12);
        assert_eq!(samples_needed(0.05), 4);
        assert_eq!(samples_needed(0.01), 5);
    }

    #[test]
    fn bootstrap_is_reproducible_and_brackets_the_true_ratio() {
        let base = [100.0, 102.0, 98.0, 101.0, 99.0];
        let cur = [110.0, 112.0, 108.0, 111.0, 109.0];
        let first = bootstrap_ratio_ci(&base, &cur, 2000, 0.95, 7).unwrap();
        let again = bootstrap_ratio_ci(&base, &cur, 2000, 0.95, 7).unwrap();
        assert_eq!(first, again);
        assert!(
            first.low > 1.0 && first.low <= 1.1 && first.high >= 1.1,
            "{first:?}"
        );
        assert!(bootstrap_ratio_ci(&[0.0], &cur, 10, 0.95, 1).is_none());
    }
}
