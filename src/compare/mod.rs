//! Comparison of runs: statistics over repetitions, noise-aware verdicts, thresholds and baselines.

pub mod thresholds;

use crate::exit::Outcome;

/// Runs the command (not implemented yet).
pub fn execute(args: &crate::cli::CompareArgs) -> anyhow::Result<Outcome> {
    let _ = args;
    anyhow::bail!("gauntlet compare is not implemented yet")
}
