//! The capacity search: the highest offered rate a server sustains while an
//! SLO holds, found with the open model. The rate doubles from
//! `start_rate` until a step breaks the SLO (the ramp), then the bracket
//! between the last passing and the first failing rate is halved until it is
//! narrower than `precision` (the bisection). Every step is one
//! [`LoadPlan`] with [`Schedule::OpenConstant`] run through the same
//! [`Driver`] as the fixed-rate repetitions, warmed (not recorded) then
//! measured, with the server's CPU sampled over the measured phase. The
//! search never starts a step that would end after `time_limit`, and stops
//! on Ctrl-C keeping the steps done (a step cut short is not judged).

use crate::supervise::WindowEdges;
use std::time::{Duration, Instant};

use super::capacity_spec::{achieved_rps, CapacitySpec, MIN_ACHIEVED_RATIO};
use super::errors::error_rate;
use super::measure::{died, failed, plan_for, Context, Driver, TAIL_LINES};
use super::Scenario;
use crate::interrupt::Interrupt;
use crate::load::plan::{LoadObserver, LoadPlan, Phase, Schedule};
use crate::results::{
    CapacityEnd, CapacityResult, CapacityStep, ClauseMiss, LoadReport, RunStatus, ServerRunResult,
    StepKind,
};
use crate::supervise::{usage, Sampler, Supervised};

/// The supervised server whose CPU each step samples.
#[derive(Debug, Clone, Copy)]
pub struct ServerProbe {
    /// Root of the server's process tree.
    pub pid: u32,
    /// Sampler interval.
    pub sample_interval: Duration,
    /// RSS before any load (carried into the usage figures).
    pub idle_rss: u64,
    /// CPUs the server may use (for utilisation).
    pub cpus: usize,
}

/// One capacity search against one target.
pub struct Search<'a> {
    /// What to search for and how long.
    pub spec: &'a CapacitySpec,
    /// Target, request mix, connections, threads, placement and timeout of
    /// every step; its schedule, duration and warmup are replaced per step.
    pub template: LoadPlan,
    /// The load engine.
    pub driver: Driver<'a>,
    /// Ctrl-C.
    pub interrupt: &'a Interrupt,
    /// The server to sample (`None`: no CPU figures).
    pub server: Option<ServerProbe>,
    /// Time since the search began (`None`: the wall clock). Tests pass a
    /// simulated clock so the time limit is deterministic.
    pub clock: Option<&'a (dyn Fn() -> Duration + Sync)>,
    /// Prefix of progress lines (`None`: quiet).
    pub label: Option<String>,
    /// Where progress lines go.
    pub lines: super::measure::Lines<'a>,
}

/// How the search went: the result, and what made it stop early when the
/// target failed.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchOutcome {
    /// Every step and the capacity found.
    pub result: CapacityResult,
    /// The server's failure (as `alive` reported it) when it ended the search.
    pub died: Option<RunStatus>,
    /// The load engine's error when it ended the search.
    pub engine_error: Option<String>,
}

enum StepRun {
    Done(Box<CapacityStep>),
    Interrupted,
    Error(String),
}

