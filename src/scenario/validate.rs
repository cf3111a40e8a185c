//! The second stage: a [`RawScenario`] checked key by key and resolved into a
//! [`Scenario`] that the runner uses as is. Every error names the file, line,
//! column and key, and says what was expected; command-line overrides are
//! checked here too, naming their flag.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Duration;

use toml::Spanned;

use super::model::{RawLoad, RawScenario};
use super::select::Known;
use crate::cpus::CpuSet;
use crate::load::plan::{RequestSpec, Schedule, Stage};
use crate::results::ScenarioInfo;
use crate::scenario::thresholds::Threshold;
use crate::servers::upstream::DelayRange;
use crate::servers::{KnownServer, Tier};

/// Why a scenario was rejected, with where in which file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScenarioError {
    /// The file could not be read.
    #[error("cannot read scenario {file}: {reason}")]
    Read {
        /// The scenario file.
        file: PathBuf,
        /// The OS error.
        reason: String,
    },
    /// A value (or the TOML itself) is wrong at a known place.
    #[error("{file}:{line}:{column}: key `{key}`: {message}")]
    At {
        /// The scenario file.
        file: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The key at fault (dotted for nested tables).
        key: String,
        /// What is wrong and what is expected.
        message: String,
    },
    /// A key is missing, or a command-line override is wrong.
    #[error("{file}: {key}: {message}")]
    Whole {
        /// The scenario file.
        file: PathBuf,
        /// The key (or `--flag`) at fault.
        key: String,
        /// What is wrong and what is expected.
        message: String,
    },
}

/// Command-line values that replace the scenario's.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// `--servers`.
    pub servers: Vec<String>,
    /// `--duration`.
    pub duration: Option<Duration>,
    /// `--repetitions`.
    pub repetitions: Option<u32>,
}

/// The upstream server a `/fanout` scenario needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpstreamSpec {
    /// Per-call delay range.
    pub delay: DelayRange,
    /// Seed of the delay distribution.
    pub seed: u64,
}

/// A validated scenario: what the runner does, with nothing left to check.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    /// Name, file and description, as recorded in results.
    pub info: ScenarioInfo,
    /// Server names, in the order they run (known to the registry).
    pub servers: Vec<String>,
    /// The request mix.
    pub requests: Vec<RequestSpec>,
    /// Servers listed again with their own CPUs (their names are in `servers`).
    pub variants: Vec<super::variants::ServerVariant>,
    /// Connections the generator opens.
    pub connections: u32,
    /// Open or closed, constant or staged.
    pub schedule: Schedule,
    /// Measured phase per repetition.
    pub duration: Duration,
    /// Unrecorded load before each repetition.
    pub warmup: Duration,
    /// `warmup = "auto"`: warm once per server until steady (then `warmup`
    /// is the short one of each repetition).
    pub auto_warmup: Option<super::steady::AutoWarmup>,
    /// Repetitions per server.
    pub repetitions: u32,
    /// Generator worker threads (`None`: one per generator CPU).
    pub threads: Option<usize>,
    /// HTTP/1.1 pipelining depth (1: none), from `load.pipeline`.
    pub pipeline: u32,
    /// HTTP/2 streams per connection, from `load.streams` (`None`: HTTP/1.1).
    pub streams: Option<u32>,
    /// Per-request timeout.
    pub timeout: Duration,
    /// CPUs for the server (`None`: not pinned).
    pub server_cpus: Option<CpuSet>,
    /// CPUs for the generator (`None`: not pinned).
    pub loadgen_cpus: Option<CpuSet>,
    /// Said once at the start when placement is not what a reader would assume
    /// (e.g. a single CPU: nothing pinned).
    pub placement_note: Option<String>,
    /// Cold starts measured per server.
    pub startup_samples: u32,
    /// How long a server may take to become ready.
    pub startup_timeout: Duration,
    /// Idle keep-alive connections for memory per connection (0: skip).
    pub idle_connections: u32,
    /// Resource sampler interval.
    pub sample_interval: Duration,
    /// Thresholds evaluated on every server's result.
    pub thresholds: Vec<Threshold>,
    /// Upstream to start for `/fanout`.
    pub upstream: Option<UpstreamSpec>,
    /// A capacity search instead of fixed-rate repetitions (`[capacity]`).
    pub capacity: Option<super::capacity_spec::CapacitySpec>,
    /// How `"fd_limit"` counts were derived, when the scenario used it.
    pub fd_limit: Option<crate::results::FdLimitRecord>,
}

