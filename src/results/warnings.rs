//! Typed warnings about a server's result: things a reader should know before
//! trusting its figures (the throughput still moved from one repetition to
//! the next, one repetition stands apart, the warmup never became stable).
//! One enum, serialized with a `code` tag, each variant with a stable
//! [`Warning::code`] and a one-line [`Warning::message`]; carried in
//! `ServerRunResult.warnings` and shown by `gauntlet run`, the report and
//! `gauntlet compare` (none of which match message text).
//!
//! [`analyze`] derives the warnings that follow from a result's repetitions
//! and warmup. To add a warning: add a variant with its fields, its code (the
//! serde tag, snake_case of the variant) and its message, and push it where
//! it is detected.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::ServerRunResult;
use crate::stats::median;

/// Relative change (last vs first repetition, over their median) beyond
/// which a monotone run of three or more repetitions is a trend.
pub const TREND_MIN_CHANGE: f64 = 0.05;
/// The same for two repetitions, where one step cannot be told from noise
/// unless it is large.
pub const TREND_MIN_CHANGE_TWO: f64 = 0.15;
/// A repetition is an outlier when it is further from the median of the
/// others than this many (normal-consistent) median absolute deviations...
pub const OUTLIER_MADS: f64 = 3.5;
/// ...and further than this share of that median.
pub const OUTLIER_MIN_DISTANCE: f64 = 0.10;

/// Which way throughput moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Every repetition faster than the one before.
    Rising,
    /// Every repetition slower than the one before.
    Falling,
}

/// Something to know before trusting a result's figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Warning {
    /// Throughput moved in one direction over the repetitions: the server was
    /// still warming up (JIT, caches) or degrading (leak, GC pressure), and
    /// the median depends on how many repetitions ran.
    ThroughputTrend {
        /// Rising or falling.
        direction: Direction,
        /// (last − first) / median of the repetitions.
        change: f64,
        /// Each repetition's throughput, requests per second, in order.
        repetitions_rps: Vec<f64>,
    },
    /// One repetition far from the median of the others.
    OutlierRepetition {
        /// 1-based repetition number.
        index: u32,
        /// Its throughput, requests per second.
        throughput_rps: f64,
        /// Median throughput of the other repetitions.
        others_median_rps: f64,
        /// (throughput − others' median) / others' median.
        distance: f64,
    },
    /// The automatic warmup hit `warmup_max` before the throughput was stable.
    WarmupCapped {
        /// The cap, seconds.
        max_s: f64,
        /// Coefficient of variation of the last windows when it stopped.
        last_cv: Option<f64>,
        /// The limit it had to get under.
        cv_limit: f64,
    },
    /// A warning written by a newer Gauntlet that this one does not know.
    #[serde(other)]
    Unknown,
}

impl Warning {
    /// A stable identifier, the same as the JSON `code` tag.
    pub fn code(&self) -> &'static str {
        match self {
            Warning::ThroughputTrend { .. } => "throughput_trend",
            Warning::OutlierRepetition { .. } => "outlier_repetition",
            Warning::WarmupCapped { .. } => "warmup_capped",
            Warning::Unknown => "unknown",
        }
    }

    /// One line for a reader: what was seen and what it means.
    pub fn message(&self) -> String {
        match self {
            Warning::ThroughputTrend {
                direction,
                change,
                repetitions_rps,
            } => {
                let list: Vec<String> = repetitions_rps.iter().map(|r| format!("{r:.0}")).collect();
                format!(
                    "throughput {} by {:.0}% over the repetitions ({} req/s): not steady, {}",
                    match direction {
                        Direction::Rising => "rose",
                        Direction::Falling => "fell",
                    },
                    change.abs() * 100.0,
                    list.join(" → "),
                    match direction {
                        Direction::Rising => "still warming up (a longer warmup may help)",
                        Direction::Falling => "degrading under load",
                    }
                )
            }
            Warning::OutlierRepetition {
                index,
                throughput_rps,
                others_median_rps,
                distance,
            } => format!(
                "repetition {index} is an outlier: {throughput_rps:.0} req/s, {:+.0}% from the \
                 others' median {others_median_rps:.0} req/s",
                distance * 100.0
            ),
            Warning::WarmupCapped {
                max_s,
                last_cv,
                cv_limit,
            } => format!(
                "warmup reached warmup_max = {max_s:.0}s before the throughput was stable \
                 (last variation {}, limit {:.1}%): the repetitions may still be warming up",
                last_cv.map_or_else(|| "unknown".into(), |c| format!("{:.1}%", c * 100.0)),
                cv_limit * 100.0
            ),
            Warning::Unknown => "a warning this version of Gauntlet does not know".into(),
        }
    }
}

/// The warnings that follow from `result`'s repetitions and warmup.
pub fn analyze(result: &ServerRunResult) -> Vec<Warning> {
    let rps: Vec<f64> = result
        .repetitions
        .iter()
        .map(|r| r.load.throughput_rps)
        .collect();
    let mut warnings = Vec::new();
    if let Some(w) = &result.warmup {
        if w.capped {
            warnings.push(Warning::WarmupCapped {
                max_s: w.max_s,
                last_cv: w.last_cv,
                cv_limit: w.cv_limit,
            });
        }
    }
    warnings.extend(trend(&rps));
    let indices: Vec<u32> = result.repetitions.iter().map(|r| r.index).collect();
    warnings.extend(
        outliers(&rps)
            .into_iter()
            .map(
                |(i, others_median_rps, distance)| Warning::OutlierRepetition {
                    index: indices[i],
                    throughput_rps: rps[i],
                    others_median_rps,
                    distance,
                },
            ),
    );
    warnings
}

