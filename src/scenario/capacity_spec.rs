//! The `[capacity]` table of a scenario: the raw keys as serde reads them
//! ([`RawCapacity`]) and their validation into a [`CapacitySpec`] that the
//! capacity search ([`super::capacity`]) uses as is. An SLO clause is a
//! threshold expression (parsed by [`crate::scenario::thresholds`]) limited to
//! what one step measures: a latency percentile or `error_rate`, bounded from
//! above. Errors name file:line:column and the key, like the rest of
//! validation.

use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

use super::model::RawScenario;
use super::validate::{Ctx, ScenarioError};
use crate::results::LoadReport;
use crate::scenario::thresholds::{Metric, Op, Threshold};

/// Share of the offered rate a step must achieve to pass (always part of the SLO).
pub const MIN_ACHIEVED_RATIO: f64 = 0.99;
/// Default first rate of the ramp, requests per second.
pub const DEFAULT_START_RATE: f64 = 1000.0;
/// Default measured length of a step.
pub const DEFAULT_STEP_DURATION: Duration = Duration::from_secs(5);
/// Default unrecorded warmup before each step.
pub const DEFAULT_STEP_WARMUP: Duration = Duration::from_secs(1);
/// Default budget of the whole search per server.
pub const DEFAULT_TIME_LIMIT: Duration = Duration::from_secs(60);
/// Default relative width of the final bracket.
pub const DEFAULT_PRECISION: f64 = 0.05;

/// The `[capacity]` table exactly as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCapacity {
    /// SLO clauses, e.g. `["p99 < 20ms", "error_rate < 0.001"]`.
    #[serde(default)]
    pub slo: Vec<Spanned<String>>,
    /// First rate of the ramp, requests per second.
    pub start_rate: Option<Spanned<f64>>,
    /// Highest rate the search may try.
    pub max_rate: Option<Spanned<f64>>,
    /// Measured length of each step, e.g. `"5s"`.
    pub step_duration: Option<Spanned<String>>,
    /// Unrecorded load before each step, e.g. `"1s"`.
    pub step_warmup: Option<Spanned<String>>,
    /// Budget of the whole search per server, e.g. `"60s"`.
    pub time_limit: Option<Spanned<String>>,
    /// Stop bisecting when (first fail − last pass) / last pass is below this.
    pub precision: Option<Spanned<f64>>,
}

/// A validated capacity search.
#[derive(Debug, Clone, PartialEq)]
pub struct CapacitySpec {
    /// The SLO clauses (latency percentiles and `error_rate`, upper bounds).
    pub slo: Vec<Threshold>,
    /// First rate of the ramp, requests per second.
    pub start_rate: f64,
    /// Highest rate the search may try.
    pub max_rate: Option<f64>,
    /// Measured length of each step.
    pub step_duration: Duration,
    /// Unrecorded load before each step.
    pub step_warmup: Duration,
    /// Budget of the whole search per server.
    pub time_limit: Duration,
    /// Relative width of the bracket at which bisection stops.
    pub precision: f64,
}

impl CapacitySpec {
    /// The SLO clauses a step's load report does not meet, with the observed
    /// value; the achieved share of `offered` is always checked.
    pub fn misses(&self, load: &LoadReport, offered: f64) -> Vec<(String, f64)> {
        let mut out = Vec::new();
        for clause in &self.slo {
            let observed = observe(clause.metric, load);
            if !clause.op.holds(observed, clause.limit) {
                out.push((clause.expression.clone(), observed));
            }
        }
        let ratio = achieved_rps(load) / offered;
        if ratio < MIN_ACHIEVED_RATIO {
            out.push((
                format!("achieved >= {:.0}% of offered", MIN_ACHIEVED_RATIO * 100.0),
                ratio,
            ));
        }
        out
    }
}

/// Successful responses per second over the measured phase.
pub fn achieved_rps(load: &LoadReport) -> f64 {
    if load.elapsed_s > 0.0 {
        load.successes as f64 / load.elapsed_s
    } else {
        0.0
    }
}

/// The value of a step-level metric in its base unit.
fn observe(metric: Metric, load: &LoadReport) -> f64 {
    match metric {
        Metric::Latency(which) => load.latency.by_name(which) as f64,
        // Only latency and error_rate pass validation.
        _ => super::errors::error_rate(load),
    }
}

