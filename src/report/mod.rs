//! Reports: charts (plotters, one module per chart behind the
//! [`chart::Chart`] trait), one self-contained HTML page and a GitHub-flavoured
//! Markdown summary, rendered from result files only (never a live run).
//!
//! [`render`] is the entry point other commands use; `gauntlet report` calls
//! [`load`], then [`run`].

pub mod capacity;
pub mod chart;
pub mod charts;
pub mod claims;
pub mod escape;
pub mod format;
pub mod html;
pub mod markdown;
pub mod matrix;
pub mod model;

use std::fs;
use std::path::{Path, PathBuf};

use chart::{render_png, render_svg, Chart, RenderedChart};
use charts::{
    capacity::CapacityChart, efficiency::EfficiencyChart, latency_timeline::LatencyTimelineChart,
    memory::MemoryChart, rss_timeline::RssTimelineChart, spectrum::SpectrumChart,
    startup::StartupChart, throughput::ThroughputChart,
    throughput_timeline::ThroughputTimelineChart,
};
use model::ReportData;

/// What can go wrong while reading results or drawing a report.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No input was given.
    #[error("no result folder given (expected results/<run-id>/ or a result .json file)")]
    NoInput,
    /// A path given does not exist.
    #[error("{path} does not exist (expected a result folder results/<run-id>/ or a <scenario>__<server>.json result file)")]
    Missing {
        /// The path given.
        path: PathBuf,
    },
    /// A result folder or file could not be read (no results in it,
    /// another schema version, not a result): the results reader's error.
    #[error(transparent)]
    Results(#[from] crate::results::ReadError),
    /// A chart could not be drawn.
    #[error("drawing chart {chart}")]
    Draw {
        /// The chart's file stem.
        chart: String,
        /// What plotters said.
        #[source]
        source: chart::ChartError,
    },
    /// The report could not be rendered into the folder `gauntlet report`
    /// chose or was given (the inner error says what failed).
    #[error("rendering the report into {out}")]
    Render {
        /// The output folder.
        out: PathBuf,
        /// What failed.
        #[source]
        source: Box<Error>,
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

impl crate::exit::Classify for Error {
    /// True when the error is in what the user gave (exit code 2).
    fn is_input(&self) -> bool {
        match self {
            Error::NoInput | Error::Missing { .. } | Error::Results(_) => true,
            Error::Draw { .. } | Error::Write { .. } => false,
            Error::Render { source, .. } => source.is_input(),
        }
    }
}

/// Renders the result folders into `out` (index.html, *.svg, optional *.png,
/// summary.md); returns the paths written.
pub fn render(result_dirs: &[PathBuf], out: &Path, png: bool) -> Result<ReportWritten, Error> {
    let data = ReportData::load(result_dirs)?;
    write_report(&data, out, png)
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
) -> Result<(Vec<PlacedChart>, Vec<PathBuf>), Error> {
    let mut charts = ChartWriter {
        data,
        out,
        png,
        placed: Vec::new(),
        pngs: Vec::new(),
    };
    for scenario in &data.scenarios {
        let s = Some(scenario.as_str());
        // A scenario whose servers ran no repetition (a capacity search
        // replaces them) has nothing for the repetition charts to draw.
        let repeated = data.has_repetitions(scenario);
        let scenario = || scenario.clone();
        if repeated {
            charts.emit(
                &ThroughputChart {
                    scenario: scenario(),
                },
                s,
            )?;
            charts.emit(
                &SpectrumChart {
                    scenario: scenario(),
                },
                s,
            )?;
            charts.emit(
                &LatencyTimelineChart {
                    scenario: scenario(),
                },
                s,
            )?;
            charts.emit(
                &ThroughputTimelineChart {
                    scenario: scenario(),
                },
                s,
            )?;
            charts.emit(
                &RssTimelineChart {
                    scenario: scenario(),
                },
                s,
            )?;
            charts.emit(
                &MemoryChart {
                    scenario: scenario(),
                },
                s,
            )?;
            charts.emit(
                &EfficiencyChart {
                    scenario: scenario(),
                },
                s,
            )?;
        }
        if data
            .scenario_entries(&scenario())
            .any(|e| e.result.capacity.is_some())
        {
            charts.emit(
                &CapacityChart {
                    scenario: scenario(),
                },
                s,
            )?;
        }
    }
    charts.emit(&StartupChart, None)?;
    Ok((charts.placed, charts.pngs))
}

/// Renders charts one by one, keeping what was placed in the page and the
/// PNG files written. (`Chart::draw` is generic over the backend, so charts
/// cannot sit in one `dyn` list; each is emitted by name instead.)
struct ChartWriter<'a> {
    data: &'a ReportData,
    out: &'a Path,
    png: bool,
    placed: Vec<PlacedChart>,
    pngs: Vec<PathBuf>,
}

impl ChartWriter<'_> {
    fn emit<C: Chart>(&mut self, chart: &C, scenario: Option<&str>) -> Result<(), Error> {
        let draw_err = |source| Error::Draw {
            chart: chart.file_stem(),
            source,
        };
        let rendered = render_svg(chart, self.data).map_err(draw_err)?;
        if self.png {
            let path = self.out.join(format!("{}.png", chart.file_stem()));
            render_png(chart, self.data, &path).map_err(draw_err)?;
            self.pngs.push(path);
        }
        self.placed.push(PlacedChart {
            scenario: scenario.map(str::to_string),
            chart: rendered,
        });
        Ok(())
    }
}

