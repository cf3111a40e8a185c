//! `gauntlet merge`: the exact merge of sharded load runs. Reads the shards'
//! results one at a time ([`read`]), adds them ([`combine`]), refuses shards
//! of different plans, duplicate or missing indexes and other schema versions
//! (exit 2), lays out the usual summary with a per-shard table, evaluates
//! `--threshold`s on the merged figures (exit 1 when one fails) and writes the
//! merged `--json`, `--hlog` and, with `--out`, a result folder that
//! `gauntlet report` and `gauntlet compare` read like any run.

pub mod combine;
pub mod read;

use std::path::{Path, PathBuf};

pub use combine::{Merged, Merger};
pub use read::{read_shard, MergeError};

use crate::load::bench::{fmt_us, summary};
use crate::results::environment::{fingerprint, now_rfc3339};
use crate::results::{
    LoadReport, Repetition, RunManifest, RunStatus, ScenarioInfo, ServerInfo, ServerRunResult,
    ThresholdOutcome, SCHEMA_VERSION,
};
use crate::scenario::thresholds::Threshold;

/// What `gauntlet merge` is asked to do (see `cli::MergeArgs` for the
/// flags): the shards in index order, validated thresholds, and the outputs.
#[derive(Debug, Clone)]
pub struct MergeOptions {
    /// The shards' results (one per index, 0 to COUNT-1).
    pub shards: Vec<PathBuf>,
    /// Write the merged result as JSON to this file.
    pub json: Option<PathBuf>,
    /// Write the merged per-second histograms as an HdrHistogram log (.hlog).
    pub hlog: Option<PathBuf>,
    /// Write a result folder that `report` and `compare` read.
    pub out: Option<PathBuf>,
    /// Scenario name of the result in `out`.
    pub name: String,
    /// Thresholds evaluated on the merged figures.
    pub thresholds: Vec<Threshold>,
}

/// How a merge ended (the files are written either way).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MergeEnd {
    /// Merged and every threshold passed.
    Passed,
    /// A threshold failed on the merged figures.
    ThresholdFailed,
    /// At least one shard was interrupted.
    Interrupted,
}

/// Reads, checks and merges the shard files in order.
pub fn merge_files(paths: &[PathBuf], command_line: Vec<String>) -> Result<Merged, MergeError> {
    if paths.is_empty() {
        return Err(MergeError::NoInput);
    }
    let mut merger = Merger::new();
    for path in paths {
        merger.add(read_shard(path)?)?;
    }
    merger.finish(command_line)
}

/// A merge that succeeded: the merged figures and the result they make,
/// thresholds evaluated.
#[derive(Debug)]
pub struct MergeOutcome {
    /// The merged report and interval histograms.
    pub merged: Merged,
    /// The merged report as one scenario × server result, with `--threshold`
    /// outcomes.
    pub result: ServerRunResult,
}

impl MergeOutcome {
    /// What `gauntlet merge` prints: the usual summary, the shard table and
    /// a line per threshold.
    pub fn render(&self) -> String {
        format!(
            "{}{}{}",
            summary(&self.merged.report),
            shard_table(&self.merged.report),
            threshold_lines(&self.result.thresholds)
        )
    }

    /// How the merge ended: a failed threshold first, then an interrupted
    /// shard.
    pub fn end(&self) -> MergeEnd {
        if self.result.thresholds.iter().any(|t| !t.passed) {
            MergeEnd::ThresholdFailed
        } else if self.merged.report.interrupted {
            MergeEnd::Interrupted
        } else {
            MergeEnd::Passed
        }
    }
}

/// Merges the shards and evaluates the thresholds; the caller prints
/// [`MergeOutcome::render`], then calls [`write_outputs`]. Shards that
/// cannot be merged are an input error.
pub fn run(args: &MergeOptions, command_line: Vec<String>) -> Result<MergeOutcome, Error> {
    let merged = merge_files(&args.shards, command_line).map_err(Error::Merge)?;
    let mut result = as_server_run(&merged.report, &args.name);
    result.thresholds = args
        .thresholds
        .iter()
        .map(|t| t.evaluate(&result))
        .collect();
    Ok(MergeOutcome { merged, result })
}

/// Writes the merged `--json`, `--hlog` and `--out` folder.
pub fn write_outputs(args: &MergeOptions, outcome: &MergeOutcome) -> Result<(), Error> {
    let merged = &outcome.merged;
    if let Some(path) = &args.json {
        crate::results::write_json_atomic(path, &merged.report)
            .map_err(|e| e.for_flag("--json", path))?;
    }
    if let Some(path) = &args.hlog {
        let comment = format!(
            "gauntlet {} merge of {} shards, {}",
            env!("CARGO_PKG_VERSION"),
            args.shards.len(),
            merged.report.target
        );
        crate::record::hlog::write_hlog(path, merged.measure_started, &merged.intervals, &comment)?;
    }
    if let Some(dir) = &args.out {
        write_folder(dir, &outcome.result)?;
    }
    Ok(())
}

