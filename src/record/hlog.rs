//! Writing HdrHistogram interval logs (`.hlog`), the standard format that
//! HdrHistogram's own HistogramLogProcessor reads: one V2-deflate histogram per
//! second of the measured phase, timestamps relative to its start.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use hdrhistogram::serialization::interval_log::IntervalLogWriterBuilder;
use hdrhistogram::serialization::V2DeflateSerializer;

use super::IntervalHistogram;

/// Why an interval log could not be written.
#[derive(Debug, thiserror::Error)]
pub enum HlogError {
    /// The file could not be created or written.
    #[error("writing interval log {path}: {source}")]
    Io {
        /// The file concerned.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A histogram could not be serialized.
    #[error("writing interval log {path}: a histogram could not be serialized: {detail}")]
    Serialize {
        /// The file concerned.
        path: PathBuf,
        /// What the serializer said.
        detail: String,
    },
}

/// Writes `intervals` to `path` as an interval log whose StartTime and
/// BaseTime are `start` (the beginning of the measured phase). Values are in
/// µs; the max column is divided by 1000 to read as milliseconds.
pub fn write_hlog(
    path: &Path,
    start: SystemTime,
    intervals: &[IntervalHistogram],
    comment: &str,
) -> Result<(), HlogError> {
    let io = |source| HlogError::Io {
        path: path.to_path_buf(),
        source,
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let file = File::create(path).map_err(io)?;
    let mut out = BufWriter::new(file);
    let mut serializer = V2DeflateSerializer::new();
    {
        let mut writer = IntervalLogWriterBuilder::new()
            .add_comment(comment)
            .add_comment("values in microseconds; max column in milliseconds")
            .with_start_time(start)
            .with_base_time(start)
            .with_max_value_divisor(1000.0)
            .begin_log_with(&mut out, &mut serializer)
            .map_err(io)?;
        // Untagged: HistogramLogProcessor reads untagged histograms by
        // default and would skip tagged ones unless told the tag.
        // One interval decoded at a time: memory stays that of one second.
        for interval in intervals {
            let latency = interval
                .latency
                .decode()
                .map_err(|e| HlogError::Serialize {
                    path: path.to_path_buf(),
                    detail: e.to_string(),
                })?;
            writer
                .write_histogram(
                    &latency,
                    interval.start,
                    interval.length.max(Duration::from_millis(1)),
                    None,
                )
                .map_err(|e| HlogError::Serialize {
                    path: path.to_path_buf(),
                    detail: e.to_string(),
                })?;
        }
    }
    out.flush().map_err(io)?;
    Ok(())
}
