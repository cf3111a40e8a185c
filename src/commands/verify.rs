//! `gauntlet verify`: the flags into [`VerifyOptions`], the checks (each
//! server's steps on standard error and its verdict on standard output as it
//! goes, unless `--json`), the summary, and the exit code (1 when a check or
//! server failed, 130 after Ctrl-C).

use crate::cli::VerifyArgs;
use crate::exit::Outcome;
use crate::verify::{Progress, VerifyEnd, VerifyOptions};

/// Runs `gauntlet verify`.
pub fn execute(args: &VerifyArgs) -> anyhow::Result<Outcome> {
    let options = VerifyOptions {
        servers: args.servers.clone(),
        url: args.url.clone(),
        require_all: args.require_all,
    };
    let mut progress = |event: Progress<'_>| match event {
        _ if args.json => {}
        Progress::Step(line) => eprintln!("verify: {line}"),
        Progress::Verdict(verdict) => print!("{}", crate::verify::render_verdict(verdict)),
    };
    let verified = crate::verify::run(&options, &mut progress)?;
    print!("{}", verified.render(args.json)?);
    Ok(match verified.end() {
        VerifyEnd::Passed => Outcome::Success,
        VerifyEnd::Failed => Outcome::Failed,
        VerifyEnd::Interrupted => Outcome::Interrupted,
    })
}
