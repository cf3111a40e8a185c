//! The checks behind Gauntlet's fuzz targets (docs/fuzzing.md): one function
//! per target, each feeding arbitrary bytes through the same public entry
//! points the tool uses and panicking when a property a user relies on
//! breaks. The libFuzzer binaries in `fuzz_targets/` call them; the stable
//! test `tests/fuzz_corpus.rs` replays every corpus file through them, so CI
//! checks the corpora without a nightly toolchain.
//!
//! This file depends only on crates Gauntlet itself depends on (it is
//! compiled into the root crate's test by `#[path]`).

use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, SystemTime};

use base64::Engine as _;
use gauntlet::load::http1::{HeadCache, Parsed, ReadError, ResponseParser, MAX_HEAD};
use hdrhistogram::serialization::interval_log::{IntervalLogIterator, LogEntry};
use hdrhistogram::serialization::Deserializer;

/// Headers the lean client accepts (its `MAX_HEADERS`).
const MAX_HEADERS: usize = 64;

/// Splits `wire` into the chunks a socket might deliver: all of it at once
/// for seed 0, otherwise pseudo-random lengths (1..=8 or 1..=256 bytes).
fn chunks(wire: &[u8], seed: u8) -> Vec<&[u8]> {
    if seed == 0 {
        return vec![wire];
    }
    let mut state = u32::from(seed).wrapping_mul(0x9E37_79B9) | 1;
    let mut out = Vec::new();
    let mut rest = wire;
    while !rest.is_empty() {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let max = if state & 1 == 0 { 8 } else { 256 };
        let n = (1 + (state >> 1) as usize % max).min(rest.len());
        let (head, tail) = rest.split_at(n);
        out.push(head);
        rest = tail;
    }
    out
}

/// What `httparse` alone says about a response head.
enum Reference {
    /// The head is incomplete.
    Partial,
    /// Not a valid head.
    Invalid,
    /// A complete head of `len` bytes with this status; `end` is where the
    /// whole response ends (relative to its start) when the framing is plain
    /// enough to know from the head: an interim response, no body, or one
    /// valid Content-Length and no Transfer-Encoding.
    Complete {
        len: usize,
        status: u16,
        end: Option<usize>,
    },
}

fn reference(head: &[u8], head_request: bool) -> Reference {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut resp = httparse::Response::new(&mut headers);
    let len = match resp.parse(head) {
        Ok(httparse::Status::Complete(len)) => len,
        Ok(httparse::Status::Partial) => return Reference::Partial,
        Err(_) => return Reference::Invalid,
    };
    let Some(status) = resp.code else {
        return Reference::Invalid;
    };
    let named = |name: &'static str| {
        resp.headers
            .iter()
            .filter(move |h| h.name.eq_ignore_ascii_case(name))
    };
    let lengths: Vec<&[u8]> = named("content-length").map(|h| h.value).collect();
    let single_length = match lengths.split_first() {
        Some((first, rest)) if rest.iter().all(|v| v == first) => {
            let digits = first.trim_ascii();
            std::str::from_utf8(digits)
                .ok()
                .filter(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|d| d.parse::<usize>().ok())
        }
        _ => None,
    };
    let end = if (100..200).contains(&status) || head_request || status == 204 || status == 304 {
        Some(len)
    } else if named("transfer-encoding").next().is_none() {
        single_length.and_then(|n| len.checked_add(n))
    } else {
        None
    };
    Reference::Complete { len, status, end }
}

/// Target `http1_response`: the lean HTTP/1.1 client's response parser fed
/// arbitrary bytes in arbitrary chunks, responses pipelined back to back.
///
/// Input: one flag byte (bit 0 keep the body, bit 1 answers to HEAD, bits
/// 2-7 how the rest is split into reads), then the bytes on the wire.
/// Checks: no panic; every call returns (a bounded number of calls per
/// byte); every complete response consumes at least one byte; while the head
/// is incomplete the parser answers as `httparse` does (invalid head:
/// `malformed`; incomplete: wait, or `reset` once the peer closed, or
/// `malformed` beyond `MAX_HEAD`); a complete response has `httparse`'s
/// status and, when its head fixes the length, ends exactly there with
/// exactly those body bytes; after a `Partial` the caller holds at most
/// 2 × `MAX_HEAD` bytes, none at all in a Content-Length body; and the peer
/// closing always ends in a response or an error.
pub fn http1_response(data: &[u8]) {
    let Some((&flags, wire)) = data.split_first() else {
        return;
    };
    let keep = flags & 1 != 0;
    let head_request = flags & 2 != 0;
    let mut conn = Http1Check {
        wire,
        keep,
        head_request,
        buf: Vec::new(),
        base: 0,
        start: 0,
        parser: ResponseParser::new(keep, head_request),
        heads: HeadCache::default(),
        head_done: false,
        calls: 0,
    };
    let mut fed = 0;
    for chunk in chunks(wire, flags >> 2) {
        conn.buf.extend_from_slice(chunk);
        fed += chunk.len();
        if !conn.drive(fed, false) {
            return;
        }
    }
    conn.drive(fed, true);
}

