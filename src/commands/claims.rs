//! `gauntlet claims`: evaluates the claims and prints the verdicts (exit 0
//! whatever the verdicts, 2 on a bad claims file or result folder).

use crate::claims::ClaimsOptions;
use crate::cli::ClaimsArgs;
use crate::exit::Outcome;

/// Runs `gauntlet claims`.
pub fn execute(args: &ClaimsArgs) -> anyhow::Result<Outcome> {
    let options = ClaimsOptions {
        results: args.results.clone(),
        claims: args.claims.clone(),
        json: args.json.clone(),
        markdown: args.markdown.clone(),
    };
    let evaluation = crate::claims::run(&options)?;
    print!("{}", crate::claims::output::text(&evaluation));
    crate::claims::write_outputs(&options, &evaluation)?;
    Ok(Outcome::Success)
}
