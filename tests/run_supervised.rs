//! `gauntlet run` end to end against small test servers described by
//! manifests in a temporary folder: results on disk that deserialize, a
//! server dying mid-run, a failed threshold, a skipped server, and Ctrl-C.
//! The short run's folder also validates against schemas/.

use std::path::Path;
use std::time::{Duration, Instant};

use gauntlet::results::{read_json, RunManifest, RunStatus};

mod run_support;
mod schema_support;
use run_support::{text, Setup};

const HELLO_ENV: &[(&str, &str)] = &[("START_DELAY_MS", "0")];

#[test]
fn a_short_run_writes_results_that_deserialize() {
    let s = Setup::new();
    // Every request costs the server 5 ms of CPU: at most 200 requests per CPU-second.
    s.server("hello", "cpu-burn", &[("BURN_MS", "5")], &[]);
    let scenario = s.scenario(
        "name = \"tiny\"\nservers = \"all\"\nduration = \"2s\"\nwarmup = \"0s\"\n\
         repetitions = 2\nstartup_samples = 2\nidle_connections = 20\n\
         thresholds = [\"error_rate < 0.01\"]\n[load]\nconnections = 2\n\
         [[request]]\npath = \"/burn\"\n",
    );
    let out = s.command(&scenario).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let r = s.result("tiny", "hello");
    assert_eq!(r.status, RunStatus::Ok);
    assert_eq!(r.repetitions.len(), 2);
    assert_eq!(r.server.runtime_version, "test-runtime 1.0");
    assert_eq!(r.environment.runtimes["hello"], "test-runtime 1.0");
    let startup = r.startup.as_ref().unwrap();
    assert_eq!(startup.samples_ms.len(), 2);
    assert!(startup.median_ms > 0.0 && startup.median_ms < 5000.0);
    let idle = r.idle_connections.as_ref().unwrap();
    assert_eq!(idle.opened, 20);
    for rep in &r.repetitions {
        assert!(rep.load.successes > 0, "no successful request");
        let usage = rep.server.as_ref().unwrap();
        assert!(usage.idle_rss_bytes > 0);
        assert!(usage.peak_rss_bytes > 0);
        assert!(usage.cpu_s > 0.0, "the server did work under load");
        assert!(
            (50.0..=260.0).contains(&usage.requests_per_cpu_s),
            "{} requests per CPU-second at 5 ms of CPU each",
            usage.requests_per_cpu_s
        );
        assert!(usage.timeline.iter().any(|t| t.t_s >= 0.0));
    }
    assert_eq!(r.thresholds.len(), 1);
    assert!(r.thresholds[0].passed);
    let manifest: RunManifest = read_json(&s.out().join("manifest.json")).unwrap();
    assert_eq!(manifest.results, ["tiny__hello.json"]);
    assert!(manifest.finished_at.is_some() && !manifest.interrupted);
    schema_support::assert_file_valid("run-manifest", &s.out().join("manifest.json"));
    schema_support::assert_file_valid("server-result", &s.out().join("tiny__hello.json"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("req/CPU-s") && stdout.contains("hello"),
        "{stdout}"
    );
}

#[test]
fn a_server_that_dies_is_kept_as_failed_and_the_next_one_runs() {
    let s = Setup::new();
    s.server(
        "dies",
        "exit-early",
        &[
            ("LISTEN", "1"),
            ("EXIT_AFTER_MS", "1200"),
            ("EXIT_CODE", "7"),
        ],
        &[],
    );
    s.server("hello", "slow-start", HELLO_ENV, &[]);
    let scenario = s.scenario(
        "name = \"crash\"\nservers = [\"dies\", \"hello\"]\nduration = \"3s\"\nwarmup = \"0s\"\n\
         startup_samples = 1\n[load]\nconnections = 2\n[[request]]\npath = \"/plaintext\"\n",
    );
    let out = s.command(&scenario).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let dead = s.result("crash", "dies");
    match &dead.status {
        RunStatus::Failed {
            reason,
            exit_status,
            stderr_tail,
        } => {
            assert!(reason.contains("exit code 7"), "{reason}");
            assert_eq!(exit_status.as_deref(), Some("exit code 7"));
            assert!(
                stderr_tail.iter().any(|l| l.contains("dying now")),
                "{stderr_tail:?}"
            );
        }
        other => panic!("expected failed, got {other:?}"),
    }
    assert_eq!(dead.startup.as_ref().unwrap().samples_ms.len(), 1);
    assert_eq!(s.result("crash", "hello").status, RunStatus::Ok);
    assert!(String::from_utf8_lossy(&out.stdout).contains("exit code 7"));
}

#[test]
fn a_failed_threshold_exits_with_1_and_is_recorded() {
    let s = Setup::new();
    s.server("hello", "slow-start", HELLO_ENV, &[]);
    let scenario = s.scenario(
        "name = \"strict\"\nservers = [\"hello\"]\nduration = \"1s\"\nwarmup = \"0s\"\n\
         startup_samples = 1\nthresholds = [\"throughput > 1000000000\", \"error_rate < 0.5\"]\n\
         [load]\nconnections = 2\n[[request]]\npath = \"/plaintext\"\n",
    );
    let out = s.command(&scenario).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let r = s.result("strict", "hello");
    assert_eq!(r.status, RunStatus::Ok);
    assert!(!r.thresholds[0].passed);
    assert!(r.thresholds[1].passed);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("threshold failed: throughput > 1000000000")
    );
    // The same verdict in --json form, for scripts.
    let out = s.command(&scenario).arg("--json").output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    let row = &summary["rows"][0];
    assert_eq!(row["server"], "hello");
    assert_eq!(row["status"], "ok");
    assert!(row["failed_thresholds"][0]
        .as_str()
        .unwrap()
        .starts_with("throughput > 1000000000"));
    assert!(row["throughput_rps"].as_f64().unwrap() > 0.0);
}

