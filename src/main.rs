//! The `gauntlet` binary: parse the command line, run it, map the outcome to
//! an exit code. Everything else lives in the library so tests can call it.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = gauntlet::cli::Cli::parse();
    match gauntlet::app::run(cli) {
        Ok(code) => code.into(),
        Err(err) => {
            eprintln!("Error: {err:#}");
            gauntlet::exit::code_for_error(&err).into()
        }
    }
}
