//! Where a run came from and where it goes: the [`Environment`] fingerprint
//! (CPU, cores, kernel, OS, memory, governor, runtime versions, tool), the
//! run id, and the results folder (`results/<run-id>/manifest.json` plus one
//! `<scenario>__<server>.json` per scenario × server), each file written
//! atomically and the manifest rewritten after every result.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use time::OffsetDateTime;

use super::{tool_info, write_json_atomic, Environment, RunManifest, ServerRunResult};

/// Reads the machine's fingerprint; `runtimes` maps server name to the
/// version its manifest's version command printed.
pub fn fingerprint(runtimes: BTreeMap<String, String>) -> Environment {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let cpu_model = cpuinfo
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            matches!(k.trim(), "model name" | "Model" | "Hardware" | "cpu model")
                .then(|| v.trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into());
    let cpu_cores = std::thread::available_parallelism()
        .map(|n| n.get() as u32)
        .unwrap_or(1);
    let online = cpuinfo
        .lines()
        .filter(|l| l.starts_with("processor"))
        .count() as u32;
    let read = |p: &str| {
        std::fs::read_to_string(p)
            .ok()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    let memory_bytes = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .find(|l| l.starts_with("MemTotal:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .map_or(0, |kb| kb * 1024);
    let os = read("/etc/os-release")
        .and_then(|text| {
            text.lines()
                .find_map(|l| l.strip_prefix("PRETTY_NAME="))
                .map(|v| v.trim_matches('"').to_string())
        })
        .unwrap_or_else(|| std::env::consts::OS.to_string());
    Environment {
        hostname: read("/proc/sys/kernel/hostname").unwrap_or_else(|| "unknown".into()),
        cpu_model,
        cpu_cores: if online > 0 { online } else { cpu_cores },
        kernel: read("/proc/sys/kernel/osrelease").unwrap_or_else(|| "unknown".into()),
        os,
        memory_bytes,
        cpu_governor: read("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor"),
        tool: tool_info(),
        runtimes,
    }
}

/// Current time as RFC 3339 UTC (seconds precision).
pub fn now_rfc3339() -> String {
    let now = OffsetDateTime::now_utc();
    let now = now.replace_nanosecond(0).unwrap_or(now);
    now.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| now.unix_timestamp().to_string())
}

/// A run id: UTC time plus a label, e.g. `2026-11-22T21-57-03Z-quick`; safe
/// as a folder name and sorted by time.
pub fn run_id(label: &str) -> String {
    let now = OffsetDateTime::now_utc();
    let label: String = label
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!(
        "{:04}-{:02}-{:02}T{:02}-{:02}-{:02}Z-{label}",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second()
    )
}

/// The file name of one scenario × server result (each name made a safe
/// path component, so no name can place the file outside the run folder).
pub fn result_file_name(scenario: &str, server: &str) -> String {
    format!(
        "{}__{}.json",
        super::paths::file_component(scenario),
        super::paths::file_component(server)
    )
}

/// A results folder being written: the manifest is kept on disk up to date
/// after every result, so a crash loses nothing that was finished.
#[derive(Debug)]
pub struct RunFolder {
    dir: PathBuf,
    manifest: RunManifest,
}

impl RunFolder {
    /// Creates `dir` and writes the initial manifest.
    pub fn create(dir: &Path, manifest: RunManifest) -> Result<RunFolder> {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("creating results folder {}", dir.display()))?;
        let folder = RunFolder {
            dir: dir.to_path_buf(),
            manifest,
        };
        folder.write_manifest()?;
        Ok(folder)
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The manifest as last written.
    pub fn manifest(&self) -> &RunManifest {
        &self.manifest
    }

    fn write_manifest(&self) -> Result<()> {
        write_json_atomic(&self.dir.join("manifest.json"), &self.manifest)
    }

    /// Writes one result (replacing an earlier version of the same file) and
    /// records it in the manifest; returns its path.
    pub fn write_result(&mut self, result: &ServerRunResult) -> Result<PathBuf> {
        let name = result_file_name(&result.scenario.name, &result.server.name);
        let path = self.dir.join(&name);
        write_json_atomic(&path, result)?;
        if !self.manifest.results.contains(&name) {
            self.manifest.results.push(name);
        }
        self.write_manifest()?;
        Ok(path)
    }

    /// Marks the run finished (or interrupted) and writes the manifest.
    pub fn finish(&mut self, interrupted: bool) -> Result<()> {
        self.manifest.finished_at = Some(now_rfc3339());
        self.manifest.interrupted = interrupted;
        self.write_manifest()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_reads_this_machine() {
        let env = fingerprint(BTreeMap::new());
        assert!(env.cpu_cores >= 1);
        assert!(env.memory_bytes > 0);
        assert_ne!(env.kernel, "unknown");
    }

    #[test]
    fn run_ids_are_folder_safe() {
        let id = run_id("a b/c");
        assert!(id.ends_with("Z-a-b-c"), "{id}");
        assert!(!id.contains(':'));
    }
}
