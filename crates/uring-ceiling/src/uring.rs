//! `--io uring`: the same work through one io_uring. Every connection's send
//! and recv are submission-queue entries; one `io_uring_enter`
//! (`submit_and_wait`, here with a 100 ms timeout so the loop always ends)
//! submits everything the previous round's completions queued, for all
//! connections at once, and waits for the next completions.
//!
//! Cheap variants (flags of [`Options`]): registered files, registered
//! buffers (`WRITE_FIXED` / `READ_FIXED` on the socket), a send linked to its
//! recv, recvs that arm their poll first, one multishot recv per connection
//! on a ring of provided buffers, and `SINGLE_ISSUER | DEFER_TASKRUN` (the
//! completions' task work runs inside this thread's `io_uring_enter`).
//! Successful sends post no completion (`CQE_SKIP_SUCCESS` with
//! `MSG_WAITALL`, so a short send is a failure that does post one); a
//! `WRITE_FIXED` send always posts one, checked for its full length.
//! `SQPOLL` is there to be measured, not recommended: its poller thread spins
//! (10 ms before it sleeps), and its CPU time counts as this process's.

use std::io;
use std::sync::atomic::{AtomicU16, Ordering};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use io_uring::{cqueue, opcode, squeue, types, IoUring};

use crate::frames::Frames;
use crate::target::{fds, Target};
use crate::{Latency, Outcome};

/// Bytes a plain recv may fill per connection.
const SLOT: usize = 4096;
/// Bytes of one provided buffer (multishot).
const PBUF: usize = 2048;
/// The provided-buffer group's id.
const BGID: u16 = 7;
/// `IORING_RECVSEND_POLL_FIRST` (recv's ioprio): arm the poll without
/// trying the recv first (the answer cannot be there yet).
const RECVSEND_POLL_FIRST: u16 = 1;

const SEND: u64 = 0;
const RECV: u64 = 1;

/// Which io_uring features the loop uses.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Registered files: SQEs name connections by index, not descriptor.
    pub fixed_files: bool,
    /// Registered buffers: sends are `WRITE_FIXED` from the batch, recvs
    /// (unless multishot) `READ_FIXED` into a registered arena.
    pub fixed_bufs: bool,
    /// The send carries `IOSQE_IO_LINK`: its recv starts after it.
    pub link: bool,
    /// Recvs arm their poll first (`IORING_RECVSEND_POLL_FIRST`).
    pub poll_first: bool,
    /// One multishot recv per connection on a ring of provided buffers.
    pub multishot: bool,
    /// `IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN`.
    pub defer_taskrun: bool,
    /// Completions to wait for per `io_uring_enter` (at least 1).
    pub wait: usize,
    /// With `wait` > 1: after this many microseconds, return as soon as one
    /// completion is in (`min_wait_usec`, Linux 6.12), so a slow or sparse
    /// load is not held back until `wait` answers arrive; 0 = off.
    pub min_wait_us: u32,
    /// `IORING_SETUP_SQPOLL` with its poller thread bound to this CPU (its
    /// CPU time is this process's too: /usr/bin/time counts it).
    pub sqpoll_cpu: Option<u32>,
}