impl Search<'_> {
    /// Runs the search. `alive` is asked before every step and returns the
    /// server's failure once it has exited.
    pub fn run(&self, alive: &mut dyn FnMut() -> Option<RunStatus>) -> SearchOutcome {
        let wall = Instant::now();
        let now = || match self.clock {
            Some(clock) => clock(),
            None => wall.elapsed(),
        };
        let spec = self.spec;
        let step_length = spec.step_warmup + spec.step_duration;
        let mut steps: Vec<CapacityStep> = Vec::new();
        let (mut pass, mut fail): (Option<f64>, Option<f64>) = (None, None);
        let (mut died, mut engine_error) = (None, None);
        let mut rate = spec.start_rate;
        let mut kind = StepKind::Ramp;
        let ended_by = loop {
            if self.interrupt.is_raised() {
                break CapacityEnd::Interrupted;
            }
            if let Some(status) = alive() {
                died = Some(status);
                break CapacityEnd::Failed;
            }
            if now() + step_length > spec.time_limit {
                break CapacityEnd::TimeLimit;
            }
            let index = steps.len() as u32 + 1;
            let step = match self.step(index, kind, rate) {
                StepRun::Done(step) => step,
                StepRun::Interrupted => break CapacityEnd::Interrupted,
                StepRun::Error(e) => {
                    engine_error = Some(e);
                    break CapacityEnd::Failed;
                }
            };
            if step.passed {
                pass = Some(pass.map_or(rate, |p: f64| p.max(rate)));
            } else {
                fail = Some(fail.map_or(rate, |f: f64| f.min(rate)));
            }
            steps.push(*step);
            match (pass, fail) {
                (Some(p), None) => {
                    if spec.max_rate.is_some_and(|m| p >= m) {
                        break CapacityEnd::MaxRate;
                    }
                    rate = spec.max_rate.map_or(p * 2.0, |m| (p * 2.0).min(m));
                }
                (None, _) => break CapacityEnd::StartRateFailed,
                (Some(p), Some(f)) => {
                    if (f - p) / p < spec.precision {
                        break CapacityEnd::Converged;
                    }
                    rate = (p + f) / 2.0;
                    kind = StepKind::Bisect;
                }
            }
        };
        let result = CapacityResult {
            slo: spec.slo.iter().map(|t| t.expression.clone()).collect(),
            min_achieved_ratio: MIN_ACHIEVED_RATIO,
            start_rate_rps: spec.start_rate,
            max_rate_rps: spec.max_rate,
            step_duration_s: spec.step_duration.as_secs_f64(),
            step_warmup_s: spec.step_warmup.as_secs_f64(),
            time_limit_s: spec.time_limit.as_secs_f64(),
            precision: spec.precision,
            steps,
            capacity_rps: pass,
            last_pass_rps: pass,
            first_fail_rps: fail,
            ended_by,
            elapsed_s: now().as_secs_f64(),
        };
        self.say(&format!(
            "capacity {} ({}), ended by {}",
            result
                .capacity_rps
                .map_or_else(|| "none".to_string(), |c| format!("{c:.0} req/s")),
            bracket_text(&result),
            ended_by.as_str()
        ));
        SearchOutcome {
            result,
            died,
            engine_error,
        }
    }

    fn say(&self, text: &str) {
        if let Some(label) = &self.label {
            (self.lines)(&format!("{label} {text}"));
        }
    }

    /// Warms, measures and judges one rate.
    fn step(&self, index: u32, kind: StepKind, rate: f64) -> StepRun {
        let mut plan = self.template.clone();
        plan.schedule = Schedule::OpenConstant { rate };
        plan.duration = self.spec.step_duration;
        plan.warmup = self.spec.step_warmup;
        let sampler = self
            .server
            .map(|s| Sampler::start(s.pid, s.sample_interval));
        let observer = StepObserver {
            edges: WindowEdges::new(sampler.as_ref()),
        };
        let outcome = (self.driver)(&plan, self.interrupt, &observer);
        let window = observer.edges.seconds();
        let cpu_resolution_s = sampler.as_ref().map(Sampler::cpu_resolution_s);
        let timeline = sampler.map(Sampler::finish);
        let load = match outcome {
            Err(e) => return StepRun::Error(format!("{e:#}")),
            Ok(load) if load.interrupted || self.interrupt.is_raised() => {
                return StepRun::Interrupted
            }
            Ok(load) => load,
        };
        let window = window.unwrap_or(load.elapsed_s);
        let server_cpu_s = match (&self.server, &timeline) {
            (Some(probe), Some(timeline)) => Some(
                usage(
                    timeline,
                    probe.idle_rss,
                    load.requests,
                    window,
                    probe.sample_interval,
                    cpu_resolution_s.unwrap_or_else(crate::supervise::cpu_tick_s),
                )
                .cpu_s,
            ),
            _ => None,
        };
        let utilization = match (server_cpu_s, &self.server) {
            (Some(cpu), Some(probe)) if window > 0.0 => {
                Some(cpu / (window * probe.cpus.max(1) as f64))
            }
            _ => None,
        };
        let step = judge(
            self.spec,
            index,
            kind,
            rate,
            &load,
            server_cpu_s,
            utilization,
        );
        self.say(&step_line(&step));
        StepRun::Done(Box::new(step))
    }
}

/// A step's figures and verdict from its load report.
fn judge(
    spec: &CapacitySpec,
    index: u32,
    kind: StepKind,
    offered: f64,
    load: &LoadReport,
    server_cpu_s: Option<f64>,
    server_cpu_utilization: Option<f64>,
) -> CapacityStep {
    let failed: Vec<ClauseMiss> = spec
        .misses(load, offered)
        .into_iter()
        .map(|(clause, observed)| ClauseMiss { clause, observed })
        .collect();
    CapacityStep {
        index,
        kind,
        offered_rps: offered,
        achieved_rps: achieved_rps(load),
        requests: load.requests,
        errors: load.errors.values().sum(),
        error_rate: error_rate(load),
        p50_us: load.latency.p50_us,
        p90_us: load.latency.p90_us,
        p99_us: load.latency.p99_us,
        p99_9_us: load.latency.p99_9_us,
        server_cpu_s,
        server_cpu_utilization,
        generator_limited: load.saturation.generator_limited,
        elapsed_s: load.elapsed_s,
        passed: failed.is_empty(),
        failed,
    }
}

