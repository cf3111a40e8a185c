//! The schedule as a value: when request number `n` is meant to be sent (open
//! model) and how many connections may be active at a moment (closed model).
//! The worker loop asks it; it never sleeps or sends anything itself.
//!
//! Times are offsets from the start of the run (warmup included). Staged rates
//! ramp linearly within a stage; the warmup runs at the first stage's rate.

use std::time::{Duration, Instant};

use super::plan::{Schedule, Stage};

/// The run's timeline: warmup, then the measured phase.
#[derive(Debug, Clone, PartialEq)]
pub struct Pacer {
    kind: Kind,
    warmup: f64,
    measure: f64,
}

#[derive(Debug, Clone, PartialEq)]
enum Kind {
    /// Requests per second over the whole run.
    OpenConstant(f64),
    /// Piecewise-linear rate; `stages` hold (start s, length s, rate at start,
    /// rate at end, requests before the stage).
    OpenStages {
        warmup_rate: f64,
        stages: Vec<Segment>,
    },
    Closed,
    ClosedStages(Vec<(f64, f64)>),
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Segment {
    start: f64,
    length: f64,
    from: f64,
    to: f64,
    before: f64,
}

impl Segment {
    /// Requests scheduled from the segment's start until `t` seconds into it.
    fn count_at(&self, t: f64) -> f64 {
        self.from * t + (self.to - self.from) * t * t / (2.0 * self.length)
    }

    /// The time into the segment at which `n` requests have been scheduled.
    fn time_of(&self, n: f64) -> f64 {
        let a = (self.to - self.from) / (2.0 * self.length);
        let b = self.from;
        if a.abs() < 1e-12 {
            return if b > 0.0 { n / b } else { f64::INFINITY };
        }
        // a t² + b t − n = 0, the root within the segment.
        let disc = b * b + 4.0 * a * n;
        if disc < 0.0 {
            return f64::INFINITY;
        }
        (-b + disc.sqrt()) / (2.0 * a)
    }
}

/// What a connection should do next, from [`Pacer::slot`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Slot {
    /// Send a request meant for this offset from the run's start.
    At(Duration),
    /// Nothing to send: the run is over (or this request falls after its end).
    End,
}

impl Pacer {
    /// The pacer for a schedule, a warmup and a measured phase.
    pub fn new(schedule: &Schedule, warmup: Duration, measure: Duration) -> Pacer {
        let kind = match schedule {
            Schedule::OpenConstant { rate } => Kind::OpenConstant(*rate),
            Schedule::OpenStages(stages) => {
                let mut segments = Vec::with_capacity(stages.len());
                let warmup_rate = stages.first().map(|s| s.target).unwrap_or(0.0);
                let mut start = warmup.as_secs_f64();
                let mut before = warmup_rate * start;
                let mut prev = warmup_rate;
                for Stage { duration, target } in stages {
                    let seg = Segment {
                        start,
                        length: duration.as_secs_f64().max(1e-9),
                        from: prev,
                        to: *target,
                        before,
                    };
                    before += seg.count_at(seg.length);
                    start += seg.length;
                    prev = *target;
                    segments.push(seg);
                }
                Kind::OpenStages {
                    warmup_rate,
                    stages: segments,
                }
            }
            Schedule::Closed => Kind::Closed,
            Schedule::ClosedStages(stages) => {
                let mut out = Vec::new();
                let mut t = warmup.as_secs_f64();
                let first = stages.first().map(|s| s.target).unwrap_or(0.0);
                out.push((0.0, first));
                out.push((t, first));
                for s in stages {
                    t += s.duration.as_secs_f64();
                    out.push((t, s.target));
                }
                Kind::ClosedStages(out)
            }
        };
        Pacer {
            kind,
            warmup: warmup.as_secs_f64(),
            measure: measure.as_secs_f64(),
        }
    }

    /// True for the open model (requests have intended send times).
    pub fn is_open(&self) -> bool {
        matches!(self.kind, Kind::OpenConstant(_) | Kind::OpenStages { .. })
    }

