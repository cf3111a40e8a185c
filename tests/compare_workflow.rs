//! The CI example `.github/workflows/bench.yml` is valid YAML and does what
//! the docs say: builds, runs the quick suite, compares against a baseline,
//! writes the Markdown summary and uploads the results.

use serde_yaml::Value;

#[test]
fn bench_workflow_parses_and_has_the_promised_steps() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/.github/workflows/bench.yml");
    let text = std::fs::read_to_string(path).expect("bench.yml exists");
    let doc: Value = serde_yaml::from_str(&text).expect("bench.yml is valid YAML");
    let steps = doc["jobs"]["bench"]["steps"]
        .as_sequence()
        .expect("jobs.bench.steps is a list");
    let runs: Vec<&str> = steps.iter().filter_map(|s| s["run"].as_str()).collect();
    let uses: Vec<&str> = steps.iter().filter_map(|s| s["uses"].as_str()).collect();
    assert!(runs.iter().any(|r| r.contains("cargo build")), "{runs:?}");
    assert!(
        runs.iter()
            .any(|r| r.contains("gauntlet run scenarios/quick.toml") && r.contains("--repetitions")),
        "{runs:?}"
    );
    assert!(
        runs.iter()
            .any(|r| r.contains("gauntlet compare main") && r.contains("GITHUB_STEP_SUMMARY")),
        "{runs:?}"
    );
    assert!(
        uses.iter()
            .any(|u| u.starts_with("actions/upload-artifact")),
        "{uses:?}"
    );
}
