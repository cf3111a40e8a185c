//! Sharding a load plan: `--shard INDEX/COUNT` runs a deterministic slice of
//! the plan so that the shards add up exactly to the whole (the arrival rate,
//! the connections and every stage target are split in whole units,
//! remainders going to the lowest indexes, as k6's execution segments do),
//! `--start-at` lines every shard up on one wall-clock instant, and the
//! shard's [`ShardRecord`] (plan fingerprint, start, interval histograms on
//! absolute time) is what `gauntlet merge` needs to merge exactly.

use std::fmt::Write as _;
use std::hash::Hasher;
use std::str::FromStr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::plan::{LoadPlan, Schedule, Stage};
use super::LoadOutcome;
use crate::interrupt::Interrupt;
use crate::record::encode_histogram;
use crate::results::{ShardInterval, ShardRecord};

/// Line before the JSON result when `--json -` prints it to standard output
/// (the Kubernetes Job's log); `gauntlet merge` reads logs holding it.
pub const BEGIN_MARKER: &str = "----- BEGIN GAUNTLET RESULT -----";
/// Line after that JSON.
pub const END_MARKER: &str = "----- END GAUNTLET RESULT -----";

/// A start time further in the past than this is an error.
pub const LATE_START_LIMIT: Duration = Duration::from_secs(1);

/// Why a shard could not be set up.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ShardError {
    /// `--shard` is not `INDEX/COUNT` with INDEX < COUNT.
    #[error("--shard {0:?}: expected INDEX/COUNT with 0 <= INDEX < COUNT, e.g. --shard 0/4 or --shard $(JOB_COMPLETION_INDEX)/4")]
    BadSpec(String),
    /// The plan has too little to give every shard a share.
    #[error("{what} split over {count} shards leaves shard {index} with nothing; give at least {count} (one per shard)")]
    TooSmall {
        /// The flag and value, e.g. `--connections 2`.
        what: String,
        /// Number of shards.
        count: u32,
        /// The shard left empty.
        index: u32,
    },
    /// `--start-at` could not be read.
    #[error("--start-at {0:?}: expected Unix seconds (e.g. 1767225600) or an RFC 3339 time (e.g. 2026-12-01T12:00:00Z)")]
    BadStart(String),
    /// `--start-at` has already passed.
    #[error("--start-at {text}: that time passed {late:.1}s ago (more than 1 s late); give every shard a start time a little in the future")]
    StartPassed {
        /// The value given.
        text: String,
        /// Seconds since it passed.
        late: f64,
    },
}

/// Which slice of a plan this process runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShardSpec {
    /// 0-based index.
    pub index: u32,
    /// Number of shards.
    pub count: u32,
}

impl FromStr for ShardSpec {
    type Err = ShardError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = || ShardError::BadSpec(text.to_string());
        let (i, n) = text.split_once('/').ok_or_else(bad)?;
        let index: u32 = i.trim().parse().map_err(|_| bad())?;
        let count: u32 = n.trim().parse().map_err(|_| bad())?;
        if count == 0 || index >= count {
            return Err(bad());
        }
        Ok(ShardSpec { index, count })
    }
}

impl ShardSpec {
    /// This shard's share of `total` whole units: `total / count`, plus one
    /// for the first `total % count` indexes. The shares sum to `total`.
    pub fn share_units(&self, total: u64) -> u64 {
        let (count, index) = (u64::from(self.count), u64::from(self.index));
        total / count + u64::from(index < total % count)
    }

    /// This shard's share of a rate: split in whole requests per second when
    /// the rate is a whole number at least `count`, otherwise in thousandths.
    pub fn share_rate(&self, rate: f64) -> f64 {
        if rate.fract() == 0.0 && rate >= f64::from(self.count) {
            self.share_units(rate as u64) as f64
        } else {
            self.share_units((rate * 1000.0).round() as u64) as f64 / 1000.0
        }
    }

    fn share_rate_checked(&self, rate: f64, flag: &str) -> Result<f64, ShardError> {
        let share = self.share_rate(rate);
        if share <= 0.0 {
            return Err(ShardError::TooSmall {
                what: format!("{flag} {rate}"),
                count: self.count,
                index: self.index,
            });
        }
        Ok(share)
    }
}

