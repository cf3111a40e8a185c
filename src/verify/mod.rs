//! `gauntlet verify`: check servers against reference-servers/CONTRACT.md.
//!
//! [`contract`] holds the rules and checks one running server by URL,
//! [`table`] lays out the outcome, [`client`] is the small blocking HTTP/1.1
//! client the checks use. [`servers`] builds, starts and checks reference
//! servers by name through the supervisor; `--url` checks a server that is
//! already running.

pub mod client;
pub mod contract;
pub mod servers;
pub mod table;

/// What `gauntlet verify` is asked to do (the flags of `cli::VerifyArgs`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VerifyOptions {
    /// Servers to verify by name (empty: all).
    pub servers: Vec<String>,
    /// Verify an already running server at this base URL instead.
    pub url: Option<String>,
    /// Fail instead of skipping a server whose toolchain is missing.
    pub require_all: bool,
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

/// What a verification reports as it goes, for the caller to show.
#[derive(Debug, Clone, Copy)]
pub enum Progress<'a> {
    /// One step of verifying a reference server (building, starting...).
    Step(&'a str),
    /// A reference server is done: its verdict, as soon as it is known.
    Verdict(&'a servers::ServerVerdict),
}

/// What a verification found.
#[derive(Debug, Clone)]
pub enum Verified {
    /// `--url`: the checks of that one running server.
    Url(Vec<contract::EndpointCheck>),
    /// Reference servers by name: a verdict per server verified (those
    /// after a Ctrl-C are left out).
    Servers {
        /// One per server, in order.
        verdicts: Vec<servers::ServerVerdict>,
        /// Ctrl-C stopped it.
        interrupted: bool,
    },
}

impl Verified {
    /// How it ended.
    pub fn end(&self) -> VerifyEnd {
        match self {
            Verified::Url(checks) => {
                if checks.iter().all(|c| c.passed) {
                    VerifyEnd::Passed
                } else {
                    VerifyEnd::Failed
                }
            }
            Verified::Servers {
                verdicts,
                interrupted,
            } => {
                if *interrupted {
                    VerifyEnd::Interrupted
                } else if verdicts
                    .iter()
                    .any(|v| v.status == servers::VerdictStatus::Failed)
                {
                    VerifyEnd::Failed
                } else {
                    VerifyEnd::Passed
                }
            }
        }
    }

    /// What is printed at the end: the checks' table (for `--url`) or the
    /// summary of the servers' verdicts, or (`json`) either as JSON.
    pub fn render(&self, json: bool) -> Result<String, Error> {
        Ok(match (self, json) {
            (Verified::Url(checks), true) => {
                format!(
                    "{}\n",
                    table::render_json(checks).map_err(Error::ChecksJson)?
                )
            }
            (Verified::Url(checks), false) => table::render(checks),
            (Verified::Servers { verdicts, .. }, true) => format!(
                "{}\n",
                serde_json::to_string_pretty(verdicts).map_err(Error::VerdictsJson)?
            ),
            (Verified::Servers { verdicts, .. }, false) => {
                format!("{}\n", servers::render_summary(verdicts))
            }
        })
    }
}

/// Checks the servers: with `url`, that one running server; otherwise the
/// named reference servers (default: all), telling `progress` each step and
/// each server's verdict as it goes.
pub fn run(
    args: &VerifyOptions,
    progress: &mut dyn FnMut(Progress<'_>),
) -> Result<Verified, Error> {
    let Some(url) = args.url.as_deref() else {
        return verify_by_name(args, progress);
    };
    client::target(url).map_err(|e| Error::Url {
        reason: e.to_string(),
    })?;
    Ok(Verified::Url(contract::check_contract(url)))
}

fn verify_by_name(
    args: &VerifyOptions,
    progress: &mut dyn FnMut(Progress<'_>),
) -> Result<Verified, Error> {
    let interrupt = crate::interrupt::Interrupt::global();
    let registry = crate::servers::Registry::discover()?;
    let chosen = servers::select(&registry, &args.servers)?;
    if chosen.is_empty() {
        return Err(Error::NoServers {
            dir: registry.dir().to_path_buf(),
        });
    }
    // A short fixed delay: /fanout is checked for correctness, not timing.
    let upstream = crate::servers::upstream::spawn_upstream(
        crate::servers::upstream::DelayRange::fixed(std::time::Duration::from_millis(5)),
        42,
    )
    .map_err(Error::Upstream)?;
    let mut verdicts = Vec::new();
    for entry in chosen {
        if interrupt.is_raised() {
            break;
        }
        let verdict = servers::verify_server(
            entry,
            &upstream.url(),
            args.require_all,
            &interrupt,
            &mut |line| progress(Progress::Step(line)),
        );
        progress(Progress::Verdict(&verdict));
        verdicts.push(verdict);
    }
    Ok(Verified::Servers {
        verdicts,
        interrupted: interrupt.is_raised(),
    })
}

/// One server's verdict as the terminal shows it while `verify` goes: its
/// name and version, startup time, why it failed or was skipped, the checks'
/// table, and a blank line.
pub fn render_verdict(verdict: &servers::ServerVerdict) -> String {
    let version = if verdict.runtime_version.is_empty() {
        String::new()
    } else {
        format!(" ({})", verdict.runtime_version)
    };
    let mut out = format!("== {}{version}\n", verdict.server);
    if let Some(ms) = verdict.startup_ms {
        out.push_str(&format!("ready in {ms:.1} ms\n"));
    }
    if let Some(reason) = &verdict.reason {
        let label = match verdict.status {
            servers::VerdictStatus::Skipped => "skipped",
            _ => "FAILED",
        };
        out.push_str(&format!("{label}: {reason}\n"));
    }
    if !verdict.checks.is_empty() {
        out.push_str(&table::render(&verdict.checks));
    }
    out.push('\n');
    out
}

/// Why a verification could not run.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// `--url` is not a base URL Gauntlet can reach.
    #[error("--url: {reason}")]
    Url {
        /// What the URL parser said.
        reason: String,
    },
    /// The servers folder holds no server to verify.
    #[error("no servers to verify in {dir}")]
    NoServers {
        /// The servers folder.
        dir: std::path::PathBuf,
    },
    /// The reference servers could not be found, or a name is unknown
    /// (whose fault it is, is the registry's variant's).
    #[error(transparent)]
    Servers(#[from] crate::servers::Error),
    /// The upstream that /fanout calls could not start.
    #[error("starting the upstream for /fanout")]
    Upstream(#[source] crate::servers::Error),
    /// `--url --json`: the checks could not be serialized.
    #[error("serializing the checks as JSON")]
    ChecksJson(#[source] serde_json::Error),
    /// `--json`: the verdicts could not be serialized.
    #[error("serializing the verdicts as JSON")]
    VerdictsJson(#[source] serde_json::Error),
}

impl crate::exit::Classify for Error {
    fn is_input(&self) -> bool {
        match self {
            Error::Url { .. } | Error::NoServers { .. } => true,
            Error::Servers(inner) => inner.is_input(),
            Error::Upstream(_) | Error::ChecksJson(_) | Error::VerdictsJson(_) => false,
        }
    }
}
