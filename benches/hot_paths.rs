//! Criterion benchmarks of the load engine's hot paths: parsing a response,
//! recording into a histogram, and asking the schedule for the next send time.
//! Run with `cargo bench --bench hot_paths`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use gauntlet::load::http1::{HeadCache, Parsed, ResponseParser};
use gauntlet::load::schedule::Pacer;
use gauntlet::load::{Schedule, Stage};
use gauntlet::record::{new_histogram, Recorder};

const PLAINTEXT: &[u8] =
    b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\nDate: Mon, 23 Nov 2026 12:00:00 GMT\r\nServer: bench\r\n\r\nHello, World!";
const CHUNKED: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n1b\r\n{\"message\":\"Hello, World!\"}\r\n0\r\n\r\n";

fn parsing(c: &mut Criterion) {
    let mut g = c.benchmark_group("parse_response");
    g.throughput(Throughput::Elements(1));
    g.bench_function("content_length", |b| {
        b.iter(|| {
            let mut p = ResponseParser::new(false, false);
            match p.parse(black_box(PLAINTEXT), false) {
                Ok(Parsed::Done(r, used)) => (r.status, used),
                _ => unreachable!(),
            }
        })
    });
    // The same head again, as a connection sees it between Date changes.
    let mut cache = HeadCache::default();
    g.bench_function("content_length_cached_head", |b| {
        b.iter(|| {
            let mut p = ResponseParser::new(false, false);
            match p.parse_cached(black_box(PLAINTEXT), false, &mut cache) {
                Ok(Parsed::Done(r, used)) => (r.status, used),
                _ => unreachable!(),
            }
        })
    });
    g.bench_function("chunked_keep_body", |b| {
        b.iter(|| {
            let mut p = ResponseParser::new(true, false);
            match p.parse(black_box(CHUNKED), false) {
                Ok(Parsed::Done(r, used)) => (r.body.map(|b| b.len()), used),
                _ => unreachable!(),
            }
        })
    });
    g.finish();
}

fn next_value(v: &mut u64) -> u64 {
    *v = v
        .wrapping_mul(6_364_136_223_846_793_005)
        .wrapping_add(1_442_695_040_888_963_407);
    (*v >> 33) % 5_000_000 + 1
}

fn recording(c: &mut Criterion) {
    let mut g = c.benchmark_group("record");
    g.throughput(Throughput::Elements(1));
    let mut h = new_histogram();
    let mut v = 1u64;
    g.bench_function("histogram_record", |b| {
        b.iter(|| h.record(black_box(next_value(&mut v))).ok())
    });
    let mut r = Recorder::new();
    g.bench_function("recorder_response", |b| {
        b.iter(|| {
            let x = next_value(&mut v);
            r.record_response(200, black_box(x), black_box(x / 2), Ok(()));
        })
    });
    g.finish();
}

fn scheduling(c: &mut Criterion) {
    let mut g = c.benchmark_group("schedule");
    g.throughput(Throughput::Elements(1));
    let constant = Pacer::new(
        &Schedule::OpenConstant { rate: 50_000.0 },
        Duration::from_secs(5),
        Duration::from_secs(3600),
    );
    let mut n = 0u64;
    g.bench_function("constant_slot", |b| {
        b.iter(|| {
            n = (n + 1) % 100_000_000;
            constant.slot(black_box(n))
        })
    });
    let stages: Vec<Stage> = (1..=10)
        .map(|i| Stage {
            duration: Duration::from_secs(60),
            target: 1000.0 * f64::from(i),
        })
        .collect();
    let staged = Pacer::new(
        &Schedule::OpenStages(stages),
        Duration::ZERO,
        Duration::from_secs(600),
    );
    g.bench_function("staged_slot", |b| {
        b.iter(|| {
            n = (n + 7) % 3_000_000;
            staged.slot(black_box(n))
        })
    });
    g.finish();
}

criterion_group!(benches, parsing, recording, scheduling);
criterion_main!(benches);
