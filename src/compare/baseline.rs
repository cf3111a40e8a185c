//! Named baselines: a copy of a run folder kept under
//! `<results-root>/baselines/<name>/`, saved by `gauntlet run --save-baseline`
//! and found again by name by `compare` and `run --baseline`.

use std::fs;
use std::path::{Path, PathBuf};

use super::Error;
use crate::results::RunFolder;

/// The folder that holds every named baseline under `results_root`.
pub fn baselines_dir(results_root: &Path) -> PathBuf {
    results_root.join("baselines")
}

fn check_name(name: &str) -> Result<(), Error> {
    let valid = !name.is_empty()
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if valid {
        Ok(())
    } else {
        Err(Error::BaselineName {
            name: name.to_string(),
        })
    }
}

/// The names of the saved baselines, sorted.
pub fn list_baselines(results_root: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(baselines_dir(results_root))
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter(|e| e.path().join("manifest.json").is_file())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// Saves the run in `run_dir` as baseline `name`: its manifest and result
/// files are copied to `<results_root>/baselines/<name>/`, replacing a
/// baseline of that name. The copy is made in a temporary folder and renamed
/// into place, so a reader never sees half a baseline. Returns the folder.
pub fn save_baseline(run_dir: &Path, name: &str, results_root: &Path) -> Result<PathBuf, Error> {
    check_name(name)?;
    let run = RunFolder::open(run_dir)?;
    let dir = baselines_dir(results_root);
    fs::create_dir_all(&dir).map_err(step(|| format!("creating {}", dir.display())))?;
    let target = dir.join(name);
    let staging = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    if staging.exists() {
        fs::remove_dir_all(&staging)
            .map_err(step(|| format!("removing leftover {}", staging.display())))?;
    }
    fs::create_dir_all(&staging).map_err(step(|| format!("creating {}", staging.display())))?;
    let mut files = vec![PathBuf::from("manifest.json")];
    for listed in &run.manifest.results {
        // Only plain names: a crafted manifest must not copy from or write
        // to anywhere outside the two folders.
        if !crate::results::paths::is_plain_file_name(listed) {
            return Err(Error::UnsafeResultName {
                manifest: run_dir.join("manifest.json"),
                listed: listed.clone(),
            });
        }
        files.push(PathBuf::from(listed));
    }
    if run.manifest.results.is_empty() {
        // A manifest without a list: copy the result files the reader read.
        let found = crate::results::read::result_files_in(run_dir)
            .map_err(step(|| format!("reading {}", run_dir.display())))?;
        files.extend(
            found
                .iter()
                .filter_map(|p| p.file_name().map(PathBuf::from)),
        );
    }
    for file in &files {
        let (from, to) = (run_dir.join(file), staging.join(file));
        if let Some(parent) = to.parent() {
            fs::create_dir_all(parent)
                .map_err(step(|| format!("creating {}", parent.display())))?;
        }
        fs::copy(&from, &to).map_err(step(|| {
            format!("copying {} to {}", from.display(), to.display())
        }))?;
    }
    if target.exists() {
        let old = dir.join(format!(".{name}.old-{}", std::process::id()));
        fs::rename(&target, &old).map_err(step(|| {
            format!("moving the old baseline {} aside", target.display())
        }))?;
        fs::rename(&staging, &target).map_err(step(|| {
            format!("renaming {} to {}", staging.display(), target.display())
        }))?;
        fs::remove_dir_all(&old).map_err(step(|| format!("removing {}", old.display())))?;
    } else {
        fs::rename(&staging, &target).map_err(step(|| {
            format!("renaming {} to {}", staging.display(), target.display())
        }))?;
    }
    Ok(target)
}

/// Turns a file-system failure into [`Error::SaveBaseline`] naming the step.
fn step(what: impl FnOnce() -> String) -> impl FnOnce(std::io::Error) -> Error {
    move |source| Error::SaveBaseline {
        step: what(),
        source,
    }
}

/// Finds a baseline: `name_or_path` itself when it is a folder, otherwise
/// `<results_root>/baselines/<name_or_path>/`. An input error (exit 2)
/// listing the saved baselines when neither exists.
pub fn resolve_baseline(name_or_path: &Path, results_root: &Path) -> Result<PathBuf, Error> {
    if name_or_path.is_dir() {
        return Ok(name_or_path.to_path_buf());
    }
    let is_plain_name = name_or_path.components().count() == 1;
    if is_plain_name {
        let named = baselines_dir(results_root).join(name_or_path);
        if named.is_dir() {
            return Ok(named);
        }
    }
    let known = list_baselines(results_root);
    let known = if known.is_empty() {
        format!(
            "no baselines are saved under {} (save one with `gauntlet run ... --save-baseline NAME`)",
            baselines_dir(results_root).display()
        )
    } else {
        format!("saved baselines: {}", known.join(", "))
    };
    Err(Error::UnknownBaseline {
        given: name_or_path.to_path_buf(),
        known,
    })
}
