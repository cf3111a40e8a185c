//! The GitHub-flavoured Markdown summary (`summary.md`): environment, a
//! ranking table and the thresholds per scenario, fit for a CI job summary
//! or a pull-request comment. Deterministic: the same results give the same text.

use std::fmt::Write;

use super::format::{
    environment, grouped, mib, notes, percentile, req_per_cpu, spread, threshold_value,
    warning_notes,
};
use super::matrix::{self, Cell, Figure};
use super::model::{ranking, ReportData};

use super::escape::markdown as cell;

/// The runtime × endpoint matrices as Markdown tables.
fn matrix_tables(data: &ReportData) -> String {
    let mut md = String::from("## Runtimes × endpoints\n\n");
    md.push_str(
        "Medians over repetitions as a share of the best comparable server of each scenario (100 % = the best), \
         the figure in brackets. A throughput is compared only when the server bounded it; one bounded by the \
         generator or the scenario is named instead.\n\n",
    );
    for figure in [Figure::Throughput, Figure::Efficiency] {
        let m = matrix::build(data, figure);
        let _ = writeln!(md, "**{}**\n", figure.title());
        let _ = writeln!(
            md,
            "| server | {} |",
            m.scenarios
                .iter()
                .map(|s| cell(s))
                .collect::<Vec<_>>()
                .join(" | ")
        );
        let _ = writeln!(md, "| --- |{}", " ---: |".repeat(m.scenarios.len()));
        for row in &m.rows {
            let cells: Vec<String> = row
                .cells
                .iter()
                .map(|c| match c {
                    Cell::Absent => "–".to_string(),
                    Cell::Ranked { value, share } => {
                        format!("**{:.0} %** ({})", share * 100.0, grouped(*value))
                    }
                    Cell::Unranked { value, why } => match value {
                        Some(v) => format!("_{}_ ({})", cell(why), grouped(*v)),
                        None => format!("_{}_", cell(why)),
                    },
                })
                .collect();
            let _ = writeln!(
                md,
                "| {} | {} |",
                cell(&data.series[row.series].label),
                cells.join(" | ")
            );
        }
        md.push('\n');
    }
    md
}

/// The ranking of one scenario as a Markdown table.
fn ranking_table(data: &ReportData, scenario: &str) -> String {
    let mut md = String::new();
    let _ = writeln!(
        md,
        "| # | server | median req/s (min–max) | p50 | p99 | p99.9 | errors | peak RSS | median req per CPU-s | notes |"
    );
    let _ = writeln!(
        md,
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
    );
    for (rank, e) in ranking(data, scenario) {
        let s = &e.summary;
        let mut note = notes(e);
        note.extend(warning_notes(e));
        if s.limited().is_some() || s.error_flag().is_some() || !e.result.warnings.is_empty() {
            note.insert(0, "⚠️".into());
        }
        if s.state.mark().is_some() {
            note.insert(0, "❌".into());
        }
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            rank.map(|r| r.to_string()).unwrap_or_else(|| "–".into()),
            cell(&data.series[e.series].label),
            s.throughput
                .as_ref()
                .map(spread)
                .unwrap_or_else(|| "–".into()),
            percentile(s.latency.as_ref(), 0.5),
            percentile(s.latency.as_ref(), 0.99),
            percentile(s.latency.as_ref(), 0.999),
            s.error_rate
                .map(crate::scenario::errors::percent)
                .unwrap_or_else(|| "–".into()),
            s.peak_rss
                .map(|b| mib(b as f64))
                .unwrap_or_else(|| "–".into()),
            req_per_cpu(s),
            cell(&note.join(" ")),
        );
    }
    md
}

/// The summary of `data` as Markdown.
pub fn summary(data: &ReportData) -> String {
    let mut md = String::new();
    let _ = writeln!(md, "# Gauntlet report: {}\n", cell(&data.title()));
    md.push_str(&super::claims::markdown_section(data));
    for (i, run) in data.runs.iter().enumerate() {
        if data.runs.len() > 1 {
            let _ = writeln!(md, "**Run {}**: {}\n", i + 1, cell(&run.run_id));
        }
        let env: Vec<String> = environment(&run.environment)
            .into_iter()
            .map(|(k, v)| format!("{k}: {}", cell(&v)))
            .collect();
        let _ = writeln!(md, "{}\n", env.join(" · "));
        if !run.missing.is_empty() {
            let _ = writeln!(
                md,
                "> **Missing results**: listed in the manifest but not found: {}\n",
                cell(&run.missing.join(", "))
            );
        }
        for bad in &run.unreadable {
            let _ = writeln!(md, "> **Unreadable result file**: {}\n", cell(bad));
        }
        if run.interrupted {
            let _ = writeln!(md, "> **Interrupted run**: the figures cover what ran.\n");
        }
    }
    if matrix::wanted(data) {
        md.push_str(&matrix_tables(data));
    }
    for scenario in &data.scenarios {
        let _ = writeln!(md, "## {}\n", cell(scenario));
        if let Some(first) = data.scenario_entries(scenario).next() {
            if !first.result.scenario.description.is_empty() {
                let _ = writeln!(md, "{}\n", cell(&first.result.scenario.description));
            }
        }
        if data.has_repetitions(scenario) {
            md.push_str(&ranking_table(data, scenario));
        }
        let thresholds: Vec<_> = data
            .scenario_entries(scenario)
            .flat_map(|e| e.result.thresholds.iter().map(move |t| (e, t)))
            .collect();
        if !thresholds.is_empty() {
            let _ = writeln!(md, "\n| server | threshold | observed | limit | result |");
            let _ = writeln!(md, "| --- | --- | ---: | ---: | --- |");
            for (e, t) in thresholds {
                let _ = writeln!(
                    md,
                    "| {} | {} | {} | {} | {} |",
                    cell(&data.series[e.series].label),
                    super::escape::markdown_code(&t.expression),
                    threshold_value(t, t.observed),
                    threshold_value(t, t.limit),
                    if t.passed { "✅ pass" } else { "❌ fail" }
                );
            }
        }
        md.push_str(&super::capacity::markdown_table(data, scenario));
        let _ = writeln!(md);
    }
    let _ = writeln!(
        md,
        "Throughput, requests per CPU-second and peak RSS are medians over repetitions, as in the table of `gauntlet run`, with the slowest–fastest repetition in brackets for throughput; the ranking follows the median and ranks only server-bound runs (the server's CPUs ≥ 90 % busy); generator-bound (a lower bound of what the server can do) and scenario-bound (what the scenario's concurrency or waits allowed) runs are listed below, unranked. Latency is measured from the intended send time (corrected for coordinated omission in the open model); percentiles merge all repetitions. Errors are failed ÷ attempted requests. ⚠️ marks figures that are not the server's and runs above 1 % errors; ❌ marks failed, skipped or interrupted servers."
    );
    md
}
