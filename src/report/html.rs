//! The self-contained HTML page (`index.html`): environment fingerprint,
//! a ranking table and threshold outcomes per scenario, and every chart
//! inlined as SVG. No script, no network: it reads the same from disk, in CI
//! artifacts, or attached to an e-mail.
//!
//! The page is rendered by [askama](https://docs.rs/askama): [`Page`] is the
//! one template (`templates/index.html`), which includes one partial per
//! part (`templates/*.html`, each naming the view it reads at its top). We
//! chose askama over maud because it keeps the page as HTML files a reader
//! (or a designer) edits as HTML, it checks every template at compile time
//! (an unknown field or a type error in a template is a build error, where
//! the old `{{key}}` substitution left an unknown key silently in the page),
//! and it escapes every value by default. The escaper is
//! [`super::escape::Html`] (configured in `askama.toml`), the one the page
//! always used, so entities stay `&lt;`, `&quot;`, ... The only value marked
//! `safe` is a chart's SVG, which Gauntlet drew itself (plotters escapes the
//! text it writes into it).
//!
//! The views below hold text, never markup: which element or class a value
//! gets is the template's business.

use askama::Template;

use super::capacity::{self, CapacityView};
use super::claims::{self, ClaimsView};
use super::format::{
    environment, grouped, mib, notes, percentile, req_per_cpu, spread, threshold_value,
    warning_notes,
};
use super::matrix::{self, Cell, Figure};
use super::model::{ranking, ReportData, RunInfo};
use super::PlacedChart;

pub use super::escape::html as escape;

/// The whole page (`templates/index.html`).
#[derive(Template)]
#[template(path = "index.html")]
pub struct Page<'a> {
    /// The report's title (run ids or scenario names).
    title: String,
    /// "N scenario(s) × M server(s): ...".
    subtitle: String,
    /// Gauntlet's version.
    version: &'static str,
    /// One environment table per run.
    runs: Vec<RunView<'a>>,
    /// The contents: (anchor, text).
    toc: Vec<(String, String)>,
    /// The claims section, when the results hold claims scenarios.
    claims: Option<ClaimsView>,
    /// The runtime × endpoint matrices (empty when not wanted).
    matrices: Vec<MatrixView>,
    /// One section per scenario.
    scenarios: Vec<ScenarioView<'a>>,
    /// Charts covering every scenario.
    overall: Vec<FigureView<'a>>,
}

/// One run's environment table.
struct RunView<'a> {
    /// " N" when the report shows several runs, else "".
    number: String,
    run_id: &'a str,
    started_at: Option<&'a str>,
    /// Label and value of each fingerprint line.
    rows: Vec<(&'static str, String)>,
    /// Servers listed in the manifest without a result, comma-separated.
    missing: String,
    unreadable: &'a [String],
    interrupted: bool,
}

/// One chart with its title and caption.
struct FigureView<'a> {
    id: &'a str,
    title: &'a str,
    caption: &'a str,
    file: String,
    /// The SVG element, without the XML prolog.
    svg: &'a str,
}

/// One scenario's section.
struct ScenarioView<'a> {
    id: String,
    name: &'a str,
    description: String,
    /// The ranking rows, when the scenario ran repetitions.
    ranking: Option<Vec<RankingRow>>,
    thresholds: Vec<ThresholdRow<'a>>,
    capacity: Option<CapacityView>,
    figures: Vec<FigureView<'a>>,
}

/// One server in a ranking table.
struct RankingRow {
    marked: bool,
    rank: String,
    color: String,
    server: String,
    throughput: String,
    p50: String,
    p99: String,
    p999: String,
    errors: String,
    /// The error rate is high enough to be flagged.
    errors_flagged: bool,
    peak_rss: String,
    req_per_cpu: String,
    /// (CSS class, text) of each note.
    notes: Vec<(&'static str, String)>,
}

/// One threshold outcome.
struct ThresholdRow<'a> {
    server: &'a str,
    expression: &'a str,
    observed: String,
    limit: String,
    passed: bool,
}

/// One matrix table.
struct MatrixView {
    title: &'static str,
    scenarios: Vec<String>,
    rows: Vec<MatrixRow>,
}