    /// End of the run (warmup + measured phase), from the start.
    pub fn end(&self) -> Duration {
        Duration::from_secs_f64(self.warmup + self.measure)
    }

    /// Start of the measured phase, from the start.
    pub fn measure_start(&self) -> Duration {
        Duration::from_secs_f64(self.warmup)
    }

    /// Open model: the intended send offset of request number `n` (0-based,
    /// counted over the whole run), or `End` when it falls after the run.
    /// Closed model: always `End` (closed connections are not paced).
    pub fn slot(&self, n: u64) -> Slot {
        let t = self.time_of(n as f64);
        if t.is_finite() && t < self.warmup + self.measure {
            Slot::At(Duration::from_secs_f64(t))
        } else {
            Slot::End
        }
    }

    /// Open model: the intended send offset (s) of request number `n`
    /// (infinite when the schedule never reaches it; NaN for the closed model).
    fn time_of(&self, n: f64) -> f64 {
        match &self.kind {
            Kind::OpenConstant(rate) => n / rate,
            Kind::OpenStages {
                warmup_rate,
                stages,
            } => {
                let warm_count = warmup_rate * self.warmup;
                if n < warm_count {
                    n / warmup_rate
                } else {
                    match stages.iter().rev().find(|s| s.before <= n) {
                        Some(seg) => seg.start + seg.time_of(n - seg.before),
                        None => f64::INFINITY,
                    }
                }
            }
            Kind::Closed | Kind::ClosedStages(_) => f64::NAN,
        }
    }

    /// Open model: how many requests the schedule means to send from
    /// `from` until just before `until` (offsets from the start, clamped to
    /// the run), i.e. the request numbers whose [`Pacer::slot`] falls in
    /// that window. 0 for the closed model. This is the offered load a run
    /// is accountable for: requests sent plus requests not sent.
    pub fn scheduled_between(&self, from: Duration, until: Duration) -> u64 {
        if !self.is_open() {
            return 0;
        }
        let end = self.warmup + self.measure;
        let until = until.as_secs_f64().min(end);
        let from = from.as_secs_f64().min(until);
        self.count_before(until) - self.count_before(from)
    }

    /// Request numbers whose intended time is before `t` seconds: the
    /// closed form, then corrected by at most a few steps so the count agrees
    /// exactly with [`Pacer::slot`]'s own arithmetic (float rounding).
    fn count_before(&self, t: f64) -> u64 {
        if t <= 0.0 {
            return 0;
        }
        let approx = match &self.kind {
            Kind::OpenConstant(rate) => rate * t,
            Kind::OpenStages {
                warmup_rate,
                stages,
            } => match stages.iter().rev().find(|s| s.start <= t) {
                Some(seg) => seg.before + seg.count_at((t - seg.start).min(seg.length)),
                None => warmup_rate * t,
            },
            Kind::Closed | Kind::ClosedStages(_) => return 0,
        };
        let mut n = approx.max(0.0).ceil() as u64;
        // The count is the first n whose time is not before t.
        while n > 0 && self.time_of((n - 1) as f64) >= t {
            n -= 1;
        }
        while self.time_of(n as f64) < t {
            n += 1;
        }
        n
    }

    /// Closed model: how many connections may be active at `now` in a run
    /// that started at `start` (`u32::MAX` for an unstaged schedule). The
    /// offset is worked out only for stages: the worker asks on every
    /// request, and the subtraction alone was 5 % of the generator's user
    /// instructions at pipelining depth 16.
    pub fn active_connections(&self, start: Instant, now: Instant) -> u32 {
        match &self.kind {
            Kind::ClosedStages(points) => {
                let t = now.saturating_duration_since(start).as_secs_f64();
                let mut value = points.last().map(|p| p.1).unwrap_or(0.0);
                for w in points.windows(2) {
                    let ((t0, v0), (t1, v1)) = (w[0], w[1]);
                    if t >= t0 && t < t1 {
                        let f = if t1 > t0 { (t - t0) / (t1 - t0) } else { 1.0 };
                        value = v0 + (v1 - v0) * f;
                        break;
                    }
                }
                value.round().max(0.0) as u32
            }
            _ => u32::MAX,
        }
    }

