//! One scenario × server, measured: build (cached), cold starts, idle RSS,
//! memory per idle connection, then the repetitions of the load with the
//! server's process tree sampled and lined up with the measured window
//! (after a warmup to steady state, [`super::steady`]), then the warnings. A
//! server that dies keeps what was measured and is marked failed; Ctrl-C
//! keeps it too and marks it interrupted. The server is always stopped.

use std::time::Duration;

use crate::interrupt::Interrupt;
use crate::load::plan::{LoadObserver, LoadPlan, Phase, Progress, Target};
use crate::results::{
    Environment, LoadReport, Repetition, RunStatus, ServerInfo, ServerRunResult, SCHEMA_VERSION,
};
use crate::servers::ServerEntry;
use crate::supervise::{
    describe_status, launch, sample_tree, startup_stats, usage, LaunchOptions, Sampler, StartError,
    Supervised, WaitError, WindowEdges,
};

use super::bound::{self, server_cpus_of};
use super::errors;
use super::Scenario;
use crate::supervise::schedstat;

/// Grace between SIGTERM and SIGKILL when stopping a server.
pub const STOP_GRACE: Duration = Duration::from_secs(3);
/// Lines of a server's stderr kept in a failed result.
pub(super) const TAIL_LINES: usize = 20;
/// Pause after readiness before idle RSS is read.
const SETTLE: Duration = Duration::from_millis(300);

/// Runs one plan through the load engine; a seam so the runner does not
/// care how the engine is reached.
pub type Driver<'a> =
    &'a (dyn Fn(&LoadPlan, &Interrupt, &dyn LoadObserver) -> anyhow::Result<LoadReport> + Sync);

/// Where a run's lines for standard error go: progress while it measures
/// and warnings. `commands::run` prints them; the scenario module prints
/// nothing itself.
pub type Lines<'a> = &'a (dyn Fn(&str) + Sync);

/// Everything the measurement of one server needs besides the scenario.
pub struct Context<'a> {
    /// The run id.
    pub run_id: &'a str,
    /// The fingerprint stamped into the result.
    pub environment: &'a Environment,
    /// Ctrl-C.
    pub interrupt: &'a Interrupt,
    /// The load engine.
    pub driver: Driver<'a>,
    /// Extra environment for every server (e.g. `UPSTREAM_URL`).
    pub extra_env: Vec<(String, String)>,
    /// Send progress lines to `lines` (warnings go there regardless).
    pub progress: bool,
    /// Where progress lines and warnings go.
    pub lines: Lines<'a>,
    /// The command line, recorded in every load report.
    pub command_line: Vec<String>,
}

impl Context<'_> {
    pub(super) fn say(&self, scenario: &Scenario, server: &str, text: impl AsRef<str>) {
        if self.progress {
            (self.lines)(&format!(
                "[{} · {server}] {}",
                scenario.info.name,
                text.as_ref()
            ));
        }
    }
}

/// A result with nothing measured yet.
pub fn empty_result(
    cx: &Context<'_>,
    scenario: &Scenario,
    server: ServerInfo,
    status: RunStatus,
) -> ServerRunResult {
    ServerRunResult {
        schema_version: SCHEMA_VERSION,
        run_id: cx.run_id.to_string(),
        scenario: scenario.info.clone(),
        server,
        environment: cx.environment.clone(),
        status,
        build: None,
        startup: None,
        idle_connections: None,
        repetitions: Vec::new(),
        thresholds: Vec::new(),
        server_cpus: scenario
            .server_cpus
            .as_ref()
            .map_or_else(Vec::new, |c| c.cpus().to_vec()),
        loadgen_cpus: scenario
            .loadgen_cpus
            .as_ref()
            .map_or_else(Vec::new, |c| c.cpus().to_vec()),
        warmup: None,
        warnings: Vec::new(),
        capacity: None,
        footprint: None,
        fd_limit: scenario.fd_limit.clone(),
    }
}

