//! `gauntlet report`: renders the result folders, warning about unreadable
//! result files, and says where (exit 0, 2 on bad input).

use crate::cli::ReportArgs;
use crate::exit::Outcome;
use crate::report::ReportOptions;

/// Runs `gauntlet report`.
pub fn execute(args: &ReportArgs) -> anyhow::Result<Outcome> {
    let options = ReportOptions {
        results: args.results.clone(),
        out: args.out.clone(),
        png: args.png,
    };
    let data = crate::report::load(&options)?;
    for bad in crate::report::unreadable(&data) {
        eprintln!("warning: skipping unreadable result file {bad}");
    }
    let written = crate::report::run(&options, &data)?;
    for warning in &written.warnings {
        eprintln!("warning: {warning}");
    }
    println!(
        "report: {} files written; open {}",
        written.files.len(),
        written.out.join("index.html").display()
    );
    Ok(Outcome::Success)
}
