//! `gauntlet bench`: load one URL from the command line and print a summary.

use crate::exit::Outcome;

/// Runs the command (not implemented yet).
pub fn execute(args: &crate::cli::BenchArgs) -> anyhow::Result<Outcome> {
    let _ = args;
    anyhow::bail!("gauntlet bench is not implemented yet")
}
