//! Reading what a server's whole process tree consumes, from /proc: RSS
//! (statm), CPU time, threads (stat) and open file descriptors (fd/), summed
//! over the root and every descendant; and [`Sampler`], a background thread
//! that takes such a reading at a fixed interval (plus synchronous readings
//! at the edges of the measured window).
//!
//! CPU time comes from each process's CPU-time clock
//! (`clock_getcpuclockid` + `clock_gettime`: nanoseconds, every thread,
//! ended threads included) plus the reaped children's time from stat;
//! `/proc/<pid>/stat`'s user and system time, truncated to 10 ms clock ticks,
//! is the fallback when that clock cannot be read. A light run uses only a
//! few ticks of CPU, so ticks alone would read it as 0 or double it.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::results::ResourceSample;

/// One reading of a process tree.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct TreeSample {
    /// Resident set size summed over the tree, in bytes.
    pub rss_bytes: u64,
    /// User + system CPU seconds since spawn, summed over the tree (children
    /// that already ended and were reaped are included through their parent).
    pub cpu_s: f64,
    /// Threads summed over the tree.
    pub threads: u32,
    /// Open file descriptors summed over the tree.
    pub fds: u32,
    /// Processes in the tree.
    pub processes: u32,
    /// The coarsest resolution of any process's CPU reading, in seconds:
    /// the CPU-time clock's (1 ns) or, where it fell back to stat, a clock
    /// tick ([`cpu_tick_s`]).
    pub cpu_resolution_s: f64,
}

/// Reads the tree rooted at `root_pid` once. Fails only when the root itself
/// cannot be read or has ended (a zombie, or a process that has already
/// released its memory on the way out, counts as ended); descendants that
/// end mid-reading are skipped.
pub fn sample_tree(root_pid: u32) -> std::io::Result<TreeSample> {
    let page = page_size();
    let ticks = clock_ticks();
    let mut sample = TreeSample::default();
    let root = read_process(root_pid, page, ticks)?;
    sample.add(&root);
    for pid in descendants(root_pid) {
        if let Ok(p) = read_process(pid, page, ticks) {
            sample.add(&p);
        }
    }
    Ok(sample)
}

impl TreeSample {
    fn add(&mut self, p: &ProcessSample) {
        self.rss_bytes += p.rss_bytes;
        self.cpu_s += p.cpu_s;
        self.threads += p.threads;
        self.fds += p.fds;
        self.processes += 1;
        self.cpu_resolution_s = self.cpu_resolution_s.max(p.cpu_resolution_s);
    }
}

struct ProcessSample {
    rss_bytes: u64,
    cpu_s: f64,
    cpu_resolution_s: f64,
    threads: u32,
    fds: u32,
}

/// CPU seconds of every thread of `pid` (ended ones included, reaped
/// children not) from its CPU-time clock, with that clock's resolution.
fn precise_cpu_s(pid: u32) -> Option<(f64, f64)> {
    let mut clock: libc::clockid_t = 0;
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    let mut resolution = now;
    // SAFETY: plain system calls writing into the locals passed.
    unsafe {
        if libc::clock_getcpuclockid(pid as libc::pid_t, &mut clock) != 0
            || libc::clock_gettime(clock, &mut now) != 0
            || libc::clock_getres(clock, &mut resolution) != 0
        {
            return None;
        }
    }
    let seconds = |t: libc::timespec| t.tv_sec as f64 + t.tv_nsec as f64 * 1e-9;
    Some((seconds(now), seconds(resolution)))
}

fn read_process(pid: u32, page: u64, ticks: f64) -> std::io::Result<ProcessSample> {
    let base = format!("/proc/{pid}");
    let stat = fs::read_to_string(format!("{base}/stat"))?;
    let fields = stat_fields(&stat).ok_or_else(|| bad_data(&base, "stat"))?;
    if matches!(fields.first(), Some(&"Z") | Some(&"X")) {
        // Ended, not yet reaped: nothing of it is left to measure.
        return Err(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            format!("process {pid} has ended"),
        ));
    }
    // Fields after the command, 0-based from field 3 (state): utime is field
    // 14, stime 15, cutime 16, cstime 17, num_threads 20.
    let num = |field: usize| -> std::io::Result<u64> {
        fields
            .get(field - 3)
            .and_then(|v| v.parse::<i64>().ok())
            .map(|v| v.max(0) as u64)
            .ok_or_else(|| bad_data(&base, "stat"))
    };
    let children_s = (num(16)? + num(17)?) as f64 / ticks;
    let (own_s, cpu_resolution_s) = match precise_cpu_s(pid) {
        Some(precise) => precise,
        None => ((num(14)? + num(15)?) as f64 / ticks, 1.0 / ticks),
    };
    let threads = num(20)? as u32;
    let statm = fs::read_to_string(format!("{base}/statm"))?;
    let resident: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| bad_data(&base, "statm"))?;
    if resident == 0 {
        // A user process always has resident pages while it lives. Zero means
        // it is between releasing its memory and becoming a zombie: it has
        // ended, and a reading now would show a false drop to 0 bytes.
        return Err(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            format!("process {pid} is exiting"),
        ));
    }
    let fds = fs::read_dir(format!("{base}/fd"))
        .map(|d| d.count() as u32)
        .unwrap_or(0);
    Ok(ProcessSample {
        rss_bytes: resident * page,
        cpu_s: own_s + children_s,
        cpu_resolution_s,
        threads,
        fds,
    })
}

