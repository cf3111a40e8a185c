//! Command-line definitions (clap derive). Only parsing lives here: the face
//! ([`crate::commands`]) turns each command's arguments into the owning
//! module's plain options, which validates them into plans. Only `main`,
//! `app` and `commands` import this module (tests/layering.rs checks it).

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

/// Gauntlet: measure how backend runtimes compare on the same work, on the
/// same machine — throughput, coordinated-omission-corrected latency, and the
/// server's own memory, CPU and startup time.
#[derive(Debug, Parser)]
#[command(name = "gauntlet", version, propagate_version = true)]
#[command(after_help = "Start with `gauntlet bench URL` against any server, or \
`gauntlet run scenarios/quick.toml` to compare the reference servers.\n\
Exit codes: 0 ok, 1 threshold failed / regression / server failed, 2 usage or input error, 130 interrupted.")]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Load-test one URL (open model with -R, closed model without).
    Bench(BenchArgs),
    /// Run scenario files against supervised reference servers and record results.
    Run(RunArgs),
    /// List the reference servers and whether each can run on this machine.
    Servers(ServersArgs),
    /// Build and start reference servers and check them against the HTTP contract.
    Verify(VerifyArgs),
    /// Serve the upstream that /fanout calls: a server with seeded random delays.
    Upstream(UpstreamArgs),
    /// Render result folders into charts, an HTML page and a Markdown summary.
    Report(ReportArgs),
    /// Compare two runs (or a run against a baseline) with noise-aware verdicts.
    Compare(CompareArgs),
    /// Judge the claims of claims/claims.toml against result folders.
    Claims(ClaimsArgs),
    /// Merge the --json results of `bench --shard` runs exactly (histograms added).
    Merge(MergeArgs),
    /// Print Kubernetes manifests that run a sharded bench (Indexed Job).
    Kube(KubeArgs),
}

pub use crate::units::parse_duration;

