//! `gauntlet run`: the flags into [`RunOptions`], the run (its progress lines
//! and warnings on standard error), the summary, exports, report and
//! baselines in that order, and the exit code (1 when a threshold or server
//! failed or the baseline regressed, 130 after Ctrl-C).

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
    let options = options(args);
    let measured = runner::run(&options, &|line| eprintln!("{line}"))?;
    print!("{}", measured.render(options.json)?);
    measured.write_exports(&options)?;
    let regressed = !measured.interrupted && after_run(&options, &measured)?;
    Ok(match measured.end(regressed) {
        RunEnd::Passed => Outcome::Success,
        RunEnd::Failed => Outcome::Failed,
        RunEnd::Interrupted => Outcome::Interrupted,
    })
}

/// The report, then the baselines: compares the run with `--baseline` and
/// saves it as `--save-baseline`; `true` when the comparison regressed.
fn after_run(options: &RunOptions, measured: &runner::Measured) -> anyhow::Result<bool> {
    if !options.no_report {
        match measured.render_report() {
            Ok(written) => {
                for warning in &written.warnings {
                    eprintln!("warning: {warning}");
                }
                eprintln!("report: {}", written.out.join("index.html").display());
            }
            Err(e) => eprintln!("warning: no report written: {:#}", anyhow::Error::new(e)),
        }
    }
    let mut regressed = false;
    if let Some(comparison) = measured.compare_with_baseline(options)? {
        if !options.json {
            let color = crate::compare::output::stdout_wants_color();
            print!("{}", comparison.table(color));
        }
        regressed = comparison.has_regression();
    }
    if let Some(dir) = measured.save_baseline(options)? {
        let name = options.save_baseline.as_deref().unwrap_or_default();
        eprintln!("baseline {name:?} saved to {}", dir.display());
    }
    Ok(regressed)
}
