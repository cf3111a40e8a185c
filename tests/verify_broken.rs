//! The contract checker catches a wrong server: the deliberately broken test
//! server's three faults each show up as a failed check whose difference
//! says what was expected and what came back.

mod verify_support;

use std::time::Duration;

use gauntlet::verify::contract::{check_contract, EndpointCheck};
use verify_support::{cargo_build, target_dir, Server};

fn find<'a>(checks: &'a [EndpointCheck], name: &str) -> &'a EndpointCheck {
    checks
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no check named {name:?} in {checks:#?}"))
}

#[test]
fn checker_reports_each_fault_of_the_broken_server() {
    cargo_build(&["-p", "gauntlet-testservers", "--bin", "broken-server"]);
    let mut server = Server::start(&target_dir().join("debug/broken-server"), &[]);
    let checks = check_contract(&server.url);

    let plaintext = find(&checks, "GET /plaintext");
    assert!(!plaintext.passed);
    let detail = plaintext.detail.as_deref().unwrap_or_default();
    assert!(
        detail.contains("Content-Type: expected text/plain") && detail.contains("text/html"),
        "{detail}"
    );

    let json = find(&checks, "GET /json");
    assert!(!json.passed);
    let detail = json.detail.as_deref().unwrap_or_default();
    assert!(
        detail.contains(r#"{"message":"Hello, World!"}"#)
            && detail.contains(r#"{"message":"Hello, world"}"#),
        "the difference shows both bodies: {detail}"
    );

    // Checks the broken server gets right pass, so failures are specific.
    assert!(find(&checks, "GET /cpu?n=100").passed);
    assert!(find(&checks, "POST /echo (object)").passed);
    assert!(find(&checks, "GET /cpu?n=-1 (400)").passed);

    let crash = find(&checks, "GET /cpu?n=abc (400)");
    assert!(!crash.passed);
    let detail = crash.detail.as_deref().unwrap_or_default();
    assert!(
        detail.contains("no valid response") && detail.contains("no longer answers"),
        "{detail}"
    );
    assert!(
        server.exits_within(Duration::from_secs(10)),
        "the broken server really crashed"
    );
}

#[test]
fn verify_url_prints_the_table_and_exits_1_on_failure() {
    cargo_build(&["-p", "gauntlet-testservers", "--bin", "broken-server"]);
    let server = Server::start(&target_dir().join("debug/broken-server"), &[]);
    let output = assert_cmd::Command::cargo_bin("gauntlet")
        .expect("gauntlet binary")
        .args(["verify", "--url", &server.url])
        .timeout(std::time::Duration::from_secs(120))
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let json_line = stdout
        .lines()
        .find(|l| l.starts_with("GET /json "))
        .unwrap_or_else(|| panic!("no GET /json row in\n{stdout}"));
    assert!(
        json_line.contains("FAIL") && json_line.contains("expected"),
        "{json_line}"
    );
    assert!(stdout.contains("failed"), "{stdout}");
}

#[test]
fn verify_url_rejects_a_malformed_url_with_exit_2() {
    let output = assert_cmd::Command::cargo_bin("gauntlet")
        .expect("gauntlet binary")
        .args(["verify", "--url", "127.0.0.1:8080"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("--url") && stderr.contains("http://"),
        "{stderr}"
    );
}

#[test]
fn verify_url_json_lists_every_check_with_its_verdict() {
    cargo_build(&["-p", "gauntlet-testservers", "--bin", "broken-server"]);
    let server = Server::start(&target_dir().join("debug/broken-server"), &[]);
    let output = assert_cmd::Command::cargo_bin("gauntlet")
        .expect("gauntlet binary")
        .args(["verify", "--url", &server.url, "--json"])
        .timeout(std::time::Duration::from_secs(120))
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON on stdout");
    assert_eq!(doc["passed"], false);
    let checks = doc["checks"].as_array().expect("checks array");
    let json = checks
        .iter()
        .find(|c| c["name"] == "GET /json")
        .expect("GET /json check");
    assert_eq!(json["passed"], false);
    assert!(json["detail"]
        .as_str()
        .is_some_and(|d| d.contains("Hello, world")));
    let echo = checks
        .iter()
        .find(|c| c["name"] == "POST /echo (object)")
        .expect("echo check");
    assert_eq!(echo["passed"], true);
    assert!(echo["detail"].is_null());
}
