//! One module per chart, each a [`Chart`](super::chart::Chart). Charts
//! that concern one scenario carry its name; the rest cover the whole report.

pub mod capacity;
pub mod efficiency;
pub mod frame;
pub mod latency_timeline;
pub mod memory;
pub mod rss_timeline;
pub mod spectrum;
pub mod startup;
pub mod throughput;
pub mod throughput_timeline;

/// A file-name-safe form of a name: letters, digits, `-` and `_` kept,
/// anything else (spaces, slashes, dots) becomes `-`.
pub fn slug(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// The intervals a timeline draws, as (end time in seconds, interval): every
/// interval at least half as long as the longest, so the short tail a run
/// ends with (often 10–40 ms, a few hundred requests) is dropped rather than
/// drawn as a plunge in throughput and a jump in its p99.
pub fn timeline_points(
    intervals: &[crate::results::schema::IntervalStats],
) -> impl Iterator<Item = (f64, &crate::results::schema::IntervalStats)> {
    let nominal = intervals.iter().map(|i| i.length_s).fold(0.0f64, f64::max);
    intervals
        .iter()
        .filter(move |i| i.length_s > 0.0 && i.length_s >= nominal / 2.0)
        .map(|i| (i.start_s + i.length_s, i))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::schema::IntervalStats;

    fn interval(start_s: f64, length_s: f64, requests: u64) -> IntervalStats {
        IntervalStats {
            start_s,
            length_s,
            requests,
            errors: 0,
            p50_us: 100,
            p99_us: 200,
            max_us: 300,
        }
    }

    #[test]
    fn a_short_last_interval_is_not_drawn() {
        let intervals = [
            interval(0.0, 1.0, 20_000),
            interval(1.0, 1.0, 21_000),
            interval(2.0, 1.0, 20_500),
            interval(3.0, 0.015, 256),
        ];
        let ends: Vec<f64> = timeline_points(&intervals).map(|p| p.0).collect();
        assert_eq!(ends, [1.0, 2.0, 3.0]);
    }

    #[test]
    fn whole_intervals_are_all_drawn() {
        let intervals = [interval(0.0, 1.0, 10), interval(1.0, 0.8, 9)];
        assert_eq!(timeline_points(&intervals).count(), 2);
        assert_eq!(timeline_points(&[]).count(), 0);
    }
}
