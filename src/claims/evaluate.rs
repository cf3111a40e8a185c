//! Evaluating claims against result folders: each term's figure (median) and
//! interval (min–max over repetitions, or over cold starts for `startup`),
//! the expression's figure and interval (for a ratio a/b the interval is
//! [min a / max b, max a / min b]), and the verdict with its reason.

use serde::Serialize;

use super::file::{Claim, ClaimsFile, Test};
use super::format::{describe_condition, figure};
use super::metric::CapacityLimit;
use super::predicate::{Condition, Expr, Term};
use crate::compare::runs::status_note;
use crate::results::{Environment, RunFolder, RunStatus, ServerRunResult};
use crate::stats::median;

/// The verdict on one claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The whole interval lies where the claim says.
    Supported,
    /// The whole interval lies outside.
    Contradicted,
    /// The interval straddles a boundary, or the figure is unusable or missing.
    Inconclusive,
    /// Gauntlet does not measure the settling figure (yet).
    NotTestable,
}

impl Verdict {
    /// The word printed in tables.
    pub fn word(self) -> &'static str {
        match self {
            Verdict::Supported => "supported",
            Verdict::Contradicted => "contradicted",
            Verdict::Inconclusive => "inconclusive",
            Verdict::NotTestable => "not_testable",
        }
    }
}

/// The machine figures were measured on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, schemars::JsonSchema)]
#[schemars(transform = crate::results::json_schema::hardware_aliases)]
pub struct Hardware {
    /// CPU model name.
    pub cpu_model: String,
    /// Logical CPUs (hardware threads). `claims --json` before this name
    /// called it `cpu_cores`; that name still reads.
    #[serde(alias = "cpu_cores")]
    pub logical_cpus: u32,
    /// Physical cores, when the machine reported them.
    #[serde(default)]
    pub physical_cores: Option<u32>,
    /// Total memory, bytes.
    pub memory_bytes: u64,
    /// Kernel release.
    pub kernel: String,
    /// Operating system.
    pub os: String,
}

impl Hardware {
    fn of(env: &Environment) -> Self {
        Hardware {
            cpu_model: env.cpu_model.clone(),
            logical_cpus: env.logical_cpus,
            physical_cores: env.physical_cores,
            memory_bytes: env.memory_bytes,
            kernel: env.kernel.clone(),
            os: env.os.clone(),
        }
    }

    fn same_machine(&self, other: &Hardware) -> bool {
        self.cpu_model == other.cpu_model
            && self.logical_cpus == other.logical_cpus
            && self.memory_bytes == other.memory_bytes
    }

    /// One line: `Intel Xeon ..., 2 logical CPUs (1 physical core), 7.8
    /// GiB memory, Linux 6.1` (the physical cores when known).
    pub fn line(&self) -> String {
        let cores = match self.physical_cores {
            Some(1) => " (1 physical core)".to_string(),
            Some(n) => format!(" ({n} physical cores)"),
            None => String::new(),
        };
        format!(
            "{}, {} logical CPUs{cores}, {:.1} GiB memory, {} {}",
            self.cpu_model,
            self.logical_cpus,
            self.memory_bytes as f64 / (1u64 << 30) as f64,
            self.os,
            self.kernel
        )
    }
}

/// The figure of one term.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct TermFigure {
    /// Metric name.
    pub metric: String,
    /// Server.
    pub server: String,
    /// Scenario.
    pub scenario: String,
    /// Run id of the result used (absent when no result was found).
    pub run_id: Option<String>,
    /// Median of the samples, base unit (absent when none).
    pub figure: Option<f64>,
    /// Smallest and largest sample.
    pub interval: Option<[f64; 2]>,
    /// Number of samples.
    pub n: usize,
}

/// The evaluation of one claim.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ClaimResult {
    /// Claim id.
    pub id: String,
    /// The claim's wording.
    pub claim: String,
    /// The predicate as written (absent when not testable).
    pub predicate: Option<String>,
    /// `scenario / server` pairs the predicate needs.
    pub needs: Vec<String>,
    /// The verdict.
    pub verdict: Verdict,
    /// The measured figure in `unit` (absent when it could not be computed).
    pub figure: Option<f64>,
    /// Its interval over repetitions.
    pub interval: Option<[f64; 2]>,
    /// Unit of `figure`: `req/s`, `us`, `bytes`, `fraction` or `ratio`.
    pub unit: Option<&'static str>,
    /// The figure and interval in words, e.g. `23.4 MB (21.0–25.1 MB, n=3)`.
    pub measured: String,
    /// Why this verdict.
    pub reason: String,
    /// How the predicate reads the claim, from the claims file.
    pub note: String,
    /// Every term's own figure.
    pub terms: Vec<TermFigure>,
}

