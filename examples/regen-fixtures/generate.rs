//! The generator of the rendering fixtures in tests/fixtures/ (see the
//! README there): synthetic inputs for the report renderer, not
//! measurements, from made-up server profiles and a seeded random generator,
//! so the same code always writes the same files. `cargo run --example
//! regen-fixtures` (main.rs) writes them; tests/report_fixtures.rs checks
//! that the committed ones are what this would write.

use std::collections::BTreeMap;
use std::path::Path;

use gauntlet::record::encode_histogram;
use gauntlet::results::{
    write_json_atomic, BuildInfo, Environment, GeneratorUsage, IdleConnections, IntervalStats,
    LatencyStats, LoadModel, LoadReport, Repetition, ResourceSample, RunManifest, RunStatus,
    Saturation, ScenarioInfo, ScheduleLag, ServerInfo, ServerRunResult, ServerUsage, StartupStats,
    ThresholdOutcome, ToolInfo, SCHEMA_VERSION,
};
use hdrhistogram::Histogram;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rand_distr::{Distribution, LogNormal};

/// Shape of one synthetic server, in the units of the schema.
struct Profile {
    name: &'static str,
    language: &'static str,
    runtime: &'static str,
    version: &'static str,
    model: &'static str,
    rps: f64,
    median_us: f64,
    sigma: f64,
    idle_rss: u64,
    peak_rss: u64,
    startup_ms: f64,
    cpu_per_req_us: f64,
    bytes_per_conn: f64,
}

const RUST: Profile = Profile {
    name: "rust-hyper",
    language: "Rust",
    runtime: "tokio multi-thread + hyper 1",
    version: "rustc 1.82.0",
    model: "async tasks on a work-stealing thread pool",
    rps: 9_800.0,
    median_us: 180.0,
    sigma: 0.45,
    idle_rss: 4 << 20,
    peak_rss: 9 << 20,
    startup_ms: 3.0,
    cpu_per_req_us: 48.0,
    bytes_per_conn: 11_000.0,
};

const GO: Profile = Profile {
    name: "go-nethttp",
    language: "Go",
    runtime: "net/http",
    version: "go1.23.3",
    model: "one goroutine per connection",
    rps: 9_650.0,
    median_us: 240.0,
    sigma: 0.55,
    idle_rss: 9 << 20,
    peak_rss: 21 << 20,
    startup_ms: 6.5,
    cpu_per_req_us: 71.0,
    bytes_per_conn: 9_200.0,
};

const NODE: Profile = Profile {
    name: "node-http",
    language: "JavaScript",
    runtime: "Node.js http",
    version: "v20.18.0",
    model: "single-threaded event loop",
    rps: 7_100.0,
    median_us: 520.0,
    sigma: 0.8,
    idle_rss: 46 << 20,
    peak_rss: 83 << 20,
    startup_ms: 41.0,
    cpu_per_req_us: 130.0,
    bytes_per_conn: 3_900.0,
};

fn environment() -> Environment {
    let mut runtimes = BTreeMap::new();
    for p in [&RUST, &GO, &NODE] {
        runtimes.insert(p.name.to_string(), p.version.to_string());
    }
    Environment {
        hostname: "fixture-host".into(),
        cpu_model: "Fixture CPU @ 3.00GHz".into(),
        logical_cpus: 8,
        physical_cores: Some(4),
        kernel: "6.1.0-fixture-amd64".into(),
        os: "Debian GNU/Linux 12 (bookworm)".into(),
        memory_bytes: 16 << 30,
        cpu_governor: Some("performance".into()),
        tool: tool(),
        runtimes,
    }
}

fn tool() -> ToolInfo {
    ToolInfo {
        version: "0.1.0".into(),
        git_commit: Some("fixture00000".into()),
    }
}

fn stats(h: &Histogram<u64>) -> LatencyStats {
    LatencyStats {
        count: h.len(),
        min_us: h.min(),
        mean_us: h.mean(),
        stdev_us: h.stdev(),
        p50_us: h.value_at_quantile(0.5),
        p75_us: h.value_at_quantile(0.75),
        p90_us: h.value_at_quantile(0.9),
        p99_us: h.value_at_quantile(0.99),
        p99_9_us: h.value_at_quantile(0.999),
        p99_99_us: h.value_at_quantile(0.9999),
        max_us: h.max(),
        histogram: encode_histogram(h),
    }
}