/// Validates `[capacity]` when present, together with the keys that cannot
/// go with it (a fixed rate, stages, repetitions, thresholds).
pub(super) fn capacity(
    cx: &Ctx<'_>,
    raw: &RawScenario,
) -> Result<Option<CapacitySpec>, ScenarioError> {
    let Some(table) = &raw.capacity else {
        return Ok(None);
    };
    let why = "a capacity search chooses the rate itself, step by step";
    if let Some(load) = &raw.load {
        if let Some(rate) = &load.get_ref().rate {
            return Err(cx.at(
                rate.span(),
                "load.rate",
                format!("{why}: remove `load.rate` (set `capacity.start_rate` instead)"),
            ));
        }
        if let Some(stage) = load.get_ref().stages.first() {
            return Err(cx.at(
                stage.span(),
                "load.stages",
                format!("{why}: remove `load.stages`"),
            ));
        }
    }
    let step_keys = [
        ("duration", &raw.duration, "capacity.step_duration"),
        ("warmup", &raw.warmup, "capacity.step_warmup"),
    ];
    for (key, value, instead) in step_keys {
        if let Some(v) = value {
            return Err(cx.at(
                v.span(),
                key,
                format!("with [capacity] each step's length is `{instead}`; remove `{key}`"),
            ));
        }
    }
    if let Some(r) = &raw.repetitions {
        return Err(cx.at(
            r.span(),
            "repetitions",
            "with [capacity] the search runs once per server; remove `repetitions`",
        ));
    }
    if let Some(t) = raw.thresholds.first() {
        return Err(cx.at(
            t.span(),
            "thresholds",
            "with [capacity] the conditions go into `capacity.slo`; remove `thresholds`",
        ));
    }

    let table = table.get_ref();
    let mut slo = Vec::new();
    for clause in &table.slo {
        let t = clause
            .get_ref()
            .parse::<Threshold>()
            .map_err(|e| cx.at(clause.span(), "capacity.slo", e.to_string()))?;
        let per_step = matches!(t.metric, Metric::Latency(_) | Metric::ErrorRate);
        if !per_step {
            return Err(cx.at(
                clause.span(),
                "capacity.slo",
                format!(
                    "{:?}: `{}` is not measured per step; an SLO clause names a latency \
                     (p50, p75, p90, p99, p99.9, p99.99, max) or error_rate",
                    clause.get_ref(),
                    t.metric_name
                ),
            ));
        }
        if matches!(t.op, Op::Greater | Op::GreaterOrEqual) {
            return Err(cx.at(
                clause.span(),
                "capacity.slo",
                format!(
                    "{:?}: an SLO clause is an upper bound; use `<` or `<=`, e.g. \"p99 < 20ms\"",
                    clause.get_ref()
                ),
            ));
        }
        slo.push(t);
    }
    let rate = |v: &Spanned<f64>, key: &str| {
        let r = *v.get_ref();
        if r.is_finite() && r > 0.0 {
            Ok(r)
        } else {
            Err(cx.at(
                v.span(),
                key,
                "expected requests per second above 0, e.g. 1000",
            ))
        }
    };
    let start_rate = match &table.start_rate {
        Some(v) => rate(v, "capacity.start_rate")?,
        None => DEFAULT_START_RATE,
    };
    let max_rate = match &table.max_rate {
        Some(v) => {
            let m = rate(v, "capacity.max_rate")?;
            if m < start_rate {
                return Err(cx.at(
                    v.span(),
                    "capacity.max_rate",
                    format!("{m} is below capacity.start_rate = {start_rate}; expected at least the start rate"),
                ));
            }
            Some(m)
        }
        None => None,
    };
    let step_duration = match &table.step_duration {
        Some(v) => {
            let d = cx.duration(v, "capacity.step_duration")?;
            if d.is_zero() {
                return Err(cx.at(
                    v.span(),
                    "capacity.step_duration",
                    "must be longer than 0s, e.g. \"5s\"",
                ));
            }
            d
        }
        None => DEFAULT_STEP_DURATION,
    };
    let step_warmup = match &table.step_warmup {
        Some(v) => cx.duration(v, "capacity.step_warmup")?,
        None => DEFAULT_STEP_WARMUP,
    };
    let time_limit = match &table.time_limit {
        Some(v) => {
            let d = cx.duration(v, "capacity.time_limit")?;
            if d < step_duration + step_warmup {
                return Err(cx.at(
                    v.span(),
                    "capacity.time_limit",
                    format!(
                        "{} leaves no room for one step of step_warmup + step_duration = {}; \
                         expected a longer limit, e.g. \"60s\"",
                        v.get_ref(),
                        humantime::format_duration(step_duration + step_warmup)
                    ),
                ));
            }
            d
        }
        None => DEFAULT_TIME_LIMIT.max(step_duration + step_warmup),
    };
    let precision = match &table.precision {
        Some(v) => {
            let p = *v.get_ref();
            if !(p.is_finite() && p > 0.0 && p < 1.0) {
                return Err(cx.at(
                    v.span(),
                    "capacity.precision",
                    "expected a fraction between 0 and 1, e.g. 0.05 (5 %)",
                ));
            }
            p
        }
        None => DEFAULT_PRECISION,
    };
    Ok(Some(CapacitySpec {
        slo,
        start_rate,
        max_rate,
        step_duration,
        step_warmup,
        time_limit,
        precision,
    }))
}
