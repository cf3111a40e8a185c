//! Dispatch: one function per subcommand, each owned by its module.

use crate::cli::{Cli, Command};
use crate::exit::Outcome;

/// Runs the parsed command line and says how it ended.
pub fn run(cli: Cli) -> anyhow::Result<Outcome> {
    match cli.command {
        Command::Bench(args) => crate::load::bench::execute(&args),
        Command::Run(args) => crate::scenario::runner::execute(&args),
        Command::Servers(args) => crate::servers::list::execute(&args),
        Command::Verify(args) => crate::verify::execute(&args),
        Command::Upstream(args) => crate::servers::upstream::execute(&args),
        Command::Report(args) => crate::report::execute(&args),
        Command::Compare(args) => crate::compare::execute(&args),
        Command::Claims(args) => crate::claims::execute(&args),
        Command::Merge(args) => crate::merge::execute(&args),
        Command::Kube(args) => crate::kube::execute(&args),
    }
}
