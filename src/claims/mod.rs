//! `gauntlet claims`: turns the quantitative claims articles make about
//! runtimes (claims/claims.toml, see claims/README.md) into verdicts measured
//! on the machine at hand. The claims file ([`mod@file`]) holds one predicate per
//! claim in a small grammar ([`predicate`]) over the metrics of [`metric`];
//! [`evaluate()`] reads result folders (through [`RunFolder`], the one reader of
//! result folders, which checks the schema version) and judges each claim's interval; [`output`] lays it out (text, Markdown, JSON).
//! Verdicts are findings, not failures: the command exits 0 once it has
//! evaluated, 2 on bad input.

pub mod evaluate;
pub mod file;
pub mod format;
pub mod metric;
pub mod output;
pub mod predicate;

pub use evaluate::{evaluate, ClaimResult, Evaluation, Verdict};
pub use file::{ClaimsFile, ClaimsFileError};

use crate::results::RunFolder;
use crate::servers::registry::Registry;

/// What `gauntlet claims` is asked to do (the flags of `cli::ClaimsArgs`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimsOptions {
    /// Result folders; for the same scenario and server a later one wins.
    pub results: Vec<std::path::PathBuf>,
    /// The claims file.
    pub claims: std::path::PathBuf,
    /// Write the verdicts as JSON here.
    pub json: Option<std::path::PathBuf>,
    /// Write the verdicts as a Markdown table here.
    pub markdown: Option<std::path::PathBuf>,
}

/// Reads the claims file and the result folders and evaluates every claim;
/// the caller prints [`output::text`], then calls [`write_outputs`]. A bad
/// claims file or result folder is an input error.
pub fn run(args: &ClaimsOptions) -> Result<Evaluation, Error> {
    // Server names are checked against the reference servers when Gauntlet
    // runs inside its repository; elsewhere a misspelt server shows up as
    // missing (inconclusive) instead.
    let registry = Registry::discover().ok();
    let names = registry.as_ref().map(Registry::names);
    let file = ClaimsFile::load(&args.claims, names.as_deref()).map_err(Error::File)?;
    let folders = args
        .results
        .iter()
        .map(|p| RunFolder::open(p))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(evaluate(&file, &folders))
}

/// Writes `--json` and `--markdown` of an evaluation.
pub fn write_outputs(args: &ClaimsOptions, evaluation: &Evaluation) -> Result<(), Error> {
    let write = |path: &std::path::Path, text: String| {
        std::fs::write(path, text).map_err(|source| Error::Write {
            path: path.to_path_buf(),
            source,
        })
    };
    if let Some(path) = &args.json {
        write(path, output::json(evaluation)?)?;
    }
    if let Some(path) = &args.markdown {
        write(path, output::markdown(evaluation))?;
    }
    Ok(())
}

/// Why the claims could not be evaluated or their files written.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The claims file is unreadable or invalid (its message names the file,
    /// the claim and the key).
    #[error("{0}")]
    File(ClaimsFileError),
    /// A result folder is not readable as results.
    #[error(transparent)]
    Read(#[from] crate::results::ReadError),
    /// The evaluation could not be serialized for `--json`.
    #[error(transparent)]
    Json(#[from] serde_json::Error),
    /// `--json` or `--markdown` could not be written.
    #[error("writing {path}")]
    Write {
        /// The file.
        path: std::path::PathBuf,
        /// The system's reason.
        #[source]
        source: std::io::Error,
    },
}

impl crate::exit::Classify for Error {
    fn is_input(&self) -> bool {
        match self {
            Error::File(_) | Error::Read(_) => true,
            Error::Json(_) | Error::Write { .. } => false,
        }
    }
}
