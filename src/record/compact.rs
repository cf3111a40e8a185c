//! A closed interval's latency histogram, kept compressed.
//!
//! A run keeps one latency histogram per second of its measured phase (the
//! JSON timeline, the `.hlog`, a shard's intervals). An HdrHistogram's counts
//! array grows with the largest value recorded: at 3 significant digits one
//! that saw a latency of two minutes holds about 18,000 counters, 144 KiB,
//! almost all zero. Kept as they were, a soak whose latencies reached minutes
//! grew by about 8 MiB a minute (benches/runs/2026-11-30-soak). A
//! [`CompactHistogram`] is the same histogram in HdrHistogram's V2-deflate
//! encoding (the one `.hlog` files and result files use), a few hundred bytes
//! to a few KiB, with the figures the timeline shows computed once; the
//! histogram is decoded again only to write it out.

use hdrhistogram::serialization::{Serializer, V2DeflateSerializer};
use hdrhistogram::Histogram;

use super::{deserialize_histogram, new_interval_histogram, DecodeError};

/// A latency histogram stored V2-deflate encoded, with its count, median,
/// 99th percentile and maximum at hand.
#[derive(Debug, Clone, PartialEq)]
pub struct CompactHistogram {
    bytes: Vec<u8>,
    len: u64,
    p50: u64,
    p99: u64,
    max: u64,
}

impl Default for CompactHistogram {
    fn default() -> Self {
        CompactHistogram::from(&new_interval_histogram())
    }
}

impl From<&Histogram<u64>> for CompactHistogram {
    fn from(h: &Histogram<u64>) -> Self {
        let mut bytes = Vec::new();
        // Serializing fails only for a count beyond i64::MAX; such a
        // histogram is kept empty (its figures below are still right).
        if V2DeflateSerializer::new().serialize(h, &mut bytes).is_err() {
            bytes.clear();
        }
        bytes.shrink_to_fit();
        let empty = h.is_empty();
        let q = |q: f64| if empty { 0 } else { h.value_at_quantile(q) };
        CompactHistogram {
            bytes,
            len: h.len(),
            p50: q(0.5),
            p99: q(0.99),
            max: if empty { 0 } else { h.max() },
        }
    }
}

impl From<Histogram<u64>> for CompactHistogram {
    fn from(h: Histogram<u64>) -> Self {
        CompactHistogram::from(&h)
    }
}

impl CompactHistogram {
    /// The histogram again (what [`super::hlog::write_hlog`] writes).
    pub fn decode(&self) -> Result<Histogram<u64>, DecodeError> {
        if self.bytes.is_empty() {
            return Ok(new_interval_histogram());
        }
        deserialize_histogram(&self.bytes)
    }

    /// The V2-deflate bytes (what a result file stores, base64 encoded).
    pub fn encoded(&self) -> &[u8] {
        &self.bytes
    }

    /// The bytes base64 encoded: what [`super::encode_histogram`] gives for
    /// the histogram itself (a result file's `histogram` field).
    pub fn base64(&self) -> String {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode(&self.bytes)
    }

    /// Bytes this value keeps on the heap (for memory bounds).
    pub fn heap_bytes(&self) -> usize {
        self.bytes.capacity()
    }

    /// Values recorded.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// True when nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Median (0 when empty).
    pub fn p50(&self) -> u64 {
        self.p50
    }

    /// 99th percentile (0 when empty).
    pub fn p99(&self) -> u64 {
        self.p99
    }

    /// Largest value (0 when empty).
    pub fn max(&self) -> u64 {
        self.max
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::record_clamped;

    /// One second of a generator far behind its schedule: latencies spread
    /// from 1 ms to `top_s` seconds (queued requests charged from their
    /// intended send times), a few thousand of them.
    fn a_behind_second(top_s: u64, seed: u64) -> Histogram<u64> {
        let mut h = new_interval_histogram();
        let mut x = seed | 1;
        for i in 0..3000u64 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let v = 1000 + (x % (top_s * 1_000_000)) / (1 + i % 7);
            record_clamped(&mut h, v);
        }
        h
    }

    #[test]
    fn a_compact_histogram_decodes_to_the_same_histogram() {
        let h = a_behind_second(120, 7);
        let c = CompactHistogram::from(&h);
        let back = c.decode().unwrap();
        assert_eq!(back, h);
        assert_eq!(c.len(), 3000);
        assert_eq!(c.p50(), h.value_at_quantile(0.5));
        assert_eq!(c.p99(), h.value_at_quantile(0.99));
        assert_eq!(c.max(), h.max());
        let empty = CompactHistogram::default();
        assert!(empty.is_empty());
        assert!(empty.decode().unwrap().is_empty());
    }

    /// The soak's finding: a timeline whose latencies reach minutes kept
    /// ~150 KiB a second, 8 MiB a minute. Compact, each second keeps a
    /// small fraction of that, so an hour of such seconds stays within a few
    /// MiB (what a user would notice is tens of MiB a minute).
    #[test]
    fn an_hour_of_minutes_long_latencies_keeps_a_few_mib() {
        // What keeping the histogram itself costs: its counts array.
        let counts_bytes = 8 * a_behind_second(600, 1).distinct_values();
        assert!(counts_bytes > 100 * 1024, "{counts_bytes}");
        let seconds = 200;
        let kept: usize = (0..seconds)
            .map(|s| CompactHistogram::from(&a_behind_second(600, s + 1)).heap_bytes())
            .sum();
        let per_second = kept / seconds as usize;
        assert!(
            per_second * 20 < counts_bytes,
            "{per_second} B a second compact vs {counts_bytes} B uncompressed"
        );
        assert!(
            per_second * 3600 < 16 << 20,
            "an hour would keep {} B",
            per_second * 3600
        );
    }
}