/// `gauntlet bench`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  \
gauntlet bench http://127.0.0.1:8080/plaintext -c 64 -d 10s            # closed model\n  \
gauntlet bench http://127.0.0.1:8080/json -c 64 -R 20000 -d 30s --warmup 5s   # open model\n  \
gauntlet bench URL -c 256 -R 5000 -d 20s --json run.json --hlog run.hlog\n  \
gauntlet bench URL -c 64 --pipeline 16 -d 10s         # HTTP/1.1, 16 pipelined\n  \
gauntlet bench URL -c 16 --http2 --streams 10 -d 10s  # HTTP/2, 10 streams (h2load -m 10)\n  \
gauntlet bench URL -c 64 -R 8000 --shard 1/4 --start-at 2026-12-01T12:00:00Z --json s1.json  # see docs/distributed.md\n\n\
Pipelining and multiplexing: HTTP/2 streams are how browsers talk to one origin, so\n\
--streams models real clients. HTTP/1.1 pipelining is not: browsers and most clients send\n\
one request at a time per connection, so --pipeline measures what a server can parse and\n\
answer in batches (and keeps one generator CPU ahead of a fast server), and flatters it\n\
against what its users would see.")]
pub struct BenchArgs {
    /// The URL to load, e.g. http://127.0.0.1:8080/plaintext.
    pub url: String,
    /// Connections to keep open.
    #[arg(short = 'c', long, default_value_t = 64)]
    pub connections: u32,
    /// How long to measure, e.g. 10s, 2m.
    #[arg(short = 'd', long, default_value = "10s", value_parser = parse_duration)]
    pub duration: Duration,
    /// Constant arrival rate in requests per second (open model, latency
    /// corrected for coordinated omission). Without it: closed model.
    #[arg(short = 'R', long)]
    pub rate: Option<f64>,
    /// Worker threads (default: the number of CPUs the generator is given).
    #[arg(short = 't', long)]
    pub threads: Option<usize>,
    /// Load before measuring, not recorded, e.g. 5s.
    #[arg(long, default_value = "0s", value_parser = parse_duration)]
    pub warmup: Duration,
    /// HTTP method.
    #[arg(short = 'm', long, default_value = "GET")]
    pub method: String,
    /// Extra request header, `Name: value` (repeatable).
    #[arg(short = 'H', long = "header")]
    pub headers: Vec<String>,
    /// Request body.
    #[arg(long, conflicts_with = "body_file")]
    pub body: Option<String>,
    /// Read the request body from a file.
    #[arg(long)]
    pub body_file: Option<PathBuf>,
    /// Per-request timeout, counted as a `timeout` error when exceeded.
    #[arg(long, default_value = "10s", value_parser = parse_duration)]
    pub timeout: Duration,
    /// Speak HTTP/2 over cleartext (h2c, prior knowledge), with Gauntlet's
    /// own lean HTTP/2 client.
    #[arg(long)]
    pub http2: bool,
    /// HTTP/1.1 pipelining: up to N requests in flight per connection,
    /// written together, answered in order (TechEmpower's plaintext uses 16).
    /// Closed model: batches of N, the next once the last is all answered
    /// (as wrk's pipelining script); open model: each request when it is
    /// due, while fewer than N are in flight.
    /// Browsers and most HTTP clients do not pipeline: a depth above 1 shows
    /// what a server can parse and answer in batches, not what its users see.
    #[arg(long, value_name = "N", default_value_t = 1, conflicts_with = "http2",
          value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub pipeline: u32,
    /// HTTP/2 streams in flight per connection (h2load's -m; needs --http2).
    /// Browsers do multiplex, so many streams on few connections is a real
    /// pattern; streams beyond the server's SETTINGS_MAX_CONCURRENT_STREAMS
    /// wait in the client, and the wait counts in their latency.
    #[arg(long, value_name = "N", default_value_t = 1, requires = "http2",
          value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub streams: u32,
    /// The HTTP/1.1 client: `lean` (default) or `hyper` (hyper's, one
    /// request at a time; only to measure the lean one against it, see
    /// benches/vs-wrk.sh). Also read from GAUNTLET_HTTP1_CLIENT.
    #[arg(long, hide = true, default_value = "lean", env = "GAUNTLET_HTTP1_CLIENT",
          value_parser = |t: &str| t.parse::<crate::load::Http1Client>())]
    pub http1_client: crate::load::Http1Client,
    /// Pin the generator to these CPUs (taskset list: `1`, `0-3`, `0,2`).
    #[arg(long)]
    pub cpus: Option<String>,
    /// Write the result as JSON to this file (`-`: to standard output, between marker lines).
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// Write an HdrHistogram interval log (.hlog) to this file.
    #[arg(long)]
    pub hlog: Option<PathBuf>,
    /// Write the summary as CSV (a header and one row; latencies in µs) to this file.
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,
    /// Print only the final summary (no live progress line).
    #[arg(short = 'q', long)]
    pub quiet: bool,
    /// Run shard INDEX (0-based) of COUNT: this process's share of the rate
    /// and connections; merge the shards' --json with `gauntlet merge`.
    #[arg(long, value_name = "INDEX/COUNT")]
    pub shard: Option<String>,
    /// Begin the warmup at this instant (Unix seconds or RFC 3339), waiting
    /// until then; a time more than 1 s past is an error.
    #[arg(long, value_name = "TIME")]
    pub start_at: Option<String>,
}

/// `gauntlet run`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  \
gauntlet run scenarios/quick.toml\n  \
gauntlet run scenarios/runtimes/                # every per-endpoint suite, all seven servers\n  \
gauntlet run scenarios/runtimes/json.toml --servers go-nethttp,node-http,rust-hyper\n  \
gauntlet run scenarios/quick.toml --repetitions 5 --save-baseline main\n  \
gauntlet run scenarios/quick.toml --repetitions 5 --baseline main")]
pub struct RunArgs {
    /// Scenario files (TOML), or folders of them; see scenarios/README.md.
    #[arg(required = true)]
    pub scenarios: Vec<PathBuf>,
    /// Run only these servers (comma-separated), overriding the scenario.
    #[arg(long, value_delimiter = ',')]
    pub servers: Vec<String>,
    /// Override every scenario's measured duration, e.g. 10s.
    #[arg(long, value_parser = parse_duration)]
    pub duration: Option<Duration>,
    /// Override every scenario's repetitions.
    #[arg(long)]
    pub repetitions: Option<u32>,
    /// Results folder (default `results/<run-id>/`).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Do not render a report into `reports/<run-id>/` at the end.
    #[arg(long)]
    pub no_report: bool,
    /// Save this run as the named baseline under `results/baselines/<name>/`.
    #[arg(long)]
    pub save_baseline: Option<String>,
    /// Compare this run against the named baseline; exit 1 on regression.
    #[arg(long)]
    pub baseline: Option<String>,
    /// Fail instead of skipping a server whose toolchain is missing.
    #[arg(long, env = crate::flags::REQUIRE_RUNTIMES_ENV, value_parser = clap::builder::BoolishValueParser::new(), default_value_t = false)]
    pub require_all: bool,
    /// Write the run's summary as JSON to standard output instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Write the run's table as CSV (one row per scenario × server) to this file.
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,
    /// Write JUnit XML to this file: a suite per scenario, per server one test
    /// case for the run and one per threshold (a failed threshold is a failure).
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// No progress output.
    #[arg(short = 'q', long)]
    pub quiet: bool,
}

