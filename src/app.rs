//! Dispatch: one function per subcommand, each in [`crate::commands`].

use crate::cli::{Cli, Command};
use crate::commands;
use crate::exit::Outcome;

/// Runs the parsed command line and says how it ended.
pub fn run(cli: Cli) -> anyhow::Result<Outcome> {
    match cli.command {
        Command::Bench(args) => commands::bench::execute(&args),
        Command::Run(args) => commands::run::execute(&args),
        Command::Servers(args) => commands::servers::execute(&args),
        Command::Verify(args) => commands::verify::execute(&args),
        Command::Upstream(args) => commands::upstream::execute(&args),
        Command::Report(args) => commands::report::execute(&args),
        Command::Compare(args) => commands::compare::execute(&args),
        Command::Claims(args) => commands::claims::execute(&args),
        Command::Merge(args) => commands::merge::execute(&args),
        Command::Kube(args) => commands::kube::execute(&args),
    }
}
