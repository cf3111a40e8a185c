//! The lean HTTP/1.1 keep-alive client: requests are encoded once, up front,
//! and written as bytes; responses are parsed with `httparse` in place, with
//! Content-Length, chunked and read-until-close bodies. The body is kept only
//! when the request mix wants to compare it.
//!
//! Why not hyper's client here: measured with benches/vs-wrk.sh (plaintext,
//! 64 connections, server on CPU 0, generator on CPU 1, release build, on a
//! shared 2-core machine, 2026-11-23; record in benches/runs/), this client
//! completed about 1.5x the requests per generator CPU-second of
//! `hyper::client::conn::http1` (170k vs 114k, median of 5) and 1.36x the
//! requests/s. `--http1-client hyper` (or `GAUNTLET_HTTP1_CLIENT=hyper`)
//! switches to hyper's client (`hyper_http1.rs`) to repeat the measurement.
//! HTTP/2 has its own lean client (`http2.rs`, `h2frame.rs`).

use std::collections::VecDeque;
use std::time::Instant;

use bytes::{Buf, BytesMut};
use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;

use super::plan::{RequestSpec, Target};

/// Headers beyond this count make a response `malformed`.
const MAX_HEADERS: usize = 64;
/// Read buffer of a fresh connection (grows for larger responses).
const INITIAL_BUFFER: usize = 1024;
/// Upper bound of the initial read buffer of a pipelined connection.
const MAX_BATCH_BUFFER: usize = 64 * 1024;
/// A response head (or chunk-size line, or trailer section) larger than
/// this is `header_too_large`: the parser stops rather than buffer it.
pub const MAX_HEAD: usize = 64 * 1024;
/// At most this much of a kept body is kept: enough to tell it differs from
/// the expected one, without buffering an endless body.
pub(crate) const MAX_KEPT_BODY: usize = 16 * 1024 * 1024;

/// A request encoded once, sent many times.
#[derive(Debug, Clone)]
pub struct EncodedRequest {
    /// The bytes on the wire.
    pub bytes: Vec<u8>,
    /// True for HEAD requests (their responses have no body).
    pub head: bool,
}

/// Encodes `spec` for `target`: request line, Host, the spec's headers,
/// Content-Length when there is a body, then the body.
pub fn encode_request(target: &Target, spec: &RequestSpec) -> EncodedRequest {
    let mut out = Vec::with_capacity(128 + spec.body.len());
    out.extend_from_slice(spec.method.as_bytes());
    out.push(b' ');
    out.extend_from_slice(spec.path.as_bytes());
    out.extend_from_slice(b" HTTP/1.1\r\nHost: ");
    out.extend_from_slice(target.host.as_bytes());
    if target.port != 80 {
        out.extend_from_slice(format!(":{}", target.port).as_bytes());
    }
    out.extend_from_slice(b"\r\n");
    for (name, value) in &spec.headers {
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    if !spec.body.is_empty() || matches!(spec.method.as_str(), "POST" | "PUT" | "PATCH") {
        out.extend_from_slice(format!("Content-Length: {}\r\n", spec.body.len()).as_bytes());
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(&spec.body);
    EncodedRequest {
        bytes: out,
        head: spec.method == "HEAD",
    }
}

/// Why a response could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    /// The connection closed or failed before the response was complete.
    #[error("connection closed or reset before the response was complete")]
    Reset,
    /// The bytes are not a valid HTTP/1.1 response.
    #[error("malformed HTTP response")]
    Malformed,
    /// The response starts with `HTTP/` but its status line is invalid.
    #[error("invalid HTTP status line")]
    BadStatusLine,
    /// The head is over 64 KiB or has over 64 headers.
    #[error("response head over 64 KiB or 64 headers")]
    HeaderTooLarge,
    /// Bytes past the end of the previous response on the connection.
    #[error("bytes past the end of the previous response (body longer than declared)")]
    BodyOverflow,
    /// The server answered with a TLS record.
    #[error("TLS spoken on a plain HTTP port")]
    TlsOnPlainPort,
}

/// The kind of a head `httparse` rejected: TLS records, a bad status line,
/// too many headers, leftovers of the previous response (`following`: the
/// connection already completed one), or plain garbage.
fn head_error(buf: &[u8], err: httparse::Error, following: bool) -> ReadError {
    if buf.len() >= 2 && matches!(buf[0], 0x15 | 0x16) && buf[1] == 0x03 {
        ReadError::TlsOnPlainPort
    } else if err == httparse::Error::TooManyHeaders {
        ReadError::HeaderTooLarge
    } else if buf.starts_with(b"HTTP/") {
        if matches!(err, httparse::Error::Version | httparse::Error::Status) {
            ReadError::BadStatusLine
        } else {
            ReadError::Malformed
        }
    } else if following {
        ReadError::BodyOverflow
    } else {
        ReadError::Malformed
    }
}

/// How the body of a response is delimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Framing {
    /// Content-Length: this many body bytes are still to come.
    Length(usize),
    Chunked,
    UntilClose,
}

