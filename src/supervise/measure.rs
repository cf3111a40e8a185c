//! Turning supervision into result figures: the cold-start distribution
//! ([`measure_startup`]: several spawn → first correct response clocks) and
//! the server's consumption during one repetition ([`usage`]: idle,
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
        median_ms: crate::compare::stats::median(&sorted).unwrap_or(0.0),
        min_ms: sorted.first().copied().unwrap_or(0.0),
        max_ms: sorted.last().copied().unwrap_or(0.0),
        samples_ms,
    }
}

/// The server's consumption over the measured window `[0, window_s]` of a
/// timeline (time 0 = start of the measured phase), in which `requests`
/// were completed.
pub fn usage(
    timeline: &[ResourceSample],
    idle_rss: u64,
    requests: u64,
    window_s: f64,
    sample_interval: Duration,
) -> ServerUsage {
    let end = window_s.max(0.0);
    let inside: Vec<&ResourceSample> = timeline
        .iter()
        .filter(|s| s.t_s >= 0.0 && s.t_s <= end + 1e-3)
        .collect();
    // CPU at the window's edges: the last reading at or before 0, the first at or after the end.
    let cpu_start = timeline
        .iter()
        .rev()
        .find(|s| s.t_s <= 0.0)
        .or_else(|| timeline.first())
        .map_or(0.0, |s| s.cpu_s);
    let cpu_end = timeline
        .iter()
        .find(|s| s.t_s >= end)
        .or_else(|| timeline.last())
        .map_or(0.0, |s| s.cpu_s);
    let cpu_s = (cpu_end - cpu_start).max(0.0);
    let peak_rss_bytes = inside.iter().map(|s| s.rss_bytes).max().unwrap_or(idle_rss);
    let mut second_half: Vec<u64> = inside
        .iter()
        .filter(|s| s.t_s >= end / 2.0)
        .map(|s| s.rss_bytes)
        .collect();
    second_half.sort_unstable();
    let steady_rss_bytes = second_half
        .get(second_half.len() / 2)
        .copied()
        .unwrap_or(peak_rss_bytes);
    ServerUsage {
        idle_rss_bytes: idle_rss,
        peak_rss_bytes,
        steady_rss_bytes,
        cpu_s,
        requests_per_cpu_s: if cpu_s > 0.0 {
            requests as f64 / cpu_s
        } else {
            0.0
        },
        peak_threads: inside.iter().map(|s| s.threads).max().unwrap_or(0),
        peak_fds: inside.iter().map(|s| s.fds).max().unwrap_or(0),
        sample_interval_ms: sample_interval.as_millis() as u64,
        timeline: timeline.to_vec(),
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
    fn usage_counts_only_the_measured_window() {
        // Warmup burns 5 CPU-s and peaks at 900 MiB; only [0, 2] counts.
        let timeline = [
            sample(-1.0, 900, 1.0),
            sample(0.0, 100, 6.0),
            sample(1.0, 300, 7.0),
            sample(1.5, 200, 7.5),
            sample(2.0, 200, 8.0),
            sample(3.0, 999, 20.0),
        ];
        let u = usage(&timeline, 50 << 20, 4000, 2.0, Duration::from_millis(100));
        assert!((u.cpu_s - 2.0).abs() < 1e-9, "{}", u.cpu_s);
        assert!((u.requests_per_cpu_s - 2000.0).abs() < 1e-6);
        assert_eq!(u.peak_rss_bytes, 300 << 20);
        assert_eq!(u.steady_rss_bytes, 200 << 20);
        assert_eq!(u.idle_rss_bytes, 50 << 20);
        assert_eq!(u.timeline.len(), timeline.len());
    }

    #[test]
    fn startup_stats_take_the_median() {
        let s = startup_stats(vec![30.0, 10.0, 20.0, 40.0]);
        assert_eq!((s.median_ms, s.min_ms, s.max_ms), (25.0, 10.0, 40.0));
        assert_eq!(s.samples_ms, [30.0, 10.0, 20.0, 40.0]);
    }
}
