//! `gauntlet servers`: what can run here, and why not.

use crate::exit::Outcome;

/// Runs the command (not implemented yet).
pub fn execute(args: &crate::cli::ServersArgs) -> anyhow::Result<Outcome> {
    let _ = args;
    anyhow::bail!("gauntlet servers is not implemented yet")
}