/// Writes the whole report of `data` into `out`; says what it wrote and
/// what the reader should be warned of.
pub fn write_report(data: &ReportData, out: &Path, png: bool) -> Result<ReportWritten, Error> {
    fs::create_dir_all(out).map_err(|source| Error::Write {
        path: out.to_path_buf(),
        source,
    })?;
    let (placed, pngs) = render_charts(data, out, png)?;
    let mut written = Vec::new();
    let mut write = |path: PathBuf, text: &str| -> Result<(), Error> {
        crate::results::write_atomic(&path, text.as_bytes()).map_err(|source| Error::Write {
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
    Ok(ReportWritten {
        out: out.to_path_buf(),
        files: written,
        warnings: claims::problem().into_iter().collect(),
    })
}

/// What `gauntlet report` is asked to do (the flags of `cli::ReportArgs`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportOptions {
    /// Result folders (or single result files) to render side by side.
    pub results: Vec<PathBuf>,
    /// Output folder (`None`: `reports/<run-ids>/`).
    pub out: Option<PathBuf>,
    /// Also write every chart as PNG.
    pub png: bool,
}

/// What a rendered report consists of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportWritten {
    /// The folder the report went to.
    pub out: PathBuf,
    /// Every file written.
    pub files: Vec<PathBuf>,
    /// What the reader should know, e.g. why the Claims section is missing
    /// (each printed as `warning: ...`).
    pub warnings: Vec<String>,
}

/// Reads the result folders `gauntlet report` is given; the caller warns
/// about [`unreadable`] files, then calls [`run`].
pub fn load(args: &ReportOptions) -> Result<ReportData, Error> {
    ReportData::load(&args.results)
}

/// The result files of `data` that could not be read and are left out.
pub fn unreadable(data: &ReportData) -> impl Iterator<Item = &String> {
    data.runs.iter().flat_map(|r| &r.unreadable)
}

/// Renders the results read by [`load`] into a report and says what it
/// wrote.
pub fn run(args: &ReportOptions, data: &ReportData) -> Result<ReportWritten, Error> {
    let out = match &args.out {
        Some(out) => out.clone(),
        None => {
            let ids: Vec<&str> = data.runs.iter().map(|r| r.run_id.as_str()).collect();
            PathBuf::from("reports").join(charts::slug(&ids.join("-vs-")))
        }
    };
    write_report(data, &out, args.png).map_err(|e| Error::Render {
        out: out.clone(),
        source: Box::new(e),
    })
}
