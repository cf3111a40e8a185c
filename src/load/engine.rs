//! The engine's coordinator: [`run_plan`] prepares the request mix, starts one
//! pinned thread per worker (each running [`super::worker`]'s loop), tells the
//! observer when the measured phase starts and ends, merges the per-second
//! interval histograms as they arrive, measures the generator's own CPU, and
//! fills the [`LoadReport`].

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use anyhow::Context;
use hdrhistogram::Histogram;

use super::plan::{Http1Client, LoadObserver, LoadPlan, Phase, Progress, Schedule};
use super::schedule::Pacer;
use super::worker::{run_worker, PreparedSpec, Shared, WorkerMsg, WorkerResult};
use super::{http1, http2, hyper_http1};
use crate::cpus::CpuSet;
use crate::interrupt::Interrupt;
use crate::record::{
    latency_stats, new_interval_histogram, CompactHistogram, IntervalHistogram, IntervalPart,
    Recorder,
};
use crate::results::{
    GeneratorUsage, LoadModel, LoadReport, Saturation, ScheduleLag, SCHEMA_VERSION,
};

/// The generator counts as saturated at this share of its CPUs.
pub const CPU_SATURATION: f64 = 0.90;
/// An open-model run fell behind when its p99 schedule lag exceeds this.
pub const LAG_LIMIT: Duration = Duration::from_millis(5);

/// What a run produced.
#[derive(Debug, Clone)]
pub struct LoadOutcome {
    /// The result document, fully filled.
    pub report: LoadReport,
    /// Per-second latency histograms of the measured phase, for `.hlog`.
    pub interval_histograms: Vec<IntervalHistogram>,
    /// Wall-clock start of the measured phase (the `.hlog` StartTime).
    pub measure_started: SystemTime,
    /// Schedule lag of the measured phase (open model; empty otherwise).
    pub lag: Histogram<u64>,
}