/// `gauntlet servers`.
#[derive(Debug, Args)]
pub struct ServersArgs {
    /// Print as JSON.
    #[arg(long)]
    pub json: bool,
}

/// `gauntlet verify`.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  gauntlet verify                 # every server\n  \
gauntlet verify rust-hyper go-nethttp\n  \
gauntlet verify --url http://127.0.0.1:8080   # a server you started yourself"
)]
pub struct VerifyArgs {
    /// Servers to verify (default: all).
    pub servers: Vec<String>,
    /// Verify an already running server at this base URL instead of building one.
    #[arg(long, conflicts_with = "servers")]
    pub url: Option<String>,
    /// Fail instead of skipping a server whose toolchain is missing.
    #[arg(long, env = crate::flags::REQUIRE_RUNTIMES_ENV, value_parser = clap::builder::BoolishValueParser::new(), default_value_t = false)]
    pub require_all: bool,
    /// Print as JSON.
    #[arg(long)]
    pub json: bool,
}

/// `gauntlet upstream`.
#[derive(Debug, Args)]
pub struct UpstreamArgs {
    /// Port to listen on (0 picks a free one and prints it).
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Per-request delay range, uniform, e.g. `5ms..150ms` (or one value: `20ms`).
    #[arg(long, default_value = "5ms..150ms")]
    pub delay: String,
    /// Seed of the delay distribution (same seed, same sequence of delays).
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
}

/// `gauntlet report`.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  gauntlet report results/<run-id>/ --out reports/<run-id>/\n  \
gauntlet report results/a/ results/b/ --out reports/a-vs-b/"
)]
pub struct ReportArgs {
    /// Result folders (or single result files) to render side by side.
    #[arg(required = true)]
    pub results: Vec<PathBuf>,
    /// Output folder (default `reports/<run-id>/`).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Also write every chart as PNG.
    #[arg(long)]
    pub png: bool,
}

/// `gauntlet compare`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  \
gauntlet compare results/A/ results/B/\n  \
gauntlet compare main results/B/ --markdown summary.md --json diff.json   # baseline named main\n  \
gauntlet compare results/A/ results/B/ --noise-for p99=0.10\n\n\
Default noise thresholds: throughput 5%, p50 10%, p99 20%, p99.9 30%, rss_idle 5%, rss_peak 10% (memory at least 1 MiB), \
requests_per_cpu_s 30%, startup 20% (at least 20 ms). See docs/compare.md for the method.\n\
Exit codes: 0 no regression, 1 regression found, 2 usage or input error.")]
pub struct CompareArgs {
    /// The baseline run folder, or the name of a baseline under `<results-root>/baselines/`.
    pub baseline: PathBuf,
    /// The current run folder.
    pub current: PathBuf,
    /// Noise threshold for every metric, as a fraction: relative changes
    /// smaller than this are "no change" (e.g. 0.05). Default: per metric.
    #[arg(long)]
    pub noise: Option<f64>,
    /// Noise threshold of one metric, METRIC=FRACTION (repeatable), e.g. p99=0.10.
    #[arg(long = "noise-for", value_name = "METRIC=FRACTION")]
    pub noise_for: Vec<String>,
    /// Folder holding `baselines/<name>/`.
    #[arg(long, default_value = "results")]
    pub results_root: PathBuf,
    /// Write the comparison as Markdown to this file.
    #[arg(long)]
    pub markdown: Option<PathBuf>,
    /// Write the comparison as JSON to this file.
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// Write JUnit XML to this file: one test case per metric verdict, a
    /// regression a failure, too few samples a skip.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
}

