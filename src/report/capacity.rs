//! The capacity table of a scenario with a capacity search, for the HTML
//! page and for summary.md: per server the capacity at the SLO, the bracket
//! around it, how the search ended, its steps and how long it took. Empty for
//! scenarios without a search.

use std::fmt::Write;

use super::format::grouped;
use super::model::{Entry, ReportData};
use crate::results::{CapacityEnd, CapacityResult};

/// The capacity table of one scenario, for `templates/capacity.html`.
pub struct CapacityView {
    /// The SLO as one line.
    pub slo: String,
    /// One row per server with a search.
    pub rows: Vec<CapacityRow>,
}

/// One server's capacity search, as text (`templates/capacity_row.html`).
pub struct CapacityRow {
    /// The series colour, `#rrggbb`.
    pub color: String,
    /// The server's label, marked when it failed.
    pub server: String,
    /// The capacity, "N req/s" or "none".
    pub capacity: String,
    /// The bracket around it.
    pub bracket: String,
    /// The search converged or reached the highest rate.
    pub ok: bool,
    /// How the search ended.
    pub ended_by: String,
    /// How many steps it took.
    pub steps: String,
    /// How long it took.
    pub seconds: String,
}

fn searches<'a>(
    data: &'a ReportData,
    scenario: &'a str,
) -> impl Iterator<Item = (&'a Entry, &'a CapacityResult)> {
    data.scenario_entries(scenario)
        .filter_map(|e| e.result.capacity.as_ref().map(|c| (e, c)))
}

/// The SLO as one line, with the achieved-rate clause that always applies.
fn slo(c: &CapacityResult) -> String {
    let mut clauses = c.slo.clone();
    clauses.push(format!(
        "achieved >= {:.0}% of offered",
        c.min_achieved_ratio * 100.0
    ));
    clauses.join(", ")
}

/// True when the step that broke the SLO at the top of the bracket was
/// generator-limited: the capacity may then be the generator's.
pub fn generator_limited(c: &CapacityResult) -> bool {
    c.steps
        .iter()
        .any(|s| Some(s.offered_rps) == c.first_fail_rps && s.generator_limited)
}

fn cells(c: &CapacityResult) -> [String; 5] {
    let bracket = match (c.last_pass_rps, c.first_fail_rps) {
        (Some(p), Some(f)) => format!("{} – {}", grouped(p), grouped(f)),
        (Some(p), None) => format!("≥ {}", grouped(p)),
        (None, Some(f)) => format!("< {}", grouped(f)),
        (None, None) => "–".to_string(),
    };
    let mut ended_by = c.ended_by.as_str().replace('_', " ");
    if generator_limited(c) {
        ended_by.push_str(" ⚠ failing step generator-limited");
    }
    [
        c.capacity_rps
            .map_or_else(|| "none".to_string(), |v| format!("{} req/s", grouped(v))),
        bracket,
        ended_by,
        c.steps.len().to_string(),
        format!("{:.0} s", c.elapsed_s),
    ]
}

/// The capacity table of `scenario` (`None` when it has no search).
pub fn html_view(data: &ReportData, scenario: &str) -> Option<CapacityView> {
    let mut rows = Vec::new();
    let mut slo_line = String::new();
    for (e, c) in searches(data, scenario) {
        let series = &data.series[e.series];
        let [capacity, bracket, ended_by, steps, seconds] = cells(c);
        rows.push(CapacityRow {
            color: super::html::hex(series.color),
            server: e.marked_label(series),
            capacity,
            bracket,
            ok: matches!(c.ended_by, CapacityEnd::Converged | CapacityEnd::MaxRate),
            ended_by,
            steps,
            seconds,
        });
        slo_line = slo(c);
    }
    (!rows.is_empty()).then_some(CapacityView {
        slo: slo_line,
        rows,
    })
}

/// The Markdown table of `scenario`'s capacity searches ("" when there are none).
pub fn markdown_table(data: &ReportData, scenario: &str) -> String {
    let mut md = String::new();
    for (i, (e, c)) in searches(data, scenario).enumerate() {
        if i == 0 {
            let _ = writeln!(
                md,
                "\n**Capacity at the SLO** ({})\n",
                super::escape::markdown(&slo(c))
            );
            let _ = writeln!(
                md,
                "| server | capacity | bracket (pass – fail) | ended by | steps | search time |"
            );
            let _ = writeln!(md, "| --- | ---: | ---: | --- | ---: | ---: |");
        }
        let [capacity, bracket, ended_by, steps, seconds] = cells(c);
        let _ = writeln!(
            md,
            "| {} | {capacity} | {bracket} | {ended_by} | {steps} | {seconds} |",
            super::escape::markdown(&e.marked_label(&data.series[e.series]))
        );
    }
    md
}
