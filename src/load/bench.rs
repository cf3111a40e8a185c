//! `gauntlet bench`: load one URL and summarise it. [`BenchOptions`] (the
//! flags as plain values, filled in by `commands::bench`) are validated into a
//! [`LoadPlan`] here (bad input names the flag and the expected form, exit 2);
//! the engine runs it; the summary, `--json` and `--hlog` are written from
//! the [`LoadOutcome`], also after Ctrl-C.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use bytes::Bytes;
use indicatif::{ProgressBar, ProgressStyle};

use super::plan::{LoadObserver, LoadPlan, Phase, Progress, RequestSpec, Schedule, Target};
use super::shard::{self, Sharding};
use super::{run_plan, Error, LoadOutcome};
use crate::cpus::CpuSet;
use crate::interrupt::Interrupt;
use crate::results::{LatencyStats, LoadModel, LoadReport};

/// What `gauntlet bench` is asked to do, as plain values (the flags of
/// `cli::BenchArgs` without clap): [`plan_from_args`] validates the load
/// part into a [`LoadPlan`]; the rest says where results go.
#[derive(Debug, Clone, PartialEq)]
pub struct BenchOptions {
    /// The URL to load, e.g. http://127.0.0.1:8080/plaintext.
    pub url: String,
    /// Connections to keep open.
    pub connections: u32,
    /// How long to measure.
    pub duration: Duration,
    /// Constant arrival rate (open model); `None`: closed model.
    pub rate: Option<f64>,
    /// Worker threads (`None`: the CPUs the generator is given).
    pub threads: Option<usize>,
    /// Load before measuring, not recorded.
    pub warmup: Duration,
    /// HTTP method.
    pub method: String,
    /// Extra request headers, `Name: value`.
    pub headers: Vec<String>,
    /// Request body.
    pub body: Option<String>,
    /// Read the request body from this file.
    pub body_file: Option<PathBuf>,
    /// Per-request timeout.
    pub timeout: Duration,
    /// Speak HTTP/2 over cleartext.
    pub http2: bool,
    /// HTTP/1.1 pipelining depth.
    pub pipeline: u32,
    /// HTTP/2 streams per connection.
    pub streams: u32,
    /// Which HTTP/1.1 client sends the requests (the lean one unless
    /// measuring hyper's against it).
    pub http1_client: super::Http1Client,
    /// Pin the generator to these CPUs (taskset list).
    pub cpus: Option<String>,
    /// Write the result as JSON here (`-`: standard output, between marker lines).
    pub json: Option<PathBuf>,
    /// Write an HdrHistogram interval log here.
    pub hlog: Option<PathBuf>,
    /// Write the summary as CSV here.
    pub csv: Option<PathBuf>,
    /// No live progress line.
    pub quiet: bool,
    /// Run shard INDEX/COUNT of the plan.
    pub shard: Option<String>,
    /// Begin the warmup at this instant (Unix seconds or RFC 3339).
    pub start_at: Option<String>,
}

/// Validates the options, waits for the shard's start time, and runs the
/// plan (live progress on a terminal unless `quiet`). Bad options are input
/// errors naming the flag; the outcome also comes back after Ctrl-C, with
/// `report.interrupted` set.
pub fn run(
    args: &BenchOptions,
    command_line: Vec<String>,
    interrupt: &Interrupt,
) -> Result<LoadOutcome, Error> {
    let plan = plan_from_args(args, command_line)?;
    let (plan, sharding) = Sharding::prepare(plan, args.shard.as_deref(), args.start_at.as_deref())
        .map_err(Error::Shard)?;
    sharding.wait(interrupt).map_err(Error::Shard)?;
    let observer = TerminalProgress::new(!args.quiet && std::io::stderr().is_terminal());
    let mut outcome = run_plan(&plan, interrupt, &observer).map_err(Error::Engine)?;
    observer.finish();
    outcome.report.shard = sharding.record(&outcome);
    Ok(outcome)
}

