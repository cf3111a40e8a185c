//! Small servers for Gauntlet's tests and benchmark scripts. Each binary under
//! `src/bin/` is one deliberately simple (or deliberately misbehaving) server;
//! all of them bind the port given in `$PORT` (0 = any free port) on
//! 127.0.0.1 and print `listening on <addr>` once ready.

/// The port to bind, from `$PORT` (default 0: let the OS choose).
pub fn port_from_env() -> u16 {
    std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(0)
}

pub mod mini;
