//! The CI example `.github/workflows/bench.yml` is valid YAML and does what
//! the docs say: builds, runs the quick suite, compares against a baseline,
//! writes the Markdown summary and uploads the results; its commands, run in
//! order as a push to main and then a pull request, keep and use a baseline.

mod run_support;

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
    assert_eq!(doc["env"]["SUITE"].as_str(), Some("scenarios/quick.toml"));
    assert!(
        runs.iter()
            .any(|r| r.contains("\"$GAUNTLET\" run \"$SUITE\"") && r.contains("--repetitions")),
        "{runs:?}"
    );
    assert!(
        runs.iter()
            .any(|r| r.contains("compare baseline/main") && r.contains("GITHUB_STEP_SUMMARY")),
        "{runs:?}"
    );
    for action in ["actions/cache/restore", "actions/cache/save"] {
        assert!(uses.iter().any(|u| u.starts_with(action)), "{uses:?}");
    }
    assert!(
        uses.iter()
            .any(|u| u.starts_with("actions/upload-artifact")),
        "{uses:?}"
    );
}

/// Runs one round of the workflow's steps in order, as GitHub would for
/// `event` on `git_ref`: `run` steps through bash with the step's
/// environment, the cache actions emulated with `cache` (a folder standing
/// for the CI cache), the toolchain and build steps skipped (the test's own
/// gauntlet binary stands in for the release build). Returns the job summary
/// and, per step name, whether it ran and its exit code.
fn run_round(
    steps: &[Value],
    setup: &run_support::Setup,
    scenario: &std::path::Path,
    cache: &std::path::Path,
    event: &str,
    git_ref: &str,
) -> (String, Vec<(String, Option<i32>)>) {
    let work = tempfile::tempdir().unwrap();
    let summary = work.path().join("step-summary.md");
    let output = work.path().join("step-output");
    let mut ran = Vec::new();
    for step in steps {
        let name = step["name"].as_str().unwrap_or("").to_string();
        let condition = step["if"].as_str().unwrap_or("");
        if condition.contains("refs/heads/main") {
            // This workflow's only conditions: pushes to main keep the baseline.
            assert!(condition.contains("pull_request") && condition.contains("steps.run.outcome"));
            let run_ok = ran
                .iter()
                .any(|(n, c): &(String, Option<i32>)| n == "Run the quick suite" && *c == Some(0));
            if !(git_ref == "refs/heads/main" && event != "pull_request" && run_ok) {
                ran.push((name, None));
                continue;
            }
        }
        if let Some(uses) = step["uses"].as_str() {
            let path = step["with"]["path"].as_str().unwrap_or("");
            let (from, to) = if uses.starts_with("actions/cache/restore") {
                (cache.join(path), work.path().join(path))
            } else if uses.starts_with("actions/cache/save") {
                (work.path().join(path), cache.join(path))
            } else {
                continue; // checkout, toolchain, rust-cache, upload
            };
            if from.is_dir() {
                copy_dir(&from, &to);
            }
            ran.push((name, Some(0)));
            continue;
        }
        let Some(script) = step["run"].as_str() else {
            continue;
        };
        if script.contains("setup.sh") || script.contains("cargo build") {
            continue;
        }
        assert!(
            !script.contains("${{"),
            "{name}: keep expressions out of run scripts"
        );
        let out = std::process::Command::new("bash")
            .args(["--noprofile", "--norc", "-eo", "pipefail", "-c", script])
            .current_dir(work.path())
            .env("GAUNTLET", env!("CARGO_BIN_EXE_gauntlet"))
            .env("SUITE", scenario)
            .env("REPETITIONS", "3")
            .env("GITHUB_STEP_SUMMARY", &summary)
            .env("GITHUB_OUTPUT", &output)
            .env("GITHUB_EVENT_NAME", event)
            .env("GITHUB_REF", git_ref)
            .env("GAUNTLET_SERVERS_DIR", setup.dir.path().join("servers"))
            .env_remove("GAUNTLET_REQUIRE_RUNTIMES")
            .output()
            .unwrap();
        let code = out.status.code();
        if name == "Compare against the baseline" {
            // A regression (1) is a finding; anything else must pass.
            assert!(
                matches!(code, Some(0 | 1)),
                "{name}: {}",
                run_support::text(&out)
            );
        } else {
            assert_eq!(code, Some(0), "{name}: {}", run_support::text(&out));
        }
        ran.push((name, code));
    }
    (std::fs::read_to_string(&summary).unwrap_or_default(), ran)
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn a_push_to_main_stores_the_baseline_and_a_pull_request_compares_against_it() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/.github/workflows/bench.yml");
    let doc: Value = serde_yaml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let steps = doc["jobs"]["bench"]["steps"].as_sequence().unwrap().clone();
    let setup = run_support::Setup::new();
    setup.server("hello", "fast-plaintext", &[], &[]);
    let scenario = setup.scenario(
        "name = \"ci\"\nservers = [\"hello\"]\nduration = \"1s\"\nwarmup = \"0s\"\n\
         startup_samples = 1\n[load]\nconnections = 2\n\
         [[request]]\npath = \"/plaintext\"\n",
    );
    let cache = tempfile::tempdir().unwrap();

    // The first push to main: nothing to compare with, and the run is kept.
    let (summary, ran) = run_round(
        &steps,
        &setup,
        &scenario,
        cache.path(),
        "push",
        "refs/heads/main",
    );
    assert!(summary.contains("No baseline of main yet"), "{summary}");
    assert!(
        ran.iter()
            .any(|(n, c)| n == "Store the baseline" && c.is_some()),
        "{ran:?}"
    );
    let stored = cache.path().join("baseline/main");
    assert!(
        stored.join("ci__hello.json").is_file(),
        "nothing stored in {stored:?}"
    );

    // A pull request: the baseline is restored and compared, into the summary.
    let (summary, ran) = run_round(
        &steps,
        &setup,
        &scenario,
        cache.path(),
        "pull_request",
        "refs/pull/7/merge",
    );
    assert!(!summary.contains("No baseline"), "{summary}");
    assert!(
        summary.contains("hello"),
        "the comparison names the server: {summary}"
    );
    assert!(
        ran.iter()
            .any(|(n, c)| n == "Store the baseline" && c.is_none()),
        "a pull request must not replace the baseline: {ran:?}"
    );
}
