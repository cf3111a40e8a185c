//! The lean HTTP/2 client (h2c, prior knowledge): one TCP connection per
//! engine connection with up to `streams` requests in flight on it (h2load's
//! `-m`). Frames are read and written by hand ([`super::h2frame`]); each
//! request's HEADERS block is encoded once per request spec (stateless HPACK)
//! and every request due goes out in one write; responses are matched to
//! their streams by id, their header blocks read without a dynamic table
//! (the client advertises SETTINGS_HEADER_TABLE_SIZE = 0) and their `:status`
//! Huffman-decoded with `loona-hpack` when needed (see [`super::h2frame`]).
//!
//! Why not hyper's client: measured with benches/vs-h2load.sh on
//! 2026-11-30 (server hyper-plaintext on CPU 0, generators on CPU 1, 16
//! connections, release build, shared 2-core machine), Gauntlet through
//! `hyper::client::conn::http2` completed 35,132 requests per generator
//! CPU-second at `-m 1` and 95,199 at `-m 10` against h2load's 55,438 and
//! 238,344 (x0.63, x0.40). The profile (benches/runs/2026-11-30-h2/) put
//! about 20 % of the generator's CPU in the `h2` crate itself and 24 % in
//! memmove/malloc/free of its per-stream state, hyper's own layer 3 %: so
//! dropping hyper for `h2` alone could not close the gap. Figures of this
//! client are in the same folder.
//!
//! What it honours: the server's SETTINGS_MAX_CONCURRENT_STREAMS (the
//! connection waits for the server's first SETTINGS before any request;
//! requests beyond the limit wait in the client and the wait counts in their
//! latency), SETTINGS_INITIAL_WINDOW_SIZE and WINDOW_UPDATE for request
//! bodies (sent in DATA frames within the server's windows), and it opens its
//! own windows wide ([`STREAM_WINDOW`], [`CONNECTION_WINDOW`]). A GOAWAY
//! fails the streams above its last stream id (`reset`) and lets the others
//! finish; a RST_STREAM fails its stream (`reset`); a lost connection fails
//! every stream on it (`reset`); bytes that are not valid HTTP/2 fail every
//! stream on it (`malformed`, or `header_too_large` for a header block over
//! 64 KiB). A stream past its deadline fails (`timeout`) and is cancelled
//! with RST_STREAM; the connection goes on. Nothing is buffered without
//! bound: frames over 16 KiB are refused, header blocks are capped, bodies
//! are kept only up to `MAX_KEPT_BODY`, and a server that does not read what
//! it is sent cannot grow the output past [`MAX_OUTPUT`].

use std::collections::VecDeque;
use std::time::Instant;

use bytes::{Buf, Bytes, BytesMut};
use fnv::FnvHashMap;
use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;

use super::h2frame::{self as f, FrameHeader};
use super::http1::{ReadError, Response, MAX_HEAD, MAX_KEPT_BODY};
use super::plan::Target;
use super::wire::{Outcome, Sent};
use super::worker::Shared;
use crate::record::ErrorKind;

pub use super::h2frame::{prepare, PrepareError, PreparedRequest};

/// Receive window of each stream: 2 MiB (RFC 9113's default is 64 KiB, which
/// bounds one stream to 64 KiB per round trip).
pub const STREAM_WINDOW: u32 = 2 << 20;
/// Receive window of the whole connection: 32 MiB, shared by its streams.
pub const CONNECTION_WINDOW: u32 = 32 << 20;
/// Output not yet taken by the server beyond which the connection fails.
pub const MAX_OUTPUT: usize = 4 << 20;
/// RFC 9113's initial flow-control window.
const DEFAULT_WINDOW: i64 = 65_535;
/// Read buffer of a connection (grows only to hold one whole frame).
const READ_BUFFER: usize = 32 * 1024;

/// One request on the connection (waiting for a stream, or on one).
#[derive(Debug)]
struct Stream {
    sent: Sent,
    deadline: Instant,
    keep_body: bool,
    status: Option<u16>,
    body: Vec<u8>,
    /// Request body still to send, from `body_pos` on.
    out_body: Bytes,
    body_pos: usize,
    /// Bytes received on it since our last WINDOW_UPDATE for it.
    recv_unacked: u32,
    /// What we may still send on it.
    send_window: i64,
}