/// With `--json -`, the report as JSON between the marker lines (a
/// sharded pod's standard output, read back by `merge`), newline-terminated,
/// for the caller to print; `None` otherwise.
pub fn stdout_json(args: &BenchOptions, outcome: &LoadOutcome) -> Result<Option<String>, Error> {
    match &args.json {
        Some(path) if path.as_os_str() == "-" => {
            let json = serde_json::to_string(&outcome.report)?;
            Ok(Some(format!(
                "{}\n{json}\n{}\n",
                shard::BEGIN_MARKER,
                shard::END_MARKER
            )))
        }
        _ => Ok(None),
    }
}

/// Writes the files of a finished run: `--json FILE` (not `--json -`, see
/// [`stdout_json`]), `--hlog` and `--csv`.
pub fn write_outputs(args: &BenchOptions, outcome: &LoadOutcome) -> Result<(), Error> {
    match &args.json {
        Some(path) if path.as_os_str() != "-" => {
            crate::results::write_json_atomic(path, &outcome.report)
                .map_err(|e| e.for_flag("--json", path))?
        }
        _ => {}
    }
    if let Some(path) = &args.hlog {
        write_hlog(path, outcome)?;
    }
    if let Some(path) = &args.csv {
        crate::export::write(path, "--csv", &crate::export::csv::bench(&outcome.report)?)?;
    }
    Ok(())
}

fn write_hlog(path: &std::path::Path, outcome: &LoadOutcome) -> Result<(), Error> {
    let comment = format!(
        "gauntlet {} bench {}",
        env!("CARGO_PKG_VERSION"),
        outcome.report.target
    );
    crate::record::hlog::write_hlog(
        path,
        outcome.measure_started,
        &outcome.interval_histograms,
        &comment,
    )?;
    Ok(())
}

/// Parses `Name: value` (the `-H` form).
pub fn parse_header(text: &str) -> Result<(String, String), Error> {
    let bad = || Error::BadHeader {
        header: text.to_string(),
    };
    let (name, value) = text.split_once(':').ok_or_else(bad)?;
    let name = name.trim();
    if name.is_empty() || !name.bytes().all(is_token_byte) {
        return Err(bad());
    }
    let value = value.trim();
    if value.bytes().any(|b| b == b'\r' || b == b'\n') {
        return Err(bad());
    }
    Ok((name.to_string(), value.to_string()))
}

fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// Turns the flags into a validated plan.
pub fn plan_from_args(args: &BenchOptions, command_line: Vec<String>) -> Result<LoadPlan, Error> {
    let (target, path) = Target::parse_url(&args.url).map_err(|e| Error::Url {
        reason: e.to_string(),
    })?;
    if args.connections == 0 {
        return Err(Error::NoConnections);
    }
    if args.duration.is_zero() {
        return Err(Error::ZeroDuration);
    }
    if args.timeout.is_zero() {
        return Err(Error::ZeroTimeout);
    }
    let schedule = match args.rate {
        None => Schedule::Closed,
        Some(rate) if rate.is_finite() && rate > 0.0 => Schedule::OpenConstant { rate },
        Some(rate) => return Err(Error::BadRate { rate }),
    };
    let method = args.method.to_ascii_uppercase();
    if method.is_empty() || !method.bytes().all(is_token_byte) {
        return Err(Error::BadMethod {
            method: args.method.clone(),
        });
    }
    let headers = args
        .headers
        .iter()
        .map(|h| parse_header(h))
        .collect::<Result<Vec<_>, _>>()?;
    let body = match (&args.body, &args.body_file) {
        (Some(text), _) => Bytes::from(text.clone().into_bytes()),
        (None, Some(path)) => {
            Bytes::from(std::fs::read(path).map_err(|reason| Error::BodyFile {
                path: path.clone(),
                reason,
            })?)
        }
        (None, None) => Bytes::new(),
    };
    let cpus = match &args.cpus {
        Some(text) => {
            let set = text.parse::<CpuSet>().map_err(Error::Cpus)?;
            if let Ok(allowed) = CpuSet::current() {
                if let Some(cpu) = set.cpus().iter().find(|c| !allowed.cpus().contains(c)) {
                    return Err(Error::CpuNotAllowed {
                        text: text.clone(),
                        cpu: *cpu,
                        allowed: allowed.to_string(),
                    });
                }
            }
            Some(set)
        }
        None => None,
    };
    let threads = match args.threads {
        Some(0) => return Err(Error::NoThreads),
        Some(t) => t,
        None => match &cpus {
            Some(set) => set.len(),
            None => CpuSet::current().map(|s| s.len()).unwrap_or(1),
        },
    }
    .max(1);
    Ok(LoadPlan {
        target,
        requests: vec![RequestSpec {
            method,
            path,
            headers,
            body,
            weight: 1,
            expect_status: None,
            expect_body: None,
        }],
        connections: args.connections,
        schedule,
        duration: args.duration,
        warmup: args.warmup,
        threads,
        cpus,
        timeout: args.timeout,
        http2: args.http2,
        pipeline: args.pipeline,
        streams: args.streams,
        http1_client: args.http1_client,
        command_line,
    })
}