/// Runs the loop on `conns` connections for `duration`.
pub fn run(
    target: &Target,
    conns: usize,
    depth: u64,
    duration: Duration,
    opts: Options,
) -> anyhow::Result<Outcome> {
    let streams = target.connect(conns)?;
    let fds = fds(&streams);
    // Memory the kernel reads or writes: declared before the ring, so the
    // ring (dropped first) never outlives it.
    let batch = target.batch.clone();
    let mut arena = vec![0u8; conns * SLOT];
    let mut pbufs = if opts.multishot {
        let entries = (conns * 4).next_power_of_two().clamp(64, 32768);
        Some(BufRing::new(entries as u16, PBUF)?)
    } else {
        None
    };

    let mut builder = IoUring::<squeue::Entry, cqueue::Entry>::builder();
    if opts.defer_taskrun {
        builder.setup_single_issuer().setup_defer_taskrun();
    }
    if let Some(cpu) = opts.sqpoll_cpu {
        builder.setup_sqpoll(10).setup_sqpoll_cpu(cpu);
    }
    let entries = (conns * 2).next_power_of_two().max(64) as u32;
    builder.setup_cqsize(entries * 2);
    let mut ring = builder.build(entries).context("io_uring_setup")?;
    if opts.fixed_files {
        ring.submitter()
            .register_files(&fds)
            .context("IORING_REGISTER_FILES")?;
    }
    if opts.fixed_bufs {
        let iov = [
            libc::iovec {
                iov_base: batch.as_ptr() as *mut _,
                iov_len: batch.len(),
            },
            libc::iovec {
                iov_base: arena.as_mut_ptr().cast(),
                iov_len: arena.len(),
            },
        ];
        // SAFETY: both buffers live until after the ring is dropped.
        unsafe { ring.submitter().register_buffers(&iov) }.context("IORING_REGISTER_BUFFERS")?;
    }
    if let Some(p) = &pbufs {
        // SAFETY: the ring memory lives until after the io_uring is dropped.
        unsafe {
            ring.submitter()
                .register_buf_ring_with_flags(p.ring as u64, p.entries, BGID, 0)
        }
        .context("IORING_REGISTER_PBUF_RING (multishot recv needs Linux 6.0)")?;
    }

    let ring_min_timeout = ring.params().is_feature_min_timeout();
    let arena_ptr = arena.as_mut_ptr();
    let sqe = Sqes {
        fds: &fds,
        opts,
        batch: &batch,
        arena: arena_ptr,
    };
    let mut frames: Vec<Frames> = (0..conns).map(|_| Frames::default()).collect();
    let mut pending = vec![0u64; conns];
    let mut requests = 0u64;
    let mut latency = Latency::default();
    let (submitter, mut sq, mut cq) = ring.split();
    let push = |sq: &mut squeue::SubmissionQueue<'_>, e: squeue::Entry| -> anyhow::Result<()> {
        // SAFETY: every buffer an entry points to outlives the ring.
        while unsafe { sq.push(&e) }.is_err() {
            sq.sync();
            submitter.submit().context("io_uring_enter (full queue)")?;
            sq.sync();
        }
        Ok(())
    };

    let start = Instant::now();
    let deadline = start + duration;
    let mut sent = vec![start; conns];
    for (i, p) in pending.iter_mut().enumerate() {
        for e in sqe.send_and_recv(i) {
            push(&mut sq, e)?;
        }
        if opts.multishot {
            push(&mut sq, sqe.recv_multi(i))?;
        }
        *p = depth;
    }
    let ts = types::Timespec::new().nsec(100_000_000);
    if opts.min_wait_us > 0 && !ring_min_timeout {
        bail!("--min-wait-us needs IORING_FEAT_MIN_TIMEOUT (Linux 6.12)");
    }
    let args = types::SubmitArgs::new()
        .timespec(&ts)
        .min_wait_usec(opts.min_wait_us);
    let wait = opts.wait.max(1);
    loop {
        sq.sync();
        match submitter.submit_with_args(wait, &args) {
            Ok(_) => {}
            Err(e) if matches!(e.raw_os_error(), Some(libc::ETIME) | Some(libc::EINTR)) => {}
            Err(e) => return Err(e).context("io_uring_enter"),
        }
        // One clock read per wake-up: the time every answer of this round is
        // seen, and the send time of the batches queued in it (they go out
        // with the next io_uring_enter, right after this round).
        let now = Instant::now();
        if now >= deadline {
            break;
        }
        cq.sync();
        let mut recycled = false;
        for cqe in &mut cq {
            let i = (cqe.user_data() >> 1) as usize;
            let res = cqe.result();
            if cqe.user_data() & 1 == SEND {
                if res < 0 || res as usize != batch.len() {
                    bail!("send on connection {i}: {}", describe(res, batch.len()));
                }
                continue;
            }
            if res == -libc::ENOBUFS && opts.multishot {
                push(&mut sq, sqe.recv_multi(i))?;
                continue;
            }
            if res < 0 {
                bail!(
                    "recv on connection {i}: {}",
                    io::Error::from_raw_os_error(-res)
                );
            }
            if res == 0 {
                bail!("the server closed connection {i}");
            }
            let flags = cqe.flags();
            let done = match (&mut pbufs, cqueue::buffer_select(flags)) {
                (Some(p), Some(bid)) => {
                    let done = frames[i].feed(p.buf(bid, res as usize))?;
                    p.recycle(bid);
                    recycled = true;
                    done
                }
                (Some(_), None) => bail!("multishot recv on connection {i} without a buffer"),
                // SAFETY: the recv wrote `res` bytes into this connection's slot.
                (None, _) => frames[i].feed(unsafe {
                    std::slice::from_raw_parts(arena_ptr.add(i * SLOT), res as usize)
                })?,
            };
            requests += done;
            pending[i] = pending[i]
                .checked_sub(done)
                .with_context(|| format!("connection {i}: more responses than requests"))?;
            if pending[i] == 0 {
                latency.record(sent[i], now);
                sent[i] = now;
                pending[i] = depth;
                for e in sqe.send_and_recv(i) {
                    push(&mut sq, e)?;
                }
            } else if !opts.multishot {
                push(&mut sq, sqe.recv(i))?;
            }
            if opts.multishot && !cqueue::more(flags) {
                push(&mut sq, sqe.recv_multi(i))?;
            }
        }
        if recycled {
            if let Some(p) = &pbufs {
                p.publish();
            }
        }
    }
    let seconds = start.elapsed().as_secs_f64();
    drop(streams);
    let (batches, latency_us) = latency.mean_us();
    Ok(Outcome {
        requests,
        seconds,
        batches,
        latency_us,
    })
}

fn describe(res: i32, want: usize) -> String {
    if res < 0 {
        io::Error::from_raw_os_error(-res).to_string()
    } else {
        format!("short send, {res} of {want} bytes")
    }
}

/// Builds the submission-queue entries of one connection.
struct Sqes<'a> {
    fds: &'a [i32],
    opts: Options,
    batch: &'a [u8],
    arena: *mut u8,
}

