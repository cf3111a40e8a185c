//! What bounded each repetition's throughput: the server (its CPUs were
//! busy), the generator (busy or behind its schedule while the server was
//! not), or the scenario (neither: its concurrency, think time or waits set
//! the pace). Only server-bound figures rank runtimes; the others are shown
//! labelled with what bounded them.
//!
//! The server's utilisation is its CPU seconds over the measured window ÷
//! (window × the CPUs it was given); the generator's is what the load engine
//! measured of itself. Both busy counts as server-bound: the server could not
//! have gone faster either way. On a machine shared with other work the
//! server may get less CPU than it wants: when its CPUs were ≥ 90 % busy
//! (with anything), its CPU time plus the time its threads waited for a CPU
//! ([`crate::supervise::schedstat`]) reach 90 % of them, and its busiest
//! thread per CPU was runnable (running or waiting) at least half the window
//! ([`STARVED`]), it is server-bound too. The waits alone do not do: summed
//! over a thread per connection, each woken briefly on a CPU other programs
//! hold, they reach many times the window while the server wants almost no
//! CPU;
//! when neither side was busy but other programs held the server's CPUs the
//! repetition is `contended`, not scenario-bound: the machine set the pace.

use crate::load::engine::LAG_LIMIT;
use crate::results::{Bound, BoundBy, LoadReport, Repetition, ServerRunResult, ServerUsage};
use crate::supervise::schedstat::SchedTotals;

/// A side counts as busy at this share of its CPUs.
pub const BUSY: f64 = 0.90;
/// Share of the server's CPUs held by other programs from which a run that
/// is neither server- nor generator-bound counts as contended.
pub const OTHERS: f64 = 0.10;
/// Share of the window its busiest thread per CPU must have been runnable
/// (running or waiting for a CPU), its CPUs full, for a server to count as
/// starved of them: it wanted a CPU most of the time. Not [`BUSY`]: even a
/// CPU-bound thread is off the CPU while it waits for its next request, and
/// a generator slowed by the same machine makes that wait long. Measured on
/// a 2-core machine beside busy loops and other tests: a CPU-burning server
/// 0.71-1.01, a sleeping one with a thread per connection 0.006-0.20.
pub const STARVED: f64 = 0.5;

/// Classifies one repetition from the server's CPU seconds over `window_s`
/// on `server_cpus` CPUs, what its threads waited and how busy its CPUs were
/// (`sched`, when the kernel says), and the generator's own figures.
pub fn classify(
    server_cpu_s: f64,
    window_s: f64,
    server_cpus: u32,
    sched: Option<SchedTotals>,
    generator_utilization: f64,
    generator_behind: bool,
) -> Bound {
    let capacity = window_s * f64::from(server_cpus);
    let share = |s: f64| if capacity > 0.0 { s / capacity } else { 0.0 };
    let server_utilization = share(server_cpu_s);
    let server_wait = sched.map(|t| share(t.wait_s));
    let server_runnable = sched.map(|t| share(t.busiest_s));
    let cpus_busy = sched
        .filter(|t| t.cpus_total_s > 0.0)
        .map(|t| t.cpus_busy_s / t.cpus_total_s);
    let starved = matches!((server_wait, server_runnable, cpus_busy), (Some(w), Some(r), Some(b))
        if server_utilization + w >= BUSY && r >= STARVED && b >= BUSY);
    let crowded = cpus_busy.is_some_and(|b| b >= BUSY && b - server_utilization >= OTHERS);
    let by = if server_utilization >= BUSY || starved {
        BoundBy::Server
    } else if generator_utilization >= BUSY || generator_behind {
        BoundBy::Generator
    } else if crowded {
        BoundBy::Contended
    } else {
        BoundBy::Scenario
    };
    Bound {
        by,
        server_utilization,
        server_cpus,
        server_wait,
        server_runnable,
        cpus_busy,
        generator_utilization,
        generator_behind,
    }
}

/// True when the generator fell behind its schedule (open model: p99
/// schedule lag over the engine's limit).
pub fn generator_behind(load: &LoadReport) -> bool {
    load.schedule_lag
        .as_ref()
        .is_some_and(|lag| lag.p99_us > LAG_LIMIT.as_micros() as u64)
}

/// The bound of a repetition just measured: `usage` over the measured
/// `window_s` seconds on `server_cpus` CPUs, with `sched` over the same window.
pub fn of_repetition(
    load: &LoadReport,
    usage: &ServerUsage,
    window_s: f64,
    server_cpus: u32,
    sched: Option<SchedTotals>,
) -> Bound {
    classify(
        usage.cpu_s,
        window_s,
        server_cpus,
        sched,
        load.generator.cpu_utilization,
        generator_behind(load),
    )
}