/// The slice of `plan` that shard `spec` runs: same target, mix, duration and
/// warmup; its share of the rate, of the connections and of every stage.
pub fn split_plan(plan: &LoadPlan, spec: ShardSpec) -> Result<LoadPlan, ShardError> {
    let connections = spec.share_units(u64::from(plan.connections)) as u32;
    if connections == 0 {
        return Err(ShardError::TooSmall {
            what: format!("--connections {}", plan.connections),
            count: spec.count,
            index: spec.index,
        });
    }
    let split_stages = |stages: &[Stage], flag: &str| -> Result<Vec<Stage>, ShardError> {
        stages
            .iter()
            .map(|s| {
                Ok(Stage {
                    duration: s.duration,
                    target: if s.target == 0.0 {
                        0.0
                    } else {
                        spec.share_rate_checked(s.target, flag)?
                    },
                })
            })
            .collect()
    };
    let schedule = match &plan.schedule {
        Schedule::OpenConstant { rate } => Schedule::OpenConstant {
            rate: spec.share_rate_checked(*rate, "--rate")?,
        },
        Schedule::OpenStages(stages) => Schedule::OpenStages(split_stages(stages, "a stage rate")?),
        Schedule::Closed => Schedule::Closed,
        Schedule::ClosedStages(stages) => {
            let stages = stages
                .iter()
                .map(|s| Stage {
                    duration: s.duration,
                    target: spec.share_units(s.target.round().max(0.0) as u64) as f64,
                })
                .collect();
            Schedule::ClosedStages(stages)
        }
    };
    Ok(LoadPlan {
        connections,
        schedule,
        ..plan.clone()
    })
}

/// The fingerprint of the whole (unsplit) plan and the shard count: FNV-1a
/// over everything that decides what load is offered, never over what is
/// local to one machine (threads, CPUs, the command line). Hex, 16 digits.
pub fn fingerprint(plan: &LoadPlan, count: u32) -> String {
    let mut text = String::new();
    let _ = write!(
        text,
        "target={};connections={};schedule={:?};duration={:?};warmup={:?};timeout={:?};http2={};depth={};shards={};",
        plan.target.origin(),
        plan.connections,
        plan.schedule,
        plan.duration,
        plan.warmup,
        plan.timeout,
        plan.http2,
        plan.depth(),
        count
    );
    for r in &plan.requests {
        let _ = write!(
            text,
            "request={} {} {:?} weight={} status={:?} expect_body={:?} body=",
            r.method, r.path, r.headers, r.weight, r.expect_status, r.expect_body
        );
        text.push_str(&String::from_utf8_lossy(&r.body));
        text.push('\n');
    }
    let mut hasher = fnv::FnvHasher::default();
    hasher.write(text.as_bytes());
    format!("{:016x}", hasher.finish())
}

/// Reads `--start-at`: Unix seconds (fractions allowed) or RFC 3339.
pub fn parse_start_at(text: &str) -> Result<SystemTime, ShardError> {
    let bad = || ShardError::BadStart(text.to_string());
    let trimmed = text.trim();
    if let Ok(secs) = trimmed.parse::<f64>() {
        if !secs.is_finite() || secs < 0.0 {
            return Err(bad());
        }
        return Ok(UNIX_EPOCH + Duration::from_secs_f64(secs));
    }
    let at = time::OffsetDateTime::parse(trimmed, &time::format_description::well_known::Rfc3339)
        .map_err(|_| bad())?;
    let nanos = at.unix_timestamp_nanos();
    let nanos = u64::try_from(nanos).map_err(|_| bad())?;
    Ok(UNIX_EPOCH + Duration::from_nanos(nanos))
}

/// Waits until `at` (returns at once when it has just passed, by up to
/// [`LATE_START_LIMIT`]); errors when it passed longer ago. Returns early,
/// without error, when `interrupt` is raised.
pub fn wait_until(at: SystemTime, text: &str, interrupt: &Interrupt) -> Result<(), ShardError> {
    if let Ok(late) = SystemTime::now().duration_since(at) {
        if late > LATE_START_LIMIT {
            return Err(ShardError::StartPassed {
                text: text.to_string(),
                late: late.as_secs_f64(),
            });
        }
        return Ok(());
    }
    while !interrupt.is_raised() {
        match at.duration_since(SystemTime::now()) {
            Ok(left) if left > Duration::ZERO => {
                std::thread::sleep(left.min(Duration::from_millis(50)));
            }
            _ => break,
        }
    }
    Ok(())
}

