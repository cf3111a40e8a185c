//! Recording: HdrHistograms per worker (merged at the end), per-second
//! interval histograms for timelines, and the coordinated-omission bookkeeping
//! that charges latency from the intended send time.
//!
//! A [`Recorder`] belongs to one worker thread and is never shared; the engine
//! merges the workers' recorders when the run ends. Nothing here keeps a value
//! per request: memory depends on the range of values, not on the run's length.

pub mod compact;
pub mod hlog;

use std::collections::BTreeMap;
use std::time::Duration;

use base64::Engine as _;
use hdrhistogram::serialization::{Serializer, V2DeflateSerializer};
use hdrhistogram::Histogram;

pub use compact::CompactHistogram;

use crate::results::{IntervalStats, LatencyStats};

/// Smallest trackable value in µs.
const LOWEST_US: u64 = 1;
/// Largest trackable value in µs: 2 hours, beyond the required hour.
pub const HIGHEST_US: u64 = 2 * 3600 * 1_000_000;
/// Significant decimal digits kept.
const SIGFIG: u8 = 3;

/// A new, empty latency histogram (µs, 1 µs .. 2 h, 3 significant digits).
pub fn new_histogram() -> Histogram<u64> {
    // The bounds are constants that satisfy the crate's preconditions.
    Histogram::new_with_bounds(LOWEST_US, HIGHEST_US, SIGFIG).expect("valid histogram bounds")
}

/// A new interval histogram: same precision, but it grows only as far as the
/// values recorded into it, so a per-second timeline of a long run stays small.
pub fn new_interval_histogram() -> Histogram<u64> {
    let mut h = Histogram::new_with_bounds(LOWEST_US, 2, SIGFIG).expect("valid histogram bounds");
    h.auto(true);
    h
}

/// Records `value_us` clamped into the trackable range.
pub fn record_clamped(h: &mut Histogram<u64>, value_us: u64) {
    // Clamping keeps `record` infallible: the value is within the histogram's bounds.
    let v = value_us.clamp(LOWEST_US, HIGHEST_US);
    let _ = h.record(v);
}

/// Microseconds in a duration, saturating.
pub fn micros(d: Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX)
}

/// Why a request did not count as a success.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ErrorKind {
    /// The TCP connection could not be opened.
    Connect,
    /// The connection was reset or closed before the response was complete.
    Reset,
    /// No complete response within the timeout.
    Timeout,
    /// The bytes received were not a valid HTTP response (a bad header,
    /// chunk size or Content-Length, or not HTTP at all).
    Malformed,
    /// The response began with `HTTP/` but its status line was invalid
    /// (e.g. `HTTP/1.1 2OO OK`).
    BadStatusLine,
    /// The response head was over 64 KiB or had over 64 headers; the
    /// generator stopped reading it rather than buffer it.
    HeaderTooLarge,
    /// Bytes arrived past the end of a complete response (a body longer
    /// than its Content-Length, or a 204/304 with a body): they cannot be
    /// the next response.
    BodyOverflow,
    /// The server answered with TLS records: an `https` server was given
    /// an `http://` URL.
    TlsOnPlainPort,
    /// A complete response with an unexpected status.
    Status,
    /// A complete response whose body differed from the expected one.
    BodyMismatch,
}

impl ErrorKind {
    /// The name used in summaries and the JSON (`connect`, `reset`, ...).
    pub fn name(self) -> &'static str {
        match self {
            ErrorKind::Connect => "connect",
            ErrorKind::Reset => "reset",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Malformed => "malformed",
            ErrorKind::BadStatusLine => "bad_status_line",
            ErrorKind::HeaderTooLarge => "header_too_large",
            ErrorKind::BodyOverflow => "body_overflow",
            ErrorKind::TlsOnPlainPort => "tls_on_plain_port",
            ErrorKind::Status => "status",
            ErrorKind::BodyMismatch => "body_mismatch",
        }
    }
}

