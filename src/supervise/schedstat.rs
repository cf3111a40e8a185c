//! How long a server's threads waited for a CPU: the run-queue wait of
//! every thread of its process tree, from `/proc/<pid>/task/<tid>/schedstat`
//! (CPU time, wait time, timeslices, in nanoseconds), read at the start and
//! the end of the measured phase. A server whose threads were runnable the
//! whole time wanted its CPUs even when another program held them; CPU time
//! alone would call it idle on a machine shared with other work. Which
//! threads were runnable matters, not only the sum: the busiest thread per
//! CPU ([`SchedTotals::busiest_s`]) says how long the server had work for
//! its CPUs, while 32 threads each woken briefly 20 times a second on a CPU
//! held by another program wait 3 times the window between them and want
//! almost nothing. Beside it, how busy the server's CPUs were with anything
//! (`/proc/stat`), to tell a server that waited because its CPUs were full
//! from one that did not.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Totals over a process tree, in seconds since each thread started, and
/// of the CPUs it runs on.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct SchedTotals {
    /// CPU time of the threads.
    pub cpu_s: f64,
    /// Time the threads were runnable but waited for a CPU, summed over
    /// the threads (many threads waiting at once each count).
    pub wait_s: f64,
    /// CPU plus wait time of the threads runnable longest, one per CPU
    /// (the pinned CPUs, else every online one): at least this long the
    /// server had work for its CPUs. No thread counts for more than the
    /// time it existed, so this never exceeds the window times the CPUs.
    pub busiest_s: f64,
    /// Busy time of the CPUs (any program), in seconds.
    pub cpus_busy_s: f64,
    /// Busy plus idle time of the CPUs, in seconds.
    pub cpus_total_s: f64,
}

/// One reading of `/proc/stat` for a set of CPUs.
#[derive(Debug, Clone, Copy)]
struct CpuTimes {
    /// Busy seconds of the set since boot.
    busy_s: f64,
    /// Total seconds of the set since boot.
    total_s: f64,
    /// How many CPUs the set holds (every online CPU when all are meant).
    count: usize,
}

/// Busy and total seconds of `cpus` (all CPUs when empty) from `/proc/stat`.
fn cpu_times(cpus: &[usize]) -> Option<CpuTimes> {
    let stat = fs::read_to_string("/proc/stat").ok()?;
    let ticks = 100.0; // USER_HZ, fixed at 100 on Linux
    let mut busy = 0u64;
    let mut total = 0u64;
    let mut any = false;
    let mut online = 0usize;
    for line in stat.lines() {
        let mut fields = line.split_whitespace();
        let Some(name) = fields.next() else { continue };
        let number = name
            .strip_prefix("cpu")
            .and_then(|n| n.parse::<usize>().ok());
        online += usize::from(number.is_some());
        let wanted = if cpus.is_empty() {
            name == "cpu"
        } else {
            number.is_some_and(|n| cpus.contains(&n))
        };
        if !wanted {
            continue;
        }
        // user nice system idle iowait irq softirq steal (guest is in user)
        let v: Vec<u64> = fields.take(8).filter_map(|f| f.parse().ok()).collect();
        if v.len() < 8 {
            continue;
        }
        let idle = v[3] + v[4];
        let sum: u64 = v.iter().sum();
        busy += sum - idle;
        total += sum;
        any = true;
    }
    let count = if cpus.is_empty() {
        online.max(1)
    } else {
        cpus.len()
    };
    any.then(|| CpuTimes {
        busy_s: busy as f64 / ticks,
        total_s: total as f64 / ticks,
        count,
    })
}

/// The sum of the `n` largest of `runnable` (nanoseconds), in seconds.
fn busiest(mut runnable: Vec<u64>, n: usize) -> f64 {
    runnable.sort_unstable_by(|a, b| b.cmp(a));
    runnable.iter().take(n).sum::<u64>() as f64 / 1e9
}

