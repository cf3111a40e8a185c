//! The outputs of a comparison: a terminal table (coloured on a TTY), a
//! Markdown page for a CI job summary or PR comment (both with a line per
//! warning either result carries), and the shared formatting of values,
//! changes and verdicts. JSON is the serialized
//! [`Comparison`] itself.

use std::fmt::Write as _;
use std::io::IsTerminal;

use super::metrics::CompareMetric;
use super::verdict::{MetricComparison, Verdict};
use super::Comparison;

/// True when standard output is a terminal and `NO_COLOR` is not set.
pub fn stdout_wants_color() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

/// A value of `metric` in a readable unit.
pub fn format_value(metric: CompareMetric, value: Option<f64>) -> String {
    let Some(v) = value else {
        return "-".into();
    };
    match metric {
        CompareMetric::Throughput => format!("{v:.0} req/s"),
        CompareMetric::P50 | CompareMetric::P99 | CompareMetric::P99_9 => {
            if v >= 1000.0 {
                format!("{:.2} ms", v / 1000.0)
            } else {
                format!("{v:.0} µs")
            }
        }
        CompareMetric::RssIdle | CompareMetric::RssPeak => {
            format!("{:.1} MiB", v / (1024.0 * 1024.0))
        }
        CompareMetric::RequestsPerCpuSecond => format!("{v:.0} req/cpu-s"),
        CompareMetric::Startup => format!("{v:.1} ms"),
    }
}

fn percent(change: f64) -> String {
    if change.is_finite() {
        format!("{:+.1}%", change * 100.0)
    } else {
        "n/a".into()
    }
}

fn ci_text(m: &MetricComparison) -> String {
    match (m.ratio_ci_low, m.ratio_ci_high) {
        (Some(low), Some(high)) => format!("{} .. {}", percent(low - 1.0), percent(high - 1.0)),
        _ => "-".into(),
    }
}

fn p_text(m: &MetricComparison) -> String {
    match m.p_value {
        Some(p) if p < 0.001 => "<0.001".into(),
        Some(p) => format!("{p:.3}"),
        None => "-".into(),
    }
}

fn verdict_text(m: &MetricComparison, cross_machine: bool) -> String {
    let label = m.verdict.label();
    if cross_machine
        && matches!(
            m.verdict,
            Verdict::Improved | Verdict::Regressed | Verdict::NoChange
        )
    {
        format!("{label} (cross-machine)")
    } else {
        label
    }
}

impl Comparison {
    /// The first line of every output: whether the two runs are comparable.
    pub fn headline(&self) -> String {
        if self.cross_machine {
            format!(
                "CROSS-MACHINE comparison: {}. Verdicts reflect the machines as much as the code.",
                self.environment_differences.join("; ")
            )
        } else {
            "Same environment (CPU model, cores, kernel, runtime versions): verdicts compare the code."
                .to_string()
        }
    }

    fn summary_line(&self) -> String {
        let c = self.counts;
        format!(
            "{} regressed, {} improved, {} no change, {} not enough samples",
            c.regressed, c.improved, c.no_change, c.not_enough_samples
        )
    }

    fn rows(&self) -> Vec<[String; 8]> {
        self.metrics()
            .map(|(entry, m)| {
                [
                    format!("{} / {}", entry.scenario, entry.server),
                    m.metric.name().to_string(),
                    format_value(m.metric, m.baseline_median),
                    format_value(m.metric, m.current_median),
                    m.change.map_or("-".into(), percent),
                    ci_text(m),
                    p_text(m),
                    verdict_text(m, self.cross_machine),
                ]
            })
            .collect()
    }

    fn remarks(&self) -> Vec<String> {
        let mut lines = Vec::new();
        for entry in &self.entries {
            for note in &entry.notes {
                lines.push(format!("{} / {}: {note}", entry.scenario, entry.server));
            }
            let warnings = [
                ("baseline", &entry.baseline_warnings),
                ("current", &entry.current_warnings),
            ];
            for (side, list) in warnings {
                for w in list {
                    lines.push(format!(
                        "{} / {}: {side} warning [{}]: {}",
                        entry.scenario,
                        entry.server,
                        w.code(),
                        w.message()
                    ));
                }
            }
        }
        for pair in &self.only_in_baseline {
            lines.push(format!("{pair}: only in the baseline, not compared"));
        }
        for pair in &self.only_in_current {
            lines.push(format!("{pair}: only in the current run, not compared"));
        }
        for failed in &self.failed_thresholds {
            lines.push(format!("threshold failed in the current run: {failed}"));
        }
        for bad in &self.unreadable {
            lines.push(format!("unreadable result file, not compared: {bad}"));
        }
        lines
    }

