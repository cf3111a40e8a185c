//! `rust-hyper`: the contract on hyper 1 and tokio's multi-thread runtime,
//! one worker thread per CPU with work stealing. Everything but the choice of
//! runtime lives in `rust_common::hyper_app`.

use std::process::ExitCode;

fn main() -> ExitCode {
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut runtime = tokio::runtime::Builder::new_multi_thread();
    runtime.worker_threads(workers);
    rust_common::hyper_app::run(
        runtime,
        &format!("tokio multi-thread, {workers} worker threads, hyper 1"),
    )
}