/// A complete response as far as the engine cares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// Status code.
    pub status: u16,
    /// The body, when it was asked to be kept.
    pub body: Option<Vec<u8>>,
    /// True when the server asked to close the connection afterwards.
    pub close: bool,
}

/// What a response head says about the response, as far as the client
/// cares: everything the framing is decided from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Head {
    status: u16,
    /// HTTP/1.0, or `Connection: close`.
    close: bool,
    /// The Content-Length, when there is one.
    length: Option<usize>,
    /// The last transfer coding is chunked.
    chunked: bool,
    /// There is a Transfer-Encoding header.
    encoded: bool,
}

/// Heads longer than this are not cached (a copy per response would cost
/// more than it saves when large heads differ every time).
const MAX_CACHED_HEAD: usize = 1024;

/// The last response head parsed on a connection, byte for byte, with what
/// it said. A server answering the same request usually sends the same head
/// again (until its `Date` changes, once a second): a `memcmp` then replaces
/// the header parse. Identical bytes parse identically, so the result is the
/// one `httparse` would give.
#[derive(Debug, Default)]
pub struct HeadCache {
    bytes: Vec<u8>,
    head: Option<Head>,
}

impl HeadCache {
    /// The cached head when `buf` starts with it.
    fn lookup(&self, buf: &[u8]) -> Option<(Head, usize)> {
        let head = self.head?;
        let n = self.bytes.len();
        (buf.len() >= n && buf[..n] == self.bytes[..]).then_some((head, n))
    }

    fn store(&mut self, bytes: &[u8], head: Head) {
        if bytes.len() > MAX_CACHED_HEAD {
            self.head = None;
            return;
        }
        self.bytes.clear();
        self.bytes.extend_from_slice(bytes);
        self.head = Some(head);
    }
}

/// Incremental parser of one response in a buffer that grows as bytes arrive.
///
/// The caller passes everything it holds from the start of the response (or
/// from the last [`ResponseParser::take_consumed`] on). Body bytes are
/// consumed as they arrive, so a caller that drops what `take_consumed`
/// reports holds at most [`MAX_HEAD`] bytes of a response whatever its body
/// size (plus the body itself when it is kept).
#[derive(Debug)]
pub struct ResponseParser {
    keep_body: bool,
    head_request: bool,
    following: bool,
    state: State,
    body: Vec<u8>,
}

#[derive(Debug, Clone, Copy)]
enum State {
    Head,
    Body {
        status: u16,
        close: bool,
        framing: Framing,
        /// Offset in the buffer where the unparsed body begins.
        pos: usize,
        /// Content-Length: body bytes still to come; chunked: bytes left in
        /// the current chunk (including its CRLF).
        left: usize,
    },
}

/// What [`ResponseParser::parse`] found.
#[derive(Debug, PartialEq, Eq)]
pub enum Parsed {
    /// More bytes are needed.
    Partial,
    /// The response is complete and used this many bytes of the buffer.
    Done(Response, usize),
}

