//! `gauntlet merge`: parses the `--threshold`s, merges the shards, and exits
//! 1 when a threshold failed (130 when a shard was interrupted, 2 when the
//! shards cannot be merged).

use super::FlagError;
use crate::cli::MergeArgs;
use crate::exit::Outcome;
use crate::merge::{MergeEnd, MergeOptions};
use crate::scenario::thresholds::Threshold;

/// Runs `gauntlet merge`.
pub fn execute(args: &MergeArgs) -> anyhow::Result<Outcome> {
    let thresholds = args
        .thresholds
        .iter()
        .map(|t| {
            t.parse::<Threshold>()
                .map_err(|e| FlagError::new("--threshold", e))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let options = MergeOptions {
        shards: args.shards.clone(),
        json: args.json.clone(),
        hlog: args.hlog.clone(),
        out: args.out.clone(),
        name: args.name.clone(),
        thresholds,
    };
    let outcome = crate::merge::run(&options, super::command_line())?;
    print!("{}", outcome.render());
    crate::merge::write_outputs(&options, &outcome)?;
    Ok(match outcome.end() {
        MergeEnd::Passed => Outcome::Success,
        MergeEnd::ThresholdFailed => Outcome::Failed,
        MergeEnd::Interrupted => Outcome::Interrupted,
    })
}
