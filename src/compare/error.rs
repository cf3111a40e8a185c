//! What can go wrong comparing runs or keeping baselines: folders and names
//! the user gave that do not hold what they should (exit 2), and files that
//! could not be written (exit 1).

use std::path::PathBuf;

use super::metrics::OptionError;
use crate::results::ReadError;

/// Why a comparison could not be made, or a baseline not saved.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// `--noise` or `--noise-for` is not in the expected form.
    #[error("{0}")]
    Options(OptionError),
    /// A baseline name with characters that do not make a plain folder name.
    #[error("baseline name {name:?}: expected letters, digits, '-', '_' or '.' (not starting with '.'), e.g. main or v1.2")]
    BaselineName {
        /// The name given.
        name: String,
    },
    /// Neither a folder nor a saved baseline of that name.
    #[error("baseline {given}: no such folder and no baseline of that name; {known}")]
    UnknownBaseline {
        /// The name or path given.
        given: PathBuf,
        /// The saved baselines, or where none are.
        known: String,
    },
    /// The current run folder does not exist.
    #[error("{path}: no such folder; expected the current run folder, such as results/<run-id>/")]
    NoCurrentFolder {
        /// The folder given.
        path: PathBuf,
    },
    /// A run folder is not readable as results (its message names the file).
    #[error(transparent)]
    Read(#[from] ReadError),
    /// A manifest lists a result that is not a plain file name, which
    /// saving it as a baseline would copy from outside the folder.
    #[error("{manifest}: results entry {listed:?} is not a plain file name (expected <scenario>__<server>.json)")]
    UnsafeResultName {
        /// The manifest.
        manifest: PathBuf,
        /// The entry.
        listed: String,
    },
    /// A step of copying a run into a baseline failed on the file system.
    #[error("{step}")]
    SaveBaseline {
        /// What was being done, naming the paths, e.g. `copying a to b`.
        step: String,
        /// The system's reason.
        #[source]
        source: std::io::Error,
    },
    /// `--markdown` could not be written.
    #[error("writing --markdown {path}")]
    WriteMarkdown {
        /// The file.
        path: PathBuf,
        /// The system's reason.
        #[source]
        source: std::io::Error,
    },
    /// `--json` could not be written (the message names the flag).
    #[error(transparent)]
    Write(#[from] crate::results::WriteError),
    /// `--junit` could not be laid out or written.
    #[error(transparent)]
    Export(#[from] crate::export::Error),
}

impl crate::exit::Classify for Error {
    fn is_input(&self) -> bool {
        match self {
            Error::Options(_)
            | Error::BaselineName { .. }
            | Error::UnknownBaseline { .. }
            | Error::NoCurrentFolder { .. }
            | Error::Read(_)
            | Error::UnsafeResultName { .. } => true,
            Error::SaveBaseline { .. }
            | Error::WriteMarkdown { .. }
            | Error::Write(_)
            | Error::Export(_) => false,
        }
    }
}
