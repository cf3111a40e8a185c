//! Reading result files back: the one reader that `report`, `compare`,
//! `claims` and `merge` share. [`RunFolder::open`] reads a run folder
//! (manifest.json plus every result it lists), [`RunFolder::open_any`] also
//! takes a folder without a manifest or a single result file (what `gauntlet
//! report` accepts), and [`read_versioned`] reads any one file.
//!
//! The schema-version check lives here and only here ([`check_schema_version`]):
//! a file written by another schema version is refused with the same message
//! whichever command reads it. A result file that is corrupt or truncated does
//! not hide the rest of its folder: it is listed in [`RunFolder::unreadable`]
//! with the reason, and the other results are read.

use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

use super::{paths, RunManifest, RunStatus, ServerRunResult, SCHEMA_VERSION};

/// The name of a run folder's manifest.
pub const MANIFEST: &str = "manifest.json";

/// Why a folder or file could not be read as results.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
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
    /// A folder without a manifest and without any readable result in it.
    #[error(
        "{path} holds no result files (expected manifest.json and <scenario>__<server>.json files)"
    )]
    Empty {
        /// The folder.
        path: PathBuf,
    },
    /// A file could not be read, or is not valid JSON or not a valid result.
    #[error("{path}: {reason}")]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },
    /// A JSON file that is not a Gauntlet result (it has no schema version).
    #[error("{path} is not a Gauntlet result file: it has no schema_version field")]
    NotAResult {
        /// The file.
        path: PathBuf,
    },
    /// A file was written with another schema version.
    #[error("{path} has schema version {found}, this build of gauntlet reads version {expected}; use results written by the same gauntlet version (or re-run, and re-save a baseline)")]
    SchemaMismatch {
        /// The file.
        path: PathBuf,
        /// Its version.
        found: u64,
        /// The version this build reads.
        expected: u32,
    },
}

/// Every way of failing to read results concerns a folder or file the user
/// named (or one a manifest they named lists): an input error, exit 2.
impl crate::exit::Classify for ReadError {
    fn is_input(&self) -> bool {
        true
    }
}

impl ReadError {
    /// True when the error concerns one file of a folder that can be left
    /// out (the rest is still read); false when the whole input is refused
    /// (another schema version, or no folder at all).
    pub fn is_one_bad_file(&self) -> bool {
        matches!(
            self,
            ReadError::Unreadable { .. } | ReadError::NotAResult { .. }
        )
    }
}

/// Checks the `schema_version` of a parsed result document (`path` names it
/// in the error). The one place where Gauntlet decides which versions it
/// reads.
pub fn check_schema_version(path: &Path, value: &serde_json::Value) -> Result<(), ReadError> {
    let found = value
        .get("schema_version")
        .and_then(serde_json::Value::as_u64)
        .ok_or_else(|| ReadError::NotAResult {
            path: path.to_path_buf(),
        })?;
    if found != u64::from(SCHEMA_VERSION) {
        return Err(ReadError::SchemaMismatch {
            path: path.to_path_buf(),
            found,
            expected: SCHEMA_VERSION,
        });
    }
    Ok(())
}

/// Parses `text` (the content of `path`) as a result document of this
/// schema version: JSON, then the version check, then the type.
pub fn parse_versioned<T: DeserializeOwned>(path: &Path, text: &str) -> Result<T, ReadError> {
    let unreadable = |reason: String| ReadError::Unreadable {
        path: path.to_path_buf(),
        reason,
    };
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| unreadable(format!("not valid JSON: {e}")))?;
    check_schema_version(path, &value)?;
    serde_json::from_value(value).map_err(|e| unreadable(format!("not a valid result: {e}")))
}

/// Reads one result document (a server result, a manifest, a `bench --json`
/// report) of this schema version.
pub fn read_versioned<T: DeserializeOwned>(path: &Path) -> Result<T, ReadError> {
    let text = std::fs::read_to_string(path).map_err(|e| ReadError::Unreadable {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    parse_versioned(path, &text)
}

/// The result files of a folder that has no list of them: every `*.json`
/// other than the manifest and hidden files (an atomic write's temporary
/// file starts with `.`), sorted by name.
pub fn result_files_in(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension().is_some_and(|x| x == "json")
                && p.file_name()
                    .is_some_and(|n| n != MANIFEST && !n.to_string_lossy().starts_with('.'))
        })
        .collect();
    files.sort();
    Ok(files)
}

/// A run read back: its manifest and its results.
#[derive(Debug, Clone)]
pub struct RunFolder {
    /// The folder (or, from [`RunFolder::open_any`], the result file) read.
    pub path: PathBuf,
    /// manifest.json; when [`has_manifest`](Self::has_manifest) is false,
    /// one made from the first result (its run id, environment and the time
    /// its first repetition began).
    pub manifest: RunManifest,
    /// False when the input had no manifest.json (a single result file, or
    /// a folder of results without one).
    pub has_manifest: bool,
    /// The scenario × server results, in the manifest's order.
    pub results: Vec<ServerRunResult>,
    /// Result files the manifest lists that do not exist (a run that
    /// crashed while writing one), as paths.
    pub missing: Vec<String>,
    /// Result files that could not be read or parsed, as `path: reason`;
    /// the rest of the folder is read without them.
    pub unreadable: Vec<String>,
}

