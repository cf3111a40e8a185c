//! The `[load]` table: connections, generator threads, the schedule (closed,
//! a constant rate, or stages of rates or connections) and the requests in
//! flight per connection (`pipeline`, `streams`).

use std::time::Duration;

use toml::Spanned;

use super::{Ctx, ScenarioError, DEFAULT_CONNECTIONS};
use crate::load::plan::{Schedule, Stage};
use crate::scenario::model::RawLoad;

/// Connections, schedule, the staged duration (when staged) and threads.
pub(super) type LoadShape = (u32, Schedule, Option<Duration>, Option<usize>);

/// The `[load]` table: connections, threads, and a constant rate or stages.
pub(super) fn load(
    cx: &Ctx<'_>,
    raw: Option<&Spanned<RawLoad>>,
) -> Result<LoadShape, ScenarioError> {
    let Some(raw) = raw else {
        return Ok((DEFAULT_CONNECTIONS, Schedule::Closed, None, None));
    };
    let span = raw.span();
    let raw = raw.get_ref();
    let connections = match &raw.connections {
        Some(c) => crate::scenario::fd_limit::count(cx, c, "load.connections", 1, 100_000)?,
        None => DEFAULT_CONNECTIONS,
    };
    let threads = match &raw.threads {
        Some(t) => Some(cx.count(t, "load.threads", 1, 1024)? as usize),
        None => None,
    };
    if let Some(rate) = &raw.rate {
        if !rate.get_ref().is_finite() || *rate.get_ref() <= 0.0 {
            return Err(cx.at(
                rate.span(),
                "load.rate",
                "expected requests per second above 0, e.g. 5000",
            ));
        }
    }
    if raw.stages.is_empty() {
        let schedule = match &raw.rate {
            Some(rate) => Schedule::OpenConstant {
                rate: *rate.get_ref(),
            },
            None => Schedule::Closed,
        };
        return Ok((connections, schedule, None, threads));
    }
    if let Some(rate) = &raw.rate {
        return Err(cx.at(
            rate.span(),
            "load.rate",
            "use either a constant `rate` or `stages` with a `rate` each, not both",
        ));
    }
    let open = raw.stages[0].get_ref().rate.is_some();
    let mut stages = Vec::new();
    let mut total = Duration::ZERO;
    for stage in &raw.stages {
        let s = stage.get_ref();
        let duration = cx.duration(&s.duration, "load.stages.duration")?;
        let target = match (&s.rate, &s.connections) {
            (Some(r), None) if open => {
                if !r.get_ref().is_finite() || *r.get_ref() <= 0.0 {
                    return Err(cx.at(
                        r.span(),
                        "load.stages.rate",
                        "expected requests per second above 0",
                    ));
                }
                *r.get_ref()
            }
            (None, Some(c)) if !open => {
                let c = cx.count(c, "load.stages.connections", 1, 100_000)?;
                if c > connections {
                    return Err(cx.at(
                        stage.span(),
                        "load.stages.connections",
                        format!("{c} is more than load.connections = {connections}; raise load.connections"),
                    ));
                }
                f64::from(c)
            }
            _ => {
                return Err(cx.at(
                    stage.span(),
                    "load.stages",
                    "every stage needs `duration` and exactly one of `rate` (open model) or \
                     `connections` (closed model), the same one in every stage, \
                     e.g. { duration = \"10s\", rate = 1000 }",
                ))
            }
        };
        total += duration;
        stages.push(Stage { duration, target });
    }
    if total.is_zero() {
        return Err(cx.at(span, "load.stages", "the stages last 0s in total"));
    }
    let schedule = if open {
        Schedule::OpenStages(stages)
    } else {
        Schedule::ClosedStages(stages)
    };
    Ok((connections, schedule, Some(total), threads))
}

/// `load.pipeline` and `load.streams`: requests in flight per connection.
pub(super) fn in_flight(
    cx: &Ctx<'_>,
    raw: Option<&Spanned<RawLoad>>,
) -> Result<(u32, Option<u32>), ScenarioError> {
    let Some(raw) = raw.map(Spanned::get_ref) else {
        return Ok((1, None));
    };
    let pipeline = match &raw.pipeline {
        Some(p) => cx.count(p, "load.pipeline", 1, 1024)?,
        None => 1,
    };
    let streams = match &raw.streams {
        Some(s) if raw.pipeline.is_some() => {
            return Err(cx.at(
                s.span(),
                "load.streams",
                "`streams` (HTTP/2) and `pipeline` (HTTP/1.1) exclude each other; keep one",
            ))
        }
        Some(s) => Some(cx.count(s, "load.streams", 1, 1024)?),
        None => None,
    };
    Ok((pipeline, streams))
}
