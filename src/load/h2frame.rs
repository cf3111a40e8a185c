//! HTTP/2 framing for the lean client (`http2.rs`): the 9-byte frame header,
//! the frame types and flags it handles, the few frames it writes, and the
//! request's HEADERS block encoded once per request spec.
//!
//! The request block uses only HPACK forms that need no state (RFC 7541
//! 6.1 indexed static entries and 6.2.2 literals without indexing, without
//! Huffman), so one encoding serves every stream of every connection and
//! never touches the server's dynamic table.
//!
//! Responses: the client advertises SETTINGS_HEADER_TABLE_SIZE = 0, so the
//! server's encoder keeps no dynamic table for it (RFC 7541 4.2: an entry
//! larger than the table empties it) and every response header block can be
//! read without state. [`response_status`] walks the block, skips every
//! string by its length (no Huffman decoding of headers nobody reads) and
//! decodes only `:status`, with `loona-hpack`'s Huffman decoder when the
//! server Huffman-coded it. Why not decode every header with `loona-hpack`'s
//! `Decoder` (the maintained fork of the `hpack` crate, which passes
//! h2spec): measured, it builds a Huffman table per string, which took 77 %
//! of the generator's CPU at 10 streams (benches/runs/2026-11-30-h2/).

use bytes::Bytes;

use super::plan::{RequestSpec, Target};

/// What a client sends first on an h2c prior-knowledge connection.
pub const PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
/// Size of a frame header.
pub const HEADER_LEN: usize = 9;
/// SETTINGS_MAX_FRAME_SIZE's default, which this client never raises: a
/// frame announcing more is a protocol error.
pub const MAX_FRAME: usize = 16_384;

/// DATA frame type.
pub const DATA: u8 = 0x0;
/// HEADERS frame type.
pub const HEADERS: u8 = 0x1;
/// PRIORITY frame type.
pub const PRIORITY: u8 = 0x2;
/// RST_STREAM frame type.
pub const RST_STREAM: u8 = 0x3;
/// SETTINGS frame type.
pub const SETTINGS: u8 = 0x4;
/// PUSH_PROMISE frame type (refused: this client disables push).
pub const PUSH_PROMISE: u8 = 0x5;
/// PING frame type.
pub const PING: u8 = 0x6;
/// GOAWAY frame type.
pub const GOAWAY: u8 = 0x7;
/// WINDOW_UPDATE frame type.
pub const WINDOW_UPDATE: u8 = 0x8;
/// CONTINUATION frame type.
pub const CONTINUATION: u8 = 0x9;

/// END_STREAM flag (DATA, HEADERS).
pub const END_STREAM: u8 = 0x1;
/// ACK flag (SETTINGS, PING).
pub const ACK: u8 = 0x1;
/// END_HEADERS flag (HEADERS, CONTINUATION).
pub const END_HEADERS: u8 = 0x4;
/// PADDED flag (DATA, HEADERS).
pub const PADDED: u8 = 0x8;
/// PRIORITY flag (HEADERS).
pub const PRIORITY_FLAG: u8 = 0x20;

/// SETTINGS_HEADER_TABLE_SIZE.
pub const SETTINGS_HEADER_TABLE_SIZE: u16 = 0x1;
/// SETTINGS_ENABLE_PUSH.
pub const SETTINGS_ENABLE_PUSH: u16 = 0x2;
/// SETTINGS_MAX_CONCURRENT_STREAMS.
pub const SETTINGS_MAX_CONCURRENT_STREAMS: u16 = 0x3;
/// SETTINGS_INITIAL_WINDOW_SIZE.
pub const SETTINGS_INITIAL_WINDOW_SIZE: u16 = 0x4;
/// SETTINGS_MAX_FRAME_SIZE.
pub const SETTINGS_MAX_FRAME_SIZE: u16 = 0x5;