struct RepSpec<'a> {
    p: &'a Profile,
    index: u32,
    scale: f64,
    duration_s: usize,
    generator_limited: bool,
    cut_at_s: Option<usize>,
}

fn repetition(rng: &mut StdRng, spec: RepSpec<'_>) -> Repetition {
    let p = spec.p;
    let rate = p.rps * spec.scale;
    let seconds = spec.cut_at_s.unwrap_or(spec.duration_s);
    let mut lat = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).expect("bounds");
    let mut svc = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).expect("bounds");
    let mut intervals = Vec::new();
    let mut total = 0u64;
    let median = p.median_us * spec.scale.recip().sqrt();
    for s in 0..seconds {
        let jitter = 1.0 + rng.gen_range(-0.04..0.04);
        let n = (rate * jitter / 10.0).round() as u64; // sampled 1:10 to keep files small
        let requests = (rate * jitter).round() as u64;
        let mut ih = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).expect("bounds");
        // one stall per run (GC pause, say) shows up in the corrected latency only
        let stall = s == seconds / 2;
        let dist = LogNormal::new(median.ln(), p.sigma).expect("lognormal");
        for i in 0..n {
            let service = dist.sample(rng).max(20.0);
            let queued = if stall && i < n / 20 {
                (n / 20 - i) as f64 * 10.0 * 1e6 / rate
            } else {
                0.0
            };
            svc.record(service as u64).expect("record");
            lat.record((service + queued) as u64).expect("record");
            ih.record((service + queued) as u64).expect("record");
        }
        intervals.push(IntervalStats {
            start_s: s as f64,
            length_s: 1.0,
            requests,
            errors: 0,
            p50_us: ih.value_at_quantile(0.5),
            p99_us: ih.value_at_quantile(0.99),
            max_us: ih.max(),
        });
        total += requests;
    }
    let elapsed = seconds as f64;
    let timeline: Vec<ResourceSample> = (-4..(seconds as i32 * 2))
        .map(|k| {
            let t = k as f64 * 0.5;
            let rss = if t < 0.0 {
                p.idle_rss
            } else {
                let ramp = (t / 3.0).min(1.0);
                p.idle_rss
                    + ((p.peak_rss - p.idle_rss) as f64 * ramp * rng.gen_range(0.93..1.0)) as u64
            };
            ResourceSample {
                t_s: t,
                rss_bytes: rss,
                cpu_s: t.max(0.0) * rate * p.cpu_per_req_us / 1e6,
                threads: 4,
                fds: 70,
                processes: 1,
            }
        })
        .collect();
    let cpu_s = total as f64 * p.cpu_per_req_us / 1e6 * rng.gen_range(0.97..1.03);
    let peak = timeline.iter().map(|s| s.rss_bytes).max().unwrap_or(0);
    let gen_util = if spec.generator_limited { 0.97 } else { 0.41 };
    Repetition {
        index: spec.index,
        load: LoadReport {
            schema_version: SCHEMA_VERSION,
            tool: tool(),
            command_line: vec![
                "gauntlet".into(),
                "run".into(),
                "scenarios/fixture.toml".into(),
            ],
            started_at: format!("2026-11-22T10:0{}:00Z", spec.index),
            target: "http://127.0.0.1:41000/plaintext".into(),
            http_version: "HTTP/1.1".into(),
            in_flight_per_connection: 1,
            model: LoadModel::Open,
            rate_rps: Some(p.rps * spec.scale * 1.02),
            connections: 64,
            duration_s: spec.duration_s as f64,
            warmup_s: 2.0,
            elapsed_s: elapsed,
            requests: total,
            successes: total,
            errors: BTreeMap::new(),
            status_codes: BTreeMap::from([(200, total)]),
            throughput_rps: total as f64 / elapsed,
            latency: stats(&lat),
            service_time: stats(&svc),
            corrected: true,
            schedule_lag: Some(ScheduleLag {
                mean_us: if spec.generator_limited { 950.0 } else { 12.0 },
                p99_us: if spec.generator_limited { 8_400 } else { 60 },
                max_us: if spec.generator_limited { 21_000 } else { 310 },
                not_sent: 0,
            }),
            generator: GeneratorUsage {
                cpu_user_s: elapsed * gen_util * 0.8,
                cpu_sys_s: elapsed * gen_util * 0.2,
                cpus_given: 1,
                cpu_utilization: gen_util,
                threads: 1,
                rss_bytes: 14 << 20,
            },
            saturation: Saturation {
                generator_limited: spec.generator_limited,
                reasons: if spec.generator_limited {
                    vec![
                        "generator used 97% of 1 CPU".into(),
                        "schedule lag p99 8.4 ms".into(),
                    ]
                } else {
                    Vec::new()
                },
            },
            intervals,
            interrupted: false,
            shard: None,
            merged: None,
        },
        server: Some(ServerUsage {
            idle_rss_bytes: p.idle_rss,
            peak_rss_bytes: peak,
            steady_rss_bytes: peak - (peak - p.idle_rss) / 10,
            cpu_s,
            requests_per_cpu_s: total as f64 / cpu_s,
            cpu_below_resolution: false,
            peak_threads: 4,
            peak_fds: 70,
            sample_interval_ms: 500,
            timeline,
        }),
        bound: None,
    }
}

