//! Result files: the versioned schema ([`schema`], with [`warmup`] records and
//! typed [`warnings`]), atomic writes that never
//! leave a half-written file behind, and reading results back for report and
//! compare.

pub mod capacity;
pub mod environment;
pub mod fd_limit;
pub mod footprint;
pub mod schema;
pub mod warmup;
pub mod warnings;

use std::fs;
use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};
use serde::{de::DeserializeOwned, Serialize};

pub use capacity::{CapacityEnd, CapacityResult, CapacityStep, ClauseMiss, StepKind};
pub use fd_limit::FdLimitRecord;
pub use footprint::{Footprint, FootprintEntry};
pub use schema::*;
pub use warmup::{WarmupMode, WarmupRecord};
pub use warnings::Warning;

/// The running Gauntlet build, for stamping result files.
pub fn tool_info() -> ToolInfo {
    ToolInfo {
        version: env!("CARGO_PKG_VERSION").to_string(),
        git_commit: option_env!("GAUNTLET_GIT_COMMIT")
            .filter(|c| !c.is_empty())
            .map(str::to_string),
    }
}

/// Writes `value` as pretty JSON to `path` atomically: the data goes to a
/// temporary file in the same folder, is flushed to disk, then renamed over
/// `path`, so a reader sees either the old file or the whole new one.
pub fn write_json_atomic<T: Serialize>(path: &Path, value: &T) -> Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(dir).with_context(|| format!("creating folder {}", dir.display()))?;
    let file_name = path
        .file_name()
        .with_context(|| format!("{} has no file name", path.display()))?;
    let tmp = dir.join(format!(
        ".{}.tmp-{}",
        file_name.to_string_lossy(),
        std::process::id()
    ));
    let mut file = fs::File::create(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
    serde_json::to_writer_pretty(&mut file, value)
        .with_context(|| format!("writing {}", tmp.display()))?;
    file.write_all(b"\n")?;
    file.sync_all()
        .with_context(|| format!("flushing {}", tmp.display()))?;
    drop(file);
    fs::rename(&tmp, path)
        .with_context(|| format!("renaming {} to {}", tmp.display(), path.display()))?;
    Ok(())
}

/// Reads a JSON result file, naming the file in any error.
pub fn read_json<T: DeserializeOwned>(path: &Path) -> Result<T> {
    let text = fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))
}