pub(super) fn failed(
    reason: String,
    exit_status: Option<String>,
    stderr_tail: Vec<String>,
) -> RunStatus {
    RunStatus::Failed {
        reason,
        exit_status,
        stderr_tail,
    }
}

/// Measures `entry` under `scenario`. Never returns early without stopping
/// the server; thresholds are left to the caller.
pub fn measure_server(
    cx: &Context<'_>,
    scenario: &Scenario,
    entry: &ServerEntry,
    info: ServerInfo,
) -> ServerRunResult {
    // The result's name: a variant's own (`python-uvicorn-2cpu`), not the entry's.
    let name = info.name.clone();
    let mut result = empty_result(cx, scenario, info, RunStatus::Ok);
    if let Err(why) = entry.availability() {
        result.status = RunStatus::Skipped { reason: why };
        return result;
    }
    cx.say(scenario, &name, "building (cached when unchanged)");
    match entry.build() {
        Ok(build) => {
            result.build = Some(build);
            if !entry.manifest.footprint.is_empty() {
                result.footprint = Some(crate::servers::footprint::measure(
                    &entry.manifest.footprint,
                ));
            }
        }
        Err(e) => {
            result.status = RunStatus::Skipped {
                reason: format!("{e:#}"),
            };
            return result;
        }
    }
    let opts = LaunchOptions {
        cpus: scenario.server_cpus.clone(),
        extra_env: cx.extra_env.clone(),
    };

    // Cold starts.
    let mut samples_ms = Vec::new();
    for i in 0..scenario.startup_samples {
        if cx.interrupt.is_raised() {
            result.status = RunStatus::Interrupted;
            break;
        }
        match start(entry, &opts, scenario.startup_timeout, cx.interrupt) {
            Ok((server, took)) => {
                samples_ms.push(took.as_secs_f64() * 1e3);
                if let Err(e) = server.stop(STOP_GRACE) {
                    (cx.lines)(&format!("warning: {e:#}"));
                }
            }
            Err(status) => {
                result.status = status;
                break;
            }
        }
        cx.say(
            scenario,
            &name,
            format!(
                "cold start {}/{}: {:.1} ms",
                i + 1,
                scenario.startup_samples,
                samples_ms.last().copied().unwrap_or(f64::NAN)
            ),
        );
    }
    result.startup = (!samples_ms.is_empty()).then(|| startup_stats(samples_ms));
    if result.status != RunStatus::Ok {
        return result;
    }
    if cx.interrupt.is_raised() {
        result.status = RunStatus::Interrupted;
        return result;
    }

    // The measured instance.
    let mut server = match start(entry, &opts, scenario.startup_timeout, cx.interrupt) {
        Ok((server, _)) => server,
        Err(status) => {
            result.status = status;
            return result;
        }
    };
    std::thread::sleep(SETTLE);
    let idle_rss = sample_tree(server.pid()).map_or(0, |s| s.rss_bytes);
    cx.say(scenario, &name, format!("idle RSS {}", mib(idle_rss)));
    if scenario.idle_connections > 0 {
        let idle = super::idle::measure(
            &server,
            scenario.idle_connections,
            &entry.manifest.ready_path,
            SETTLE,
        );
        let held = idle
            .shortfall()
            .unwrap_or_else(|| format!("{} held", idle.held_count()));
        let each = idle.bytes_per_connection / 1024.0;
        cx.say(
            scenario,
            &name,
            format!("idle connections: {held}; {each:.1} KiB each"),
        );
        result.idle_connections = Some(idle);
    }

    // Warm once per server until steady (`warmup = "auto"`).
    if let Some(spec) = &scenario.auto_warmup {
        let plan = plan_for(cx, scenario, server.port());
        match super::steady::warm_up(cx, scenario, &name, spec, &plan) {
            Ok(record) => result.warmup = Some(record),
            Err(e) => {
                result.status = died(&mut server, "during the warmup").unwrap_or_else(|| {
                    failed(
                        format!("load engine failed in the warmup: {e:#}"),
                        None,
                        server.stderr_tail(TAIL_LINES),
                    )
                })
            }
        }
    }

    if let Some(spec) = scenario
        .capacity
        .as_ref()
        .filter(|_| result.status == RunStatus::Ok)
    {
        super::capacity::search_server(cx, scenario, spec, &mut server, idle_rss, &mut result);
    }
    // A capacity search replaces the fixed-rate repetitions.
    let repetitions = if scenario.capacity.is_some() {
        0
    } else {
        scenario.repetitions
    };
    for index in 1..=repetitions {
        if result.status != RunStatus::Ok {
            break;
        }
        if cx.interrupt.is_raised() {
            result.status = RunStatus::Interrupted;
            break;
        }
        if let Some(status) = died(&mut server, &format!("before repetition {index}")) {
            result.status = status;
            break;
        }
        let plan = plan_for(cx, scenario, server.port());
        let sampler = Sampler::start(server.pid(), scenario.sample_interval);
        let observer = Observer {
            edges: WindowEdges::new(Some(&sampler)),
            sched: schedstat::Window::new(server.pid(), result.server_cpus.clone()),
            label: format!(
                "[{} · {name}] repetition {index}/{}",
                scenario.info.name, scenario.repetitions
            ),
            progress: cx.progress.then_some(cx.lines),
        };
        let outcome = (cx.driver)(&plan, cx.interrupt, &observer);
        let window = observer.edges.seconds();
        let cpu_resolution_s = sampler.cpu_resolution_s();
        let sched = observer.sched.delta();
        let timeline = sampler.finish();
        match outcome {
            Ok(load) => {
                let window = window.unwrap_or(load.elapsed_s);
                let usage = usage(
                    &timeline,
                    idle_rss,
                    load.requests,
                    window,
                    scenario.sample_interval,
                    cpu_resolution_s,
                );
                let bound =
                    bound::of_repetition(&load, &usage, window, server_cpus_of(&result), sched);
                let all_failed = errors::all_failed(&load, index);
                cx.say(
                    scenario,
                    &name,
                    format!(
                        "repetition {index}/{}: {:.0} req/s, p99 {:.2} ms, peak RSS {}, {}, {} (server CPUs {:.0} % busy, generator {:.0} %), {} errors",
                        scenario.repetitions,
                        load.throughput_rps,
                        load.latency.p99_us as f64 / 1e3,
                        mib(usage.peak_rss_bytes),
                        usage
                            .requests_per_cpu()
                            .map_or("CPU below resolution".into(), |v| format!(
                                "{v:.0} req per CPU-s"
                            )),
                        bound::word(bound.by),
                        bound.server_utilization * 100.0,
                        bound.generator_utilization * 100.0,
                        errors::percent(errors::error_rate(&load)),
                    ),
                );
                let interrupted = load.interrupted || cx.interrupt.is_raised();
                result.repetitions.push(Repetition {
                    index,
                    load,
                    server: Some(usage),
                    bound: Some(bound),
                });
                if let Some(status) = died(&mut server, &format!("during repetition {index}")) {
                    result.status = status;
                    break;
                }
                if interrupted {
                    result.status = RunStatus::Interrupted;
                    break;
                }
                if let Some(reason) = all_failed {
                    result.status = failed(reason, None, server.stderr_tail(TAIL_LINES));
                    break;
                }
            }
            Err(e) => {
                result.status = died(&mut server, &format!("during repetition {index}"))
                    .unwrap_or_else(|| {
                        failed(
                            format!("load engine failed in repetition {index}: {e:#}"),
                            None,
                            server.stderr_tail(TAIL_LINES),
                        )
                    });
                break;
            }
        }
    }
    if let Err(e) = server.stop(STOP_GRACE) {
        (cx.lines)(&format!("warning: {e:#}"));
    }
    result
        .warnings
        .extend(crate::results::warnings::analyze(&result));
    result
}