/// The fields of `/proc/<pid>/stat` after `(comm)`, which may itself hold
/// spaces and parentheses.
fn stat_fields(stat: &str) -> Option<Vec<&str>> {
    let after = &stat[stat.rfind(')')? + 1..];
    Some(after.split_whitespace().collect())
}

fn bad_data(base: &str, file: &str) -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::InvalidData,
        format!("unexpected layout of {base}/{file}"),
    )
}

/// Every descendant of `root`, through `/proc/<pid>/task/<tid>/children`
/// when the kernel offers it, else by a scan of every process's parent.
fn descendants(root: u32) -> Vec<u32> {
    let children_file = format!("/proc/{root}/task/{root}/children");
    if Path::new(&children_file).exists() {
        let mut found = Vec::new();
        let mut queue = vec![root];
        let mut seen = HashSet::from([root]);
        while let Some(pid) = queue.pop() {
            for child in children_via_tasks(pid) {
                if seen.insert(child) {
                    found.push(child);
                    queue.push(child);
                }
            }
        }
        found
    } else {
        descendants_by_scan(root)
    }
}

fn children_via_tasks(pid: u32) -> Vec<u32> {
    let Ok(tasks) = fs::read_dir(format!("/proc/{pid}/task")) else {
        return Vec::new();
    };
    let mut children = Vec::new();
    for task in tasks.flatten() {
        if let Ok(text) = fs::read_to_string(task.path().join("children")) {
            children.extend(
                text.split_whitespace()
                    .filter_map(|c| c.parse::<u32>().ok()),
            );
        }
    }
    children
}

fn descendants_by_scan(root: u32) -> Vec<u32> {
    let mut by_parent: HashMap<u32, Vec<u32>> = HashMap::new();
    if let Ok(procs) = fs::read_dir("/proc") {
        for entry in procs.flatten() {
            let Some(pid) = entry
                .file_name()
                .to_str()
                .and_then(|n| n.parse::<u32>().ok())
            else {
                continue;
            };
            let Ok(stat) = fs::read_to_string(format!("/proc/{pid}/stat")) else {
                continue;
            };
            if let Some(ppid) =
                stat_fields(&stat).and_then(|f| f.get(1).and_then(|p| p.parse::<u32>().ok()))
            {
                by_parent.entry(ppid).or_default().push(pid);
            }
        }
    }
    let mut found = Vec::new();
    let mut queue = vec![root];
    while let Some(pid) = queue.pop() {
        for &child in by_parent.get(&pid).into_iter().flatten() {
            if !found.contains(&child) && child != root {
                found.push(child);
                queue.push(child);
            }
        }
    }
    found
}

fn page_size() -> u64 {
    // SAFETY: sysconf only reads a system constant.
    let size = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    if size > 0 {
        size as u64
    } else {
        4096
    }
}

/// Length of one CPU clock tick in seconds (1 / `_SC_CLK_TCK`, 10 ms on
/// most kernels): /proc reports each process's user and system CPU time
/// truncated to whole ticks, so this is the resolution of [`TreeSample::cpu_s`].
pub fn cpu_tick_s() -> f64 {
    1.0 / clock_ticks()
}

fn clock_ticks() -> f64 {
    // SAFETY: sysconf only reads a system constant.
    let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if ticks > 0 {
        ticks as f64
    } else {
        100.0
    }
}

#[derive(Debug)]
struct Shared {
    stop: AtomicBool,
    zero: Mutex<Instant>,
    samples: Mutex<Vec<(Instant, TreeSample)>>,
}

impl Shared {
    fn push(&self, at: Instant, sample: TreeSample) {
        if let Ok(mut samples) = self.samples.lock() {
            samples.push((at, sample));
        }
    }
}

