//! Comparison of runs: statistics over repetitions ([`crate::stats`]), noise-aware
//! verdicts per metric ([`verdict`]), the comparability guard and reading of
//! run folders ([`runs`], read by [`crate::results::RunFolder`]), named baselines ([`baseline`]), the terminal,
//! Markdown and JSON outputs ([`output`]). Compare reads only result files,
//! never a live run.
//!
//! `gauntlet run --baseline` calls [`compare_runs`] and [`Comparison`]'s
//! methods; `gauntlet run --save-baseline` calls [`save_baseline`].

pub mod baseline;
pub mod error;
pub mod metrics;
pub mod output;
pub mod runs;
pub mod verdict;

use std::path::{Path, PathBuf};

use serde::Serialize;

pub use baseline::{resolve_baseline, save_baseline};
pub use error::Error;
pub use metrics::{CompareMetric, CompareOptions};
pub use verdict::{MetricComparison, Verdict};

use crate::results::RunFolder;

/// The comparison of one scenario × server present in both runs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EntryComparison {
    /// Scenario name.
    pub scenario: String,
    /// Server name.
    pub server: String,
    /// Remarks, e.g. a server that failed or was skipped in one run.
    pub notes: Vec<String>,
    /// The baseline result's warnings.
    pub baseline_warnings: Vec<crate::results::Warning>,
    /// The current result's warnings.
    pub current_warnings: Vec<crate::results::Warning>,
    /// One comparison per metric that either run measured.
    pub metrics: Vec<MetricComparison>,
}

/// How many metrics got each verdict.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct VerdictCounts {
    /// Improved.
    pub improved: usize,
    /// Regressed.
    pub regressed: usize,
    /// No change.
    pub no_change: usize,
    /// Not enough samples.
    pub not_enough_samples: usize,
}

/// A whole comparison of a current run against a baseline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// The baseline folder.
    pub baseline: PathBuf,
    /// The current run folder.
    pub current: PathBuf,
    /// The baseline's run id.
    pub baseline_run_id: String,
    /// The current run's id.
    pub current_run_id: String,
    /// True when the environments differ: every verdict is then cross-machine
    /// and says as much about the machines as about the code.
    pub cross_machine: bool,
    /// What differs between the environments, one item each.
    pub environment_differences: Vec<String>,
    /// Scenario × server pairs present in both runs.
    pub entries: Vec<EntryComparison>,
    /// `scenario / server` pairs only the baseline has.
    pub only_in_baseline: Vec<String>,
    /// `scenario / server` pairs only the current run has.
    pub only_in_current: Vec<String>,
    /// Thresholds that failed in the current run, as `scenario / server: expression`.
    pub failed_thresholds: Vec<String>,
    /// Result files of either run that could not be read, as `path: reason`
    /// (the rest was compared).
    pub unreadable: Vec<String>,
    /// Verdict counts over every metric.
    pub counts: VerdictCounts,
    /// The options the verdicts were reached with.
    pub options: CompareOptions,
}

impl Comparison {
    /// True when any metric regressed.
    pub fn has_regression(&self) -> bool {
        self.counts.regressed > 0
    }

    /// Every metric comparison with its scenario and server.
    pub fn metrics(&self) -> impl Iterator<Item = (&EntryComparison, &MetricComparison)> {
        self.entries
            .iter()
            .flat_map(|e| e.metrics.iter().map(move |m| (e, m)))
    }
}