/// One finished interval of one worker, sent to the engine as it closes.
#[derive(Debug, Clone)]
pub struct IntervalPart {
    /// Interval number (second `index` of the measured phase).
    pub index: usize,
    /// Latency of the responses completed in it.
    pub latency: Histogram<u64>,
    /// Responses completed in it.
    pub requests: u64,
    /// Errors in it.
    pub errors: u64,
}

/// The per-second histogram of a run, merged over workers, for `.hlog` files
/// and timelines. Its histogram is kept compressed ([`CompactHistogram`]): a
/// run keeps one per second, so their size is what a long run's memory grows
/// by.
#[derive(Debug, Clone)]
pub struct IntervalHistogram {
    /// Start of the interval, measured from the start of the measured phase.
    pub start: Duration,
    /// Length of the interval (1 s, the last one possibly shorter).
    pub length: Duration,
    /// Latency of the responses completed in the interval (µs).
    pub latency: CompactHistogram,
    /// Responses completed in the interval.
    pub requests: u64,
    /// Errors in the interval.
    pub errors: u64,
}

impl IntervalHistogram {
    /// The summary line of this interval for the JSON timeline.
    pub fn stats(&self) -> IntervalStats {
        IntervalStats {
            start_s: self.start.as_secs_f64(),
            length_s: self.length.as_secs_f64(),
            requests: self.requests,
            errors: self.errors,
            p50_us: self.latency.p50(),
            p99_us: self.latency.p99(),
            max_us: self.latency.max(),
        }
    }
}

/// Everything one worker measured during the measured phase.
#[derive(Debug, Clone)]
pub struct Recorder {
    /// Latency from the intended send time (open model) or the send (closed).
    pub latency: Histogram<u64>,
    /// Latency from the actual send.
    pub service: Histogram<u64>,
    /// Delay of the actual send past the intended time that was not caused by
    /// every connection being busy (open model only).
    pub lag: Histogram<u64>,
    /// Complete responses (any status).
    pub requests: u64,
    /// Responses judged successful.
    pub successes: u64,
    /// Errors by kind.
    pub errors: BTreeMap<ErrorKind, u64>,
    /// Responses by status code.
    pub status_codes: BTreeMap<u16, u64>,
    current: IntervalPart,
}

impl Default for Recorder {
    fn default() -> Self {
        Self::new()
    }
}

impl Recorder {
    /// An empty recorder whose first interval is second 0.
    pub fn new() -> Self {
        Recorder {
            latency: new_histogram(),
            service: new_histogram(),
            lag: new_histogram(),
            requests: 0,
            successes: 0,
            errors: BTreeMap::new(),
            status_codes: BTreeMap::new(),
            current: IntervalPart {
                index: 0,
                latency: new_interval_histogram(),
                requests: 0,
                errors: 0,
            },
        }
    }

    /// The interval currently being filled.
    pub fn current_interval(&self) -> usize {
        self.current.index
    }

    /// Closes every interval before `index`, handing each (possibly empty) to
    /// `sink` in order, so every worker reports every second exactly once.
    pub fn roll_to(&mut self, index: usize, sink: &mut dyn FnMut(IntervalPart)) {
        while self.current.index < index {
            let next = IntervalPart {
                index: self.current.index + 1,
                latency: new_interval_histogram(),
                requests: 0,
                errors: 0,
            };
            sink(std::mem::replace(&mut self.current, next));
        }
    }

    /// Records one complete response. `interval` is the second of the measured
    /// phase it completed in (the caller rolls intervals first).
    pub fn record_response(
        &mut self,
        status: u16,
        latency_us: u64,
        service_us: u64,
        outcome: Result<(), ErrorKind>,
    ) {
        record_clamped(&mut self.latency, latency_us);
        record_clamped(&mut self.service, service_us);
        record_clamped(&mut self.current.latency, latency_us);
        self.requests += 1;
        self.current.requests += 1;
        *self.status_codes.entry(status).or_default() += 1;
        match outcome {
            Ok(()) => self.successes += 1,
            Err(kind) => self.record_error_only(kind),
        }
    }

