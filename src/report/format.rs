//! How figures are written in tables: latency in ms, memory in MiB,
//! throughput with thin grouping, threshold values in their metric's unit,
//! the notes and warnings of a ranking row.
//! Shared by the HTML page and the Markdown summary so both say the same.

use hdrhistogram::Histogram;

use super::model::{Entry, Spread};
use crate::results::{Environment, ThresholdOutcome};

/// Digit grouping lives in [`crate::units`] (scenario errors use it too);
/// the tables take it from here with the rest of their formatting.
pub use crate::units::grouped;

/// The median, then the slowest–fastest repetition and the repetition
/// count: `9 757 (9 690–9 830, n=3)` (see [`Spread`] for why not mean ± sd).
pub fn spread(s: &Spread) -> String {
    if s.n > 1 {
        format!(
            "{} ({}–{}, n={})",
            grouped(s.median),
            grouped(s.min),
            grouped(s.max),
            s.n
        )
    } else {
        format!("{} (n=1)", grouped(s.median))
    }
}

/// Microseconds as milliseconds with sensible precision.
pub fn ms(us: f64) -> String {
    let m = us / 1000.0;
    if m >= 100.0 {
        format!("{m:.0} ms")
    } else if m >= 10.0 {
        format!("{m:.1} ms")
    } else {
        format!("{m:.2} ms")
    }
}

/// Bytes as MiB.
pub fn mib(bytes: f64) -> String {
    format!("{:.1} MiB", bytes / (1024.0 * 1024.0))
}

/// A percentile of a merged histogram, in ms, or a dash.
pub fn percentile(h: Option<&Histogram<u64>>, q: f64) -> String {
    h.map(|h| ms(h.value_at_quantile(q) as f64))
        .unwrap_or_else(|| "–".into())
}

/// A threshold figure in the unit of its metric.
pub fn threshold_value(t: &ThresholdOutcome, v: f64) -> String {
    let m = t.metric.to_ascii_lowercase();
    let is_percentile = m.starts_with('p')
        && m[1..]
            .chars()
            .all(|c| c.is_ascii_digit() || c == '_' || c == '.');
    if is_percentile || m.contains("latency") || m == "mean" || m == "max" {
        ms(v)
    } else if m.contains("rate") {
        format!("{:.2} %", v * 100.0)
    } else if m.contains("rss") || m.contains("mem") || m.contains("bytes") {
        mib(v)
    } else if m.contains("rps") || m.contains("throughput") {
        format!("{} req/s", grouped(v))
    } else {
        format!("{v}")
    }
}

/// The notes column of a ranking row: state and marks, in words.
pub fn notes(e: &Entry) -> Vec<String> {
    let mut notes = Vec::new();
    match &e.summary.state {
        super::model::State::Ok => {}
        super::model::State::Failed(reason) => notes.push(format!("FAILED: {reason}")),
        super::model::State::Interrupted => notes.push("INTERRUPTED: partial figures".into()),
        super::model::State::Skipped(reason) => notes.push(format!("SKIPPED: {reason}")),
    }
    let bound = &e.summary.bound;
    if let Some(text) = bound.describe_all() {
        let why = bound
            .utilizations()
            .map(|u| format!(" ({u})"))
            .unwrap_or_default();
        let meaning = match e.summary.limited() {
            Some("generator-bound") => ": a lower bound of the server's capacity, not ranked",
            Some("contended") => {
                ": other programs held the server's CPUs, figures disturbed, not ranked"
            }
            Some(_) => ": what the scenario allowed, not the server's capacity, not ranked",
            None => "",
        };
        notes.push(format!("{text}{why}{meaning}"));
    }
    if let Some(shortfall) = &e.summary.idle_shortfall {
        notes.push(format!("idle connections: {shortfall}"));
    }
    if e.summary.errors > 0 {
        let share = e
            .summary
            .error_rate
            .map(|r| {
                format!(
                    "{} of requests failed: ",
                    crate::scenario::errors::percent(r)
                )
            })
            .unwrap_or_default();
        let flag = if e.summary.error_flag().is_some() {
            "ERRORS: "
        } else {
            ""
        };
        notes.push(format!("{flag}{share}{}", e.summary.error_kinds));
    }
    if let Some(w) = e.result.warmup.as_ref().filter(|w| w.stable) {
        notes.push(format!("steady after a {:.0} s warmup", w.seconds));
    }
    notes
}

/// Median requests per CPU-second for a table cell: grouped digits, "below
/// resolution" when the server's CPU was too small to measure, "–" when absent.
pub fn req_per_cpu(s: &super::model::Summary) -> String {
    match s.req_per_cpu_s {
        Some(v) => grouped(v.median),
        None if s.cpu_below_resolution => "below resolution".into(),
        None => "–".into(),
    }
}

/// The result's warnings, one line each (`code: message`), for the notes
/// column; kept apart from [`notes`] so each output can mark them as warnings.
pub fn warning_notes(e: &Entry) -> Vec<String> {
    e.result
        .warnings
        .iter()
        .map(|w| format!("warning ({}): {}", w.code(), w.message()))
        .collect()
}

/// The environment fingerprint as label/value pairs.
pub fn environment(env: &Environment) -> Vec<(&'static str, String)> {
    let mut rows = vec![
        ("host", env.hostname.clone()),
        (
            "CPU",
            match env.physical_cores {
                Some(cores) => format!(
                    "{} ({} logical CPUs, {cores} physical cores)",
                    env.cpu_model, env.logical_cpus
                ),
                None => format!("{} ({} logical CPUs)", env.cpu_model, env.logical_cpus),
            },
        ),
        (
            "memory",
            format!("{:.1} GiB", env.memory_bytes as f64 / (1u64 << 30) as f64),
        ),
        ("OS", env.os.clone()),
        ("kernel", env.kernel.clone()),
        (
            "CPU governor",
            env.cpu_governor.clone().unwrap_or_else(|| "unknown".into()),
        ),
        (
            "Gauntlet",
            match &env.tool.git_commit {
                Some(c) => format!("{} ({c})", env.tool.version),
                None => env.tool.version.clone(),
            },
        ),
    ];
    let runtimes: Vec<String> = env
        .runtimes
        .iter()
        .map(|(k, v)| format!("{k}: {v}"))
        .collect();
    if !runtimes.is_empty() {
        rows.push(("runtimes", runtimes.join(", ")));
    }
    rows
}
