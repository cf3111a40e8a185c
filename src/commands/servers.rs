//! `gauntlet servers`: lists the reference servers (always exit 0).

use crate::cli::ServersArgs;
use crate::exit::Outcome;

/// Runs `gauntlet servers`.
pub fn execute(args: &ServersArgs) -> anyhow::Result<Outcome> {
    let listing = crate::servers::list::list()?;
    print!("{}", listing.render(args.json)?);
    Ok(Outcome::Success)
}
