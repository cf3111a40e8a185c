//! Starts `$CHILDREN` (default 2) child processes (`sleep 600`) and serves
//! /plaintext. Tests use it to check that sampling covers the whole process
//! tree and that stopping the server leaves no process behind (the children
//! are reached only through the process group).

use gauntlet_testservers::mini::{env_u64, plaintext, serve};

fn main() -> std::io::Result<()> {
    let mut children = Vec::new();
    for _ in 0..env_u64("CHILDREN", 2) {
        children.push(std::process::Command::new("sleep").arg("600").spawn()?);
    }
    // If SIGTERM arrives, the default action ends this process; the children
    // are left to the supervisor's process-group kill.
    serve(plaintext)
}
