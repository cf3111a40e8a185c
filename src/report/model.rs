//! What a report shows, gathered from result files only: the runs given on
//! the command line, one [`Series`] (and colour) per server, one [`Entry`] per
//! scenario × server with the figures every chart, table and summary share.

use std::path::{Path, PathBuf};

use hdrhistogram::Histogram;
use plotters::style::RGBColor;

use super::Error;
use crate::results::{Environment, Repetition, RunFolder, RunStatus, ServerRunResult};
use crate::scenario::bound::Tally;
use crate::scenario::errors;
use crate::stats::median;

/// One run folder (or single result file) given to the report.
#[derive(Debug, Clone)]
pub struct RunInfo {
    /// The run identifier.
    pub run_id: String,
    /// Where it was read from.
    pub source: PathBuf,
    /// The environment fingerprint of the run.
    pub environment: Environment,
    /// When the run began, when a manifest said so.
    pub started_at: Option<String>,
    /// True when the manifest says the run was interrupted.
    pub interrupted: bool,
    /// Result files the manifest lists but that could not be found (a run
    /// that crashed while writing); the report shows what is there.
    pub missing: Vec<String>,
    /// Result files that could not be read or parsed (corrupt, truncated),
    /// as `path: reason`; the report shows the rest.
    pub unreadable: Vec<String>,
    /// The run as the results reader gave it, without its results (those
    /// are in [`ReportData::entries`]): the manifest, or the one made from
    /// the first result when the input had none.
    pub folder: RunFolder,
}

/// A line/bar family in every chart: one server of one run, with its colour.
#[derive(Debug, Clone)]
pub struct Series {
    /// Legend label: the server name, plus `(run N)` when several runs are shown
    /// (N counts the inputs from 1, in command-line order).
    pub label: String,
    /// Colour used for this series in every chart.
    pub color: RGBColor,
}

/// How a server run ended, reduced to what a reader must be told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum State {
    /// Every repetition completed.
    Ok,
    /// The server failed; the reason in one line.
    Failed(String),
    /// The run was interrupted.
    Interrupted,
    /// The server was not run; the reason.
    Skipped(String),
}

impl State {
    /// A short word for tables and chart marks.
    pub fn mark(&self) -> Option<&'static str> {
        match self {
            State::Ok => None,
            State::Failed(_) => Some("FAILED"),
            State::Interrupted => Some("INTERRUPTED"),
            State::Skipped(_) => Some("SKIPPED"),
        }
    }
}

/// One figure over repetitions: its median, with the slowest and the fastest
/// repetition as its spread.
///
/// Median and min–max rather than mean ± standard deviation, because a run has
/// few repetitions (three by default) and one of them disturbed by a GC
/// pause, a noisy neighbour or a frequency dip drags the mean and inflates the
/// standard deviation; with n = 3 the deviation is barely estimated at all
/// and suggests a symmetric, normal spread that throughput rarely has. The
/// median shrugs off one outlier in three and is the figure `gauntlet run`
/// prints and `gauntlet compare` tests, so the report shows the same number.
/// Min–max shows the whole range the repetitions covered without assuming a
/// distribution: a reader sees at once when one repetition fell far off.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spread {
    /// Median (mean of the two middle values for an even count).
    pub median: f64,
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
    /// Number of values.
    pub n: usize,
}

impl Spread {
    /// The spread of the finite `values` (others are left out, as in the
    /// table of `gauntlet run`), or `None` when there are none.
    pub fn of(values: &[f64]) -> Option<Spread> {
        let finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
        Some(Spread {
            median: median(&finite)?,
            min: finite.iter().copied().fold(f64::INFINITY, f64::min),
            max: finite.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            n: finite.len(),
        })
    }
}