fn step_line(s: &CapacityStep) -> String {
    let verdict = if s.passed {
        "pass".to_string()
    } else {
        let clauses: Vec<&str> = s.failed.iter().map(|m| m.clause.as_str()).collect();
        format!("FAIL ({})", clauses.join(", "))
    };
    format!(
        "capacity step {} ({}): offered {:.0} req/s, achieved {:.0}, p99 {:.2} ms, error rate {:.4}{}{}: {verdict}",
        s.index,
        match s.kind {
            StepKind::Ramp => "ramp",
            StepKind::Bisect => "bisect",
        },
        s.offered_rps,
        s.achieved_rps,
        s.p99_us as f64 / 1e3,
        s.error_rate,
        s.server_cpu_utilization
            .map(|u| format!(", server CPU {:.0}%", u * 100.0))
            .unwrap_or_default(),
        if s.generator_limited {
            ", generator-limited"
        } else {
            ""
        },
    )
}

/// The bracket as text: `3000–3250 req/s`, `≥ 8000 req/s`, `< 1000 req/s`.
pub fn bracket_text(r: &CapacityResult) -> String {
    match (r.last_pass_rps, r.first_fail_rps) {
        (Some(p), Some(f)) => format!("{p:.0}–{f:.0} req/s"),
        (Some(p), None) => format!("≥ {p:.0} req/s"),
        (None, Some(f)) => format!("< {f:.0} req/s"),
        (None, None) => "no step done".to_string(),
    }
}

/// Lines the sampler up with the engine's measured phase.
struct StepObserver<'a> {
    edges: WindowEdges<'a>,
}

impl LoadObserver for StepObserver<'_> {
    fn phase_started(&self, phase: Phase) {
        match phase {
            Phase::Measure => self.edges.mark_start(),
            Phase::Done => self.edges.mark_end(),
            Phase::Warmup => {}
        }
    }
}

#[cfg(test)]
#[path = "capacity_tests.rs"]
mod tests;

/// The hook of [`super::measure::measure_server`]: runs the search against
/// the measured instance of a server and puts it (and how the server fared)
/// into `result`.
pub(super) fn search_server(
    cx: &Context<'_>,
    scenario: &Scenario,
    spec: &CapacitySpec,
    server: &mut Supervised,
    idle_rss: u64,
    result: &mut ServerRunResult,
) {
    let name = result.server.name.clone();
    cx.say(
        scenario,
        &name,
        format!(
            "capacity search: from {:.0} req/s, SLO {}, at most {}",
            spec.start_rate,
            slo_text(spec),
            humantime::format_duration(spec.time_limit)
        ),
    );
    let cpus = scenario.server_cpus.as_ref().map_or_else(
        || {
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1)
        },
        |c| c.len().max(1),
    );
    let search = Search {
        spec,
        template: plan_for(cx, scenario, server.port()),
        driver: cx.driver,
        interrupt: cx.interrupt,
        server: Some(ServerProbe {
            pid: server.pid(),
            sample_interval: scenario.sample_interval,
            idle_rss,
            cpus,
        }),
        clock: None,
        label: cx
            .progress
            .then(|| format!("[{} · {name}]", scenario.info.name)),
        lines: cx.lines,
    };
    let outcome = search.run(&mut || died(server, "during the capacity search"));
    result.status = if let Some(status) = outcome.died {
        status
    } else if let Some(e) = outcome.engine_error {
        died(server, "during the capacity search").unwrap_or_else(|| {
            failed(
                format!("load engine failed in the capacity search: {e}"),
                None,
                server.stderr_tail(TAIL_LINES),
            )
        })
    } else if outcome.result.ended_by == CapacityEnd::Interrupted {
        RunStatus::Interrupted
    } else {
        died(server, "during the capacity search").unwrap_or(RunStatus::Ok)
    };
    result.capacity = Some(outcome.result);
}

/// The SLO as one line, with the achieved-rate clause that always applies.
pub fn slo_text(spec: &CapacitySpec) -> String {
    let mut clauses: Vec<String> = spec.slo.iter().map(|t| t.expression.clone()).collect();
    clauses.push(format!(
        "achieved >= {:.0}% of offered",
        MIN_ACHIEVED_RATIO * 100.0
    ));
    clauses.join(", ")
}
