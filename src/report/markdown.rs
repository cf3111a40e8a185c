//! The GitHub-flavoured Markdown summary (`summary.md`): environment, a
//! ranking table and the thresholds per scenario, fit for a CI job summary
//! or a pull-request comment. Deterministic: the same results give the same text.

use std::fmt::Write;

use super::format::{environment, grouped, mib, notes, percentile, spread, threshold_value};
use super::model::{ranking, ReportData};

fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// The summary of `data` as Markdown.
pub fn summary(data: &ReportData) -> String {
    let mut md = String::new();
    let _ = writeln!(md, "# Gauntlet report: {}\n", cell(&data.title()));
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
        if run.interrupted {
            let _ = writeln!(md, "> **Interrupted run**: the figures cover what ran.\n");
        }
    }
    for scenario in &data.scenarios {
        let _ = writeln!(md, "## {}\n", cell(scenario));
        if let Some(first) = data.scenario_entries(scenario).next() {
            if !first.result.scenario.description.is_empty() {
                let _ = writeln!(md, "{}\n", cell(&first.result.scenario.description));
            }
        }
        let _ = writeln!(
            md,
            "| # | server | median req/s (min–max) | p50 | p99 | p99.9 | peak RSS | median req per CPU-s | notes |"
        );
        let _ = writeln!(
            md,
            "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
        );
        for (rank, e) in ranking(data, scenario) {
            let s = &e.summary;
            let mut note = notes(e);
            if s.generator_limited {
                note.insert(0, "⚠️".into());
            }
            if s.state.mark().is_some() {
                note.insert(0, "❌".into());
            }
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                rank.map(|r| r.to_string()).unwrap_or_else(|| "–".into()),
                cell(&data.series[e.series].label),
                s.throughput
                    .as_ref()
                    .map(spread)
                    .unwrap_or_else(|| "–".into()),
                percentile(s.latency.as_ref(), 0.5),
                percentile(s.latency.as_ref(), 0.99),
                percentile(s.latency.as_ref(), 0.999),
                s.peak_rss
                    .map(|b| mib(b as f64))
                    .unwrap_or_else(|| "–".into()),
                s.req_per_cpu_s
                    .map(|v| grouped(v.median))
                    .unwrap_or_else(|| "–".into()),
                cell(&note.join(" ")),
            );
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
                    "| {} | `{}` | {} | {} | {} |",
                    cell(&data.series[e.series].label),
                    t.expression.replace('`', "'"),
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
        "Throughput, requests per CPU-second and peak RSS are medians over repetitions, as in the table of `gauntlet run`, with the slowest–fastest repetition in brackets for throughput; the ranking follows the median. Latency is measured from the intended send time (corrected for coordinated omission in the open model); percentiles merge all repetitions. ⚠️ generator-limited figures are a lower bound of what the server can do; ❌ marks failed, skipped or interrupted servers."
    );
    md
}