struct ResultSpec<'a> {
    run_id: &'a str,
    scenario: &'a str,
    scale: f64,
    p: &'a Profile,
    reps: u32,
    generator_limited_reps: &'a [u32],
    status: RunStatus,
    cut_last_at: Option<usize>,
    p99_limit_us: f64,
}

fn server_result(rng: &mut StdRng, spec: ResultSpec<'_>) -> ServerRunResult {
    let p = spec.p;
    let repetitions: Vec<Repetition> = (1..=spec.reps)
        .map(|i| {
            repetition(
                rng,
                RepSpec {
                    p,
                    index: i,
                    scale: spec.scale,
                    duration_s: 10,
                    generator_limited: spec.generator_limited_reps.contains(&i),
                    cut_at_s: if i == spec.reps {
                        spec.cut_last_at
                    } else {
                        None
                    },
                },
            )
        })
        .collect();
    let samples_ms: Vec<f64> = (0..5)
        .map(|_| p.startup_ms * rng.gen_range(0.85..1.3))
        .collect();
    let mut sorted = samples_ms.clone();
    sorted.sort_by(f64::total_cmp);
    let thresholds = match repetitions.first() {
        Some(first) => {
            let observed = first.load.latency.p99_us as f64;
            vec![
                ThresholdOutcome {
                    expression: format!("p99 < \"{}ms\"", spec.p99_limit_us / 1000.0),
                    metric: "p99".into(),
                    observed,
                    limit: spec.p99_limit_us,
                    passed: observed < spec.p99_limit_us,
                },
                ThresholdOutcome {
                    expression: "error_rate < 0.01".into(),
                    metric: "error_rate".into(),
                    observed: 0.0,
                    limit: 0.01,
                    passed: true,
                },
            ]
        }
        None => Vec::new(),
    };
    ServerRunResult {
        schema_version: SCHEMA_VERSION,
        run_id: spec.run_id.into(),
        scenario: ScenarioInfo {
            name: spec.scenario.into(),
            file: "scenarios/fixture.toml".into(),
            description: format!("GET /{} at a fixed rate, 64 connections", spec.scenario),
        },
        server: ServerInfo {
            name: p.name.into(),
            language: p.language.into(),
            runtime: p.runtime.into(),
            runtime_version: p.version.into(),
            concurrency_model: p.model.into(),
            tier: Default::default(),
        },
        environment: environment(),
        status: spec.status,
        build: Some(BuildInfo {
            seconds: 0.0,
            cached: true,
        }),
        startup: Some(StartupStats {
            median_ms: sorted[2],
            min_ms: sorted[0],
            max_ms: sorted[4],
            samples_ms,
        }),
        idle_connections: Some(IdleConnections {
            requested: 1000,
            opened: 1000,
            held: Some(1000),
            rss_before_bytes: p.idle_rss,
            rss_after_bytes: p.idle_rss + (p.bytes_per_conn * 1000.0) as u64,
            bytes_per_connection: p.bytes_per_conn,
        }),
        repetitions,
        thresholds,
        server_cpus: vec![2, 3],
        loadgen_cpus: vec![0, 1],
        warmup: None,
        warnings: vec![],
        capacity: None,
        footprint: None,
        fd_limit: None,
    }
}

