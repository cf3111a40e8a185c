//! `gauntlet upstream`: a hyper server whose per-request delay is drawn from a seeded distribution.

use crate::exit::Outcome;

/// Runs the command (not implemented yet).
pub fn execute(args: &crate::cli::UpstreamArgs) -> anyhow::Result<Outcome> {
    let _ = args;
    anyhow::bail!("gauntlet upstream is not implemented yet")
}