/// The figures of one scenario × server, folded over its repetitions.
#[derive(Debug, Clone)]
pub struct Summary {
    /// How the server run ended.
    pub state: State,
    /// Throughput (req/s) over repetitions; ranks by its median.
    pub throughput: Option<Spread>,
    /// Latency histograms of all repetitions merged (corrected in the open model).
    pub latency: Option<Histogram<u64>>,
    /// Service-time histograms of all repetitions merged.
    pub service_time: Option<Histogram<u64>>,
    /// True when the latency is corrected for coordinated omission.
    pub corrected: bool,
    /// What bounded the repetitions (server, generator, scenario): only
    /// server-bound throughput ranks.
    pub bound: Tally,
    /// Median idle RSS over repetitions, bytes.
    pub idle_rss: Option<u64>,
    /// Median over repetitions of each repetition's peak RSS, bytes: the
    /// figure `gauntlet run` prints and `rss_peak` thresholds check.
    pub peak_rss: Option<u64>,
    /// Requests per server CPU-second over the repetitions whose CPU the
    /// clock could resolve.
    pub req_per_cpu_s: Option<Spread>,
    /// True when no repetition had enough server CPU to resolve: shown as
    /// "below resolution", not a number.
    pub cpu_below_resolution: bool,
    /// Server bytes per idle keep-alive connection held.
    pub bytes_per_idle_conn: Option<f64>,
    /// "1000 requested, 200 held: the server closed 800" when the server
    /// held fewer idle connections than asked for.
    pub idle_shortfall: Option<String>,
    /// Errors over all repetitions.
    pub errors: u64,
    /// Requests over all repetitions.
    pub requests: u64,
    /// Failed ÷ attempted requests over all repetitions.
    pub error_rate: Option<f64>,
    /// Error kinds and counts over all repetitions, most frequent first.
    pub error_kinds: String,
}

impl Summary {
    /// `Some("generator-bound")`, `Some("scenario-bound")` or
    /// `Some("contended")` when the figures are not the server's (most repetitions were not server-bound);
    /// charts hatch these and rankings list them below the ranked ones.
    pub fn limited(&self) -> Option<&'static str> {
        self.bound.mark()
    }

    /// `Some("3.2 % errors")` when more than 1 % of the requests failed.
    pub fn error_flag(&self) -> Option<String> {
        self.error_rate.and_then(errors::flag)
    }
}

/// One scenario × server result with its series and summary.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Index into [`ReportData::series`].
    pub series: usize,
    /// Index into [`ReportData::runs`].
    pub run: usize,
    /// The result as read.
    pub result: ServerRunResult,
    /// Figures folded over repetitions.
    pub summary: Summary,
}

impl Entry {
    /// The repetition whose throughput is the median: the one timelines show.
    pub fn median_repetition(&self) -> Option<&Repetition> {
        let mut reps: Vec<&Repetition> = self.result.repetitions.iter().collect();
        reps.sort_by(|a, b| a.load.throughput_rps.total_cmp(&b.load.throughput_rps));
        reps.get(reps.len().saturating_sub(1) / 2).copied()
    }

    /// The label to draw for this entry, with its marks appended.
    pub fn marked_label(&self, series: &Series) -> String {
        let mut label = series.label.clone();
        if let Some(mark) = self.summary.state.mark() {
            label.push_str(&format!(" [{mark}]"));
        }
        if let Some(mark) = self.summary.limited() {
            label.push_str(&format!(" [{mark}]"));
        }
        label
    }
}

/// Everything a report draws from.
#[derive(Debug, Clone)]
pub struct ReportData {
    /// The runs, in command-line order.
    pub runs: Vec<RunInfo>,
    /// Scenario names in order of first appearance.
    pub scenarios: Vec<String>,
    /// Series (servers), sorted by tier (when both are present), then label.
    pub series: Vec<Series>,
    /// Results, grouped by scenario then series order.
    pub entries: Vec<Entry>,
}

impl ReportData {
    /// Reads every folder or file in `inputs`.
    pub fn load(inputs: &[PathBuf]) -> Result<ReportData, Error> {
        if inputs.is_empty() {
            return Err(Error::NoInput);
        }
        let mut runs = Vec::new();
        let mut raw: Vec<(usize, ServerRunResult)> = Vec::new();
        for input in inputs {
            let (info, results) = read_input(input)?;
            let idx = runs.len();
            runs.push(info);
            raw.extend(results.into_iter().map(|r| (idx, r)));
        }
        Ok(Self::from_results(runs, raw))
    }

