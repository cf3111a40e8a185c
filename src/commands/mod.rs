//! The face: one module per subcommand that turns the parsed command line
//! (`crate::cli`, clap's raw arguments) into the owning module's plain,
//! validated options, calls that module, prints what the user reads at the
//! end and maps the typed result to an [`Outcome`](crate::exit::Outcome).
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