/// RST_STREAM / GOAWAY code NO_ERROR.
pub const NO_ERROR: u32 = 0x0;
/// RST_STREAM / GOAWAY code PROTOCOL_ERROR.
pub const PROTOCOL_ERROR: u32 = 0x1;
/// RST_STREAM code CANCEL.
pub const CANCEL: u32 = 0x8;

/// A parsed frame header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameHeader {
    /// Payload length.
    pub len: usize,
    /// Frame type.
    pub kind: u8,
    /// Flags.
    pub flags: u8,
    /// Stream identifier (reserved bit cleared).
    pub stream: u32,
}

impl FrameHeader {
    /// Parses the first 9 bytes of `buf` (which must hold them).
    pub fn parse(buf: &[u8]) -> FrameHeader {
        FrameHeader {
            len: (usize::from(buf[0]) << 16) | (usize::from(buf[1]) << 8) | usize::from(buf[2]),
            kind: buf[3],
            flags: buf[4],
            stream: u32::from_be_bytes([buf[5], buf[6], buf[7], buf[8]]) & 0x7fff_ffff,
        }
    }
}

/// Appends a frame header to `out`.
pub fn put_header(out: &mut Vec<u8>, len: usize, kind: u8, flags: u8, stream: u32) {
    let len = len as u32;
    out.extend_from_slice(&len.to_be_bytes()[1..]);
    out.push(kind);
    out.push(flags);
    out.extend_from_slice(&stream.to_be_bytes());
}

/// Appends a SETTINGS frame carrying `settings`.
pub fn put_settings(out: &mut Vec<u8>, settings: &[(u16, u32)]) {
    put_header(out, settings.len() * 6, SETTINGS, 0, 0);
    for (id, value) in settings {
        out.extend_from_slice(&id.to_be_bytes());
        out.extend_from_slice(&value.to_be_bytes());
    }
}

/// Appends a WINDOW_UPDATE frame.
pub fn put_window_update(out: &mut Vec<u8>, stream: u32, increment: u32) {
    put_header(out, 4, WINDOW_UPDATE, 0, stream);
    out.extend_from_slice(&increment.to_be_bytes());
}

/// Appends a RST_STREAM frame.
pub fn put_rst_stream(out: &mut Vec<u8>, stream: u32, code: u32) {
    put_header(out, 4, RST_STREAM, 0, stream);
    out.extend_from_slice(&code.to_be_bytes());
}

/// A request encoded once: its HPACK header block and its body.
#[derive(Debug, Clone)]
pub struct PreparedRequest {
    /// The header block (fits one HEADERS frame: see [`prepare`]).
    pub block: Vec<u8>,
    /// The body, sent in DATA frames (empty: HEADERS ends the stream).
    pub body: Bytes,
}

/// Why a request could not be prepared for HTTP/2.
#[derive(Debug, thiserror::Error)]
#[error("request {method} {path} is not valid for HTTP/2: {reason}")]
pub struct PrepareError {
    method: String,
    path: String,
    reason: String,
}

/// Headers RFC 9113 8.2.2 forbids in HTTP/2 (`te` is allowed only as
/// `trailers`, kept as written); `host` becomes `:authority`.
const CONNECTION_SPECIFIC: [&str; 5] = [
    "connection",
    "keep-alive",
    "proxy-connection",
    "transfer-encoding",
    "upgrade",
];

