//! Reports: charts (plotters, one module per chart), a self-contained HTML
//! page and a Markdown summary, rendered from result files only.

use std::path::{Path, PathBuf};

use crate::exit::Outcome;

/// Renders the result folders into `out` (index.html, *.svg, optional *.png,
/// summary.md); returns the paths written.
pub fn render(result_dirs: &[PathBuf], out: &Path, png: bool) -> anyhow::Result<Vec<PathBuf>> {
    let _ = (result_dirs, out, png);
    anyhow::bail!("gauntlet report is not implemented yet")
}

/// Runs the `gauntlet report` command.
pub fn execute(args: &crate::cli::ReportArgs) -> anyhow::Result<Outcome> {
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("reports/report"));
    render(&args.results, &out, args.png)?;
    Ok(Outcome::Success)
}
