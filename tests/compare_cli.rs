//! `gauntlet compare` on result folders written by the test: one per exit
//! code, the verdicts a user reads, the outputs, and named baselines.

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use gauntlet::results::*;
use predicates::prelude::*;

/// The figures of one repetition that compare looks at.
#[derive(Clone, Copy)]
struct Rep {
    throughput: f64,
    p50_us: u64,
    p99_us: u64,
}

fn latency(p50: u64, p99: u64) -> LatencyStats {
    LatencyStats {
        count: 1000,
        min_us: p50 / 2,
        mean_us: p50 as f64,
        stdev_us: 1.0,
        p50_us: p50,
        p75_us: p50,
        p90_us: p99,
        p99_us: p99,
        p99_9_us: p99 * 2,
        p99_99_us: p99 * 2,
        max_us: p99 * 3,
        histogram: String::new(),
    }
}

fn environment(kernel: &str) -> Environment {
    Environment {
        hostname: "bench-host".into(),
        cpu_model: "Test CPU @ 3.0GHz".into(),
        logical_cpus: 2,
        physical_cores: Some(2),
        kernel: kernel.into(),
        os: "Linux".into(),
        memory_bytes: 24 << 30,
        cpu_governor: None,
        tool: tool_info(),
        runtimes: BTreeMap::from([("rust-hyper".to_string(), "rustc 1.95.0".to_string())]),
    }
}

fn repetition(index: u32, rep: Rep) -> Repetition {
    Repetition {
        index,
        load: LoadReport {
            schema_version: SCHEMA_VERSION,
            tool: tool_info(),
            command_line: vec![],
            started_at: "2026-11-23T12:00:00Z".into(),
            target: "http://127.0.0.1:1/plaintext".into(),
            http_version: "HTTP/1.1".into(),
            in_flight_per_connection: 1,
            model: LoadModel::Closed,
            rate_rps: None,
            connections: 16,
            duration_s: 5.0,
            warmup_s: 1.0,
            elapsed_s: 5.0,
            requests: (rep.throughput * 5.0) as u64,
            successes: (rep.throughput * 5.0) as u64,
            errors: BTreeMap::new(),
            status_codes: BTreeMap::new(),
            throughput_rps: rep.throughput,
            latency: latency(rep.p50_us, rep.p99_us),
            service_time: latency(rep.p50_us, rep.p99_us),
            corrected: false,
            schedule_lag: None,
            generator: GeneratorUsage {
                cpu_user_s: 1.0,
                cpu_sys_s: 1.0,
                cpus_given: 1,
                cpu_utilization: 0.4,
                threads: 1,
                rss_bytes: 10 << 20,
            },
            saturation: Saturation::default(),
            intervals: vec![],
            interrupted: false,
            shard: None,
            merged: None,
        },
        server: Some(ServerUsage {
            idle_rss_bytes: 8 << 20,
            peak_rss_bytes: 12 << 20,
            steady_rss_bytes: 11 << 20,
            cpu_s: 2.0,
            requests_per_cpu_s: rep.throughput * 2.5,
            cpu_below_resolution: false,
            peak_threads: 3,
            peak_fds: 20,
            sample_interval_ms: 100,
            timeline: vec![],
        }),
        bound: None,
    }
}

/// Writes a run folder with one result (scenario `quick`, server
/// `rust-hyper`) holding `reps`, and returns its path.
fn write_run(dir: &Path, run_id: &str, reps: &[Rep], kernel: &str) -> PathBuf {
    let folder = dir.join(run_id);
    let result = ServerRunResult {
        schema_version: SCHEMA_VERSION,
        run_id: run_id.into(),
        scenario: ScenarioInfo {
            name: "quick".into(),
            file: "scenarios/quick.toml".into(),
            description: "test".into(),
        },
        server: ServerInfo {
            name: "rust-hyper".into(),
            language: "Rust".into(),
            runtime: "tokio + hyper".into(),
            runtime_version: "rustc 1.95.0".into(),
            concurrency_model: "async".into(),
            tier: Default::default(),
        },
        environment: environment(kernel),
        status: RunStatus::Ok,
        build: None,
        startup: Some(StartupStats {
            samples_ms: vec![20.0, 21.0, 19.5, 20.5, 20.2],
            median_ms: 20.2,
            min_ms: 19.5,
            max_ms: 21.0,
        }),
        idle_connections: None,
        repetitions: reps
            .iter()
            .enumerate()
            .map(|(i, r)| repetition(i as u32 + 1, *r))
            .collect(),
        thresholds: vec![],
        server_cpus: vec![0],
        loadgen_cpus: vec![1],
        warmup: None,
        warnings: vec![],
        capacity: None,
        footprint: None,
        fd_limit: None,
    };
    let file = "quick__rust-hyper.json";
    write_json_atomic(&folder.join(file), &result).expect("write result");
    let manifest = RunManifest {
        schema_version: SCHEMA_VERSION,
        run_id: run_id.into(),
        started_at: "2026-11-23T12:00:00Z".into(),
        finished_at: Some("2026-11-23T12:01:00Z".into()),
        command_line: vec!["gauntlet".into(), "run".into()],
        scenario_files: vec!["scenarios/quick.toml".into()],
        environment: environment(kernel),
        results: vec![file.into()],
        interrupted: false,
    };
    write_json_atomic(&folder.join("manifest.json"), &manifest).expect("write manifest");
    folder
}