/// Encodes `spec` for `target`: `:method`, `:scheme`, `:authority` (the
/// spec's Host header when it has one, else host:port), `:path`, the spec's
/// other headers with lower-case names, and `content-length` when there is a
/// body (or the method usually has one), as HTTP/1.1 does.
pub fn prepare(target: &Target, spec: &RequestSpec) -> Result<PreparedRequest, PrepareError> {
    let fail = |reason: String| PrepareError {
        method: spec.method.clone(),
        path: spec.path.clone(),
        reason,
    };
    let token = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_graphic() && b != b':');
    let clean = |s: &str| !s.bytes().any(|b| b == b'\r' || b == b'\n' || b == 0);
    if !token(&spec.method) {
        return Err(fail("the method is not a token".into()));
    }
    if !spec.path.starts_with('/') || !clean(&spec.path) || spec.path.contains(' ') {
        return Err(fail(
            "the path must start with / and hold no space or CR/LF".into(),
        ));
    }
    let mut authority = if target.port == 80 {
        target.host.clone()
    } else {
        format!("{}:{}", target.host, target.port)
    };
    let mut rest = Vec::new();
    for (name, value) in &spec.headers {
        let lower = name.to_ascii_lowercase();
        if !token(&lower) || !clean(value) {
            return Err(fail(format!(
                "header {name:?} has an invalid name or value"
            )));
        }
        if lower == "host" {
            authority = value.clone();
        } else if !CONNECTION_SPECIFIC.contains(&lower.as_str()) {
            rest.push((lower, value.as_str()));
        }
    }
    let mut block = Vec::with_capacity(64 + spec.path.len());
    match spec.method.as_str() {
        "GET" => block.push(0x82),
        "POST" => block.push(0x83),
        other => literal_indexed_name(&mut block, 2, other.as_bytes()),
    }
    block.push(0x86); // :scheme http
    literal_indexed_name(&mut block, 1, authority.as_bytes());
    literal_indexed_name(&mut block, 4, spec.path.as_bytes());
    for (name, value) in &rest {
        literal_new_name(&mut block, name.as_bytes(), value.as_bytes());
    }
    let has_length = rest.iter().any(|(n, _)| n == "content-length");
    if !has_length
        && (!spec.body.is_empty() || matches!(spec.method.as_str(), "POST" | "PUT" | "PATCH"))
    {
        // Static entry 28 is content-length.
        literal_indexed_name(&mut block, 28, spec.body.len().to_string().as_bytes());
    }
    if block.len() > MAX_FRAME {
        return Err(fail(format!(
            "its headers take {} bytes, over one HTTP/2 frame ({MAX_FRAME})",
            block.len()
        )));
    }
    Ok(PreparedRequest {
        block,
        body: spec.body.clone(),
    })
}

/// HPACK integer with an `n`-bit prefix whose high bits are `first`.
fn integer(out: &mut Vec<u8>, first: u8, n: u32, mut value: usize) {
    let max = (1usize << n) - 1;
    if value < max {
        out.push(first | value as u8);
        return;
    }
    out.push(first | max as u8);
    value -= max;
    while value >= 128 {
        out.push((value % 128) as u8 | 0x80);
        value /= 128;
    }
    out.push(value as u8);
}

fn string(out: &mut Vec<u8>, s: &[u8]) {
    integer(out, 0x00, 7, s.len());
    out.extend_from_slice(s);
}

/// Literal without indexing, name from static entry `index` (RFC 7541 6.2.2).
fn literal_indexed_name(out: &mut Vec<u8>, index: usize, value: &[u8]) {
    integer(out, 0x00, 4, index);
    string(out, value);
}

/// Literal without indexing, new name.
fn literal_new_name(out: &mut Vec<u8>, name: &[u8], value: &[u8]) {
    out.push(0x00);
    string(out, name);
    string(out, value);
}

/// SETTINGS_HEADER_TABLE_SIZE this client advertises: no dynamic table.
pub const HEADER_TABLE_SIZE: u32 = 0;

/// Why a response header block could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockError {
    /// Truncated, an invalid integer or string, or an index past the static
    /// table (the server used a dynamic table this client said it has none of).
    Malformed,
}

/// Static table indices 8..=14 are `:status` with these values.
const STATIC_STATUS: [u16; 7] = [200, 204, 206, 304, 400, 404, 500];
/// Entries in the HPACK static table.
const STATIC_ENTRIES: usize = 61;

