//! The face: one module per subcommand that turns the parsed command line
//! (`crate::cli`, clap's raw arguments) into the owning module's plain,
//! validated options, calls that module, prints what the user reads (the
//! domain returns it as a value, and streams progress through a callback)
//! and maps the typed result to an [`Outcome`](crate::exit::Outcome). A flag
//! only the face parses is refused with a [`FlagError`] (exit 2).
//!
//! Only this module, `app` and `main` know clap and `cli`; everything below
//! (load, scenario, report, compare, verify, servers, claims, merge, kube)
//! can be called as a library with plain structs (tests/layering.rs keeps it
//! that way).

pub mod bench;
pub mod claims;
pub mod compare;
pub mod kube;
pub mod merge;
pub mod report;
pub mod run;
pub mod servers;
pub mod upstream;
pub mod verify;

/// The command line as the process received it, recorded in results.
pub(crate) fn command_line() -> Vec<String> {
    std::env::args().collect()
}

/// A flag the face parses itself (`--threshold`, `--delay`, `--noise`) was
/// not in the expected form: an input error (exit 2) naming the flag.
#[derive(Debug, thiserror::Error)]
#[error("{flag}{reason}")]
pub struct FlagError {
    /// The flag, e.g. `--delay`, followed by `: ` when the reason does not
    /// name it itself.
    pub flag: &'static str,
    /// What was wrong, as the parser said it.
    pub reason: String,
}

impl FlagError {
    /// `--flag: reason`.
    pub fn new(flag: &'static str, reason: impl std::fmt::Display) -> Self {
        FlagError {
            flag,
            reason: format!(": {reason}"),
        }
    }
}

impl crate::exit::Classify for FlagError {
    fn is_input(&self) -> bool {
        true
    }
}
