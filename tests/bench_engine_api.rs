//! The engine's library API as `gauntlet run` uses it: a weighted request mix
//! with status and body checks, staged schedules, the observer's phase hooks,
//! and an interrupt raised from outside.

mod bench_support;

use std::sync::Mutex;
use std::time::Duration;

use bench_support::start;
use bytes::Bytes;
use gauntlet::interrupt::Interrupt;
use gauntlet::load::{
    run_plan, LoadObserver, LoadPlan, Phase, Progress, RequestSpec, Schedule, Silent, Stage, Target,
};

fn spec(path: &str, weight: u32, status: Option<u16>, body: Option<&'static str>) -> RequestSpec {
    RequestSpec {
        method: "GET".into(),
        path: path.into(),
        headers: vec![("Accept".into(), "*/*".into())],
        body: Bytes::new(),
        weight,
        expect_status: status,
        expect_body: body.map(|b| Bytes::from_static(b.as_bytes())),
    }
}

fn plan(port: u16, requests: Vec<RequestSpec>, schedule: Schedule, secs: f64) -> LoadPlan {
    LoadPlan {
        target: Target {
            host: "127.0.0.1".into(),
            port,
        },
        requests,
        connections: 4,
        schedule,
        duration: Duration::from_secs_f64(secs),
        warmup: Duration::from_millis(300),
        threads: 2,
        cpus: None,
        timeout: Duration::from_secs(5),
        http2: false,
        pipeline: 1,
        streams: 1,
        http1_client: gauntlet::load::Http1Client::Lean,
        command_line: vec!["test".into()],
    }
}

#[derive(Default)]
struct Phases {
    seen: Mutex<Vec<Phase>>,
    progress: Mutex<Vec<Progress>>,
}

impl LoadObserver for Phases {
    fn phase_started(&self, phase: Phase) {
        self.seen.lock().unwrap().push(phase);
    }
    fn progress(&self, p: &Progress) {
        self.progress.lock().unwrap().push(*p);
    }
}

/// Open model: the requests of the measured phase a report accounts for.
/// `requests` counts complete responses; an error without one (a timeout, a
/// reset, a failed connect, on a loaded machine) is counted only among the
/// errors, and a request never sent only in `not_sent`.
fn accounted(r: &gauntlet::results::LoadReport) -> u64 {
    let unanswered: u64 = r
        .errors
        .iter()
        .filter(|(kind, _)| !matches!(kind.as_str(), "status" | "body_mismatch"))
        .map(|(_, n)| n)
        .sum();
    r.requests + unanswered + r.schedule_lag.as_ref().map_or(0, |l| l.not_sent)
}

#[test]
fn a_checked_mix_follows_its_weights_and_reports_phases() {
    let server = start("hyper-plaintext", &[]);
    let mix = vec![
        spec("/plaintext", 3, None, Some("Hello, World!")),
        spec("/status/500", 1, Some(500), None),
        spec("/plaintext", 1, None, Some("something else")),
    ];
    let observer = Phases::default();
    let p = plan(
        server.port,
        mix,
        Schedule::OpenConstant { rate: 500.0 },
        2.0,
    );
    let out = run_plan(&p, &Interrupt::new(), &observer).unwrap();
    let r = &out.report;
    // Every scheduled request is answered, failed without an answer or, on a
    // loaded machine where the generator falls behind, reported as not sent
    // by the deadline: each exactly once.
    assert_eq!(accounted(r), 1000, "{:?} {:?}", r.errors, r.schedule_lag);
    let mismatched = r.errors.get("body_mismatch").copied().unwrap_or(0);
    let fives = r.status_codes.get(&500).copied().unwrap_or(0);
    // Weights 3:1:1 over 1,000 requests: about 600 / 200 / 200.
    assert!(
        (140..260).contains(&mismatched),
        "body_mismatch {mismatched}"
    );
    assert!((140..260).contains(&fives), "500s {fives}");
    assert_eq!(r.successes + mismatched, r.requests, "{:?}", r.errors);
    assert_eq!(
        *observer.seen.lock().unwrap(),
        vec![Phase::Warmup, Phase::Measure, Phase::Done]
    );
    assert!(!observer.progress.lock().unwrap().is_empty());
    let timeline: u64 = out.interval_histograms.iter().map(|i| i.requests).sum();
    assert_eq!(timeline, 1000);
}

#[test]
fn open_stages_send_the_area_under_the_ramp() {
    let server = start("hyper-plaintext", &[]);
    let stages = vec![
        Stage {
            duration: Duration::from_secs(1),
            target: 200.0,
        },
        Stage {
            duration: Duration::from_secs(1),
            target: 600.0,
        },
    ];
    let mix = vec![spec("/plaintext", 1, None, None)];
    let p = plan(server.port, mix, Schedule::OpenStages(stages), 2.0);
    let r = run_plan(&p, &Interrupt::new(), &Silent).unwrap().report;
    // 200 in the first second, (200+600)/2 = 400 in the ramp.
    let accounted = accounted(&r);
    assert!(
        (598..=601).contains(&accounted),
        "requests + unanswered + not sent {accounted}: {:?} {:?}",
        r.errors,
        r.schedule_lag
    );
    assert_eq!(r.rate_rps, Some(600.0));
    assert!(r.intervals.len() >= 2, "{:?}", r.intervals);
    assert!(r.intervals[1].requests > r.intervals[0].requests + 100);
}

#[test]
fn closed_stages_and_an_outside_interrupt_stop_early() {
    let server = start("hyper-plaintext", &[]);
    let stages = vec![Stage {
        duration: Duration::from_secs(20),
        target: 2.0,
    }];
    let mix = vec![spec("/plaintext", 1, None, None)];
    let p = plan(server.port, mix, Schedule::ClosedStages(stages), 20.0);
    let interrupt = Interrupt::new();
    let raiser = interrupt.clone();
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(1300));
        raiser.raise();
    });
    let r = run_plan(&p, &interrupt, &Silent).unwrap().report;
    assert!(r.interrupted);
    assert!(r.elapsed_s < 3.0, "elapsed {}", r.elapsed_s);
    assert!(r.requests > 0 && r.errors.is_empty(), "{:?}", r.errors);
}
