//! `gauntlet verify SERVER...` as a user sees it, on test servers: a server
//! that breaks the contract is failed with the differences shown, a missing
//! toolchain is skipped (or failed under --require-all), a failed build and a
//! server that dies at start are reported with their output, an unknown name
//! lists the known ones.

mod supervise_support;

use assert_cmd::Command;
use predicates::prelude::*;
use supervise_support::{write_servers, Spec};

fn fixtures(root: &std::path::Path) -> std::path::PathBuf {
    // Answers GET /plaintext correctly and 404 to everything else.
    let partial = Spec::testserver("partial", "slow-start", &[("START_DELAY_MS", "0")]);
    let mut missing = Spec::testserver("no-toolchain", "slow-start", &[]);
    missing.requires = vec!["no-such-runtime-gauntlet"];
    let mut bad_build = Spec::testserver("bad-build", "slow-start", &[]);
    bad_build.build = vec![
        "sh",
        "-c",
        "echo 'error[E0001]: the compiler is unhappy' >&2; exit 101",
    ];
    let dies = Spec::testserver("dies", "exit-early", &[("EXIT_CODE", "3")]);
    write_servers(root, &[partial, missing, bad_build, dies])
}

fn verify(dir: &std::path::Path) -> Command {
    let mut cmd = Command::cargo_bin("gauntlet").unwrap();
    cmd.env("GAUNTLET_SERVERS_DIR", dir)
        .env_remove("GAUNTLET_REQUIRE_RUNTIMES")
        .timeout(std::time::Duration::from_secs(120))
        .arg("verify");
    cmd
}

#[test]
fn a_server_that_breaks_the_contract_fails_with_the_differences() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = fixtures(tmp.path());
    let out = verify(&dir).arg("partial").output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    let line = |prefix: &str| {
        stdout
            .lines()
            .find(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("no line {prefix:?} in:\n{stdout}"))
            .to_string()
    };
    line("== partial (test-runtime 1.2.3)");
    assert!(line("GET /plaintext ").contains("pass"));
    let json = line("GET /json ");
    assert!(json.contains("FAIL") && json.contains("404"), "{json}");
    assert!(line("startup line on stdout").contains("pass"));
    // The test server does not handle SIGTERM: it dies of the signal.
    let sigterm = line("SIGTERM stops it");
    assert!(
        sigterm.contains("FAIL") && sigterm.contains("signal 15"),
        "{sigterm}"
    );
    let summary = line("partial  ");
    assert!(
        summary.contains("test-runtime 1.2.3") && summary.contains("FAILED:"),
        "{summary}"
    );
    assert!(summary.contains("checks failed"), "{summary}");
}

#[test]
fn a_missing_toolchain_is_skipped_unless_all_are_required() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = fixtures(tmp.path());
    verify(&dir)
        .arg("no-toolchain")
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "skipped: not found on PATH: no-such-runtime-gauntlet",
        ));
    verify(&dir)
        .args(["no-toolchain", "--require-all"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "FAILED: not found on PATH: no-such-runtime-gauntlet",
        ));
    verify(&dir)
        .arg("no-toolchain")
        .env("GAUNTLET_REQUIRE_RUNTIMES", "1")
        .assert()
        .code(1);
}

#[test]
fn a_failed_build_and_a_server_dying_at_start_show_their_output() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = fixtures(tmp.path());
    verify(&dir)
        .args(["bad-build", "dies"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("building bad-build failed"))
        .stdout(predicate::str::contains(
            "error[E0001]: the compiler is unhappy",
        ))
        .stdout(predicate::str::contains(
            "dies exited before it was ready (exit status: 3)",
        ))
        .stdout(predicate::str::contains(
            "exit-early: dying now with code 3",
        ));
}

#[test]
fn an_unknown_server_lists_the_known_ones_and_exits_2() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = fixtures(tmp.path());
    verify(&dir)
        .args(["partial", "nope"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "unknown server \"nope\"; known servers: bad-build, dies, no-toolchain, partial",
        ))
        .stdout(predicate::str::is_empty());
}

#[test]
fn json_output_carries_every_verdict() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = fixtures(tmp.path());
    let out = verify(&dir)
        .args(["no-toolchain", "partial", "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let verdicts: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let verdicts = verdicts.as_array().unwrap();
    assert_eq!(verdicts.len(), 2);
    assert_eq!(verdicts[0]["server"], "no-toolchain");
    assert_eq!(verdicts[0]["status"], "skipped");
    assert_eq!(verdicts[1]["status"], "failed");
    assert!(verdicts[1]["startup_ms"].as_f64().unwrap() > 0.0);
    let checks = verdicts[1]["checks"].as_array().unwrap();
    let plaintext = checks
        .iter()
        .find(|c| c["name"] == "GET /plaintext")
        .unwrap();
    assert_eq!(plaintext["passed"], true);
    assert!(checks.iter().any(|c| c["passed"] == false));
}

#[test]
fn a_manifest_ready_timeout_is_how_long_verify_waits() {
    let tmp = tempfile::tempdir().unwrap();
    // Ready only after 20 s; its manifest gives it 1 s, so verify must give
    // up after about a second (not verify's default of 60 s) and say so.
    let mut slow = Spec::testserver("slow", "slow-start", &[("START_DELAY_MS", "20000")]);
    slow.extra = "ready_timeout = \"1s\"";
    let dir = supervise_support::write_servers(tmp.path(), &[slow]);
    let started = std::time::Instant::now();
    let out = verify(&dir).arg("slow").output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("not ready after 1s"), "{stdout}");
    assert!(started.elapsed() < std::time::Duration::from_secs(15));

    // A bad duration is refused with the key and the expected form.
    let mut bad = Spec::testserver("bad", "slow-start", &[]);
    bad.extra = "ready_timeout = \"soon\"";
    let dir = supervise_support::write_servers(&tmp.path().join("b"), &[bad]);
    let out = verify(&dir).arg("bad").output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("ready_timeout") && stderr.contains("expected e.g. \"180s\""),
        "{stderr}"
    );
}
