//! Steady state and warnings through `gauntlet run`, against the `ramp` test
//! server whose speed changes over a known time then holds: the automatic
//! warmup ends after the ramp and is marked stable; capped below the ramp it
//! says so with a warning; a server still degrading over the repetitions
//! carries the trend warning in its result, in `run`'s output, in the
//! report's summary.md and in `gauntlet compare`. Also the scenario keys.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use gauntlet::results::warnings::Direction;
use gauntlet::results::{read_json, RunStatus, ServerRunResult, Warning};
use gauntlet::scenario::{Overrides, Scenario};

mod run_support;
use run_support::text;

/// The `ramp` test server with its environment, and scenarios run against it.
struct Setup {
    s: run_support::Setup,
}

impl Setup {
    fn new(env: &[(&str, &str)]) -> Setup {
        let s = run_support::Setup::new();
        s.server("ramp", "ramp", env, &[]);
        Setup { s }
    }

    /// Runs `gauntlet run` on a scenario whose top-level keys are `keys`.
    fn run(&self, keys: &str) -> (Output, ServerRunResult) {
        let _one_at_a_time = serial();
        let out = self.command(keys).output().unwrap();
        (out.clone(), self.result(&out))
    }

    fn result(&self, out: &Output) -> ServerRunResult {
        read_json(&self.out().join("steady__ramp.json"))
            .unwrap_or_else(|e| panic!("{e:#}\n{}", text(out)))
    }

    /// `gauntlet run` on a scenario whose top-level keys are `keys`.
    fn command(&self, keys: &str) -> Command {
        let scenario = self.s.scenario(&format!(
            "name = \"steady\"\nservers = [\"ramp\"]\nstartup_samples = 0\n{keys}\n\
             [load]\nconnections = 32\n[[request]]\npath = \"/work\"\n"
        ));
        self.s.command(&scenario)
    }

    fn out(&self) -> PathBuf {
        self.s.out()
    }
}

/// The runs of this file one at a time: each judges throughput over time,
/// which the others' load would disturb on a small machine.
fn serial() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

/// Throughput rises for 4 s after the server starts (delay 80 ms → 20 ms per
/// request: about 400 → 1 600 req/s on 32 connections), then is flat. Delays
/// of tens of milliseconds keep a loaded machine's wake-up latency small
/// beside them, and few requests keep the generator's CPU small, so the flat
/// part is flat.
const WARMING: &[(&str, &str)] = &[
    ("START_US", "80000"),
    ("END_US", "20000"),
    ("RAMP_MS", "4000"),
];
const RAMP_S: f64 = 4.0;