    /// Requests the schedule plans for the measured phase (open model).
    pub fn planned_in_measure(&self) -> Option<f64> {
        match &self.kind {
            Kind::OpenConstant(rate) => Some(rate * self.measure),
            Kind::OpenStages { stages, .. } => {
                Some(stages.iter().map(|s| s.count_at(s.length)).sum())
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(s: f64) -> Duration {
        Duration::from_secs_f64(s)
    }

    #[test]
    fn constant_rate_spaces_requests_evenly_and_stops_at_the_end() {
        let p = Pacer::new(
            &Schedule::OpenConstant { rate: 100.0 },
            secs(1.0),
            secs(2.0),
        );
        assert_eq!(p.slot(0), Slot::At(secs(0.0)));
        assert_eq!(p.slot(150), Slot::At(secs(1.5)));
        assert_eq!(p.slot(299), Slot::At(secs(2.99)));
        assert_eq!(p.slot(300), Slot::End);
    }

    #[test]
    fn a_ramp_sends_the_area_under_the_rate() {
        let stages = vec![
            Stage {
                duration: secs(10.0),
                target: 100.0,
            },
            Stage {
                duration: secs(10.0),
                target: 300.0,
            },
        ];
        let p = Pacer::new(&Schedule::OpenStages(stages), secs(0.0), secs(20.0));
        // First 10 s at 100/s = 1000 requests; then 100→300 over 10 s = 2000.
        assert_eq!(p.planned_in_measure().map(f64::round), Some(3000.0));
        let Slot::At(t) = p.slot(1000) else { panic!() };
        assert!((t.as_secs_f64() - 10.0).abs() < 1e-6);
        let Slot::At(t) = p.slot(2999) else { panic!() };
        assert!(t.as_secs_f64() > 19.9 && t.as_secs_f64() < 20.0);
        assert_eq!(p.slot(3001), Slot::End);
    }

    #[test]
    fn the_scheduled_count_agrees_with_the_slots() {
        let stages = vec![
            Stage {
                duration: secs(1.5),
                target: 37.0,
            },
            Stage {
                duration: secs(2.0),
                target: 113.0,
            },
        ];
        let pacers = [
            Pacer::new(&Schedule::OpenConstant { rate: 97.0 }, secs(0.7), secs(2.3)),
            Pacer::new(&Schedule::OpenStages(stages), secs(0.5), secs(3.5)),
        ];
        for p in &pacers {
            // Brute force: the request numbers whose slot falls in the window.
            let times: Vec<f64> = (0..)
                .map_while(|n| match p.slot(n) {
                    Slot::At(t) => Some(t.as_secs_f64()),
                    Slot::End => None,
                })
                .collect();
            for (a, b) in [(0.0, 10.0), (0.7, 3.0), (0.5, 1.25), (1.0, 1.0), (2.2, 2.9)] {
                let want = times.iter().filter(|t| **t >= a && **t < b).count() as u64;
                assert_eq!(p.scheduled_between(secs(a), secs(b)), want, "{a}..{b}");
            }
        }
        let closed = Pacer::new(&Schedule::Closed, secs(0.0), secs(2.0));
        assert_eq!(closed.scheduled_between(secs(0.0), secs(2.0)), 0);
    }

    #[test]
    fn closed_stages_ramp_the_active_connections() {
        let stages = vec![
            Stage {
                duration: secs(10.0),
                target: 10.0,
            },
            Stage {
                duration: secs(10.0),
                target: 20.0,
            },
        ];
        let p = Pacer::new(&Schedule::ClosedStages(stages), secs(2.0), secs(20.0));
        let t0 = Instant::now();
        assert_eq!(p.active_connections(t0, t0 + secs(1.0)), 10);
        assert_eq!(p.active_connections(t0, t0 + secs(17.0)), 15);
        assert!(!p.is_open());
    }
}