/// The state a connection keeps between reads, as `http1::Connection` does.
struct Http1Check<'a> {
    wire: &'a [u8],
    keep: bool,
    head_request: bool,
    /// What the connection holds: `wire[base..fed]`.
    buf: Vec<u8>,
    base: usize,
    /// Where the response being parsed begins in `wire`.
    start: usize,
    parser: ResponseParser,
    /// The connection's head cache: a head repeated byte for byte skips
    /// `httparse`, and must still agree with it.
    heads: HeadCache,
    head_done: bool,
    calls: usize,
}

impl Http1Check<'_> {
    /// Parses what is buffered; false once the connection is dead.
    fn drive(&mut self, fed: usize, eof: bool) -> bool {
        loop {
            self.calls += 1;
            assert!(
                self.calls <= 4 * self.wire.len() + 16,
                "{} parse calls for {} bytes: the parser does not make progress",
                self.calls,
                self.wire.len()
            );
            assert_eq!(&self.buf[..], &self.wire[self.base..fed]);
            let result = self.parser.parse_cached(&self.buf, eof, &mut self.heads);
            let mut end = None;
            if !self.head_done {
                // The parser has consumed nothing of this response yet.
                assert_eq!(self.base, self.start);
                match reference(&self.buf, self.head_request) {
                    Reference::Invalid => {
                        // Which kind depends on what is wrong with the head
                        // (a status line, too many headers, TLS bytes, bytes
                        // after a body).
                        assert!(
                            matches!(
                                result,
                                Err(ReadError::Malformed
                                    | ReadError::BadStatusLine
                                    | ReadError::HeaderTooLarge
                                    | ReadError::TlsOnPlainPort
                                    | ReadError::BodyOverflow)
                            ),
                            "httparse rejects the head, the parser says {result:?}"
                        );
                        return false;
                    }
                    Reference::Partial => {
                        let expected = if self.buf.len() > MAX_HEAD {
                            Err(ReadError::HeaderTooLarge)
                        } else if eof {
                            Err(ReadError::Reset)
                        } else {
                            Ok(Parsed::Partial)
                        };
                        assert_eq!(result, expected, "httparse says the head is incomplete");
                    }
                    Reference::Complete {
                        len,
                        status,
                        end: e,
                    } => {
                        self.head_done = true;
                        end = e.map(|e| (len, status, e));
                        if let Ok(Parsed::Done(resp, _)) = &result {
                            assert_eq!(resp.status, status, "status differs from httparse");
                        }
                    }
                }
            }
            match result {
                Ok(Parsed::Done(resp, used)) => {
                    assert!(used <= self.buf.len(), "used {used} of {}", self.buf.len());
                    let abs_end = self.base + used;
                    assert!(abs_end > self.start, "a response that consumed nothing");
                    if let Some((len, status, end)) = end.or_else(|| self.known_end()) {
                        assert_eq!(resp.status, status);
                        assert_eq!(abs_end - self.start, end, "the response ends elsewhere");
                        if self.keep && !(100..200).contains(&status) {
                            let body = &self.wire[self.start + len..abs_end];
                            assert_eq!(resp.body.as_deref(), Some(body), "body bytes differ");
                        }
                    }
                    if !self.keep || (100..200).contains(&resp.status) {
                        assert_eq!(resp.body, None);
                    }
                    self.buf.drain(..used);
                    self.base = abs_end;
                    self.start = abs_end;
                    self.parser = ResponseParser::new(self.keep, self.head_request);
                    self.head_done = false;
                }
                Ok(Parsed::Partial) => {
                    assert!(!eof, "the peer closed and the parser still waits");
                    let consumed = self.parser.take_consumed();
                    assert!(consumed <= self.buf.len());
                    if !self.head_done {
                        assert_eq!(consumed, 0, "bytes consumed before the head is complete");
                    }
                    self.buf.drain(..consumed);
                    self.base += consumed;
                    assert!(
                        self.buf.len() <= 2 * MAX_HEAD,
                        "{} bytes held while waiting",
                        self.buf.len()
                    );
                    if let Some((len, _, end)) = self.known_end() {
                        if self.base >= self.start + len && end > len {
                            assert!(self.buf.is_empty(), "Content-Length body bytes held");
                        }
                    }
                    return true;
                }
                Err(_) => return false,
            }
        }
    }

    /// The head length, status and end of the current response when its
    /// head is complete and fixes the length.
    fn known_end(&self) -> Option<(usize, u16, usize)> {
        if !self.head_done {
            return None;
        }
        match reference(&self.wire[self.start..], self.head_request) {
            Reference::Complete {
                len,
                status,
                end: Some(end),
            } => Some((len, status, end)),
            _ => None,
        }
    }
}