/// One HTTP/2 connection with its streams.
pub struct Connection {
    stream: TcpStream,
    buf: BytesMut,
    out: Vec<u8>,
    out_pos: usize,
    /// Streams open, by id.
    open: FnvHashMap<u32, Stream>,
    /// Requests started but not yet on a stream (over the server's limit),
    /// oldest first.
    waiting: VecDeque<Stream>,
    /// Requests whose outcome is known, not yet taken.
    done: VecDeque<Outcome>,
    /// Streams with request body left to send.
    sending: VecDeque<u32>,
    next_id: u32,
    max_streams: usize,
    peer_window: i64,
    peer_max_frame: usize,
    send_window: i64,
    recv_unacked: u32,
    /// A header block being assembled from HEADERS + CONTINUATION: stream,
    /// END_STREAM, bytes.
    block: Option<(u32, bool, Vec<u8>)>,
    /// The server sent GOAWAY, or the connection failed: no new streams.
    closing: bool,
    /// The connection failed: every request left on it fails.
    failed: bool,
    eof: bool,
    /// When the last read returned (the arrival time of what it completed).
    pub read_at: Instant,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("http2::Connection")
            .field("open", &self.open.len())
            .field("waiting", &self.waiting.len())
            .field("closing", &self.closing)
            .finish()
    }
}

impl Connection {
    /// Opens a TCP connection, sends the preface, this client's SETTINGS and
    /// connection window, and reads until the server's SETTINGS arrive, so
    /// its stream limit is known before the first request.
    pub async fn open(target: &Target) -> std::io::Result<Connection> {
        let host = target.host.trim_start_matches('[').trim_end_matches(']');
        let stream = TcpStream::connect((host, target.port)).await?;
        stream.set_nodelay(true)?;
        let mut out = Vec::with_capacity(4096);
        out.extend_from_slice(f::PREFACE);
        f::put_settings(
            &mut out,
            &[
                (f::SETTINGS_HEADER_TABLE_SIZE, f::HEADER_TABLE_SIZE),
                (f::SETTINGS_ENABLE_PUSH, 0),
                (f::SETTINGS_INITIAL_WINDOW_SIZE, STREAM_WINDOW),
            ],
        );
        f::put_window_update(&mut out, 0, CONNECTION_WINDOW - DEFAULT_WINDOW as u32);
        let mut conn = Connection {
            stream,
            buf: BytesMut::with_capacity(READ_BUFFER),
            out,
            out_pos: 0,
            open: FnvHashMap::default(),
            waiting: VecDeque::new(),
            done: VecDeque::new(),
            sending: VecDeque::new(),
            next_id: 1,
            max_streams: 0,
            peer_window: DEFAULT_WINDOW,
            peer_max_frame: f::MAX_FRAME,
            send_window: DEFAULT_WINDOW,
            recv_unacked: 0,
            block: None,
            closing: false,
            failed: false,
            eof: false,
            read_at: Instant::now(),
        };
        let refused = |what: &str| {
            std::io::Error::other(format!("HTTP/2 handshake: {what} (is it an h2c server?)"))
        };
        // `max_streams` stays 0 until the server's first SETTINGS.
        while conn.max_streams == 0 {
            if conn.write_some().is_err() {
                return Err(refused("write failed"));
            }
            if conn.buf.len() >= f::HEADER_LEN {
                if conn.buf[3] != f::SETTINGS {
                    return Err(refused("the server's first frame is not SETTINGS"));
                }
                if conn.process().is_err() {
                    return Err(refused("malformed SETTINGS"));
                }
                if conn.max_streams > 0 {
                    break;
                }
            }
            if conn.stream.read_buf(&mut conn.buf).await? == 0 {
                return Err(refused("the server closed the connection"));
            }
        }
        Ok(conn)
    }

    /// Requests started on it whose outcome has not been taken yet.
    pub fn in_flight(&self) -> usize {
        self.open.len() + self.waiting.len() + self.done.len()
    }

    /// True while another request may be started on it.
    pub fn accepts(&self) -> bool {
        !self.closing
    }

    /// Starts `req` (request `sent.spec` of the mix) with `deadline`: it gets
    /// a stream when the server's limit allows, and is written with the
    /// others due by the next [`Connection::next`].
    pub fn start(&mut self, req: &PreparedRequest, keep_body: bool, sent: Sent, deadline: Instant) {
        let stream = Stream {
            sent,
            deadline,
            keep_body,
            status: None,
            body: Vec::new(),
            out_body: req.body.clone(),
            body_pos: 0,
            recv_unacked: 0,
            send_window: 0,
        };
        if self.failed || self.closing {
            self.done
                .push_back((sent, Err(ErrorKind::Reset), Instant::now()));
        } else if self.waiting.is_empty() && self.open.len() < self.max_streams {
            self.launch(stream, &req.block);
        } else {
            self.waiting.push_back(stream);
        }
    }