/// Default measured duration.
pub const DEFAULT_DURATION: Duration = Duration::from_secs(10);
/// Warmup of each repetition with the default `warmup = "auto"`.
pub const DEFAULT_WARMUP: Duration = super::steady::REPETITION_WARMUP;
/// Default connections.
pub const DEFAULT_CONNECTIONS: u32 = 64;
/// Default cold starts per server.
pub const DEFAULT_STARTUP_SAMPLES: u32 = 5;
/// Default readiness timeout.
pub const DEFAULT_STARTUP_TIMEOUT: Duration = Duration::from_secs(30);
/// Default sampler interval.
pub const DEFAULT_SAMPLE_INTERVAL: Duration = Duration::from_millis(100);

/// 1-based line and column of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rfind('\n').map_or(before.chars().count(), |nl| {
        before[nl + 1..].chars().count()
    }) + 1;
    (line, column)
}

/// The file being validated, for errors that point into it.
pub(super) struct Ctx<'a> {
    pub(super) file: &'a Path,
    text: &'a str,
}

impl Ctx<'_> {
    pub(super) fn at(
        &self,
        span: Range<usize>,
        key: &str,
        message: impl Into<String>,
    ) -> ScenarioError {
        let (line, column) = line_column(self.text, span.start);
        ScenarioError::At {
            file: self.file.to_path_buf(),
            line,
            column,
            key: key.to_string(),
            message: message.into(),
        }
    }

    pub(super) fn whole(&self, key: &str, message: impl Into<String>) -> ScenarioError {
        ScenarioError::Whole {
            file: self.file.to_path_buf(),
            key: key.to_string(),
            message: message.into(),
        }
    }

    pub(super) fn duration(
        &self,
        value: &Spanned<String>,
        key: &str,
    ) -> Result<Duration, ScenarioError> {
        humantime::parse_duration(value.get_ref().trim()).map_err(|_| {
            self.at(
                value.span(),
                key,
                format!(
                    "{:?} is not a duration; expected a string like \"10s\", \"500ms\" or \"2m\"",
                    value.get_ref()
                ),
            )
        })
    }

    pub(super) fn count(
        &self,
        value: &Spanned<i64>,
        key: &str,
        min: i64,
        max: i64,
    ) -> Result<u32, ScenarioError> {
        let v = *value.get_ref();
        if v < min || v > max {
            return Err(self.at(
                value.span(),
                key,
                format!("{v} is out of range; expected a whole number from {min} to {max}"),
            ));
        }
        Ok(v as u32)
    }

    fn cpus(&self, value: &Spanned<String>, key: &str) -> Result<CpuSet, ScenarioError> {
        value
            .get_ref()
            .parse::<CpuSet>()
            .map_err(|e| self.at(value.span(), key, e.to_string()))
    }
}

/// Turns a toml error into one that names file, line, column and key.
fn syntax_error(file: &Path, text: &str, err: &toml::de::Error) -> ScenarioError {
    let message = crate::suggest::with_suggestion(err.message().trim());
    let Some(span) = err.span() else {
        return ScenarioError::Whole {
            file: file.to_path_buf(),
            key: "(file)".into(),
            message,
        };
    };
    let (line, column) = line_column(text, span.start);
    let line_text = text.lines().nth(line - 1).unwrap_or("");
    let key = line_text
        .split_once('=')
        .map(|(k, _)| k.trim().trim_matches('"').to_string())
        .filter(|k| !k.is_empty() && !k.starts_with('['))
        .unwrap_or_else(|| line_text.trim().trim_matches(['[', ']']).to_string());
    ScenarioError::At {
        file: file.to_path_buf(),
        line,
        column,
        key,
        message,
    }
}

impl Scenario {
    /// Reads, parses and validates a scenario file; `known_servers` are the
    /// registry's names, with their tiers (for `"all"`, `"tier:..."` and for
    /// checking names; a bare name is of the default tier, stdlib).
    pub fn load<K: KnownServer>(
        file: &Path,
        overrides: &Overrides,
        known_servers: &[K],
    ) -> Result<Scenario, ScenarioError> {
        let text = std::fs::read_to_string(file).map_err(|e| ScenarioError::Read {
            file: file.to_path_buf(),
            reason: e.to_string(),
        })?;
        Self::parse(file, &text, overrides, known_servers)
    }