/// Launches and waits for readiness (giving up at once on Ctrl-C); a
/// failure becomes a `Failed` (or `Interrupted`) status.
fn start(
    entry: &ServerEntry,
    opts: &LaunchOptions,
    timeout: Duration,
    interrupt: &Interrupt,
) -> Result<(Supervised, Duration), RunStatus> {
    let mut server = launch(entry, opts)
        .map_err(|e| failed(format!("cannot start: {e:#}"), None, Vec::new()))?;
    match server.wait_ready_or_interrupt(timeout, interrupt) {
        Ok(took) => Ok((server, took)),
        Err(WaitError::Interrupted { .. }) => Err(RunStatus::Interrupted),
        Err(WaitError::Start(e)) => {
            let status = failed(
                match &e {
                    StartError::Exited { .. } => "exited before it was ready".to_string(),
                    StartError::Timeout {
                        timeout,
                        last_problem,
                        ..
                    } => format!("not ready within startup_timeout = {timeout:?}: {last_problem}"),
                },
                e.exit_status().as_ref().map(describe_status),
                e.stderr_tail().to_vec(),
            );
            drop(server);
            Err(status)
        }
    }
}

/// `Some(Failed)` when the server has exited.
pub(super) fn died(server: &mut Supervised, when: &str) -> Option<RunStatus> {
    let status = server.exit_status()?;
    // Let the stderr reader catch the last lines.
    std::thread::sleep(Duration::from_millis(50));
    let described = describe_status(&status);
    Some(failed(
        format!("exited with {described} {when}"),
        Some(described),
        server.stderr_tail(TAIL_LINES),
    ))
}