    /// Puts `stream` on the next stream id: HEADERS (and what fits of its
    /// body) into the output.
    fn launch(&mut self, mut stream: Stream, block: &[u8]) {
        let id = self.next_id;
        self.next_id += 2;
        let end = stream.out_body.is_empty();
        let flags = f::END_HEADERS | if end { f::END_STREAM } else { 0 };
        f::put_header(&mut self.out, block.len(), f::HEADERS, flags, id);
        self.out.extend_from_slice(block);
        stream.send_window = self.peer_window;
        self.open.insert(id, stream);
        if !end {
            self.sending.push_back(id);
            self.pump_bodies();
        }
        if id > 0x7fff_fff0 {
            // Stream ids are spent: finish these, then a new connection.
            self.closing = true;
        }
    }

    /// Gives waiting requests the streams the server's limit allows.
    fn launch_waiting(&mut self, shared: &Shared) {
        while !self.closing && self.open.len() < self.max_streams {
            let Some(stream) = self.waiting.pop_front() else {
                break;
            };
            match shared.mix[stream.sent.spec].h2.as_ref() {
                Some(req) => self.launch(stream, &req.block),
                None => {
                    self.done
                        .push_back((stream.sent, Err(ErrorKind::Malformed), Instant::now()))
                }
            }
        }
    }

    /// Writes DATA frames of request bodies as far as the windows allow.
    fn pump_bodies(&mut self) {
        let mut blocked = VecDeque::new();
        while let Some(id) = self.sending.pop_front() {
            let Some(s) = self.open.get_mut(&id) else {
                continue;
            };
            loop {
                let left = s.out_body.len() - s.body_pos;
                let room = self.send_window.min(s.send_window).max(0) as usize;
                let n = left.min(room).min(self.peer_max_frame);
                if n == 0 && left > 0 {
                    blocked.push_back(id);
                    break;
                }
                let end = n == left;
                f::put_header(
                    &mut self.out,
                    n,
                    f::DATA,
                    if end { f::END_STREAM } else { 0 },
                    id,
                );
                self.out
                    .extend_from_slice(&s.out_body[s.body_pos..s.body_pos + n]);
                s.body_pos += n;
                s.send_window -= n as i64;
                self.send_window -= n as i64;
                if end {
                    s.out_body = Bytes::new();
                    break;
                }
            }
        }
        self.sending = blocked;
    }

    /// An outcome already known (a stream completed, failed or expired by
    /// an earlier read), without waiting.
    pub fn take_done(&mut self) -> Option<Outcome> {
        self.done.pop_front()
    }

    /// The next outcome (`None` when nothing is in flight): writes what is
    /// due, reads frames until a stream completes, fails or passes its
    /// deadline. Cancel-safe: dropped while waiting, nothing is lost.
    pub async fn next(&mut self, shared: &Shared) -> Option<Outcome> {
        loop {
            if let Some(outcome) = self.done.pop_front() {
                return Some(outcome);
            }
            if self.open.is_empty() && self.waiting.is_empty() {
                return None;
            }
            if self.failed {
                self.fail_all(ErrorKind::Reset);
                continue;
            }
            self.launch_waiting(shared);
            if let Err(Fault(e)) = self.process() {
                self.fail_connection(e);
                continue;
            }
            if !self.done.is_empty() {
                continue;
            }
            if self.eof {
                self.fail_connection(ReadError::Reset);
                continue;
            }
            if self.write_some().is_err() {
                self.fail_connection(ReadError::Reset);
                continue;
            }
            let deadline = self.earliest_deadline();
            let read = {
                let pending_out = self.out_pos < self.out.len();
                let (mut rd, wr) = self.stream.split();
                let buf = &mut self.buf;
                let wait = async {
                    if pending_out {
                        // A full socket buffer: write and read side by side,
                        // so a server that answers before it reads on
                        // cannot deadlock us.
                        tokio::select! {
                            r = rd.read_buf(buf) => Some(r),
                            _ = wr.writable() => None,
                        }
                    } else {
                        Some(rd.read_buf(buf).await)
                    }
                };
                match deadline {
                    Some(at) => match tokio::time::timeout_at(at.into(), wait).await {
                        Ok(r) => r,
                        Err(_) => {
                            self.expire(Instant::now());
                            continue;
                        }
                    },
                    None => wait.await,
                }
            };
            let Some(read) = read else { continue };
            self.read_at = Instant::now();
            // A stream whose body never ends keeps every read ready, so the
            // timeout above never fires: check the deadline after reads too.
            if deadline.is_some_and(|at| self.read_at >= at) {
                self.expire(self.read_at);
            }
            match read {
                Ok(0) => self.eof = true,
                Ok(_) => {}
                Err(_) => self.fail_connection(ReadError::Reset),
            }
        }
    }