/// CPU and wait nanoseconds of every thread of `root`'s process tree, by thread id.
fn read_threads(root: u32) -> HashMap<u32, (u64, u64)> {
    let mut threads = HashMap::new();
    let mut queue = vec![root];
    let mut seen = HashSet::from([root]);
    while let Some(pid) = queue.pop() {
        let Ok(tasks) = fs::read_dir(format!("/proc/{pid}/task")) else {
            continue;
        };
        for task in tasks.flatten() {
            let Some(tid) = task.file_name().to_str().and_then(|t| t.parse().ok()) else {
                continue;
            };
            if let Ok(text) = fs::read_to_string(task.path().join("schedstat")) {
                let mut fields = text.split_whitespace().map(|f| f.parse::<u64>().ok());
                if let (Some(Some(cpu)), Some(Some(wait))) = (fields.next(), fields.next()) {
                    threads.insert(tid, (cpu, wait));
                }
            }
            if let Ok(children) = fs::read_to_string(task.path().join("children")) {
                for child in children.split_whitespace().filter_map(|c| c.parse().ok()) {
                    if seen.insert(child) {
                        queue.push(child);
                    }
                }
            }
        }
    }
    threads
}

/// The totals of `root` and all its descendants, and of `cpus` (all when
/// empty); `None` when the kernel does not offer schedstat or the process is gone.
pub fn read_tree(root: u32, cpus: &[usize]) -> Option<SchedTotals> {
    let threads = read_threads(root);
    if threads.is_empty() {
        return None;
    }
    let times = cpu_times(cpus)?;
    Some(SchedTotals {
        cpu_s: threads.values().map(|t| t.0).sum::<u64>() as f64 / 1e9,
        wait_s: threads.values().map(|t| t.1).sum::<u64>() as f64 / 1e9,
        busiest_s: busiest(threads.values().map(|t| t.0 + t.1).collect(), times.count),
        cpus_busy_s: times.busy_s,
        cpus_total_s: times.total_s,
    })
}

/// How often a running [`Window`] reads the threads: a thread that ends
/// (a connection closed) loses at most this much of its figures.
const POLL: Duration = Duration::from_millis(100);

#[derive(Debug, Default)]
struct State {
    /// Per thread: the reading when the window began (0 for threads born in it).
    first: HashMap<u32, (u64, u64)>,
    /// Per thread: the latest reading.
    last: HashMap<u32, (u64, u64)>,
    /// The CPUs' reading at the start and the latest one.
    cpus: Option<(CpuTimes, CpuTimes)>,
}

/// The server's thread figures over the measured phase: read at its start,
/// every 100 ms while it runs (threads may end before it does: connections
/// close), and at its end.
#[derive(Debug)]
pub struct Window {
    pid: u32,
    cpus: Vec<usize>,
    state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
    poller: Mutex<Option<std::thread::JoinHandle<()>>>,
}

fn update(state: &Mutex<State>, pid: u32, cpus: &[usize]) {
    let threads = read_threads(pid);
    let times = cpu_times(cpus);
    if let Ok(mut s) = state.lock() {
        for (tid, v) in threads {
            s.first.entry(tid).or_insert((0, 0));
            s.last.insert(tid, v);
        }
        if let (Some(t), Some(c)) = (times, s.cpus.as_mut()) {
            c.1 = t;
        }
    }
}

impl Window {
    /// A window over the process tree of `pid` on `cpus` (all when empty),
    /// not yet started.
    pub fn new(pid: u32, cpus: Vec<usize>) -> Window {
        Window {
            pid,
            cpus,
            state: Arc::default(),
            stop: Arc::default(),
            poller: Mutex::new(None),
        }
    }

