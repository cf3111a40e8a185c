//! The exact merge: shard results are added one at a time into a [`Merger`]
//! (histograms added bucket by bucket, counters summed, intervals aligned on
//! absolute time), so memory holds one shard's file plus the merged
//! histograms, whatever the number of requests. Percentiles are only ever read
//! from the merged histograms, never averaged.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hdrhistogram::Histogram;

use super::read::{plan_difference, MergeError, ShardFile};
use crate::load::shard::rfc3339;
use crate::record::{
    decode_histogram, latency_stats, new_histogram, new_interval_histogram, IntervalHistogram,
};
use crate::results::{GeneratorUsage, LoadReport, MergeRecord, Saturation, ScheduleLag, ShardRow};

/// The merged figures of one interval (one absolute second).
#[derive(Debug)]
struct IntervalAcc {
    latency: Histogram<u64>,
    requests: u64,
    errors: u64,
    length_s: f64,
}

/// Accumulates shard results.
#[derive(Debug)]
pub struct Merger {
    /// The first shard read (its report minus nothing: the template of the
    /// merged one) and its path.
    first: Option<ShardFile>,
    seen: BTreeMap<u32, PathBuf>,
    latency: Histogram<u64>,
    service: Histogram<u64>,
    lag: Option<Histogram<u64>>,
    not_sent: u64,
    requests: u64,
    successes: u64,
    errors: BTreeMap<String, u64>,
    status_codes: BTreeMap<u16, u64>,
    cpu: (f64, f64),
    cpus_given: u32,
    threads: u32,
    rss_max: u64,
    reasons: Vec<(u32, String)>,
    interrupted: bool,
    rate: Option<f64>,
    connections: u32,
    window: (f64, f64),
    reference: f64,
    intervals: BTreeMap<i64, IntervalAcc>,
    rows: Vec<(ShardRow, f64)>,
}

impl Default for Merger {
    fn default() -> Self {
        Self::new()
    }
}

/// The merge's result.
#[derive(Debug)]
pub struct Merged {
    /// The merged result (with its [`MergeRecord`]).
    pub report: LoadReport,
    /// The merged per-second histograms, from the earliest shard's start.
    pub intervals: Vec<IntervalHistogram>,
    /// Start of the merged measured window (the earliest shard's).
    pub measure_started: SystemTime,
}

fn decode(path: &std::path::Path, what: &str, text: &str) -> Result<Histogram<u64>, MergeError> {
    decode_histogram(text).map_err(|e| MergeError::BadHistogram {
        path: path.to_path_buf(),
        what: what.to_string(),
        reason: e.to_string(),
    })
}

fn add_into(
    into: &mut Histogram<u64>,
    from: &Histogram<u64>,
    path: &std::path::Path,
    what: &str,
) -> Result<(), MergeError> {
    into.add(from).map_err(|e| MergeError::BadHistogram {
        path: path.to_path_buf(),
        what: what.to_string(),
        reason: format!("{e:?}"),
    })
}

impl Merger {
    /// An empty merge.
    pub fn new() -> Self {
        Merger {
            first: None,
            seen: BTreeMap::new(),
            latency: new_histogram(),
            service: new_histogram(),
            lag: Some(new_histogram()),
            not_sent: 0,
            requests: 0,
            successes: 0,
            errors: BTreeMap::new(),
            status_codes: BTreeMap::new(),
            cpu: (0.0, 0.0),
            cpus_given: 0,
            threads: 0,
            rss_max: 0,
            reasons: Vec::new(),
            interrupted: false,
            rate: None,
            connections: 0,
            window: (f64::INFINITY, f64::NEG_INFINITY),
            reference: 0.0,
            intervals: BTreeMap::new(),
            rows: Vec::new(),
        }
    }

