//! What can stop `gauntlet run`: scenario files and names the user is to fix
//! (exit 2) and failures while running (exit 1), one variant each. (The
//! errors a server makes while measured are not here: they are findings,
//! written into its result; see [`super::errors`].)

use std::path::PathBuf;

use super::ScenarioError;

/// Why a run could not start, go on, or finish its outputs.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A scenario file is unreadable or invalid (its message names the
    /// file, line and column).
    #[error("{0}")]
    Scenario(ScenarioError),
    /// Two scenarios share a name, so their result files would collide.
    #[error(
        "two scenarios are both named {name:?}; result files would collide (set `name` in one)"
    )]
    DuplicateName {
        /// The name.
        name: String,
    },
    /// A folder named on the command line cannot be listed.
    #[error("cannot read the folder {path}: {reason}")]
    UnreadableFolder {
        /// The folder.
        path: PathBuf,
        /// The system's reason (part of the message).
        reason: std::io::Error,
    },
    /// A folder named on the command line holds no `*.toml`.
    #[error("{path} is a folder without scenario files (expected *.toml files in it)")]
    NoScenarioFiles {
        /// The folder.
        path: PathBuf,
    },
    /// The reference servers could not be found, or a scenario names an
    /// unknown one (whose fault it is, is the registry's variant's).
    #[error(transparent)]
    Servers(#[from] crate::servers::Error),
    /// `--baseline` or `--save-baseline` failed (an unknown baseline name is
    /// the user's; a file not copied is not).
    #[error(transparent)]
    Baseline(#[from] crate::compare::Error),
    /// A scenario's upstream (for /fanout) could not start.
    #[error("starting the upstream of {file}")]
    Upstream {
        /// The scenario file.
        file: String,
        /// Why.
        #[source]
        source: crate::servers::Error,
    },
    /// A result file or the manifest could not be written.
    #[error(transparent)]
    Results(#[from] crate::results::WriteError),
    /// The `--json` summary could not be serialized.
    #[error(transparent)]
    Json(#[from] serde_json::Error),
    /// `--csv` or `--junit` could not be laid out or written.
    #[error(transparent)]
    Export(#[from] crate::export::Error),
}

impl crate::exit::Classify for Error {
    fn is_input(&self) -> bool {
        match self {
            Error::Scenario(_)
            | Error::DuplicateName { .. }
            | Error::UnreadableFolder { .. }
            | Error::NoScenarioFiles { .. } => true,
            Error::Servers(inner) => inner.is_input(),
            Error::Baseline(inner) => inner.is_input(),
            Error::Upstream { .. } | Error::Results(_) | Error::Json(_) | Error::Export(_) => false,
        }
    }
}
