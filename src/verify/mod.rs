//! `gauntlet verify`: check servers against reference-servers/CONTRACT.md.

use crate::exit::Outcome;

/// Runs the command (not implemented yet).
pub fn execute(args: &crate::cli::VerifyArgs) -> anyhow::Result<Outcome> {
    let _ = args;
    anyhow::bail!("gauntlet verify is not implemented yet")
}
