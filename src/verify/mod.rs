//! `gauntlet verify`: check servers against reference-servers/CONTRACT.md.
//!
//! [`contract`] holds the rules and checks one running server by URL,
//! [`table`] prints the outcome, [`client`] is the small blocking HTTP/1.1
//! client the checks use. [`servers`] builds, starts and checks reference
//! servers by name through the supervisor; `--url` checks a server that is
//! already running.

pub mod client;
pub mod contract;
pub mod servers;
pub mod table;

use anyhow::Context;

use crate::exit::input_error;

/// What `gauntlet verify` is asked to do (the flags of `cli::VerifyArgs`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VerifyOptions {
    /// Servers to verify by name (empty: all).
    pub servers: Vec<String>,
    /// Verify an already running server at this base URL instead.
    pub url: Option<String>,
    /// Fail instead of skipping a server whose toolchain is missing.
    pub require_all: bool,
    /// Print as JSON.
    pub json: bool,
}

/// How a verification ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VerifyEnd {
    /// Every check of every server passed (skipped servers allowed).
    Passed,
    /// A check failed, or a server failed to build or start.
    Failed,
    /// Ctrl-C stopped it.
    Interrupted,
}

/// Checks the servers and prints the tables (or JSON): with `url`, that one
/// running server; otherwise the named reference servers (default: all).
pub fn run(args: &VerifyOptions) -> anyhow::Result<VerifyEnd> {
    let Some(url) = args.url.as_deref() else {
        return verify_by_name(args);
    };
    client::target(url).map_err(|e| input_error(format!("--url: {e}")))?;
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
        VerifyEnd::Passed
    } else {
        VerifyEnd::Failed
    })
}

/// `gauntlet verify [SERVER...]`: every named server (default: all) through
/// [`servers::verify_server`], a table per server, then a summary.
fn verify_by_name(args: &VerifyOptions) -> anyhow::Result<VerifyEnd> {
    let interrupt = crate::interrupt::Interrupt::global();
    let registry = crate::servers::Registry::discover()?;
    let chosen = servers::select(&registry, &args.servers)?;
    if chosen.is_empty() {
        return Err(input_error(format!(
            "no servers to verify in {}",
            registry.dir().display()
        )));
    }
    // A short fixed delay: /fanout is checked for correctness, not timing.
    let upstream = crate::servers::upstream::spawn_upstream(
        crate::servers::upstream::DelayRange::fixed(std::time::Duration::from_millis(5)),
        42,
    )
    .context("starting the upstream for /fanout")?;
    let mut verdicts = Vec::new();
    for entry in chosen {
        if interrupt.is_raised() {
            break;
        }
        let mut progress = |line: &str| {
            if !args.json {
                eprintln!("verify: {line}");
            }
        };
        let verdict = servers::verify_server(
            entry,
            &upstream.url(),
            args.require_all,
            &interrupt,
            &mut progress,
        );
        if !args.json {
            print_verdict(&verdict);
        }
        verdicts.push(verdict);
    }
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&verdicts).context("serializing the verdicts as JSON")?
        );
    } else {
        println!("{}", servers::render_summary(&verdicts));
    }
    Ok(if interrupt.is_raised() {
        VerifyEnd::Interrupted
    } else if verdicts
        .iter()
        .any(|v| v.status == servers::VerdictStatus::Failed)
    {
        VerifyEnd::Failed
    } else {
        VerifyEnd::Passed
    })
}

fn print_verdict(verdict: &servers::ServerVerdict) {
    let version = if verdict.runtime_version.is_empty() {
        String::new()
    } else {
        format!(" ({})", verdict.runtime_version)
    };
    println!("== {}{version}", verdict.server);
    if let Some(ms) = verdict.startup_ms {
        println!("ready in {ms:.1} ms");
    }
    if let Some(reason) = &verdict.reason {
        let label = match verdict.status {
            servers::VerdictStatus::Skipped => "skipped",
            _ => "FAILED",
        };
        println!("{label}: {reason}");
    }
    if !verdict.checks.is_empty() {
        print!("{}", table::render(&verdict.checks));
    }
    println!();
}