/// Five repetitions with about 1.5 % spread around the given figures.
fn reps(throughput: f64, p50_us: u64, p99_us: u64) -> Vec<Rep> {
    [1.0, 1.012, 0.988, 1.006, 0.994]
        .iter()
        .map(|f| Rep {
            throughput: throughput * f,
            p50_us: (p50_us as f64 * f) as u64,
            p99_us: (p99_us as f64 * (2.0 - f)) as u64,
        })
        .collect()
}

const KERNEL: &str = "6.1.0-test";

fn gauntlet() -> Command {
    let mut cmd = Command::cargo_bin("gauntlet").expect("binary");
    cmd.env("NO_COLOR", "1");
    cmd
}

/// `gauntlet compare BASELINE CURRENT`; the caller adds flags and asserts.
fn compare(baseline: impl AsRef<OsStr>, current: impl AsRef<OsStr>) -> Command {
    let mut cmd = gauntlet();
    cmd.arg("compare").arg(baseline).arg(current);
    cmd
}

#[test]
fn the_same_figures_twice_are_no_change_and_exit_0() {
    let dir = tempfile::tempdir().expect("tempdir");
    let a = write_run(dir.path(), "a", &reps(20_000.0, 800, 3000), KERNEL);
    let b = write_run(dir.path(), "b", &reps(20_000.0, 800, 3000), KERNEL);
    compare(&a, &b)
        .assert()
        .code(0)
        .stdout(predicate::str::starts_with("Same environment"))
        .stdout(predicate::str::contains(
            "0 regressed, 0 improved, 8 no change",
        ));
}

#[test]
fn a_ten_percent_slowdown_is_regressed_and_exits_1_with_markdown_and_json() {
    let dir = tempfile::tempdir().expect("tempdir");
    let a = write_run(dir.path(), "a", &reps(20_000.0, 800, 3000), KERNEL);
    let b = write_run(dir.path(), "b", &reps(18_000.0, 890, 3000), KERNEL);
    let md = dir.path().join("summary.md");
    let json = dir.path().join("diff.json");
    let junit = dir.path().join("compare.xml");
    compare(&a, &b)
        .arg("--markdown")
        .arg(&md)
        .arg("--json")
        .arg(&json)
        .arg("--junit")
        .arg(&junit)
        .assert()
        .code(1)
        .stdout(
            predicate::str::is_match(r"quick / rust-hyper\s+throughput .*-10\.0%.*regressed")
                .unwrap(),
        )
        .stdout(predicate::str::is_match(r"p50 .*\+11\.\d%.*regressed").unwrap());
    let markdown = std::fs::read_to_string(&md).expect("markdown written");
    assert!(
        markdown.contains("| quick / rust-hyper | throughput |"),
        "{markdown}"
    );
    assert!(markdown.contains("**regressed**"), "{markdown}");
    let diff: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).expect("json written")).expect("json");
    let throughput = &diff["entries"][0]["metrics"][0];
    assert_eq!(throughput["metric"], "throughput");
    assert_eq!(throughput["verdict"], "regressed");
    assert_eq!(
        throughput["baseline_samples"].as_array().map(Vec::len),
        Some(5)
    );
    assert_eq!(diff["counts"]["regressed"], 2);
    // JUnit: one case per metric verdict, the two regressions failures.
    let xml = std::fs::read_to_string(&junit).expect("junit written");
    let metrics: usize = diff["entries"][0]["metrics"].as_array().unwrap().len();
    assert!(
        xml.contains(&format!("tests=\"{metrics}\" failures=\"2\"")),
        "{xml}"
    );
    assert!(
        xml.contains("name=\"rust-hyper: throughput\"")
            && xml.contains("throughput regressed: -10.0 %"),
        "{xml}"
    );
}

#[test]
fn the_compare_table_reads_as_it_did() {
    // A snapshot of the whole table a user reads (colour off), so a change
    // to its layout or wording is a reviewed change; temp paths filtered.
    let dir = tempfile::tempdir().expect("tempdir");
    let a = write_run(dir.path(), "a", &reps(20_000.0, 800, 3000), KERNEL);
    let b = write_run(dir.path(), "b", &reps(18_000.0, 890, 3000), KERNEL);
    let out = compare(&a, &b).env("NO_COLOR", "1").output().unwrap();
    let table = String::from_utf8(out.stdout).unwrap();
    let root = dir.path().display().to_string();
    insta::with_settings!({filters => vec![(root.as_str(), "[tmp]")]}, {
        insta::assert_snapshot!(table);
    });
}

