//! Reading a run folder for comparison: its manifest, every result file it
//! lists, schema-version checks, and the environment fingerprint that decides
//! whether two runs are comparable.

use std::path::{Path, PathBuf};

use crate::results::{Environment, RunManifest, RunStatus, ServerRunResult, SCHEMA_VERSION};

/// Why a folder could not be read as a run.
#[derive(Debug, thiserror::Error)]
pub enum RunFolderError {
    /// The path does not exist or is not a folder.
    #[error("{path}: no such folder; expected a run folder such as results/<run-id>/ or a baseline name")]
    Missing {
        /// The path given.
        path: PathBuf,
    },
    /// The folder has no manifest.json.
    #[error("{path} is not a result folder: it has no manifest.json (expected a folder written by `gauntlet run`, such as results/<run-id>/)")]
    NotAResultFolder {
        /// The path given.
        path: PathBuf,
    },
    /// A file could not be read or parsed.
    #[error("{path}: {reason}")]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },
    /// A file was written with another schema version.
    #[error("{path} has schema version {found}, this build of gauntlet reads version {expected}; compare results written by the same gauntlet version (or re-run the baseline)")]
    SchemaMismatch {
        /// The file.
        path: PathBuf,
        /// Its version.
        found: u32,
        /// The version this build reads.
        expected: u32,
    },
}

/// A run folder read back: its manifest and its results.
#[derive(Debug, Clone)]
pub struct RunFolder {
    /// The folder.
    pub path: PathBuf,
    /// manifest.json.
    pub manifest: RunManifest,
    /// The scenario × server results, in the manifest's order.
    pub results: Vec<ServerRunResult>,
    /// Result files that could not be read or parsed, as `path: reason`;
    /// the rest of the folder is compared without them.
    pub unreadable: Vec<String>,
}

fn read_versioned<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, RunFolderError> {
    let unreadable = |reason: String| RunFolderError::Unreadable {
        path: path.to_path_buf(),
        reason,
    };
    let text = std::fs::read_to_string(path).map_err(|e| unreadable(e.to_string()))?;
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| unreadable(format!("not valid JSON: {e}")))?;
    let found = value
        .get("schema_version")
        .and_then(serde_json::Value::as_u64)
        .ok_or_else(|| unreadable("no schema_version field: not a gauntlet result file".into()))?;
    if found != u64::from(SCHEMA_VERSION) {
        return Err(RunFolderError::SchemaMismatch {
            path: path.to_path_buf(),
            found: u32::try_from(found).unwrap_or(u32::MAX),
            expected: SCHEMA_VERSION,
        });
    }
    serde_json::from_value(value).map_err(|e| unreadable(format!("not a valid result: {e}")))
}

impl RunFolder {
    /// Reads `path`/manifest.json and every result file it lists. When the
    /// manifest lists none (a run that crashed early), the folder's
    /// `*.json` files other than the manifest are read instead.
    pub fn read(path: &Path) -> Result<Self, RunFolderError> {
        if !path.is_dir() {
            return Err(RunFolderError::Missing {
                path: path.to_path_buf(),
            });
        }
        let manifest_path = path.join("manifest.json");
        if !manifest_path.is_file() {
            return Err(RunFolderError::NotAResultFolder {
                path: path.to_path_buf(),
            });
        }
        let manifest: RunManifest = read_versioned(&manifest_path)?;
        let mut unreadable = Vec::new();
        let mut files: Vec<PathBuf> = Vec::new();
        for listed in &manifest.results {
            if crate::results::paths::is_plain_file_name(listed) {
                files.push(path.join(listed));
            } else {
                unreadable.push(format!(
                    "{}: {listed:?} is not a plain file name inside the folder (expected <scenario>__<server>.json)",
                    manifest_path.display()
                ));
            }
        }
        if manifest.results.is_empty() {
            let entries = std::fs::read_dir(path).map_err(|e| RunFolderError::Unreadable {
                path: path.to_path_buf(),
                reason: e.to_string(),
            })?;
            files = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    p.extension().is_some_and(|x| x == "json")
                        && p.file_name().is_some_and(|n| n != "manifest.json")
                        && !p
                            .file_name()
                            .is_some_and(|n| n.to_string_lossy().starts_with('.'))
                })
                .collect();
            files.sort();
        }
        let mut results = Vec::new();
        for file in &files {
            match read_versioned(file) {
                Ok(result) => results.push(result),
                // One corrupt or truncated file does not hide the others.
                Err(e @ RunFolderError::Unreadable { .. }) => unreadable.push(e.to_string()),
                Err(e) => return Err(e),
            }
        }
        Ok(RunFolder {
            path: path.to_path_buf(),
            manifest,
            results,
            unreadable,
        })
    }

    /// The runtime versions of this run, by server: the manifest's
    /// environment plus what each result recorded.
    fn runtimes(&self) -> std::collections::BTreeMap<String, String> {
        let mut runtimes = self.manifest.environment.runtimes.clone();
        for result in &self.results {
            if !result.server.runtime_version.is_empty() {
                runtimes
                    .entry(result.server.name.clone())
                    .or_insert_with(|| result.server.runtime_version.clone());
            }
        }
        runtimes
    }
}

/// A one-line description of a run status that is not `ok`.
pub fn status_note(status: &RunStatus) -> Option<String> {
    match status {
        RunStatus::Ok => None,
        RunStatus::Failed { reason, .. } => Some(format!("failed: {reason}")),
        RunStatus::Interrupted => Some("interrupted".into()),
        RunStatus::Skipped { reason } => Some(format!("skipped: {reason}")),
    }
}

/// Differences between two runs' environments that make their figures
/// incomparable (CPU model, core count, kernel, runtime versions of servers
/// present in both), one human-readable line each. Empty when comparable.
pub fn environment_differences(baseline: &RunFolder, current: &RunFolder) -> Vec<String> {
    let (a, b): (&Environment, &Environment) = (
        &baseline.manifest.environment,
        &current.manifest.environment,
    );
    let mut diffs = Vec::new();
    if a.cpu_model != b.cpu_model {
        diffs.push(format!("CPU model {:?} vs {:?}", a.cpu_model, b.cpu_model));
    }
    if a.logical_cpus != b.logical_cpus {
        diffs.push(format!(
            "logical CPUs {} vs {}",
            a.logical_cpus, b.logical_cpus
        ));
    }
    if a.kernel != b.kernel {
        diffs.push(format!("kernel {} vs {}", a.kernel, b.kernel));
    }
    let (ra, rb) = (baseline.runtimes(), current.runtimes());
    for (server, version) in &ra {
        if let Some(other) = rb.get(server) {
            if other != version {
                diffs.push(format!("{server} runtime {version:?} vs {other:?}"));
            }
        }
    }
    diffs
}