    /// Adds one shard; refuses a shard of another plan or an index seen before.
    pub fn add(&mut self, file: ShardFile) -> Result<(), MergeError> {
        if let Some(first) = &self.first {
            if let Some(what) = plan_difference(first, &file) {
                return Err(MergeError::DifferentPlan {
                    path: file.path,
                    first: first.path.clone(),
                    what,
                });
            }
        }
        if let Some(earlier) = self.seen.get(&file.shard.index) {
            return Err(MergeError::DuplicateIndex {
                index: file.shard.index,
                first: earlier.clone(),
                second: file.path,
            });
        }
        self.seen.insert(file.shard.index, file.path.clone());
        let (r, s, path) = (&file.report, &file.shard, &file.path);

        add_into(
            &mut self.latency,
            &decode(path, "latency.histogram", &r.latency.histogram)?,
            path,
            "latency.histogram",
        )?;
        add_into(
            &mut self.service,
            &decode(path, "service_time.histogram", &r.service_time.histogram)?,
            path,
            "service_time.histogram",
        )?;
        self.lag = match (self.lag.take(), &s.lag_histogram) {
            (Some(mut lag), Some(text)) => {
                add_into(
                    &mut lag,
                    &decode(path, "shard.lag_histogram", text)?,
                    path,
                    "lag",
                )?;
                Some(lag)
            }
            _ => None,
        };
        self.not_sent += r.schedule_lag.as_ref().map_or(0, |l| l.not_sent);
        self.requests += r.requests;
        self.successes += r.successes;
        for (k, v) in &r.errors {
            *self.errors.entry(k.clone()).or_default() += v;
        }
        for (k, v) in &r.status_codes {
            *self.status_codes.entry(*k).or_default() += v;
        }
        let g = &r.generator;
        self.cpu.0 += g.cpu_user_s;
        self.cpu.1 += g.cpu_sys_s;
        self.cpus_given += g.cpus_given;
        self.threads += g.threads;
        self.rss_max = self.rss_max.max(g.rss_bytes);
        self.reasons.extend(
            r.saturation
                .reasons
                .iter()
                .map(|why| (s.index, format!("shard {}: {why}", s.index))),
        );
        self.interrupted |= r.interrupted;
        self.rate = match (self.rate, r.rate_rps) {
            (None, x) => x,
            (Some(a), Some(b)) => Some(a + b),
            (a, None) => a,
        };
        self.connections += r.connections;

        let start = s.measure_started_unix_s;
        if self.first.is_none() {
            self.reference = start;
        }
        self.window.0 = self.window.0.min(start);
        self.window.1 = self.window.1.max(start + r.elapsed_s);
        for i in &s.intervals {
            // Shards start within milliseconds of each other: interval k of
            // every shard lands in the same absolute second.
            let key = (i.start_unix_s - self.reference).round() as i64;
            let acc = self.intervals.entry(key).or_insert_with(|| IntervalAcc {
                latency: new_interval_histogram(),
                requests: 0,
                errors: 0,
                length_s: 0.0,
            });
            let h = decode(path, "shard.intervals[].histogram", &i.histogram)?;
            add_into(&mut acc.latency, &h, path, "interval histogram")?;
            acc.requests += i.requests;
            acc.errors += i.errors;
            acc.length_s = acc.length_s.max(i.length_s);
        }
        let cpu_s = g.cpu_user_s + g.cpu_sys_s;
        self.rows.push((
            ShardRow {
                index: s.index,
                source: path.display().to_string(),
                host: s.host.clone(),
                rate_rps: r.rate_rps,
                connections: r.connections,
                requests: r.requests,
                errors: r.errors.values().sum(),
                throughput_rps: r.throughput_rps,
                cpu_s,
                cpu_utilization: g.cpu_utilization,
                start_skew_ms: 0.0,
                generator_limited: r.saturation.generator_limited,
            },
            start,
        ));
        if self.first.is_none() {
            self.first = Some(file);
        }
        Ok(())
    }

