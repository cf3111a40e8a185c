//! How a scenario's `"fd_limit"` connection counts were derived from the
//! machine's open-files limit, as stored in the result, so a reader sees
//! what "the largest concurrency the machine allows" was here.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The open-files limit and the counts derived from it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct FdLimitRecord {
    /// RLIMIT_NOFILE (hard limit, which `gauntlet run` raises the soft one
    /// to) of the generator; servers inherit it.
    pub rlimit_nofile: u64,
    /// Descriptors left for everything but the connections (the process's
    /// own files, sockets, pipes).
    pub headroom: u64,
    /// `load.connections` when it was `"fd_limit"`.
    pub connections: Option<u32>,
    /// `idle_connections` when it was `"fd_limit"`.
    pub idle_connections: Option<u32>,
}
