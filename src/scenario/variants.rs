//! A server asked for more than once in one scenario, with its own
//! `server_cpus`: `servers = ["go-nethttp", { server = "go-nethttp",
//! server_cpus = "0-1" }]`. The variant is measured as a server of its own,
//! under its own name (default `<server>-<N>cpu`, e.g. `python-uvicorn-2cpu`),
//! so its results stay apart from the plain entry's. Used by the claims suite
//! to compare a runtime on one and two server CPUs (claim C12).

use crate::cpus::CpuSet;

use super::validate::{Ctx, ScenarioError};

/// One variant entry of `servers`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerVariant {
    /// The name its results carry, e.g. `python-uvicorn-2cpu`.
    pub name: String,
    /// The reference server it runs, e.g. `python-uvicorn`.
    pub server: String,
    /// The CPUs of its process tree (instead of the scenario's `server_cpus`).
    pub server_cpus: CpuSet,
}

const FORM: &str = "expected a server name or a table like \
    { server = \"python-uvicorn\", server_cpus = \"0-1\", name = \"python-uvicorn-2cpu\" } \
    (`name` optional)";

/// Parses one table item of `servers`; `span` is the `servers` value's.
pub(super) fn parse(
    cx: &Ctx<'_>,
    span: std::ops::Range<usize>,
    table: &toml::Table,
    known: &[&str],
) -> Result<ServerVariant, ScenarioError> {
    let bad = |message: String| cx.at(span.clone(), "servers", message);
    if let Some(key) = table
        .keys()
        .find(|k| !matches!(k.as_str(), "server" | "server_cpus" | "name"))
    {
        return Err(bad(format!(
            "unknown key `{key}` in a server table; {FORM}"
        )));
    }
    let text = |key: &str| -> Result<Option<String>, ScenarioError> {
        match table.get(key) {
            None => Ok(None),
            Some(toml::Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(bad(format!(
                "`{key}` = {} is not a string; {FORM}",
                super::select::describe(other)
            ))),
        }
    };
    let server = text("server")?.ok_or_else(|| bad(format!("missing `server`; {FORM}")))?;
    if !known.contains(&server.as_str()) {
        return Err(bad(format!(
            "unknown server {server:?}; known servers: {}",
            known.join(", ")
        )));
    }
    let cpus_text = text("server_cpus")?
        .ok_or_else(|| bad(format!("missing `server_cpus` for {server:?}; {FORM}")))?;
    let server_cpus: CpuSet = cpus_text
        .parse()
        .map_err(|e| bad(format!("`server_cpus` of {server:?}: {e}")))?;
    let available = CpuSet::current().unwrap_or_default();
    if let Some(cpu) = server_cpus
        .cpus()
        .iter()
        .find(|c| !available.cpus().contains(c))
    {
        return Err(bad(format!(
            "`server_cpus` of {server:?}: CPU {cpu} is not available here; available CPUs: {available}"
        )));
    }
    let name = text("name")?.unwrap_or_else(|| format!("{server}-{}cpu", server_cpus.len()));
    let ok = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !ok {
        return Err(bad(format!(
            "name {name:?}: expected letters, digits, `-` or `_` (it names result files)"
        )));
    }
    if known.contains(&name.as_str()) {
        return Err(bad(format!(
            "name {name:?} is a reference server's; give the variant a name of its own"
        )));
    }
    Ok(ServerVariant {
        name,
        server,
        server_cpus,
    })
}

/// The note said at the start when a variant's CPUs overlap the generator's.
pub fn overlap_note(variant: &ServerVariant, loadgen: Option<&CpuSet>) -> Option<String> {
    let loadgen = loadgen?;
    let shared: Vec<String> = variant
        .server_cpus
        .cpus()
        .iter()
        .filter(|c| loadgen.cpus().contains(c))
        .map(usize::to_string)
        .collect();
    (!shared.is_empty()).then(|| {
        format!(
            "{} runs on CPUs {} and shares CPU {} with the generator: its figures include that contention",
            variant.name,
            variant.server_cpus,
            shared.join(",")
        )
    })
}

impl super::Scenario {
    /// The reference server a `servers` entry runs (itself, or a variant's server).
    pub fn server_of<'a>(&'a self, listed: &'a str) -> &'a str {
        self.variants
            .iter()
            .find(|v| v.name == listed)
            .map_or(listed, |v| v.server.as_str())
    }

    /// For a variant's name, the scenario as that variant runs it (its own
    /// `server_cpus`); `None` for a plain entry.
    pub fn variant(&self, listed: &str) -> Option<super::Scenario> {
        let v = self.variants.iter().find(|v| v.name == listed)?;
        let mut s = self.clone();
        s.server_cpus = Some(v.server_cpus.clone());
        Some(s)
    }
}