/// All claims evaluated, with the machines the figures came from.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Evaluation {
    /// The claims file.
    pub claims_file: String,
    /// One result per claim, in file order.
    pub claims: Vec<ClaimResult>,
    /// The machine of the first result folder.
    pub hardware: Option<Hardware>,
    /// Every distinct machine among the folders (more than one: figures
    /// from different machines are never combined).
    pub hardware_all: Vec<Hardware>,
    /// The result folders read, in order.
    pub folders: Vec<String>,
}

/// A later folder's result for the same scenario × server replaces an earlier one.
fn find<'a>(folders: &'a [RunFolder], scenario: &str, server: &str) -> Option<&'a ServerRunResult> {
    folders
        .iter()
        .rev()
        .flat_map(|f| f.results.iter())
        .find(|r| r.scenario.name == scenario && r.server.name == server)
}

struct Measured {
    figure: TermFigure,
    samples: Vec<f64>,
    /// Why the figure cannot settle the claim (the verdict is inconclusive).
    problems: Vec<String>,
    /// Why the figure is only a lower bound on the server's (generator-limited
    /// throughput, peak RSS or capacity): it can still settle a claim that
    /// its lower bound already decides.
    lower_bound: Vec<String>,
    hardware: Option<Hardware>,
}

fn measure(folders: &[RunFolder], term: &Term, scenario: &str) -> Measured {
    let label = format!("{}({} @ {scenario})", term.metric.name, term.server);
    let mut figure = TermFigure {
        metric: term.metric.name.to_string(),
        server: term.server.clone(),
        scenario: scenario.to_string(),
        run_id: None,
        figure: None,
        interval: None,
        n: 0,
    };
    let Some(result) = find(folders, scenario, &term.server) else {
        let present = folders
            .iter()
            .any(|f| f.results.iter().any(|r| r.scenario.name == scenario));
        let why = if present {
            format!(
                "missing: no result for server {} in scenario {scenario}",
                term.server
            )
        } else {
            format!(
                "missing: no result for scenario {scenario} (needed for {})",
                term.server
            )
        };
        return Measured {
            figure,
            samples: Vec::new(),
            problems: vec![why],
            lower_bound: Vec::new(),
            hardware: None,
        };
    };
    figure.run_id = Some(result.run_id.clone());
    let samples = term.metric.samples(result);
    let mut problems = Vec::new();
    let mut lower_bound = Vec::new();
    if let Some(note) = status_note(&result.status) {
        problems.push(format!("{} @ {scenario} {note}", term.server));
    }
    let limited: Vec<String> = term
        .metric
        .repetitions_used(result)
        .into_iter()
        .filter(|r| r.load.saturation.generator_limited)
        .map(|r| {
            format!(
                "repetition {} ({})",
                r.index,
                r.load.saturation.reasons.join("; ")
            )
        })
        .collect();
    if !limited.is_empty() {
        let what = if term.metric.limited_is_lower_bound {
            "a lower bound, not a measurement"
        } else {
            "the generator, not only the server, shaped it"
        };
        let note = format!(
            "{label} is generator-limited ({what}) in {}",
            limited.join(", ")
        );
        if term.metric.limited_is_lower_bound {
            lower_bound.push(note);
        } else {
            problems.push(note);
        }
    }
    match term.metric.capacity_limited(result) {
        Some(CapacityLimit::Unusable(why)) => problems.push(format!("{label}: {why}")),
        Some(CapacityLimit::LowerBound(why)) => lower_bound.push(format!("{label}: {why}")),
        None => {}
    }
    if samples.is_empty() && matches!(result.status, RunStatus::Ok) {
        problems.push(format!("{label}: the result holds no such figure"));
    }
    if !samples.is_empty() {
        figure.figure = median(&samples);
        let lo = samples.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = samples.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        figure.interval = Some([lo, hi]);
        figure.n = samples.len();
    }
    Measured {
        figure,
        samples,
        problems,
        lower_bound,
        hardware: Some(Hardware::of(&result.environment)),
    }
}

