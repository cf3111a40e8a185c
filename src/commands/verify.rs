//! `gauntlet verify`: the flags into [`VerifyOptions`], the checks, and the
//! exit code (1 when a check or server failed, 130 after Ctrl-C).

use crate::cli::VerifyArgs;
use crate::exit::Outcome;
use crate::verify::{VerifyEnd, VerifyOptions};

/// Runs `gauntlet verify`.
pub fn execute(args: &VerifyArgs) -> anyhow::Result<Outcome> {
    let options = VerifyOptions {
        servers: args.servers.clone(),
        url: args.url.clone(),
        require_all: args.require_all,
        json: args.json,
    };
    Ok(match crate::verify::run(&options)? {
        VerifyEnd::Passed => Outcome::Success,
        VerifyEnd::Failed => Outcome::Failed,
        VerifyEnd::Interrupted => Outcome::Interrupted,
    })
}
