//! What the three Rust reference servers share, so that they differ only in
//! their concurrency model: the routing and replies of
//! `reference-servers/CONTRACT.md` ([`api`]), the CPU and allocation work
//! ([`work`]), and, with the `hyper` feature, the hyper server that
//! `rust-hyper` and `rust-hyper-single` run on their two tokio runtimes
//! ([`hyper_app`]). `rust-threads` uses only [`api`] and [`work`].
#![deny(missing_docs)]

pub mod api;
#[cfg(feature = "hyper")]
pub mod hyper_app;
pub mod work;

/// The port to bind, from `$PORT` (0 if unset: any free port).
pub fn port_from_env() -> Result<u16, String> {
    match std::env::var("PORT") {
        Err(_) => Ok(0),
        Ok(text) => text
            .trim()
            .parse()
            .map_err(|_| format!("PORT must be a port number 0-65535, got {text:?}")),
    }
}
