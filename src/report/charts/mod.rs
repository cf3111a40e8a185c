//! One module per chart, each a [`Chart`](super::chart::Chart). Charts
//! that concern one scenario carry its name; the rest cover the whole report.

pub mod capacity;
pub mod efficiency;
pub mod latency_timeline;
pub mod memory;
pub mod rss_timeline;
pub mod spectrum;
pub mod startup;
pub mod throughput;
pub mod throughput_timeline;

/// A file-name-safe form of a name: letters, digits, `-` and `_` kept,
/// anything else (spaces, slashes, dots) becomes `-`.
pub fn slug(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect()
}
