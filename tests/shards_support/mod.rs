//! Shared helpers of the shards_* tests: run several `gauntlet bench --shard`
//! processes of one plan at once, lined up with `--start-at`, and merge them.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use gauntlet::results::LoadReport;
use hdrhistogram::Histogram;

/// The gauntlet binary under test.
pub fn exe() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_gauntlet"))
}

/// A start time `ahead` from now, as Unix seconds with milliseconds.
pub fn start_at(ahead: Duration) -> String {
    let t = SystemTime::now() + ahead;
    format!("{:.3}", t.duration_since(UNIX_EPOCH).unwrap().as_secs_f64())
}

/// Starts shard `index`/`count` of the plan `args` (URL and flags), writing
/// its JSON to `dir/shard-INDEX.json`; `prefix` runs it through another
/// program first (e.g. `ip netns exec NS`).
pub fn spawn_shard(
    prefix: &[&str],
    args: &[&str],
    index: u32,
    count: u32,
    at: &str,
    dir: &Path,
) -> (Child, PathBuf) {
    let json = dir.join(format!("shard-{index}.json"));
    let mut cmd = match prefix.split_first() {
        Some((program, rest)) => {
            let mut c = Command::new(program);
            c.args(rest).arg(exe());
            c
        }
        None => Command::new(exe()),
    };
    cmd.arg("bench")
        .args(args)
        .args([
            "--shard",
            &format!("{index}/{count}"),
            "--start-at",
            at,
            "-q",
        ])
        .arg("--json")
        .arg(&json)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let child = cmd.spawn().expect("starting a shard");
    (child, json)
}

/// Waits for a shard and asserts it succeeded.
pub fn finish(child: Child) -> Output {
    let out = child.wait_with_output().expect("waiting for a shard");
    assert!(
        out.status.success(),
        "a shard failed ({}): {}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Runs `count` shards of `args` at once, all started at the same instant
/// 3 s ahead; returns their JSON files in index order.
pub fn run_shards(args: &[&str], count: u32, dir: &Path) -> Vec<PathBuf> {
    let at = start_at(Duration::from_secs(3));
    let running: Vec<(Child, PathBuf)> = (0..count)
        .map(|i| spawn_shard(&[], args, i, count, &at, dir))
        .collect();
    running
        .into_iter()
        .map(|(child, json)| {
            finish(child);
            json
        })
        .collect()
}

/// `gauntlet merge FILES EXTRA...` as a finished process.
pub fn merge(files: &[PathBuf], extra: &[&str]) -> Output {
    Command::new(exe())
        .arg("merge")
        .args(files)
        .args(extra)
        .output()
        .expect("running gauntlet merge")
}

/// Reads a result JSON.
pub fn read(path: &Path) -> LoadReport {
    gauntlet::results::read_json(path).unwrap()
}

/// The latency histogram stored in a result.
pub fn latency(r: &LoadReport) -> Histogram<u64> {
    gauntlet::record::decode_histogram(&r.latency.histogram).unwrap()
}

/// Every (value, count) a histogram recorded, in value order.
pub fn recorded(h: &Histogram<u64>) -> Vec<(u64, u64)> {
    h.iter_recorded()
        .map(|v| (v.value_iterated_to(), v.count_at_value()))
        .collect()
}

/// stdout and stderr of a process, for messages.
pub fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Asserts that a result file matches schemas/load-report.schema.json.
pub fn validate_against_schema(path: &Path) {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/schemas/load-report.schema.json"
    ))
    .unwrap();
    let schema: serde_json::Value = serde_json::from_str(&text).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&json)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(
        errors.is_empty(),
        "{} does not match the schema: {errors:#?}",
        path.display()
    );
}
