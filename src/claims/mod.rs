//! `gauntlet claims`: turns the quantitative claims articles make about
//! runtimes (claims/claims.toml, see claims/README.md) into verdicts measured
//! on the machine at hand. The claims file ([`file`]) holds one predicate per
//! claim in a small grammar ([`predicate`]) over the metrics of [`metric`];
//! [`evaluate`] reads result folders (through [`RunFolder`], the one reader of
//! result folders, which checks the schema version) and judges each claim's interval; [`output`] prints it.
//! Verdicts are findings, not failures: the command exits 0 once it has
//! evaluated, 2 on bad input.

pub mod evaluate;
pub mod file;
pub mod format;
pub mod metric;
pub mod output;
pub mod predicate;

use anyhow::Context;

pub use evaluate::{evaluate, ClaimResult, Evaluation, Verdict};
pub use file::{ClaimsFile, ClaimsFileError};

use crate::exit::input_error;
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

/// Evaluates the claims, prints the verdicts and writes `--json` and
/// `--markdown`. Verdicts are findings, not failures: a bad claims file or
/// result folder is an input error, anything else that evaluated is `Ok`.
pub fn run(args: &ClaimsOptions) -> anyhow::Result<Evaluation> {
    // Server names are checked against the reference servers when Gauntlet
    // runs inside its repository; elsewhere a misspelt server shows up as
    // missing (inconclusive) instead.
    let registry = Registry::discover().ok();
    let names = registry.as_ref().map(Registry::names);
    let file =
        ClaimsFile::load(&args.claims, names.as_deref()).map_err(|e| input_error(e.to_string()))?;
    let folders = args
        .results
        .iter()
        .map(|p| RunFolder::open(p).map_err(|e| input_error(e.to_string())))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let evaluation = evaluate(&file, &folders);
    print!("{}", output::text(&evaluation));
    if let Some(path) = &args.json {
        let text = output::json(&evaluation)?;
        std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))?;
    }
    if let Some(path) = &args.markdown {
        std::fs::write(path, output::markdown(&evaluation))
            .with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(evaluation)
}