/// CPUs the server of `result` was given: its pinned set, or every online
/// CPU when it was not pinned.
pub fn server_cpus_of(result: &ServerRunResult) -> u32 {
    if result.server_cpus.is_empty() {
        result.environment.logical_cpus.max(1)
    } else {
        result.server_cpus.len() as u32
    }
}

/// The bound a stored repetition records. A result written before bounds
/// were recorded is not reclassified (its server's CPUs are not known for
/// sure): a repetition the generator flagged as limited counts as
/// generator-bound, any other as unclassified (`None`).
pub fn of_stored(rep: &Repetition) -> Option<Bound> {
    if let Some(bound) = &rep.bound {
        return Some(bound.clone());
    }
    rep.load.saturation.generator_limited.then(|| Bound {
        by: BoundBy::Generator,
        server_utilization: 0.0,
        server_cpus: 0,
        server_wait: None,
        server_runnable: None,
        cpus_busy: None,
        generator_utilization: rep.load.generator.cpu_utilization,
        generator_behind: generator_behind(&rep.load),
    })
}

/// "server-bound", "generator-bound" or "scenario-bound".
pub fn word(by: BoundBy) -> &'static str {
    match by {
        BoundBy::Server => "server-bound",
        BoundBy::Generator => "generator-bound",
        BoundBy::Scenario => "scenario-bound",
        BoundBy::Contended => "contended",
    }
}

/// How the repetitions of one server run were bounded.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tally {
    /// Server-bound repetitions.
    pub server: u32,
    /// Generator-bound repetitions.
    pub generator: u32,
    /// Scenario-bound repetitions.
    pub scenario: u32,
    /// Repetitions whose server CPUs other programs held.
    pub contended: u32,
    /// Repetitions nothing classifies (an unsupervised server).
    pub unknown: u32,
    /// Median server utilisation over the classified repetitions.
    pub server_utilization: Option<f64>,
    /// Median generator utilisation over the classified repetitions.
    pub generator_utilization: Option<f64>,
    /// Median share of the server's CPUs its threads spent waiting for one.
    pub server_wait: Option<f64>,
    /// Median share of the server's CPUs busy with anything.
    pub cpus_busy: Option<f64>,
}

impl Tally {
    /// The tally of every repetition of `result`.
    pub fn of(result: &ServerRunResult) -> Tally {
        let bounds: Vec<Option<Bound>> = result.repetitions.iter().map(of_stored).collect();
        Tally::from_bounds(&bounds)
    }

    /// The tally of classified (`Some`) and unclassified (`None`) repetitions.
    pub fn from_bounds(bounds: &[Option<Bound>]) -> Tally {
        let mut t = Tally::default();
        let mut server_util = Vec::new();
        let mut generator_util = Vec::new();
        let mut waits = Vec::new();
        let mut busy = Vec::new();
        for b in bounds {
            match b {
                None => t.unknown += 1,
                Some(b) => {
                    match b.by {
                        BoundBy::Server => t.server += 1,
                        BoundBy::Generator => t.generator += 1,
                        BoundBy::Scenario => t.scenario += 1,
                        BoundBy::Contended => t.contended += 1,
                    }
                    if b.server_cpus > 0 {
                        server_util.push(b.server_utilization);
                    }
                    generator_util.push(b.generator_utilization);
                    waits.extend(b.server_wait);
                    busy.extend(b.cpus_busy);
                }
            }
        }
        t.server_utilization = crate::stats::median(&server_util);
        t.generator_utilization = crate::stats::median(&generator_util);
        t.server_wait = crate::stats::median(&waits);
        t.cpus_busy = crate::stats::median(&busy);
        t
    }

    /// Repetitions counted.
    pub fn total(&self) -> u32 {
        self.server + self.generator + self.scenario + self.contended + self.unknown
    }

    fn counts(&self) -> [(BoundBy, u32); 4] {
        // Ties go to the kind listed first: the run is called server-bound
        // only when strictly more repetitions were server-bound than either other kind.
        [
            (BoundBy::Generator, self.generator),
            (BoundBy::Contended, self.contended),
            (BoundBy::Scenario, self.scenario),
            (BoundBy::Server, self.server),
        ]
    }

    /// What bounded most repetitions (a tie is not server-bound); `None`
    /// when no repetition was classified.
    pub fn verdict(&self) -> Option<BoundBy> {
        let (by, n) = self
            .counts()
            .into_iter()
            .fold(
                (BoundBy::Server, 0),
                |best, c| if c.1 > best.1 { c } else { best },
            );
        (n > 0).then_some(by)
    }