/// `gauntlet claims`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  \
gauntlet claims results/<run-id>/\n  \
gauntlet claims results/a/ results/b/ --json claims.json --markdown claims.md\n\n\
Verdicts: supported, contradicted, inconclusive, not_testable (see claims/README.md).\n\
Exit codes: 0 evaluated (whatever the verdicts), 2 bad claims file or missing result folder.")]
pub struct ClaimsArgs {
    /// Result folders written by `gauntlet run`; for the same scenario and
    /// server, a later folder replaces an earlier one.
    #[arg(required = true)]
    pub results: Vec<PathBuf>,
    /// The claims file.
    #[arg(long, default_value = "claims/claims.toml")]
    pub claims: PathBuf,
    /// Write the verdicts as JSON to this file.
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// Write the verdicts as a Markdown table to this file.
    #[arg(long)]
    pub markdown: Option<PathBuf>,
}

/// `gauntlet merge`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  \
gauntlet merge shard-*.json --json merged.json --hlog merged.hlog\n  \
gauntlet merge logs/shard-*.log --threshold 'p99 < 50ms' --threshold 'error_rate < 0.001'\n  \
gauntlet merge shard-*.json --out results/sharded-1/   # then gauntlet report / compare\n\n\
Inputs are `gauntlet bench --shard I/N --json` files, or logs holding the result between marker lines\n\
(`--json -`, as the Kubernetes Job prints it). See docs/distributed.md.\n\
Exit codes: 0 merged, 1 a threshold failed, 2 shards that cannot be merged or bad input.")]
pub struct MergeArgs {
    /// The shards' results (one per index, 0 to COUNT-1).
    #[arg(required = true)]
    pub shards: Vec<PathBuf>,
    /// Write the merged result as JSON to this file.
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// Write the merged per-second histograms as an HdrHistogram log (.hlog).
    #[arg(long)]
    pub hlog: Option<PathBuf>,
    /// Write a result folder (manifest.json + one result) that `gauntlet
    /// report` and `gauntlet compare` read.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Scenario name of the result in --out (compare matches runs by it).
    #[arg(long, default_value = "sharded")]
    pub name: String,
    /// A threshold on the merged figures, e.g. 'p99 < 50ms', 'error_rate <
    /// 0.001', 'throughput > 5000' (repeatable); exit 1 when one fails.
    #[arg(long = "threshold", value_name = "EXPR")]
    pub thresholds: Vec<String>,
}

/// `gauntlet kube`.
#[derive(Debug, Args)]
pub struct KubeArgs {
    /// What to print.
    #[command(subcommand)]
    pub command: KubeCommand,
}

/// The `kube` subcommands.
#[derive(Debug, Subcommand)]
pub enum KubeCommand {
    /// Print an Indexed Job (one pod per shard) and a headless Service as JSON.
    Job(KubeJobArgs),
}

/// `gauntlet kube job`.
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  \
gauntlet kube job --shards 4 --image registry.example/gauntlet:0.1 -c 256 -R 40000 -d 60s \\\n    \
http://target.default.svc:8080/plaintext | kubectl apply -f -\n\n\
Each pod prints its result between marker lines; collect them with kubectl logs and\n\
merge with `gauntlet merge` (see docs/distributed.md).")]
pub struct KubeJobArgs {
    /// Number of shards (pods), each running INDEX/N of the plan.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub shards: u32,
    /// Container image holding gauntlet on its PATH.
    #[arg(long, default_value = "gauntlet:latest")]
    pub image: String,
    /// Name of the Job and the Service (a DNS label).
    #[arg(long = "job-name", default_value = "gauntlet-load")]
    pub job_name: String,
    /// Namespace to put them in (default: kubectl's current one).
    #[arg(long)]
    pub namespace: Option<String>,
    /// How far ahead of now the shards begin: time for every pod to be
    /// scheduled and pull the image (a shard starting more than 1 s late fails).
    #[arg(long, default_value = "60s", value_parser = parse_duration)]
    pub start_delay: Duration,
    /// CPUs per shard (requests = limits: Guaranteed QoS), e.g. 2 or 1500m.
    #[arg(long, default_value = "2")]
    pub cpu: String,
    /// Memory per shard (requests = limits), e.g. 512Mi.
    #[arg(long, default_value = "512Mi")]
    pub memory: String,
    /// Refuse to put two shards on one node (required anti-affinity) instead
    /// of only preferring not to.
    #[arg(long)]
    pub require_spread: bool,
    /// The bench to shard (the same flags as `gauntlet bench`).
    #[command(flatten)]
    pub bench: BenchArgs,
}