/// Live progress on a terminal (indicatif), nothing otherwise.
struct TerminalProgress {
    bar: Option<ProgressBar>,
    last: Mutex<Option<Progress>>,
}

impl TerminalProgress {
    fn new(live: bool) -> Self {
        let bar = live.then(|| {
            let bar = ProgressBar::new_spinner();
            bar.set_style(
                ProgressStyle::with_template("{spinner} {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar.enable_steady_tick(Duration::from_millis(200));
            bar
        });
        TerminalProgress {
            bar,
            last: Mutex::new(None),
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl LoadObserver for TerminalProgress {
    fn phase_started(&self, phase: Phase) {
        if let Some(bar) = &self.bar {
            match phase {
                Phase::Warmup => bar.set_message("warming up (not recorded)"),
                Phase::Measure => bar.set_message("measuring"),
                Phase::Done => bar.set_message("done"),
            }
        }
    }

    fn progress(&self, p: &Progress) {
        if let Ok(mut last) = self.last.lock() {
            *last = Some(*p);
        }
        if let Some(bar) = &self.bar {
            bar.set_message(format!(
                "{:>4.0}s/{:.0}s  {:>9.0} req/s  {} requests  {} errors  p99 {}",
                p.elapsed.as_secs_f64(),
                p.phase_length.as_secs_f64(),
                p.recent_rps,
                p.requests,
                p.errors,
                fmt_us(p.recent_p99_us)
            ));
        }
    }
}

/// Formats microseconds for people: `850µs`, `12.40ms`, `1.50s`.
pub fn fmt_us(us: u64) -> String {
    if us < 1_000 {
        format!("{us}µs")
    } else if us < 1_000_000 {
        format!("{:.2}ms", us as f64 / 1e3)
    } else {
        format!("{:.2}s", us as f64 / 1e6)
    }
}

fn percentile_row(name: &str, s: &LatencyStats) -> String {
    format!(
        "  {name:<9} p50 {:>9}  p75 {:>9}  p90 {:>9}  p99 {:>9}  p99.9 {:>9}  p99.99 {:>9}  max {:>9}\n",
        fmt_us(s.p50_us),
        fmt_us(s.p75_us),
        fmt_us(s.p90_us),
        fmt_us(s.p99_us),
        fmt_us(s.p99_9_us),
        fmt_us(s.p99_99_us),
        fmt_us(s.max_us)
    )
}

/// The end-of-run summary as printed on the terminal.
pub fn summary(r: &LoadReport) -> String {
    let mut out = String::new();
    let model = match (r.model, r.rate_rps) {
        (LoadModel::Open, Some(rate)) => format!("open model at {rate} req/s"),
        (LoadModel::Open, None) => "open model".to_string(),
        (LoadModel::Closed, _) => "closed model".to_string(),
    };
    out.push_str(&format!(
        "{} {} — {}, {} connections{}, {:.1}s measured{}\n",
        r.http_version,
        r.target,
        model,
        r.connections,
        match (r.in_flight_per_connection, r.http_version.as_str()) {
            (0 | 1, _) => String::new(),
            (n, "HTTP/2") => format!(" × {n} streams"),
            (n, _) => format!(" × {n} pipelined"),
        },
        r.elapsed_s,
        if r.interrupted {
            " (INTERRUPTED: figures cover what ran)"
        } else {
            ""
        }
    ));
    if let Some(s) = &r.shard {
        out.push_str(&format!(
            "  shard     {}/{} of plan {} (the whole plan: {} connections{})\n",
            s.index,
            s.count,
            s.plan_fingerprint,
            s.plan_connections,
            s.plan_rate_rps
                .map(|r| format!(", {r} req/s"))
                .unwrap_or_default()
        ));
    }
    out.push_str(&format!(
        "  requests  {} ({} ok), {:.1} req/s\n",
        r.requests, r.successes, r.throughput_rps
    ));
    if r.successes == 0 {
        out.push_str(
            "  latency   no successful responses: nothing to measure (see the errors below)\n",
        );
    } else {
        out.push_str(&percentile_row("latency", &r.latency));
        if r.corrected {
            out.push_str(&percentile_row("service", &r.service_time));
            out.push_str(
                "  latency is measured from each request's intended send time (corrected for coordinated omission)\n",
            );
        } else {
            out.push_str(
                "  closed model: latencies are NOT corrected for coordinated omission (use -R for the open model)\n",
            );
        }
    }
    if let Some(lag) = &r.schedule_lag {
        out.push_str(&format!(
            "  schedule lag  mean {}  p99 {}  max {}\n",
            fmt_us(lag.mean_us.round() as u64),
            fmt_us(lag.p99_us),
            fmt_us(lag.max_us)
        ));
        if lag.not_sent > 0 {
            out.push_str(&format!(
                "  not sent      {} requests were due before the end but still waiting for a free connection or for the generator\n",
                lag.not_sent
            ));
        }
    }
    if r.errors.is_empty() {
        out.push_str("  errors    none\n");
    } else {
        let list: Vec<String> = r.errors.iter().map(|(k, v)| format!("{k} {v}")).collect();
        out.push_str(&format!("  errors    {}\n", list.join(", ")));
    }
    let codes: Vec<String> = r
        .status_codes
        .iter()
        .map(|(k, v)| format!("{k}: {v}"))
        .collect();
    if !codes.is_empty() {
        out.push_str(&format!("  statuses  {}\n", codes.join(", ")));
    }
    let g = &r.generator;
    out.push_str(&format!(
        "  generator {:.2}s user + {:.2}s sys CPU on {} thread(s) ({:.0}% of {} CPU(s)), RSS {:.1} MiB\n",
        g.cpu_user_s,
        g.cpu_sys_s,
        g.threads,
        g.cpu_utilization * 100.0,
        g.cpus_given,
        g.rss_bytes as f64 / (1024.0 * 1024.0)
    ));
    if r.saturation.generator_limited {
        out.push_str(&format!(
            "  WARNING: figures may be limited by the generator, not the server: {}\n",
            r.saturation.reasons.join("; ")
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_headers_name_the_flag() {
        assert_eq!(
            parse_header("X-A:  b ").unwrap(),
            ("X-A".to_string(), "b".to_string())
        );
        for bad in ["nocolon", ": v", "Bad Name: v"] {
            let msg = parse_header(bad).unwrap_err().to_string();
            assert!(
                msg.contains("--header") && msg.contains("Name: value"),
                "{msg}"
            );
        }
    }

    #[test]
    fn microseconds_read_naturally() {
        assert_eq!(fmt_us(850), "850µs");
        assert_eq!(fmt_us(12_400), "12.40ms");
        assert_eq!(fmt_us(1_500_000), "1.50s");
    }
}
