//! Reports: charts (plotters, one module per chart), a self-contained HTML page and a Markdown summary, rendered from result files only.

use crate::exit::Outcome;

/// Runs the command (not implemented yet).
pub fn execute(args: &crate::cli::ReportArgs) -> anyhow::Result<Outcome> {
    let _ = args;
    anyhow::bail!("gauntlet report is not implemented yet")
}
