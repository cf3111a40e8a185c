//! Placement: which CPUs the server and the generator get (`server_cpus`,
//! `loadgen_cpus`).

use super::{Ctx, ScenarioError};
use crate::cpus::CpuSet;
use crate::scenario::model::RawScenario;

/// Server CPUs, generator CPUs, and a note when placement is not what a
/// reader would assume.
pub(super) type Placement = (Option<CpuSet>, Option<CpuSet>, Option<String>);

/// `server_cpus` and `loadgen_cpus`: checked against the CPUs available
/// and each other; without them, the CPUs are split in two halves.
pub(super) fn placement(cx: &Ctx<'_>, raw: &RawScenario) -> Result<Placement, ScenarioError> {
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