    /// Parses and validates scenario text; `file` names it in errors.
    pub fn parse<K: KnownServer>(
        file: &Path,
        text: &str,
        overrides: &Overrides,
        known_servers: &[K],
    ) -> Result<Scenario, ScenarioError> {
        let raw: RawScenario = toml::from_str(text).map_err(|e| syntax_error(file, text, &e))?;
        let cx = Ctx { file, text };
        let known: Vec<(&str, Tier)> = known_servers.iter().map(|k| (k.name(), k.tier())).collect();
        validate(&cx, raw, overrides, &known)
    }
}

fn validate(
    cx: &Ctx<'_>,
    raw: RawScenario,
    overrides: &Overrides,
    known: &Known<'_>,
) -> Result<Scenario, ScenarioError> {
    let stem = cx
        .file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "scenario".into());
    let name = match &raw.name {
        Some(n) => {
            let ok = !n.get_ref().is_empty()
                && n.get_ref()
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            if !ok {
                return Err(cx.at(
                    n.span(),
                    "name",
                    format!(
                        "{:?}: expected letters, digits, `-` or `_` (it names result files)",
                        n.get_ref()
                    ),
                ));
            }
            n.get_ref().clone()
        }
        None => stem,
    };

    let (servers, variants) =
        super::select::resolve_servers(cx, raw.servers.as_ref(), overrides, known)?;
    let requests = super::requests::requests(cx, &raw)?;
    let capacity = super::capacity_spec::capacity(cx, &raw)?;
    let (connections, schedule, staged_duration, threads) = load(cx, raw.load.as_ref())?;
    let (pipeline, streams) = in_flight(cx, raw.load.as_ref())?;

    let mut duration = match (&raw.duration, staged_duration) {
        (Some(d), Some(_)) => {
            return Err(cx.at(
                d.span(),
                "duration",
                "a staged load lasts as long as its stages; remove `duration` or `load.stages`",
            ))
        }
        (Some(d), None) => cx.duration(d, "duration")?,
        (None, Some(total)) => total,
        (None, None) => DEFAULT_DURATION,
    };
    if let Some(d) = overrides.duration {
        if staged_duration.is_some() {
            return Err(cx.whole(
                "--duration",
                "this scenario's load is staged (its length is the sum of `load.stages`); \
                 --duration cannot apply to it",
            ));
        }
        duration = d;
    }
    if duration.is_zero() {
        return Err(match &raw.duration {
            Some(d) => cx.at(d.span(), "duration", "must be longer than 0s, e.g. \"10s\""),
            None => cx.whole("--duration", "must be longer than 0s, e.g. 10s"),
        });
    }
    let (warmup, auto_warmup) = super::steady::validate_warmup(cx, &raw)?;
    let mut repetitions = match &raw.repetitions {
        Some(r) => cx.count(r, "repetitions", 1, 1000)?,
        None => 1,
    };
    if let Some(r) = overrides.repetitions {
        if r == 0 {
            return Err(cx.whole("--repetitions", "expected a whole number from 1"));
        }
        repetitions = r;
    }

    let (server_cpus, loadgen_cpus, mut placement_note) = placement(cx, &raw)?;
    for v in &variants {
        if let Some(note) = super::variants::overlap_note(v, loadgen_cpus.as_ref()) {
            placement_note = Some(match placement_note {
                Some(n) => format!("{n}; {note}"),
                None => note,
            });
        }
    }

    let startup_samples = match &raw.startup_samples {
        Some(v) => cx.count(v, "startup_samples", 0, 1000)?,
        None => DEFAULT_STARTUP_SAMPLES,
    };
    let startup_timeout = match &raw.startup_timeout {
        Some(v) => cx.duration(v, "startup_timeout")?,
        None => DEFAULT_STARTUP_TIMEOUT,
    };
    let idle_connections = match &raw.idle_connections {
        Some(v) => super::fd_limit::count(cx, v, "idle_connections", 0, 100_000)?,
        None => 0,
    };
    let fd_limit = super::fd_limit::record(&raw, connections, idle_connections);
    let sample_interval = match &raw.sample_interval {
        Some(v) => {
            let d = cx.duration(v, "sample_interval")?;
            if d < Duration::from_millis(1) {
                return Err(cx.at(v.span(), "sample_interval", "expected at least \"1ms\""));
            }
            d
        }
        None => DEFAULT_SAMPLE_INTERVAL,
    };
    let timeout = match &raw.timeout {
        Some(v) => cx.duration(v, "timeout")?,
        None => Duration::from_secs(10),
    };
    let thresholds = raw
        .thresholds
        .iter()
        .map(|t| {
            t.get_ref()
                .parse::<Threshold>()
                .map_err(|e| cx.at(t.span(), "thresholds", e.to_string()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let upstream = match &raw.upstream {
        Some(u) => Some(UpstreamSpec {
            delay: match &u.get_ref().delay {
                Some(d) => d.get_ref().parse::<DelayRange>().map_err(|e| {
                    cx.at(
                        d.span(),
                        "upstream.delay",
                        format!("{e}; expected a range like \"5ms..150ms\" or one duration"),
                    )
                })?,
                None => DelayRange {
                    min: Duration::from_millis(5),
                    max: Duration::from_millis(150),
                },
            },
            seed: u.get_ref().seed.unwrap_or(42),
        }),
        None => None,
    };

    Ok(Scenario {
        info: ScenarioInfo {
            name,
            file: cx.file.display().to_string(),
            description: raw.description.clone(),
        },
        servers,
        variants,
        requests,
        connections,
        schedule,
        duration,
        warmup,
        auto_warmup,
        repetitions,
        threads,
        pipeline,
        streams,
        timeout,
        server_cpus,
        loadgen_cpus,
        placement_note,
        startup_samples,
        startup_timeout,
        idle_connections,
        sample_interval,
        thresholds,
        upstream,
        capacity,
        fd_limit,
    })
}

type LoadShape = (u32, Schedule, Option<Duration>, Option<usize>);

fn load(cx: &Ctx<'_>, raw: Option<&Spanned<RawLoad>>) -> Result<LoadShape, ScenarioError> {
    let Some(raw) = raw else {
        return Ok((DEFAULT_CONNECTIONS, Schedule::Closed, None, None));
    };
    let span = raw.span();
    let raw = raw.get_ref();
    let connections = match &raw.connections {
        Some(c) => super::fd_limit::count(cx, c, "load.connections", 1, 100_000)?,
        None => DEFAULT_CONNECTIONS,
    };
    let threads = match &raw.threads {
        Some(t) => Some(cx.count(t, "load.threads", 1, 1024)? as usize),
        None => None,
    };
    if let Some(rate) = &raw.rate {
        if !rate.get_ref().is_finite() || *rate.get_ref() <= 0.0 {
            return Err(cx.at(
                rate.span(),
                "load.rate",
                "expected requests per second above 0, e.g. 5000",
            ));
        }
    }
    if raw.stages.is_empty() {
        let schedule = match &raw.rate {
            Some(rate) => Schedule::OpenConstant {
                rate: *rate.get_ref(),
            },
            None => Schedule::Closed,
        };
        return Ok((connections, schedule, None, threads));
    }
    if let Some(rate) = &raw.rate {
        return Err(cx.at(
            rate.span(),
            "load.rate",
            "use either a constant `rate` or `stages` with a `rate` each, not both",
        ));
    }
    let open = raw.stages[0].get_ref().rate.is_some();
    let mut stages = Vec::new();
    let mut total = Duration::ZERO;
    for stage in &raw.stages {
        let s = stage.get_ref();
        let duration = cx.duration(&s.duration, "load.stages.duration")?;
        let target = match (&s.rate, &s.connections) {
            (Some(r), None) if open => {
                if !r.get_ref().is_finite() || *r.get_ref() <= 0.0 {
                    return Err(cx.at(
                        r.span(),
                        "load.stages.rate",
                        "expected requests per second above 0",
                    ));
                }
                *r.get_ref()
            }
            (None, Some(c)) if !open => {
                let c = cx.count(c, "load.stages.connections", 1, 100_000)?;
                if c > connections {
                    return Err(cx.at(
                        stage.span(),
                        "load.stages.connections",
                        format!("{c} is more than load.connections = {connections}; raise load.connections"),
                    ));
                }
                f64::from(c)
            }
            _ => {
                return Err(cx.at(
                    stage.span(),
                    "load.stages",
                    "every stage needs `duration` and exactly one of `rate` (open model) or \
                     `connections` (closed model), the same one in every stage, \
                     e.g. { duration = \"10s\", rate = 1000 }",
                ))
            }
        };
        total += duration;
        stages.push(Stage { duration, target });
    }
    if total.is_zero() {
        return Err(cx.at(span, "load.stages", "the stages last 0s in total"));
    }
    let schedule = if open {
        Schedule::OpenStages(stages)
    } else {
        Schedule::ClosedStages(stages)
    };
    Ok((connections, schedule, Some(total), threads))
}

/// `load.pipeline` and `load.streams`: requests in flight per connection.
fn in_flight(
    cx: &Ctx<'_>,
    raw: Option<&Spanned<RawLoad>>,
) -> Result<(u32, Option<u32>), ScenarioError> {
    let Some(raw) = raw.map(Spanned::get_ref) else {
        return Ok((1, None));
    };
    let pipeline = match &raw.pipeline {
        Some(p) => cx.count(p, "load.pipeline", 1, 1024)?,
        None => 1,
    };
    let streams = match &raw.streams {
        Some(s) if raw.pipeline.is_some() => {
            return Err(cx.at(
                s.span(),
                "load.streams",
                "`streams` (HTTP/2) and `pipeline` (HTTP/1.1) exclude each other; keep one",
            ))
        }
        Some(s) => Some(cx.count(s, "load.streams", 1, 1024)?),
        None => None,
    };
    Ok((pipeline, streams))
}

type Placement = (Option<CpuSet>, Option<CpuSet>, Option<String>);

fn placement(cx: &Ctx<'_>, raw: &RawScenario) -> Result<Placement, ScenarioError> {
    let available = CpuSet::current().unwrap_or_default();
    let server = raw
        .server_cpus
        .as_ref()
        .map(|v| cx.cpus(v, "server_cpus").map(|s| (v.span(), s)))
        .transpose()?;
    let loadgen = raw
        .loadgen_cpus
        .as_ref()
        .map(|v| cx.cpus(v, "loadgen_cpus").map(|s| (v.span(), s)))
        .transpose()?;
    for (key, set) in [("server_cpus", &server), ("loadgen_cpus", &loadgen)] {
        if let Some((span, set)) = set {
            if let Some(cpu) = set.cpus().iter().find(|c| !available.cpus().contains(c)) {
                return Err(cx.at(
                    span.clone(),
                    key,
                    format!("CPU {cpu} is not available here; available CPUs: {available}"),
                ));
            }
        }
    }
    if let (Some((span, s)), Some((_, l))) = (&server, &loadgen) {
        if s.cpus().iter().any(|c| l.cpus().contains(c)) {
            return Err(cx.at(
                span.clone(),
                "server_cpus",
                format!("{s} overlaps loadgen_cpus = {l}; give server and generator disjoint CPUs"),
            ));
        }
    }
    let explicit = server.is_some() || loadgen.is_some();
    let server = server.map(|(_, s)| s);
    let loadgen = loadgen.map(|(_, s)| s);
    if explicit {
        return Ok((server, loadgen, None));
    }
    let cpus = available.cpus();
    if cpus.len() < 2 {
        return Ok((
            None,
            None,
            Some(format!(
                "only {} CPU available: server and generator are not pinned and share it, \
                 so the figures include their contention",
                cpus.len()
            )),
        ));
    }
    // Server gets the first half, the generator the rest (2 CPUs: 0 and 1).
    let half = cpus.len() / 2;
    let list = |c: &[usize]| {
        c.iter()
            .map(usize::to_string)
            .collect::<Vec<_>>()
            .join(",")
            .parse::<CpuSet>()
            .ok()
    };
    Ok((list(&cpus[..half]), list(&cpus[half..]), None))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_are_one_based() {
        assert_eq!(line_column("ab\ncd", 0), (1, 1));
        assert_eq!(line_column("ab\ncd", 4), (2, 2));
    }
}