    /// Records `n` responses with the same status, latencies and outcome
    /// (the answers of one pipelined read): what `n` calls of
    /// [`Recorder::record_response`] record, with one update per histogram.
    pub fn record_responses(
        &mut self,
        status: u16,
        latency_us: u64,
        service_us: u64,
        outcome: Result<(), ErrorKind>,
        n: u64,
    ) {
        let clamp = |v: u64| v.clamp(LOWEST_US, HIGHEST_US);
        let _ = self.latency.record_n(clamp(latency_us), n);
        let _ = self.service.record_n(clamp(service_us), n);
        let _ = self.current.latency.record_n(clamp(latency_us), n);
        self.requests += n;
        self.current.requests += n;
        *self.status_codes.entry(status).or_default() += n;
        match outcome {
            Ok(()) => self.successes += n,
            Err(kind) => {
                *self.errors.entry(kind).or_default() += n;
                self.current.errors += n;
            }
        }
    }

    /// Records a request that failed without a complete response.
    pub fn record_error(&mut self, kind: ErrorKind) {
        self.record_error_only(kind);
    }

    fn record_error_only(&mut self, kind: ErrorKind) {
        *self.errors.entry(kind).or_default() += 1;
        self.current.errors += 1;
    }

    /// Records the schedule lag of one send (open model).
    pub fn record_lag(&mut self, lag_us: u64) {
        // A lag of 0 is common; the histogram's floor is 1 µs.
        record_clamped(&mut self.lag, lag_us.max(1));
    }

    /// Adds another worker's whole-run figures to this one (intervals are
    /// merged separately, as they arrive).
    pub fn merge(&mut self, other: &Recorder) {
        // Same bounds on both sides, so adding cannot fail.
        let _ = self.latency.add(&other.latency);
        let _ = self.service.add(&other.service);
        let _ = self.lag.add(&other.lag);
        self.requests += other.requests;
        self.successes += other.successes;
        for (k, v) in &other.errors {
            *self.errors.entry(*k).or_default() += v;
        }
        for (k, v) in &other.status_codes {
            *self.status_codes.entry(*k).or_default() += v;
        }
    }

    /// Total errors of every kind.
    pub fn error_count(&self) -> u64 {
        self.errors.values().sum()
    }
}

/// Serializes a histogram as V2-deflate, base64 encoded (what
/// `LatencyStats::histogram` holds).
pub fn encode_histogram(h: &Histogram<u64>) -> String {
    let mut buf = Vec::new();
    match V2DeflateSerializer::new().serialize(h, &mut buf) {
        Ok(_) => base64::engine::general_purpose::STANDARD.encode(&buf),
        Err(_) => String::new(),
    }
}

/// Why a stored histogram could not be read back.
#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    /// The text is not base64.
    #[error("histogram is not valid base64: {0}")]
    Base64(#[from] base64::DecodeError),
    /// The bytes are not a serialized HdrHistogram.
    #[error("histogram bytes could not be decoded: {0:?}")]
    Histogram(hdrhistogram::serialization::DeserializeError),
    /// The header declares a payload beyond [`MAX_HISTOGRAM_PAYLOAD`].
    #[error("histogram declares {0} bytes of counts; at most {MAX_HISTOGRAM_PAYLOAD} are read")]
    TooLarge(usize),
    /// The counts add up to more than a u64 holds: no recorded histogram
    /// does, and its percentiles could not be computed.
    #[error("histogram counts add up to more than 2^64 values")]
    CountOverflow,
}

/// Reads back a histogram written by [`encode_histogram`] (surrounding
/// whitespace ignored): the one decoder of stored histograms, used by merge,
/// report and the tests. An empty or corrupt text is an error, never a panic,
/// and a header declaring more than [`MAX_HISTOGRAM_PAYLOAD`] is refused
/// before anything is allocated.
pub fn decode_histogram(text: &str) -> Result<Histogram<u64>, DecodeError> {
    let bytes = base64::engine::general_purpose::STANDARD.decode(text.trim())?;
    deserialize_histogram(&bytes)
}

