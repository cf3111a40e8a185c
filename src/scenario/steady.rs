//! Steady state before measuring: `warmup = "auto"` (the default) loads a
//! server once, before its first repetition, until the throughput of its last
//! `warmup_windows` one-second windows varies by less than `warmup_cv`
//! (coefficient of variation), or until `warmup_max`. A JIT warms once per
//! process, so this runs once per server; each repetition then gets only
//! [`REPETITION_WARMUP`] (its connections are new).
//!
//! The warmup is one engine run of `warmup_max` whose observer watches the
//! per-second [`Progress`] readings and raises a local [`Interrupt`](crate::interrupt::Interrupt) (a child
//! of Ctrl-C's) once they are stable. What it saw goes into the result as a
//! [`WarmupRecord`].

use std::sync::Mutex;
use std::time::Duration;

use toml::Spanned;

use super::measure::Context;
use super::model::RawScenario;
use super::validate::{Ctx, ScenarioError};
use super::Scenario;
use crate::load::plan::{LoadObserver, LoadPlan, Progress, Schedule};
use crate::results::{WarmupMode, WarmupRecord};

/// Default cap of the automatic warmup.
pub const DEFAULT_WARMUP_MAX: Duration = Duration::from_secs(30);
/// Default stability limit: coefficient of variation of the last windows.
pub const DEFAULT_WARMUP_CV: f64 = 0.03;
/// Default number of consecutive one-second windows that must be stable.
pub const DEFAULT_WARMUP_WINDOWS: u32 = 3;
/// The short fixed warmup of every repetition after an automatic warmup.
pub const REPETITION_WARMUP: Duration = Duration::from_secs(1);

/// A validated `warmup = "auto"`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AutoWarmup {
    /// Longest the warmup may run (`warmup_max`).
    pub max: Duration,
    /// Stable when the coefficient of variation of the last windows is under this (`warmup_cv`).
    pub cv: f64,
    /// How many consecutive one-second windows must be stable (`warmup_windows`).
    pub windows: u32,
}

impl Default for AutoWarmup {
    fn default() -> Self {
        AutoWarmup {
            max: DEFAULT_WARMUP_MAX,
            cv: DEFAULT_WARMUP_CV,
            windows: DEFAULT_WARMUP_WINDOWS,
        }
    }
}

/// Reads `warmup`, `warmup_max`, `warmup_cv` and `warmup_windows`: the
/// warmup of each repetition, and the automatic warmup when there is one.
pub(super) fn validate_warmup(
    cx: &Ctx<'_>,
    raw: &RawScenario,
) -> Result<(Duration, Option<AutoWarmup>), ScenarioError> {
    let written_fixed = raw.warmup.as_ref().filter(|w| w.get_ref().trim() != "auto");
    if let Some(w) = written_fixed {
        let fixed = cx.duration(w, "warmup").map_err(|e| match e {
            ScenarioError::At {
                file,
                line,
                column,
                key,
                ..
            } => ScenarioError::At {
                file,
                line,
                column,
                key,
                message: format!(
                    "{:?} is not a duration nor \"auto\"; expected \"auto\" or a string like \
                     \"2s\" or \"500ms\"",
                    w.get_ref()
                ),
            },
            other => other,
        })?;
        let stray = [
            ("warmup_max", raw.warmup_max.as_ref().map(Spanned::span)),
            ("warmup_cv", raw.warmup_cv.as_ref().map(Spanned::span)),
            (
                "warmup_windows",
                raw.warmup_windows.as_ref().map(Spanned::span),
            ),
        ];
        if let Some((key, Some(span))) = stray.into_iter().find(|(_, s)| s.is_some()) {
            return Err(cx.at(
                span,
                key,
                format!(
                    "applies only to warmup = \"auto\" (this scenario has warmup = {:?}); \
                     remove it or set warmup = \"auto\"",
                    w.get_ref()
                ),
            ));
        }
        return Ok((fixed, None));
    }
    let mut spec = AutoWarmup::default();
    if let Some(v) = &raw.warmup_windows {
        spec.windows = cx.count(v, "warmup_windows", 2, 60)?;
    }
    if let Some(v) = &raw.warmup_max {
        spec.max = cx.duration(v, "warmup_max")?;
        if spec.max < Duration::from_secs(u64::from(spec.windows)) {
            return Err(cx.at(
                v.span(),
                "warmup_max",
                format!(
                    "{:?} is shorter than warmup_windows = {} one-second windows; expected at \
                     least \"{}s\"",
                    v.get_ref(),
                    spec.windows,
                    spec.windows
                ),
            ));
        }
    }
    if let Some(v) = &raw.warmup_cv {
        let cv = *v.get_ref();
        if !(cv > 0.0 && cv < 1.0) {
            return Err(cx.at(
                v.span(),
                "warmup_cv",
                format!("{cv} is out of range; expected a ratio above 0 and below 1, e.g. 0.03"),
            ));
        }
        spec.cv = cv;
    }
    Ok((REPETITION_WARMUP, Some(spec)))
}