/// A scratch folder of this process for the targets that read files.
fn scratch() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("gauntlet-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("scratch folder");
        dir
    })
}

/// Target `scenario_toml`: scenario text through the same parse and
/// validation as `gauntlet run`. Checks: no panic, and every error names the
/// scenario file (the standard: errors name the file and key).
pub fn scenario_toml(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let dir = scratch().join("scenario");
    let _ = std::fs::create_dir_all(&dir);
    let file = dir.join("fuzzed.toml");
    let known = [
        "rust-hyper",
        "rust-threads",
        "go-nethttp",
        "node-http",
        "java-httpserver",
        "python-uvicorn",
    ];
    let overrides = gauntlet::scenario::Overrides::default();
    if let Err(e) = gauntlet::scenario::Scenario::parse(&file, text, &overrides, &known) {
        let message = e.to_string();
        assert!(
            message.contains("fuzzed.toml"),
            "error does not name the file: {message}"
        );
    }
}

/// Target `server_manifest`: `server.toml` text through the same parse and
/// validation as the server registry, then placeholder expansion. Checks: no
/// panic, every error names the manifest file.
pub fn server_manifest(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    use gauntlet::servers::manifest::{Placeholders, ServerManifest};
    let path = Path::new("reference-servers/fuzzed/server.toml");
    match ServerManifest::parse(path, text) {
        Ok(manifest) => {
            let places = Placeholders {
                target_dir: PathBuf::from("/t"),
                workspace: PathBuf::from("/w"),
                server_dir: PathBuf::from("/w/reference-servers/fuzzed"),
            };
            let expanded = manifest.expanded(&places);
            assert_eq!(expanded.name, manifest.name);
        }
        Err(e) => {
            let message = e.to_string();
            assert!(
                message.contains("server.toml"),
                "error does not name the file: {message}"
            );
        }
    }
}

/// The manifest of a run folder with one result file, `r.json`.
fn run_manifest() -> &'static str {
    static TEXT: OnceLock<String> = OnceLock::new();
    TEXT.get_or_init(|| {
        let fixture = include_str!("../../tests/fixtures/two-servers/manifest.json");
        let mut value: serde_json::Value = serde_json::from_str(fixture).expect("fixture");
        value["results"] = serde_json::json!(["r.json"]);
        serde_json::to_string_pretty(&value).expect("json")
    })
}