/// Where an interval lies against the supporting set.
fn judge(condition: &Condition, [lo, hi]: [f64; 2]) -> Verdict {
    let above_lower = |v: f64| {
        condition.lower.map_or(true, |b| {
            if b.inclusive {
                v >= b.value
            } else {
                v > b.value
            }
        })
    };
    let below_upper = |v: f64| {
        condition.upper.map_or(true, |b| {
            if b.inclusive {
                v <= b.value
            } else {
                v < b.value
            }
        })
    };
    if above_lower(lo) && below_upper(hi) {
        Verdict::Supported
    } else if !below_upper(lo) || !above_lower(hi) {
        Verdict::Contradicted
    } else {
        Verdict::Inconclusive
    }
}

fn combine(expr: &Expr, m: &[Measured]) -> Result<(f64, [f64; 2]), String> {
    let fig = |i: usize| {
        m[i].figure
            .figure
            .zip(m[i].figure.interval)
            .ok_or_else(|| "no figure".to_string())
    };
    match expr {
        Expr::Single(_) => fig(0),
        Expr::Difference(..) => {
            let ((a, [a0, a1]), (b, [b0, b1])) = (fig(0)?, fig(1)?);
            Ok((a - b, [a0 - b1, a1 - b0]))
        }
        Expr::Ratio(..) => {
            let ((a, [a0, a1]), (b, [b0, b1])) = (fig(0)?, fig(1)?);
            if b0 <= 0.0 || b <= 0.0 {
                return Err(format!(
                    "the denominator {}({} @ {}) reaches 0, so the ratio is undefined",
                    m[1].figure.metric, m[1].figure.server, m[1].figure.scenario
                ));
            }
            Ok((a / b, [a0 / b1, a1 / b0]))
        }
    }
}

/// The interval the expression's true value may take when some terms are
/// only lower bounds: a lower-bounded term may be anything above its
/// interval, so where it raises the expression (a sum's or ratio's first
/// term) the upper end opens to infinity, and where it lowers it (the second
/// term) the lower end falls to 0 for a ratio, to minus infinity for a
/// difference.
fn widen(expr: &Expr, m: &[Measured], [mut lo, mut hi]: [f64; 2]) -> [f64; 2] {
    let bounded = |i: usize| m.get(i).is_some_and(|t| !t.lower_bound.is_empty());
    match expr {
        Expr::Single(_) => {
            if bounded(0) {
                hi = f64::INFINITY;
            }
        }
        Expr::Difference(..) | Expr::Ratio(..) => {
            if bounded(0) {
                hi = f64::INFINITY;
            }
            if bounded(1) {
                lo = if matches!(expr, Expr::Ratio(..)) {
                    0.0
                } else {
                    f64::NEG_INFINITY
                };
            }
        }
    }
    [lo, hi]
}

