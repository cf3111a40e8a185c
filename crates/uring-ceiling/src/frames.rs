//! Response boundaries on one connection, without parsing beyond them.
//!
//! The first response's head is read whole: it must start with `HTTP/1.1 200`
//! and carry a `Content-Length`, and its head length plus that length is the
//! size of every response after it (the server under test, fast-plaintext,
//! answers identically). From then on responses are counted by bytes, and the
//! first 12 bytes of every response are checked against `HTTP/1.1 200`, so a
//! server whose answers change size (or a miscount) fails loudly instead of
//! being counted wrong.

use anyhow::{bail, Context};

/// What every counted response must start with.
const STATUS: &[u8] = b"HTTP/1.1 200";

/// The longest first head this client waits for before giving up.
const MAX_HEAD: usize = 8192;

/// Counts complete responses in the bytes read from one connection.
#[derive(Debug, Default)]
pub struct Frames {
    /// The size of one response (head and body), once the first head is read.
    len: Option<usize>,
    /// The bytes of the first response read so far, until its head is whole.
    first: Vec<u8>,
    /// How far into the current response the bytes read so far reach.
    pos: usize,
    /// Responses completed on this connection.
    done: u64,
}

impl Frames {
    /// Takes the next bytes read from the connection (any split) and returns
    /// how many responses they complete; fails on a response that does not
    /// start with `HTTP/1.1 200` or a first head without `Content-Length`.
    pub fn feed(&mut self, data: &[u8]) -> anyhow::Result<u64> {
        match self.len {
            Some(len) => self.count(len, data),
            None => {
                self.first.extend_from_slice(data);
                let Some(end) = self.first.windows(4).position(|w| w == b"\r\n\r\n") else {
                    if self.first.len() > MAX_HEAD {
                        bail!("no end of the first response head in {MAX_HEAD} bytes");
                    }
                    return Ok(0);
                };
                let head_len = end + 4;
                let head = std::str::from_utf8(&self.first[..head_len])
                    .context("the first response head is not UTF-8")?;
                let body = content_length(head)?;
                let len = head_len + body;
                self.len = Some(len);
                let first = std::mem::take(&mut self.first);
                self.count(len, &first)
            }
        }
    }

    /// The size of one response, once the first head was read.
    #[cfg(test)]
    pub fn response_len(&self) -> Option<usize> {
        self.len
    }

    fn count(&mut self, len: usize, data: &[u8]) -> anyhow::Result<u64> {
        let mut done = 0;
        let mut i = 0;
        while i < data.len() {
            if self.pos < STATUS.len() {
                let n = (STATUS.len() - self.pos).min(data.len() - i);
                if data[i..i + n] != STATUS[self.pos..self.pos + n] {
                    let at = i.saturating_sub(self.pos);
                    bail!(
                        "response {} does not start with {:?} (a miscount or another answer): {:?}",
                        self.done + done + 1,
                        String::from_utf8_lossy(STATUS),
                        String::from_utf8_lossy(&data[at..data.len().min(at + 40)])
                    );
                }
            }
            let step = (len - self.pos).min(data.len() - i);
            i += step;
            self.pos += step;
            if self.pos == len {
                self.pos = 0;
                done += 1;
            }
        }
        self.done += done;
        Ok(done)
    }
}

/// The `Content-Length` of a response head (status line and headers).
fn content_length(head: &str) -> anyhow::Result<usize> {
    if !head.as_bytes().starts_with(STATUS) {
        bail!(
            "the first response does not start with {:?}: {:?}",
            String::from_utf8_lossy(STATUS),
            head.lines().next().unwrap_or("")
        );
    }
    for line in head.split("\r\n").skip(1) {
        if let Some((name, value)) = line.split_once(':') {
            if name.trim().eq_ignore_ascii_case("content-length") {
                return value
                    .trim()
                    .parse()
                    .with_context(|| format!("Content-Length {:?} is not a number", value.trim()));
            }
        }
    }
    bail!("the first response has no Content-Length (this client counts responses by it)")
}

#[cfg(test)]
mod tests {
    use super::*;

    const OK: &[u8] =
        b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nHello, World!";

    fn many(n: usize) -> Vec<u8> {
        OK.repeat(n)
    }

    #[test]
    fn one_read_per_response() {
        let mut f = Frames::default();
        for _ in 0..5 {
            assert_eq!(f.feed(OK).unwrap(), 1);
        }
        assert_eq!(f.response_len(), Some(OK.len()));
    }

    #[test]
    fn several_responses_in_one_read() {
        let mut f = Frames::default();
        assert_eq!(f.feed(&many(16)).unwrap(), 16);
        assert_eq!(f.feed(&many(3)).unwrap(), 3);
    }

    #[test]
    fn every_split_of_three_responses_counts_three() {
        let data = many(3);
        for a in 0..=data.len() {
            for b in a..=data.len() {
                let mut f = Frames::default();
                let n = f.feed(&data[..a]).unwrap()
                    + f.feed(&data[a..b]).unwrap()
                    + f.feed(&data[b..]).unwrap();
                assert_eq!(n, 3, "split at {a} and {b}");
            }
        }
    }

    #[test]
    fn byte_by_byte_counts_at_the_last_byte_only() {
        let data = many(2);
        let mut f = Frames::default();
        let counts: Vec<u64> = data.iter().map(|b| f.feed(&[*b]).unwrap()).collect();
        let ends: Vec<usize> = counts
            .iter()
            .enumerate()
            .filter(|(_, n)| **n == 1)
            .map(|(i, _)| i)
            .collect();
        assert_eq!(ends, vec![OK.len() - 1, 2 * OK.len() - 1]);
    }

    #[test]
    fn a_response_of_another_size_fails_loudly() {
        let mut f = Frames::default();
        f.feed(OK).unwrap();
        let longer = b"HTTP/1.1 200 OK\r\nContent-Length: 14\r\n\r\nHello, World!!";
        let mut data = longer.to_vec();
        data.extend_from_slice(OK);
        let err = f.feed(&data).unwrap_err().to_string();
        assert!(err.contains("does not start with"), "{err}");
    }

    #[test]
    fn another_status_fails_loudly_even_split() {
        let mut f = Frames::default();
        f.feed(OK).unwrap();
        let bad = OK.to_vec();
        let bad = [b"HTTP/1.1 50".as_slice(), &bad[11..]].concat();
        assert_eq!(f.feed(&bad[..5]).unwrap(), 0);
        assert!(f.feed(&bad[5..]).is_err());
    }

    #[test]
    fn the_first_head_must_be_200_with_a_length() {
        let mut f = Frames::default();
        assert!(f
            .feed(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
            .is_err());
        let mut f = Frames::default();
        let err = f
            .feed(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
            .unwrap_err();
        assert!(err.to_string().contains("no Content-Length"), "{err}");
        let mut f = Frames::default();
        assert!(f.feed(&vec![b'x'; MAX_HEAD + 1]).is_err());
    }

    #[test]
    fn a_head_split_across_reads_is_waited_for() {
        let mut f = Frames::default();
        assert_eq!(f.feed(&OK[..20]).unwrap(), 0);
        assert_eq!(f.response_len(), None);
        assert_eq!(f.feed(&OK[20..70]).unwrap(), 0);
        assert_eq!(f.feed(&OK[70..]).unwrap(), 1);
        assert_eq!(f.response_len(), Some(OK.len()));
    }
}
