//! `gauntlet compare`: validates the noise flags, compares, and exits 1 when
//! a metric regressed (0 otherwise, 2 on bad input).

use crate::cli::CompareArgs;
use crate::compare::{CompareOptions, CompareRequest};
use crate::exit::{input_error, Outcome};

/// Runs `gauntlet compare`.
pub fn execute(args: &CompareArgs) -> anyhow::Result<Outcome> {
    let options = CompareOptions::from_flags(args.noise, &args.noise_for)
        .map_err(|e| input_error(e.to_string()))?;
    let comparison = crate::compare::run(&CompareRequest {
        baseline: args.baseline.clone(),
        current: args.current.clone(),
        options,
        results_root: args.results_root.clone(),
        markdown: args.markdown.clone(),
        json: args.json.clone(),
        junit: args.junit.clone(),
    })?;
    Ok(if comparison.has_regression() {
        Outcome::Failed
    } else {
        Outcome::Success
    })
}
