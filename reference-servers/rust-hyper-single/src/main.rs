//! `rust-hyper-single`: the contract on hyper 1 and tokio's current-thread
//! runtime, so every connection, timer and upstream call shares one event
//! loop on one thread (the model Node.js uses). Everything but the choice of
//! runtime lives in `rust_common::hyper_app`.

use std::process::ExitCode;

fn main() -> ExitCode {
    rust_common::hyper_app::run(
        tokio::runtime::Builder::new_current_thread(),
        "tokio current-thread, 1 event loop thread, hyper 1",
    )
}
