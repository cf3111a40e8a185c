//! The end of `gauntlet run`: one row per scenario × server (medians over the
//! repetitions, the error rate, what bounded the throughput), printed as an
//! aligned table with the thresholds that failed, errors above 1 %, figures
//! that are not the server's and the warnings called out below it, or as
//! JSON with `--json`.

use std::path::Path;

use serde::Serialize;

use super::bound::Tally;
use super::errors;
use crate::results::{BoundBy, RunStatus, ServerRunResult};
use crate::stats::median;

/// One line of the comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    /// Scenario name.
    pub scenario: String,
    /// Server name.
    pub server: String,
    /// Median throughput over repetitions, requests per second.
    pub throughput_rps: Option<f64>,
    /// Median p99 latency over repetitions, µs.
    pub p99_us: Option<f64>,
    /// Median idle RSS, bytes.
    pub idle_rss_bytes: Option<f64>,
    /// Median peak RSS, bytes.
    pub peak_rss_bytes: Option<f64>,
    /// Median requests per server CPU-second, over the repetitions whose
    /// CPU the clock could resolve.
    pub requests_per_cpu_s: Option<f64>,
    /// True when no repetition had enough server CPU to resolve: the table
    /// says "below resolution" rather than a number.
    pub cpu_below_resolution: bool,
    /// Median cold start, ms.
    pub startup_median_ms: Option<f64>,
    /// Memory per idle connection, bytes (over the connections held).
    pub bytes_per_idle_connection: Option<f64>,
    /// When the server held fewer idle connections than asked for, e.g.
    /// "1000 requested, 200 held: the server closed 800".
    pub idle_connections_shortfall: Option<String>,
    /// `ok`, `failed`, `interrupted` or `skipped`; `ok, 3.2 % errors` when
    /// more than 1 % of the requests failed.
    pub status: String,
    /// Failed requests ÷ attempted, over all repetitions.
    pub error_rate: Option<f64>,
    /// True when `error_rate` is above 1 %: the figures are not a clean run's.
    pub errors_flagged: bool,
    /// Error kinds with their counts over all repetitions, most frequent first.
    pub error_kinds: String,
    /// What bounded most repetitions: `server`, `generator` or `scenario`
    /// (absent when nothing was classified).
    pub bound: Option<BoundBy>,
    /// The same in words: `server-bound`, `generator-bound in 4 of 5 repetitions`.
    pub bound_text: Option<String>,
    /// The utilisations behind `bound`, e.g. `server CPUs 97 % busy, generator 41 %`.
    pub bound_detail: Option<String>,
    /// Why it failed or was skipped.
    pub reason: Option<String>,
    /// Thresholds that failed, as `expression (observed X)`.
    pub failed_thresholds: Vec<String>,
    /// The result's warnings, typed (printed as one line each under the table).
    pub warnings: Vec<crate::results::Warning>,
    /// The capacity search, for a scenario with `[capacity]`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capacity: Option<CapacityCell>,
}

/// The capacity of one server as `gauntlet run` shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CapacityCell {
    /// Highest offered rate that held the SLO, requests per second.
    pub capacity_rps: Option<f64>,
    /// Highest passing rate.
    pub last_pass_rps: Option<f64>,
    /// Lowest failing rate above it.
    pub first_fail_rps: Option<f64>,
    /// How the search ended (`converged`, `time_limit`, ...).
    pub ended_by: String,
    /// Steps run.
    pub steps: usize,
    /// The SLO as one line.
    pub slo: String,
    /// The step that broke the SLO at the top of the bracket was
    /// generator-limited: the capacity may be the generator's.
    pub generator_limited: bool,
}

/// One word for a status, with its reason.
pub fn status_text(status: &RunStatus) -> String {
    match status {
        RunStatus::Ok => "ok".into(),
        RunStatus::Failed { reason, .. } => format!("failed: {reason}"),
        RunStatus::Interrupted => "interrupted".into(),
        RunStatus::Skipped { reason } => format!("skipped: {reason}"),
    }
}

