//! Where a run came from and where it goes: the [`Environment`] fingerprint
//! (CPU, cores, kernel, OS, memory, governor, runtime versions, tool), the
//! run id, and the names of a results folder's files
//! (`results/<run-id>/manifest.json` plus one `<scenario>__<server>.json` per
//! scenario × server; [`super::write::RunWriter`] writes them).

use std::collections::BTreeMap;
use time::OffsetDateTime;

use super::{tool_info, Environment};

/// Reads the machine's fingerprint through `sysinfo`; `runtimes` maps
/// server name to the version its manifest's version command printed. (The
/// per-process sampling during a run reads `/proc` directly instead, in
/// `supervise`: it needs a whole process tree's RSS and CPU every 100 ms
/// from one small read per process.)
pub fn fingerprint(runtimes: BTreeMap<String, String>) -> Environment {
    use sysinfo::{CpuRefreshKind, MemoryRefreshKind, RefreshKind, System};
    let system = System::new_with_specifics(
        RefreshKind::nothing()
            .with_cpu(CpuRefreshKind::nothing())
            .with_memory(MemoryRefreshKind::nothing().with_ram()),
    );
    let cpu_model = system
        .cpus()
        .first()
        .map(|c| c.brand().trim().to_string())
        .filter(|b| !b.is_empty())
        .unwrap_or_else(|| "unknown".into());
    let logical_cpus = match system.cpus().len() {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    } as u32;
    Environment {
        hostname: System::host_name().unwrap_or_else(|| "unknown".into()),
        cpu_model,
        logical_cpus,
        physical_cores: System::physical_core_count().map(|n| n as u32),
        kernel: System::kernel_version().unwrap_or_else(|| "unknown".into()),
        os: System::long_os_version().unwrap_or_else(|| std::env::consts::OS.to_string()),
        memory_bytes: system.total_memory(),
        cpu_governor: std::fs::read_to_string(
            "/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor",
        )
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty()),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_reads_this_machine() {
        let env = fingerprint(BTreeMap::new());
        assert!(env.logical_cpus >= 1);
        assert!(env
            .physical_cores
            .is_none_or(|p| p >= 1 && p <= env.logical_cpus));
        assert!(env.memory_bytes > 0);
        assert_ne!(env.kernel, "unknown");
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn fingerprint_agrees_with_the_kernels_own_files() {
        let env = fingerprint(BTreeMap::new());
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap();
        let processors = cpuinfo
            .lines()
            .filter(|l| l.starts_with("processor"))
            .count();
        assert_eq!(env.logical_cpus as usize, processors);
        if let Some(model) = cpuinfo
            .lines()
            .find_map(|l| l.strip_prefix("model name").and_then(|r| r.split_once(':')))
        {
            assert_eq!(env.cpu_model, model.1.trim());
        }
        let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap();
        let total_kib: u64 = meminfo
            .lines()
            .find_map(|l| l.strip_prefix("MemTotal:"))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap();
        assert_eq!(env.memory_bytes, total_kib * 1024);
        let release = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap();
        assert_eq!(env.kernel, release.trim());
    }

    #[test]
    fn run_ids_are_folder_safe() {
        let id = run_id("a b/c");
        assert!(id.ends_with("Z-a-b-c"), "{id}");
        assert!(!id.contains(':'));
    }
}
