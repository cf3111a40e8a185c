//! `gauntlet verify`: check servers against reference-servers/CONTRACT.md.
//!
//! [`contract`] holds the rules and checks one running server by URL,
//! [`table`] prints the outcome, [`client`] is the small blocking HTTP/1.1
//! client the checks use. Building and starting the reference servers by name
//! belongs to the supervisor; `--url` checks a server that is already running.

pub mod client;
pub mod contract;
pub mod table;

use anyhow::Context;

use crate::exit::{input_error, Outcome};

/// Runs the command: with `--url`, checks that server and prints the table
/// (or JSON); exits 1 when any check failed.
pub fn execute(args: &crate::cli::VerifyArgs) -> anyhow::Result<Outcome> {
    let Some(url) = args.url.as_deref() else {
        anyhow::bail!(
            "gauntlet verify SERVER... is not wired to the server registry yet; \
             start a server yourself and use --url http://127.0.0.1:PORT"
        );
    };
    client::Target::parse(url).map_err(|e| input_error(format!("--url: {e}")))?;
    let checks = contract::check_contract(url);
    if args.json {
        println!(
            "{}",
            table::render_json(&checks).context("serializing the checks as JSON")?
        );
    } else {
        print!("{}", table::render(&checks));
    }
    Ok(if checks.iter().all(|c| c.passed) {
        Outcome::Success
    } else {
        Outcome::Failed
    })
}
