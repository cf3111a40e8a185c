//! What can go wrong before, during and after a `bench`: the flags refused
//! (each variant names the flag and the expected form, exit 2) and the run
//! or its output files failing (exit 1).

use std::path::PathBuf;

use super::shard::ShardError;
use crate::cpus::CpuListError;

/// Why `gauntlet bench` (or a plan built from its flags) could not run or
/// write its results.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The URL is not `http://host:port/path`.
    #[error("URL {reason} ({form})", form = crate::target::URL_FORM)]
    Url {
        /// What the URL parser said.
        reason: String,
    },
    /// `--connections 0`.
    #[error("--connections must be at least 1, e.g. -c 64")]
    NoConnections,
    /// `--duration 0s`.
    #[error("--duration must be longer than 0, e.g. -d 10s or -d 2m")]
    ZeroDuration,
    /// `--timeout 0s`.
    #[error("--timeout must be longer than 0, e.g. --timeout 5s")]
    ZeroTimeout,
    /// `--rate` zero, negative or not finite.
    #[error(
        "--rate {rate}: expected a positive number of requests per second, e.g. -R 1000 \
         (leave it out for the closed model)"
    )]
    BadRate {
        /// The rate given.
        rate: f64,
    },
    /// `--method` is not an HTTP token.
    #[error("--method {method:?}: expected an HTTP method such as GET or POST")]
    BadMethod {
        /// The method given.
        method: String,
    },
    /// `--header` is not `Name: value`.
    #[error("--header {header:?}: expected `Name: value`, e.g. -H 'Accept: application/json'")]
    BadHeader {
        /// The header given.
        header: String,
    },
    /// `--body-file` cannot be read.
    #[error("--body-file {path}: cannot read it ({reason}); expected a readable file")]
    BodyFile {
        /// The file given.
        path: PathBuf,
        /// The system's reason (part of the message, not a separate cause).
        reason: std::io::Error,
    },
    /// `--cpus` is not a CPU list.
    #[error("--cpus: {0}")]
    Cpus(CpuListError),
    /// `--cpus` names a CPU this process may not use.
    #[error(
        "--cpus {text}: CPU {cpu} is not available to this process \
         (expected a list within {allowed})"
    )]
    CpuNotAllowed {
        /// The list given.
        text: String,
        /// The first CPU outside the allowed set.
        cpu: usize,
        /// The CPUs this process may use, as a list.
        allowed: String,
    },
    /// `--threads 0`.
    #[error("--threads must be at least 1, e.g. -t 2")]
    NoThreads,
    /// `--shard` or `--start-at` refused (its message names the flag).
    #[error("{0}")]
    Shard(ShardError),
    /// The engine could not run the plan (a worker thread failed). The
    /// engine is written with `anyhow` and its errors only ever become
    /// messages, so they are carried as they are.
    #[error(transparent)]
    Engine(anyhow::Error),
    /// `--json FILE` could not be written (the message names the flag).
    #[error(transparent)]
    Write(#[from] crate::results::WriteError),
    /// `--json -`: the report could not be serialized.
    #[error(transparent)]
    Json(#[from] serde_json::Error),
    /// `--hlog` could not be written.
    #[error(transparent)]
    Hlog(#[from] crate::record::hlog::HlogError),
    /// `--csv` could not be laid out or written.
    #[error(transparent)]
    Export(#[from] crate::export::Error),
}

impl crate::exit::Classify for Error {
    fn is_input(&self) -> bool {
        match self {
            Error::Url { .. }
            | Error::NoConnections
            | Error::ZeroDuration
            | Error::ZeroTimeout
            | Error::BadRate { .. }
            | Error::BadMethod { .. }
            | Error::BadHeader { .. }
            | Error::BodyFile { .. }
            | Error::Cpus(_)
            | Error::CpuNotAllowed { .. }
            | Error::NoThreads
            | Error::Shard(_) => true,
            Error::Engine(_)
            | Error::Write(_)
            | Error::Json(_)
            | Error::Hlog(_)
            | Error::Export(_) => false,
        }
    }
}
