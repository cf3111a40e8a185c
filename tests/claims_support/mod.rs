//! Hand-made result folders for the claims tests: every figure a claim can
//! read is set by the test, so each verdict is known in advance. Written as
//! JSON (not struct literals) so fields added later with `#[serde(default)]`
//! do not break these fixtures.

#![allow(dead_code)]

use std::path::Path;

use serde_json::{json, Value};

/// The figures of one repetition.
#[derive(Clone, Copy)]
pub struct Rep {
    pub throughput: f64,
    pub p99_us: u64,
    pub rss_idle: u64,
    pub rss_peak: u64,
    pub requests_per_cpu_s: f64,
    pub errors: u64,
    pub generator_limited: bool,
}

impl Rep {
    /// A clean repetition with these throughput and peak RSS.
    pub fn new(throughput: f64, rss_peak_mb: f64) -> Rep {
        Rep {
            throughput,
            p99_us: 2_000,
            rss_idle: 8_000_000,
            rss_peak: (rss_peak_mb * 1e6) as u64,
            requests_per_cpu_s: throughput,
            errors: 0,
            generator_limited: false,
        }
    }
}

/// One scenario × server result.
pub struct Server {
    pub scenario: &'static str,
    pub name: &'static str,
    pub reps: Vec<Rep>,
    pub startup_ms: Vec<f64>,
    pub bytes_per_connection: Option<f64>,
    pub failed: Option<&'static str>,
}

impl Server {
    pub fn new(scenario: &'static str, name: &'static str, reps: Vec<Rep>) -> Server {
        Server {
            scenario,
            name,
            reps,
            startup_ms: vec![],
            bytes_per_connection: None,
            failed: None,
        }
    }
}

pub fn environment(cpu_model: &str) -> Value {
    json!({
        "hostname": "claims-host",
        "cpu_model": cpu_model,
        "cpu_cores": 2,
        "kernel": "6.1.0-test",
        "os": "Debian GNU/Linux 12 (bookworm)",
        "memory_bytes": 8u64 << 30,
        "cpu_governor": null,
        "tool": {"version": "0.1.0", "git_commit": null},
        "runtimes": {}
    })
}

fn latency(p99: u64) -> Value {
    json!({
        "count": 1000, "min_us": 10, "mean_us": (p99 / 4) as f64, "stdev_us": 1.0,
        "p50_us": p99 / 4, "p75_us": p99 / 3, "p90_us": p99 / 2, "p99_us": p99,
        "p99_9_us": p99 * 2, "p99_99_us": p99 * 3, "max_us": p99 * 4, "histogram": ""
    })
}

fn repetition(index: usize, rep: &Rep) -> Value {
    let requests = (rep.throughput * 4.0) as u64;
    json!({
        "index": index + 1,
        "load": {
            "schema_version": gauntlet::results::SCHEMA_VERSION,
            "tool": {"version": "0.1.0", "git_commit": null},
            "command_line": [],
            "started_at": "2026-11-30T10:00:00Z",
            "target": "http://127.0.0.1:1/",
            "http_version": "HTTP/1.1",
            "model": "closed",
            "rate_rps": null,
            "connections": 64,
            "duration_s": 4.0,
            "warmup_s": 0.0,
            "elapsed_s": 4.0,
            "requests": requests,
            "successes": requests,
            "errors": if rep.errors > 0 { json!({"reset": rep.errors}) } else { json!({}) },
            "status_codes": {"200": requests},
            "throughput_rps": rep.throughput,
            "latency": latency(rep.p99_us),
            "service_time": latency(rep.p99_us),
            "corrected": false,
            "schedule_lag": null,
            "generator": {"cpu_user_s": 1.0, "cpu_sys_s": 0.5, "cpus_given": 1,
                          "cpu_utilization": if rep.generator_limited { 0.99 } else { 0.4 },
                          "threads": 1, "rss_bytes": 10_000_000},
            "saturation": {
                "generator_limited": rep.generator_limited,
                "reasons": if rep.generator_limited { vec!["generator used 99% of 1 CPU"] } else { vec![] }
            },
            "intervals": [],
            "interrupted": false
        },
        "server": {
            "idle_rss_bytes": rep.rss_idle,
            "peak_rss_bytes": rep.rss_peak,
            "steady_rss_bytes": rep.rss_peak,
            "cpu_s": 1.0,
            "requests_per_cpu_s": rep.requests_per_cpu_s,
            "peak_threads": 4,
            "peak_fds": 70,
            "sample_interval_ms": 100,
            "timeline": []
        }
    })
}

