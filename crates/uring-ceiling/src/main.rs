//! `uring-ceiling`: the ceiling experiment of issue 10 part 3. A minimal
//! one-thread HTTP/1.1 client that does nothing but send pre-built requests
//! and count response boundaries, in two modes on the same work: `--io epoll`
//! (nonblocking sockets and epoll, one send per batch and one recv per
//! readiness, the "minimal C loop") and `--io uring` (io_uring, every
//! connection's send and recv batched into one `io_uring_enter` per round).
//! It prints `requests seconds` on stdout; benches/vs-uring.sh measures its
//! CPU with /usr/bin/time against wrk and Gauntlet.

#[cfg(target_os = "linux")]
mod epoll;
#[cfg(target_os = "linux")]
mod frames;
#[cfg(all(test, target_os = "linux"))]
mod selftest;
#[cfg(target_os = "linux")]
mod target;
#[cfg(target_os = "linux")]
mod uring;

/// What one run did: complete responses and the seconds it ran.
#[cfg(target_os = "linux")]
#[derive(Debug, Clone, Copy)]
pub struct Outcome {
    /// Complete responses (each checked to start with `HTTP/1.1 200`).
    pub requests: u64,
    /// Wall-clock seconds from the first send to the stop.
    pub seconds: f64,
    /// Batches completed (requests / depth, whole batches only).
    pub batches: u64,
    /// Mean time from a batch's send to the loop seeing its last response,
    /// in microseconds, read with one clock read per wake-up (what an
    /// engine timing each answer would see).
    pub latency_us: f64,
}

/// Sums the send-to-seen time of completed batches.
#[cfg(target_os = "linux")]
#[derive(Debug, Default)]
pub struct Latency {
    sum_ns: u128,
    batches: u64,
}

#[cfg(target_os = "linux")]
impl Latency {
    /// One batch sent at `sent` was seen complete at `seen`.
    pub fn record(&mut self, sent: std::time::Instant, seen: std::time::Instant) {
        self.sum_ns += seen.saturating_duration_since(sent).as_nanos();
        self.batches += 1;
    }

    /// Batches recorded and their mean latency in microseconds.
    pub fn mean_us(&self) -> (u64, f64) {
        let mean = self.sum_ns as f64 / 1e3 / self.batches.max(1) as f64;
        (self.batches, mean)
    }
}

#[cfg(target_os = "linux")]
fn main() -> anyhow::Result<()> {
    linux::main()
}

#[cfg(not(target_os = "linux"))]
fn main() {
    eprintln!("uring-ceiling needs Linux (epoll and io_uring)");
    std::process::exit(2);
}

#[cfg(target_os = "linux")]
mod linux {
    //! Command-line options and the dispatch to one loop.

    use std::time::Duration;

    use anyhow::bail;
    use clap::{Parser, ValueEnum};

    use crate::{epoll, target::Target, uring};

    /// Which system-call interface the loop uses.
    #[derive(Debug, Clone, Copy, ValueEnum)]
    enum Io {
        /// Nonblocking sockets and epoll: one send per batch, one recv per readiness.
        Epoll,
        /// io_uring: all connections' sends and recvs in one io_uring_enter per round.
        Uring,
    }