/// Compares the run in `current` against the run (or saved baseline folder)
/// in `baseline`. Input problems (missing folder, not a result folder, schema
/// version mismatch) are input errors: exit code 2.
pub fn compare_runs(
    baseline: &Path,
    current: &Path,
    opts: &CompareOptions,
) -> Result<Comparison, Error> {
    let base = RunFolder::open(baseline)?;
    let cur = RunFolder::open(current)?;
    let environment_differences = runs::environment_differences(&base, &cur);
    let key =
        |r: &crate::results::ServerRunResult| (r.scenario.name.clone(), r.server.name.clone());
    let mut entries = Vec::new();
    let mut only_in_current = Vec::new();
    let mut counts = VerdictCounts::default();
    for current_result in &cur.results {
        let (scenario, server) = key(current_result);
        let Some(base_result) = base
            .results
            .iter()
            .find(|b| key(b) == (scenario.clone(), server.clone()))
        else {
            only_in_current.push(format!("{scenario} / {server}"));
            continue;
        };
        let mut notes = Vec::new();
        if let Some(note) = runs::status_note(&base_result.status) {
            notes.push(format!("baseline {note}"));
        }
        if let Some(note) = runs::status_note(&current_result.status) {
            notes.push(format!("current {note}"));
        }
        for (side, result) in [("baseline", base_result), ("current", current_result)] {
            let skipped = metrics::below_resolution(result);
            if skipped > 0 {
                notes.push(format!(
                    "{side}: requests_per_cpu_s below resolution in {skipped} of {} repetitions \
                     (too little server CPU to measure; those are skipped)",
                    result.repetitions.len()
                ));
            }
        }
        let mut metrics = Vec::new();
        for metric in CompareMetric::ALL {
            let (b, c) = (metric.samples(base_result), metric.samples(current_result));
            if b.is_empty() && c.is_empty() {
                continue;
            }
            let cmp = verdict::compare_samples(metric, &b, &c, opts);
            match cmp.verdict {
                Verdict::Improved => counts.improved += 1,
                Verdict::Regressed => counts.regressed += 1,
                Verdict::NoChange => counts.no_change += 1,
                Verdict::NotEnoughSamples { .. } => counts.not_enough_samples += 1,
            }
            metrics.push(cmp);
        }
        entries.push(EntryComparison {
            scenario,
            server,
            notes,
            baseline_warnings: base_result.warnings.clone(),
            current_warnings: current_result.warnings.clone(),
            metrics,
        });
    }
    let only_in_baseline = base
        .results
        .iter()
        .filter(|b| !cur.results.iter().any(|c| key(c) == key(b)))
        .map(|b| format!("{} / {}", b.scenario.name, b.server.name))
        .collect();
    let failed_thresholds =
        cur.results
            .iter()
            .flat_map(|r| {
                r.thresholds.iter().filter(|t| !t.passed).map(move |t| {
                    format!("{} / {}: {}", r.scenario.name, r.server.name, t.expression)
                })
            })
            .collect();
    let unreadable = base.problems().into_iter().chain(cur.problems()).collect();
    Ok(Comparison {
        baseline: baseline.to_path_buf(),
        current: current.to_path_buf(),
        baseline_run_id: base.manifest.run_id,
        current_run_id: cur.manifest.run_id,
        cross_machine: !environment_differences.is_empty(),
        environment_differences,
        entries,
        only_in_baseline,
        only_in_current,
        failed_thresholds,
        unreadable,
        counts,
        options: opts.clone(),
    })
}

/// The default results root, under which `baselines/` lives.
pub const DEFAULT_RESULTS_ROOT: &str = "results";

/// What `gauntlet compare` is asked to do (the flags of `cli::CompareArgs`,
/// the noise thresholds already validated).
#[derive(Debug, Clone)]
pub struct CompareRequest {
    /// The baseline run folder, or the name of a baseline under `results_root`.
    pub baseline: PathBuf,
    /// The current run folder.
    pub current: PathBuf,
    /// Noise thresholds.
    pub options: CompareOptions,
    /// Folder holding `baselines/<name>/`.
    pub results_root: PathBuf,
    /// Write the comparison as Markdown here.
    pub markdown: Option<PathBuf>,
    /// Write the comparison as JSON here.
    pub json: Option<PathBuf>,
    /// Write JUnit XML here.
    pub junit: Option<PathBuf>,
}

/// Compares the runs; the caller prints [`Comparison::table`], then calls
/// [`write_outputs`], and decides what a regression means (`gauntlet
/// compare` exits 1). A missing folder or baseline is an input error.
pub fn run(args: &CompareRequest) -> Result<Comparison, Error> {
    let baseline = resolve_baseline(&args.baseline, &args.results_root)?;
    if !args.current.is_dir() {
        return Err(Error::NoCurrentFolder {
            path: args.current.clone(),
        });
    }
    compare_runs(&baseline, &args.current, &args.options)
}

/// Writes the files the request asks for (`--markdown`, `--json`,
/// `--junit`).
pub fn write_outputs(args: &CompareRequest, comparison: &Comparison) -> Result<(), Error> {
    if let Some(path) = &args.markdown {
        crate::results::write_atomic(path, comparison.to_markdown().as_bytes()).map_err(
            |source| Error::WriteMarkdown {
                path: path.clone(),
                source,
            },
        )?;
    }
    if let Some(path) = &args.json {
        crate::results::write_json_atomic(path, comparison)
            .map_err(|e| e.for_flag("--json", path))?;
    }
    if let Some(path) = &args.junit {
        crate::export::write(path, "--junit", &crate::export::junit::compare(comparison)?)?;
    }
    Ok(())
}