/// `Partial`, or `Reset` when the peer has closed.
fn partial(eof: bool) -> Result<Parsed, ReadError> {
    if eof {
        Err(ReadError::Reset)
    } else {
        Ok(Parsed::Partial)
    }
}

/// A Content-Length value: 1*DIGIT (RFC 9110 §8.6), nothing else.
fn content_length(value: &[u8]) -> Result<usize, ReadError> {
    let digits = value.trim_ascii();
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return Err(ReadError::Malformed);
    }
    std::str::from_utf8(digits)
        .ok()
        .and_then(|t| t.parse().ok())
        .ok_or(ReadError::Malformed)
}

impl ResponseParser {
    /// A parser for the response to a request (`head_request`: a HEAD, whose
    /// response has no body). `keep_body` keeps the body for comparison.
    pub fn new(keep_body: bool, head_request: bool) -> Self {
        ResponseParser {
            keep_body,
            head_request,
            following: false,
            state: State::Head,
            body: Vec::new(),
        }
    }

    /// Marks the response as following another on the same connection, so
    /// bytes that are not a response head are reported as `body_overflow`.
    pub fn following(mut self, following: bool) -> Self {
        self.following = following;
        self
    }

    /// Body bytes at the start of the buffer that have been read past (and
    /// copied when kept): the caller drops them from the buffer, so a long
    /// or endless body is streamed, not buffered. Offsets restart at zero.
    pub fn take_consumed(&mut self) -> usize {
        match &mut self.state {
            State::Head => 0,
            State::Body { pos, .. } => std::mem::take(pos),
        }
    }

    fn keep(&mut self, data: &[u8]) {
        if self.keep_body {
            let room = MAX_KEPT_BODY.saturating_sub(self.body.len());
            self.body.extend_from_slice(&data[..data.len().min(room)]);
        }
    }

    /// Parses what `buf` holds so far. `eof` says the peer closed.
    pub fn parse(&mut self, buf: &[u8], eof: bool) -> Result<Parsed, ReadError> {
        self.parse_with(buf, eof, None)
    }

    /// [`ResponseParser::parse`], skipping `httparse` when the head is
    /// byte for byte the last one parsed through `cache` (a server answering
    /// the same request the same way): same bytes, same head.
    pub fn parse_cached(
        &mut self,
        buf: &[u8],
        eof: bool,
        cache: &mut HeadCache,
    ) -> Result<Parsed, ReadError> {
        self.parse_with(buf, eof, Some(cache))
    }

    fn parse_with(
        &mut self,
        buf: &[u8],
        eof: bool,
        cache: Option<&mut HeadCache>,
    ) -> Result<Parsed, ReadError> {
        if let State::Head = self.state {
            let hit = cache.as_deref().and_then(|c| c.lookup(buf));
            let (head, head_len) = match hit {
                Some(hit) => hit,
                None => {
                    let Some((head, head_len)) = self.parse_head(buf)? else {
                        return partial(eof);
                    };
                    if let Some(cache) = cache {
                        cache.store(&buf[..head_len], head);
                    }
                    (head, head_len)
                }
            };
            let Head {
                status,
                mut close,
                length,
                chunked,
                encoded,
            } = head;
            if (100..200).contains(&status) {
                // An interim response (e.g. 100 Continue): the caller skips it.
                return Ok(Parsed::Done(
                    Response {
                        status,
                        body: None,
                        close: false,
                    },
                    head_len,
                ));
            }
            let no_body = self.head_request || status == 204 || status == 304;
            let framing = if no_body {
                Framing::Length(0)
            } else if chunked {
                Framing::Chunked
            } else if let (Some(n), false) = (length, encoded) {
                Framing::Length(n)
            } else {
                // No length, or a transfer coding other than chunked last
                // (RFC 9112 §6.3): the body runs until the server closes.
                close = true;
                Framing::UntilClose
            };
            self.state = State::Body {
                status,
                close,
                framing,
                pos: head_len,
                left: match framing {
                    Framing::Length(n) => n,
                    _ => 0,
                },
            };
        }
        let State::Body {
            status,
            close,
            framing,
            mut pos,
            mut left,
        } = self.state
        else {
            return Ok(Parsed::Partial);
        };
        let result = self.parse_body(buf, eof, framing, &mut pos, &mut left);
        if let State::Body {
            pos: p, left: l, ..
        } = &mut self.state
        {
            *p = pos;
            *l = left;
        }
        Ok(match result? {
            Some(used) => {
                let body = self.keep_body.then(|| std::mem::take(&mut self.body));
                Parsed::Done(
                    Response {
                        status,
                        body,
                        close,
                    },
                    used,
                )
            }
            None => Parsed::Partial,
        })
    }

