//! What can go wrong finding the reference servers and running the upstream:
//! one enum, each variant saying by itself whether the user is to fix it
//! (exit 2) or it failed while running (exit 1).

use std::path::PathBuf;

use super::registry::SERVERS_DIR_ENV;
use super::ManifestError;

/// Why the registry could not be read, a server was not found, or the
/// upstream could not start.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No `reference-servers/` in the current folder or above, and no
    /// `$GAUNTLET_SERVERS_DIR`: the user runs Gauntlet from the wrong place.
    #[error(
        "no reference-servers/ folder in {cwd} or any folder above it; run Gauntlet \
         from its repository or set ${SERVERS_DIR_ENV} to a folder of servers"
    )]
    NoServersFolder {
        /// The folder Gauntlet was run from.
        cwd: PathBuf,
    },
    /// The folder `$GAUNTLET_SERVERS_DIR` names could not be read as servers;
    /// whose fault it is, is the inner error's.
    #[error("reading servers from ${SERVERS_DIR_ENV}")]
    FromEnv(#[source] Box<Error>),
    /// The current folder cannot be read (deleted under us, say).
    #[error("reading the current folder")]
    CurrentFolder(#[source] std::io::Error),
    /// The servers folder does not exist or cannot be resolved.
    #[error("server folder {path}")]
    Folder {
        /// The folder as given.
        path: PathBuf,
        /// The system's reason.
        #[source]
        source: std::io::Error,
    },
    /// The servers folder cannot be listed.
    #[error("listing {path}")]
    Listing {
        /// The folder.
        path: PathBuf,
        /// The system's reason.
        #[source]
        source: std::io::Error,
    },
    /// A `server.toml` is unreadable or invalid (its message names the file
    /// and the key).
    #[error("bad server manifest: {0}")]
    BadManifest(ManifestError),
    /// No server of that name; the message lists the known ones.
    #[error("unknown server {name:?}{known}")]
    UnknownServer {
        /// The name asked for.
        name: String,
        /// `; known servers: a, b`, or where there are none.
        known: String,
    },
    /// The upstream's tokio runtime could not start.
    #[error("starting the upstream's tokio runtime")]
    UpstreamRuntime(#[source] std::io::Error),
    /// No free port on the loopback interface for the upstream.
    #[error("binding the upstream to 127.0.0.1:0")]
    UpstreamBind(#[source] std::io::Error),
    /// The bound socket could not be set up (non-blocking, local address).
    #[error(transparent)]
    UpstreamSocket(std::io::Error),
    /// The upstream's thread could not be spawned.
    #[error("spawning the upstream thread")]
    UpstreamThread(#[source] std::io::Error),
    /// `gauntlet servers --json`: the listing could not be serialized.
    #[error(transparent)]
    Json(serde_json::Error),
    /// `gauntlet upstream`'s tokio runtime could not start.
    #[error("starting the tokio runtime")]
    Runtime(#[source] std::io::Error),
    /// `gauntlet upstream --port` could not be bound (in use, say): a run
    /// failure, as it always was, since the port was free when the user
    /// chose it for all we know.
    #[error("binding 127.0.0.1:{port} (--port)")]
    Bind {
        /// The port asked for.
        port: u16,
        /// The system's reason.
        #[source]
        source: std::io::Error,
    },
}

impl crate::exit::Classify for Error {
    fn is_input(&self) -> bool {
        match self {
            Error::NoServersFolder { .. } | Error::BadManifest(_) | Error::UnknownServer { .. } => {
                true
            }
            Error::FromEnv(inner) => inner.is_input(),
            Error::CurrentFolder(_)
            | Error::Folder { .. }
            | Error::Listing { .. }
            | Error::UpstreamRuntime(_)
            | Error::UpstreamBind(_)
            | Error::UpstreamSocket(_)
            | Error::UpstreamThread(_)
            | Error::Json(_)
            | Error::Runtime(_)
            | Error::Bind { .. } => false,
        }
    }
}