    fn earliest_deadline(&self) -> Option<Instant> {
        let open = self.open.values().map(|s| s.deadline);
        let waiting = self.waiting.iter().map(|s| s.deadline);
        open.chain(waiting).min()
    }

    /// Fails every request past its deadline (`timeout`), cancelling its
    /// stream; the connection goes on.
    fn expire(&mut self, now: Instant) {
        let late: Vec<u32> = self
            .open
            .iter()
            .filter(|(_, s)| s.deadline <= now)
            .map(|(id, _)| *id)
            .collect();
        for id in late {
            if let Some(s) = self.open.remove(&id) {
                f::put_rst_stream(&mut self.out, id, f::CANCEL);
                self.done.push_back((s.sent, Err(ErrorKind::Timeout), now));
            }
        }
        while let Some(pos) = self.waiting.iter().position(|s| s.deadline <= now) {
            if let Some(s) = self.waiting.remove(pos) {
                self.done.push_back((s.sent, Err(ErrorKind::Timeout), now));
            }
        }
    }

    /// Writes as much output as the socket takes now.
    fn write_some(&mut self) -> std::io::Result<()> {
        while self.out_pos < self.out.len() {
            match self.stream.try_write(&self.out[self.out_pos..]) {
                Ok(0) => return Err(std::io::ErrorKind::WriteZero.into()),
                Ok(n) => self.out_pos += n,
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
                Err(e) => return Err(e),
            }
        }
        if self.out_pos == self.out.len() {
            self.out.clear();
            self.out_pos = 0;
        } else if self.out.len() - self.out_pos > MAX_OUTPUT {
            return Err(std::io::ErrorKind::WouldBlock.into());
        }
        Ok(())
    }

    /// The connection is lost: every request on it fails, the first ones with
    /// `e`'s kind (all of them: in HTTP/2 none is "the" failing one).
    fn fail_connection(&mut self, e: ReadError) {
        self.failed = true;
        self.closing = true;
        self.fail_all(kind(e));
    }

    fn fail_all(&mut self, k: ErrorKind) {
        let now = Instant::now();
        let mut ids: Vec<u32> = self.open.keys().copied().collect();
        ids.sort_unstable();
        for id in ids {
            if let Some(s) = self.open.remove(&id) {
                self.done.push_back((s.sent, Err(k), now));
            }
        }
        for s in self.waiting.drain(..) {
            self.done.push_back((s.sent, Err(k), now));
        }
    }
}

fn kind(e: ReadError) -> ErrorKind {
    match e {
        ReadError::Reset => ErrorKind::Reset,
        ReadError::HeaderTooLarge => ErrorKind::HeaderTooLarge,
        ReadError::TlsOnPlainPort => ErrorKind::TlsOnPlainPort,
        _ => ErrorKind::Malformed,
    }
}

/// A connection error: every stream on the connection fails with it.
struct Fault(ReadError);

/// RFC 9113's "unlimited" stream limit, as far as this client goes.
const UNLIMITED_STREAMS: usize = 1 << 20;

