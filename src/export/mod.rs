//! CI-native outputs, written from figures Gauntlet already holds: CSV for
//! spreadsheets and dashboards (`bench --csv`, `run --csv`) and JUnit XML
//! for the test views of CI systems (`run --junit`, `compare --junit`).
//! Nothing here measures or decides: each writer lays out rows, thresholds
//! or verdicts computed elsewhere.

pub mod csv;
pub mod junit;

use std::path::Path;

use anyhow::Context;

/// Writes `text` to `path` for the flag `flag` (e.g. `--csv`), naming both
/// when it cannot.
pub fn write(path: &Path, flag: &str, text: &str) -> anyhow::Result<()> {
    std::fs::write(path, text).with_context(|| format!("writing {flag} {}", path.display()))
}