/// Why a merge could not be made or written.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The shards cannot be merged (its message names the file or index):
    /// the user's input, exit 2.
    #[error("{0}")]
    Merge(MergeError),
    /// `--hlog` could not be written.
    #[error(transparent)]
    Hlog(#[from] crate::record::hlog::HlogError),
    /// `--json`, the `--out` folder or a file in it could not be written
    /// (the message names the flag when the user's path is not the file's).
    #[error(transparent)]
    Write(#[from] crate::results::WriteError),
}

impl crate::exit::Classify for Error {
    fn is_input(&self) -> bool {
        match self {
            Error::Merge(_) => true,
            Error::Write(_) | Error::Hlog(_) => false,
        }
    }
}

/// The merged result as a server run with one repetition (the target is not
/// supervised: no server figures), as `report` and `compare` read it.
pub fn as_server_run(report: &LoadReport, scenario: &str) -> ServerRunResult {
    let environment = fingerprint(Default::default());
    let shards = report.merged.as_ref().map_or(1, |m| m.count);
    ServerRunResult {
        schema_version: SCHEMA_VERSION,
        run_id: crate::results::environment::run_id(scenario),
        scenario: ScenarioInfo {
            name: scenario.to_string(),
            file: String::new(),
            description: format!("{} merged from {shards} shards", report.target),
        },
        server: ServerInfo {
            name: "target".into(),
            language: String::new(),
            runtime: String::new(),
            runtime_version: String::new(),
            concurrency_model: String::new(),
            tier: Default::default(),
        },
        environment,
        status: if report.interrupted {
            RunStatus::Interrupted
        } else {
            RunStatus::Ok
        },
        build: None,
        startup: None,
        idle_connections: None,
        repetitions: vec![Repetition {
            index: 1,
            load: report.clone(),
            server: None,
            bound: None,
        }],
        thresholds: Vec::new(),
        server_cpus: Vec::new(),
        loadgen_cpus: Vec::new(),
        warmup: None,
        warnings: Vec::new(),
        capacity: None,
        footprint: None,
        fd_limit: None,
    }
}

fn write_folder(dir: &Path, result: &ServerRunResult) -> Result<(), Error> {
    let manifest = RunManifest {
        schema_version: SCHEMA_VERSION,
        run_id: dir
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_else(|| result.run_id.clone()),
        started_at: result
            .repetitions
            .first()
            .map(|r| r.load.started_at.clone())
            .unwrap_or_else(now_rfc3339),
        finished_at: None,
        command_line: std::env::args().collect(),
        scenario_files: Vec::new(),
        environment: result.environment.clone(),
        results: Vec::new(),
        interrupted: false,
    };
    let mut result = result.clone();
    result.run_id = manifest.run_id.clone();
    let mut folder =
        crate::results::RunWriter::create(dir, manifest).map_err(|e| e.for_flag("--out", dir))?;
    folder.write_result(&result)?;
    folder.finish(matches!(result.status, RunStatus::Interrupted))?;
    Ok(())
}

/// The per-shard table: rate, achieved throughput, CPU, start skew.
pub fn shard_table(report: &LoadReport) -> String {
    let Some(m) = &report.merged else {
        return String::new();
    };
    let mut out = format!(
        "  shards    {} of plan {}{}\n",
        m.count,
        m.plan_fingerprint,
        m.start_at
            .as_ref()
            .map(|s| format!(", started at {s}"))
            .unwrap_or_default()
    );
    out.push_str(
        "    index  host                  rate/s   conns    requests   achieved/s  errors   CPU s   CPU %  skew\n",
    );
    for r in &m.shards {
        out.push_str(&format!(
            "    {:>5}  {:<20} {:>7} {:>7} {:>11} {:>12.1} {:>7} {:>7.2} {:>6.0}%  {}{}\n",
            r.index,
            truncate(&r.host, 20),
            r.rate_rps.map_or("-".into(), |x| format!("{x}")),
            r.connections,
            r.requests,
            r.throughput_rps,
            r.errors,
            r.cpu_s,
            r.cpu_utilization * 100.0,
            fmt_us((r.start_skew_ms * 1000.0).round() as u64),
            if r.generator_limited {
                "  generator-limited"
            } else {
                ""
            }
        ));
    }
    out
}

fn truncate(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

fn threshold_lines(outcomes: &[ThresholdOutcome]) -> String {
    outcomes
        .iter()
        .map(|t| {
            format!(
                "  threshold {}: {} (observed {})\n",
                t.expression,
                if t.passed { "passed" } else { "FAILED" },
                if t.observed.is_nan() {
                    "nothing: a merged load result has no server figures".to_string()
                } else if t.metric.starts_with('p') || t.metric == "max" {
                    fmt_us(t.observed.round() as u64)
                } else {
                    format!("{:.4}", t.observed)
                }
            )
        })
        .collect()
}