impl Connection {
    /// Handles every complete frame in the read buffer.
    fn process(&mut self) -> Result<(), Fault> {
        let malformed = || Fault(ReadError::Malformed);
        loop {
            if self.buf.len() < f::HEADER_LEN {
                return Ok(());
            }
            let h = FrameHeader::parse(&self.buf);
            if h.len > f::MAX_FRAME {
                return Err(if self.buf.starts_with(b"HTTP/") || is_tls(&self.buf) {
                    Fault(if is_tls(&self.buf) {
                        ReadError::TlsOnPlainPort
                    } else {
                        ReadError::Malformed
                    })
                } else {
                    malformed()
                });
            }
            if self.buf.len() < f::HEADER_LEN + h.len {
                self.buf.reserve(f::HEADER_LEN + h.len - self.buf.len());
                return Ok(());
            }
            self.buf.advance(f::HEADER_LEN);
            let payload = self.buf.split_to(h.len).freeze();
            if self.block.is_some() && h.kind != f::CONTINUATION {
                return Err(malformed());
            }
            match h.kind {
                f::DATA => self.on_data(h, &payload)?,
                f::HEADERS => {
                    let mut p = strip_padding(h.flags, &payload).ok_or_else(malformed)?;
                    if h.flags & f::PRIORITY_FLAG != 0 {
                        p = p.get(5..).ok_or_else(malformed)?;
                    }
                    if h.stream == 0 {
                        return Err(malformed());
                    }
                    let end_stream = h.flags & f::END_STREAM != 0;
                    self.block = Some((h.stream, end_stream, p.to_vec()));
                    if h.flags & f::END_HEADERS != 0 {
                        self.on_header_block()?;
                    }
                }
                f::CONTINUATION => {
                    let Some((stream, _, block)) = self.block.as_mut() else {
                        return Err(malformed());
                    };
                    if *stream != h.stream {
                        return Err(malformed());
                    }
                    if block.len() + payload.len() > MAX_HEAD {
                        return Err(Fault(ReadError::HeaderTooLarge));
                    }
                    block.extend_from_slice(&payload);
                    if h.flags & f::END_HEADERS != 0 {
                        self.on_header_block()?;
                    }
                }
                f::SETTINGS => {
                    if h.flags & f::ACK != 0 {
                        continue;
                    }
                    if h.stream != 0 || payload.len() % 6 != 0 {
                        return Err(malformed());
                    }
                    for s in payload.chunks_exact(6) {
                        let id = u16::from_be_bytes([s[0], s[1]]);
                        let value = u32::from_be_bytes([s[2], s[3], s[4], s[5]]);
                        self.on_setting(id, value)?;
                    }
                    if self.max_streams == 0 {
                        self.max_streams = UNLIMITED_STREAMS;
                    }
                    f::put_header(&mut self.out, 0, f::SETTINGS, f::ACK, 0);
                    self.pump_bodies();
                }
                f::PING => {
                    if payload.len() != 8 {
                        return Err(malformed());
                    }
                    if h.flags & f::ACK == 0 {
                        f::put_header(&mut self.out, 8, f::PING, f::ACK, 0);
                        self.out.extend_from_slice(&payload);
                    }
                }
                f::WINDOW_UPDATE => {
                    if payload.len() != 4 {
                        return Err(malformed());
                    }
                    let inc = i64::from(
                        u32::from_be_bytes([payload[0], payload[1], payload[2], payload[3]])
                            & 0x7fff_ffff,
                    );
                    if h.stream == 0 {
                        self.send_window += inc;
                    } else if let Some(s) = self.open.get_mut(&h.stream) {
                        s.send_window += inc;
                    }
                    if !self.sending.is_empty() {
                        self.pump_bodies();
                    }
                }
                f::RST_STREAM => {
                    if payload.len() != 4 || h.stream == 0 {
                        return Err(malformed());
                    }
                    if let Some(s) = self.open.remove(&h.stream) {
                        self.done
                            .push_back((s.sent, Err(ErrorKind::Reset), self.read_at));
                    }
                }
                f::GOAWAY => {
                    if payload.len() < 8 {
                        return Err(malformed());
                    }
                    let last = u32::from_be_bytes([payload[0], payload[1], payload[2], payload[3]])
                        & 0x7fff_ffff;
                    self.on_goaway(last);
                }
                f::PUSH_PROMISE => return Err(malformed()),
                // PRIORITY and unknown frame types are ignored (RFC 9113 5.5).
                _ => {}
            }
        }
    }

    fn on_setting(&mut self, id: u16, value: u32) -> Result<(), Fault> {
        match id {
            f::SETTINGS_MAX_CONCURRENT_STREAMS => {
                // 0 would forbid any stream: wait for a later SETTINGS.
                self.max_streams = (value as usize).clamp(1, UNLIMITED_STREAMS);
            }
            f::SETTINGS_INITIAL_WINDOW_SIZE => {
                if value > 0x7fff_ffff {
                    return Err(Fault(ReadError::Malformed));
                }
                let delta = i64::from(value) - self.peer_window;
                self.peer_window = i64::from(value);
                for s in self.open.values_mut() {
                    s.send_window += delta;
                }
            }
            f::SETTINGS_MAX_FRAME_SIZE => {
                if !(16_384..=16_777_215).contains(&value) {
                    return Err(Fault(ReadError::Malformed));
                }
                self.peer_max_frame = value as usize;
            }
            // HEADER_TABLE_SIZE bounds the server's table for our encoder,
            // which never indexes; the rest do not concern a client.
            _ => {}
        }
        Ok(())
    }

