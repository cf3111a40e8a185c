//! Unit tests of the lean HTTP/1.1 response parser (`http1.rs`).

use super::*;

fn parse_all(bytes: &[u8], keep: bool) -> Result<Parsed, ReadError> {
    ResponseParser::new(keep, false).parse(bytes, false)
}

#[test]
fn content_length_bodies_are_framed() {
    let r = b"HTTP/1.1 200 OK\r\nContent-Length: 13\r\n\r\nHello, World!HTTP/1.1";
    let Parsed::Done(resp, used) = parse_all(r, true).unwrap() else {
        panic!("incomplete")
    };
    assert_eq!(resp.status, 200);
    assert_eq!(resp.body.as_deref(), Some(&b"Hello, World!"[..]));
    assert_eq!(used, r.len() - "HTTP/1.1".len());
}

#[test]
fn chunked_bodies_are_decoded_across_reads() {
    let r = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nHello\r\n8\r\n, World!\r\n0\r\n\r\n";
    let mut p = ResponseParser::new(true, false);
    for cut in [10, 50, 60, 70] {
        assert_eq!(p.parse(&r[..cut], false).unwrap(), Parsed::Partial, "{cut}");
    }
    let Parsed::Done(resp, used) = p.parse(r, false).unwrap() else {
        panic!("incomplete")
    };
    assert_eq!(resp.body.as_deref(), Some(&b"Hello, World!"[..]));
    assert_eq!(used, r.len());
}

#[test]
fn garbage_is_malformed_and_a_cut_response_is_a_reset() {
    assert_eq!(
        parse_all(b"SSH-2.0-OpenSSH\r\n\r\n", false),
        Err(ReadError::Malformed)
    );
    let cut = b"HTTP/1.1 200 OK\r\nContent-Length: 13\r\n\r\nHello";
    assert_eq!(
        ResponseParser::new(false, false).parse(cut, true),
        Err(ReadError::Reset)
    );
}

#[test]
fn connection_close_marks_the_connection_unusable() {
    let r = b"HTTP/1.1 503 Busy\r\nConnection: close\r\nContent-Length: 0\r\n\r\n";
    let Parsed::Done(resp, _) = parse_all(r, false).unwrap() else {
        panic!("incomplete")
    };
    assert!(resp.close);
    assert_eq!(resp.status, 503);
}

/// Feeds `head` then `body_piece` `times` times in reads of that size,
/// dropping what the parser consumed as a connection does; returns the
/// most bytes held at once and the last result.
fn stream(head: &[u8], body_piece: &[u8], times: usize) -> (usize, Result<Parsed, ReadError>) {
    let mut p = ResponseParser::new(false, false);
    let mut buf = head.to_vec();
    let mut most = 0;
    let mut last = p.parse(&buf, false);
    for _ in 0..times {
        buf.extend_from_slice(body_piece);
        last = p.parse(&buf, false);
        if last != Ok(Parsed::Partial) {
            break;
        }
        buf.drain(..p.take_consumed());
        most = most.max(buf.len());
    }
    (most, last)
}

#[test]
fn endless_bodies_are_not_buffered() {
    // 64 MiB of each in 8 KiB reads: the parser keeps waiting, and the
    // connection holds no more than one read.
    let piece = [b'x'; 8192];
    let (most, last) = stream(
        b"HTTP/1.1 200 OK\r\nContent-Length: 99999999999\r\n\r\n",
        &piece,
        8192,
    );
    assert_eq!((most, last), (0, Ok(Parsed::Partial)));
    let (most, last) = stream(b"HTTP/1.1 200 OK\r\n\r\n", &piece, 8192);
    assert_eq!((most, last), (0, Ok(Parsed::Partial)));
    let mut chunk = b"2000\r\n".to_vec();
    chunk.extend_from_slice(&piece);
    chunk.extend_from_slice(b"\r\n");
    let (most, last) = stream(
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
        &chunk,
        8192,
    );
    assert_eq!(last, Ok(Parsed::Partial));
    assert!(most <= chunk.len(), "{most} bytes held");
}