/// Writes `dir/manifest.json` and one result file per server, measured on
/// a machine with this CPU model.
pub fn write_run(dir: &Path, cpu_model: &str, servers: &[Server]) {
    std::fs::create_dir_all(dir).unwrap();
    let run_id = dir.file_name().unwrap().to_string_lossy().to_string();
    let env = environment(cpu_model);
    let mut files = Vec::new();
    for s in servers {
        let status = match s.failed {
            None => json!({"state": "ok"}),
            Some(reason) => json!({"state": "failed", "reason": reason,
                                   "exit_status": "signal 9", "stderr_tail": []}),
        };
        let startup = if s.startup_ms.is_empty() {
            Value::Null
        } else {
            let mut sorted = s.startup_ms.clone();
            sorted.sort_by(f64::total_cmp);
            json!({"samples_ms": s.startup_ms, "median_ms": sorted[sorted.len() / 2],
                   "min_ms": sorted[0], "max_ms": sorted[sorted.len() - 1]})
        };
        let idle = s.bytes_per_connection.map_or(Value::Null, |b| {
            json!({"requested": 1000, "opened": 1000, "rss_before_bytes": 8_000_000,
                   "rss_after_bytes": 8_000_000 + (b * 1000.0) as u64, "bytes_per_connection": b})
        });
        let result = json!({
            "schema_version": gauntlet::results::SCHEMA_VERSION,
            "run_id": run_id,
            "scenario": {"name": s.scenario, "file": format!("scenarios/runtimes/{}.toml", s.scenario), "description": ""},
            "server": {"name": s.name, "language": "", "runtime": "", "runtime_version": "", "concurrency_model": ""},
            "environment": env,
            "status": status,
            "build": null,
            "startup": startup,
            "idle_connections": idle,
            "repetitions": s.reps.iter().enumerate().map(|(i, r)| repetition(i, r)).collect::<Vec<_>>(),
            "thresholds": [],
            "server_cpus": [0],
            "loadgen_cpus": [1]
        });
        let file = format!("{}__{}.json", s.scenario, s.name);
        std::fs::write(
            dir.join(&file),
            serde_json::to_string_pretty(&result).unwrap(),
        )
        .unwrap();
        files.push(file);
    }
    let manifest = json!({
        "schema_version": gauntlet::results::SCHEMA_VERSION,
        "run_id": run_id,
        "started_at": "2026-11-30T10:00:00Z",
        "finished_at": "2026-11-30T10:05:00Z",
        "command_line": ["gauntlet", "run", "scenarios/runtimes/"],
        "scenario_files": [],
        "environment": env,
        "results": files,
        "interrupted": false
    });
    std::fs::write(
        dir.join("manifest.json"),
        serde_json::to_string_pretty(&manifest).unwrap(),
    )
    .unwrap();
}

/// A run with every verdict in it (see tests/claims_eval.rs for the figures).
pub fn standard_run(dir: &Path) {
    let go = Server {
        startup_ms: vec![5.0, 7.0, 9.0],
        bytes_per_connection: Some(6_000.0),
        ..Server::new(
            "plaintext",
            "go-nethttp",
            vec![
                Rep::new(100_000.0, 20.0),
                Rep::new(110_000.0, 24.0),
                Rep::new(90_000.0, 22.0),
            ],
        )
    };
    let java = Server {
        startup_ms: vec![400.0, 450.0, 1_200.0],
        ..Server::new(
            "plaintext",
            "java-httpserver",
            vec![
                Rep::new(80_000.0, 40.0),
                Rep::new(82_000.0, 45.0),
                Rep::new(81_000.0, 42.0),
            ],
        )
    };
    let node = Server::new(
        "plaintext",
        "node-http",
        vec![
            Rep::new(11_000.0, 60.0),
            Rep::new(9_000.0, 62.0),
            Rep::new(10_000.0, 61.0),
        ],
    );
    let mut limited = vec![
        Rep::new(50_000.0, 30.0),
        Rep::new(52_000.0, 31.0),
        Rep::new(51_000.0, 30.0),
    ];
    limited[1].generator_limited = true;
    let go_json = Server::new("json", "go-nethttp", limited);
    let python = Server {
        failed: Some("exited with signal 9 during repetition 2"),
        ..Server::new("json", "python-uvicorn", vec![Rep::new(3_000.0, 30.0)])
    };
    write_run(
        dir,
        "Test CPU @ 3.00GHz",
        &[go, java, node, go_json, python],
    );
}