    /// A minimal one-thread HTTP/1.1 client (epoll or io_uring) that counts
    /// responses for a fixed time; prints `requests seconds`.
    #[derive(Debug, Parser)]
    #[command(version)]
    struct Args {
        /// The target, http://HOST:PORT/PATH (loopback only for benches).
        url: String,
        /// Connections.
        #[arg(short = 'c', long, default_value_t = 64)]
        connections: usize,
        /// Seconds to run (the loop stops by itself).
        #[arg(short = 'd', long, default_value_t = 5.0)]
        duration: f64,
        /// Requests written per batch; the next batch waits for all their responses.
        #[arg(long, default_value_t = 1)]
        depth: u64,
        /// The system-call interface.
        #[arg(long, value_enum, default_value = "epoll")]
        io: Io,
        /// uring: registered files (connections named by index).
        #[arg(long)]
        fixed_files: bool,
        /// uring: registered buffers (WRITE_FIXED sends, READ_FIXED recvs).
        #[arg(long)]
        fixed_bufs: bool,
        /// uring: each send linked to its recv (IOSQE_IO_LINK).
        #[arg(long)]
        link: bool,
        /// uring: recvs arm their poll first (IORING_RECVSEND_POLL_FIRST).
        #[arg(long)]
        poll_first: bool,
        /// uring: one multishot recv per connection on provided buffers.
        #[arg(long)]
        multishot: bool,
        /// uring: IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN.
        #[arg(long)]
        defer_taskrun: bool,
        /// uring: completions to wait for per io_uring_enter.
        #[arg(long, default_value_t = 1)]
        wait: usize,
        /// uring, with --wait > 1: after this many microseconds return as soon
        /// as one completion is in (Linux 6.12's min_wait); 0 = off.
        #[arg(long, default_value_t = 0, value_name = "US")]
        min_wait_us: u32,
        /// uring: IORING_SETUP_SQPOLL, the poller thread bound to this CPU
        /// (its CPU counts as this process's; per-thread CPU goes to stderr).
        #[arg(long, value_name = "CPU")]
        sqpoll_cpu: Option<u32>,
    }

    pub fn main() -> anyhow::Result<()> {
        let a = Args::parse();
        if a.connections == 0 || a.depth == 0 {
            bail!("-c/--connections and --depth must be at least 1");
        }
        if !(a.duration > 0.0 && a.duration <= 3600.0) {
            bail!(
                "-d/--duration {}: expected seconds in (0, 3600]",
                a.duration
            );
        }
        let depth = usize::try_from(a.depth)?;
        let target = Target::new(&a.url, depth)?;
        if target.batch.len() > 4096 {
            bail!(
                "--depth {depth}: a batch of {} bytes is over this client's 4 KiB",
                target.batch.len()
            );
        }
        let duration = Duration::from_secs_f64(a.duration);
        let out = match a.io {
            Io::Epoll => epoll::run(&target, a.connections, a.depth, duration)?,
            Io::Uring => uring::run(
                &target,
                a.connections,
                a.depth,
                duration,
                uring::Options {
                    fixed_files: a.fixed_files,
                    fixed_bufs: a.fixed_bufs,
                    link: a.link,
                    poll_first: a.poll_first,
                    multishot: a.multishot,
                    defer_taskrun: a.defer_taskrun,
                    wait: a.wait,
                    sqpoll_cpu: a.sqpoll_cpu,
                    min_wait_us: a.min_wait_us,
                },
            )?,
        };
        println!("{} {:.6}", out.requests, out.seconds);
        eprintln!(
            "mean latency {:.1} us over {} batches (Little's law: connections / batches per second = {:.1} us)",
            out.latency_us,
            out.batches,
            a.connections as f64 * out.seconds / out.batches.max(1) as f64 * 1e6
        );
        eprintln!("threads' CPU-seconds (user+sys): {}", threads_cpu());
        Ok(())
    }

    /// Each thread of this process (io_uring's poller and workers included)
    /// with its user + system CPU-seconds, from /proc/self/task/*/stat.
    fn threads_cpu() -> String {
        let tick = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as f64;
        let Ok(dir) = std::fs::read_dir("/proc/self/task") else {
            return "unknown".into();
        };
        let mut out = Vec::new();
        for e in dir.flatten() {
            let Ok(stat) = std::fs::read_to_string(e.path().join("stat")) else {
                continue;
            };
            let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else {
                continue;
            };
            let fields: Vec<&str> = stat[close + 2..].split(' ').collect();
            // Fields 14 and 15 of stat (utime, stime) are 11 and 12 after the comm.
            let ticks: f64 = fields.get(11..13).map_or(0.0, |f| {
                f.iter().filter_map(|v| v.parse::<f64>().ok()).sum()
            });
            out.push(format!("{} {:.2}", &stat[open + 1..close], ticks / tick));
        }
        out.join(", ")
    }
}
