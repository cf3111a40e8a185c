//! The three Rust reference servers pass every check of the contract, and
//! stop on SIGTERM with status 0 within 2 seconds.

mod verify_support;

use std::time::Duration;

use gauntlet::servers::upstream::{spawn_upstream, DelayRange};
use gauntlet::verify::contract::check_contract;
use verify_support::{build_rust_servers, Server};

#[test]
fn rust_servers_pass_every_check_and_stop_on_sigterm() {
    let bin = build_rust_servers();
    let delay: DelayRange = "1ms..5ms".parse().expect("valid range");
    let upstream = spawn_upstream(delay, 7).expect("upstream starts");
    let upstream_url = upstream.url();
    for name in ["rust-hyper", "rust-hyper-single", "rust-threads"] {
        let mut server = Server::start(&bin.join(name), &[("UPSTREAM_URL", &upstream_url)]);
        let checks = check_contract(&server.url);
        let failed: Vec<_> = checks.iter().filter(|c| !c.passed).collect();
        assert!(failed.is_empty(), "{name} failed: {failed:#?}");
        assert!(
            checks.len() > 40,
            "{name}: only {} checks ran",
            checks.len()
        );
        assert!(server.is_running(), "{name} died during the checks");
        let (status, took) = server
            .terminate(Duration::from_secs(2))
            .unwrap_or_else(|| panic!("{name} did not exit within 2 s of SIGTERM"));
        assert!(status.success(), "{name} exited with {status}");
        eprintln!(
            "{name}: {} checks passed; SIGTERM exit 0 in {took:?}",
            checks.len()
        );
    }
}

#[test]
fn fanout_without_upstream_is_503() {
    let bin = build_rust_servers();
    for name in ["rust-hyper", "rust-threads"] {
        let server = Server::start(&bin.join(name), &[]);
        let target = gauntlet::verify::client::Target::parse(&server.url).expect("url");
        let response = gauntlet::verify::client::send(
            &target,
            &gauntlet::verify::client::Request::get("/fanout?n=1&deadline_ms=100"),
        )
        .expect("a response");
        assert_eq!(response.status, 503, "{name}");
    }
}
