//! CPU sets: parsing taskset-style lists (`1`, `0-3`, `0,2-3`) and pinning the
//! calling thread or a child process to them with `sched_setaffinity`.

use std::fmt;
use std::str::FromStr;

/// A set of CPU indices, kept sorted and free of duplicates.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CpuSet(Vec<usize>);

impl CpuSet {
    /// The CPUs in ascending order.
    pub fn cpus(&self) -> &[usize] {
        &self.0
    }

    /// How many CPUs the set holds.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when the set holds no CPU.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The CPUs this process may currently run on.
    pub fn current() -> std::io::Result<CpuSet> {
        // SAFETY: cpu_set_t is plain data; sched_getaffinity fills it for pid 0 (us).
        unsafe {
            let mut set: libc::cpu_set_t = std::mem::zeroed();
            if libc::sched_getaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &mut set) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            let cpus = (0..libc::CPU_SETSIZE as usize)
                .filter(|&cpu| libc::CPU_ISSET(cpu, &set))
                .collect();
            Ok(CpuSet(cpus))
        }
    }

    /// Pins the calling thread (pid 0 = this thread on Linux) to the set.
    /// Safe to call between `fork` and `exec` (it only makes a system call).
    pub fn pin_current_thread(&self) -> std::io::Result<()> {
        // SAFETY: as above; the set is built from indices below CPU_SETSIZE.
        unsafe {
            let mut set: libc::cpu_set_t = std::mem::zeroed();
            for &cpu in &self.0 {
                libc::CPU_SET(cpu, &mut set);
            }
            if libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set) != 0 {
                return Err(std::io::Error::last_os_error());
            }
        }
        Ok(())
    }
}

/// Why a CPU list could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid CPU list {input:?}: {reason} (expected a list like `1`, `0-3` or `0,2-3`)")]
pub struct CpuListError {
    input: String,
    reason: String,
}

impl FromStr for CpuSet {
    type Err = CpuListError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let fail = |reason: String| CpuListError {
            input: input.to_string(),
            reason,
        };
        let mut cpus = Vec::new();
        for part in input.split(',').map(str::trim) {
            if part.is_empty() {
                return Err(fail("empty item".into()));
            }
            let (lo, hi) = match part.split_once('-') {
                Some((lo, hi)) => (lo.trim(), hi.trim()),
                None => (part, part),
            };
            let parse = |s: &str| {
                s.parse::<usize>()
                    .map_err(|_| fail(format!("{s:?} is not a CPU number")))
            };
            let (lo, hi) = (parse(lo)?, parse(hi)?);
            if lo > hi {
                return Err(fail(format!("range {lo}-{hi} runs backwards")));
            }
            if hi >= libc::CPU_SETSIZE as usize {
                return Err(fail(format!("CPU {hi} is beyond the largest possible CPU")));
            }
            cpus.extend(lo..=hi);
        }
        cpus.sort_unstable();
        cpus.dedup();
        Ok(CpuSet(cpus))
    }
}

impl fmt::Display for CpuSet {
    /// Writes the set back as a compact list, e.g. `0-2,5`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        let mut i = 0;
        while i < self.0.len() {
            let start = self.0[i];
            let mut end = start;
            while i + 1 < self.0.len() && self.0[i + 1] == end + 1 {
                i += 1;
                end = self.0[i];
            }
            if !first {
                f.write_str(",")?;
            }
            first = false;
            if start == end {
                write!(f, "{start}")?;
            } else {
                write!(f, "{start}-{end}")?;
            }
            i += 1;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_taskset_lists() {
        let set: CpuSet = "0,2-4,3".parse().unwrap();
        assert_eq!(set.cpus(), &[0, 2, 3, 4]);
        assert_eq!(set.to_string(), "0,2-4");
    }

    #[test]
    fn rejects_bad_lists_with_the_expected_form() {
        for bad in ["", "a", "3-1", "1,,2", "99999"] {
            let err = bad.parse::<CpuSet>().unwrap_err().to_string();
            assert!(err.contains("expected a list like"), "{bad}: {err}");
        }
    }

    #[test]
    fn the_current_affinity_is_not_empty() {
        assert!(!CpuSet::current().unwrap().is_empty());
    }
}