#[test]
fn endless_chunk_lines_are_malformed_and_endless_trailers_too_large() {
    let head = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    // A chunk extension that never ends.
    let (_, last) = stream(&[&head[..], b"5;ext="].concat(), &[b'a'; 1024], 1024);
    assert_eq!(last, Err(ReadError::Malformed));
    // Trailers (a header section) that never end.
    let (_, last) = stream(&[&head[..], b"0\r\nX-T: "].concat(), &[b'a'; 1024], 1024);
    assert_eq!(last, Err(ReadError::HeaderTooLarge));
}

#[test]
fn content_length_is_digits_only_and_unambiguous() {
    for head in [
        "Content-Length: +5",
        "Content-Length: 5, 5",
        "Content-Length: 0x5",
        "Content-Length: 5\r\nContent-Length: 6",
    ] {
        let r = format!("HTTP/1.1 200 OK\r\n{head}\r\n\r\nHello");
        assert_eq!(
            parse_all(r.as_bytes(), false),
            Err(ReadError::Malformed),
            "{head}"
        );
    }
    let r = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nHello";
    let Parsed::Done(resp, used) = parse_all(r, true).unwrap() else {
        panic!("incomplete")
    };
    assert_eq!((resp.body.as_deref(), used), (Some(&b"Hello"[..]), r.len()));
}

#[test]
fn a_coding_other_than_chunked_runs_until_close() {
    let r = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nContent-Length: 2\r\n\r\nabcdef";
    let mut p = ResponseParser::new(true, false);
    assert_eq!(p.parse(r, false), Ok(Parsed::Partial));
    let Parsed::Done(resp, used) = p.parse(r, true).unwrap() else {
        panic!("incomplete")
    };
    assert_eq!(
        (resp.body.as_deref(), resp.close, used),
        (Some(&b"abcdef"[..]), true, r.len())
    );
}

/// Parses the responses back to back in `wire`, as a connection does, with
/// or without a head cache; returns (status, body, close, bytes used) of each.
fn parse_stream(wire: &[u8], head_request: bool, cached: bool) -> Vec<(u16, Vec<u8>, bool, usize)> {
    let mut cache = HeadCache::default();
    let mut rest = wire;
    let mut out = Vec::new();
    while !rest.is_empty() {
        let mut p = ResponseParser::new(true, head_request).following(!out.is_empty());
        let parsed = if cached {
            p.parse_cached(rest, true, &mut cache)
        } else {
            p.parse(rest, true)
        };
        let Ok(Parsed::Done(resp, used)) = parsed else {
            panic!("{parsed:?} at {}", wire.len() - rest.len())
        };
        out.push((resp.status, resp.body.unwrap_or_default(), resp.close, used));
        rest = &rest[used..];
    }
    out
}

#[test]
fn a_repeated_head_is_read_as_the_parser_reads_it() {
    let same = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nHello";
    let wire = [
        same,
        same,
        // Same start, longer body: the cached head must not match it.
        "HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n01234567890123456789012345678901234567890123456789",
        same,
        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nHello",
        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nHello",
        same,
    ]
    .concat();
    let plain = parse_stream(wire.as_bytes(), false, false);
    assert_eq!(plain.len(), 7);
    assert_eq!(plain[2].1.len(), 50);
    assert!(plain[5].2 && !plain[6].2, "close read from the cached head");
    assert_eq!(parse_stream(wire.as_bytes(), false, true), plain);
    // HEAD: the same head frames no body, cached or not.
    let heads = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n".repeat(3);
    let plain = parse_stream(heads.as_bytes(), true, false);
    assert_eq!(plain.len(), 3);
    assert_eq!(parse_stream(heads.as_bytes(), true, true), plain);
}

#[test]
fn a_cached_head_still_waits_for_its_body() {
    let r = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nHello";
    let mut cache = HeadCache::default();
    let mut p = ResponseParser::new(true, false);
    assert!(matches!(
        p.parse_cached(r, false, &mut cache),
        Ok(Parsed::Done(..))
    ));
    // Second response: the head is a hit, the body is cut.
    let mut p = ResponseParser::new(true, false);
    assert_eq!(
        p.parse_cached(&r[..r.len() - 2], false, &mut cache),
        Ok(Parsed::Partial)
    );
    let Ok(Parsed::Done(resp, used)) = p.parse_cached(r, false, &mut cache) else {
        panic!("incomplete")
    };
    assert_eq!((resp.body.as_deref(), used), (Some(&b"Hello"[..]), r.len()));
}