    fn on_data(&mut self, h: FrameHeader, payload: &[u8]) -> Result<(), Fault> {
        if h.stream == 0 {
            return Err(Fault(ReadError::Malformed));
        }
        // Flow control counts the whole payload, padding included, even on
        // a stream already closed on our side.
        let len = payload.len() as u32;
        self.recv_unacked += len;
        if self.recv_unacked >= CONNECTION_WINDOW / 2 {
            f::put_window_update(&mut self.out, 0, self.recv_unacked);
            self.recv_unacked = 0;
        }
        let data = strip_padding(h.flags, payload).ok_or(Fault(ReadError::Malformed))?;
        let end = h.flags & f::END_STREAM != 0;
        let Some(s) = self.open.get_mut(&h.stream) else {
            return Ok(());
        };
        if s.status.is_none() {
            // DATA before the response's HEADERS.
            return Err(Fault(ReadError::Malformed));
        }
        if s.keep_body {
            let room = MAX_KEPT_BODY.saturating_sub(s.body.len());
            s.body.extend_from_slice(&data[..data.len().min(room)]);
        }
        if end {
            self.complete(h.stream);
        } else {
            s.recv_unacked += len;
            if s.recv_unacked >= STREAM_WINDOW / 2 {
                f::put_window_update(&mut self.out, h.stream, s.recv_unacked);
                s.recv_unacked = 0;
            }
        }
        Ok(())
    }

    /// A complete header block (read even for a stream no longer tracked).
    fn on_header_block(&mut self) -> Result<(), Fault> {
        let Some((id, end, block)) = self.block.take() else {
            return Ok(());
        };
        let status = f::response_status(&block).map_err(|_| Fault(ReadError::Malformed))?;
        let Some(s) = self.open.get_mut(&id) else {
            return Ok(());
        };
        if s.status.is_none() {
            match status {
                // An interim answer (100 Continue, 103 Early Hints).
                Some(code) if code < 200 && !end => return Ok(()),
                Some(code) => s.status = Some(code),
                None => return Err(Fault(ReadError::Malformed)),
            }
        }
        // Otherwise: trailers.
        if end {
            self.complete(id);
        }
        Ok(())
    }

    /// Stream `id` ended: its outcome is ready.
    fn complete(&mut self, id: u32) {
        if let Some(s) = self.open.remove(&id) {
            if s.body_pos < s.out_body.len() {
                // Answered before its body was all sent: stop sending it.
                f::put_rst_stream(&mut self.out, id, f::NO_ERROR);
            }
            let response = Response {
                status: s.status.unwrap_or(0),
                body: s.keep_body.then_some(s.body),
                close: false,
            };
            self.done.push_back((s.sent, Ok(response), self.read_at));
        }
    }

    /// GOAWAY: no new streams; those above `last` were not processed and
    /// fail (`reset`), as do requests still waiting for a stream; those at
    /// or below it may still complete.
    fn on_goaway(&mut self, last: u32) {
        self.closing = true;
        let mut lost: Vec<u32> = self.open.keys().copied().filter(|id| *id > last).collect();
        lost.sort_unstable();
        for id in lost {
            if let Some(s) = self.open.remove(&id) {
                self.done
                    .push_back((s.sent, Err(ErrorKind::Reset), self.read_at));
            }
        }
        for s in self.waiting.drain(..) {
            self.done
                .push_back((s.sent, Err(ErrorKind::Reset), self.read_at));
        }
    }
}

fn is_tls(buf: &[u8]) -> bool {
    buf.len() >= 2 && matches!(buf[0], 0x15 | 0x16) && buf[1] == 0x03
}

/// The payload of a DATA or HEADERS frame without its padding (`None`: the
/// padding is longer than the frame).
fn strip_padding(flags: u8, payload: &[u8]) -> Option<&[u8]> {
    if flags & f::PADDED == 0 {
        return Some(payload);
    }
    let pad = usize::from(*payload.first()?);
    payload.get(1..payload.len().checked_sub(pad)?)
}