/// Runs `plan` and returns what was measured. Blocking: builds one
/// single-threaded tokio runtime per worker thread (`plan.threads` of them,
/// pinned to `plan.cpus`), runs the warmup, then the measured phase. When
/// `interrupt` is raised the run stops and what was measured is returned with
/// `report.interrupted = true`.
pub fn run_plan(
    plan: &LoadPlan,
    interrupt: &Interrupt,
    observer: &dyn LoadObserver,
) -> anyhow::Result<LoadOutcome> {
    let mix = prepare_mix(plan)?;
    let threads = plan.threads.clamp(1, plan.connections.max(1) as usize);
    let pacer = Pacer::new(&plan.schedule, plan.warmup, plan.duration);
    let start = Instant::now() + Duration::from_millis(20);
    let shared = Arc::new(Shared {
        target: plan.target.clone(),
        mix,
        measure_start: start + pacer.measure_start(),
        end: start + pacer.end(),
        pacer,
        start,
        next_slot: AtomicU64::new(0),
        sent_in_measure: AtomicU64::new(0),
        timeout: plan.timeout,
        http2: plan.http2,
        hyper_http1: !plan.http2 && plan.http1_client == Http1Client::Hyper,
        depth: plan.depth(),
        interrupt: interrupt.clone(),
    });

    let (tx, rx) = mpsc::channel::<WorkerMsg>();
    let mut handles = Vec::with_capacity(threads);
    for w in 0..threads {
        let conns: Vec<u32> = (0..plan.connections)
            .filter(|c| *c as usize % threads == w)
            .collect();
        let shared = shared.clone();
        let tx = tx.clone();
        let cpus = plan.cpus.clone();
        let handle = std::thread::Builder::new()
            .name(format!("gauntlet-load-{w}"))
            .spawn(move || {
                if let Some(cpus) = cpus {
                    cpus.pin_current_thread()?;
                }
                run_worker(shared, conns, tx)
            })
            .context("starting a load worker thread")?;
        handles.push(handle);
    }
    drop(tx);

    // Coordinate: phases, intervals, progress.
    let mut phase = Phase::Warmup;
    if plan.warmup > Duration::ZERO {
        observer.phase_started(Phase::Warmup);
    }
    let mut cpu_at_measure = None;
    let mut measure_started = SystemTime::now();
    // Seconds still being filled (a part from each worker), then, once
    // complete, kept compact: one per second of the run.
    let mut filling: BTreeMap<usize, (IntervalPart, usize)> = BTreeMap::new();
    let mut closed: BTreeMap<usize, IntervalHistogram> = BTreeMap::new();
    let mut requests_so_far = 0u64;
    let mut errors_so_far = 0u64;
    loop {
        let now = Instant::now();
        if phase == Phase::Warmup && now >= shared.measure_start {
            phase = Phase::Measure;
            cpu_at_measure = Some(cpu_times());
            measure_started = SystemTime::now();
            observer.phase_started(Phase::Measure);
        }
        let wait = if phase == Phase::Warmup {
            shared.measure_start.saturating_duration_since(now)
        } else {
            Duration::from_millis(250)
        };
        match rx.recv_timeout(wait.max(Duration::from_millis(1))) {
            Ok(WorkerMsg::Interval(part)) => {
                let index = part.index;
                let entry = filling.entry(index).or_insert_with(|| {
                    let empty = IntervalPart {
                        index,
                        latency: new_interval_histogram(),
                        requests: 0,
                        errors: 0,
                    };
                    (empty, 0)
                });
                let _ = entry.0.latency.add(&part.latency);
                entry.0.requests += part.requests;
                entry.0.errors += part.errors;
                entry.1 += 1;
                if entry.1 < threads {
                    continue;
                }
                let Some((done, _)) = filling.remove(&index) else {
                    continue;
                };
                let second = compact(done);
                // A partial interval after the measured window (responses
                // drained after the last send) is recorded but not shown as
                // progress: it would read like "4/3s: 64 req/s".
                if second.start < plan.duration {
                    requests_so_far += second.requests;
                    errors_so_far += second.errors;
                    observer.progress(&Progress {
                        phase: Phase::Measure,
                        elapsed: second.start + second.length,
                        phase_length: plan.duration,
                        requests: requests_so_far,
                        errors: errors_so_far,
                        recent_rps: second.requests as f64,
                        recent_p99_us: second.latency.p99(),
                    });
                }
                closed.insert(index, second);
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }

    let mut results: Vec<WorkerResult> = Vec::with_capacity(threads);
    for h in handles {
        match h.join() {
            Ok(Ok(r)) => results.push(r),
            Ok(Err(e)) => return Err(e).context("a load worker could not run"),
            Err(_) => anyhow::bail!("a load worker thread panicked"),
        }
    }
    let cpu_end = cpu_times();
    observer.phase_started(Phase::Done);
    let interrupted = interrupt.is_raised();

    let mut total = Recorder::new();
    for r in &results {
        total.merge(&r.recorder);
    }
    let finished = results
        .iter()
        .map(|r| r.finished_at)
        .max()
        .unwrap_or_else(Instant::now);
    let elapsed = finished.saturating_duration_since(shared.measure_start);
    let cpu_start = cpu_at_measure.unwrap_or(cpu_end);
    let cpu_user = (cpu_end.0 - cpu_start.0).max(0.0);
    let cpu_sys = (cpu_end.1 - cpu_start.1).max(0.0);

    // Seconds some worker never closed (it ended early) are complete now.
    for (index, (part, _)) in std::mem::take(&mut filling) {
        closed.insert(index, compact(part));
    }
    let mut intervals: Vec<IntervalHistogram> = closed
        .into_values()
        .filter(|h| h.start < elapsed || h.requests > 0)
        .collect();
    if let Some(last) = intervals.last_mut() {
        if elapsed > last.start && elapsed < last.start + last.length {
            last.length = elapsed - last.start;
        }
    }

    let report = build_report(
        plan,
        &shared,
        threads,
        &total,
        elapsed,
        (cpu_user, cpu_sys),
        measure_started,
        &intervals,
        interrupted,
    );
    Ok(LoadOutcome {
        report,
        interval_histograms: intervals,
        measure_started,
        lag: total.lag.clone(),
    })
}

/// A second merged over the workers, stored compact.
fn compact(part: IntervalPart) -> IntervalHistogram {
    IntervalHistogram {
        start: Duration::from_secs(part.index as u64),
        length: Duration::from_secs(1),
        latency: CompactHistogram::from(&part.latency),
        requests: part.requests,
        errors: part.errors,
    }
}

fn prepare_mix(plan: &LoadPlan) -> anyhow::Result<Vec<PreparedSpec>> {
    anyhow::ensure!(!plan.requests.is_empty(), "the load plan has no request");
    let mut cumulative = 0u64;
    plan.requests
        .iter()
        .map(|spec| {
            cumulative += u64::from(spec.weight.max(1));
            Ok(PreparedSpec {
                h1: http1::encode_request(&plan.target, spec),
                h2: if plan.http2 {
                    Some(http2::prepare(&plan.target, spec)?)
                } else {
                    None
                },
                hyper1: if !plan.http2 && plan.http1_client == Http1Client::Hyper {
                    Some(hyper_http1::prepare(&plan.target, spec)?)
                } else {
                    None
                },
                expect_status: spec.expect_status,
                expect_body: spec.expect_body.clone(),
                cumulative_weight: cumulative,
            })
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn build_report(
    plan: &LoadPlan,
    shared: &Shared,
    threads: usize,
    total: &Recorder,
    elapsed: Duration,
    (cpu_user, cpu_sys): (f64, f64),
    measure_started: SystemTime,
    intervals: &[IntervalHistogram],
    interrupted: bool,
) -> LoadReport {
    let open = shared.pacer.is_open();
    let elapsed_s = elapsed.as_secs_f64();
    let cpus_available = match &plan.cpus {
        Some(set) => set.len(),
        None => CpuSet::current().map(|s| s.len()).unwrap_or(1),
    };
    let cpus_given = cpus_available.min(threads).max(1) as u32;
    let cpu_utilization = if elapsed_s > 0.0 {
        (cpu_user + cpu_sys) / (elapsed_s * f64::from(cpus_given))
    } else {
        0.0
    };
    let mut saturation = Saturation::default();
    if cpu_utilization >= CPU_SATURATION {
        saturation.reasons.push(format!(
            "generator used {:.0}% of its {} CPU(s)",
            cpu_utilization * 100.0,
            cpus_given
        ));
    }
    let schedule_lag = open.then(|| lag_of(&total.lag, not_sent(shared, elapsed, interrupted)));
    if let Some(lag) = &schedule_lag {
        if lag.p99_us > LAG_LIMIT.as_micros() as u64 {
            saturation.reasons.push(format!(
                "generator fell behind its schedule (p99 schedule lag {:.1} ms)",
                lag.p99_us as f64 / 1000.0
            ));
        }
    }
    saturation.generator_limited = !saturation.reasons.is_empty();
    let rate_rps = match &plan.schedule {
        Schedule::OpenConstant { rate } => Some(*rate),
        Schedule::OpenStages(stages) => stages.iter().map(|s| s.target).reduce(f64::max),
        _ => None,
    };
    let target = match plan.requests.as_slice() {
        [one] => format!("{}{}", plan.target.origin(), one.path),
        _ => plan.target.origin(),
    };
    LoadReport {
        schema_version: SCHEMA_VERSION,
        tool: crate::results::tool_info(),
        command_line: plan.command_line.clone(),
        started_at: rfc3339(measure_started),
        target,
        http_version: if plan.http2 { "HTTP/2" } else { "HTTP/1.1" }.to_string(),
        model: if open {
            LoadModel::Open
        } else {
            LoadModel::Closed
        },
        rate_rps,
        connections: plan.connections,
        in_flight_per_connection: shared.depth as u32,
        duration_s: plan.duration.as_secs_f64(),
        warmup_s: plan.warmup.as_secs_f64(),
        elapsed_s,
        requests: total.requests,
        successes: total.successes,
        errors: total
            .errors
            .iter()
            .map(|(k, v)| (k.name().to_string(), *v))
            .collect(),
        status_codes: total.status_codes.clone(),
        throughput_rps: if elapsed_s > 0.0 {
            total.requests as f64 / elapsed_s
        } else {
            0.0
        },
        latency: latency_stats(&total.latency),
        service_time: latency_stats(&total.service),
        corrected: open,
        schedule_lag,
        generator: GeneratorUsage {
            cpu_user_s: cpu_user,
            cpu_sys_s: cpu_sys,
            cpus_given,
            cpu_utilization,
            threads: threads as u32,
            rss_bytes: rss_bytes(),
        },
        saturation,
        intervals: intervals.iter().map(IntervalHistogram::stats).collect(),
        interrupted,
        shard: None,
        merged: None,
    }
}

fn lag_of(h: &Histogram<u64>, not_sent: u64) -> ScheduleLag {
    if h.is_empty() {
        return ScheduleLag {
            mean_us: 0.0,
            p99_us: 0,
            max_us: 0,
            not_sent,
        };
    }
    // Lags of 0 were recorded as 1 µs (the histogram's floor).
    ScheduleLag {
        mean_us: h.mean(),
        p99_us: h.value_at_quantile(0.99),
        max_us: h.max(),
        not_sent,
    }
}

/// Open model: the requests of the measured phase the schedule meant to send
/// (up to the end, or up to the interrupt) that the workers never sent.
fn not_sent(shared: &Shared, elapsed: Duration, interrupted: bool) -> u64 {
    let from = shared.pacer.measure_start();
    let until = if interrupted {
        from + elapsed
    } else {
        shared.pacer.end()
    };
    let sent = shared.sent_in_measure.load(Ordering::Relaxed);
    shared
        .pacer
        .scheduled_between(from, until)
        .saturating_sub(sent)
}

fn rfc3339(t: SystemTime) -> String {
    time::OffsetDateTime::from(t)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// User and system CPU seconds of this process so far.
pub fn cpu_times() -> (f64, f64) {
    // SAFETY: getrusage fills a plain-data struct we own.
    unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        if libc::getrusage(libc::RUSAGE_SELF, &mut usage) != 0 {
            return (0.0, 0.0);
        }
        let secs = |tv: libc::timeval| tv.tv_sec as f64 + tv.tv_usec as f64 / 1e6;
        (secs(usage.ru_utime), secs(usage.ru_stime))
    }
}

/// Resident memory of this process in bytes (0 when /proc is unreadable).
pub fn rss_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    // SAFETY: sysconf has no preconditions.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    pages * u64::try_from(page).unwrap_or(4096)
}
