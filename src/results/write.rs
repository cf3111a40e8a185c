//! Writing a run folder: `results/<run-id>/manifest.json` plus one
//! `<scenario>__<server>.json` per scenario × server, each file written
//! atomically and the manifest rewritten after every result, so a crash
//! loses nothing that was finished. [`super::read::RunFolder`] reads it back.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use super::environment::{now_rfc3339, result_file_name};
use super::read::MANIFEST;
use super::{write_json_atomic, RunManifest, ServerRunResult};

/// A results folder being written: the manifest is kept on disk up to date
/// after every result, so a crash loses nothing that was finished.
#[derive(Debug)]
pub struct RunWriter {
    dir: PathBuf,
    manifest: RunManifest,
}

impl RunWriter {
    /// Creates `dir` and writes the initial manifest.
    pub fn create(dir: &Path, manifest: RunManifest) -> Result<RunWriter> {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("creating results folder {}", dir.display()))?;
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

    fn write_manifest(&self) -> Result<()> {
        write_json_atomic(&self.dir.join(MANIFEST), &self.manifest)
    }

    /// Writes one result (replacing an earlier version of the same file) and
    /// records it in the manifest; returns its path.
    pub fn write_result(&mut self, result: &ServerRunResult) -> Result<PathBuf> {
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
    pub fn finish(&mut self, interrupted: bool) -> Result<()> {
        self.manifest.finished_at = Some(now_rfc3339());
        self.manifest.interrupted = interrupted;
        self.write_manifest()
    }
}
