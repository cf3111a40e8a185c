//! The merge target of issue 13: 16 shards of 60 s each, histograms at 3
//! significant digits, merged in well under a second, in memory that does not
//! grow with the number of requests. Writes two sets of 16 synthetic shard
//! files whose histograms fill every bucket from 1 µs to 10 s (the worst case
//! for size), one with 10^6 and one with 10^10 requests per shard, and times
//! `gauntlet::merge::merge_files` over each (read, decode, add, re-encode).
//!
//! Run with `cargo bench --bench merge`; benches/merge-memory.sh then times
//! the `gauntlet merge` binary over the same files and prints its peak RSS.
//! Files go to $GAUNTLET_MERGE_BENCH_DIR (default: the system temp folder's
//! gauntlet-merge-bench/).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use gauntlet::record::{encode_histogram, latency_stats, new_histogram, new_interval_histogram};
use gauntlet::results::{
    GeneratorUsage, LoadModel, LoadReport, Saturation, ShardInterval, ShardRecord, SCHEMA_VERSION,
};
use hdrhistogram::Histogram;

const SHARDS: u32 = 16;
const SECONDS: u32 = 60;

/// A histogram with every distinguishable value from 1 µs to 10 s recorded,
/// `total` requests spread over them.
fn full_histogram(mut h: Histogram<u64>, total: u64) -> Histogram<u64> {
    let mut values = Vec::new();
    let mut v = 1u64;
    while v <= 10_000_000 {
        values.push(v);
        v = h.next_non_equivalent(v);
    }
    let each = (total / values.len() as u64).max(1);
    for v in values {
        h.record_n(v, each).unwrap();
    }
    h
}

fn shard(index: u32, requests: u64, start: f64) -> LoadReport {
    let h = full_histogram(new_histogram(), requests);
    let intervals = (0..SECONDS)
        .map(|s| ShardInterval {
            start_unix_s: start + f64::from(s),
            length_s: 1.0,
            requests: requests / u64::from(SECONDS),
            errors: 0,
            histogram: encode_histogram(&full_histogram(
                new_interval_histogram(),
                requests / u64::from(SECONDS),
            )),
        })
        .collect();
    LoadReport {
        schema_version: SCHEMA_VERSION,
        tool: gauntlet::results::tool_info(),
        command_line: vec![],
        started_at: "2026-12-01T12:00:00Z".into(),
        target: "http://10.0.0.1:8080/".into(),
        http_version: "HTTP/1.1".into(),
        model: LoadModel::Open,
        rate_rps: Some(1000.0),
        connections: 4,
        in_flight_per_connection: 1,
        duration_s: f64::from(SECONDS),
        warmup_s: 0.0,
        elapsed_s: f64::from(SECONDS),
        requests: h.len(),
        successes: h.len(),
        errors: BTreeMap::new(),
        status_codes: BTreeMap::from([(200, h.len())]),
        throughput_rps: h.len() as f64 / f64::from(SECONDS),
        latency: latency_stats(&h),
        service_time: latency_stats(&h),
        corrected: true,
        schedule_lag: None,
        generator: GeneratorUsage {
            cpu_user_s: 1.0,
            cpu_sys_s: 1.0,
            cpus_given: 2,
            cpu_utilization: 0.5,
            threads: 2,
            rss_bytes: 0,
        },
        saturation: Saturation::default(),
        intervals: vec![],
        interrupted: false,
        shard: Some(ShardRecord {
            index,
            count: SHARDS,
            plan_fingerprint: "0123456789abcdef".into(),
            plan_rate_rps: Some(16_000.0),
            plan_connections: 64,
            start_at: None,
            host: format!("node-{index}"),
            measure_started_unix_s: start,
            lag_histogram: None,
            intervals,
        }),
        merged: None,
    }
}

/// Writes (once) the 16 shard files with `requests` each; returns their paths.
fn fixtures(requests: u64) -> Vec<PathBuf> {
    let root = std::env::var_os("GAUNTLET_MERGE_BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("gauntlet-merge-bench"));
    let dir = root.join(format!("{requests}"));
    let paths: Vec<PathBuf> = (0..SHARDS)
        .map(|i| dir.join(format!("shard-{i}.json")))
        .collect();
    if !paths.iter().all(|p| p.is_file()) {
        std::fs::create_dir_all(&dir).unwrap();
        for (i, p) in paths.iter().enumerate() {
            let r = shard(i as u32, requests, 1_796_126_400.0 + i as f64 * 0.003);
            gauntlet::results::write_json_atomic(p, &r).unwrap();
        }
    }
    let size: u64 = paths.iter().map(|p| size_of(p)).sum();
    eprintln!(
        "{} shard files of {requests} requests each in {} ({:.1} MiB in all)",
        paths.len(),
        dir.display(),
        size as f64 / (1024.0 * 1024.0)
    );
    paths
}

fn size_of(p: &Path) -> u64 {
    std::fs::metadata(p).map(|m| m.len()).unwrap_or(0)
}

fn merging(c: &mut Criterion) {
    let mut g = c.benchmark_group("merge_16_shards_60s");
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    for requests in [1_000_000u64, 10_000_000_000] {
        let paths = fixtures(requests);
        g.bench_function(format!("{requests}_requests_per_shard"), |b| {
            b.iter(|| {
                let m = gauntlet::merge::merge_files(&paths, vec![]).unwrap();
                assert_eq!(m.report.merged.as_ref().unwrap().count, SHARDS);
                m.report.requests
            })
        });
    }
    g.finish();
}

criterion_group!(benches, merging);
criterion_main!(benches);