    /// True when the throughput may rank the server against others:
    /// server-bound, or nothing says otherwise (no classified repetition).
    pub fn ranks(&self) -> bool {
        matches!(self.verdict(), None | Some(BoundBy::Server))
    }

    /// The mark a chart or ranking shows for figures that are not the
    /// server's: `Some("generator-bound")` or `Some("scenario-bound")`.
    pub fn mark(&self) -> Option<&'static str> {
        self.verdict().filter(|b| *b != BoundBy::Server).map(word)
    }

    /// In words: "server-bound", "generator-bound in 4 of 5 repetitions";
    /// `None` when nothing was classified.
    pub fn describe(&self) -> Option<String> {
        let verdict = self.verdict()?;
        let n = self.count(verdict);
        let total = self.total();
        Some(if n < total {
            format!("{} in {n} of {total} repetitions", word(verdict))
        } else {
            word(verdict).to_string()
        })
    }

    fn count(&self, by: BoundBy) -> u32 {
        match by {
            BoundBy::Server => self.server,
            BoundBy::Generator => self.generator,
            BoundBy::Scenario => self.scenario,
            BoundBy::Contended => self.contended,
        }
    }

    /// [`Tally::describe`] with the other kinds seen: "generator-bound in 4
    /// of 5 repetitions (server-bound in 1)".
    pub fn describe_all(&self) -> Option<String> {
        let verdict = self.verdict()?;
        let total = self.total();
        let n = |by: BoundBy| self.count(by);
        let mut text = word(verdict).to_string();
        if n(verdict) < total {
            text.push_str(&format!(" in {} of {total} repetitions", n(verdict)));
            let others: Vec<String> = [
                BoundBy::Server,
                BoundBy::Generator,
                BoundBy::Scenario,
                BoundBy::Contended,
            ]
            .into_iter()
            .filter(|b| *b != verdict && n(*b) > 0)
            .map(|b| format!("{} in {}", word(b), n(b)))
            .collect();
            if !others.is_empty() {
                text.push_str(&format!(" ({})", others.join(", ")));
            }
        }
        Some(text)
    }

    /// The utilisations behind the verdict, e.g. "server CPUs 97 % busy,
    /// generator 41 %".
    pub fn utilizations(&self) -> Option<String> {
        let generator = self.generator_utilization?;
        let waited = match self.server_wait {
            Some(w) if w >= 0.05 => format!(", waited for a CPU {:.0} %", w * 100.0),
            _ => String::new(),
        };
        Some(match self.server_utilization {
            Some(server) => {
                // Other programs held the server's CPUs: the figures are disturbed.
                let others = match self.cpus_busy {
                    Some(b) if b >= BUSY && server < BUSY => {
                        format!(", its CPUs {:.0} % busy counting other programs", b * 100.0)
                    }
                    _ => String::new(),
                };
                format!(
                    "server CPUs {:.0} % busy{waited}{others}, generator {:.0} %",
                    server * 100.0,
                    generator * 100.0
                )
            }
            None => format!("generator {:.0} % busy", generator * 100.0),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(by: BoundBy) -> Option<Bound> {
        Some(Bound {
            by,
            server_utilization: 0.5,
            server_cpus: 1,
            server_wait: None,
            server_runnable: None,
            cpus_busy: None,
            generator_utilization: 0.5,
            generator_behind: false,
        })
    }

    #[test]
    fn a_busy_server_is_server_bound_even_when_the_generator_is_busy_too() {
        // 2.85 CPU-s in 3 s on one CPU: 95 % busy.
        let both = classify(2.85, 3.0, 1, None, 0.97, false);
        assert_eq!(both.by, BoundBy::Server);
        assert!((both.server_utilization - 0.95).abs() < 1e-9);
        // The same CPU seconds spread over two CPUs: 47.5 % busy, not the server.
        assert_eq!(
            classify(2.85, 3.0, 2, None, 0.97, false).by,
            BoundBy::Generator
        );
        assert_eq!(
            classify(2.85, 3.0, 2, None, 0.30, false).by,
            BoundBy::Scenario
        );
    }

    #[test]
    fn the_generator_bounds_when_busy_or_behind_while_the_server_is_not() {
        assert_eq!(
            classify(1.0, 3.0, 1, None, 0.92, false).by,
            BoundBy::Generator
        );
        assert_eq!(
            classify(1.0, 3.0, 1, None, 0.20, true).by,
            BoundBy::Generator
        );
        assert_eq!(
            classify(1.0, 3.0, 1, None, 0.89, false).by,
            BoundBy::Scenario
        );
        // Just over the line counts as busy.
        assert_eq!(classify(2.71, 3.0, 1, None, 0.0, false).by, BoundBy::Server);
        // No window: nothing can be said of the server.
        assert_eq!(
            classify(1.0, 0.0, 1, None, 0.1, false).by,
            BoundBy::Scenario
        );
    }

    #[test]
    fn a_server_starved_of_its_busy_cpus_is_server_bound() {
        // Over the thread that was runnable longest, and all threads' waits.
        let sched = |busiest_s: f64, wait_s: f64, busy: f64| {
            Some(SchedTotals {
                cpu_s: 0.0,
                wait_s,
                busiest_s,
                cpus_busy_s: busy,
                cpus_total_s: 1.0,
            })
        };
        // 1.2 CPU-s of 3 s (40 %), its thread waited another 1.8 s, the CPU was full.
        let starved = classify(1.2, 3.0, 1, sched(3.0, 1.8, 0.98), 0.2, false);
        assert_eq!(starved.by, BoundBy::Server);
        assert!((starved.server_wait.unwrap() - 0.6).abs() < 1e-9);
        assert!((starved.server_runnable.unwrap() - 1.0).abs() < 1e-9);
        assert_eq!(starved.cpus_busy, Some(0.98));
        // The same wait on a CPU that was not full: not the server's CPUs.
        assert_eq!(
            classify(1.2, 3.0, 1, sched(3.0, 1.8, 0.6), 0.2, false).by,
            BoundBy::Scenario
        );
        // A full CPU the server did not want (little wait): other programs
        // held it, the machine set the pace.
        assert_eq!(
            classify(0.1, 3.0, 1, sched(0.3, 0.2, 0.99), 0.2, false).by,
            BoundBy::Contended
        );
        // A thread per connection, 32 of them each woken 20 times a second on
        // a CPU another program holds (as a run beside two busy loops
        // measured): 2 % CPU, waits summing to 3.2 times the window, but no
        // thread runnable more than a tenth of it. Contended, not starved.
        let sleeper = classify(0.06, 3.0, 1, sched(0.32, 9.6, 1.0), 0.05, false);
        assert_eq!(sleeper.by, BoundBy::Contended, "{sleeper:?}");
        assert!(sleeper.server_wait.unwrap() > 3.0);
        // A thread per connection each burning 2 ms a request, measured
        // beside other tests: 64 % CPU, its busiest thread runnable 71 % of
        // the window (each also waits for its next request). Starved.
        let burner = classify(1.92, 3.0, 1, sched(2.13, 62.7, 0.995), 0.05, false);
        assert_eq!(burner.by, BoundBy::Server, "{burner:?}");
        // A full CPU the server itself filled to 85 %: not contended.
        assert_eq!(
            classify(2.55, 3.0, 1, sched(2.55, 0.0, 0.92), 0.2, false).by,
            BoundBy::Scenario
        );
    }

    #[test]
    fn the_tally_calls_a_run_by_its_majority_and_says_the_rest() {
        let t = Tally::from_bounds(&[
            b(BoundBy::Generator),
            b(BoundBy::Generator),
            b(BoundBy::Server),
            b(BoundBy::Generator),
            b(BoundBy::Generator),
        ]);
        assert_eq!(t.verdict(), Some(BoundBy::Generator));
        assert!(!t.ranks());
        assert_eq!(t.mark(), Some("generator-bound"));
        assert_eq!(
            t.describe().unwrap(),
            "generator-bound in 4 of 5 repetitions"
        );
        assert_eq!(
            t.describe_all().unwrap(),
            "generator-bound in 4 of 5 repetitions (server-bound in 1)"
        );
        let all = Tally::from_bounds(&[b(BoundBy::Server), b(BoundBy::Server)]);
        assert_eq!(all.describe().unwrap(), "server-bound");
        assert!(all.ranks() && all.mark().is_none());
        let scenario = Tally::from_bounds(&[b(BoundBy::Scenario)]);
        assert_eq!(scenario.describe().unwrap(), "scenario-bound");
        assert!(!scenario.ranks());
    }

    #[test]
    fn a_tie_is_not_server_bound_and_nothing_classified_says_nothing() {
        let tie = Tally::from_bounds(&[b(BoundBy::Server), b(BoundBy::Scenario)]);
        assert_eq!(tie.verdict(), Some(BoundBy::Scenario));
        assert!(!tie.ranks());
        let none = Tally::from_bounds(&[None, None]);
        assert_eq!(none.verdict(), None);
        assert!(none.ranks(), "an unsupervised target keeps its rank");
        assert!(none.describe().is_none());
    }
}
