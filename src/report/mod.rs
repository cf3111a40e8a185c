//! Reports: charts (plotters, one module per chart behind the
//! [`chart::Chart`] trait), one self-contained HTML page and a GitHub-flavoured
//! Markdown summary, rendered from result files only (never a live run).
//!
//! [`render`] is the entry point other commands use; [`execute`] is the
//! `gauntlet report` command.

pub mod chart;
pub mod charts;
pub mod format;
pub mod html;
pub mod markdown;
pub mod model;

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::exit::{input_error, Outcome};
use chart::{render_png, render_svg, Chart, RenderedChart};
use charts::{
    efficiency::EfficiencyChart, latency_timeline::LatencyTimelineChart, memory::MemoryChart,
    rss_timeline::RssTimelineChart, spectrum::SpectrumChart, startup::StartupChart,
    throughput::ThroughputChart, throughput_timeline::ThroughputTimelineChart,
};
use model::ReportData;

/// What can go wrong while reading results or drawing a report.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// No input was given.
    #[error("no result folder given (expected results/<run-id>/ or a result .json file)")]
    NoInput,
    /// A path given does not exist.
    #[error("{path} does not exist (expected a result folder results/<run-id>/ or a <scenario>__<server>.json result file)")]
    Missing {
        /// The path given.
        path: PathBuf,
    },
    /// A folder without any result in it.
    #[error(
        "{path} holds no result files (expected manifest.json and <scenario>__<server>.json files)"
    )]
    Empty {
        /// The folder.
        path: PathBuf,
    },
    /// A file could not be read.
    #[error("cannot read {path}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A file is not a Gauntlet result of this schema.
    #[error("{path} is not a Gauntlet result file of schema version {version}", version = crate::results::SCHEMA_VERSION)]
    Parse {
        /// The file.
        path: PathBuf,
        /// The JSON error.
        #[source]
        source: serde_json::Error,
    },
    /// A chart could not be drawn.
    #[error("drawing chart {chart}")]
    Draw {
        /// The chart's file stem.
        chart: String,
        /// What plotters said.
        #[source]
        source: chart::ChartError,
    },
    /// An output file could not be written.
    #[error("cannot write {path}")]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

impl ReportError {
    /// True when the error is in what the user gave (exit code 2).
    pub fn is_input(&self) -> bool {
        matches!(
            self,
            ReportError::NoInput
                | ReportError::Missing { .. }
                | ReportError::Empty { .. }
                | ReportError::Parse { .. }
        )
    }
}

fn to_anyhow(err: ReportError) -> anyhow::Error {
    if err.is_input() {
        input_error(format!("{:#}", anyhow::Error::new(err)))
    } else {
        anyhow::Error::new(err)
    }
}

/// Renders the result folders into `out` (index.html, *.svg, optional *.png,
/// summary.md); returns the paths written.
pub fn render(result_dirs: &[PathBuf], out: &Path, png: bool) -> anyhow::Result<Vec<PathBuf>> {
    let data = ReportData::load(result_dirs).map_err(to_anyhow)?;
    write_report(&data, out, png).map_err(to_anyhow)
}

/// A chart as placed in the page: which scenario it belongs to (none for
/// report-wide charts) and its SVG.
#[derive(Debug, Clone)]
pub struct PlacedChart {
    /// The scenario, or `None` for a chart covering the whole report.
    pub scenario: Option<String>,
    /// The rendered chart.
    pub chart: RenderedChart,
}

/// Renders every chart of `data` to SVG (and PNG files in `out` when `png`).
pub fn render_charts(
    data: &ReportData,
    out: &Path,
    png: bool,
) -> Result<(Vec<PlacedChart>, Vec<PathBuf>), ReportError> {
    let mut placed = Vec::new();
    let mut pngs = Vec::new();
    for scenario in &data.scenarios {
        let sc = || scenario.clone();
        let s = Some(scenario.clone());
        emit(
            &ThroughputChart { scenario: sc() },
            data,
            out,
            png,
            &s,
            &mut placed,
            &mut pngs,
        )?;
        emit(
            &SpectrumChart { scenario: sc() },
            data,
            out,
            png,
            &s,
            &mut placed,
            &mut pngs,
        )?;
        emit(
            &LatencyTimelineChart { scenario: sc() },
            data,
            out,
            png,
            &s,
            &mut placed,
            &mut pngs,
        )?;
        emit(
            &ThroughputTimelineChart { scenario: sc() },
            data,
            out,
            png,
            &s,
            &mut placed,
            &mut pngs,
        )?;
        emit(
            &RssTimelineChart { scenario: sc() },
            data,
            out,
            png,
            &s,
            &mut placed,
            &mut pngs,
        )?;
        emit(
            &MemoryChart { scenario: sc() },
            data,
            out,
            png,
            &s,
            &mut placed,
            &mut pngs,
        )?;
        emit(
            &EfficiencyChart { scenario: sc() },
            data,
            out,
            png,
            &s,
            &mut placed,
            &mut pngs,
        )?;
    }
    emit(&StartupChart, data, out, png, &None, &mut placed, &mut pngs)?;
    Ok((placed, pngs))
}

fn emit<C: Chart>(
    chart: &C,
    data: &ReportData,
    out: &Path,
    png: bool,
    scenario: &Option<String>,
    placed: &mut Vec<PlacedChart>,
    pngs: &mut Vec<PathBuf>,
) -> Result<(), ReportError> {
    let draw_err = |source| ReportError::Draw {
        chart: chart.file_stem(),
        source,
    };
    let rendered = render_svg(chart, data).map_err(draw_err)?;
    if png {
        let path = out.join(format!("{}.png", chart.file_stem()));
        render_png(chart, data, &path).map_err(draw_err)?;
        pngs.push(path);
    }
    placed.push(PlacedChart {
        scenario: scenario.clone(),
        chart: rendered,
    });
    Ok(())
}

/// Writes the whole report of `data` into `out`; returns the paths written.
pub fn write_report(data: &ReportData, out: &Path, png: bool) -> Result<Vec<PathBuf>, ReportError> {
    fs::create_dir_all(out).map_err(|source| ReportError::Write {
        path: out.to_path_buf(),
        source,
    })?;
    let (placed, pngs) = render_charts(data, out, png)?;
    let mut written = Vec::new();
    let mut write = |path: PathBuf, text: &str| -> Result<(), ReportError> {
        fs::write(&path, text).map_err(|source| ReportError::Write {
            path: path.clone(),
            source,
        })?;
        written.push(path);
        Ok(())
    };
    write(out.join("index.html"), &html::page(data, &placed))?;
    for p in &placed {
        write(out.join(format!("{}.svg", p.chart.file_stem)), &p.chart.svg)?;
    }
    write(out.join("summary.md"), &markdown::summary(data))?;
    written.extend(pngs);
    Ok(written)
}

/// Runs the `gauntlet report` command.
pub fn execute(args: &crate::cli::ReportArgs) -> anyhow::Result<Outcome> {
    let data = ReportData::load(&args.results).map_err(to_anyhow)?;
    let out = match &args.out {
        Some(out) => out.clone(),
        None => {
            let ids: Vec<&str> = data.runs.iter().map(|r| r.run_id.as_str()).collect();
            PathBuf::from("reports").join(charts::slug(&ids.join("-vs-")))
        }
    };
    let written = write_report(&data, &out, args.png)
        .map_err(to_anyhow)
        .with_context(|| format!("rendering the report into {}", out.display()))?;
    println!(
        "report: {} files written; open {}",
        written.len(),
        out.join("index.html").display()
    );
    Ok(Outcome::Success)
}