struct MatrixRow {
    color: String,
    server: String,
    cells: Vec<CellView>,
}

/// A matrix cell with its figures already formatted.
enum CellView {
    Absent,
    Ranked {
        /// Background opacity, `0.08`–`0.50`.
        alpha: String,
        /// Share of the best, percent without decimals.
        share: String,
        value: String,
    },
    Unranked {
        class: &'static str,
        why: String,
        value: String,
    },
}

/// `#rrggbb` of a series colour.
pub(super) fn hex(color: plotters::style::RGBColor) -> String {
    format!("#{:02x}{:02x}{:02x}", color.0, color.1, color.2)
}

/// Strips the XML prolog plotters may emit, so the SVG can be inlined.
fn inline_svg(svg: &str) -> &str {
    match svg.find("<svg") {
        Some(i) => &svg[i..],
        None => svg,
    }
}

fn figure(p: &PlacedChart) -> FigureView<'_> {
    FigureView {
        id: &p.chart.file_stem,
        title: &p.chart.title,
        caption: &p.chart.caption,
        file: format!("{}.svg", p.chart.file_stem),
        svg: inline_svg(&p.chart.svg),
    }
}

fn run_view<'a>(run: &'a RunInfo, i: usize, several: bool) -> RunView<'a> {
    RunView {
        number: if several {
            format!(" {}", i + 1)
        } else {
            String::new()
        },
        run_id: &run.run_id,
        started_at: run.started_at.as_deref(),
        rows: environment(&run.environment),
        missing: run.missing.join(", "),
        unreadable: &run.unreadable,
        interrupted: run.interrupted,
    }
}

/// The CSS class of a note: warnings, failures, or plain notes.
fn note_class(note: &str) -> &'static str {
    if ["generator-bound", "scenario-bound", "contended"]
        .iter()
        .any(|p| note.starts_with(p))
    {
        "warn"
    } else if ["FAILED", "ERRORS", "SKIPPED", "INTERRUPTED"]
        .iter()
        .any(|p| note.starts_with(p))
    {
        "fail"
    } else {
        "note"
    }
}

fn ranking_rows(data: &ReportData, scenario: &str) -> Vec<RankingRow> {
    ranking(data, scenario)
        .into_iter()
        .map(|(rank, e)| {
            let s = &e.summary;
            let series = &data.series[e.series];
            let notes = notes(e)
                .into_iter()
                .map(|n| (note_class(&n), n))
                .chain(warning_notes(e).into_iter().map(|w| ("warn", w)))
                .collect();
            RankingRow {
                marked: s.limited().is_some() || s.state.mark().is_some(),
                rank: rank.map(|r| r.to_string()).unwrap_or_else(|| "–".into()),
                color: hex(series.color),
                server: series.label.clone(),
                throughput: s
                    .throughput
                    .as_ref()
                    .map(spread)
                    .unwrap_or_else(|| "–".into()),
                p50: percentile(s.latency.as_ref(), 0.5),
                p99: percentile(s.latency.as_ref(), 0.99),
                p999: percentile(s.latency.as_ref(), 0.999),
                errors: s
                    .error_rate
                    .map(crate::scenario::errors::percent)
                    .unwrap_or_else(|| "–".into()),
                errors_flagged: s.error_rate.is_some() && s.error_flag().is_some(),
                peak_rss: s
                    .peak_rss
                    .map(|b| mib(b as f64))
                    .unwrap_or_else(|| "–".into()),
                req_per_cpu: req_per_cpu(s),
                notes,
            }
        })
        .collect()
}

fn threshold_rows<'a>(data: &'a ReportData, scenario: &'a str) -> Vec<ThresholdRow<'a>> {
    data.scenario_entries(scenario)
        .flat_map(|e| e.result.thresholds.iter().map(move |t| (e, t)))
        .map(|(e, t)| ThresholdRow {
            server: &data.series[e.series].label,
            expression: &t.expression,
            observed: threshold_value(t, t.observed),
            limit: threshold_value(t, t.limit),
            passed: t.passed,
        })
        .collect()
}

