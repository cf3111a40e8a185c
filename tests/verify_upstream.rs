//! `gauntlet upstream` as a user runs it: `--port 0` prints the chosen port,
//! GETs answer `ok` after the delay, SIGTERM stops it with status 0, and a
//! bad `--delay` is a usage error that names the flag, a busy `--port` a run
//! failure.

mod verify_support;

use std::path::Path;
use std::time::{Duration, Instant};

use gauntlet::verify::client::{send, target, Request};
use verify_support::Server;

#[test]
fn upstream_prints_its_port_delays_answers_and_stops_on_sigterm() {
    let binary = Path::new(env!("CARGO_BIN_EXE_gauntlet"));
    let mut command = std::process::Command::new(binary);
    command.args(["upstream", "--port", "0", "--delay", "50ms", "--seed", "3"]);
    let mut upstream = Server::start_command(command);
    assert!(
        upstream.banner.contains("delay 50ms..50ms"),
        "{}",
        upstream.banner
    );
    let target = target(&upstream.url).expect("printed address");

    let started = Instant::now();
    let response = send(&target, &Request::get("/item?i=0")).expect("response");
    assert!(started.elapsed() >= Duration::from_millis(50));
    assert_eq!(response.status, 200);
    assert_eq!(response.body, b"ok");

    let response = send(&target, &Request::post("/item", b"{}")).expect("response");
    assert_eq!(response.status, 405);

    let (status, _) = upstream
        .terminate(Duration::from_secs(2))
        .expect("exits within 2 s of SIGTERM");
    assert!(status.success(), "{status}");
}

#[test]
fn a_bad_delay_is_a_usage_error_naming_the_flag() {
    let output = assert_cmd::Command::cargo_bin("gauntlet")
        .expect("gauntlet binary")
        .args(["upstream", "--delay", "150ms..5ms"])
        .timeout(Duration::from_secs(10))
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("--delay") && stderr.contains("MIN..MAX"),
        "{stderr}"
    );
}

#[test]
fn a_port_already_taken_is_a_run_failure_not_a_usage_error() {
    // The flag is well formed; the port being busy is found while running,
    // so the error's variant says exit 1, and the message names the port.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    let port = taken.local_addr().expect("address").port().to_string();
    let output = assert_cmd::Command::cargo_bin("gauntlet")
        .expect("gauntlet binary")
        .args(["upstream", "--port", &port])
        .timeout(Duration::from_secs(10))
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with(&format!("Error: binding 127.0.0.1:{port} (--port): ")),
        "{stderr}"
    );
    assert!(output.stdout.is_empty(), "nothing listened");
}
