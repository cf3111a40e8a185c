//! What `gauntlet merge` refuses (exit 2, naming the file or index) and what
//! it judges: shards of different plans, a missing or duplicate index, another
//! schema version, a result that is no shard, a start time already past;
//! thresholds on the merged figures (exit 1 when one fails); a Job log with
//! the result between markers; and a `--out` folder that `gauntlet report`
//! and `gauntlet compare` read; a `--json` file or `--out` folder that cannot
//! be written fails (exit 1), naming the flag and the path.

mod bench_support;
mod shards_support;

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use shards_support::*;

#[test]
fn merge_refuses_what_cannot_be_merged_and_judges_thresholds() {
    let server = bench_support::start("fast-plaintext", &[]);
    let url = server.url("/");
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let plan = [url.as_str(), "-R", "200", "-c", "2", "-d", "1s", "-t", "1"];
    let other = [url.as_str(), "-R", "300", "-c", "2", "-d", "1s", "-t", "1"];
    let at = start_at(Duration::from_secs(3));
    let (c0, shard0) = spawn_shard(&[], &plan, 0, 2, &at, d);
    // Shard 1 prints its result to stdout between markers, as a Job pod does.
    let shard1_log = d.join("shard-1.log");
    let c1 = Command::new(exe())
        .args(["bench"])
        .args(plan)
        .args(["--shard", "1/2", "--start-at", &at, "-q", "--json", "-"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("running shard 1");
    let other_dir = d.join("other");
    std::fs::create_dir_all(&other_dir).unwrap();
    let (c2, foreign) = spawn_shard(&[], &other, 1, 2, &at, &other_dir);
    finish(c0);
    finish(c2);
    let c1 = finish(c1);
    std::fs::write(&shard1_log, &c1.stdout).unwrap();

    // The log with markers merges like the JSON file.
    let ok = merge(&[shard0.clone(), shard1_log.clone()], &[]);
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok));

    let refused = |files: &[PathBuf], needles: &[&str]| {
        let out = merge(files, &[]);
        let msg = text(&out);
        assert_eq!(out.status.code(), Some(2), "{msg}");
        for n in needles {
            assert!(msg.contains(n), "{n:?} not in: {msg}");
        }
    };
    refused(
        &[shard0.clone(), foreign.clone()],
        &["different plan", "rate", "shard-0.json"],
    );
    refused(
        std::slice::from_ref(&shard0),
        &["missing shard index(es) 1 of 2"],
    );
    refused(
        &[shard0.clone(), shard0.clone()],
        &["shard index 0 appears twice"],
    );

    let mut value: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&shard0).unwrap()).unwrap();
    value["schema_version"] = serde_json::json!(1);
    let old = d.join("old.json");
    std::fs::write(&old, value.to_string()).unwrap();
    refused(
        &[old, shard1_log.clone()],
        &["old.json has schema version 1"],
    );

    let plain = d.join("plain.json");
    let out = Command::new(exe())
        .args(["bench", &url, "-c", "1", "-d", "300ms", "-q", "--json"])
        .arg(&plain)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    refused(
        &[plain, shard0.clone()],
        &["is not a shard result", "--shard"],
    );

    // A start time already past is an input error.
    let late = Command::new(exe())
        .args([
            "bench",
            &url,
            "-d",
            "1s",
            "--shard",
            "0/2",
            "--start-at",
            "1000",
        ])
        .output()
        .unwrap();
    assert_eq!(late.status.code(), Some(2), "{}", text(&late));
    assert!(text(&late).contains("passed"), "{}", text(&late));

    // Thresholds are judged on the merged figures.
    let both = [shard0.clone(), shard1_log.clone()];
    let fail = merge(&both, &["--threshold", "p99 < 1us"]);
    assert_eq!(fail.status.code(), Some(1), "{}", text(&fail));
    assert!(text(&fail).contains("FAILED"), "{}", text(&fail));
    let pass = merge(
        &both,
        &[
            "--threshold",
            "p99 < 60s",
            "--threshold",
            "throughput > 100",
        ],
    );
    assert_eq!(pass.status.code(), Some(0), "{}", text(&pass));
    let bad = merge(&both, &["--threshold", "p98 < 1ms"]);
    assert_eq!(bad.status.code(), Some(2), "{}", text(&bad));

    // --out writes a result folder that report and compare accept.
    let folder = d.join("merged-run");
    let out = merge(&both, &["--out", folder.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let report_dir = d.join("report");
    let report = Command::new(exe())
        .arg("report")
        .arg(&folder)
        .arg("--out")
        .arg(&report_dir)
        .output()
        .unwrap();
    assert_eq!(report.status.code(), Some(0), "{}", text(&report));
    assert!(report_dir.join("index.html").is_file());
    let compare = Command::new(exe())
        .arg("compare")
        .arg(&folder)
        .arg(&folder)
        .output()
        .unwrap();
    assert_eq!(compare.status.code(), Some(0), "{}", text(&compare));

    // What cannot be written fails the merge (exit 1), naming flag and path.
    let not_a_folder = d.join("not-a-folder");
    std::fs::write(&not_a_folder, "").unwrap();
    let unwritable = |flag: &str, path: PathBuf, then: &str| {
        let out = merge(&both, &[flag, path.to_str().unwrap()]);
        let p = path.display();
        let msg = text(&out);
        assert_eq!(out.status.code(), Some(1), "{msg}");
        assert!(
            msg.contains(&format!("Error: writing {flag} {p}: {then} {p}: ")),
            "{msg}"
        );
    };
    unwritable("--json", not_a_folder.join("merged.json"), "writing");
    unwritable("--out", not_a_folder.join("run"), "creating results folder");
}
