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

use crate::exit::{input_error, Outcome};
use crate::results::RunFolder;
use crate::servers::registry::Registry;

/// Runs `gauntlet claims`.
pub fn execute(args: &crate::cli::ClaimsArgs) -> anyhow::Result<Outcome> {
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
    Ok(Outcome::Success)
}
