//! Turning supervision into result figures: the cold-start distribution
//! ([`measure_startup`]: several spawn → first correct response clocks) and
//! the server's consumption during one repetition ([`usage`]: idle,
//! peak and steady RSS, CPU seconds and requests per CPU-second from a
//! sampler's timeline). CPU seconds below what /proc's clock ticks can
//! resolve are flagged rather than turned into a figure.

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
        median_ms: crate::stats::median(&sorted).unwrap_or(0.0),
        min_ms: sorted.first().copied().unwrap_or(0.0),
        max_ms: sorted.last().copied().unwrap_or(0.0),
        samples_ms,
    }
}

/// The CPU used in a window must be at least this many times the largest
/// error the clock's truncation can put into it (2 units of resolution per
/// process: with /proc's ticks, user and system time are each truncated),
/// i.e. that error is at most 10 % of the figure; below it requests per
/// CPU-second is "below resolution".
pub const MIN_CPU_OVER_QUANTIZATION: f64 = 10.0;

/// True when `cpu_s`, the difference of two readings of a tree of
/// `processes` processes read with `resolution_s` (the CPU-time clock's
/// nanosecond, or a 10 ms tick from /proc), is too small for that
/// resolution (see [`MIN_CPU_OVER_QUANTIZATION`]). Zero is always below.
pub fn cpu_below_resolution(cpu_s: f64, processes: u32, resolution_s: f64) -> bool {
    let quantization = 2.0 * resolution_s * f64::from(processes.max(1));
    cpu_s <= 0.0 || cpu_s < MIN_CPU_OVER_QUANTIZATION * quantization
}

/// The server's consumption over the measured window `[0, window_s]` of a
/// timeline (time 0 = start of the measured phase), in which `requests`
/// were completed. The CPU at the window's edges is the reading at 0 (or
/// the last before it) and the one at `window_s` (or the first after it):
/// the scenario runner takes readings exactly there. `cpu_resolution_s`
/// is the coarsest resolution of those readings
/// ([`Sampler::cpu_resolution_s`](super::Sampler::cpu_resolution_s)).
pub fn usage(
    timeline: &[ResourceSample],
    idle_rss: u64,
    requests: u64,
    window_s: f64,
    sample_interval: Duration,
    cpu_resolution_s: f64,
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
    let processes = inside.iter().map(|s| s.processes).max().unwrap_or(1);
    let below_resolution = cpu_below_resolution(cpu_s, processes, cpu_resolution_s);
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
        requests_per_cpu_s: if below_resolution {
            0.0
        } else {
            requests as f64 / cpu_s
        },
        cpu_below_resolution: below_resolution,
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
        let u = usage(&timeline, 50 << 20, 4000, 2.0, MS_100, NS);
        assert!((u.cpu_s - 2.0).abs() < 1e-9, "{}", u.cpu_s);
        assert!((u.requests_per_cpu_s - 2000.0).abs() < 1e-6);
        assert_eq!(u.peak_rss_bytes, 300 << 20);
        assert_eq!(u.steady_rss_bytes, 200 << 20);
        assert_eq!(u.idle_rss_bytes, 50 << 20);
        assert_eq!(u.timeline.len(), timeline.len());
    }

    const MS_100: Duration = Duration::from_millis(100);
    /// The CPU-time clock's resolution.
    const NS: f64 = 1e-9;
    /// A /proc clock tick.
    const TICK: f64 = 0.01;

    #[test]
    fn the_window_edges_are_the_readings_taken_there() {
        // The sampler read 80 ms before the start and 70 ms after the end,
        // while the server was busy (1 CPU-s per second); the runner read
        // exactly at 0 and at the end. Only [0, 3] counts: 3.0 CPU-s.
        let timeline = [
            sample(-0.08, 100, 10.00),
            sample(0.0, 100, 10.08),
            sample(0.02, 100, 10.10),
            sample(1.52, 100, 11.60),
            sample(2.93, 100, 13.01),
            sample(3.0, 100, 13.08),
            sample(3.07, 100, 13.15),
        ];
        let u = usage(&timeline, 0, 6000, 3.0, MS_100, NS);
        assert!((u.cpu_s - 3.0).abs() < 1e-9, "{}", u.cpu_s);
        assert_eq!(u.requests_per_cpu(), Some(2000.0));
        assert!(!u.cpu_below_resolution);
    }

    #[test]
    fn a_few_clock_ticks_are_below_resolution_not_a_figure() {
        // Read from /proc's 10 ms ticks: 3 ticks in the window would make
        // 300 requests "10,000 per CPU-s" give or take 67 %.
        let ticks = [sample(0.0, 100, 1.00), sample(2.0, 100, 1.03)];
        let u = usage(&ticks, 0, 300, 2.0, MS_100, TICK);
        assert!(u.cpu_below_resolution);
        assert_eq!(u.requests_per_cpu(), None);
        assert_eq!(u.requests_per_cpu_s, 0.0);
        // The same 30 ms read with the nanosecond clock is a figure.
        let u = usage(&ticks, 0, 300, 2.0, MS_100, NS);
        assert_eq!(u.requests_per_cpu().map(f64::round), Some(10_000.0));
        // 25 ticks are enough for one process (error under 10 %)...
        let enough = [sample(0.0, 100, 1.0), sample(2.0, 100, 1.25)];
        assert!(!usage(&enough, 0, 300, 2.0, MS_100, TICK).cpu_below_resolution);
        // ...but not for a tree of two, each truncated on its own.
        let two: Vec<_> = enough
            .iter()
            .map(|s| ResourceSample {
                processes: 2,
                ..s.clone()
            })
            .collect();
        assert!(usage(&two, 0, 300, 2.0, MS_100, TICK).cpu_below_resolution);
    }

    #[test]
    fn no_cpu_at_all_is_below_resolution_not_zero() {
        let idle = [sample(0.0, 100, 1.0), sample(2.0, 100, 1.0)];
        let u = usage(&idle, 0, 5, 2.0, MS_100, NS);
        assert!(u.cpu_below_resolution);
        assert_eq!(u.requests_per_cpu(), None);
    }

    #[test]
    fn startup_stats_take_the_median() {
        let s = startup_stats(vec![30.0, 10.0, 20.0, 40.0]);
        assert_eq!((s.median_ms, s.min_ms, s.max_ms), (25.0, 10.0, 40.0));
        assert_eq!(s.samples_ms, [30.0, 10.0, 20.0, 40.0]);
    }
}
