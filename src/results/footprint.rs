//! The deployable footprint of a server, as stored in its result: the bytes
//! on disk a deployment needs (binary; or runtime + application +
//! dependencies), summed over the paths of its manifest's `footprint` key
//! (measured by `crate::servers::footprint`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One `footprint` entry of the manifest, resolved and measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FootprintEntry {
    /// The entry as written in the manifest (placeholders unexpanded but
    /// for `{server_dir}`, `{target_dir}` and `{workspace}`).
    pub entry: String,
    /// The path it resolved to (absent when it could not be resolved).
    pub path: Option<String>,
    /// True for an exclusion (`!` prefix): its bytes are subtracted.
    pub exclude: bool,
    /// Bytes of the regular files under it (a file: its size).
    pub bytes: u64,
    /// Regular files counted.
    pub files: u64,
    /// Why it could not be measured, when it could not.
    pub error: Option<String>,
}

/// The deployable footprint of one server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Footprint {
    /// Total bytes: included entries minus excluded ones (every file counted
    /// once, however many entries or hard links reach it).
    pub bytes: u64,
    /// Regular files counted in `bytes`.
    pub files: u64,
    /// Every entry with what it contributed.
    pub entries: Vec<FootprintEntry>,
    /// False when an entry could not be resolved or read: `bytes` is then
    /// a partial sum, and the claims evaluator does not use it.
    pub complete: bool,
}
