//! Parsers for the units people type on the command line (durations for
//! now), kept out of `cli` so the flags and any other caller read a value the
//! same way without depending on clap.

use std::time::Duration;

/// Parses a human duration such as `10s`, `2m`, `500ms`; the error names the
/// expected form.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    humantime::parse_duration(text)
        .map_err(|e| format!("expected a duration like 10s, 2m or 500ms ({e})"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_written_and_bad_ones_name_the_form() {
        assert_eq!(parse_duration("500ms").unwrap(), Duration::from_millis(500));
        assert_eq!(parse_duration("2m").unwrap(), Duration::from_secs(120));
        let err = parse_duration("ten").unwrap_err();
        assert!(err.contains("expected a duration like 10s"), "{err}");
    }
}