/// The `:status` of a response header block (`None`: it has none), read
/// without a dynamic table (see the module doc).
pub fn response_status(block: &[u8]) -> Result<Option<u16>, BlockError> {
    let mut i = 0;
    let mut status = None;
    while i < block.len() {
        let b = block[i];
        if b & 0x80 != 0 {
            let index = read_int(block, &mut i, 7)?;
            match index {
                8..=14 => status = Some(STATIC_STATUS[index - 8]),
                1..=STATIC_ENTRIES => {}
                _ => return Err(BlockError::Malformed),
            }
            continue;
        }
        if b & 0xe0 == 0x20 {
            // Dynamic table size update.
            read_int(block, &mut i, 5)?;
            continue;
        }
        let prefix = if b & 0xc0 == 0x40 { 6 } else { 4 };
        let index = read_int(block, &mut i, prefix)?;
        let is_status = match index {
            0 => {
                let (huffman, name) = read_string(block, &mut i)?;
                decode(huffman, name)?.as_slice() == b":status"
            }
            8..=14 => true,
            1..=STATIC_ENTRIES => false,
            _ => return Err(BlockError::Malformed),
        };
        let (huffman, value) = read_string(block, &mut i)?;
        if is_status {
            let text = decode(huffman, value)?;
            let code = std::str::from_utf8(&text)
                .ok()
                .and_then(|t| t.parse::<u16>().ok())
                .filter(|c| (100..600).contains(c))
                .ok_or(BlockError::Malformed)?;
            status = Some(code);
        }
    }
    Ok(status)
}

/// An HPACK integer with an `n`-bit prefix at `block[*i]`.
fn read_int(block: &[u8], i: &mut usize, n: u32) -> Result<usize, BlockError> {
    let max = (1usize << n) - 1;
    let first = usize::from(*block.get(*i).ok_or(BlockError::Malformed)?) & max;
    *i += 1;
    if first < max {
        return Ok(first);
    }
    let mut value = max;
    let mut shift = 0;
    loop {
        let b = *block.get(*i).ok_or(BlockError::Malformed)?;
        *i += 1;
        if shift > 28 {
            return Err(BlockError::Malformed);
        }
        value += usize::from(b & 0x7f) << shift;
        shift += 7;
        if b & 0x80 == 0 {
            return Ok(value);
        }
    }
}

/// A string literal at `block[*i]`: (Huffman-coded?, its bytes).
fn read_string<'a>(block: &'a [u8], i: &mut usize) -> Result<(bool, &'a [u8]), BlockError> {
    let huffman = block.get(*i).ok_or(BlockError::Malformed)? & 0x80 != 0;
    let len = read_int(block, i, 7)?;
    let bytes = block.get(*i..*i + len).ok_or(BlockError::Malformed)?;
    *i += len;
    Ok((huffman, bytes))
}