#[test]
fn auto_warmup_runs_until_the_ramp_is_over_and_is_marked_stable() {
    let s = Setup::new(WARMING);
    // warmup = "auto" is the default: the scenario does not name it.
    let (out, r) = s.run(
        "duration = \"1s\"\nrepetitions = 1\nwarmup_max = \"30s\"\nwarmup_cv = 0.10\n\
         warmup_windows = 3",
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(r.status, RunStatus::Ok);
    let w = r.warmup.as_ref().expect("an auto warmup is recorded");
    assert!(w.stable && !w.capped, "{w:?}\n{}", text(&out));
    // Stability needs three windows within 10 % of each other: during the
    // ramp any three differ by more (about 30 %), so it cannot come before
    // the ramp ends; after it, the first three windows should do, but a
    // loaded 2-core machine swings the flat part by ±10 %: a wide margin.
    assert!(
        w.seconds >= RAMP_S && w.seconds <= RAMP_S + 3.0 + 10.0,
        "steady after {} s for a {RAMP_S} s ramp: {:?}",
        w.seconds,
        w.window_rps
    );
    let first = w.window_rps[0];
    let last = *w.window_rps.last().unwrap();
    assert!(
        first < 0.6 * last,
        "the warmup saw the throughput rise: {:?}",
        w.window_rps
    );
    assert!(w.last_cv.unwrap() < 0.10);
    assert_eq!(w.repetition_warmup_s, 1.0);
    assert!(
        !r.warnings
            .iter()
            .any(|w| matches!(w, Warning::WarmupCapped { .. })),
        "{:?}",
        r.warnings
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("steady state reached after"), "{stderr}");
}

#[test]
fn a_warmup_capped_below_the_ramp_says_so_with_a_warning() {
    let s = Setup::new(&[
        ("START_US", "80000"),
        ("END_US", "20000"),
        ("RAMP_MS", "6000"),
    ]);
    let (out, r) = s.run(
        "duration = \"1s\"\nrepetitions = 1\nwarmup = \"auto\"\nwarmup_max = \"2s\"\n\
         warmup_windows = 2\nwarmup_cv = 0.05",
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let w = r.warmup.as_ref().expect("recorded");
    assert!(w.capped && !w.stable, "{w:?}");
    assert!(
        (1.5..=4.0).contains(&w.seconds),
        "capped at 2 s but took {}",
        w.seconds
    );
    assert!(
        r.warnings
            .iter()
            .any(|w| matches!(w, Warning::WarmupCapped { max_s, .. } if *max_s == 2.0)),
        "{:?}",
        r.warnings
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("steady · ramp: warning [warmup_capped]: warmup reached warmup_max = 2s"),
        "{stdout}"
    );
}

#[test]
fn a_degrading_server_carries_the_trend_warning_everywhere_it_is_shown() {
    // Slows from 5 ms to 200 ms a request over 8 s: three 1 s repetitions
    // without warmup fall from about 1 300 to 600 to 400 req/s, steps
    // wider than a loaded machine's noise.
    let s = Setup::new(&[
        ("START_US", "5000"),
        ("END_US", "200000"),
        ("RAMP_MS", "8000"),
    ]);
    let (out, r) = s.run("duration = \"1s\"\nrepetitions = 3\nwarmup = \"0s\"");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(r.warmup, None, "a fixed warmup is not an auto warmup");
    let trend = r
        .warnings
        .iter()
        .find(|w| w.code() == "throughput_trend")
        .unwrap_or_else(|| panic!("no trend warning: {:?}\n{}", r.warnings, text(&out)));
    let Warning::ThroughputTrend {
        direction, change, ..
    } = trend
    else {
        unreachable!()
    };
    assert_eq!(*direction, Direction::Falling);
    assert!(*change < -0.15, "fell by {change}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("steady · ramp: warning [throughput_trend]: throughput fell by"),
        "{stdout}"
    );

    // The report's summary.md.
    let report = s.s.render_report();
    let md = std::fs::read_to_string(report.join("summary.md")).unwrap();
    assert!(
        md.contains("warning (throughput_trend): throughput fell by"),
        "{md}"
    );
    let html = std::fs::read_to_string(report.join("index.html")).unwrap();
    assert!(html.contains("warning (throughput_trend)"));

    // `gauntlet compare`, the run against itself: a line per side.
    let compared = Command::new(env!("CARGO_BIN_EXE_gauntlet"))
        .arg("compare")
        .arg(s.out())
        .arg(s.out())
        .output()
        .unwrap();
    let table = String::from_utf8_lossy(&compared.stdout);
    for side in ["baseline", "current"] {
        assert!(
            table.contains(&format!(
                "steady / ramp: {side} warning [throughput_trend]: throughput fell by"
            )),
            "{}",
            text(&compared)
        );
    }
}

#[test]
fn ctrl_c_during_an_auto_warmup_stops_the_run_and_keeps_what_the_warmup_saw() {
    // A stability limit no real server meets: the warmup would run 60 s.
    let s = Setup::new(WARMING);
    let _one_at_a_time = serial();
    let mut child = s
        .command("duration = \"1s\"\nwarmup_max = \"60s\"\nwarmup_cv = 0.0001")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_secs(5));
    // SAFETY: sending a signal to the child we started.
    unsafe {
        libc::kill(child.id() as i32, libc::SIGINT);
    }
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("gauntlet did not stop within 15 s of SIGINT during the warmup");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(130));
    let r: ServerRunResult = read_json(&s.out().join("steady__ramp.json")).unwrap();
    assert_eq!(r.status, RunStatus::Interrupted);
    assert!(r.repetitions.is_empty(), "no repetition after Ctrl-C");
    let w = r.warmup.expect("the interrupted warmup is recorded");
    assert!(!w.stable && !w.capped, "{w:?}");
    assert!(w.seconds < 30.0, "{w:?}");
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
}

const KNOWN: &[&str] = &["rust-hyper"];
const BASE: &str = "servers = [\"rust-hyper\"]\n[[request]]\npath = \"/plaintext\"\n";

fn parse(keys: &str) -> Result<Scenario, String> {
    Scenario::parse(
        Path::new("w.toml"),
        &format!("{keys}\n{BASE}"),
        &Overrides::default(),
        KNOWN,
    )
    .map_err(|e| e.to_string())
}

#[test]
fn warmup_keys_default_to_auto_and_are_checked() {
    let s = parse("").unwrap();
    let auto = s.auto_warmup.expect("auto by default");
    assert_eq!(auto.max, Duration::from_secs(30));
    assert_eq!(auto.cv, 0.03);
    assert_eq!(auto.windows, 3);
    assert_eq!(
        s.warmup,
        Duration::from_secs(1),
        "each repetition's short warmup"
    );

    let s = parse("warmup = \"2s\"").unwrap();
    assert_eq!((s.warmup, s.auto_warmup), (Duration::from_secs(2), None));

    let s = parse("warmup = \"auto\"\nwarmup_max = \"1m\"\nwarmup_cv = 0.1\nwarmup_windows = 5")
        .unwrap();
    let auto = s.auto_warmup.unwrap();
    assert_eq!(
        (auto.max, auto.cv, auto.windows),
        (Duration::from_secs(60), 0.1, 5)
    );

    for (keys, expected) in [
        (
            "warmup = \"2s\"\nwarmup_max = \"10s\"",
            "w.toml:2:14: key `warmup_max`: applies only to warmup = \"auto\"",
        ),
        ("warmup = \"soon\"", "is not a duration nor \"auto\""),
        (
            "warmup_cv = 1.5",
            "w.toml:1:13: key `warmup_cv`: 1.5 is out of range",
        ),
        ("warmup_cv = 0.0", "key `warmup_cv`"),
        (
            "warmup_windows = 1",
            "key `warmup_windows`: 1 is out of range",
        ),
        (
            "warmup_max = \"2s\"",
            "key `warmup_max`: \"2s\" is shorter than warmup_windows = 3",
        ),
        ("warmup_max = \"soon\"", "key `warmup_max`"),
    ] {
        let err = parse(keys).expect_err(keys);
        assert!(err.contains(expected), "{keys}: {err}");
    }
}