    /// Checks that every index was given and builds the merged result.
    pub fn finish(self, command_line: Vec<String>) -> Result<Merged, MergeError> {
        let first = self.first.ok_or(MergeError::NoInput)?;
        let count = first.shard.count;
        let missing: Vec<String> = (0..count)
            .filter(|i| !self.seen.contains_key(i))
            .map(|i| i.to_string())
            .collect();
        if !missing.is_empty() {
            return Err(MergeError::MissingIndexes {
                missing: missing.join(", "),
                count,
                last: count - 1,
            });
        }
        let (from, to) = self.window;
        let elapsed_s = (to - from).max(0.0);
        let mut rows: Vec<ShardRow> = self
            .rows
            .into_iter()
            .map(|(mut row, start)| {
                row.start_skew_ms = (start - from) * 1000.0;
                row
            })
            .collect();
        rows.sort_by_key(|r| r.index);
        let shift = self.reference - from;
        let intervals: Vec<IntervalHistogram> = self
            .intervals
            .into_iter()
            .map(|(key, acc)| IntervalHistogram {
                start: Duration::from_secs_f64((key as f64 + shift).max(0.0)),
                length: Duration::from_secs_f64(acc.length_s),
                latency: acc.latency.into(),
                requests: acc.requests,
                errors: acc.errors,
            })
            .collect();
        let mut reasons = self.reasons;
        reasons.sort_by_key(|(index, _)| *index);
        let reasons: Vec<String> = reasons.into_iter().map(|(_, why)| why).collect();
        let cpu_total = self.cpu.0 + self.cpu.1;
        let cpus = self.cpus_given.max(1);
        let cpu_utilization = if elapsed_s > 0.0 {
            cpu_total / (elapsed_s * f64::from(cpus))
        } else {
            0.0
        };
        let measure_started = UNIX_EPOCH + Duration::from_secs_f64(from.max(0.0));
        let t = &first.report;
        let report = LoadReport {
            schema_version: t.schema_version,
            tool: crate::results::tool_info(),
            command_line,
            started_at: rfc3339(measure_started),
            target: t.target.clone(),
            http_version: t.http_version.clone(),
            model: t.model,
            rate_rps: first.shard.plan_rate_rps.or(self.rate),
            connections: self.connections,
            in_flight_per_connection: t.in_flight_per_connection,
            duration_s: t.duration_s,
            warmup_s: t.warmup_s,
            elapsed_s,
            requests: self.requests,
            successes: self.successes,
            errors: self.errors,
            status_codes: self.status_codes,
            throughput_rps: if elapsed_s > 0.0 {
                self.requests as f64 / elapsed_s
            } else {
                0.0
            },
            latency: latency_stats(&self.latency),
            service_time: latency_stats(&self.service),
            corrected: t.corrected,
            schedule_lag: match (&t.schedule_lag, &self.lag) {
                (None, _) => None,
                (Some(_), Some(h)) if !h.is_empty() => Some(ScheduleLag {
                    mean_us: h.mean(),
                    p99_us: h.value_at_quantile(0.99),
                    max_us: h.max(),
                    not_sent: self.not_sent,
                }),
                (Some(lag), _) => Some(ScheduleLag {
                    not_sent: self.not_sent,
                    ..lag.clone()
                }),
            },
            generator: GeneratorUsage {
                cpu_user_s: self.cpu.0,
                cpu_sys_s: self.cpu.1,
                cpus_given: cpus,
                cpu_utilization,
                threads: self.threads,
                rss_bytes: self.rss_max,
            },
            saturation: Saturation {
                generator_limited: !reasons.is_empty(),
                reasons,
            },
            intervals: intervals.iter().map(IntervalHistogram::stats).collect(),
            interrupted: self.interrupted,
            shard: None,
            merged: Some(MergeRecord {
                plan_fingerprint: first.shard.plan_fingerprint.clone(),
                count,
                start_at: first.shard.start_at.clone(),
                shards: rows,
            }),
        };
        Ok(Merged {
            report,
            intervals,
            measure_started,
        })
    }
}