/// A trend: every step in the same direction and the whole move beyond
/// [`TREND_MIN_CHANGE`] (or [`TREND_MIN_CHANGE_TWO`] for two repetitions).
pub fn trend(rps: &[f64]) -> Option<Warning> {
    if rps.len() < 2 || rps.iter().any(|r| !r.is_finite()) {
        return None;
    }
    let rising = rps.windows(2).all(|w| w[1] > w[0]);
    let falling = rps.windows(2).all(|w| w[1] < w[0]);
    let mid = median(rps)?;
    if !(rising || falling) || mid <= 0.0 {
        return None;
    }
    let change = (rps[rps.len() - 1] - rps[0]) / mid;
    let limit = if rps.len() == 2 {
        TREND_MIN_CHANGE_TWO
    } else {
        TREND_MIN_CHANGE
    };
    (change.abs() > limit).then(|| Warning::ThroughputTrend {
        direction: if rising {
            Direction::Rising
        } else {
            Direction::Falling
        },
        change,
        repetitions_rps: rps.to_vec(),
    })
}

/// Outliers among three or more repetitions, as (position, median of the
/// others, relative distance): further from the others' median than
/// [`OUTLIER_MADS`] scaled median absolute deviations of the others and than
/// [`OUTLIER_MIN_DISTANCE`] of their median. The MAD makes one wild value
/// unable to hide itself by widening the spread; the minimum distance keeps
/// a run of near-identical repetitions (MAD near 0) from flagging noise.
pub fn outliers(rps: &[f64]) -> Vec<(usize, f64, f64)> {
    if rps.len() < 3 || rps.iter().any(|r| !r.is_finite()) {
        return Vec::new();
    }
    let mut found = Vec::new();
    for (i, &x) in rps.iter().enumerate() {
        let others: Vec<f64> = rps
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != i)
            .map(|(_, v)| *v)
            .collect();
        let Some(m) = median(&others) else { continue };
        if m <= 0.0 {
            continue;
        }
        let deviations: Vec<f64> = others.iter().map(|v| (v - m).abs()).collect();
        let mad = median(&deviations).unwrap_or(0.0) * 1.4826;
        let distance = (x - m).abs();
        if distance > OUTLIER_MADS * mad && distance > OUTLIER_MIN_DISTANCE * m {
            found.push((i, m, (x - m) / m));
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(w: &[Warning]) -> Vec<&'static str> {
        w.iter().map(Warning::code).collect()
    }

    #[test]
    fn a_rising_run_is_a_trend_and_noise_is_not() {
        let t = trend(&[609.0, 950.0]).expect("609 → 950 is a trend");
        assert!(matches!(
            t,
            Warning::ThroughputTrend {
                direction: Direction::Rising,
                ..
            }
        ));
        assert!(t.message().contains("609 → 950"), "{}", t.message());
        // Falling by 10% over four repetitions.
        let t = trend(&[1000.0, 970.0, 940.0, 900.0]).unwrap();
        assert!(matches!(
            t,
            Warning::ThroughputTrend {
                direction: Direction::Falling,
                ..
            }
        ));
        // Monotone but within 5%: noise.
        assert_eq!(trend(&[1000.0, 1010.0, 1030.0]), None);
        // Not monotone: no trend even with a wide spread.
        assert_eq!(trend(&[1000.0, 1300.0, 1100.0, 1400.0]), None);
        // Two repetitions 10% apart: not enough to tell from noise.
        assert_eq!(trend(&[1000.0, 1100.0]), None);
        assert_eq!(trend(&[1000.0]), None);
    }

    #[test]
    fn one_wild_repetition_is_an_outlier_and_its_neighbours_are_not() {
        let found = outliers(&[1000.0, 1010.0, 600.0, 990.0, 1005.0]);
        assert_eq!(found.len(), 1, "{found:?}");
        let (i, m, d) = found[0];
        assert_eq!(i, 2);
        assert!((m - 1002.5).abs() < 1e-9);
        assert!(d < -0.35 && d > -0.45);
        // Identical others (MAD 0): only the minimum distance guards, so 5% is not flagged...
        assert!(outliers(&[1000.0, 1000.0, 1050.0]).is_empty());
        // ...but 30% is.
        assert_eq!(outliers(&[1000.0, 1000.0, 1300.0]).len(), 1);
        // A wide but even spread has no outlier.
        assert!(outliers(&[800.0, 1000.0, 1200.0, 900.0, 1100.0]).is_empty());
        assert!(
            outliers(&[1000.0, 500.0]).is_empty(),
            "two cannot outvote each other"
        );
    }

    #[test]
    fn codes_are_the_json_tags_and_unknown_codes_still_read() {
        let all = [
            Warning::ThroughputTrend {
                direction: Direction::Rising,
                change: 0.4,
                repetitions_rps: vec![1.0, 2.0],
            },
            Warning::OutlierRepetition {
                index: 2,
                throughput_rps: 1.0,
                others_median_rps: 2.0,
                distance: -0.5,
            },
            Warning::WarmupCapped {
                max_s: 30.0,
                last_cv: Some(0.1),
                cv_limit: 0.03,
            },
        ];
        for w in &all {
            let json = serde_json::to_value(w).unwrap();
            assert_eq!(json["code"], w.code());
            let back: Warning = serde_json::from_value(json).unwrap();
            assert_eq!(&back, w);
            assert!(!w.message().is_empty());
        }
        assert_eq!(
            codes(&all),
            ["throughput_trend", "outlier_repetition", "warmup_capped"]
        );
        let newer: Warning =
            serde_json::from_str(r#"{"code":"generator_limited","share":0.97}"#).unwrap();
        assert_eq!(newer, Warning::Unknown);
    }
}