impl RunFolder {
    /// Reads `path`/manifest.json and every result file it lists. When the
    /// manifest lists none (a run that crashed early), the folder's
    /// `*.json` files other than the manifest are read instead. A folder
    /// without manifest.json is refused.
    pub fn open(path: &Path) -> Result<Self, ReadError> {
        if !path.is_dir() {
            return Err(ReadError::Missing {
                path: path.to_path_buf(),
            });
        }
        let manifest_path = path.join(MANIFEST);
        if !manifest_path.is_file() {
            return Err(ReadError::NotAResultFolder {
                path: path.to_path_buf(),
            });
        }
        let manifest: RunManifest = read_versioned(&manifest_path)?;
        let mut unreadable = Vec::new();
        let mut missing = Vec::new();
        let mut files: Vec<PathBuf> = Vec::new();
        for listed in &manifest.results {
            if !paths::is_plain_file_name(listed) {
                unreadable.push(format!(
                    "{}: {listed:?} is not a plain file name inside the folder (expected <scenario>__<server>.json)",
                    manifest_path.display()
                ));
            } else if !path.join(listed).exists() {
                missing.push(path.join(listed).display().to_string());
            } else {
                files.push(path.join(listed));
            }
        }
        if manifest.results.is_empty() {
            files = result_files_in(path).map_err(|e| ReadError::Unreadable {
                path: path.to_path_buf(),
                reason: e.to_string(),
            })?;
        }
        let (results, bad) = read_results(&files)?;
        unreadable.extend(bad);
        Ok(RunFolder {
            path: path.to_path_buf(),
            manifest,
            has_manifest: true,
            results,
            missing,
            unreadable,
        })
    }

    /// What `gauntlet report` reads: a run folder as [`open`](Self::open)
    /// does, a folder of result files without a manifest, or one result
    /// file. Without a manifest, one is made from the first result.
    pub fn open_any(path: &Path) -> Result<Self, ReadError> {
        if path.is_file() {
            let result: ServerRunResult = read_versioned(path)?;
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            return Ok(Self::without_manifest(
                path,
                vec![result],
                vec![name],
                Vec::new(),
            ));
        }
        if !path.is_dir() {
            return Err(ReadError::Missing {
                path: path.to_path_buf(),
            });
        }
        if path.join(MANIFEST).is_file() {
            return Self::open(path);
        }
        let files = result_files_in(path).map_err(|e| ReadError::Unreadable {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })?;
        let (results, unreadable) = read_results(&files)?;
        if results.is_empty() {
            return Err(ReadError::Empty {
                path: path.to_path_buf(),
            });
        }
        let names = files
            .iter()
            .filter_map(|f| f.file_name().map(|n| n.to_string_lossy().into_owned()))
            .collect();
        Ok(Self::without_manifest(path, results, names, unreadable))
    }

    fn without_manifest(
        path: &Path,
        results: Vec<ServerRunResult>,
        names: Vec<String>,
        unreadable: Vec<String>,
    ) -> Self {
        let first = &results[0];
        let manifest = RunManifest {
            schema_version: SCHEMA_VERSION,
            run_id: first.run_id.clone(),
            started_at: first
                .repetitions
                .first()
                .map(|r| r.load.started_at.clone())
                .unwrap_or_default(),
            finished_at: None,
            command_line: Vec::new(),
            scenario_files: Vec::new(),
            environment: first.environment.clone(),
            results: names,
            interrupted: results
                .iter()
                .any(|r| matches!(r.status, RunStatus::Interrupted)),
        };
        RunFolder {
            path: path.to_path_buf(),
            manifest,
            has_manifest: false,
            results,
            missing: Vec::new(),
            unreadable,
        }
    }

    /// Every file left out, one line each: the unreadable ones with their
    /// reason, then those the manifest lists but that were not found.
    pub fn problems(&self) -> Vec<String> {
        self.unreadable
            .iter()
            .cloned()
            .chain(
                self.missing
                    .iter()
                    .map(|m| format!("{m}: listed in {MANIFEST} but not found")),
            )
            .collect()
    }
}

/// Reads each file; one that is corrupt or truncated is listed as
/// `path: reason` and does not hide the others, but a file of another
/// schema version refuses the whole input.
fn read_results(files: &[PathBuf]) -> Result<(Vec<ServerRunResult>, Vec<String>), ReadError> {
    let mut results = Vec::new();
    let mut unreadable = Vec::new();
    for file in files {
        match read_versioned(file) {
            Ok(result) => results.push(result),
            Err(e) if e.is_one_bad_file() => unreadable.push(e.to_string()),
            Err(e) => return Err(e),
        }
    }
    Ok((results, unreadable))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_this_schema_version_is_read() {
        let p = Path::new("r.json");
        assert!(check_schema_version(p, &json!({ "schema_version": SCHEMA_VERSION })).is_ok());
        let other =
            check_schema_version(p, &json!({ "schema_version": SCHEMA_VERSION + 1 })).unwrap_err();
        assert!(
            matches!(other, ReadError::SchemaMismatch { found, .. } if found == u64::from(SCHEMA_VERSION) + 1)
        );
        assert!(other.to_string().starts_with("r.json has schema version"));
        assert!(!other.is_one_bad_file());
        let none = check_schema_version(p, &json!({ "hello": 1 })).unwrap_err();
        assert!(matches!(none, ReadError::NotAResult { .. }));
        assert!(none.is_one_bad_file());
        let cut = parse_versioned::<RunManifest>(p, "{\"schema_version\": 2, \"run").unwrap_err();
        assert!(cut.to_string().contains("not valid JSON"), "{cut}");
    }

    #[test]
    fn a_missing_path_and_a_folder_without_manifest_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let err = RunFolder::open(dir.path()).unwrap_err();
        assert!(matches!(err, ReadError::NotAResultFolder { .. }));
        let err = RunFolder::open_any(dir.path()).unwrap_err();
        assert!(matches!(err, ReadError::Empty { .. }), "{err}");
        let gone = dir.path().join("gone");
        assert!(matches!(
            RunFolder::open(&gone).unwrap_err(),
            ReadError::Missing { .. }
        ));
    }
}
