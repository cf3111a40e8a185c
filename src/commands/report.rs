//! `gauntlet report`: renders the result folders and says where (exit 0).

use crate::cli::ReportArgs;
use crate::exit::Outcome;
use crate::report::ReportOptions;

/// Runs `gauntlet report`.
pub fn execute(args: &ReportArgs) -> anyhow::Result<Outcome> {
    let written = crate::report::run(&ReportOptions {
        results: args.results.clone(),
        out: args.out.clone(),
        png: args.png,
    })?;
    println!(
        "report: {} files written; open {}",
        written.files.len(),
        written.out.join("index.html").display()
    );
    Ok(Outcome::Success)
}