fn decode(huffman: bool, bytes: &[u8]) -> Result<Vec<u8>, BlockError> {
    if !huffman {
        return Ok(bytes.to_vec());
    }
    // Only short strings are ever decoded (a name that might be `:status`,
    // a status code); anything longer is not one.
    if bytes.len() > 8 {
        return Ok(Vec::new());
    }
    loona_hpack::huffman::HuffmanDecoder::new()
        .decode(bytes)
        .map_err(|_| BlockError::Malformed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(method: &str, headers: &[(&str, &str)], body: &'static [u8]) -> RequestSpec {
        RequestSpec {
            method: method.into(),
            path: "/echo?x=1".into(),
            headers: headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
            body: Bytes::from_static(body),
            weight: 1,
            expect_status: None,
            expect_body: None,
        }
    }

    fn target() -> Target {
        Target {
            host: "127.0.0.1".into(),
            port: 8080,
        }
    }

    #[test]
    fn the_block_decodes_to_the_request_as_written() {
        let s = spec(
            "POST",
            &[("X-Token", "abc"), ("Connection", "close")],
            b"hello",
        );
        let p = prepare(&target(), &s).unwrap();
        let mut d = loona_hpack::Decoder::new();
        let got: Vec<(String, String)> = d
            .decode(&p.block)
            .unwrap()
            .into_iter()
            .map(|(n, v)| (String::from_utf8(n).unwrap(), String::from_utf8(v).unwrap()))
            .collect();
        let want = [
            (":method", "POST"),
            (":scheme", "http"),
            (":authority", "127.0.0.1:8080"),
            (":path", "/echo?x=1"),
            ("x-token", "abc"),
            ("content-length", "5"),
        ];
        let want: Vec<(String, String)> = want
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn long_values_use_multi_byte_lengths_and_other_methods_a_literal() {
        let long = "v".repeat(300);
        let s = spec("DELETE", &[("x-long", &long)], b"");
        let p = prepare(&target(), &s).unwrap();
        let got = loona_hpack::Decoder::new().decode(&p.block).unwrap();
        assert_eq!(got[0], (b":method".to_vec(), b"DELETE".to_vec()));
        assert_eq!(got[4], (b"x-long".to_vec(), long.into_bytes()));
        assert_eq!(got.len(), 5, "no content-length for a DELETE without body");
    }

    #[test]
    fn a_header_with_a_newline_is_refused() {
        let s = spec("GET", &[("x-bad", "a\r\nb")], b"");
        assert!(prepare(&target(), &s).is_err());
    }

    #[test]
    fn the_status_is_read_from_static_raw_and_huffman_forms() {
        assert_eq!(response_status(&[0x88]), Ok(Some(200)));
        assert_eq!(response_status(&[0x8d]), Ok(Some(404)));
        // Literal with indexing, name :status (8), raw value "201".
        assert_eq!(
            response_status(&[0x48, 0x03, b'2', b'0', b'1']),
            Ok(Some(201))
        );
        // RFC 7541 C.6.1: :status 302 (Huffman), cache-control, date and
        // location, all Huffman-coded.
        let c61 = [
            0x48, 0x82, 0x64, 0x02, 0x58, 0x85, 0xae, 0xc3, 0x77, 0x1a, 0x4b, 0x61, 0x96, 0xd0,
            0x7a, 0xbe, 0x94, 0x10, 0x54, 0xd4, 0x44, 0xa8, 0x20, 0x05, 0x95, 0x04, 0x0b, 0x81,
            0x66, 0xe0, 0x82, 0xa6, 0x2d, 0x1b, 0xff, 0x6e, 0x91, 0x9d, 0x29, 0xad, 0x17, 0x18,
            0x63, 0xc7, 0x8f, 0x0b, 0x97, 0xc8, 0xe9, 0xae, 0x82, 0xae, 0x43, 0xd3,
        ];
        assert_eq!(response_status(&c61), Ok(Some(302)));
        // A new-name literal spelled :status.
        let mut raw = vec![0x00, 0x07];
        raw.extend_from_slice(b":status");
        raw.extend_from_slice(&[0x03, b'5', b'0', b'3']);
        assert_eq!(response_status(&raw), Ok(Some(503)));
        // A size update first, then content-type (31) raw.
        assert_eq!(
            response_status(&[0x20, 0x88, 0x5f, 0x01, b'x']),
            Ok(Some(200))
        );
    }

    #[test]
    fn dynamic_references_and_truncation_are_malformed() {
        assert_eq!(response_status(&[0xbe]), Err(BlockError::Malformed));
        assert_eq!(
            response_status(&[0x48, 0x05, b'2']),
            Err(BlockError::Malformed)
        );
        assert_eq!(
            response_status(&[0x48, 0x03, b'x', b'y', b'z']),
            Err(BlockError::Malformed)
        );
        assert_eq!(
            response_status(&[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
            Err(BlockError::Malformed)
        );
        assert_eq!(response_status(&[0x5f, 0x01, b'x']), Ok(None));
    }
}