    /// Builds the report model from results already read.
    pub fn from_results(runs: Vec<RunInfo>, raw: Vec<(usize, ServerRunResult)>) -> ReportData {
        let several = runs.len() > 1;
        // A report over both tiers (issue 12) labels every server with its
        // tier, e.g. `rust-axum [framework]`, and groups the series (so the
        // tables' and the matrix's rows) stdlib first, then framework.
        let mixed = raw
            .iter()
            .any(|(_, r)| r.server.tier != raw[0].1.server.tier);
        let label_of = |run: usize, r: &ServerRunResult| {
            let name = if mixed {
                format!("{} [{}]", r.server.name, r.server.tier)
            } else {
                r.server.name.clone()
            };
            if several {
                format!("{name} (run {})", run + 1)
            } else {
                name
            }
        };
        let mut labels: Vec<(crate::servers::Tier, String, String)> = raw
            .iter()
            .map(|(run, r)| {
                let language = r.server.language.clone();
                (r.server.tier, label_of(*run, r), language)
            })
            .collect();
        labels.sort();
        labels.dedup_by(|a, b| a.1 == b.1);
        let labels: Vec<(String, String)> = labels.into_iter().map(|(_, l, g)| (l, g)).collect();
        let series = assign_colors(&labels);
        let mut scenarios: Vec<String> = Vec::new();
        for (_, r) in &raw {
            if !scenarios.contains(&r.scenario.name) {
                scenarios.push(r.scenario.name.clone());
            }
        }
        let mut entries: Vec<Entry> = raw
            .into_iter()
            .map(|(run, result)| {
                let label = label_of(run, &result);
                let series_idx = series.iter().position(|s| s.label == label).unwrap_or(0);
                let summary = summarize(&result);
                Entry {
                    series: series_idx,
                    run,
                    result,
                    summary,
                }
            })
            .collect();
        entries.sort_by_key(|e| {
            (
                scenarios
                    .iter()
                    .position(|s| *s == e.result.scenario.name)
                    .unwrap_or(usize::MAX),
                e.series,
            )
        });
        ReportData {
            runs,
            scenarios,
            series,
            entries,
        }
    }

    /// The entries of one scenario, in series order.
    pub fn scenario_entries<'a>(&'a self, scenario: &'a str) -> impl Iterator<Item = &'a Entry> {
        self.entries
            .iter()
            .filter(move |e| e.result.scenario.name == scenario)
    }

    /// True when some server of `scenario` ran repetitions (a capacity
    /// search replaces them): the repetition charts, the ranking and the
    /// matrix have something to show.
    pub fn has_repetitions(&self, scenario: &str) -> bool {
        self.scenario_entries(scenario)
            .any(|e| !e.result.repetitions.is_empty())
    }

    /// A title for the report: the run id, or the run ids joined.
    pub fn title(&self) -> String {
        let ids: Vec<&str> = self.runs.iter().map(|r| r.run_id.as_str()).collect();
        ids.join(" vs ")
    }
}

/// Colours by language (the runtimes Gauntlet ships), then a palette for the rest.
const PALETTE: [RGBColor; 10] = [
    RGBColor(0xF2, 0x8E, 0x2B), // orange: Rust
    RGBColor(0x17, 0x9E, 0xC8), // cyan: Go
    RGBColor(0xE1, 0x57, 0x59), // red: Java
    RGBColor(0x59, 0xA1, 0x4F), // green: JavaScript
    RGBColor(0x4E, 0x79, 0xA7), // blue: Python
    RGBColor(0xB0, 0x7A, 0xA1), // purple
    RGBColor(0x9C, 0x75, 0x5F), // brown
    RGBColor(0xD4, 0xA6, 0x0A), // ochre
    RGBColor(0xFF, 0x7F, 0xA0), // pink
    RGBColor(0x6B, 0x6B, 0x6B), // grey
];

fn preferred_slot(language: &str) -> Option<usize> {
    match language.to_ascii_lowercase().as_str() {
        "rust" => Some(0),
        "go" => Some(1),
        "java" | "kotlin" => Some(2),
        "javascript" | "typescript" | "node.js" => Some(3),
        "python" => Some(4),
        _ => None,
    }
}

