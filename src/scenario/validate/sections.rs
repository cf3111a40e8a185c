//! The top-level keys of a scenario, one function per section: its name,
//! how long and how often it runs (`duration`, `repetitions`, with their
//! command-line overrides), the per-server settings (`startup_samples`,
//! `startup_timeout`, `idle_connections`, `sample_interval`, `timeout`),
//! `thresholds` and `[upstream]`.

use std::time::Duration;

use super::{
    Ctx, Overrides, ScenarioError, UpstreamSpec, DEFAULT_DURATION, DEFAULT_SAMPLE_INTERVAL,
    DEFAULT_STARTUP_SAMPLES, DEFAULT_STARTUP_TIMEOUT,
};
use crate::scenario::model::RawScenario;
use crate::scenario::thresholds::Threshold;
use crate::servers::upstream::DelayRange;

/// `name`: letters, digits, `-` or `_` (it names result files); by default
/// the file's stem.
pub(super) fn name(cx: &Ctx<'_>, raw: &RawScenario) -> Result<String, ScenarioError> {
    let stem = cx
        .file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "scenario".into());
    Ok(match &raw.name {
        Some(n) => {
            let ok = !n.get_ref().is_empty()
                && n.get_ref()
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            if !ok {
                return Err(cx.at(
                    n.span(),
                    "name",
                    format!(
                        "{:?}: expected letters, digits, `-` or `_` (it names result files)",
                        n.get_ref()
                    ),
                ));
            }
            n.get_ref().clone()
        }
        None => stem,
    })
}

/// The measured duration of a repetition: `duration`, or the stages' total
/// when the load is staged (then `duration` and `--duration` are refused),
/// or `--duration`; never zero.
pub(super) fn duration(
    cx: &Ctx<'_>,
    raw: &RawScenario,
    staged_duration: Option<Duration>,
    overrides: &Overrides,
) -> Result<Duration, ScenarioError> {
    let mut duration = match (&raw.duration, staged_duration) {
        (Some(d), Some(_)) => {
            return Err(cx.at(
                d.span(),
                "duration",
                "a staged load lasts as long as its stages; remove `duration` or `load.stages`",
            ))
        }
        (Some(d), None) => cx.duration(d, "duration")?,
        (None, Some(total)) => total,
        (None, None) => DEFAULT_DURATION,
    };
    if let Some(d) = overrides.duration {
        if staged_duration.is_some() {
            return Err(cx.whole(
                "--duration",
                "this scenario's load is staged (its length is the sum of `load.stages`); \
                 --duration cannot apply to it",
            ));
        }
        duration = d;
    }
    if duration.is_zero() {
        return Err(match &raw.duration {
            Some(d) => cx.at(d.span(), "duration", "must be longer than 0s, e.g. \"10s\""),
            None => cx.whole("--duration", "must be longer than 0s, e.g. 10s"),
        });
    }
    Ok(duration)
}

/// `repetitions` (1 to 1000, default 1), or `--repetitions`.
pub(super) fn repetitions(
    cx: &Ctx<'_>,
    raw: &RawScenario,
    overrides: &Overrides,
) -> Result<u32, ScenarioError> {
    let mut repetitions = match &raw.repetitions {
        Some(r) => cx.count(r, "repetitions", 1, 1000)?,
        None => 1,
    };
    if let Some(r) = overrides.repetitions {
        if r == 0 {
            return Err(cx.whole("--repetitions", "expected a whole number from 1"));
        }
        repetitions = r;
    }
    Ok(repetitions)
}

/// What is measured around the load, per server.
pub(super) struct ServerSettings {
    /// `startup_samples`.
    pub(super) startup_samples: u32,
    /// `startup_timeout`.
    pub(super) startup_timeout: Duration,
    /// `idle_connections`.
    pub(super) idle_connections: u32,
    /// `sample_interval`.
    pub(super) sample_interval: Duration,
    /// `timeout` (per request).
    pub(super) timeout: Duration,
}

/// `startup_samples`, `startup_timeout`, `idle_connections`,
/// `sample_interval` (at least 1 ms) and `timeout`, with their defaults.
pub(super) fn server_settings(
    cx: &Ctx<'_>,
    raw: &RawScenario,
) -> Result<ServerSettings, ScenarioError> {
    let startup_samples = match &raw.startup_samples {
        Some(v) => cx.count(v, "startup_samples", 0, 1000)?,
        None => DEFAULT_STARTUP_SAMPLES,
    };
    let startup_timeout = match &raw.startup_timeout {
        Some(v) => cx.duration(v, "startup_timeout")?,
        None => DEFAULT_STARTUP_TIMEOUT,
    };
    let idle_connections = match &raw.idle_connections {
        Some(v) => crate::scenario::fd_limit::count(cx, v, "idle_connections", 0, 100_000)?,
        None => 0,
    };
    let sample_interval = match &raw.sample_interval {
        Some(v) => {
            let d = cx.duration(v, "sample_interval")?;
            if d < Duration::from_millis(1) {
                return Err(cx.at(v.span(), "sample_interval", "expected at least \"1ms\""));
            }
            d
        }
        None => DEFAULT_SAMPLE_INTERVAL,
    };
    let timeout = match &raw.timeout {
        Some(v) => cx.duration(v, "timeout")?,
        None => Duration::from_secs(10),
    };
    Ok(ServerSettings {
        startup_samples,
        startup_timeout,
        idle_connections,
        sample_interval,
        timeout,
    })
}

/// `thresholds`: each parsed, an error pointing at the one that is wrong.
pub(super) fn thresholds(cx: &Ctx<'_>, raw: &RawScenario) -> Result<Vec<Threshold>, ScenarioError> {
    raw.thresholds
        .iter()
        .map(|t| {
            t.get_ref()
                .parse::<Threshold>()
                .map_err(|e| cx.at(t.span(), "thresholds", e.to_string()))
        })
        .collect()
}

/// `[upstream]`: the delay range (default 5 ms to 150 ms) and seed (42).
pub(super) fn upstream(
    cx: &Ctx<'_>,
    raw: &RawScenario,
) -> Result<Option<UpstreamSpec>, ScenarioError> {
    let Some(u) = &raw.upstream else {
        return Ok(None);
    };
    Ok(Some(UpstreamSpec {
        delay: match &u.get_ref().delay {
            Some(d) => d.get_ref().parse::<DelayRange>().map_err(|e| {
                cx.at(
                    d.span(),
                    "upstream.delay",
                    format!("{e}; expected a range like \"5ms..150ms\" or one duration"),
                )
            })?,
            None => DelayRange {
                min: Duration::from_millis(5),
                max: Duration::from_millis(150),
            },
        },
        seed: u.get_ref().seed.unwrap_or(42),
    }))
}
