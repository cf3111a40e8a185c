//! What compare (and claims) need to know about two runs beyond their
//! figures: the environment fingerprint that decides whether they are
//! comparable, and a status in words. The folders themselves are read by
//! [`crate::results::RunFolder`].

use crate::results::{Environment, RunFolder, RunStatus};

/// The runtime versions of a run, by server: the manifest's environment
/// plus what each result recorded.
fn runtimes(run: &RunFolder) -> std::collections::BTreeMap<String, String> {
    let mut runtimes = run.manifest.environment.runtimes.clone();
    for result in &run.results {
        if !result.server.runtime_version.is_empty() {
            runtimes
                .entry(result.server.name.clone())
                .or_insert_with(|| result.server.runtime_version.clone());
        }
    }
    runtimes
}
/// A one-line description of a run status that is not `ok`.
pub fn status_note(status: &RunStatus) -> Option<String> {
    match status {
        RunStatus::Ok => None,
        RunStatus::Failed { reason, .. } => Some(format!("failed: {reason}")),
        RunStatus::Interrupted => Some("interrupted".into()),
        RunStatus::Skipped { reason } => Some(format!("skipped: {reason}")),
    }
}

/// Differences between two runs' environments that make their figures
/// incomparable (CPU model, core count, kernel, runtime versions of servers
/// present in both), one human-readable line each. Empty when comparable.
pub fn environment_differences(baseline: &RunFolder, current: &RunFolder) -> Vec<String> {
    let (a, b): (&Environment, &Environment) = (
        &baseline.manifest.environment,
        &current.manifest.environment,
    );
    let mut diffs = Vec::new();
    if a.cpu_model != b.cpu_model {
        diffs.push(format!("CPU model {:?} vs {:?}", a.cpu_model, b.cpu_model));
    }
    if a.logical_cpus != b.logical_cpus {
        diffs.push(format!(
            "logical CPUs {} vs {}",
            a.logical_cpus, b.logical_cpus
        ));
    }
    if a.kernel != b.kernel {
        diffs.push(format!("kernel {} vs {}", a.kernel, b.kernel));
    }
    let (ra, rb) = (runtimes(baseline), runtimes(current));
    for (server, version) in &ra {
        if let Some(other) = rb.get(server) {
            if other != version {
                diffs.push(format!("{server} runtime {version:?} vs {other:?}"));
            }
        }
    }
    diffs
}