/// One matrix as a table: shares shaded from white (0 %) to green (100 %).
fn matrix_view(data: &ReportData, figure: Figure) -> MatrixView {
    let m = matrix::build(data, figure);
    MatrixView {
        title: figure.title(),
        scenarios: m.scenarios,
        rows: m
            .rows
            .iter()
            .map(|row| {
                let series = &data.series[row.series];
                MatrixRow {
                    color: hex(series.color),
                    server: series.label.clone(),
                    cells: row
                        .cells
                        .iter()
                        .map(|cell| match cell {
                            Cell::Absent => CellView::Absent,
                            Cell::Ranked { value, share } => CellView::Ranked {
                                alpha: format!("{:.2}", 0.08 + 0.42 * share),
                                share: format!("{:.0}", share * 100.0),
                                value: grouped(*value),
                            },
                            Cell::Unranked { value, why } => CellView::Unranked {
                                class: if why.chars().all(|c| c.is_ascii_uppercase()) {
                                    "fail"
                                } else {
                                    "note"
                                },
                                why: why.clone(),
                                value: value.map(grouped).unwrap_or_else(|| "–".into()),
                            },
                        })
                        .collect(),
                }
            })
            .collect(),
    }
}

/// The page for `data` with its rendered charts, as a template value.
pub fn view<'a>(data: &'a ReportData, charts: &'a [PlacedChart]) -> Page<'a> {
    let mut toc = Vec::new();
    // The claims verdicts come first, when the results hold claims scenarios.
    let claims = claims::html_view(data, charts);
    if claims.is_some() {
        toc.push(("claims".to_string(), "Claims".to_string()));
    }
    let matrices: Vec<MatrixView> = if matrix::wanted(data) {
        [Figure::Throughput, Figure::Efficiency]
            .map(|f| matrix_view(data, f))
            .into()
    } else {
        Vec::new()
    };
    if !matrices.is_empty() {
        toc.push(("matrix".into(), "Runtimes × endpoints".into()));
    }
    let mut scenarios = Vec::new();
    for (i, scenario) in data.scenarios.iter().enumerate() {
        let id = format!("scenario-{}", i + 1);
        toc.push((id.clone(), format!("Scenario: {scenario}")));
        scenarios.push(ScenarioView {
            id,
            name: scenario,
            description: data
                .scenario_entries(scenario)
                .next()
                .map(|e| e.result.scenario.description.clone())
                .unwrap_or_default(),
            ranking: data
                .has_repetitions(scenario)
                .then(|| ranking_rows(data, scenario)),
            thresholds: threshold_rows(data, scenario),
            capacity: capacity::html_view(data, scenario),
            figures: charts
                .iter()
                .filter(|c| c.scenario.as_deref() == Some(scenario.as_str()))
                .map(figure)
                .collect(),
        });
    }
    let overall: Vec<FigureView> = charts
        .iter()
        .filter(|c| c.scenario.is_none())
        .map(figure)
        .collect();
    if !overall.is_empty() {
        toc.push(("all-scenarios".into(), "All scenarios".into()));
    }
    let servers: Vec<&str> = data.series.iter().map(|s| s.label.as_str()).collect();
    Page {
        title: data.title(),
        subtitle: format!(
            "{} scenario(s) × {} server(s): {}",
            data.scenarios.len(),
            data.series.len(),
            servers.join(", ")
        ),
        version: env!("CARGO_PKG_VERSION"),
        runs: data
            .runs
            .iter()
            .enumerate()
            .map(|(i, run)| run_view(run, i, data.runs.len() > 1))
            .collect(),
        toc,
        claims,
        matrices,
        scenarios,
        overall,
    }
}

/// The whole page for `data` with its rendered charts.
pub fn page(data: &ReportData, charts: &[PlacedChart]) -> String {
    view(data, charts)
        .render()
        .expect("the page template writes to a String, which cannot fail")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_covers_markup_and_quotes() {
        assert_eq!(
            escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }

    #[test]
    fn notes_are_classed_by_what_they_say() {
        assert_eq!(note_class("generator-bound (97 %)"), "warn");
        assert_eq!(note_class("FAILED: exited"), "fail");
        assert_eq!(note_class("steady after a 2 s warmup"), "note");
    }
}