fn evaluate_claim(claim: &Claim, folders: &[RunFolder]) -> ClaimResult {
    let mut out = ClaimResult {
        id: claim.id.clone(),
        claim: claim.claim.clone(),
        predicate: None,
        needs: claim
            .needs
            .iter()
            .map(|(sc, sv)| format!("{sc} / {sv}"))
            .collect(),
        verdict: Verdict::NotTestable,
        figure: None,
        interval: None,
        unit: None,
        measured: "-".into(),
        reason: String::new(),
        note: claim.note.clone(),
        terms: Vec::new(),
    };
    let predicate = match &claim.test {
        Test::NotTestable(reason) => {
            out.reason = reason.clone();
            return out;
        }
        Test::Predicate(p) => p,
    };
    out.predicate = Some(predicate.text.clone());
    let unit = predicate.expr.unit();
    out.unit = Some(super::format::unit_name(unit));
    let measured: Vec<Measured> = predicate
        .expr
        .terms()
        .into_iter()
        .zip(&claim.needs)
        .map(|(term, (scenario, _))| measure(folders, term, scenario))
        .collect();
    out.terms = measured.iter().map(|m| m.figure.clone()).collect();
    let mut problems: Vec<String> = measured.iter().flat_map(|m| m.problems.clone()).collect();
    let machines: Vec<&Hardware> = measured
        .iter()
        .filter_map(|m| m.hardware.as_ref())
        .collect();
    if machines.windows(2).any(|w| !w[0].same_machine(w[1])) {
        problems.push(format!(
            "the figures come from different machines ({}); a comparison needs the same hardware",
            machines
                .iter()
                .map(|h| h.line())
                .collect::<Vec<_>>()
                .join(" vs ")
        ));
    }
    let combined = combine(&predicate.expr, &measured);
    let n = measured.iter().map(|m| m.samples.len()).min().unwrap_or(0);
    if let Ok((value, interval)) = &combined {
        out.figure = Some(*value);
        out.interval = Some(*interval);
        out.measured = format!(
            "{} ({}–{}, n={n})",
            figure(unit, *value),
            figure(unit, interval[0]),
            figure(unit, interval[1])
        );
    }
    let target = describe_condition(&predicate.condition, unit);
    let lower_bound: Vec<String> = measured
        .iter()
        .flat_map(|m| m.lower_bound.clone())
        .collect();
    match combined {
        Ok(_) if !problems.is_empty() => {
            problems.extend(lower_bound);
            out.verdict = Verdict::Inconclusive;
            out.reason = problems.join("; ");
        }
        Ok((_, interval)) if !lower_bound.is_empty() => {
            let open = widen(&predicate.expr, &measured, interval);
            out.verdict = judge(&predicate.condition, open);
            out.measured = format!("{} — lower bound", out.measured);
            let range = format!(
                "{}–{}",
                bound_text(unit, open[0]),
                bound_text(unit, open[1])
            );
            out.reason = match out.verdict {
                Verdict::Supported => format!(
                    "as a lower bound the figure may lie anywhere in {range}, and all of that is {}: {}",
                    target,
                    lower_bound.join("; ")
                ),
                Verdict::Contradicted => format!(
                    "even as a lower bound (anywhere in {range}) no part of it is {}: {}",
                    target,
                    lower_bound.join("; ")
                ),
                _ => lower_bound.join("; "),
            };
        }
        Err(why) => {
            out.verdict = Verdict::Inconclusive;
            if problems.is_empty() {
                problems.push(why);
            }
            problems.extend(lower_bound);
            out.reason = problems.join("; ");
        }
        Ok((_, interval)) => {
            out.verdict = judge(&predicate.condition, interval);
            // `target` is `10 MB..50 MB` or `< 1 s`: say "is in" for a range.
            let phrase = if target.contains("..") {
                format!("in {target}")
            } else {
                target
            };
            out.reason = match out.verdict {
                Verdict::Supported => format!("the whole interval is {phrase}"),
                Verdict::Contradicted => format!("no part of the interval is {phrase}"),
                _ => format!("the interval straddles a boundary: not all of it is {phrase}"),
            };
        }
    }
    out
}

/// One end of an opened interval: a figure, or `∞` / `−∞`.
fn bound_text(unit: super::metric::Unit, v: f64) -> String {
    if v == f64::INFINITY {
        "∞".into()
    } else if v == f64::NEG_INFINITY {
        "−∞".into()
    } else {
        figure(unit, v)
    }
}