    /// The comparison as a table for the terminal; verdicts are coloured
    /// (red regressed, green improved, yellow not enough samples) when
    /// `color` is true.
    pub fn table(&self, color: bool) -> String {
        const HEADERS: [&str; 8] = [
            "scenario / server",
            "metric",
            "baseline",
            "current",
            "change",
            "95% CI of change",
            "p",
            "verdict",
        ];
        let rows = self.rows();
        let mut widths = HEADERS.map(|h| h.chars().count());
        for row in &rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.chars().count());
            }
        }
        let pad = |cell: &str, width: usize| {
            let fill = width.saturating_sub(cell.chars().count());
            format!("{cell}{}", " ".repeat(fill))
        };
        let mut out = String::new();
        let headline = self.headline();
        if color && self.cross_machine {
            let _ = writeln!(out, "\x1b[1;33m{headline}\x1b[0m");
        } else {
            let _ = writeln!(out, "{headline}");
        }
        let _ = writeln!(
            out,
            "baseline {} ({})  vs  current {} ({})",
            self.baseline_run_id,
            self.baseline.display(),
            self.current_run_id,
            self.current.display()
        );
        let header: Vec<String> = HEADERS.iter().zip(widths).map(|(h, w)| pad(h, w)).collect();
        let _ = writeln!(out, "{}", header.join("  ").trim_end());
        for (row, (_, m)) in rows.iter().zip(self.metrics()) {
            let mut cells: Vec<String> = row.iter().zip(widths).map(|(c, w)| pad(c, w)).collect();
            if color {
                let code = match m.verdict {
                    Verdict::Regressed => Some("1;31"),
                    Verdict::Improved => Some("1;32"),
                    Verdict::NotEnoughSamples { .. } => Some("33"),
                    Verdict::NoChange => None,
                };
                if let (Some(code), Some(last)) = (code, cells.last_mut()) {
                    *last = format!("\x1b[{code}m{}\x1b[0m", last.trim_end());
                }
            }
            let _ = writeln!(out, "{}", cells.join("  ").trim_end());
        }
        for remark in self.remarks() {
            let _ = writeln!(out, "note: {remark}");
        }
        let _ = writeln!(out, "{}", self.summary_line());
        out
    }

    /// The comparison as Markdown (GitHub flavoured), for
    /// `$GITHUB_STEP_SUMMARY` or a PR comment.
    pub fn to_markdown(&self) -> String {
        let mut out = String::new();
        if self.cross_machine {
            let _ = writeln!(out, "> **Warning:** {}\n", self.headline());
        } else {
            let _ = writeln!(out, "{}\n", self.headline());
        }
        let _ = writeln!(
            out,
            "## Gauntlet comparison\n\nBaseline `{}` vs current `{}`: **{}**.\n",
            self.baseline_run_id,
            self.current_run_id,
            self.summary_line()
        );
        let _ = writeln!(
            out,
            "| scenario / server | metric | baseline | current | change | 95% CI of change | p | verdict |"
        );
        let _ = writeln!(
            out,
            "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |"
        );
        for (row, (_, m)) in self.rows().iter().zip(self.metrics()) {
            let mut cells = row.clone();
            cells[7] = match m.verdict {
                Verdict::Regressed => format!("**{}**", cells[7]),
                Verdict::Improved => format!("_{}_", cells[7]),
                _ => cells[7].clone(),
            };
            let cells: Vec<String> = cells.iter().map(|c| c.replace('|', "\\|")).collect();
            let _ = writeln!(out, "| {} |", cells.join(" | "));
        }
        let remarks = self.remarks();
        if !remarks.is_empty() {
            out.push('\n');
            for remark in remarks {
                let _ = writeln!(out, "- {remark}");
            }
        }
        let noise: Vec<String> = self
            .options
            .noise
            .iter()
            .map(|(m, n)| format!("{m} {:.0}%", n * 100.0))
            .collect();
        let _ = writeln!(
            out,
            "\nMedians over repetitions. A verdict other than \"no change\" needs a two-sided \
             Mann-Whitney U test with p < {}, a {:.0}% bootstrap interval of the ratio of medians \
             that excludes 1, and a change beyond the noise threshold ({}).",
            self.options.alpha,
            self.options.confidence * 100.0,
            noise.join(", ")
        );
        out
    }
}
