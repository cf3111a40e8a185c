//! `gauntlet claims` on the real binary: the table a user reads (with the
//! hardware), `--json` and `--markdown`, the shipped claims file by default,
//! and exit code 2 for a bad claims file or a missing result folder.

mod claims_support;

use assert_cmd::Command;
use predicates::prelude::*;

fn gauntlet() -> Command {
    let mut cmd = Command::cargo_bin("gauntlet").unwrap();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

const CLAIMS: &str = r#"
[[claim]]
id = "C1a"
claim = "A Go service needs 10-50 MB of memory"
scenario = "plaintext"
predicate = "rss_peak(go-nethttp) in 10MB..50MB"

[[claim]]
id = "C1b"
claim = "A Java service needs 200-500 MB of memory"
scenario = "plaintext"
predicate = "rss_peak(java-httpserver) in 200MB..500MB"

[[claim]]
id = "C7"
claim = "Go serves over a thousand JSON requests a second"
predicate = "throughput(go-nethttp @ json) > 1000"

[[claim]]
id = "C8"
claim = "Go serves under a hundred thousand JSON requests a second"
predicate = "throughput(go-nethttp @ json) < 100000"

[[claim]]
id = "C9"
claim = "Go serves under ten thousand JSON requests a second"
predicate = "throughput(go-nethttp @ json) < 10000"

[[claim]]
id = "C13"
claim = "Go binaries are 5-20 MB"
not_testable = "needs: the deployable footprint"
"#;

#[test]
fn claims_prints_a_verdict_per_claim_and_writes_json_and_markdown() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("run");
    claims_support::standard_run(&run);
    let claims = dir.path().join("claims.toml");
    std::fs::write(&claims, CLAIMS).unwrap();
    let (json, md) = (dir.path().join("c.json"), dir.path().join("c.md"));
    gauntlet()
        .arg("claims")
        .arg(&run)
        .arg("--claims")
        .arg(&claims)
        .arg("--json")
        .arg(&json)
        .arg("--markdown")
        .arg(&md)
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "hardware: Test CPU @ 3.00GHz, 2 logical CPUs, 8.0 GiB memory",
        ))
        .stdout(predicate::str::is_match(r"C1a +supported +A Go service").unwrap())
        .stdout(predicate::str::contains(
            "measured 22.0 MB (20.0 MB–24.0 MB, n=3)",
        ))
        .stdout(predicate::str::is_match(r"C1b +contradicted").unwrap())
        // A generator-limited throughput is a lower bound: enough to say it
        // is over 1,000 and not under 10,000, not enough for under 100,000.
        .stdout(predicate::str::is_match(r"C7 +supported").unwrap())
        .stdout(predicate::str::is_match(r"C8 +inconclusive").unwrap())
        .stdout(predicate::str::is_match(r"C9 +contradicted").unwrap())
        .stdout(predicate::str::is_match(r"C13 +not_testable").unwrap())
        .stdout(predicate::str::contains(
            "2 supported, 2 contradicted, 1 inconclusive, 1 not testable",
        ));

    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(doc["hardware"]["cpu_model"], "Test CPU @ 3.00GHz");
    assert_eq!(doc["hardware"]["logical_cpus"], 2);
    let claims = doc["claims"].as_array().unwrap();
    let verdicts: Vec<_> = claims
        .iter()
        .map(|c| (c["id"].as_str().unwrap(), c["verdict"].as_str().unwrap()))
        .collect();
    assert_eq!(
        verdicts,
        [
            ("C1a", "supported"),
            ("C1b", "contradicted"),
            ("C7", "supported"),
            ("C8", "inconclusive"),
            ("C9", "contradicted"),
            ("C13", "not_testable")
        ]
    );
    assert_eq!(claims[0]["figure"], 22e6);
    assert_eq!(claims[0]["interval"], serde_json::json!([20e6, 24e6]));
    for i in [2, 3, 4] {
        assert!(
            claims[i]["reason"]
                .as_str()
                .unwrap()
                .contains("generator-limited (a lower bound"),
            "{doc:#}"
        );
    }
    assert!(claims[4]["reason"]
        .as_str()
        .unwrap()
        .starts_with("even as a lower bound"));

    let md = std::fs::read_to_string(&md).unwrap();
    assert!(
        md.contains("| id | claim | predicate | measured (min–max) | verdict | why |"),
        "{md}"
    );
    assert!(md.contains("| C1a | A Go service needs 10-50 MB of memory | `rss_peak(go-nethttp) in 10MB..50MB` | 22.0 MB (20.0 MB–24.0 MB, n=3) | **supported** |"), "{md}");
    assert!(md.contains("hardware: Test CPU"), "{md}");
}

#[test]
fn the_shipped_claims_file_is_the_default() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("run");
    // The shipped file judges the claims suite's scenarios (claims-*).
    claims_support::write_run(
        &run,
        "Test CPU @ 3.00GHz",
        &[claims_support::Server::new(
            "claims-plaintext",
            "go-nethttp",
            vec![
                claims_support::Rep::new(100_000.0, 20.0),
                claims_support::Rep::new(110_000.0, 24.0),
                claims_support::Rep::new(90_000.0, 22.0),
            ],
        )],
    );
    let json = dir.path().join("c.json");
    gauntlet()
        .arg("claims")
        .arg(&run)
        .arg("--json")
        .arg(&json)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("claims: claims/claims.toml"));
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let claims = doc["claims"].as_array().unwrap();
    let c1a = claims.iter().find(|c| c["id"] == "C1a").unwrap();
    assert_eq!(c1a["verdict"], "supported");
    let c6c = claims.iter().find(|c| c["id"] == "C6c").unwrap();
    assert_eq!(c6c["verdict"], "not_testable");
    // java-spring is named by the file's `servers` but not measured yet.
    let c2 = claims.iter().find(|c| c["id"] == "C2").unwrap();
    assert_eq!(c2["verdict"], "inconclusive");
    assert!(c2["reason"]
        .as_str()
        .unwrap()
        .contains("no result for server java-spring in scenario claims-plaintext"));
    // The fixture has no cpu suite: C7a says what is missing.
    let c7a = claims.iter().find(|c| c["id"] == "C7a").unwrap();
    assert_eq!(c7a["verdict"], "inconclusive");
    assert!(c7a["reason"]
        .as_str()
        .unwrap()
        .contains("no result for scenario claims-cpu"));
}

#[test]
fn bad_input_exits_2_and_says_where() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("run");
    claims_support::standard_run(&run);
    let claims = dir.path().join("bad.toml");
    std::fs::write(
        &claims,
        "[[claim]]\nid = \"C1\"\nclaim = \"x\"\npredicate = \"rss_peak(go-nethttp @ plaintext) in 10MB..\"\n\n[[claim]]\nid = \"C1\"\nclaim = \"y\"\nnot_testable = \"z\"\n",
    )
    .unwrap();
    gauntlet()
        .arg("claims")
        .arg(&run)
        .arg("--claims")
        .arg(&claims)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "bad.toml:7:6: key `id`: duplicate id \"C1\"",
        ));

    gauntlet()
        .arg("claims")
        .arg(dir.path().join("no-such-run"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no-such-run: no such folder"));

    gauntlet()
        .arg("claims")
        .arg(&run)
        .arg("--claims")
        .arg(dir.path().join("missing.toml"))
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("cannot read claims file")
                .and(predicate::str::contains("--claims")),
        );
}