impl Row {
    /// The row of one result.
    pub fn from_result(r: &ServerRunResult) -> Row {
        let reps = &r.repetitions;
        let per = |f: &dyn Fn(&crate::results::Repetition) -> Option<f64>| {
            let values: Vec<f64> = reps
                .iter()
                .filter_map(f)
                .filter(|x| x.is_finite())
                .collect();
            median(&values)
        };
        let (status, reason) = match &r.status {
            RunStatus::Ok => ("ok", None),
            RunStatus::Failed { reason, .. } => ("failed", Some(reason.clone())),
            RunStatus::Interrupted => ("interrupted", None),
            RunStatus::Skipped { reason } => ("skipped", Some(reason.clone())),
        };
        let error_rate = errors::run_error_rate(reps);
        let flag = error_rate.and_then(errors::flag);
        let status = match (&flag, status) {
            (Some(flag), "ok") => format!("ok, {flag}"),
            _ => status.to_string(),
        };
        let tally = Tally::of(r);
        Row {
            scenario: r.scenario.name.clone(),
            server: r.server.name.clone(),
            throughput_rps: per(&|x| Some(x.load.throughput_rps)),
            p99_us: per(&|x| Some(x.load.latency.p99_us as f64)),
            idle_rss_bytes: per(&|x| x.server.as_ref().map(|s| s.idle_rss_bytes as f64)),
            peak_rss_bytes: per(&|x| x.server.as_ref().map(|s| s.peak_rss_bytes as f64)),
            requests_per_cpu_s: per(&|x| x.server.as_ref().and_then(|s| s.requests_per_cpu())),
            cpu_below_resolution: reps.iter().any(|x| x.server.is_some())
                && reps
                    .iter()
                    .all(|x| x.server.as_ref().map_or(true, |s| s.cpu_below_resolution)),
            startup_median_ms: r.startup.as_ref().map(|s| s.median_ms),
            bytes_per_idle_connection: r.idle_connections.as_ref().map(|i| i.bytes_per_connection),
            idle_connections_shortfall: r.idle_connections.as_ref().and_then(|i| i.shortfall()),
            status,
            error_rate,
            errors_flagged: flag.is_some(),
            error_kinds: errors::kinds(&errors::run_kinds(reps)),
            bound: tally.verdict(),
            bound_text: tally.describe(),
            bound_detail: tally.utilizations(),
            reason,
            failed_thresholds: r
                .thresholds
                .iter()
                .filter(|t| !t.passed)
                .map(|t| format!("{} (observed {})", t.expression, t.observed))
                .collect(),
            warnings: r.warnings.clone(),
            capacity: r.capacity.as_ref().map(|c| CapacityCell {
                capacity_rps: c.capacity_rps,
                last_pass_rps: c.last_pass_rps,
                first_fail_rps: c.first_fail_rps,
                ended_by: c.ended_by.as_str().to_string(),
                steps: c.steps.len(),
                slo: c.slo.join(", "),
                generator_limited: c
                    .steps
                    .iter()
                    .any(|s| Some(s.offered_rps) == c.first_fail_rps && s.generator_limited),
            }),
        }
    }

    /// True when this row makes the run exit with 1: a failed server or a
    /// failed threshold.
    pub fn is_failure(&self) -> bool {
        self.status == "failed" || !self.failed_thresholds.is_empty()
    }
}

fn fmt(v: Option<f64>, f: impl Fn(f64) -> String) -> String {
    v.map_or_else(|| "-".to_string(), f)
}