/// Coefficient of variation (sample standard deviation / mean); `None` for
/// fewer than two values or a mean of 0.
pub fn coefficient_of_variation(values: &[f64]) -> Option<f64> {
    if values.len() < 2 {
        return None;
    }
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    if mean <= 0.0 {
        return None;
    }
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
    Some(var.sqrt() / mean)
}

/// The stability test over a stream of one-second throughputs.
#[derive(Debug, Clone)]
pub struct Stability {
    spec: AutoWarmup,
    readings: Vec<f64>,
}

impl Stability {
    /// An empty stream judged by `spec`.
    pub fn new(spec: AutoWarmup) -> Self {
        Stability {
            spec,
            readings: Vec::new(),
        }
    }

    /// Adds one window's throughput; true once the last `windows` readings
    /// are stable (and not all zero: a server answering nothing is not warm).
    pub fn push(&mut self, rps: f64) -> bool {
        self.readings.push(rps);
        self.last_cv().is_some_and(|cv| cv < self.spec.cv)
    }

    /// Coefficient of variation of the last `windows` readings, once there are that many.
    pub fn last_cv(&self) -> Option<f64> {
        let n = self.spec.windows as usize;
        let tail = self
            .readings
            .len()
            .checked_sub(n)
            .map(|s| &self.readings[s..])?;
        coefficient_of_variation(tail)
    }

    /// Every reading so far.
    pub fn readings(&self) -> &[f64] {
        &self.readings
    }
}

/// The warmup run's plan: the repetition's load held at its first level
/// (a staged load warms at its first stage), no fixed warmup of its own,
/// lasting at most `max`.
pub fn warmup_plan(plan: &LoadPlan, max: Duration) -> LoadPlan {
    let mut p = plan.clone();
    p.warmup = Duration::ZERO;
    p.duration = max;
    match &plan.schedule {
        Schedule::OpenStages(stages) => {
            let rate = stages.first().map_or(1.0, |s| s.target.max(1.0));
            p.schedule = Schedule::OpenConstant { rate };
        }
        Schedule::ClosedStages(stages) => {
            let first = stages.first().map_or(1.0, |s| s.target);
            p.connections = (first.round() as u32).clamp(1, plan.connections.max(1));
            p.schedule = Schedule::Closed;
        }
        Schedule::OpenConstant { .. } | Schedule::Closed => {}
    }
    p
}

/// Runs the automatic warmup of one server; `plan` is its repetitions' plan.
/// Returns what happened; an engine failure is the caller's to report.
pub fn warm_up(
    cx: &Context<'_>,
    scenario: &Scenario,
    server: &str,
    spec: &AutoWarmup,
    plan: &LoadPlan,
) -> anyhow::Result<WarmupRecord> {
    let stop = cx.interrupt.child();
    let watch = Watch {
        stability: Mutex::new(Stability::new(*spec)),
        stable_at: Mutex::new(None),
        stop: &stop,
        label: format!("[{} · {server}] warmup", scenario.info.name),
        progress: cx.progress.then_some(cx.lines),
    };
    cx.say(
        scenario,
        server,
        format!(
            "warming up until steady (variation of the last {} s under {:.1}%, at most {} s)",
            spec.windows,
            spec.cv * 100.0,
            spec.max.as_secs_f64()
        ),
    );
    let report = (cx.driver)(&warmup_plan(plan, spec.max), &stop, &watch)?;
    let stable_at = *watch.stable_at.lock().unwrap_or_else(|e| e.into_inner());
    let stability = watch
        .stability
        .into_inner()
        .unwrap_or_else(|e| e.into_inner());
    let stable = stable_at.is_some();
    let capped = !stable && !cx.interrupt.is_raised();
    let seconds = stable_at.map_or(report.elapsed_s, |at| at.as_secs_f64());
    let record = WarmupRecord {
        mode: WarmupMode::Auto,
        seconds,
        stable,
        capped,
        window_rps: stability.readings().to_vec(),
        last_cv: stability.last_cv(),
        max_s: spec.max.as_secs_f64(),
        cv_limit: spec.cv,
        windows: spec.windows,
        repetition_warmup_s: scenario.warmup.as_secs_f64(),
    };
    let cv = record
        .last_cv
        .map_or_else(|| "unknown".to_string(), |c| format!("{:.1}%", c * 100.0));
    cx.say(
        scenario,
        server,
        if stable {
            format!(
                "steady state reached after {seconds:.0} s (variation {cv} over the last {} s)",
                spec.windows
            )
        } else if capped {
            format!(
                "warmup stopped at warmup_max = {:.0} s without steady state (variation {cv})",
                spec.max.as_secs_f64()
            )
        } else {
            format!("warmup interrupted after {seconds:.0} s")
        },
    );
    Ok(record)
}

