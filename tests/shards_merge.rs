//! Sharded load merged exactly: two and four `gauntlet bench --shard` processes
//! of one open-model plan against the `delay` test server (3 ms per request,
//! known in advance), lined up with `--start-at`, then `gauntlet merge`.
//! The merged count is the sum, the merged rate (requests over the planned
//! duration) the planned total within 1 %,
//! the merged histogram the sum of the shards' recorded values (and equal to
//! the sum of the merged per-second histograms of its .hlog, computed
//! separately), and the merged p99 lies between the shards' p99s.

mod bench_support;
mod shards_support;

use hdrhistogram::serialization::interval_log::{IntervalLogIterator, LogEntry};
use hdrhistogram::serialization::Deserializer;
use shards_support::*;

const RATE: f64 = 400.0;
const SECONDS: f64 = 4.0;
const DELAY_US: u64 = 3_000;

fn sharded_run(count: u32) {
    let server = bench_support::start("delay", &[("DELAY_US", &DELAY_US.to_string())]);
    let dir = tempfile::tempdir().unwrap();
    let url = server.url("/plaintext");
    let rate = RATE.to_string();
    let args = [
        url.as_str(),
        "-R",
        &rate,
        "-c",
        "8",
        "-d",
        "4s",
        "--warmup",
        "500ms",
        "-t",
        "1",
    ];
    let files = run_shards(&args, count, dir.path());
    let shards: Vec<_> = files.iter().map(|f| read(f)).collect();

    // Each shard ran its exact share of the plan.
    for (i, s) in shards.iter().enumerate() {
        let rec = s.shard.as_ref().expect("a shard record");
        assert_eq!((rec.index, rec.count), (i as u32, count));
        assert_eq!(s.rate_rps, Some(RATE / f64::from(count)));
        assert_eq!(s.connections, 8 / count);
        assert_eq!(
            rec.plan_fingerprint,
            shards[0].shard.as_ref().unwrap().plan_fingerprint
        );
        assert!(!rec.intervals.is_empty());
    }

    let merged_json = dir.path().join("merged.json");
    let hlog = dir.path().join("merged.hlog");
    let out = merge(
        &files,
        &[
            "--json",
            merged_json.to_str().unwrap(),
            "--hlog",
            hlog.to_str().unwrap(),
        ],
    );
    let stdout = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    let m = read(&merged_json);
    validate_against_schema(&files[0]);
    validate_against_schema(&merged_json);

    // Counters are sums.
    let sum = |f: &dyn Fn(&gauntlet::results::LoadReport) -> u64| shards.iter().map(f).sum::<u64>();
    assert_eq!(m.requests, sum(&|s| s.requests));
    assert_eq!(m.successes, sum(&|s| s.successes));
    assert_eq!(
        m.status_codes.get(&200).copied(),
        Some(sum(&|s| s.status_codes.get(&200).copied().unwrap_or(0)))
    );
    assert!(m.errors.is_empty(), "{:?}", m.errors);
    assert_eq!(m.connections, 8);
    assert_eq!(m.rate_rps, Some(RATE));

    // The merged rate is the planned total, within 1 %.
    let planned = RATE * SECONDS;
    assert!(
        (m.requests as f64 - planned).abs() <= planned * 0.01,
        "merged {} requests, planned {planned}",
        m.requests
    );
    // The rate of the plan's schedule: requests over the planned duration.
    let merged_rate = m.requests as f64 / m.duration_s;
    assert!(
        (merged_rate - RATE).abs() <= RATE * 0.01,
        "merged rate {merged_rate:.1} req/s, planned {RATE}\n{stdout}"
    );
    // The measured window also holds the start skew and the drain of the
    // last responses, which a loaded 2-core machine stretches by tens of ms.
    assert!(
        (m.throughput_rps - RATE).abs() <= RATE * 0.05,
        "merged throughput {:.1} req/s, planned {RATE}\n{stdout}",
        m.throughput_rps
    );

    // merge ∘ split is the identity on recorded values.
    let mut all = gauntlet::record::new_histogram();
    for s in &shards {
        all.add(latency(s)).unwrap();
    }
    let merged_h = latency(&m);
    assert_eq!(merged_h.len(), m.requests);
    assert_eq!(recorded(&merged_h), recorded(&all));

    // The merged per-second histograms (aligned on absolute time) hold the
    // same values again.
    let bytes = std::fs::read(&hlog).unwrap();
    let mut from_intervals = gauntlet::record::new_histogram();
    let mut deserializer = Deserializer::new();
    let mut seconds = 0;
    for entry in IntervalLogIterator::new(&bytes) {
        if let Ok(LogEntry::Interval(i)) = entry {
            let decoded = base64_decode(i.encoded_histogram());
            let h: hdrhistogram::Histogram<u64> =
                deserializer.deserialize(&mut decoded.as_slice()).unwrap();
            from_intervals.add(&h).unwrap();
            seconds += 1;
        }
    }
    assert!((4..=6).contains(&seconds), "{seconds} intervals");
    assert_eq!(recorded(&from_intervals), recorded(&all));
    assert_eq!(
        m.intervals.iter().map(|i| i.requests).sum::<u64>(),
        m.requests
    );

    // The merged p99 lies between the shards' p99s; latency is the known delay.
    let p99s: Vec<u64> = shards.iter().map(|s| s.latency.p99_us).collect();
    let (lo, hi) = (*p99s.iter().min().unwrap(), *p99s.iter().max().unwrap());
    assert!(
        lo <= m.latency.p99_us && m.latency.p99_us <= hi,
        "merged p99 {} outside the shards' {p99s:?}",
        m.latency.p99_us
    );
    assert!(
        m.latency.p50_us >= DELAY_US,
        "p50 {} below the server's delay",
        m.latency.p50_us
    );

    // The per-shard table names every shard; the shards started together.
    let rows = &m.merged.as_ref().unwrap().shards;
    assert_eq!(rows.len(), count as usize);
    for r in rows {
        assert!(
            r.start_skew_ms < 250.0,
            "shard {} started {} ms late",
            r.index,
            r.start_skew_ms
        );
    }
    assert!(
        stdout.contains("achieved/s") && stdout.contains(&format!("shards    {count}")),
        "{stdout}"
    );
}

fn base64_decode(text: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .unwrap()
}

#[test]
fn two_shards_merge_exactly() {
    sharded_run(2);
}

#[test]
fn four_shards_merge_exactly() {
    sharded_run(4);
}
