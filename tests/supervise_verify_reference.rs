//! LONG (builds every reference server, minutes from a clean machine; each
//! step is bounded: builds 30 min, readiness 60 s, each contract request its
//! own timeout): `gauntlet verify` on every reference server of this checkout
//! whose toolchain is present. With `GAUNTLET_REQUIRE_RUNTIMES` true (`1`,
//! `true`, `yes`, …; CI sets it) every server must be verified, none skipped.

use assert_cmd::Command;
use gauntlet::servers::Registry;

#[test]
fn long_verify_passes_on_every_reference_server_here() {
    let registry = Registry::from_dir(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("reference-servers"),
    )
    .unwrap();
    let require_all = gauntlet::flags::env_flag(gauntlet::flags::REQUIRE_RUNTIMES_ENV);
    let names: Vec<&str> = registry
        .entries()
        .iter()
        .filter(|e| require_all || e.availability().is_ok())
        .map(|e| e.name())
        .collect();
    let skipped: Vec<&str> = registry
        .names()
        .into_iter()
        .filter(|n| !names.contains(n))
        .collect();
    eprintln!("verifying {names:?}; toolchain missing: {skipped:?}");
    if names.is_empty() {
        eprintln!("no reference server with a toolchain here yet");
        return;
    }
    let out = Command::cargo_bin("gauntlet")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("GAUNTLET_SERVERS_DIR")
        .arg("verify")
        .args(&names)
        .timeout(std::time::Duration::from_secs(45 * 60))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "verify failed:\n{stdout}\n{stderr}");
    for name in &names {
        let row = stdout
            .lines()
            .rev()
            .find(|l| l.starts_with(&format!("{name} ")))
            .unwrap_or_else(|| panic!("{name} missing from the summary:\n{stdout}"));
        assert!(row.contains("pass ("), "{row}");
    }
}
