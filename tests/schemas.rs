//! The JSON Schemas in schemas/ are the ones the Rust types generate now
//! (so they cannot drift), and real files validate against them: the
//! committed sample run and test fixtures, and `gauntlet claims --json` over
//! the sample. (A real `gauntlet bench --json` is validated in
//! tests/bench_runs.rs and tests/shards_*.rs, a real `gauntlet run` folder in
//! tests/run_supervised.rs.)

mod schema_support;

use std::path::{Path, PathBuf};
use std::process::Command;

use gauntlet::results::json_schema::{generate, render, SCHEMAS};
use schema_support::{assert_file_valid, assert_valid};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn committed_schemas_are_what_the_types_generate() {
    for s in SCHEMAS {
        let committed = std::fs::read_to_string(root().join(s.path())).unwrap_or_else(|e| {
            panic!(
                "{} missing ({e}): run `cargo run --example schemas`",
                s.path()
            )
        });
        assert!(
            committed == render(s.name).unwrap(),
            "{} differs from what the Rust types generate: run `cargo run --example schemas` and commit the result",
            s.path()
        );
    }
    // Nothing else in schemas/ pretends to be generated.
    let mut files: Vec<String> = std::fs::read_dir(root().join("schemas"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".schema.json"))
        .collect();
    files.sort();
    let mut expected: Vec<String> = SCHEMAS
        .iter()
        .map(|s| format!("{}.schema.json", s.name))
        .collect();
    expected.sort();
    assert_eq!(files, expected);
}

/// The result files of a folder: (schema, path) for each JSON file.
fn result_files(dir: &Path) -> Vec<(&'static str, PathBuf)> {
    let mut files: Vec<(&'static str, PathBuf)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| {
            let schema = if p.file_name().unwrap() == "manifest.json" {
                "run-manifest"
            } else {
                "server-result"
            };
            (schema, p)
        })
        .collect();
    files.sort();
    files
}

#[test]
fn the_committed_sample_run_and_fixtures_validate() {
    let mut folders = vec![root().join("reports/sample/results")];
    for e in std::fs::read_dir(root().join("tests/fixtures")).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            folders.push(p);
        }
    }
    let mut checked = 0;
    for folder in &folders {
        let files = result_files(folder);
        assert!(
            files.iter().any(|(s, _)| *s == "run-manifest"),
            "{} has no manifest.json",
            folder.display()
        );
        for (schema, file) in files {
            assert_file_valid(schema, &file);
            checked += 1;
        }
    }
    // The sample alone holds 7 servers × 9 scenarios plus its manifest.
    assert!(checked > 60, "only {checked} files checked");
}

#[test]
fn the_schemas_reject_what_a_reader_would_misread() {
    let sample = root().join("reports/sample/results/plaintext__rust-hyper.json");
    let good: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sample).unwrap()).unwrap();
    assert_valid("server-result", &good, "the sample");
    let schema = generate("server-result").unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    // A misspelt key, a string where a number belongs, a missing required
    // field, an unknown status and a newer layout are all errors.
    let mut typo = good.clone();
    typo["repetitions"][0]["load"]["throughput_rsp"] = 1.into();
    let mut wrong_type = good.clone();
    wrong_type["repetitions"][0]["load"]["throughput_rps"] = "fast".into();
    let mut missing = good.clone();
    missing.as_object_mut().unwrap().remove("environment");
    let mut status = good.clone();
    status["status"]["state"] = "exploded".into();
    let mut newer = good.clone();
    newer["schema_version"] = (gauntlet::results::SCHEMA_VERSION + 1).into();
    let mut both_gone = good.clone();
    let env = both_gone["environment"].as_object_mut().unwrap();
    env.remove("logical_cpus");
    env.remove("cpu_cores");
    for (what, doc) in [
        ("typo", typo),
        ("wrong type", wrong_type),
        ("missing environment", missing),
        ("unknown status", status),
        ("newer schema_version", newer),
        ("no CPU count", both_gone),
    ] {
        assert!(!validator.is_valid(&doc), "{what} passed the schema");
    }
}

#[test]
fn claims_json_over_the_sample_validates() {
    let dir = tempfile::tempdir().unwrap();
    let out_file = dir.path().join("claims.json");
    let out = Command::new(env!("CARGO_BIN_EXE_gauntlet"))
        .arg("claims")
        .arg(root().join("reports/sample/results"))
        .arg("--json")
        .arg(&out_file)
        .current_dir(root())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_file_valid("claims", &out_file);
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out_file).unwrap()).unwrap();
    assert_eq!(doc["hardware"]["logical_cpus"], 2, "{:#}", doc["hardware"]);
}