/// The comparison table, with a line per failed threshold, failure reason and warning.
pub fn table(rows: &[Row]) -> String {
    let header = [
        "scenario",
        "server",
        "req/s",
        "p99",
        "idle RSS",
        "peak RSS",
        "req/CPU-s",
        "startup",
        "errors",
        "bound",
        "status",
    ];
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.scenario.clone(),
                r.server.clone(),
                fmt(r.throughput_rps, |v| format!("{v:.0}")),
                fmt(r.p99_us, |v| format!("{:.2} ms", v / 1e3)),
                fmt(r.idle_rss_bytes, |v| format!("{:.1} MiB", v / 1048576.0)),
                fmt(r.peak_rss_bytes, |v| format!("{:.1} MiB", v / 1048576.0)),
                if r.cpu_below_resolution {
                    "below resolution".into()
                } else {
                    fmt(r.requests_per_cpu_s, |v| format!("{v:.0}"))
                },
                fmt(r.startup_median_ms, |v| format!("{v:.1} ms")),
                fmt(r.error_rate, errors::percent),
                r.bound_text.clone().unwrap_or_else(|| "-".into()),
                if r.failed_thresholds.is_empty() {
                    r.status.clone()
                } else {
                    format!("{}, threshold failed", r.status)
                },
            ]
        })
        .collect();
    let widths: Vec<usize> = (0..header.len())
        .map(|i| {
            cells
                .iter()
                .map(|c| c[i].chars().count())
                .chain([header[i].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |items: &[String]| {
        let mut s = String::new();
        for (i, item) in items.iter().enumerate() {
            if i > 1 && i < items.len() - 1 {
                s.push_str(&format!("{item:>w$}  ", w = widths[i]));
            } else {
                s.push_str(&format!("{item:<w$}  ", w = widths[i]));
            }
        }
        s.trim_end().to_string() + "\n"
    };
    let mut out = line(&header.map(String::from));
    for c in &cells {
        out.push_str(&line(c));
    }
    for r in rows {
        if let Some(reason) = &r.reason {
            out.push_str(&format!("{} · {}: {}\n", r.scenario, r.server, reason));
        }
        if let Some(shortfall) = &r.idle_connections_shortfall {
            out.push_str(&format!(
                "{} · {}: idle connections: {shortfall}\n",
                r.scenario, r.server
            ));
        }
        if let Some(line) = attention(r) {
            out.push_str(&format!("{} · {}: {line}\n", r.scenario, r.server));
        }
        for t in &r.failed_thresholds {
            out.push_str(&format!(
                "{} · {}: threshold failed: {t}\n",
                r.scenario, r.server
            ));
        }
        for w in &r.warnings {
            out.push_str(&format!(
                "{} · {}: warning [{}]: {}\n",
                r.scenario,
                r.server,
                w.code(),
                w.message()
            ));
        }
    }
    out.push_str(&capacity_table(rows));
    out
}

/// The capacity searches of `rows` (empty when there are none): capacity,
/// the bracket around it, how the search ended and the SLO.
fn capacity_table(rows: &[Row]) -> String {
    let mut out = String::new();
    let cells: Vec<[String; 6]> = rows
        .iter()
        .filter_map(|r| {
            let c = r.capacity.as_ref()?;
            Some([
                r.scenario.clone(),
                r.server.clone(),
                c.capacity_rps
                    .map_or_else(|| "none".to_string(), |v| format!("{v:.0} req/s")),
                match (c.last_pass_rps, c.first_fail_rps) {
                    (Some(p), Some(f)) => format!("{p:.0}–{f:.0}"),
                    (Some(p), None) => format!(">= {p:.0}"),
                    (None, Some(f)) => format!("< {f:.0}"),
                    (None, None) => "-".to_string(),
                },
                format!(
                    "{}, {} step{}{}",
                    c.ended_by,
                    c.steps,
                    if c.steps == 1 { "" } else { "s" },
                    if c.generator_limited {
                        ", failing step generator-limited"
                    } else {
                        ""
                    }
                ),
                c.slo.clone(),
            ])
        })
        .collect();
    if cells.is_empty() {
        return out;
    }
    let header = [
        "scenario", "server", "capacity", "bracket", "ended by", "SLO",
    ]
    .map(String::from);
    let widths: Vec<usize> = (0..6)
        .map(|i| {
            cells
                .iter()
                .chain([&header])
                .map(|c| c[i].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    out.push_str("\ncapacity at the SLO (highest offered rate that held it; achieved >= 99% of offered is always part of it):\n");
    for c in [&header].into_iter().chain(cells.iter()) {
        let line: Vec<String> = c
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let pad = widths[i].saturating_sub(v.chars().count());
                if (2..4).contains(&i) {
                    format!("{}{v}", " ".repeat(pad))
                } else {
                    format!("{v}{}", " ".repeat(pad))
                }
            })
            .collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    }
    out
}

/// What a reader must not miss about a row that did not fail: its errors
/// above 1 %, and figures that are not the server's.
fn attention(r: &Row) -> Option<String> {
    let mut parts = Vec::new();
    if r.errors_flagged {
        parts.push(format!(
            "{} of the requests failed ({})",
            fmt(r.error_rate, errors::percent),
            r.error_kinds
        ));
    }
    if let (Some(by), Some(text)) = (r.bound, &r.bound_text) {
        let detail = r
            .bound_detail
            .as_ref()
            .map(|d| format!(" ({d})"))
            .unwrap_or_default();
        match by {
            BoundBy::Server => {}
            BoundBy::Generator => parts.push(format!(
                "{text}{detail}: req/s is a lower bound of what the server can do"
            )),
            BoundBy::Scenario => parts.push(format!(
                "{text}{detail}: req/s is what the scenario allowed, not the server's capacity"
            )),
            BoundBy::Contended => parts.push(format!(
                "{text}{detail}: other programs held the server's CPUs; rerun on a quiet machine"
            )),
        }
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}

/// The run's summary as JSON: run id, results folder, rows.
pub fn json(run_id: &str, dir: &Path, rows: &[Row]) -> serde_json::Result<String> {
    #[derive(Serialize)]
    struct Summary<'a> {
        run_id: &'a str,
        results_dir: String,
        rows: &'a [Row],
    }
    serde_json::to_string_pretty(&Summary {
        run_id,
        results_dir: dir.display().to_string(),
        rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::read_json;

    fn fixture() -> ServerRunResult {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/two-servers/plaintext__rust-hyper.json");
        read_json(&path).expect("fixture")
    }

    #[test]
    fn cpu_below_resolution_is_said_not_printed_as_a_number() {
        let mut result = fixture();
        for rep in &mut result.repetitions {
            let usage = rep.server.as_mut().expect("server usage");
            usage.cpu_below_resolution = true;
            usage.requests_per_cpu_s = 0.0;
        }
        let row = Row::from_result(&result);
        assert_eq!(
            (row.requests_per_cpu_s, row.cpu_below_resolution),
            (None, true)
        );
        let table = table(&[row]);
        let line = table.lines().nth(1).expect("a row");
        assert!(line.contains("below resolution"), "{table}");
    }

    #[test]
    fn idle_connections_the_server_closed_are_said_under_the_table() {
        let mut result = fixture();
        result.idle_connections = Some(crate::results::IdleConnections {
            requested: 1000,
            opened: 1000,
            held: Some(200),
            rss_before_bytes: 0,
            rss_after_bytes: 200 << 10,
            bytes_per_connection: 1024.0,
        });
        let table = table(&[Row::from_result(&result)]);
        assert!(
            table.contains("idle connections: 1000 requested, 200 held: the server closed 800"),
            "{table}"
        );
    }
}
