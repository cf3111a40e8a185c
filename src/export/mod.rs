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
/// when it cannot; through [`crate::results::write_atomic`], like every other
/// file Gauntlet writes, so a full disk leaves no half-written file.
pub fn write(path: &Path, flag: &str, text: &str) -> anyhow::Result<()> {
    crate::results::write_atomic(path, text.as_bytes())
        .with_context(|| format!("writing {flag} {}", path.display()))
}