pub(super) fn plan_for(cx: &Context<'_>, scenario: &Scenario, port: u16) -> LoadPlan {
    let threads = scenario.threads.unwrap_or_else(|| {
        scenario.loadgen_cpus.as_ref().map_or_else(
            || {
                std::thread::available_parallelism()
                    .map(|n| n.get())
                    .unwrap_or(1)
            },
            |c| c.len().max(1),
        )
    });
    LoadPlan {
        target: Target {
            host: "127.0.0.1".into(),
            port,
        },
        requests: scenario.requests.clone(),
        connections: scenario.connections,
        schedule: scenario.schedule.clone(),
        duration: scenario.duration,
        warmup: scenario.warmup,
        threads,
        cpus: scenario.loadgen_cpus.clone(),
        timeout: scenario.timeout,
        http2: scenario.streams.is_some(),
        pipeline: scenario.pipeline,
        streams: scenario.streams.unwrap_or(1),
        http1_client: crate::load::Http1Client::Lean,
        command_line: cx.command_line.clone(),
    }
}

/// Lines the sampler up with the engine's measured phase and prints progress.
struct Observer<'a> {
    /// The measured window's edges, read through the sampler.
    edges: WindowEdges<'a>,
    /// The server's CPU wait over the measured phase, for [`bound`].
    sched: schedstat::Window,
    label: String,
    /// Where progress lines go (`None`: quiet).
    progress: Option<Lines<'a>>,
}

impl LoadObserver for Observer<'_> {
    fn phase_started(&self, phase: Phase) {
        match phase {
            // Both edges of the window are synchronous readings of the
            // server's tree, so its CPU there is exact, not the nearest sample.
            Phase::Measure => {
                self.edges.mark_start();
                self.sched.start();
            }
            Phase::Done => {
                self.edges.mark_end();
                self.sched.end();
            }
            Phase::Warmup => {}
        }
    }

    fn progress(&self, p: &Progress) {
        if let Some(lines) = self.progress {
            lines(&format!(
                "{} {:?} {:>4.0}/{:.0}s: {:.0} req/s, p99 {:.2} ms, {} errors",
                self.label,
                p.phase,
                p.elapsed.as_secs_f64(),
                p.phase_length.as_secs_f64(),
                p.recent_rps,
                p.recent_p99_us as f64 / 1e3,
                p.errors
            ));
        }
    }
}

/// Bytes as MiB with one decimal.
pub fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}