fn write_run(dir: &Path, run_id: &str, results: Vec<ServerRunResult>) -> anyhow::Result<()> {
    let mut names = Vec::new();
    for r in &results {
        let name = format!("{}__{}.json", r.scenario.name, r.server.name);
        write_json_atomic(&dir.join(&name), r)?;
        names.push(name);
    }
    let manifest = RunManifest {
        schema_version: SCHEMA_VERSION,
        run_id: run_id.into(),
        started_at: "2026-11-22T10:00:00Z".into(),
        finished_at: Some("2026-11-22T10:09:00Z".into()),
        command_line: vec![
            "gauntlet".into(),
            "run".into(),
            "scenarios/fixture.toml".into(),
        ],
        scenario_files: vec!["scenarios/fixture.toml".into()],
        environment: environment(),
        results: names,
        interrupted: false,
    };
    Ok(write_json_atomic(&dir.join("manifest.json"), &manifest)?)
}

/// The fixture folders, in the order [`generate`] writes them.
pub const FOLDERS: [&str; 3] = ["two-servers", "failed-server", "generator-limited"];

/// Writes every fixture folder under `root` (e.g. tests/fixtures/), each a
/// run folder of manifest.json and its results.
pub fn generate(root: &Path) -> anyhow::Result<()> {
    let mut rng = StdRng::seed_from_u64(5);

    let run = "2026-11-22T10-00-00Z-two-servers";
    let mut results = Vec::new();
    // the json limit is tight on purpose, so that a threshold fails
    for (scenario, scale, p99_limit_us) in [("plaintext", 1.0, 2_000.0), ("json", 0.8, 1_000.0)] {
        for p in [&RUST, &GO] {
            results.push(server_result(
                &mut rng,
                ResultSpec {
                    run_id: run,
                    scenario,
                    scale,
                    p,
                    reps: 3,
                    generator_limited_reps: &[],
                    status: RunStatus::Ok,
                    cut_last_at: None,
                    p99_limit_us,
                },
            ));
        }
    }
    write_run(&root.join(FOLDERS[0]), run, results)?;

    let run = "2026-11-22T11-00-00Z-failed-server";
    let ok = server_result(
        &mut rng,
        ResultSpec {
            run_id: run,
            scenario: "plaintext",
            scale: 1.0,
            p: &RUST,
            reps: 3,
            generator_limited_reps: &[],
            status: RunStatus::Ok,
            cut_last_at: None,
            p99_limit_us: 2_000.0,
        },
    );
    let failed = server_result(
        &mut rng,
        ResultSpec {
            run_id: run,
            scenario: "plaintext",
            scale: 1.0,
            p: &NODE,
            reps: 2,
            generator_limited_reps: &[],
            status: RunStatus::Failed {
                reason: "exited with signal 9 during repetition 2".into(),
                exit_status: Some("signal: 9 (SIGKILL)".into()),
                stderr_tail: vec!["FATAL ERROR: Reached heap limit Allocation failed".into()],
            },
            cut_last_at: Some(4),
            p99_limit_us: 2_000.0,
        },
    );
    let mut skipped = server_result(
        &mut rng,
        ResultSpec {
            run_id: run,
            scenario: "plaintext",
            scale: 1.0,
            p: &GO,
            reps: 0,
            generator_limited_reps: &[],
            status: RunStatus::Skipped {
                reason: "toolchain missing: `go` not found on PATH".into(),
            },
            cut_last_at: None,
            p99_limit_us: 2_000.0,
        },
    );
    skipped.startup = None;
    skipped.idle_connections = None;
    skipped.build = None;
    write_run(&root.join(FOLDERS[1]), run, vec![ok, failed, skipped])?;

    let run = "2026-11-22T12-00-00Z-generator-limited";
    let limited = [&RUST, &GO]
        .into_iter()
        .map(|p| {
            server_result(
                &mut rng,
                ResultSpec {
                    run_id: run,
                    scenario: "plaintext",
                    scale: 2.5,
                    p,
                    reps: 3,
                    generator_limited_reps: if p.name == "rust-hyper" {
                        &[1, 2, 3]
                    } else {
                        &[]
                    },
                    status: RunStatus::Ok,
                    cut_last_at: None,
                    p99_limit_us: 2_000.0,
                },
            )
        })
        .collect();
    write_run(&root.join(FOLDERS[2]), run, limited)
}