/// The largest counts payload a stored histogram may declare. Gauntlet's own
/// take a few KiB; the `hdrhistogram` decoder allocates whatever a header
/// declares (up to 4 GiB) before it finds the bytes missing, so a 200-byte
/// string in a result file could take seconds and gigabytes (found by the
/// `histogram` fuzz target).
pub const MAX_HISTOGRAM_PAYLOAD: usize = 16 * 1024 * 1024;

/// Deserializes V2 or V2-deflate histogram bytes, refusing a header that
/// declares a payload larger than [`MAX_HISTOGRAM_PAYLOAD`].
pub fn deserialize_histogram(bytes: &[u8]) -> Result<Histogram<u64>, DecodeError> {
    if let Some(declared) = declared_payload(bytes).filter(|&n| n > MAX_HISTOGRAM_PAYLOAD) {
        return Err(DecodeError::TooLarge(declared));
    }
    let h: Histogram<u64> = hdrhistogram::serialization::Deserializer::new()
        .deserialize(&mut &bytes[..])
        .map_err(DecodeError::Histogram)?;
    // The total saturates at u64::MAX while the counts' sum overflows, which
    // `value_at_quantile` then computes unchecked (a panic in a debug build,
    // a wrong percentile in release; found by the `histogram` fuzz target).
    if h.len() == u64::MAX {
        return Err(DecodeError::CountOverflow);
    }
    Ok(h)
}

/// The counts-payload length a V2 (cookie 0x1c849313) or V2-deflate
/// (0x1c849314, the V2 bytes zlib-compressed) header declares.
fn declared_payload(bytes: &[u8]) -> Option<usize> {
    use std::io::Read as _;
    let word = |b: &[u8], at: usize| {
        b.get(at..at + 4)
            .map(|w| u32::from_be_bytes([w[0], w[1], w[2], w[3]]) as usize)
    };
    match word(bytes, 0)? {
        0x1c84_9313 => word(bytes, 4),
        0x1c84_9314 => {
            let mut inner = [0u8; 8];
            flate2::read::ZlibDecoder::new(bytes.get(8..)?)
                .read_exact(&mut inner)
                .ok()?;
            word(&inner, 4).filter(|_| word(&inner, 0) == Some(0x1c84_9313))
        }
        _ => None,
    }
}