/// Builds `$e` with `$fd` bound to connection `$i`'s registered index or
/// descriptor.
macro_rules! with_fd {
    ($s:expr, $i:expr, |$fd:ident| $e:expr) => {
        if $s.opts.fixed_files {
            let $fd = types::Fixed($i as u32);
            $e.build().flags(squeue::Flags::FIXED_FILE)
        } else {
            let $fd = types::Fd($s.fds[$i]);
            $e.build()
        }
    };
}

impl Sqes<'_> {
    /// The batch's send, then (unless multishot) its recv.
    fn send_and_recv(&self, i: usize) -> impl Iterator<Item = squeue::Entry> {
        let len = self.batch.len() as u32;
        let ptr = self.batch.as_ptr();
        let send = if self.opts.fixed_bufs {
            with_fd!(self, i, |fd| opcode::WriteFixed::new(fd, ptr, len, 0))
        } else {
            with_fd!(self, i, |fd| opcode::Send::new(fd, ptr, len)
                .flags(libc::MSG_WAITALL | libc::MSG_NOSIGNAL))
            .flags(squeue::Flags::SKIP_SUCCESS)
        };
        let mut send = send.user_data(((i as u64) << 1) | SEND);
        if self.opts.link && !self.opts.multishot {
            send = send.flags(squeue::Flags::IO_LINK);
        }
        let recv = (!self.opts.multishot).then(|| self.recv(i));
        std::iter::once(send).chain(recv)
    }

    /// A recv of up to SLOT bytes into connection `i`'s slot.
    fn recv(&self, i: usize) -> squeue::Entry {
        // SAFETY: slot i is inside the arena (i < connections).
        let ptr = unsafe { self.arena.add(i * SLOT) };
        let e = if self.opts.fixed_bufs {
            with_fd!(self, i, |fd| opcode::ReadFixed::new(
                fd,
                ptr,
                SLOT as u32,
                1
            ))
        } else {
            let prio = if self.opts.poll_first {
                RECVSEND_POLL_FIRST
            } else {
                0
            };
            with_fd!(self, i, |fd| opcode::Recv::new(fd, ptr, SLOT as u32)
                .ioprio(prio))
        };
        e.user_data(((i as u64) << 1) | RECV)
    }

    /// A multishot recv on the provided buffers.
    fn recv_multi(&self, i: usize) -> squeue::Entry {
        with_fd!(self, i, |fd| opcode::RecvMulti::new(fd, BGID)).user_data(((i as u64) << 1) | RECV)
    }
}

/// A ring of provided buffers (`IORING_REGISTER_PBUF_RING`): the kernel
/// takes one per multishot completion; [`BufRing::recycle`] gives it back.
struct BufRing {
    ring: *mut types::BufRingEntry,
    ring_bytes: usize,
    entries: u16,
    bufs: Vec<u8>,
    tail: u16,
}

impl BufRing {
    fn new(entries: u16, size: usize) -> anyhow::Result<Self> {
        let ring_bytes = entries as usize * std::mem::size_of::<types::BufRingEntry>();
        // SAFETY: an anonymous private mapping (page-aligned, zeroed), unmapped on drop.
        let ring = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                ring_bytes,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        if ring == libc::MAP_FAILED {
            return Err(io::Error::last_os_error()).context("mmap of the buffer ring");
        }
        let mut r = Self {
            ring: ring.cast(),
            ring_bytes,
            entries,
            bufs: vec![0u8; entries as usize * size],
            tail: 0,
        };
        for bid in 0..entries {
            r.recycle(bid);
        }
        r.publish();
        Ok(r)
    }

    fn size(&self) -> usize {
        self.bufs.len() / self.entries as usize
    }

    /// The first `len` bytes of buffer `bid`.
    fn buf(&self, bid: u16, len: usize) -> &[u8] {
        let at = bid as usize * self.size();
        &self.bufs[at..at + len]
    }

    /// Puts buffer `bid` back at the tail (seen by the kernel after publish).
    fn recycle(&mut self, bid: u16) {
        let size = self.size();
        let addr = self.bufs.as_ptr() as u64 + (bid as usize * size) as u64;
        let mask = self.entries - 1;
        // SAFETY: the index is masked into the mapping; only addr, len and
        // bid are written (entry 0's last field is the shared tail).
        let e = unsafe { &mut *self.ring.add((self.tail & mask) as usize) };
        e.set_addr(addr);
        e.set_len(size as u32);
        e.set_bid(bid);
        self.tail = self.tail.wrapping_add(1);
    }

    /// Publishes the recycled buffers to the kernel.
    fn publish(&self) {
        // SAFETY: the tail field of entry 0, a u16 the kernel reads.
        let tail = unsafe { &*(types::BufRingEntry::tail(self.ring) as *const AtomicU16) };
        tail.store(self.tail, Ordering::Release);
    }
}

impl Drop for BufRing {
    fn drop(&mut self) {
        // SAFETY: the mapping made in new, no longer registered (the ring is gone).
        unsafe { libc::munmap(self.ring.cast(), self.ring_bytes) };
    }
}
