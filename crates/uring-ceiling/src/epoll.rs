//! `--io epoll`: the minimal C-style loop. Nonblocking sockets in one
//! level-triggered epoll set; each connection writes its pre-built batch with
//! one `send`, and every readiness gets one `recv`; when the batch's
//! responses are all in, the next batch is written at once. Per request at
//! depth 1 that is one `send` and one `recv`, plus an `epoll_wait` shared by
//! every connection ready at the time.

use std::io;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};

use crate::frames::Frames;
use crate::target::{fds, Target};
use crate::{Latency, Outcome};

/// Runs the loop on `conns` connections for `duration`.
pub fn run(
    target: &Target,
    conns: usize,
    depth: u64,
    duration: Duration,
) -> anyhow::Result<Outcome> {
    let streams = target.connect(conns)?;
    let fds = fds(&streams);
    // SAFETY: plain system calls on descriptors this function owns; buffers
    // outlive every call that uses them.
    let ep = unsafe { libc::epoll_create1(libc::EPOLL_CLOEXEC) };
    if ep < 0 {
        return Err(io::Error::last_os_error()).context("epoll_create1");
    }
    for (i, fd) in fds.iter().enumerate() {
        let mut ev = libc::epoll_event {
            events: libc::EPOLLIN as u32,
            u64: i as u64,
        };
        if unsafe { libc::epoll_ctl(ep, libc::EPOLL_CTL_ADD, *fd, &mut ev) } < 0 {
            return Err(io::Error::last_os_error()).context("epoll_ctl ADD");
        }
    }
    let mut frames: Vec<Frames> = (0..conns).map(|_| Frames::default()).collect();
    let mut pending = vec![0u64; conns];
    let mut events = vec![libc::epoll_event { events: 0, u64: 0 }; conns.max(1)];
    let mut buf = vec![0u8; 64 * 1024];
    let mut requests = 0u64;
    let mut latency = Latency::default();

    let start = Instant::now();
    let deadline = start + duration;
    let mut sent = vec![start; conns];
    for (i, fd) in fds.iter().enumerate() {
        send_batch(*fd, &target.batch)?;
        pending[i] = depth;
    }
    loop {
        let n = unsafe { libc::epoll_wait(ep, events.as_mut_ptr(), events.len() as i32, 100) };
        // One clock read per wake-up: the time every answer of this round is seen.
        let now = Instant::now();
        if now >= deadline {
            break;
        }
        if n < 0 {
            let e = io::Error::last_os_error();
            if e.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return Err(e).context("epoll_wait");
        }
        for ev in &events[..n as usize] {
            let i = ev.u64 as usize;
            let r = unsafe { libc::recv(fds[i], buf.as_mut_ptr().cast(), buf.len(), 0) };
            if r < 0 {
                let e = io::Error::last_os_error();
                if e.kind() == io::ErrorKind::WouldBlock {
                    continue;
                }
                return Err(e).with_context(|| format!("recv on connection {i}"));
            }
            if r == 0 {
                bail!("the server closed connection {i}");
            }
            let done = frames[i].feed(&buf[..r as usize])?;
            requests += done;
            pending[i] = pending[i]
                .checked_sub(done)
                .with_context(|| format!("connection {i}: more responses than requests"))?;
            if pending[i] == 0 {
                latency.record(sent[i], now);
                send_batch(fds[i], &target.batch)?;
                sent[i] = now;
                pending[i] = depth;
            }
        }
    }
    let seconds = start.elapsed().as_secs_f64();
    unsafe { libc::close(ep) };
    let (batches, latency_us) = latency.mean_us();
    Ok(Outcome {
        requests,
        seconds,
        batches,
        latency_us,
    })
}

/// Writes the whole batch with one `send` (a short write is an error: the
/// batch is far below any socket buffer).
fn send_batch(fd: i32, batch: &[u8]) -> anyhow::Result<()> {
    let r = unsafe { libc::send(fd, batch.as_ptr().cast(), batch.len(), libc::MSG_NOSIGNAL) };
    if r < 0 {
        return Err(io::Error::last_os_error()).context("send");
    }
    if r as usize != batch.len() {
        bail!("short send: {r} of {} bytes", batch.len());
    }
    Ok(())
}