/// A background thread reading a process tree every `interval`.
#[derive(Debug)]
pub struct Sampler {
    root_pid: u32,
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl Sampler {
    /// Starts sampling `root_pid` now (first reading at once). Time zero is
    /// the start until [`Sampler::mark_zero`] moves it.
    pub fn start(root_pid: u32, interval: Duration) -> Sampler {
        let shared = Arc::new(Shared {
            stop: AtomicBool::new(false),
            zero: Mutex::new(Instant::now()),
            samples: Mutex::new(Vec::new()),
        });
        let for_thread = Arc::clone(&shared);
        let interval = interval.max(Duration::from_millis(1));
        let thread = std::thread::Builder::new()
            .name(format!("sampler-{root_pid}"))
            .spawn(move || {
                let mut next = Instant::now();
                while !for_thread.stop.load(Ordering::Acquire) {
                    record(&for_thread, root_pid);
                    next += interval;
                    let now = Instant::now();
                    if next > now {
                        std::thread::park_timeout(next - now);
                    } else {
                        next = now;
                    }
                }
            })
            .map_err(|e| eprintln!("warning: cannot start the resource sampler: {e}"))
            .ok();
        Sampler {
            root_pid,
            shared,
            thread,
        }
    }

    /// From now on, `t_s = 0` (the start of the measured phase); earlier
    /// samples get negative times. Takes a reading of its own at that
    /// moment, so the CPU at the window's start is read exactly rather than
    /// up to one interval away; returns the instant that became zero.
    pub fn mark_zero(&self) -> Instant {
        let at = self.read_now();
        if let Ok(mut zero) = self.shared.zero.lock() {
            *zero = at;
        }
        at
    }

    /// Takes a reading now (the end of the measured phase) and returns the
    /// instant it stands for, so the CPU at the window's end is exact too.
    pub fn mark_end(&self) -> Instant {
        self.read_now()
    }

    /// One synchronous reading, stamped at the middle of the time it took.
    fn read_now(&self) -> Instant {
        let before = Instant::now();
        let sample = sample_tree(self.root_pid);
        let at = before + before.elapsed() / 2;
        if let Ok(sample) = sample {
            self.shared.push(at, sample);
        }
        at
    }

    /// The coarsest CPU resolution of any reading so far, in seconds (a
    /// clock tick when nothing was read).
    pub fn cpu_resolution_s(&self) -> f64 {
        self.shared
            .samples
            .lock()
            .ok()
            .and_then(|s| {
                s.iter()
                    .map(|(_, sample)| sample.cpu_resolution_s)
                    .reduce(f64::max)
            })
            .unwrap_or_else(cpu_tick_s)
    }

    /// The most recent reading, if any succeeded.
    pub fn latest(&self) -> Option<TreeSample> {
        self.shared
            .samples
            .lock()
            .ok()
            .and_then(|s| s.last().map(|(_, sample)| *sample))
    }

    /// Stops the thread, takes one last reading (if the tree still exists)
    /// and returns every reading in time order.
    pub fn finish(mut self) -> Vec<ResourceSample> {
        self.stop_thread();
        record(&self.shared, self.root_pid);
        let zero = self
            .shared
            .zero
            .lock()
            .map(|z| *z)
            .unwrap_or_else(|_| Instant::now());
        let mut samples = self
            .shared
            .samples
            .lock()
            .map(|s| s.clone())
            .unwrap_or_default();
        // The thread's readings and the synchronous ones interleave.
        samples.sort_by_key(|(at, _)| *at);
        samples
            .into_iter()
            .map(|(at, s)| ResourceSample {
                t_s: signed_seconds(at, zero),
                rss_bytes: s.rss_bytes,
                cpu_s: s.cpu_s,
                threads: s.threads,
                fds: s.fds,
                processes: s.processes,
            })
            .collect()
    }

    fn stop_thread(&mut self) {
        self.shared.stop.store(true, Ordering::Release);
        if let Some(thread) = self.thread.take() {
            thread.thread().unpark();
            let _ = thread.join();
        }
    }
}

impl Drop for Sampler {
    fn drop(&mut self) {
        self.stop_thread();
    }
}

fn record(shared: &Shared, root_pid: u32) {
    if let Ok(sample) = sample_tree(root_pid) {
        shared.push(Instant::now(), sample);
    }
}

fn signed_seconds(at: Instant, zero: Instant) -> f64 {
    if at >= zero {
        (at - zero).as_secs_f64()
    } else {
        -(zero - at).as_secs_f64()
    }
}

/// The two edges of a measured window as a load observer sees them: when the
/// engine enters its measured phase and when it is done, each stamped by a
/// synchronous reading of the sampler (when there is one), so the server's CPU
/// at both edges is exact. Shared by every observer that lines a sampler up
/// with the engine (repetitions, capacity steps).
#[derive(Debug, Default)]
pub struct WindowEdges<'a> {
    sampler: Option<&'a Sampler>,
    start: Mutex<Option<Instant>>,
    end: Mutex<Option<Instant>>,
}