#[test]
fn three_repetitions_say_not_enough_samples_and_how_many_are_needed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let a = write_run(dir.path(), "a", &reps(20_000.0, 800, 3000)[..3], KERNEL);
    let b = write_run(dir.path(), "b", &reps(10_000.0, 1600, 6000)[..3], KERNEL);
    compare(&a, &b).assert().code(0).stdout(
        predicate::str::is_match(r"throughput .*-50\.0%.*not enough samples \(need >= 4 per run\)")
            .unwrap(),
    );
}

#[test]
fn a_different_kernel_is_said_on_the_first_line_and_marks_verdicts() {
    let dir = tempfile::tempdir().expect("tempdir");
    let a = write_run(dir.path(), "a", &reps(20_000.0, 800, 3000), KERNEL);
    let b = write_run(dir.path(), "b", &reps(20_000.0, 800, 3000), "6.8.0-other");
    let output = compare(&a, &b).output().expect("runs");
    assert_eq!(output.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let first = stdout.lines().next().unwrap_or_default();
    assert!(
        first.starts_with("CROSS-MACHINE") && first.contains("kernel 6.1.0-test vs 6.8.0-other"),
        "{stdout}"
    );
    assert!(stdout.contains("no change (cross-machine)"), "{stdout}");
}

#[test]
fn a_saved_baseline_is_found_by_name() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("results");
    let a = write_run(dir.path(), "a", &reps(20_000.0, 800, 3000), KERNEL);
    let b = write_run(dir.path(), "b", &reps(18_000.0, 890, 3000), KERNEL);
    let saved = gauntlet::compare::save_baseline(&a, "main", &root).expect("saved");
    assert_eq!(saved, root.join("baselines").join("main"));
    assert!(saved.join("quick__rust-hyper.json").is_file());
    // Saving again replaces it.
    gauntlet::compare::save_baseline(&a, "main", &root).expect("saved again");
    compare("main", &b)
        .arg("--results-root")
        .arg(&root)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("regressed"));
    compare("nightly", &b)
        .arg("--results-root")
        .arg(&root)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("saved baselines: main"));
}

#[test]
fn bad_input_exits_2_with_a_message_naming_the_problem() {
    let dir = tempfile::tempdir().expect("tempdir");
    let a = write_run(dir.path(), "a", &reps(20_000.0, 800, 3000), KERNEL);

    // A folder without manifest.json.
    let empty = dir.path().join("empty");
    std::fs::create_dir_all(&empty).expect("mkdir");
    // A result written by another schema version.
    let old = write_run(dir.path(), "old", &reps(20_000.0, 800, 3000), KERNEL);
    let file = old.join("quick__rust-hyper.json");
    let mut value: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).expect("read")).expect("json");
    value["schema_version"] = serde_json::json!(SCHEMA_VERSION + 1);
    std::fs::write(&file, value.to_string()).expect("write");

    // (current run, extra flags, what the message says)
    let cases: [(PathBuf, &[&str], &str); 4] = [
        (dir.path().join("nope"), &[], "no such folder"),
        (empty, &[], "is not a result folder"),
        (old, &[], "schema version"),
        (a.clone(), &["--noise-for", "p98=0.1"], "METRIC=FRACTION"),
    ];
    for (current, flags, message) in cases {
        compare(&a, &current)
            .args(flags)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(message));
    }
}

#[test]
fn a_wider_noise_threshold_turns_the_slowdown_into_no_change() {
    let dir = tempfile::tempdir().expect("tempdir");
    let a = write_run(dir.path(), "a", &reps(20_000.0, 800, 3000), KERNEL);
    let b = write_run(dir.path(), "b", &reps(18_000.0, 890, 3000), KERNEL);
    compare(&a, &b)
        .args(["--noise", "0.15"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("0 regressed"));
}

#[test]
fn repetitions_below_cpu_resolution_are_skipped_not_called_a_regression() {
    let dir = tempfile::tempdir().expect("tempdir");
    let a = write_run(dir.path(), "a", &reps(20_000.0, 800, 3000), KERNEL);
    let b = write_run(dir.path(), "b", &reps(20_000.0, 800, 3000), KERNEL);
    // The current run's server used too little CPU for the clock: no figure.
    let file = b.join("quick__rust-hyper.json");
    let mut result: ServerRunResult = read_json(&file).expect("read result");
    for rep in &mut result.repetitions {
        let usage = rep.server.as_mut().expect("server usage");
        usage.cpu_below_resolution = true;
        usage.requests_per_cpu_s = 0.0;
    }
    write_json_atomic(&file, &result).expect("write result");
    compare(&a, &b)
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "current: requests_per_cpu_s below resolution in 5 of 5 repetitions",
        ))
        .stdout(predicate::str::contains("0 regressed"));
    // The report's table says so too, rather than 0 or a dash.
    let out = dir.path().join("report");
    gauntlet()
        .arg("report")
        .arg(&b)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(0);
    let md = std::fs::read_to_string(out.join("summary.md")).expect("summary.md");
    let row = md
        .lines()
        .find(|l| l.starts_with('|') && l.contains("rust-hyper"))
        .expect("a row");
    assert!(row.contains("below resolution"), "{row}");
}
