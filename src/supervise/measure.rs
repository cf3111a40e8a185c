//! Turning supervision into result figures: the cold-start distribution
//! ([`measure_startup`]: several spawn → first correct response clocks) and
//! the server's consumption during one repetition ([`summarize_usage`]: idle,
//! peak and steady RSS, CPU seconds and requests per CPU-second from a
//! sampler's timeline).

use std::time::Duration;

use super::process::{launch, LaunchOptions, StartError};
use crate::results::{ResourceSample, ServerUsage, StartupStats};
use crate::servers::ServerEntry;

/// Why a startup measurement failed.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    /// The server could not be spawned at all.
    #[error("cold start {attempt}: {source:#}")]
    Launch {
        /// 1-based cold start that failed.
        attempt: u32,
        /// Why.
        source: anyhow::Error,
    },
    /// The server exited or did not answer in time.
    #[error("cold start {attempt}: {source}")]
    NotReady {
        /// 1-based cold start that failed.
        attempt: u32,
        /// Why, with the server's stderr tail.
        source: StartError,
    },
}

/// Starts `entry` `samples` times (at least once), each time from nothing:
/// spawn, wait for the first correct answer on its ready path, stop. Returns
/// the distribution of spawn → ready times.
pub fn measure_startup(
    entry: &ServerEntry,
    opts: &LaunchOptions,
    samples: u32,
    timeout: Duration,
) -> Result<StartupStats, StartupError> {
    let mut times_ms = Vec::new();
    for attempt in 1..=samples.max(1) {
        let mut server =
            launch(entry, opts).map_err(|source| StartupError::Launch { attempt, source })?;
        let took = server
            .wait_ready(timeout)
            .map_err(|source| StartupError::NotReady { attempt, source })?;
        times_ms.push(took.as_secs_f64() * 1000.0);
        // The stop itself is not timed; a failure to stop cleanly is not a
        // startup failure (the drop guard still kills the group).
        let _ = server.stop(Duration::from_secs(2));
    }
    Ok(startup_stats(times_ms))
}

/// Median, minimum and maximum of cold-start times given in milliseconds.
pub fn startup_stats(samples_ms: Vec<f64>) -> StartupStats {
    let mut sorted = samples_ms.clone();
    sorted.sort_by(f64::total_cmp);
    StartupStats {
        median_ms: median(&sorted).unwrap_or(0.0),
        min_ms: sorted.first().copied().unwrap_or(0.0),
        max_ms: sorted.last().copied().unwrap_or(0.0),
        samples_ms,
    }
}

fn median(sorted: &[f64]) -> Option<f64> {
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2]),
        _ => Some((sorted[n / 2 - 1] + sorted[n / 2]) / 2.0),
    }
}

/// Summarizes a sampler timeline of one repetition. `t_s < 0` is before the
/// load (idle), `0 ≤ t_s ≤ load_s` is under load; `completed_requests` is
/// what the generator saw complete during the load phase.
///
/// - idle RSS: the last sample before the load (or the first sample);
/// - peak RSS, peak threads and fds: the largest under load;
/// - steady RSS: median of the samples in the second half of the load;
/// - CPU seconds: cumulative CPU at the end of the load minus at its start
///   (each taken from the sample nearest in time).
pub fn summarize_usage(
    timeline: Vec<ResourceSample>,
    load_s: f64,
    completed_requests: u64,
    sample_interval: Duration,
) -> ServerUsage {
    let before: Vec<&ResourceSample> = timeline.iter().filter(|s| s.t_s < 0.0).collect();
    let during: Vec<&ResourceSample> = timeline
        .iter()
        .filter(|s| s.t_s >= 0.0 && s.t_s <= load_s)
        .collect();
    let idle_rss_bytes = before
        .last()
        .or(timeline.first().as_ref())
        .map_or(0, |s| s.rss_bytes);
    let peak_rss_bytes = during.iter().map(|s| s.rss_bytes).max().unwrap_or(0);
    let mut steady: Vec<f64> = during
        .iter()
        .filter(|s| s.t_s >= load_s / 2.0)
        .map(|s| s.rss_bytes as f64)
        .collect();
    steady.sort_by(f64::total_cmp);
    let steady_rss_bytes = median(&steady).unwrap_or(peak_rss_bytes as f64) as u64;
    let nearest = |t: f64| {
        timeline
            .iter()
            .min_by(|a, b| (a.t_s - t).abs().total_cmp(&(b.t_s - t).abs()))
            .map_or(0.0, |s| s.cpu_s)
    };
    let cpu_s = (nearest(load_s) - nearest(0.0)).max(0.0);
    ServerUsage {
        idle_rss_bytes,
        peak_rss_bytes,
        steady_rss_bytes,
        cpu_s,
        requests_per_cpu_s: if cpu_s > 0.0 {
            completed_requests as f64 / cpu_s
        } else {
            0.0
        },
        peak_threads: during.iter().map(|s| s.threads).max().unwrap_or(0),
        peak_fds: during.iter().map(|s| s.fds).max().unwrap_or(0),
        sample_interval_ms: sample_interval.as_millis() as u64,
        timeline,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(t_s: f64, mib: u64, cpu_s: f64) -> ResourceSample {
        ResourceSample {
            t_s,
            rss_bytes: mib << 20,
            cpu_s,
            threads: 4,
            fds: 10,
            processes: 1,
        }
    }

    #[test]
    fn usage_splits_idle_peak_and_steady() {
        let timeline = vec![
            sample(-0.2, 10, 0.1),
            sample(-0.1, 11, 0.1),
            sample(0.0, 12, 0.1),
            sample(1.0, 40, 0.6),
            sample(2.0, 30, 1.1),
            sample(3.0, 31, 1.6),
            sample(4.0, 32, 2.1),
        ];
        let u = summarize_usage(timeline, 4.0, 20_000, Duration::from_millis(100));
        assert_eq!(u.idle_rss_bytes, 11 << 20);
        assert_eq!(u.peak_rss_bytes, 40 << 20);
        assert_eq!(u.steady_rss_bytes, 31 << 20);
        assert!((u.cpu_s - 2.0).abs() < 1e-9);
        assert!((u.requests_per_cpu_s - 10_000.0).abs() < 1e-6);
        assert_eq!(u.sample_interval_ms, 100);
    }

    #[test]
    fn startup_stats_take_the_median() {
        let s = startup_stats(vec![30.0, 10.0, 20.0, 40.0]);
        assert_eq!((s.median_ms, s.min_ms, s.max_ms), (25.0, 10.0, 40.0));
        assert_eq!(s.samples_ms, [30.0, 10.0, 20.0, 40.0]);
    }
}
