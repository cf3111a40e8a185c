//! Recording: HdrHistograms per worker (merged at the end), per-second
//! interval histograms for timelines, and the coordinated-omission bookkeeping
//! that charges latency from the intended send time.
