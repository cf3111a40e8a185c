//! Reading shard results for the merge: a `bench --json` file, or a log
//! (`kubectl logs` of one Job index) holding the JSON between the marker
//! lines. Checks the schema version (through the results reader's one
//! check, [`check_schema_version`]) before anything else is read.

use std::path::{Path, PathBuf};

use crate::load::shard::{BEGIN_MARKER, END_MARKER};
use crate::results::read::check_schema_version;
use crate::results::{LoadReport, ReadError, ShardRecord};

/// Why the shards could not be merged. Every variant is an input error
/// (exit 2) and names the file(s) or index(es) concerned.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    /// A file could not be read.
    #[error("{path}: cannot read it ({reason})")]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },
    /// A file is neither a result JSON nor a log holding one.
    #[error("{path}: {reason}; expected the --json of `gauntlet bench --shard I/N`, or a log with the result between {BEGIN_MARKER:?} and {END_MARKER:?}")]
    NotAResult {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// A file was written with another schema version.
    #[error("{path} has schema version {found}, this gauntlet reads version {expected}: merge shards written by the same gauntlet version")]
    SchemaMismatch {
        /// The file.
        path: PathBuf,
        /// Its version.
        found: u64,
        /// The version this build reads.
        expected: u32,
    },
    /// A result that is not a shard.
    #[error("{path} is not a shard result (it has no `shard` record): run each part with `gauntlet bench --shard INDEX/COUNT`")]
    NotAShard {
        /// The file.
        path: PathBuf,
    },
    /// Shards of different plans.
    #[error("{path} is a shard of a different plan than {first}: {what}; every shard must run the same URL, rate, connections, duration, warmup, timeout and request with the same --shard COUNT")]
    DifferentPlan {
        /// The file that differs.
        path: PathBuf,
        /// The first file read.
        first: PathBuf,
        /// What differs.
        what: String,
    },
    /// One index given twice.
    #[error("shard index {index} appears twice: {first} and {second}")]
    DuplicateIndex {
        /// The index.
        index: u32,
        /// The first file with it.
        first: PathBuf,
        /// The second.
        second: PathBuf,
    },
    /// Indexes missing.
    #[error("missing shard index(es) {missing} of {count}: give every shard's result (indexes 0 to {last})")]
    MissingIndexes {
        /// The missing indexes, comma-separated.
        missing: String,
        /// The shard count.
        count: u32,
        /// count − 1.
        last: u32,
    },
    /// A stored histogram could not be decoded.
    #[error("{path}: {what} could not be decoded ({reason})")]
    BadHistogram {
        /// The file.
        path: PathBuf,
        /// Which histogram.
        what: String,
        /// Why.
        reason: String,
    },
    /// No file given.
    #[error("no shard result given: gauntlet merge SHARD.json...")]
    NoInput,
}

/// One shard result read back: its report and its shard record.
#[derive(Debug)]
pub struct ShardFile {
    /// Where it came from.
    pub path: PathBuf,
    /// The result (with `shard` taken out).
    pub report: LoadReport,
    /// The shard record.
    pub shard: ShardRecord,
}

/// The JSON text of a file: the whole file, or the part between the markers.
fn json_text<'a>(path: &Path, text: &'a str) -> Result<&'a str, MergeError> {
    let trimmed = text.trim_start();
    if trimmed.starts_with('{') {
        return Ok(trimmed);
    }
    let begin = text
        .find(BEGIN_MARKER)
        .ok_or_else(|| MergeError::NotAResult {
            path: path.to_path_buf(),
            reason: "it is not JSON and holds no result marker".into(),
        })?;
    let after = &text[begin + BEGIN_MARKER.len()..];
    let end = after
        .find(END_MARKER)
        .ok_or_else(|| MergeError::NotAResult {
            path: path.to_path_buf(),
            reason: "the result marker is not closed (was the log cut short?)".into(),
        })?;
    Ok(after[..end].trim())
}

/// Reads one shard result, checking its schema version first.
pub fn read_shard(path: &Path) -> Result<ShardFile, MergeError> {
    let text = std::fs::read_to_string(path).map_err(|e| MergeError::Unreadable {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    let json = json_text(path, &text)?;
    let value: serde_json::Value =
        serde_json::from_str(json).map_err(|e| MergeError::NotAResult {
            path: path.to_path_buf(),
            reason: format!("not valid JSON ({e})"),
        })?;
    check_schema_version(path, &value).map_err(|e| match e {
        ReadError::SchemaMismatch {
            path,
            found,
            expected,
        } => MergeError::SchemaMismatch {
            path,
            found,
            expected,
        },
        other => MergeError::NotAResult {
            path: path.to_path_buf(),
            reason: match other {
                ReadError::NotAResult { .. } => "no schema_version field".into(),
                other => other.to_string(),
            },
        },
    })?;
    let mut report: LoadReport =
        serde_json::from_value(value).map_err(|e| MergeError::NotAResult {
            path: path.to_path_buf(),
            reason: format!("not a bench result ({e})"),
        })?;
    let shard = report.shard.take().ok_or_else(|| MergeError::NotAShard {
        path: path.to_path_buf(),
    })?;
    Ok(ShardFile {
        path: path.to_path_buf(),
        report,
        shard,
    })
}

/// The first difference between two shards' plans, in words, or `None` when
/// they are shards of the same plan.
pub fn plan_difference(a: &ShardFile, b: &ShardFile) -> Option<String> {
    if a.shard.count != b.shard.count {
        return Some(format!(
            "--shard COUNT {} vs {}",
            a.shard.count, b.shard.count
        ));
    }
    if a.report.target != b.report.target {
        return Some(format!("target {} vs {}", a.report.target, b.report.target));
    }
    if a.shard.plan_rate_rps != b.shard.plan_rate_rps {
        return Some(format!(
            "rate {:?} vs {:?}",
            a.shard.plan_rate_rps, b.shard.plan_rate_rps
        ));
    }
    if a.shard.plan_connections != b.shard.plan_connections {
        return Some(format!(
            "connections {} vs {}",
            a.shard.plan_connections, b.shard.plan_connections
        ));
    }
    if a.report.duration_s != b.report.duration_s {
        return Some(format!(
            "duration {}s vs {}s",
            a.report.duration_s, b.report.duration_s
        ));
    }
    if a.shard.plan_fingerprint != b.shard.plan_fingerprint {
        return Some(format!(
            "plan fingerprint {} vs {}",
            a.shard.plan_fingerprint, b.shard.plan_fingerprint
        ));
    }
    None
}
