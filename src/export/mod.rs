//! CI-native outputs, written from figures Gauntlet already holds: CSV for
//! spreadsheets and dashboards (`bench --csv`, `run --csv`) and JUnit XML
//! for the test views of CI systems (`run --junit`, `compare --junit`).
//! Nothing here measures or decides: each writer lays out rows, thresholds
//! or verdicts computed elsewhere.

pub mod csv;
pub mod junit;

use std::path::{Path, PathBuf};

/// Why an export could not be laid out or written. Laying out text in memory
/// cannot really fail (the variants exist because the libraries' signatures
/// say so); writing can, on a full disk or a missing permission. Neither is
/// the user's input: always exit 1.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The file could not be written.
    #[error("writing {flag} {path}")]
    Write {
        /// The flag that asked for it, e.g. `--csv`.
        flag: String,
        /// The file.
        path: PathBuf,
        /// The system's reason.
        #[source]
        source: std::io::Error,
    },
    /// A CSV record could not be laid out.
    #[error(transparent)]
    Csv(#[from] ::csv::Error),
    /// The CSV writer could not hand back its buffer (the csv crate's
    /// `IntoInnerError`, kept as its message: it holds the whole writer).
    #[error("{0}")]
    CsvBuffer(String),
    /// The CSV was not UTF-8 (it is built from `String`s, so it is).
    #[error(transparent)]
    Utf8(#[from] std::string::FromUtf8Error),
    /// The JUnit XML could not be serialized.
    #[error(transparent)]
    Junit(#[from] quick_junit::SerializeError),
}

impl crate::exit::Classify for Error {
    fn is_input(&self) -> bool {
        false
    }
}

/// Writes `text` to `path` for the flag `flag` (e.g. `--csv`), naming both
/// when it cannot; through [`crate::results::write_atomic`], like every other
/// file Gauntlet writes, so a full disk leaves no half-written file.
pub fn write(path: &Path, flag: &str, text: &str) -> Result<(), Error> {
    crate::results::write_atomic(path, text.as_bytes()).map_err(|source| Error::Write {
        flag: flag.to_string(),
        path: path.to_path_buf(),
        source,
    })
}
