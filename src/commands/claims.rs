//! `gauntlet claims`: evaluates the claims (exit 0 whatever the verdicts, 2
//! on a bad claims file or result folder).

use crate::claims::ClaimsOptions;
use crate::cli::ClaimsArgs;
use crate::exit::Outcome;

/// Runs `gauntlet claims`.
pub fn execute(args: &ClaimsArgs) -> anyhow::Result<Outcome> {
    crate::claims::run(&ClaimsOptions {
        results: args.results.clone(),
        claims: args.claims.clone(),
        json: args.json.clone(),
        markdown: args.markdown.clone(),
    })?;
    Ok(Outcome::Success)
}
