//! The report's "Claims" section, first in the HTML page and in summary.md
//! when the results hold any scenario that a claim of `claims/claims.toml`
//! needs (the claims suite, scenarios/claims/): the verdict table of
//! `gauntlet claims` with the hardware it ran on, each row linked to the
//! chart that shows its evidence.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::charts::slug;
use super::model::ReportData;
use super::PlacedChart;
use crate::claims::{evaluate, ClaimsFile, Evaluation, Verdict};
use crate::results::RunFolder;

/// The claims section, as text (`templates/claims.html`).
pub struct ClaimsView {
    /// The claims file judged.
    pub file: String,
    /// The hardware the figures were measured on, one line.
    pub hardware: String,
    /// How many claims got each verdict.
    pub counts: String,
    /// One row per claim.
    pub rows: Vec<ClaimRow>,
    /// What the `"fd_limit"` scenarios reached, one line per server.
    pub reached: Vec<String>,
}

/// One claim's verdict row.
pub struct ClaimRow {
    /// Claim id, e.g. `C1`.
    pub id: String,
    /// The claim in words.
    pub claim: String,
    /// Its predicate, `-` when it has none.
    pub predicate: String,
    /// The measured interval.
    pub measured: String,
    /// The verdict's word.
    pub verdict: &'static str,
    /// Why.
    pub why: String,
    /// (anchor, text) of each piece of evidence on the page.
    pub links: Vec<(String, String)>,
}

/// The claims file the report judges (the one `gauntlet claims` uses by default).
pub const CLAIMS_FILE: &str = "claims/claims.toml";

/// The claims file, looked for in the working folder, then in the workspace
/// Gauntlet was built from.
fn claims_path() -> Option<PathBuf> {
    let here = PathBuf::from(CLAIMS_FILE);
    if here.is_file() {
        return Some(here);
    }
    let built = Path::new(env!("CARGO_MANIFEST_DIR")).join(CLAIMS_FILE);
    built.is_file().then_some(built)
}

/// The evaluation of `file` against the report's results, when the results
/// hold a scenario one of its claims needs; `None` otherwise.
pub fn evaluation_with(data: &ReportData, file: &ClaimsFile) -> Option<Evaluation> {
    let needed = file
        .claims
        .iter()
        .flat_map(|c| c.needs.iter().map(|(scenario, _)| scenario.as_str()));
    let wanted = needed
        .into_iter()
        .any(|s| data.scenarios.iter().any(|d| d == s));
    if !wanted {
        return None;
    }
    // Each run as the results reader gave it, with its results back from
    // the report's entries.
    let folders: Vec<RunFolder> = data
        .runs
        .iter()
        .enumerate()
        .map(|(i, run)| RunFolder {
            results: data
                .entries
                .iter()
                .filter(|e| e.run == i)
                .map(|e| e.result.clone())
                .collect(),
            ..run.folder.clone()
        })
        .collect();
    Some(evaluate(file, &folders))
}

/// [`evaluation_with`] the default claims file; `None` when it is absent or
/// unreadable (the report then has no Claims section, and [`problem`] says
/// why).
pub fn evaluation(data: &ReportData) -> Option<Evaluation> {
    let file = ClaimsFile::load(&claims_path()?, None).ok()?;
    evaluation_with(data, &file)
}

/// Why the default claims file, present, cannot be read: the warning a
/// report without its Claims section comes with.
pub fn problem() -> Option<String> {
    let e = ClaimsFile::load(&claims_path()?, None).err()?;
    Some(format!("no Claims section in the report: {e}"))
}

/// The chart (its file stem) that shows a metric of a scenario.
fn chart_stem(metric: &str, scenario: &str) -> String {
    let kind = match metric {
        "throughput" | "error_rate" => "throughput",
        "p50" | "p99" | "p99.9" => "latency-spectrum",
        "rss_idle" | "rss_peak" => "memory",
        "requests_per_cpu_s" => "efficiency",
        "capacity" => "capacity",
        "startup" => return "startup".into(),
        _ => return String::new(),
    };
    format!("{kind}-{}", slug(scenario))
}