    /// Parses the head with `httparse`: `None` while it is incomplete (the
    /// caller decides between waiting and `reset`).
    fn parse_head(&self, buf: &[u8]) -> Result<Option<(Head, usize)>, ReadError> {
        // Uninitialised header slots: zeroing 64 of them would cost more
        // than parsing a small response.
        let mut headers = [std::mem::MaybeUninit::<httparse::Header<'_>>::uninit(); MAX_HEADERS];
        let mut resp = httparse::Response::new(&mut []);
        let parsed = httparse::ParserConfig::default().parse_response_with_uninit_headers(
            &mut resp,
            buf,
            &mut headers,
        );
        let head_len = match parsed {
            Ok(httparse::Status::Complete(n)) => n,
            Ok(httparse::Status::Partial) => {
                if buf.len() > MAX_HEAD {
                    return Err(ReadError::HeaderTooLarge);
                }
                return Ok(None);
            }
            Err(e) => return Err(head_error(buf, e, self.following)),
        };
        let status = resp.code.ok_or(ReadError::BadStatusLine)?;
        let mut head = Head {
            status,
            close: resp.version == Some(0),
            length: None,
            chunked: false,
            encoded: false,
        };
        for h in resp.headers.iter() {
            if h.name.eq_ignore_ascii_case("content-length") {
                let n = content_length(h.value)?;
                // Differing lengths: no way to tell where the body ends.
                if head.length.is_some_and(|l| l != n) {
                    return Err(ReadError::Malformed);
                }
                head.length = Some(n);
            } else if h.name.eq_ignore_ascii_case("transfer-encoding") {
                head.encoded = true;
                head.chunked = h
                    .value
                    .rsplit(|&b| b == b',')
                    .next()
                    .is_some_and(|v| v.trim_ascii().eq_ignore_ascii_case(b"chunked"));
            } else if h.name.eq_ignore_ascii_case("connection") {
                head.close = h.value.trim_ascii().eq_ignore_ascii_case(b"close");
            }
        }
        Ok(Some((head, head_len)))
    }

    /// Reads the body from `pos` on: `Some(end)` once it is complete (`end`
    /// just past it), `None` while more is needed.
    fn parse_body(
        &mut self,
        buf: &[u8],
        eof: bool,
        framing: Framing,
        pos: &mut usize,
        left: &mut usize,
    ) -> Result<Option<usize>, ReadError> {
        let more = |eof: bool| if eof { Err(ReadError::Reset) } else { Ok(None) };
        match framing {
            Framing::Length(_) => {
                let avail = (buf.len() - *pos).min(*left);
                self.keep(&buf[*pos..*pos + avail]);
                *pos += avail;
                *left -= avail;
                if *left == 0 {
                    Ok(Some(*pos))
                } else {
                    more(eof)
                }
            }
            Framing::UntilClose => {
                self.keep(&buf[*pos..]);
                *pos = buf.len();
                Ok(eof.then_some(*pos))
            }
            Framing::Chunked => loop {
                let chunk_left = &mut *left;
                if *chunk_left > 0 {
                    let avail = (buf.len() - *pos).min(*chunk_left);
                    // The last two bytes of a chunk are its CRLF.
                    let data_end = (*chunk_left).saturating_sub(2).min(avail);
                    self.keep(&buf[*pos..*pos + data_end]);
                    *pos += avail;
                    *chunk_left -= avail;
                    if *chunk_left > 0 {
                        return more(eof);
                    }
                }
                match httparse::parse_chunk_size(&buf[*pos..]) {
                    Ok(httparse::Status::Complete((used, 0))) => {
                        // Last chunk: skip trailers up to the empty line.
                        let rest = &buf[*pos + used..];
                        return match find_end_of_trailers(rest) {
                            Some(end) => Ok(Some(*pos + used + end)),
                            None if rest.len() > MAX_HEAD => Err(ReadError::HeaderTooLarge),
                            None => more(eof),
                        };
                    }
                    Ok(httparse::Status::Complete((used, size))) => {
                        *pos += used;
                        *chunk_left = usize::try_from(size)
                            .ok()
                            .and_then(|s| s.checked_add(2))
                            .ok_or(ReadError::Malformed)?;
                    }
                    Ok(httparse::Status::Partial) if buf.len() - *pos > MAX_HEAD => {
                        return Err(ReadError::Malformed);
                    }
                    Ok(httparse::Status::Partial) => return more(eof),
                    Err(_) => return Err(ReadError::Malformed),
                }
            },
        }
    }
}

/// Offset just past the CRLF that ends the trailer section, if present.
fn find_end_of_trailers(rest: &[u8]) -> Option<usize> {
    if rest.starts_with(b"\r\n") {
        return Some(2);
    }
    rest.windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|p| p + 4)
}