/// Watches the warmup's readings; stops it once they are stable.
struct Watch<'a> {
    stability: Mutex<Stability>,
    stable_at: Mutex<Option<Duration>>,
    stop: &'a crate::interrupt::Interrupt,
    label: String,
    /// Where progress lines go (`None`: quiet).
    progress: Option<super::measure::Lines<'a>>,
}

impl LoadObserver for Watch<'_> {
    fn progress(&self, p: &Progress) {
        // Once stopped (steady, or Ctrl-C), the window being filled is cut
        // short: not a reading.
        if self.stop.is_raised() {
            return;
        }
        let (stable, cv) = {
            let mut s = self.stability.lock().unwrap_or_else(|e| e.into_inner());
            let stable = s.push(p.recent_rps);
            (stable, s.last_cv())
        };
        if let Some(lines) = self.progress {
            lines(&format!(
                "{} {:>4.0}/{:.0}s: {:.0} req/s, p99 {:.2} ms, variation {}",
                self.label,
                p.elapsed.as_secs_f64(),
                p.phase_length.as_secs_f64(),
                p.recent_rps,
                p.recent_p99_us as f64 / 1e3,
                cv.map_or_else(|| "-".to_string(), |c| format!("{:.1}%", c * 100.0))
            ));
        }
        if stable {
            let mut at = self.stable_at.lock().unwrap_or_else(|e| e.into_inner());
            if at.is_none() {
                *at = Some(p.elapsed);
                self.stop.raise();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(cv: f64, windows: u32) -> AutoWarmup {
        AutoWarmup {
            max: Duration::from_secs(30),
            cv,
            windows,
        }
    }

    #[test]
    fn coefficient_of_variation_of_known_values() {
        // mean 10, sample sd 1.
        let cv = coefficient_of_variation(&[9.0, 10.0, 11.0]).unwrap();
        assert!((cv - 0.1).abs() < 1e-12, "{cv}");
        assert_eq!(coefficient_of_variation(&[5.0, 5.0, 5.0]), Some(0.0));
        assert_eq!(coefficient_of_variation(&[5.0]), None);
        assert_eq!(coefficient_of_variation(&[0.0, 0.0]), None);
    }

    #[test]
    fn stable_only_once_the_last_windows_agree() {
        // A JIT warming: 609, 700, 850, then flat around 950.
        let mut s = Stability::new(spec(0.03, 3));
        let readings = [609.0, 700.0, 850.0, 940.0, 948.0, 955.0, 951.0];
        let verdicts: Vec<bool> = readings.iter().map(|r| s.push(*r)).collect();
        // (850, 940, 948) still varies by 6%; (940, 948, 955) by 0.8%.
        assert_eq!(verdicts, [false, false, false, false, false, true, true]);
        assert_eq!(s.readings(), readings);
    }

    #[test]
    fn a_silent_server_is_never_stable() {
        let mut s = Stability::new(spec(0.03, 2));
        assert!(!s.push(0.0));
        assert!(!s.push(0.0));
        assert!(!s.push(0.0));
    }

    #[test]
    fn a_staged_load_warms_at_its_first_stage() {
        use crate::load::plan::{Stage, Target};
        let plan = LoadPlan {
            target: Target {
                host: "127.0.0.1".into(),
                port: 1,
            },
            requests: Vec::new(),
            connections: 1024,
            schedule: Schedule::ClosedStages(vec![
                Stage {
                    duration: Duration::from_secs(5),
                    target: 16.0,
                },
                Stage {
                    duration: Duration::from_secs(5),
                    target: 256.0,
                },
            ]),
            duration: Duration::from_secs(10),
            warmup: Duration::from_secs(1),
            threads: 1,
            cpus: None,
            timeout: Duration::from_secs(1),
            http2: false,
            pipeline: 1,
            streams: 1,
            http1_client: crate::load::Http1Client::Lean,
            command_line: Vec::new(),
        };
        let w = warmup_plan(&plan, Duration::from_secs(20));
        assert_eq!(w.schedule, Schedule::Closed);
        assert_eq!(w.connections, 16);
        assert_eq!(w.duration, Duration::from_secs(20));
        assert_eq!(w.warmup, Duration::ZERO);
    }
}
