//! The search logic against a mock driver: a fake server that serves any
//! rate up to a known capacity with low latency and falls behind above it
//! (the backlog grows, so corrected latency explodes and fewer requests
//! complete than were offered). A simulated clock advances by each step's
//! length, so the time limit is deterministic too.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use super::*;
use crate::load::plan::{RequestSpec, Target};
use crate::record::{latency_stats, new_histogram, record_clamped};
use crate::results::{GeneratorUsage, LoadModel, Saturation, SCHEMA_VERSION};

/// A load report of one step: `served` requests per second completed, all
/// successful, latency `p_us` for every request.
fn report(plan: &LoadPlan, served: f64, latency_us: u64, errors: u64) -> LoadReport {
    let seconds = plan.duration.as_secs_f64();
    let mut h = new_histogram();
    for _ in 0..100 {
        record_clamped(&mut h, latency_us);
    }
    let done = (served * seconds) as u64;
    LoadReport {
        schema_version: SCHEMA_VERSION,
        tool: crate::results::tool_info(),
        command_line: vec![],
        started_at: String::new(),
        target: "http://127.0.0.1:1/".into(),
        in_flight_per_connection: 1,
        http_version: "HTTP/1.1".into(),
        model: LoadModel::Open,
        rate_rps: None,
        connections: plan.connections,
        duration_s: seconds,
        warmup_s: plan.warmup.as_secs_f64(),
        elapsed_s: seconds,
        requests: done,
        successes: done - errors.min(done),
        errors: if errors > 0 {
            BTreeMap::from([("status".to_string(), errors)])
        } else {
            BTreeMap::new()
        },
        status_codes: BTreeMap::new(),
        throughput_rps: served,
        latency: latency_stats(&h),
        service_time: latency_stats(&h),
        corrected: true,
        schedule_lag: None,
        generator: GeneratorUsage {
            cpu_user_s: 0.0,
            cpu_sys_s: 0.0,
            cpus_given: 1,
            cpu_utilization: 0.1,
            threads: 1,
            rss_bytes: 0,
        },
        saturation: Saturation::default(),
        intervals: vec![],
        interrupted: false,
        shard: None,
        merged: None,
    }
}

/// A fake server of capacity `capacity`, on a simulated clock.
struct Fake {
    capacity: f64,
    clock_us: AtomicU64,
    rates: Mutex<Vec<f64>>,
    /// Raise the interrupt after this many steps.
    interrupt_after: Option<(usize, Interrupt)>,
}

impl Fake {
    fn new(capacity: f64) -> Fake {
        Fake {
            capacity,
            clock_us: AtomicU64::new(0),
            rates: Mutex::new(Vec::new()),
            interrupt_after: None,
        }
    }

    fn drive(&self, plan: &LoadPlan) -> anyhow::Result<LoadReport> {
        let Schedule::OpenConstant { rate } = plan.schedule else {
            anyhow::bail!("a capacity step must be open-model at a constant rate");
        };
        let length = plan.warmup + plan.duration;
        self.clock_us
            .fetch_add(length.as_micros() as u64, Ordering::SeqCst);
        let mut rates = self.rates.lock().unwrap();
        rates.push(rate);
        if let Some((n, interrupt)) = &self.interrupt_after {
            if rates.len() >= *n {
                interrupt.raise();
            }
        }
        Ok(if rate <= self.capacity {
            report(plan, rate, 800, 0)
        } else {
            // The backlog grows by (rate - capacity) per second: the
            // corrected p99 is at least the backlog's drain time at the
            // end; the fake adds 50 ms so that p99 explodes right above the
            // capacity instead of creeping over the SLO a little later.
            let backlog_s = (rate - self.capacity) * plan.duration.as_secs_f64() / self.capacity;
            report(plan, self.capacity, 50_800 + (backlog_s * 1e6) as u64, 0)
        })
    }

    fn now(&self) -> Duration {
        Duration::from_micros(self.clock_us.load(Ordering::SeqCst))
    }
}

fn spec(slo: &[&str]) -> CapacitySpec {
    CapacitySpec {
        slo: slo.iter().map(|s| s.parse().unwrap()).collect(),
        start_rate: 500.0,
        max_rate: None,
        step_duration: Duration::from_secs(5),
        step_warmup: Duration::from_secs(1),
        time_limit: Duration::from_secs(600),
        precision: 0.02,
    }
}

fn template() -> LoadPlan {
    LoadPlan {
        target: Target {
            host: "127.0.0.1".into(),
            port: 1,
        },
        requests: vec![RequestSpec {
            method: "GET".into(),
            path: "/".into(),
            headers: vec![],
            body: Default::default(),
            weight: 1,
            expect_status: None,
            expect_body: None,
        }],
        connections: 64,
        schedule: Schedule::Closed,
        duration: Duration::from_secs(1),
        warmup: Duration::ZERO,
        threads: 1,
        cpus: None,
        timeout: Duration::from_secs(1),
        http2: false,
        pipeline: 1,
        streams: 1,
        http1_client: crate::load::Http1Client::Lean,
        command_line: vec![],
    }
}

fn search(fake: &Fake, spec: &CapacitySpec, interrupt: &Interrupt) -> SearchOutcome {
    let driver = |plan: &LoadPlan, _: &Interrupt, _: &dyn LoadObserver| fake.drive(plan);
    let clock = || fake.now();
    Search {
        spec,
        template: template(),
        driver: &driver,
        interrupt,
        server: None,
        clock: Some(&clock),
        label: None,
        lines: &|_| {},
    }
    .run(&mut || None)
}