/// What the parser needs to know about a request whose answer is owed.
#[derive(Debug, Clone, Copy)]
struct Owed {
    keep_body: bool,
    head: bool,
}

/// One keep-alive connection, pipelined when more than one request is queued:
/// [`Connection::queue`] appends a request to the output, and
/// [`Connection::next_response`] writes whatever is queued (all of it in one
/// write when it can) and reads the answer to the oldest request. Answers come
/// back in request order (RFC 9112 §9.3.2), so the n-th response parsed
/// belongs to the n-th request queued.
#[derive(Debug)]
pub struct Connection {
    stream: TcpStream,
    buf: BytesMut,
    /// Requests queued but not yet written, from `out_pos` on.
    out: Vec<u8>,
    out_pos: usize,
    /// Answers owed, oldest first.
    owed: VecDeque<Owed>,
    /// The parser of the oldest owed answer, kept across reads.
    parser: Option<ResponseParser>,
    /// The last head parsed, so the same head again skips the parse.
    heads: HeadCache,
    /// True once a response was completed on it (see [`ResponseParser::following`]).
    answered: bool,
    eof: bool,
    /// When the last read returned: the arrival time of every answer it
    /// completed (one clock read per read, not per answer).
    pub read_at: Instant,
    /// False once the server asked to close or the connection failed: no
    /// more requests may be queued (those in flight are still read).
    pub reusable: bool,
}

impl Connection {
    /// Opens a connection to the target for up to `depth` requests in
    /// flight; the read buffer starts large enough for a batch of `depth`
    /// small answers, so a pipelined batch is read in one go.
    pub async fn open(target: &Target, depth: usize) -> std::io::Result<Connection> {
        let host = target.host.trim_start_matches('[').trim_end_matches(']');
        let stream = TcpStream::connect((host, target.port)).await?;
        stream.set_nodelay(true)?;
        let capacity = INITIAL_BUFFER.max(depth.min(MAX_BATCH_BUFFER / 512) * 512);
        Ok(Connection {
            stream,
            buf: BytesMut::with_capacity(capacity),
            out: Vec::new(),
            out_pos: 0,
            owed: VecDeque::new(),
            parser: None,
            heads: HeadCache::default(),
            answered: false,
            eof: false,
            read_at: Instant::now(),
            reusable: true,
        })
    }

    /// Requests queued or written whose answers have not been read yet.
    pub fn in_flight(&self) -> usize {
        self.owed.len()
    }

    /// Queues `request`; it is written by the next [`Connection::next_response`]
    /// that has to wait for the network, together with any others queued.
    pub fn queue(&mut self, request: &EncodedRequest, keep_body: bool) {
        self.out.extend_from_slice(&request.bytes);
        self.owed.push_back(Owed {
            keep_body,
            head: request.head,
        });
    }

