//! The second stage: a [`RawScenario`] checked key by key and resolved into a
//! [`Scenario`] that the runner uses as is. Every error names the file, line,
//! column and key, and says what was expected; command-line overrides are
//! checked here too, naming their flag. `validate` reads the sections in
//! order: the name and the durations (`validate/sections.rs`), servers
//! ([`super::select`]), requests, the `[load]` table (`validate/load.rs`), CPU
//! placement (`validate/placement.rs`), per-server settings, thresholds and upstream.

mod load;
mod placement;
mod sections;

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Duration;

use toml::Spanned;

use super::model::RawScenario;
use super::select::Known;
use crate::cpus::CpuSet;
use crate::load::plan::{RequestSpec, Schedule};
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

/// Checks every section of `raw` in a fixed order (so a file with several
/// mistakes always reports the same one first) and builds the [`Scenario`].
fn validate(
    cx: &Ctx<'_>,
    raw: RawScenario,
    overrides: &Overrides,
    known: &Known<'_>,
) -> Result<Scenario, ScenarioError> {
    let name = sections::name(cx, &raw)?;

    let (servers, variants) =
        super::select::resolve_servers(cx, raw.servers.as_ref(), overrides, known)?;
    let requests = super::requests::requests(cx, &raw)?;
    let capacity = super::capacity_spec::capacity(cx, &raw)?;
    let (connections, schedule, staged_duration, threads) = load::load(cx, raw.load.as_ref())?;
    let (pipeline, streams) = load::in_flight(cx, raw.load.as_ref())?;

    let duration = sections::duration(cx, &raw, staged_duration, overrides)?;
    let (warmup, auto_warmup) = super::steady::validate_warmup(cx, &raw)?;
    let repetitions = sections::repetitions(cx, &raw, overrides)?;

    let (server_cpus, loadgen_cpus, mut placement_note) = placement::placement(cx, &raw)?;
    for v in &variants {
        if let Some(note) = super::variants::overlap_note(v, loadgen_cpus.as_ref()) {
            placement_note = Some(match placement_note {
                Some(n) => format!("{n}; {note}"),
                None => note,
            });
        }
    }

    let settings = sections::server_settings(cx, &raw)?;
    let fd_limit = super::fd_limit::record(&raw, connections, settings.idle_connections);
    let thresholds = sections::thresholds(cx, &raw)?;
    let upstream = sections::upstream(cx, &raw)?;

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
        timeout: settings.timeout,
        server_cpus,
        loadgen_cpus,
        placement_note,
        startup_samples: settings.startup_samples,
        startup_timeout: settings.startup_timeout,
        idle_connections: settings.idle_connections,
        sample_interval: settings.sample_interval,
        thresholds,
        upstream,
        capacity,
        fd_limit,
    })
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