#[test]
fn finds_the_known_capacity_within_the_precision_asked() {
    let fake = Fake::new(3300.0);
    let spec = spec(&["p99 < 20ms", "error_rate < 0.001"]);
    let out = search(&fake, &spec, &Interrupt::new());
    let r = &out.result;
    assert_eq!(r.ended_by, CapacityEnd::Converged);
    let (pass, fail) = (r.last_pass_rps.unwrap(), r.first_fail_rps.unwrap());
    assert!(pass <= 3300.0 && 3300.0 < fail, "bracket {pass}..{fail}");
    assert!((fail - pass) / pass < spec.precision);
    assert_eq!(r.capacity_rps, Some(pass));
    // The ramp doubles from the start rate: 500, 1000, 2000, 4000 (fails).
    let rates: Vec<f64> = r.steps.iter().map(|s| s.offered_rps).collect();
    assert_eq!(&rates[..4], &[500.0, 1000.0, 2000.0, 4000.0]);
    assert!(r.steps[..4].iter().all(|s| s.kind == StepKind::Ramp));
    assert!(r.steps[4..].iter().all(|s| s.kind == StepKind::Bisect));
    // Every step the driver ran is recorded, numbered in order.
    assert_eq!(*fake.rates.lock().unwrap(), rates);
    assert!(r
        .steps
        .iter()
        .enumerate()
        .all(|(i, s)| s.index == i as u32 + 1));
    // A failing step says which clause broke.
    let step = &r.steps[3];
    assert!(!step.passed);
    assert!(step.failed.iter().any(|m| m.clause == "p99 < 20ms"));
    assert!(step
        .failed
        .iter()
        .any(|m| m.clause.starts_with("achieved >= 99%")));
    assert!((r.elapsed_s - 6.0 * r.steps.len() as f64).abs() < 1e-6);
}

#[test]
fn achieved_rate_is_part_of_the_slo_even_without_clauses() {
    // No latency clause: only the achieved share can fail, right above capacity.
    let fake = Fake::new(1500.0);
    let out = search(&fake, &spec(&[]), &Interrupt::new());
    let (pass, fail) = (
        out.result.last_pass_rps.unwrap(),
        out.result.first_fail_rps.unwrap(),
    );
    assert!(pass <= 1500.0 && 1500.0 < fail, "bracket {pass}..{fail}");
}

#[test]
fn a_start_rate_above_capacity_reports_no_capacity() {
    let fake = Fake::new(300.0);
    let out = search(&fake, &spec(&["p99 < 20ms"]), &Interrupt::new());
    assert_eq!(out.result.ended_by, CapacityEnd::StartRateFailed);
    assert_eq!(out.result.capacity_rps, None);
    assert_eq!(out.result.first_fail_rps, Some(500.0));
    assert_eq!(out.result.steps.len(), 1);
}

#[test]
fn max_rate_caps_the_ramp() {
    let fake = Fake::new(100_000.0);
    let mut spec = spec(&["p99 < 20ms"]);
    spec.max_rate = Some(3000.0);
    let out = search(&fake, &spec, &Interrupt::new());
    let rates: Vec<f64> = out.result.steps.iter().map(|s| s.offered_rps).collect();
    assert_eq!(rates, [500.0, 1000.0, 2000.0, 3000.0]);
    assert_eq!(out.result.ended_by, CapacityEnd::MaxRate);
    assert_eq!(out.result.capacity_rps, Some(3000.0));
    assert_eq!(out.result.first_fail_rps, None);
}

#[test]
fn no_step_starts_that_would_end_after_the_time_limit() {
    let fake = Fake::new(3300.0);
    let mut spec = spec(&["p99 < 20ms"]);
    // Steps of 6 s: three fit in 20 s, a fourth would end at 24 s.
    spec.time_limit = Duration::from_secs(20);
    let out = search(&fake, &spec, &Interrupt::new());
    assert_eq!(out.result.ended_by, CapacityEnd::TimeLimit);
    assert_eq!(out.result.steps.len(), 3);
    assert_eq!(out.result.capacity_rps, Some(2000.0));
    assert!(out.result.elapsed_s <= 20.0);
}

#[test]
fn ctrl_c_keeps_the_steps_done_and_marks_the_search_interrupted() {
    let interrupt = Interrupt::new();
    let mut fake = Fake::new(3300.0);
    fake.interrupt_after = Some((3, interrupt.clone()));
    let out = search(&fake, &spec(&["p99 < 20ms"]), &interrupt);
    assert_eq!(out.result.ended_by, CapacityEnd::Interrupted);
    // The third step was cut short: not judged, not kept.
    assert_eq!(out.result.steps.len(), 2);
    assert_eq!(out.result.capacity_rps, Some(1000.0));
}

#[test]
fn errors_above_the_slo_fail_a_step_the_latency_would_pass() {
    let spec = spec(&["p99 < 20ms", "error_rate < 0.001"]);
    let plan = template();
    let ok = report(&plan, 1000.0, 800, 0);
    assert!(spec.misses(&ok, 1000.0).is_empty());
    let failing = report(&plan, 1000.0, 800, 10);
    let misses = spec.misses(&failing, 1000.0);
    assert_eq!(misses.len(), 1, "{misses:?}");
    assert_eq!(misses[0].0, "error_rate < 0.001");
    // 10 `status` errors among 1,000 complete responses: failed ÷ attempted
    // is 10 / 1,000, the figure an `error_rate` threshold uses (a failed
    // response is counted once, not also as a request).
    assert!((misses[0].1 - 10.0 / 1000.0).abs() < 1e-9);
}