#[test]
fn a_missing_toolchain_skips_unless_required() {
    let s = Setup::new();
    s.server(
        "needs-tool",
        "slow-start",
        HELLO_ENV,
        &["no-such-toolchain-gauntlet"],
    );
    let scenario = s.scenario(
        "name = \"skip\"\nservers = \"all\"\nduration = \"1s\"\n[[request]]\npath = \"/plaintext\"\n",
    );
    let out = s.command(&scenario).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    match s.result("skip", "needs-tool").status {
        RunStatus::Skipped { reason } => assert!(reason.contains("no-such-toolchain-gauntlet")),
        other => panic!("expected skipped, got {other:?}"),
    }
    let out = s
        .command(&scenario)
        .env("GAUNTLET_REQUIRE_RUNTIMES", "1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
}

#[test]
fn a_bad_scenario_is_rejected_before_anything_starts() {
    let s = Setup::new();
    s.server("hello", "slow-start", HELLO_ENV, &[]);
    let scenario = s.scenario("servers = [\"helo\"]\n[[request]]\npath = \"/\"\n");
    let out = s.command(&scenario).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("s.toml:1:11: key `servers`"), "{stderr}");
    assert!(stderr.contains("known servers: hello"), "{stderr}");
    assert!(!s.out().exists(), "nothing should have been written");
}

/// Processes whose executable is `exe`.
fn processes_running(exe: &Path) -> Vec<u32> {
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| std::fs::read_link(format!("/proc/{pid}/exe")).is_ok_and(|p| p == exe))
        .collect()
}

