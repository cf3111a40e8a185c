//! Result files: the versioned schema ([`schema`], with [`warmup`] records and
//! typed [`warnings`]), atomic writes that never leave a half-written file
//! behind, writing a run folder ([`write::RunWriter`]) and reading results
//! back ([`read::RunFolder`], the one reader of report, compare, claims and
//! merge, with the one schema-version check).

pub mod capacity;
pub mod environment;
pub mod fd_limit;
pub mod footprint;
pub mod json_schema;
pub mod paths;
pub mod read;
pub mod schema;
pub mod shard;
pub mod warmup;
pub mod warnings;
pub mod write;

use std::fs;
use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::{de::DeserializeOwned, Serialize};

pub use capacity::{CapacityEnd, CapacityResult, CapacityStep, ClauseMiss, StepKind};
pub use fd_limit::FdLimitRecord;
pub use footprint::{Footprint, FootprintEntry};
pub use read::{ReadError, RunFolder};
pub use schema::*;
pub use shard::{MergeRecord, ShardInterval, ShardRecord, ShardRow};
pub use warmup::{WarmupMode, WarmupRecord};
pub use warnings::Warning;
pub use write::{RunWriter, WriteError};

/// The running Gauntlet build, for stamping result files.
pub fn tool_info() -> ToolInfo {
    ToolInfo {
        version: env!("CARGO_PKG_VERSION").to_string(),
        git_commit: option_env!("GAUNTLET_GIT_COMMIT")
            .filter(|c| !c.is_empty())
            .map(str::to_string),
    }
}

/// Writes `value` as pretty JSON to `path` atomically (see [`write_atomic`]).
pub fn write_json_atomic<T: Serialize>(path: &Path, value: &T) -> Result<(), WriteError> {
    let mut bytes = serde_json::to_vec_pretty(value).map_err(|source| WriteError::Serialize {
        path: path.to_path_buf(),
        source,
    })?;
    bytes.push(b'\n');
    write_atomic(path, &bytes).map_err(|source| WriteError::Write {
        path: path.to_path_buf(),
        source,
    })
}

/// Writes `bytes` to `path` atomically: the data goes to a temporary file in
/// the same folder (created as needed), is flushed to disk, then renamed over
/// `path`, so a reader sees either the old file or the whole new one. On any
/// failure (a full disk, say) the temporary file is removed and `path` is
/// left as it was; the error is the system's (callers name the path).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(dir)?;
    let file_name = path.file_name().ok_or_else(|| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "the path has no file name",
        )
    })?;
    let tmp = dir.join(format!(
        ".{}.tmp-{}-{}",
        file_name.to_string_lossy(),
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let written = (|| {
        let mut file = fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        fs::rename(&tmp, path)
    })();
    if written.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    written
}

/// Reads one result file of this schema version (a server result, a
/// manifest, a `bench --json` report) through [`read::read_versioned`],
/// naming the file in any error.
pub fn read_json<T: DeserializeOwned>(path: &Path) -> Result<T, ReadError> {
    read::read_versioned(path)
}