/// Evaluates every claim of `file` against the result folders.
pub fn evaluate(file: &ClaimsFile, folders: &[RunFolder]) -> Evaluation {
    let mut hardware_all: Vec<Hardware> = Vec::new();
    for folder in folders {
        let hw = Hardware::of(&folder.manifest.environment);
        if !hardware_all.iter().any(|h| h.same_machine(&hw)) {
            hardware_all.push(hw);
        }
    }
    Evaluation {
        claims_file: file.path.display().to_string(),
        claims: file
            .claims
            .iter()
            .map(|c| evaluate_claim(c, folders))
            .collect(),
        hardware: hardware_all.first().cloned(),
        hardware_all,
        folders: folders
            .iter()
            .map(|f| f.path.display().to_string())
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claims::predicate::Bound;

    fn range(lo: Option<f64>, hi: Option<f64>) -> Condition {
        let b = |v: Option<f64>| {
            v.map(|value| Bound {
                value,
                inclusive: true,
            })
        };
        Condition {
            lower: b(lo),
            upper: b(hi),
        }
    }

    #[test]
    fn hardware_names_logical_cpus_and_reads_the_old_cpu_cores() {
        let old: Hardware = serde_json::from_str(
            r#"{"cpu_model": "X", "cpu_cores": 2, "memory_bytes": 1073741824, "kernel": "6.1", "os": "Linux"}"#,
        )
        .unwrap();
        assert_eq!((old.logical_cpus, old.physical_cores), (2, None));
        assert_eq!(old.line(), "X, 2 logical CPUs, 1.0 GiB memory, Linux 6.1");
        let new = Hardware {
            physical_cores: Some(1),
            ..old
        };
        assert_eq!(
            new.line(),
            "X, 2 logical CPUs (1 physical core), 1.0 GiB memory, Linux 6.1"
        );
        let json = serde_json::to_value(&new).unwrap();
        assert_eq!(json["logical_cpus"], 2);
        assert!(json.get("cpu_cores").is_none());
    }

    #[test]
    fn an_interval_is_judged_whole() {
        let c = range(Some(10.0), Some(50.0));
        assert_eq!(judge(&c, [12.0, 40.0]), Verdict::Supported);
        assert_eq!(judge(&c, [55.0, 60.0]), Verdict::Contradicted);
        assert_eq!(judge(&c, [2.0, 8.0]), Verdict::Contradicted);
        assert_eq!(judge(&c, [45.0, 55.0]), Verdict::Inconclusive);
        assert_eq!(judge(&c, [5.0, 60.0]), Verdict::Inconclusive);
        let below = Condition {
            lower: None,
            upper: Some(Bound {
                value: 1.0,
                inclusive: false,
            }),
        };
        assert_eq!(judge(&below, [0.2, 0.9]), Verdict::Supported);
        assert_eq!(judge(&below, [1.0, 1.2]), Verdict::Contradicted);
        assert_eq!(judge(&below, [0.9, 1.2]), Verdict::Inconclusive);
    }

    fn term(lower_bound: bool) -> Measured {
        Measured {
            figure: TermFigure {
                metric: "throughput".into(),
                server: "s".into(),
                scenario: "sc".into(),
                run_id: None,
                figure: None,
                interval: None,
                n: 0,
            },
            samples: Vec::new(),
            problems: Vec::new(),
            lower_bound: if lower_bound {
                vec!["generator-limited".into()]
            } else {
                Vec::new()
            },
            hardware: None,
        }
    }

    fn expr(text: &str) -> Expr {
        text.parse::<crate::claims::predicate::Predicate>()
            .expect("predicate")
            .expr
    }

    #[test]
    fn a_lower_bound_opens_the_interval_on_the_side_more_load_would_move_it() {
        let single = expr("throughput(a) > 1");
        assert_eq!(
            widen(&single, &[term(true)], [600.0, 700.0]),
            [600.0, f64::INFINITY]
        );
        assert_eq!(
            widen(&single, &[term(false)], [600.0, 700.0]),
            [600.0, 700.0]
        );
        let ratio = expr("throughput(a) / throughput(b) > 1");
        // A bounded numerator can only raise the ratio; a bounded
        // denominator can only lower it (towards 0, never below).
        assert_eq!(
            widen(&ratio, &[term(true), term(false)], [2.0, 3.0]),
            [2.0, f64::INFINITY]
        );
        assert_eq!(
            widen(&ratio, &[term(false), term(true)], [2.0, 3.0]),
            [0.0, 3.0]
        );
        let difference = expr("throughput(a) - throughput(b) > 1");
        assert_eq!(
            widen(&difference, &[term(false), term(true)], [2.0, 3.0]),
            [f64::NEG_INFINITY, 3.0]
        );
    }

    #[test]
    fn a_lower_bound_already_past_an_upper_limit_contradicts() {
        let at_most = range(None, Some(500.0));
        let open = widen(&expr("throughput(a) > 1"), &[term(true)], [600.0, 700.0]);
        assert_eq!(judge(&at_most, open), Verdict::Contradicted);
        // Within the range so far, but more load could take it out: unsettled.
        let between = range(Some(100.0), Some(1000.0));
        assert_eq!(judge(&between, open), Verdict::Inconclusive);
        // Already above a lower limit: more load cannot take it below.
        let at_least = range(Some(100.0), None);
        assert_eq!(judge(&at_least, open), Verdict::Supported);
    }
}
