//! Reference servers: the registry read from `reference-servers/*/server.toml`,
//! toolchain detection, cached builds, the `servers` listing and the
//! `upstream` server that /fanout calls.

pub mod list;
pub mod upstream;
