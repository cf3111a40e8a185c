//! The self-contained HTML page (`index.html`): environment fingerprint,
//! a ranking table and threshold outcomes per scenario, and every chart
//! inlined as SVG. No script, no network: it reads the same from disk, in CI
//! artifacts, or attached to an e-mail. Templates live in `templates/`.

use std::fmt::Write;

use super::format::{
    environment, grouped, mib, notes, percentile, req_per_cpu, spread, threshold_value,
    warning_notes,
};
use super::matrix::{self, Cell, Figure};
use super::model::{ranking, ReportData};
use super::PlacedChart;

const INDEX: &str = include_str!("templates/index.html");
const SCENARIO: &str = include_str!("templates/scenario.html");
const FIGURE: &str = include_str!("templates/figure.html");
const RANKING: &str = include_str!("templates/ranking.html");
const RANKING_ROW: &str = include_str!("templates/ranking_row.html");
const THRESHOLDS: &str = include_str!("templates/thresholds.html");
const THRESHOLD_ROW: &str = include_str!("templates/threshold_row.html");
const MATRIX: &str = include_str!("templates/matrix.html");

pub use super::escape::html as escape;

/// Replaces every `{{key}}` in `template` with its value in one pass, so a
/// value that happens to contain `{{...}}` is never expanded; unknown keys
/// are left as they are.
pub(super) fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        match after.find("}}").and_then(|end| {
            let key = &after[..end];
            values
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| (v, end))
        }) {
            Some((value, end)) => {
                out.push_str(value);
                rest = &after[end + 2..];
            }
            None => {
                out.push_str("{{");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Strips the XML prolog plotters may emit, so the SVG can be inlined.
fn inline_svg(svg: &str) -> &str {
    match svg.find("<svg") {
        Some(i) => &svg[i..],
        None => svg,
    }
}

fn figure(p: &PlacedChart) -> String {
    let file = format!("{}.svg", p.chart.file_stem);
    fill(
        FIGURE,
        &[
            ("id", &escape(&p.chart.file_stem)),
            ("title", &escape(&p.chart.title)),
            ("caption", &escape(&p.chart.caption)),
            ("file", &escape(&file)),
            ("svg", inline_svg(&p.chart.svg)),
        ],
    )
}

fn environment_table(data: &ReportData) -> String {
    let mut html = String::new();
    for (i, run) in data.runs.iter().enumerate() {
        let _ = writeln!(html, "<table class=\"env\">");
        let _ = writeln!(
            html,
            "<tr><th>run{}</th><td>{}{}</td></tr>",
            if data.runs.len() > 1 {
                format!(" {}", i + 1)
            } else {
                String::new()
            },
            escape(&run.run_id),
            run.started_at
                .as_ref()
                .map(|s| format!(" (started {})", escape(s)))
                .unwrap_or_default()
        );
        for (k, v) in environment(&run.environment) {
            let _ = writeln!(
                html,
                "<tr><th>{}</th><td>{}</td></tr>",
                escape(k),
                escape(&v)
            );
        }
        if !run.missing.is_empty() {
            let _ = writeln!(
                html,
                "<tr><th>missing</th><td class=\"fail\">listed in the manifest but not found: {}</td></tr>",
                escape(&run.missing.join(", "))
            );
        }
        for bad in &run.unreadable {
            let _ = writeln!(
                html,
                "<tr><th>unreadable</th><td class=\"fail\">{}</td></tr>",
                escape(bad)
            );
        }
        if run.interrupted {
            let _ = writeln!(
                html,
                "<tr><th>state</th><td class=\"fail\">interrupted: figures cover what ran</td></tr>"
            );
        }
        let _ = writeln!(html, "</table>");
    }
    html
}

fn ranking_rows(data: &ReportData, scenario: &str) -> String {
    let mut rows = String::new();
    for (rank, e) in ranking(data, scenario) {
        let s = &e.summary;
        let series = &data.series[e.series];
        let marked = s.limited().is_some() || s.state.mark().is_some();
        let note_html: Vec<String> = notes(e)
            .iter()
            .map(|n| {
                let class = if n.starts_with("generator-bound")
                    || n.starts_with("scenario-bound")
                    || n.starts_with("contended")
                {
                    "warn"
                } else if n.starts_with("FAILED")
                    || n.starts_with("ERRORS")
                    || n.starts_with("SKIPPED")
                    || n.starts_with("INTERRUPTED")
                {
                    "fail"
                } else {
                    "note"
                };
                format!("<span class=\"{class}\">{}</span>", escape(n))
            })
            .chain(
                warning_notes(e)
                    .iter()
                    .map(|w| format!("<span class=\"warn\">{}</span>", escape(w))),
            )
            .collect();
        let (r, g, b) = (series.color.0, series.color.1, series.color.2);
        rows.push_str(&fill(
            RANKING_ROW,
            &[
                ("row_class", if marked { "marked" } else { "clean" }),
                (
                    "rank",
                    &rank.map(|r| r.to_string()).unwrap_or_else(|| "–".into()),
                ),
                ("color", &format!("#{r:02x}{g:02x}{b:02x}")),
                ("server", &escape(&series.label)),
                (
                    "throughput",
                    &s.throughput
                        .as_ref()
                        .map(spread)
                        .unwrap_or_else(|| "–".into()),
                ),
                ("p50", &percentile(s.latency.as_ref(), 0.5)),
                ("p99", &percentile(s.latency.as_ref(), 0.99)),
                ("p999", &percentile(s.latency.as_ref(), 0.999)),
                (
                    "errors",
                    &s.error_rate
                        .map(|r| {
                            let text = crate::scenario::errors::percent(r);
                            if s.error_flag().is_some() {
                                format!("<span class=\"fail\">{text}</span>")
                            } else {
                                text
                            }
                        })
                        .unwrap_or_else(|| "–".into()),
                ),
                (
                    "peak_rss",
                    &s.peak_rss
                        .map(|b| mib(b as f64))
                        .unwrap_or_else(|| "–".into()),
                ),
                ("req_per_cpu", &req_per_cpu(s)),
                ("notes", &note_html.join("<br>")),
            ],
        ));
    }
    rows
}

fn thresholds_table(data: &ReportData, scenario: &str) -> String {
    let rows: Vec<String> = data
        .scenario_entries(scenario)
        .flat_map(|e| e.result.thresholds.iter().map(move |t| (e, t)))
        .map(|(e, t)| {
            fill(
                THRESHOLD_ROW,
                &[
                    ("server", &escape(&data.series[e.series].label)),
                    ("expression", &escape(&t.expression)),
                    ("observed", &escape(&threshold_value(t, t.observed))),
                    ("limit", &escape(&threshold_value(t, t.limit))),
                    ("class", if t.passed { "pass" } else { "fail" }),
                    ("result", if t.passed { "✔ pass" } else { "✘ fail" }),
                ],
            )
        })
        .collect();
    if rows.is_empty() {
        return String::new();
    }
    fill(THRESHOLDS, &[("rows", &rows.concat())])
}

/// One matrix as a table: shares shaded from white (0 %) to green (100 %).
fn matrix_table(data: &ReportData, figure: Figure) -> String {
    let m = matrix::build(data, figure);
    let mut html = format!(
        "<h3>{}</h3>\n<table class=\"matrix\">\n<thead><tr><th>server</th>",
        escape(figure.title())
    );
    for scenario in &m.scenarios {
        let _ = write!(html, "<th class=\"num\">{}</th>", escape(scenario));
    }
    html.push_str("</tr></thead>\n<tbody>\n");
    for row in &m.rows {
        let series = &data.series[row.series];
        let (r, g, b) = (series.color.0, series.color.1, series.color.2);
        let _ = write!(
            html,
            "<tr><td><span class=\"swatch\" style=\"background:#{r:02x}{g:02x}{b:02x}\"></span>{}</td>",
            escape(&series.label)
        );
        for cell in &row.cells {
            match cell {
                Cell::Absent => html.push_str("<td class=\"num note\">–</td>"),
                Cell::Ranked { value, share } => {
                    let _ = write!(
                        html,
                        "<td class=\"num\" style=\"background:rgba(26,127,55,{:.2})\"><b>{:.0} %</b><br><small>{}</small></td>",
                        0.08 + 0.42 * share,
                        share * 100.0,
                        grouped(*value)
                    );
                }
                Cell::Unranked { value, why } => {
                    let _ = write!(
                        html,
                        "<td class=\"num unranked\"><span class=\"{}\">{}</span><br><small>{}</small></td>",
                        if why.chars().all(|c| c.is_ascii_uppercase()) { "fail" } else { "note" },
                        escape(why),
                        value.map(grouped).unwrap_or_else(|| "–".into())
                    );
                }
            }
        }
        html.push_str("</tr>\n");
    }
    html.push_str("</tbody>\n</table>\n");
    html
}

/// The runtime × endpoint section, when the report covers several
/// scenarios and servers.
fn matrix_section(data: &ReportData) -> String {
    if !matrix::wanted(data) {
        return String::new();
    }
    let tables = [Figure::Throughput, Figure::Efficiency]
        .map(|f| matrix_table(data, f))
        .concat();
    fill(MATRIX, &[("tables", &tables)])
}

/// The whole page for `data` with its rendered charts.
pub fn page(data: &ReportData, charts: &[PlacedChart]) -> String {
    let mut toc = String::new();
    // The claims verdicts come first, when the results hold claims scenarios.
    let mut sections = super::claims::html_section(data, charts);
    if !sections.is_empty() {
        toc.push_str("<li><a href=\"#claims\">Claims</a></li>");
    }
    let matrix = matrix_section(data);
    if !matrix.is_empty() {
        toc.push_str("<li><a href=\"#matrix\">Runtimes × endpoints</a></li>");
    }
    sections.push_str(&matrix);
    for (i, scenario) in data.scenarios.iter().enumerate() {
        let id = format!("scenario-{}", i + 1);
        let _ = write!(
            toc,
            "<li><a href=\"#{id}\">Scenario: {}</a></li>",
            escape(scenario)
        );
        let description = data
            .scenario_entries(scenario)
            .next()
            .map(|e| e.result.scenario.description.clone())
            .unwrap_or_default();
        let figures: Vec<String> = charts
            .iter()
            .filter(|c| c.scenario.as_deref() == Some(scenario.as_str()))
            .map(figure)
            .collect();
        sections.push_str(&fill(
            SCENARIO,
            &[
                ("id", &id),
                ("name", &escape(scenario)),
                ("description", &escape(&description)),
                (
                    "ranking",
                    &if data.has_repetitions(scenario) {
                        fill(RANKING, &[("rows", &ranking_rows(data, scenario))])
                    } else {
                        String::new()
                    },
                ),
                ("thresholds", &thresholds_table(data, scenario)),
                ("capacity", &super::capacity::html_table(data, scenario)),
                ("charts", &figures.join("\n")),
            ],
        ));
    }
    let overall: Vec<String> = charts
        .iter()
        .filter(|c| c.scenario.is_none())
        .map(figure)
        .collect();
    let overall = if overall.is_empty() {
        String::new()
    } else {
        let _ = write!(toc, "<li><a href=\"#all-scenarios\">All scenarios</a></li>");
        format!(
            "<section id=\"all-scenarios\"><h2>All scenarios</h2>\n{}\n</section>",
            overall.join("\n")
        )
    };
    let servers: Vec<&str> = data.series.iter().map(|s| s.label.as_str()).collect();
    let subtitle = format!(
        "{} scenario(s) × {} server(s): {}",
        data.scenarios.len(),
        data.series.len(),
        servers.join(", ")
    );
    fill(
        INDEX,
        &[
            ("title", &escape(&data.title())),
            ("subtitle", &escape(&subtitle)),
            ("version", env!("CARGO_PKG_VERSION")),
            ("environment", &environment_table(data)),
            ("toc", &toc),
            ("overall", &overall),
            ("scenarios", &sections),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_expands_each_placeholder_once_and_never_inside_values() {
        let out = fill(
            "<p>{{a}} and {{b}} {{unknown}}</p>",
            &[("a", "{{b}}"), ("b", "x<y")],
        );
        assert_eq!(out, "<p>{{b}} and x<y {{unknown}}</p>");
    }

    #[test]
    fn escape_covers_markup_and_quotes() {
        assert_eq!(
            escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