#[test]
fn ctrl_c_stops_the_servers_keeps_the_partial_result_and_exits_130() {
    let s = Setup::new();
    let exe = s.server("hello", "slow-start", HELLO_ENV, &[]);
    let scenario = s.scenario(
        "name = \"long\"\nservers = [\"hello\"]\nduration = \"30s\"\nwarmup = \"0s\"\n\
         startup_samples = 1\nrepetitions = 3\n[load]\nconnections = 2\n\
         [[request]]\npath = \"/plaintext\"\n",
    );
    let mut child = s.command(&scenario).spawn().unwrap();
    // Wait until the measured server is up and loaded.
    let started = Instant::now();
    while processes_running(&exe).is_empty() && started.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_secs(2));
    assert!(
        !processes_running(&exe).is_empty(),
        "the server should be running"
    );
    // SAFETY: sending a signal to the child we started.
    unsafe {
        libc::kill(child.id() as i32, libc::SIGINT);
    }
    let deadline = Instant::now() + Duration::from_secs(15);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("gauntlet did not stop within 15 s of SIGINT");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(130));
    let r = s.result("long", "hello");
    assert_eq!(r.status, RunStatus::Interrupted);
    assert_eq!(r.repetitions.len(), 1, "the cut-short repetition is kept");
    assert!(r.repetitions[0].load.interrupted);
    let manifest: RunManifest = read_json(&s.out().join("manifest.json")).unwrap();
    assert!(manifest.interrupted);
    assert!(
        processes_running(&exe).is_empty(),
        "no server process may survive"
    );
}

#[test]
fn baselines_are_saved_by_name_and_an_unknown_one_stops_the_run_at_once() {
    let s = Setup::new();
    s.server(
        "needs-tool",
        "slow-start",
        HELLO_ENV,
        &["no-such-toolchain-gauntlet"],
    );
    let scenario = s.scenario(
        "name = \"base\"\nservers = \"all\"\nduration = \"1s\"\n[[request]]\npath = \"/plaintext\"\n",
    );
    let out = s
        .command(&scenario)
        .args(["--save-baseline", "main"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let saved = s.dir.path().join("results/baselines/main");
    assert!(saved.join("manifest.json").is_file());
    assert!(saved.join("base__needs-tool.json").is_file());
    let out = s
        .command(&scenario)
        .args(["--baseline", "nope"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("main"),
        "{}",
        text(&out)
    );
}

#[test]
fn a_server_never_ready_within_startup_timeout_is_failed_with_its_stderr() {
    let s = Setup::new();
    s.server("sluggish", "slow-start", &[("START_DELAY_MS", "5000")], &[]);
    let scenario = s.scenario(
        "name = \"late\"\nservers = \"all\"\nduration = \"1s\"\nstartup_timeout = \"300ms\"\n\
         [[request]]\npath = \"/plaintext\"\n",
    );
    let started = Instant::now();
    let out = s.command(&scenario).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(started.elapsed() < Duration::from_secs(4), "gave up late");
    match s.result("late", "sluggish").status {
        RunStatus::Failed { reason, .. } => {
            assert!(
                reason.contains("not ready within startup_timeout"),
                "{reason}"
            )
        }
        other => panic!("expected failed, got {other:?}"),
    }
}

#[test]
fn a_folder_runs_every_scenario_in_it_in_name_order() {
    let s = Setup::new();
    s.server("hello", "cpu-burn", &[("BURN_MS", "1")], &[]);
    let suite = s.dir.path().join("suite");
    std::fs::create_dir_all(&suite).unwrap();
    for name in ["b-second", "a-first"] {
        std::fs::write(
            suite.join(format!("{name}.toml")),
            format!(
                "name = \"{name}\"\nservers = \"all\"\nduration = \"1s\"\nwarmup = \"0s\"\n\
                 startup_samples = 0\n[load]\nconnections = 2\n[[request]]\npath = \"/burn\"\n"
            ),
        )
        .unwrap();
    }
    std::fs::write(suite.join("notes.txt"), "not a scenario").unwrap();
    let out = s.command(&suite).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let manifest: RunManifest = read_json(&s.out().join("manifest.json")).unwrap();
    let files: Vec<String> = manifest
        .scenario_files
        .iter()
        .map(|f| {
            Path::new(f)
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    assert_eq!(files, ["a-first.toml", "b-second.toml"]);
    assert_eq!(s.result("a-first", "hello").status, RunStatus::Ok);
    assert_eq!(s.result("b-second", "hello").status, RunStatus::Ok);

    let empty = s.dir.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let out = s.command(&empty).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("without scenario files"),
        "{}",
        text(&out)
    );
}
