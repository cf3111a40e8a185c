//! `gauntlet run`: execute a plan of scenario × server × repetition.

use crate::exit::Outcome;

/// Runs the command (not implemented yet).
pub fn execute(args: &crate::cli::RunArgs) -> anyhow::Result<Outcome> {
    let _ = args;
    anyhow::bail!("gauntlet run is not implemented yet")
}