/// Target `result_json`: bytes as a result file (`<scenario>__<server>.json`)
/// of a run folder, read by `gauntlet report` (summary.md, the HTML page,
/// the matrices) and by `gauntlet compare` (the folder against itself); and
/// the same bytes as a run's manifest.json. Checks: no panic; a result that
/// parses serializes and parses back equal (what Gauntlet writes it reads);
/// a folder compared with itself has no regression.
pub fn result_json(data: &[u8]) {
    use gauntlet::report::{html, markdown, matrix, model::ReportData};
    use gauntlet::results::ServerRunResult;
    if let Ok(result) = serde_json::from_slice::<ServerRunResult>(data) {
        let text = serde_json::to_string(&result).expect("a parsed result serializes");
        let back: ServerRunResult = serde_json::from_str(&text).expect("written result reads");
        assert!(
            back == result,
            "a result changes when written and read back"
        );
    }
    let run = scratch().join("run");
    let _ = std::fs::create_dir_all(&run);
    std::fs::write(run.join("manifest.json"), run_manifest()).expect("write");
    std::fs::write(run.join("r.json"), data).expect("write");
    let bare = scratch().join("bare");
    let _ = std::fs::create_dir_all(&bare);
    std::fs::write(bare.join("manifest.json"), data).expect("write");
    for dir in [&run, &bare] {
        if let Ok(report) = ReportData::load(std::slice::from_ref(dir)) {
            let _ = markdown::summary(&report);
            let _ = html::page(&report, &[]);
            for figure in [matrix::Figure::Throughput, matrix::Figure::Efficiency] {
                let _ = matrix::build(&report, figure);
            }
        }
        let opts = gauntlet::compare::CompareOptions {
            resamples: 20,
            ..Default::default()
        };
        if let Ok(cmp) = gauntlet::compare::compare_runs(dir, dir, &opts) {
            assert!(!cmp.has_regression(), "a run regresses against itself");
        }
    }
}

/// Target `histogram`: the stored-histogram decoder. The first byte picks
/// the form of the rest: 0 mod 3, serialized histogram bytes (base64-encoded
/// here, as results store them); 1, the base64 text itself; 2, an interval
/// log (`.hlog`) text. Checks: no panic in the decoder (the one that merge
/// and report share), in the statistics taken from a
/// decoded histogram, in merging it, or in the log reader; a decoded
/// histogram encodes and decodes back equal; and decoded histograms written
/// as an `.hlog` read back as the same number of intervals.
pub fn histogram(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let encoded = match mode % 3 {
        0 => base64::engine::general_purpose::STANDARD.encode(rest),
        1 => match std::str::from_utf8(rest) {
            Ok(text) => text.to_string(),
            Err(_) => return,
        },
        _ => return hlog(rest),
    };
    if let Ok(h) = gauntlet::record::decode_histogram(&encoded) {
        check_decoded(&h);
        hlog_round_trip(std::slice::from_ref(&h));
    }
}

fn check_decoded(h: &hdrhistogram::Histogram<u64>) {
    let stats = gauntlet::record::latency_stats(h);
    assert_eq!(stats.count, h.len());
    let back = gauntlet::record::decode_histogram(&stats.histogram)
        .expect("a decoded histogram encodes to something decodable");
    assert_eq!(back.len(), h.len(), "count changes in a round trip");
    if !h.is_empty() {
        assert_eq!(back.max(), h.max(), "max changes in a round trip");
        assert_eq!(back.min(), h.min(), "min changes in a round trip");
    }
    let mut merged = gauntlet::record::new_histogram();
    let _ = merged.add(h);
}

fn hlog(text: &[u8]) {
    let mut decoded = Vec::new();
    for entry in IntervalLogIterator::new(text).take(1000) {
        let Ok(LogEntry::Interval(interval)) = entry else {
            continue;
        };
        let Ok(bytes) =
            base64::engine::general_purpose::STANDARD.decode(interval.encoded_histogram())
        else {
            continue;
        };
        if let Ok(h) = Deserializer::new().deserialize::<u64, _>(&mut Cursor::new(bytes)) {
            check_decoded(&h);
            decoded.push(h);
        }
    }
    hlog_round_trip(&decoded);
}

/// Writes `hists` as an `.hlog` the way runs do and reads it back.
fn hlog_round_trip(hists: &[hdrhistogram::Histogram<u64>]) {
    let intervals: Vec<_> = hists
        .iter()
        .enumerate()
        .map(|(i, h)| gauntlet::record::IntervalHistogram {
            start: Duration::from_secs(i as u64),
            length: Duration::from_secs(1),
            latency: h.into(),
            requests: h.len(),
            errors: 0,
        })
        .collect();
    let path = scratch().join("round-trip.hlog");
    if gauntlet::record::hlog::write_hlog(&path, SystemTime::UNIX_EPOCH, &intervals, "fuzz")
        .is_err()
    {
        return;
    }
    let text = std::fs::read(&path).expect("read back");
    let read = IntervalLogIterator::new(&text)
        .filter(|e| matches!(e, Ok(LogEntry::Interval(_))))
        .count();
    assert_eq!(read, hists.len(), "intervals lost in the .hlog round trip");
}