impl<'a> WindowEdges<'a> {
    /// Edges read through `sampler` (or the clock alone without one).
    pub fn new(sampler: Option<&'a Sampler>) -> Self {
        WindowEdges {
            sampler,
            start: Mutex::new(None),
            end: Mutex::new(None),
        }
    }

    /// Marks the start of the measured phase (the sampler's zero).
    pub fn mark_start(&self) {
        let at = self.sampler.map_or_else(Instant::now, Sampler::mark_zero);
        if let Ok(mut start) = self.start.lock() {
            *start = Some(at);
        }
    }

    /// Marks the end of the measured phase.
    pub fn mark_end(&self) {
        let at = self.sampler.map_or_else(Instant::now, Sampler::mark_end);
        if let Ok(mut end) = self.end.lock() {
            *end = Some(at);
        }
    }

    /// Seconds between the two edges, once both are marked.
    pub fn seconds(&self) -> Option<f64> {
        let start = (*self.start.lock().ok()?)?;
        let end = (*self.end.lock().ok()?)?;
        Some(end.saturating_duration_since(start).as_secs_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_this_process() {
        let s = sample_tree(std::process::id()).unwrap();
        assert!(s.rss_bytes > 1 << 20, "{s:?}");
        assert!(s.threads >= 1 && s.fds >= 3 && s.processes >= 1, "{s:?}");
    }

    #[test]
    fn comm_with_spaces_and_parens_is_parsed() {
        let f = stat_fields("12 (a b) c)) S 1 12 12 0").unwrap();
        assert_eq!(f[0], "S");
        assert_eq!(f[1], "1");
    }

    #[test]
    fn an_ended_unreaped_process_is_not_measured() {
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        let deadline = Instant::now() + Duration::from_secs(5);
        // Until it is reaped, /proc/<pid> stays (as a zombie).
        while sample_tree(pid).is_ok() {
            assert!(Instant::now() < deadline, "still measured as running");
            std::thread::sleep(Duration::from_millis(2));
        }
        assert!(std::path::Path::new(&format!("/proc/{pid}")).exists());
        child.wait().unwrap();
    }

    #[test]
    fn a_missing_process_is_an_error() {
        assert!(sample_tree(u32::MAX - 1).is_err());
    }

    #[test]
    fn the_window_edges_are_readings_of_their_own() {
        // With a 10 s interval the thread reads only at the start: the
        // readings at 0 and at the end are the ones the edges took.
        let sampler = Sampler::start(std::process::id(), Duration::from_secs(10));
        std::thread::sleep(Duration::from_millis(20));
        let zero = sampler.mark_zero();
        let spin = Instant::now();
        while spin.elapsed() < Duration::from_millis(60) {
            std::hint::black_box(0u64.wrapping_add(1));
        }
        let end = sampler.mark_end();
        let window = (end - zero).as_secs_f64();
        let samples = sampler.finish();
        let at = |t: f64| samples.iter().find(|s| s.t_s == t).map(|s| s.cpu_s);
        let (start_cpu, end_cpu) = (at(0.0).unwrap(), at(window).unwrap());
        // This thread spun between them; the whole process (other tests
        // run in parallel) cannot have used more than every CPU all along.
        let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
        let used = end_cpu - start_cpu;
        assert!(
            used > 0.0 && used < cpus as f64 * window + 0.05,
            "{used} CPU-s in {window} s"
        );
        // The nanosecond clock: readings are not whole 10 ms ticks.
        let whole_ticks = |cpu_s: f64| ((cpu_s * 100.0) - (cpu_s * 100.0).round()).abs() < 1e-6;
        assert!(!samples.iter().all(|s| whole_ticks(s.cpu_s)), "{samples:?}");
    }

    #[test]
    fn sampler_collects_in_time_order_with_zero_moved() {
        let sampler = Sampler::start(std::process::id(), Duration::from_millis(5));
        std::thread::sleep(Duration::from_millis(30));
        sampler.mark_zero();
        std::thread::sleep(Duration::from_millis(30));
        assert!(sampler.latest().is_some());
        let samples = sampler.finish();
        assert!(samples.len() >= 4, "{}", samples.len());
        assert!(samples.first().unwrap().t_s < 0.0);
        assert!(samples.last().unwrap().t_s > 0.0);
        assert!(samples.windows(2).all(|w| w[0].t_s <= w[1].t_s));
    }
}
