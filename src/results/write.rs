//! Writing a run folder: `results/<run-id>/manifest.json` plus one
//! `<scenario>__<server>.json` per scenario × server, each file written
//! atomically and the manifest rewritten after every result, so a crash
//! loses nothing that was finished. [`super::read::RunFolder`] reads it back.

use std::path::{Path, PathBuf};

use super::environment::{now_rfc3339, result_file_name};
use super::read::MANIFEST;
use super::{write_json_atomic, RunManifest, ServerRunResult};

/// Why a result file or run folder could not be written: always a failure
/// while running (exit 1), never the user's input. The message names the
/// path; the system's reason follows as the source. A file or folder the user
/// named with a flag (`--json FILE`) is wrapped by [`WriteError::for_flag`],
/// so every command says "writing --json FILE: ..." alike and each command's
/// error carries it as one `Write(#[from] WriteError)` variant.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// A file or folder named by a flag could not be written.
    #[error("writing {flag} {path}")]
    Flag {
        /// The flag that named it, e.g. `--json`.
        flag: &'static str,
        /// The file or folder, as the flag gave it.
        path: PathBuf,
        /// What failed under it (names the file written, which for a folder
        /// may be one inside it).
        #[source]
        source: Box<WriteError>,
    },
    /// The value could not be turned into JSON.
    #[error("serializing {path}")]
    Serialize {
        /// The file it was meant for.
        path: PathBuf,
        /// serde's reason.
        #[source]
        source: serde_json::Error,
    },
    /// The file could not be written (atomically) to disk.
    #[error("writing {path}")]
    Write {
        /// The file.
        path: PathBuf,
        /// The system's reason.
        #[source]
        source: std::io::Error,
    },
    /// The run folder could not be created.
    #[error("creating results folder {path}")]
    CreateFolder {
        /// The folder.
        path: PathBuf,
        /// The system's reason.
        #[source]
        source: std::io::Error,
    },
}

impl WriteError {
    /// This error as the failure to write `path`, named by `flag`: the
    /// message reads "writing {flag} {path}", then this error.
    pub fn for_flag(self, flag: &'static str, path: &Path) -> WriteError {
        WriteError::Flag {
            flag,
            path: path.to_path_buf(),
            source: Box::new(self),
        }
    }
}

impl crate::exit::Classify for WriteError {
    fn is_input(&self) -> bool {
        false
    }
}

/// A results folder being written: the manifest is kept on disk up to date
/// after every result, so a crash loses nothing that was finished.
#[derive(Debug)]
pub struct RunWriter {
    dir: PathBuf,
    manifest: RunManifest,
}

impl RunWriter {
    /// Creates `dir` and writes the initial manifest.
    pub fn create(dir: &Path, manifest: RunManifest) -> Result<RunWriter, WriteError> {
        std::fs::create_dir_all(dir).map_err(|source| WriteError::CreateFolder {
            path: dir.to_path_buf(),
            source,
        })?;
        let folder = RunWriter {
            dir: dir.to_path_buf(),
            manifest,
        };
        folder.write_manifest()?;
        Ok(folder)
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The manifest as last written.
    pub fn manifest(&self) -> &RunManifest {
        &self.manifest
    }

    fn write_manifest(&self) -> Result<(), WriteError> {
        write_json_atomic(&self.dir.join(MANIFEST), &self.manifest)
    }

    /// Writes one result (replacing an earlier version of the same file) and
    /// records it in the manifest; returns its path.
    pub fn write_result(&mut self, result: &ServerRunResult) -> Result<PathBuf, WriteError> {
        let name = result_file_name(&result.scenario.name, &result.server.name);
        let path = self.dir.join(&name);
        write_json_atomic(&path, result)?;
        if !self.manifest.results.contains(&name) {
            self.manifest.results.push(name);
        }
        self.write_manifest()?;
        Ok(path)
    }

    /// Marks the run finished (or interrupted) and writes the manifest.
    pub fn finish(&mut self, interrupted: bool) -> Result<(), WriteError> {
        self.manifest.finished_at = Some(now_rfc3339());
        self.manifest.interrupted = interrupted;
        self.write_manifest()
    }
}
