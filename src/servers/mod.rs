//! Reference servers: the registry read from `reference-servers/*/server.toml`,
//! toolchain detection, cached builds, the `servers` listing and the
//! `upstream` server that /fanout calls.

pub mod build;
pub mod error;
pub mod footprint;
pub mod list;
pub mod manifest;
pub mod registry;
pub mod tier;
pub mod upstream;

pub use build::BuildError;
pub use error::Error;
pub use manifest::{ManifestError, Placeholders, ServerManifest};
pub use registry::{find_executable, Registry, ServerEntry, SERVERS_DIR_ENV};
pub use tier::{KnownServer, Tier};