/// Where a claim's evidence is: a chart of the page, else the scenario's
/// section (for figures no chart draws, e.g. footprint).
fn evidence(
    data: &ReportData,
    charts: &[PlacedChart],
    claim: &crate::claims::ClaimResult,
) -> Vec<(String, String)> {
    let mut links: Vec<(String, String)> = Vec::new();
    for t in &claim.terms {
        let stem = chart_stem(&t.metric, &t.scenario);
        let link = if charts.iter().any(|c| c.chart.file_stem == stem) {
            (stem, format!("{} · {}", t.metric, t.scenario))
        } else if let Some(i) = data.scenarios.iter().position(|s| *s == t.scenario) {
            (format!("scenario-{}", i + 1), t.scenario.clone())
        } else {
            continue;
        };
        if !links.contains(&link) {
            links.push(link);
        }
    }
    links
}

fn counts(e: &Evaluation) -> String {
    let n = |v| e.claims.iter().filter(|c| c.verdict == v).count();
    format!(
        "{} supported, {} contradicted, {} inconclusive, {} not testable here",
        n(Verdict::Supported),
        n(Verdict::Contradicted),
        n(Verdict::Inconclusive),
        n(Verdict::NotTestable)
    )
}

/// What the `"fd_limit"` scenarios reached, one line per server: the
/// open-files limit, the count derived from it, and how many connections the
/// server held (idle) or how many failed to connect (under load).
pub fn reached(data: &ReportData) -> Vec<String> {
    let mut lines = Vec::new();
    for e in &data.entries {
        let r = &e.result;
        let Some(fd) = &r.fd_limit else { continue };
        let mut parts = Vec::new();
        if let (Some(n), Some(idle)) = (fd.idle_connections, &r.idle_connections) {
            parts.push(format!(
                "{n} idle connections requested, {} opened, {} held",
                idle.opened,
                idle.held_count()
            ));
        }
        if let Some(n) = fd.connections {
            let connect: u64 = r
                .repetitions
                .iter()
                .map(|rep| rep.load.errors.get("connect").copied().unwrap_or(0))
                .sum();
            parts.push(format!(
                "{n} busy connections, {connect} connect errors over {} repetition(s)",
                r.repetitions.len()
            ));
        }
        lines.push(format!(
            "{} · {}: open-files limit {} − headroom {}: {}",
            r.scenario.name,
            r.server.name,
            fd.rlimit_nofile,
            fd.headroom,
            if parts.is_empty() {
                "nothing measured".to_string()
            } else {
                parts.join("; ")
            }
        ));
    }
    lines
}

fn hardware(e: &Evaluation) -> String {
    match e.hardware_all.as_slice() {
        [] => "unknown".into(),
        all => all.iter().map(|h| h.line()).collect::<Vec<_>>().join("; "),
    }
}

/// The HTML section of an evaluation, as text for the template.
pub fn html_view_of(data: &ReportData, charts: &[PlacedChart], e: &Evaluation) -> ClaimsView {
    ClaimsView {
        file: e.claims_file.clone(),
        hardware: hardware(e),
        counts: counts(e),
        rows: e
            .claims
            .iter()
            .map(|c| ClaimRow {
                id: c.id.clone(),
                claim: c.claim.clone(),
                predicate: c.predicate.clone().unwrap_or_else(|| "-".into()),
                measured: c.measured.clone(),
                verdict: c.verdict.word(),
                why: c.reason.clone(),
                links: evidence(data, charts, c),
            })
            .collect(),
        reached: reached(data),
    }
}

/// The HTML section for the page (`None` without claims scenarios).
pub fn html_view(data: &ReportData, charts: &[PlacedChart]) -> Option<ClaimsView> {
    evaluation(data).map(|e| html_view_of(data, charts, &e))
}

/// The Markdown section of an evaluation: the verdict table of `gauntlet
/// claims --markdown`, then the counts.
pub fn markdown_section_of(data: &ReportData, e: &Evaluation) -> String {
    let mut md = format!("{}\n{}.\n\n", crate::claims::output::markdown(e), counts(e));
    let reached = reached(data);
    if !reached.is_empty() {
        md.push_str("Largest concurrency reached (connection counts derived from the open-files limit):\n\n");
        for line in reached {
            let _ = writeln!(md, "- {}", line.replace('|', "\\|"));
        }
        md.push('\n');
    }
    md
}

/// The Markdown section for summary.md (empty without claims scenarios).
pub fn markdown_section(data: &ReportData) -> String {
    evaluation(data).map_or_else(String::new, |e| markdown_section_of(data, &e))
}