    /// Reads the start of the window and starts polling.
    pub fn start(&self) {
        let threads = read_threads(self.pid);
        let times = cpu_times(&self.cpus);
        if let Ok(mut s) = self.state.lock() {
            *s = State {
                first: threads.clone(),
                last: threads,
                cpus: times.map(|t| (t, t)),
            };
        }
        let (state, stop, pid, cpus) = (
            Arc::clone(&self.state),
            Arc::clone(&self.stop),
            self.pid,
            self.cpus.clone(),
        );
        let poller = std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                std::thread::sleep(POLL);
                update(&state, pid, &cpus);
            }
        });
        if let Ok(mut p) = self.poller.lock() {
            *p = Some(poller);
        }
    }

    /// Reads the end of the window and stops polling.
    pub fn end(&self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(poller) = self.poller.lock().ok().and_then(|mut p| p.take()) {
            let _ = poller.join();
        }
        update(&self.state, self.pid, &self.cpus);
    }

    /// CPU and wait seconds spent between start and end by the threads seen
    /// (a thread that ended counts up to its last reading), and by the
    /// busiest of them per CPU; `None` when nothing was read.
    pub fn delta(&self) -> Option<SchedTotals> {
        let s = self.state.lock().ok()?;
        let (start, end) = s.cpus?;
        if s.last.is_empty() {
            return None;
        }
        let (mut cpu, mut wait) = (0u64, 0u64);
        let mut runnable = Vec::with_capacity(s.last.len());
        for (tid, last) in &s.last {
            let first = s.first.get(tid).copied().unwrap_or((0, 0));
            let (c, w) = (
                last.0.saturating_sub(first.0),
                last.1.saturating_sub(first.1),
            );
            cpu += c;
            wait += w;
            runnable.push(c + w);
        }
        Some(SchedTotals {
            cpu_s: cpu as f64 / 1e9,
            wait_s: wait as f64 / 1e9,
            busiest_s: busiest(runnable, end.count),
            cpus_busy_s: (end.busy_s - start.busy_s).max(0.0),
            cpus_total_s: (end.total_s - start.total_s).max(0.0),
        })
    }
}

impl Drop for Window {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(poller) = self.poller.get_mut().ok().and_then(|p| p.take()) {
            let _ = poller.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_busy_thread_of_this_process_shows_cpu_time() {
        let w = Window::new(std::process::id(), Vec::new());
        w.start();
        let t = std::time::Instant::now();
        let mut x = 0u64;
        while t.elapsed() < std::time::Duration::from_millis(200) {
            x = std::hint::black_box(x.wrapping_add(1));
        }
        w.end();
        let Some(d) = w.delta() else {
            eprintln!("no schedstat on this kernel; nothing to check");
            return;
        };
        // 200 ms of wall time spent running or waiting for a CPU, by one
        // thread: the busiest ones count it, and no more than the sum.
        assert!(d.cpu_s + d.wait_s > 0.1, "{d:?}");
        assert!(
            d.busiest_s > 0.1 && d.busiest_s <= d.cpu_s + d.wait_s + 1e-6,
            "{d:?}"
        );
        assert!(
            // Both come from large tick counters in f64: allow rounding.
            d.cpus_total_s > 0.0 && d.cpus_busy_s <= d.cpus_total_s + 1e-6,
            "{d:?}"
        );
        assert!(read_tree(u32::MAX, &[]).is_none());
    }

    #[test]
    fn the_busiest_threads_are_one_per_cpu() {
        let ms = 1_000_000;
        // One thread runnable the whole second, 31 woken briefly.
        let mut threads = vec![1000 * ms];
        threads.extend([100 * ms; 31]);
        assert!((busiest(threads.clone(), 1) - 1.0).abs() < 1e-9);
        assert!((busiest(threads.clone(), 2) - 1.1).abs() < 1e-9);
        assert!((busiest(threads, 64) - 4.1).abs() < 1e-9);
        // Named CPUs count as named; all of them as /proc/stat lists them.
        assert_eq!(cpu_times(&[0, 3]).unwrap().count, 2);
        assert!(cpu_times(&[]).unwrap().count >= 1);
    }
}
