//! `gauntlet run`: the flags into [`RunOptions`], the run, and the exit code
//! (1 when a threshold or server failed or the baseline regressed, 130 after
//! Ctrl-C).

use crate::cli::RunArgs;
use crate::exit::Outcome;
use crate::scenario::{runner, RunEnd, RunOptions};

/// The flags as the scenario module's plain options.
pub fn options(args: &RunArgs) -> RunOptions {
    RunOptions {
        scenarios: args.scenarios.clone(),
        servers: args.servers.clone(),
        duration: args.duration,
        repetitions: args.repetitions,
        out: args.out.clone(),
        no_report: args.no_report,
        save_baseline: args.save_baseline.clone(),
        baseline: args.baseline.clone(),
        require_all: args.require_all,
        json: args.json,
        csv: args.csv.clone(),
        junit: args.junit.clone(),
        quiet: args.quiet,
    }
}

/// Runs `gauntlet run`.
pub fn execute(args: &RunArgs) -> anyhow::Result<Outcome> {
    Ok(match runner::run(&options(args))? {
        RunEnd::Passed => Outcome::Success,
        RunEnd::Failed => Outcome::Failed,
        RunEnd::Interrupted => Outcome::Interrupted,
    })
}
