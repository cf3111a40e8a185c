//! `gauntlet upstream`: parses `--delay`, says where it listens and serves
//! until Ctrl-C (exit 0).

use super::FlagError;
use crate::cli::UpstreamArgs;
use crate::exit::Outcome;
use crate::servers::upstream::{serve_until_interrupted, DelayRange, UpstreamOptions};

/// Runs `gauntlet upstream`.
pub fn execute(args: &UpstreamArgs) -> anyhow::Result<Outcome> {
    let delay: DelayRange = args
        .delay
        .parse()
        .map_err(|e| FlagError::new("--delay", e))?;
    let options = UpstreamOptions {
        port: args.port,
        delay,
        seed: args.seed,
    };
    serve_until_interrupted(&options, |addr| {
        println!(
            "listening on {addr} (delay {delay} uniform, seed {})",
            args.seed
        );
    })?;
    Ok(Outcome::Success)
}
