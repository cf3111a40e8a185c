//! One scenario × server, measured: build (cached), cold starts, idle RSS,
//! memory per idle connection, then the repetitions of the load with the
//! server's process tree sampled and lined up with the measured window. A
//! server that dies keeps what was measured and is marked failed; Ctrl-C
//! keeps it too and marks it interrupted. The server is always stopped.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::interrupt::Interrupt;
use crate::load::plan::{LoadObserver, LoadPlan, Phase, Progress, Target};
use crate::results::{
    Environment, IdleConnections, LoadReport, Repetition, RunStatus, ServerInfo, ServerRunResult,
    SCHEMA_VERSION,
};
use crate::servers::ServerEntry;
use crate::supervise::{
    describe_status, launch, sample_tree, startup_stats, usage, LaunchOptions, Sampler, StartError,
    Supervised, WaitError,
};
use crate::verify::client;

use super::Scenario;

/// Grace between SIGTERM and SIGKILL when stopping a server.
pub const STOP_GRACE: Duration = Duration::from_secs(3);
/// Lines of a server's stderr kept in a failed result.
pub(super) const TAIL_LINES: usize = 20;
/// Pause after readiness before idle RSS is read.
const SETTLE: Duration = Duration::from_millis(300);
/// How long the one request on each idle connection may take.
const IDLE_REQUEST_TIMEOUT: Duration = Duration::from_secs(5);

/// Runs one plan through the load engine; a seam so the runner does not
/// care how the engine is reached.
pub type Driver<'a> =
    &'a (dyn Fn(&LoadPlan, &Interrupt, &dyn LoadObserver) -> anyhow::Result<LoadReport> + Sync);

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
    /// Print progress lines on stderr.
    pub progress: bool,
    /// The command line, recorded in every load report.
    pub command_line: Vec<String>,
}

impl Context<'_> {
    pub(super) fn say(&self, scenario: &Scenario, server: &str, text: impl AsRef<str>) {
        if self.progress {
            eprintln!("[{} · {server}] {}", scenario.info.name, text.as_ref());
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
        capacity: None,
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
    let name = entry.name().to_string();
    let mut result = empty_result(cx, scenario, info, RunStatus::Ok);
    if let Err(why) = entry.availability() {
        result.status = RunStatus::Skipped { reason: why };
        return result;
    }
    cx.say(scenario, &name, "building (cached when unchanged)");
    match entry.build() {
        Ok(build) => result.build = Some(build),
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
                    eprintln!("warning: {e:#}");
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
        let idle = idle_connections(
            &server,
            scenario.idle_connections,
            &entry.manifest.ready_path,
        );
        cx.say(
            scenario,
            &name,
            format!(
                "{} idle connections: {:.1} KiB each",
                idle.opened,
                idle.bytes_per_connection / 1024.0
            ),
        );
        result.idle_connections = Some(idle);
    }

    if let Some(spec) = &scenario.capacity {
        super::capacity::search_server(cx, scenario, spec, &mut server, idle_rss, &mut result);
    }
    // A capacity search replaces the fixed-rate repetitions.
    let repetitions = if scenario.capacity.is_some() {
        0
    } else {
        scenario.repetitions
    };
    for index in 1..=repetitions {
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
            sampler: &sampler,
            done_at: Mutex::new(None),
            measure_at: Mutex::new(None),
            label: format!(
                "[{} · {name}] repetition {index}/{}",
                scenario.info.name, scenario.repetitions
            ),
            progress: cx.progress,
        };
        let outcome = (cx.driver)(&plan, cx.interrupt, &observer);
        let window = observer.window();
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
                );
                cx.say(
                    scenario,
                    &name,
                    format!(
                        "repetition {index}/{}: {:.0} req/s, p99 {:.2} ms, peak RSS {}, {:.0} req per CPU-s",
                        scenario.repetitions,
                        load.throughput_rps,
                        load.latency.p99_us as f64 / 1e3,
                        mib(usage.peak_rss_bytes),
                        usage.requests_per_cpu_s
                    ),
                );
                let interrupted = load.interrupted || cx.interrupt.is_raised();
                result.repetitions.push(Repetition {
                    index,
                    load,
                    server: Some(usage),
                });
                if let Some(status) = died(&mut server, &format!("during repetition {index}")) {
                    result.status = status;
                    break;
                }
                if interrupted {
                    result.status = RunStatus::Interrupted;
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
        eprintln!("warning: {e:#}");
    }
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
        http2: false,
        command_line: cx.command_line.clone(),
    }
}

/// Lines the sampler up with the engine's measured phase and prints progress.
struct Observer<'a> {
    sampler: &'a Sampler,
    measure_at: Mutex<Option<Instant>>,
    done_at: Mutex<Option<Instant>>,
    label: String,
    progress: bool,
}

impl Observer<'_> {
    /// Seconds from the start to the end of the measured phase, as seen here.
    fn window(&self) -> Option<f64> {
        let start = (*self.measure_at.lock().ok()?)?;
        let end = (*self.done_at.lock().ok()?)?;
        Some(end.saturating_duration_since(start).as_secs_f64())
    }
}

impl LoadObserver for Observer<'_> {
    fn phase_started(&self, phase: Phase) {
        match phase {
            Phase::Measure => {
                self.sampler.mark_zero();
                if let Ok(mut at) = self.measure_at.lock() {
                    *at = Some(Instant::now());
                }
            }
            Phase::Done => {
                if let Ok(mut at) = self.done_at.lock() {
                    *at = Some(Instant::now());
                }
            }
            Phase::Warmup => {}
        }
    }

    fn progress(&self, p: &Progress) {
        if self.progress {
            eprintln!(
                "{} {:?} {:>4.0}/{:.0}s: {:.0} req/s, p99 {:.2} ms, {} errors",
                self.label,
                p.phase,
                p.elapsed.as_secs_f64(),
                p.phase_length.as_secs_f64(),
                p.recent_rps,
                p.recent_p99_us as f64 / 1e3,
                p.errors
            );
        }
    }
}

/// Opens `k` keep-alive connections, one request each, holds them and reads
/// the server's RSS before and with them open.
fn idle_connections(server: &Supervised, k: u32, path: &str) -> IdleConnections {
    let pid = server.pid();
    let before = sample_tree(pid).map_or(0, |s| s.rss_bytes);
    let mut held = Vec::with_capacity(k as usize);
    // The contract checker's blocking keep-alive client: one request on each
    // connection, then the connection is held open, idle.
    if let Ok(target) = client::Target::parse(&server.base_url()) {
        let request = client::Request::get(path).with_timeout(IDLE_REQUEST_TIMEOUT);
        for _ in 0..k {
            let Ok(mut connection) = client::Connection::open(&target) else {
                break;
            };
            if connection.send(&request).is_err() {
                break;
            }
            held.push(connection);
        }
    }
    std::thread::sleep(SETTLE);
    let after = sample_tree(pid).map_or(before, |s| s.rss_bytes);
    let opened = held.len() as u32;
    drop(held);
    IdleConnections {
        requested: k,
        opened,
        rss_before_bytes: before,
        rss_after_bytes: after,
        bytes_per_connection: if opened > 0 {
            after.saturating_sub(before) as f64 / f64::from(opened)
        } else {
            0.0
        },
    }
}

/// Bytes as MiB with one decimal.
pub fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}