    /// Sends one request and reads its response (no pipelining).
    pub async fn send(
        &mut self,
        request: &EncodedRequest,
        keep_body: bool,
    ) -> Result<Response, ReadError> {
        self.queue(request, keep_body);
        self.next_response().await
    }

    /// The answer to the oldest queued request if it is already buffered
    /// (pipelined answers usually arrive together): no waiting, no timer.
    /// Once the peer has closed, the answer is known too: the last
    /// response, if the close ends it, or `reset`.
    pub fn buffered_response(&mut self) -> Option<Result<Response, ReadError>> {
        let owed = *self.owed.front()?;
        while !self.buf.is_empty() || self.eof {
            let following = self.answered;
            let parser = self.parser.get_or_insert_with(|| {
                ResponseParser::new(owed.keep_body, owed.head).following(following)
            });
            // At the end of input the parser never answers `Partial`.
            match parser.parse_cached(&self.buf, self.eof, &mut self.heads) {
                Ok(Parsed::Done(resp, used)) => {
                    self.buf.advance(used);
                    self.parser = None;
                    if (100..200).contains(&resp.status) {
                        continue;
                    }
                    self.owed.pop_front();
                    self.answered = true;
                    if resp.close {
                        self.reusable = false;
                    }
                    return Some(Ok(resp));
                }
                Ok(Parsed::Partial) => {
                    let consumed = parser.take_consumed();
                    self.buf.advance(consumed);
                    return None;
                }
                Err(e) => return Some(Err(self.fail(e))),
            }
        }
        None
    }

    /// Reads the answer to the oldest queued request, writing the queued
    /// requests first when the answer is not already buffered. Cancel-safe:
    /// dropped while waiting, nothing is lost, the next call carries on.
    /// After an error the connection is unusable; the answers still owed are
    /// lost with it (`in_flight` says how many).
    pub async fn next_response(&mut self) -> Result<Response, ReadError> {
        if self.owed.is_empty() {
            return Err(ReadError::Malformed);
        }
        loop {
            if let Some(answer) = self.buffered_response() {
                return answer;
            }
            if self.eof {
                // (Not reached: at the end of input every answer is known.)
                return Err(self.fail(ReadError::Reset));
            }
            if self.out_pos < self.out.len() {
                match self.stream.try_write(&self.out[self.out_pos..]) {
                    Ok(n) => self.out_pos += n,
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                    Err(_) => return Err(self.fail(ReadError::Reset)),
                }
                if self.out_pos == self.out.len() {
                    self.out.clear();
                    self.out_pos = 0;
                }
            }
            if self.buf.capacity() - self.buf.len() < INITIAL_BUFFER / 4 {
                // Grows only for large responses; small ones keep a 1 KiB
                // buffer, so 10,000 connections stay cheap.
                self.buf.reserve(self.buf.len().max(INITIAL_BUFFER));
            }
            let read = if self.out_pos < self.out.len() {
                // Output left over (a full socket buffer): write and read
                // side by side, so a server that answers before it reads on
                // cannot deadlock us.
                let (mut rd, wr) = self.stream.split();
                let buf = &mut self.buf;
                let writable = tokio::select! {
                    r = rd.read_buf(buf) => Err(r),
                    w = wr.writable() => Ok(w),
                };
                match writable {
                    Ok(Ok(())) => continue,
                    Ok(Err(_)) => return Err(self.fail(ReadError::Reset)),
                    Err(read) => read,
                }
            } else {
                self.stream.read_buf(&mut self.buf).await
            };
            self.read_at = Instant::now();
            match read {
                Ok(0) => self.eof = true,
                Ok(_) => {}
                Err(_) => return Err(self.fail(ReadError::Reset)),
            }
        }
    }

    fn fail(&mut self, e: ReadError) -> ReadError {
        self.reusable = false;
        e
    }
}

#[cfg(test)]
#[path = "http1_tests.rs"]
mod tests;
