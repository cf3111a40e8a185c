//! `gauntlet upstream`: parses `--delay` and serves until Ctrl-C (exit 0).

use crate::cli::UpstreamArgs;
use crate::exit::{input_error, Outcome};
use crate::servers::upstream::{serve_until_interrupted, DelayRange, UpstreamOptions};

/// Runs `gauntlet upstream`.
pub fn execute(args: &UpstreamArgs) -> anyhow::Result<Outcome> {
    let delay: DelayRange = args
        .delay
        .parse()
        .map_err(|e| input_error(format!("--delay: {e}")))?;
    serve_until_interrupted(&UpstreamOptions {
        port: args.port,
        delay,
        seed: args.seed,
    })?;
    Ok(Outcome::Success)
}
