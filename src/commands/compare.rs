//! `gauntlet compare`: validates the noise flags, compares, prints the
//! table, writes the requested files, and exits 1 when a metric regressed (0
//! otherwise, 2 on bad input).

use crate::cli::CompareArgs;
use crate::compare::output::stdout_wants_color;
use crate::compare::{CompareOptions, CompareRequest};
use crate::exit::Outcome;

/// Runs `gauntlet compare`.
pub fn execute(args: &CompareArgs) -> anyhow::Result<Outcome> {
    let options = CompareOptions::from_flags(args.noise, &args.noise_for)
        .map_err(crate::compare::Error::Options)?;
    let request = CompareRequest {
        baseline: args.baseline.clone(),
        current: args.current.clone(),
        options,
        results_root: args.results_root.clone(),
        markdown: args.markdown.clone(),
        json: args.json.clone(),
        junit: args.junit.clone(),
    };
    let comparison = crate::compare::run(&request)?;
    print!("{}", comparison.table(stdout_wants_color()));
    crate::compare::write_outputs(&request, &comparison)?;
    Ok(if comparison.has_regression() {
        Outcome::Failed
    } else {
        Outcome::Success
    })
}