fn assign_colors(labels: &[(String, String)]) -> Vec<Series> {
    let mut used = [false; PALETTE.len()];
    let mut slots: Vec<Option<usize>> = vec![None; labels.len()];
    for (i, (_, language)) in labels.iter().enumerate() {
        if let Some(slot) = preferred_slot(language).filter(|s| !used[*s]) {
            used[slot] = true;
            slots[i] = Some(slot);
        }
    }
    let mut next = 0;
    labels
        .iter()
        .zip(slots)
        .map(|((label, _), slot)| {
            let slot = slot.unwrap_or_else(|| {
                while next < PALETTE.len() && used[next] {
                    next += 1;
                }
                let s = next % PALETTE.len();
                if next < PALETTE.len() {
                    used[next] = true;
                }
                next += 1;
                s
            });
            Series {
                label: label.clone(),
                color: PALETTE[slot],
            }
        })
        .collect()
}

/// A stored histogram through the one decoder ([`crate::record::decode_histogram`]);
/// `None` when absent or unreadable, so a corrupt one leaves its chart out.
fn histogram(encoded: &str) -> Option<Histogram<u64>> {
    crate::record::decode_histogram(encoded).ok()
}

fn merge(hists: impl Iterator<Item = Option<Histogram<u64>>>) -> Option<Histogram<u64>> {
    let mut merged: Option<Histogram<u64>> = None;
    for h in hists.flatten() {
        match merged.as_mut() {
            None => merged = Some(h),
            Some(m) => {
                if m.add(&h).is_err() {
                    return None;
                }
            }
        }
    }
    merged.filter(|h| !h.is_empty())
}

fn summarize(result: &ServerRunResult) -> Summary {
    let reps = &result.repetitions;
    let state = match &result.status {
        RunStatus::Ok => State::Ok,
        RunStatus::Failed { reason, .. } => State::Failed(reason.clone()),
        RunStatus::Interrupted => State::Interrupted,
        RunStatus::Skipped { reason } => State::Skipped(reason.clone()),
    };
    let tput: Vec<f64> = reps.iter().map(|r| r.load.throughput_rps).collect();
    let servers: Vec<_> = reps.iter().filter_map(|r| r.server.as_ref()).collect();
    let idle: Vec<f64> = servers.iter().map(|s| s.idle_rss_bytes as f64).collect();
    let peak: Vec<f64> = servers.iter().map(|s| s.peak_rss_bytes as f64).collect();
    let rpc: Vec<f64> = servers
        .iter()
        .filter_map(|s| s.requests_per_cpu())
        .filter(|v| v.is_finite() && *v > 0.0)
        .collect();
    Summary {
        state,
        throughput: Spread::of(&tput),
        latency: merge(reps.iter().map(|r| histogram(&r.load.latency.histogram))),
        service_time: merge(
            reps.iter()
                .map(|r| histogram(&r.load.service_time.histogram)),
        ),
        corrected: reps.iter().any(|r| r.load.corrected),
        bound: Tally::of(result),
        idle_rss: median(&idle).map(|v| v.round() as u64),
        peak_rss: median(&peak).map(|v| v.round() as u64),
        req_per_cpu_s: Spread::of(&rpc),
        cpu_below_resolution: !servers.is_empty() && servers.iter().all(|s| s.cpu_below_resolution),
        bytes_per_idle_conn: result
            .idle_connections
            .as_ref()
            .filter(|c| c.held_count() > 0)
            .map(|c| c.bytes_per_connection),
        idle_shortfall: result.idle_connections.as_ref().and_then(|c| c.shortfall()),
        errors: reps
            .iter()
            .map(|r| r.load.errors.values().sum::<u64>())
            .sum(),
        requests: reps.iter().map(|r| r.load.requests).sum(),
        error_rate: errors::run_error_rate(reps),
        error_kinds: errors::kinds(&errors::run_kinds(reps)),
    }
}