/// Unix seconds of a wall-clock time.
pub fn unix_s(t: SystemTime) -> f64 {
    t.duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

/// RFC 3339 (UTC, with fractions) of a wall-clock time.
pub fn rfc3339(t: SystemTime) -> String {
    time::OffsetDateTime::from(t)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// What `bench` does for `--shard` and `--start-at`, prepared before the run.
#[derive(Debug, Clone)]
pub struct Sharding {
    /// The plan before splitting (what the fingerprint covers).
    pub whole: LoadPlan,
    /// This process's slice.
    pub spec: Option<ShardSpec>,
    /// The common start instant and the text it was given as.
    pub start_at: Option<(SystemTime, String)>,
}

impl Sharding {
    /// Reads the flags; returns the plan to run (the slice, or `plan` itself).
    pub fn prepare(
        plan: LoadPlan,
        shard: Option<&str>,
        start_at: Option<&str>,
    ) -> Result<(LoadPlan, Sharding), ShardError> {
        let spec = shard.map(str::parse::<ShardSpec>).transpose()?;
        let start_at = start_at
            .map(|t| parse_start_at(t).map(|at| (at, t.to_string())))
            .transpose()?;
        if let Some((at, text)) = &start_at {
            if let Ok(late) = SystemTime::now().duration_since(*at) {
                if late > LATE_START_LIMIT {
                    return Err(ShardError::StartPassed {
                        text: text.clone(),
                        late: late.as_secs_f64(),
                    });
                }
            }
        }
        let run = match spec {
            Some(spec) => split_plan(&plan, spec)?,
            None => plan.clone(),
        };
        Ok((
            run,
            Sharding {
                whole: plan,
                spec,
                start_at,
            },
        ))
    }

    /// Waits for `--start-at`, if given.
    pub fn wait(&self, interrupt: &Interrupt) -> Result<(), ShardError> {
        match &self.start_at {
            Some((at, text)) => wait_until(*at, text, interrupt),
            None => Ok(()),
        }
    }

    /// The shard's record for the result, when `--shard` was given.
    pub fn record(&self, outcome: &LoadOutcome) -> Option<ShardRecord> {
        self.spec.map(|spec| {
            record(
                &self.whole,
                spec,
                self.start_at.as_ref().map(|s| s.0),
                outcome,
            )
        })
    }
}

/// What a shard records after its run, for `gauntlet merge`.
pub fn record(
    whole: &LoadPlan,
    spec: ShardSpec,
    start_at: Option<SystemTime>,
    outcome: &LoadOutcome,
) -> ShardRecord {
    let base = unix_s(outcome.measure_started);
    let plan_rate_rps = match &whole.schedule {
        Schedule::OpenConstant { rate } => Some(*rate),
        Schedule::OpenStages(stages) => stages.iter().map(|s| s.target).reduce(f64::max),
        _ => None,
    };
    ShardRecord {
        index: spec.index,
        count: spec.count,
        plan_fingerprint: fingerprint(whole, spec.count),
        plan_rate_rps,
        plan_connections: whole.connections,
        start_at: start_at.map(rfc3339),
        host: std::fs::read_to_string("/proc/sys/kernel/hostname")
            .map(|h| h.trim().to_string())
            .unwrap_or_else(|_| "unknown".into()),
        measure_started_unix_s: base,
        lag_histogram: outcome
            .report
            .corrected
            .then(|| encode_histogram(&outcome.lag)),
        intervals: outcome
            .interval_histograms
            .iter()
            .map(|i| ShardInterval {
                start_unix_s: base + i.start.as_secs_f64(),
                length_s: i.length.as_secs_f64(),
                requests: i.requests,
                errors: i.errors,
                histogram: i.latency.base64(),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_add_up_to_the_whole_with_remainders_by_index() {
        for (total, count) in [(10u64, 3u32), (7, 7), (1000, 16), (5, 2)] {
            let shares: Vec<u64> = (0..count)
                .map(|index| ShardSpec { index, count }.share_units(total))
                .collect();
            assert_eq!(shares.iter().sum::<u64>(), total);
            assert!(shares.windows(2).all(|w| w[0] >= w[1] && w[0] - w[1] <= 1));
        }
        let rates: Vec<f64> = (0..3)
            .map(|index| ShardSpec { index, count: 3 }.share_rate(1000.0))
            .collect();
        assert_eq!(rates, vec![334.0, 333.0, 333.0]);
        let rates: Vec<f64> = (0..4)
            .map(|index| ShardSpec { index, count: 4 }.share_rate(2.5))
            .collect();
        assert_eq!(rates.iter().sum::<f64>(), 2.5);
    }

    #[test]
    fn bad_specs_and_start_times_say_the_form() {
        for bad in ["1", "4/4", "a/2", "0/0", "-1/2"] {
            let err = bad.parse::<ShardSpec>().unwrap_err().to_string();
            assert!(err.contains("INDEX/COUNT"), "{err}");
        }
        assert_eq!(
            "3/8".parse::<ShardSpec>().unwrap(),
            ShardSpec { index: 3, count: 8 }
        );
        let t = parse_start_at("2026-12-01T12:00:00Z").unwrap();
        assert_eq!(t, parse_start_at("1796126400").unwrap());
        assert!(parse_start_at("tomorrow")
            .unwrap_err()
            .to_string()
            .contains("RFC 3339"));
        let past = SystemTime::now() - Duration::from_secs(5);
        let err = wait_until(past, "x", &Interrupt::new()).unwrap_err();
        assert!(err.to_string().contains("passed"), "{err}");
    }
}
