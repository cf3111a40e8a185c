//! CSV: the `bench` summary as one row, the `run` table as one row per
//! scenario × server. Latencies in microseconds, memory in bytes, rates per
//! second, empty cells for figures that were not measured, so a spreadsheet
//! never mistakes "not measured" for zero.

use super::Error;
use crate::results::{LoadModel, LoadReport};
use crate::scenario::summary::Row;

fn finish(writer: ::csv::Writer<Vec<u8>>) -> Result<String, Error> {
    let bytes = writer
        .into_inner()
        .map_err(|e| Error::CsvBuffer(e.to_string()))?;
    Ok(String::from_utf8(bytes)?)
}

fn cell(value: Option<f64>) -> String {
    value.map(|v| format!("{v:.3}")).unwrap_or_default()
}

/// The `bench` summary: a header and one row.
pub fn bench(r: &LoadReport) -> Result<String, Error> {
    let mut w = ::csv::Writer::from_writer(Vec::new());
    w.write_record([
        "target",
        "http_version",
        "model",
        "rate_rps",
        "connections",
        "in_flight_per_connection",
        "elapsed_s",
        "requests",
        "successes",
        "errors",
        "throughput_rps",
        "p50_us",
        "p90_us",
        "p99_us",
        "p99_9_us",
        "max_us",
        "corrected",
        "generator_limited",
        "interrupted",
    ])?;
    let errors: u64 = r.errors.values().sum();
    let measured = r.successes > 0;
    let latency = |v: u64| {
        if measured {
            v.to_string()
        } else {
            String::new()
        }
    };
    w.write_record([
        r.target.clone(),
        r.http_version.clone(),
        match r.model {
            LoadModel::Open => "open".into(),
            LoadModel::Closed => "closed".into(),
        },
        cell(r.rate_rps),
        r.connections.to_string(),
        r.in_flight_per_connection.max(1).to_string(),
        format!("{:.3}", r.elapsed_s),
        r.requests.to_string(),
        r.successes.to_string(),
        errors.to_string(),
        format!("{:.3}", r.throughput_rps),
        latency(r.latency.p50_us),
        latency(r.latency.p90_us),
        latency(r.latency.p99_us),
        latency(r.latency.p99_9_us),
        latency(r.latency.max_us),
        r.corrected.to_string(),
        r.saturation.generator_limited.to_string(),
        r.interrupted.to_string(),
    ])?;
    finish(w)
}

/// The `run` table: a header and one row per scenario × server, with the
/// same figures and verdicts `run` prints.
pub fn run(rows: &[Row]) -> Result<String, Error> {
    let mut w = ::csv::Writer::from_writer(Vec::new());
    w.write_record([
        "scenario",
        "server",
        "status",
        "throughput_rps",
        "p99_us",
        "error_rate",
        "requests_per_cpu_s",
        "idle_rss_bytes",
        "peak_rss_bytes",
        "startup_median_ms",
        "bytes_per_idle_connection",
        "bound",
        "capacity_rps",
        "failed_thresholds",
        "reason",
    ])?;
    for row in rows {
        w.write_record([
            row.scenario.clone(),
            row.server.clone(),
            row.status.clone(),
            cell(row.throughput_rps),
            cell(row.p99_us),
            cell(row.error_rate),
            cell(row.requests_per_cpu_s),
            cell(row.idle_rss_bytes),
            cell(row.peak_rss_bytes),
            cell(row.startup_median_ms),
            cell(row.bytes_per_idle_connection),
            row.bound_text.clone().unwrap_or_default(),
            cell(row.capacity.as_ref().and_then(|c| c.capacity_rps)),
            row.failed_thresholds.join("; "),
            row.reason.clone().unwrap_or_default(),
        ])?;
    }
    finish(w)
}