/// Reads one input through the results reader ([`RunFolder::open_any`]: a
/// run folder, a folder of results without a manifest, or one result file),
/// which checks the schema version and lists corrupt files instead of
/// failing on them.
fn read_input(input: &Path) -> Result<(RunInfo, Vec<ServerRunResult>), Error> {
    if !input.exists() {
        return Err(Error::Missing {
            path: input.to_path_buf(),
        });
    }
    let mut folder = RunFolder::open_any(input)?;
    let results = std::mem::take(&mut folder.results);
    let manifest = &folder.manifest;
    let info = RunInfo {
        run_id: manifest.run_id.clone(),
        source: folder.path.clone(),
        environment: manifest.environment.clone(),
        // A folder without a manifest does not say when its run began; a
        // single result file says when its first repetition did.
        started_at: Some(manifest.started_at.clone())
            .filter(|s| folder.has_manifest || (input.is_file() && !s.is_empty())),
        interrupted: manifest.interrupted,
        missing: folder.missing.clone(),
        unreadable: folder.unreadable.clone(),
        folder,
    };
    Ok((info, results))
}

/// The entries of `scenario` ranked by median throughput (the figure the
/// table of `gauntlet run` shows), fastest first. Only server-bound results
/// (or those nothing classifies) with figures get a rank (1 = fastest);
/// generator- or scenario-bound ones follow, unranked, fastest first, since
/// their throughput is not the server's; failed, skipped or interrupted ones
/// and those without figures come last.
pub fn ranking<'a>(data: &'a ReportData, scenario: &'a str) -> Vec<(Option<usize>, &'a Entry)> {
    let mut ranked: Vec<&Entry> = Vec::new();
    let mut bounded: Vec<&Entry> = Vec::new();
    let mut unranked: Vec<&Entry> = Vec::new();
    for e in data.scenario_entries(scenario) {
        if e.summary.state != State::Ok || e.summary.throughput.is_none() {
            unranked.push(e);
        } else if e.summary.limited().is_some() {
            bounded.push(e);
        } else {
            ranked.push(e);
        }
    }
    let fastest_first = |a: &&Entry, b: &&Entry| {
        let t = |e: &Entry| e.summary.throughput.map(|t| t.median).unwrap_or(0.0);
        t(b).total_cmp(&t(a))
    };
    ranked.sort_by(fastest_first);
    bounded.sort_by(fastest_first);
    ranked
        .into_iter()
        .enumerate()
        .map(|(i, e)| (Some(i + 1), e))
        .chain(bounded.into_iter().chain(unranked).map(|e| (None, e)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spread_of_repetitions_is_the_median_with_min_and_max() {
        let s = Spread::of(&[9.0, 30.0, 10.0]).unwrap();
        assert_eq!((s.median, s.min, s.max, s.n), (10.0, 9.0, 30.0, 3));
        let even = Spread::of(&[4.0, 1.0, 3.0, 2.0]).unwrap();
        assert_eq!((even.median, even.n), (2.5, 4));
        let one = Spread::of(&[5.0]).unwrap();
        assert_eq!((one.median, one.min, one.max, one.n), (5.0, 5.0, 5.0, 1));
        let odd = Spread::of(&[f64::NAN, 7.0, f64::INFINITY]).unwrap();
        assert_eq!((odd.median, odd.n), (7.0, 1), "non-finite values left out");
        assert!(Spread::of(&[]).is_none());
        assert!(Spread::of(&[f64::NAN]).is_none());
    }

    #[test]
    fn known_languages_keep_their_colour_and_others_get_distinct_ones() {
        let series = assign_colors(&[
            ("a-server".into(), "Zig".into()),
            ("go-nethttp".into(), "Go".into()),
            ("rust-hyper (run 1)".into(), "Rust".into()),
            ("rust-hyper (run 2)".into(), "Rust".into()),
        ]);
        assert_eq!(series[1].color, PALETTE[1]);
        assert_eq!(series[2].color, PALETTE[0]);
        let mut colours: Vec<_> = series.iter().map(|s| s.color).collect();
        colours.dedup();
        let unique: std::collections::HashSet<_> =
            colours.iter().map(|c| (c.0, c.1, c.2)).collect();
        assert_eq!(unique.len(), 4, "every series has its own colour");
    }
}