/// The summary statistics of a histogram, with the histogram itself encoded.
pub fn latency_stats(h: &Histogram<u64>) -> LatencyStats {
    let empty = h.is_empty();
    let q = |q: f64| if empty { 0 } else { h.value_at_quantile(q) };
    LatencyStats {
        count: h.len(),
        min_us: if empty { 0 } else { h.min() },
        mean_us: if empty { 0.0 } else { h.mean() },
        stdev_us: if empty { 0.0 } else { h.stdev() },
        p50_us: q(0.5),
        p75_us: q(0.75),
        p90_us: q(0.9),
        p99_us: q(0.99),
        p99_9_us: q(0.999),
        p99_99_us: q(0.9999),
        max_us: if empty { 0 } else { h.max() },
        histogram: encode_histogram(h),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_histogram_whose_counts_overflow_is_refused() {
        let mut h = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).unwrap();
        for v in [10, 20, 30] {
            h.record_n(v, i64::MAX as u64).unwrap();
        }
        assert_eq!(h.len(), u64::MAX, "the total saturates");
        let text = encode_histogram(&h);
        assert!(matches!(
            decode_histogram(&text),
            Err(DecodeError::CountOverflow)
        ));
        // One such count short of it still reads.
        let mut fine = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).unwrap();
        fine.record_n(10, i64::MAX as u64).unwrap();
        let back = decode_histogram(&encode_histogram(&fine)).unwrap();
        assert_eq!(back.value_at_quantile(0.99), fine.value_at_quantile(0.99));
    }

    #[test]
    fn a_batch_of_responses_records_as_that_many_single_ones() {
        let mut one_by_one = Recorder::new();
        let mut batched = Recorder::new();
        for (status, lat, svc, outcome, n) in [
            (200, 1_500, 900, Ok(()), 16),
            (503, 0, 0, Err(ErrorKind::Status), 3),
            (200, u64::MAX, 7, Ok(()), 2),
        ] {
            for _ in 0..n {
                one_by_one.record_response(status, lat, svc, outcome);
            }
            batched.record_responses(status, lat, svc, outcome, n);
        }
        assert_eq!(batched.requests, 21);
        assert_eq!(batched.requests, one_by_one.requests);
        assert_eq!(batched.successes, one_by_one.successes);
        assert_eq!(batched.errors, one_by_one.errors);
        assert_eq!(batched.status_codes, one_by_one.status_codes);
        assert_eq!(batched.latency, one_by_one.latency);
        assert_eq!(batched.service, one_by_one.service);
        assert_eq!(batched.current.latency, one_by_one.current.latency);
        assert_eq!(batched.current.errors, one_by_one.current.errors);
    }

    #[test]
    fn a_histogram_declaring_gigabytes_is_refused_without_allocating_them() {
        // A valid V2 header (5 digits, 1..=2^40, ratio 1.0) declaring a
        // 4 GiB payload, plain and zlib-compressed as results store it.
        let mut v2 = Vec::new();
        for word in [0x1c84_9313u32, 0xffff_fff0, 0, 5] {
            v2.extend_from_slice(&word.to_be_bytes());
        }
        v2.extend_from_slice(&1u64.to_be_bytes());
        v2.extend_from_slice(&(1u64 << 40).to_be_bytes());
        v2.extend_from_slice(&1.0f64.to_be_bytes());
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        std::io::Write::write_all(&mut z, &v2).unwrap();
        let compressed = z.finish().unwrap();
        let mut deflate = 0x1c84_9314u32.to_be_bytes().to_vec();
        deflate.extend_from_slice(&(compressed.len() as u32).to_be_bytes());
        deflate.extend_from_slice(&compressed);
        for bytes in [v2, deflate] {
            let started = std::time::Instant::now();
            let text = base64::engine::general_purpose::STANDARD.encode(&bytes);
            assert!(matches!(
                decode_histogram(&text),
                Err(DecodeError::TooLarge(0xffff_fff0))
            ));
            assert!(started.elapsed() < Duration::from_secs(2));
        }
        // Too short for a header: an error, not a panic.
        assert!(deserialize_histogram(&[]).is_err());
    }

    #[test]
    fn empty_or_corrupt_text_is_an_error() {
        assert!(decode_histogram("").is_err());
        assert!(matches!(
            decode_histogram("not base64 at all!"),
            Err(DecodeError::Base64(_))
        ));
        assert!(matches!(
            decode_histogram("aGVsbG8="),
            Err(DecodeError::Histogram(_))
        ));
    }

    #[test]
    fn encoded_histograms_round_trip() {
        let mut h = new_histogram();
        for v in [5, 100, 1_000, 250_000] {
            record_clamped(&mut h, v);
        }
        let back = decode_histogram(&encode_histogram(&h)).unwrap();
        assert_eq!(back.len(), 4);
        let padded = format!(" {}\n", encode_histogram(&h));
        assert_eq!(decode_histogram(&padded).unwrap().len(), 4);
        assert_eq!(back.value_at_quantile(1.0), h.max());
    }

    #[test]
    fn rolling_reports_every_interval_once() {
        let mut r = Recorder::new();
        r.record_response(200, 10, 10, Ok(()));
        let mut seen = Vec::new();
        r.roll_to(3, &mut |p| seen.push((p.index, p.requests)));
        assert_eq!(seen, vec![(0, 1), (1, 0), (2, 0)]);
        assert_eq!(r.current_interval(), 3);
    }

    #[test]
    fn merging_adds_counts_and_errors() {
        let mut a = Recorder::new();
        let mut b = Recorder::new();
        a.record_response(200, 10, 10, Ok(()));
        b.record_response(500, 20, 20, Err(ErrorKind::Status));
        b.record_error(ErrorKind::Reset);
        a.merge(&b);
        assert_eq!(a.requests, 2);
        assert_eq!(a.successes, 1);
        assert_eq!(a.error_count(), 2);
        assert_eq!(a.latency.len(), 2);
        assert_eq!(a.status_codes.get(&500), Some(&1));
    }
}
