//! Units as people read and write them: parsers for what they type on the
//! command line (durations for now), kept out of `cli` so the flags and any
//! other caller read a value the same way without depending on clap, and
//! digit grouping for counts (`12 345`), kept below the report and the
//! scenario modules so both write numbers the same way.

use std::time::Duration;

/// Parses a human duration such as `10s`, `2m`, `500ms`; the error names the
/// expected form.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    humantime::parse_duration(text)
        .map_err(|e| format!("expected a duration like 10s, 2m or 500ms ({e})"))
}

/// Rounds `v` to a whole number and groups its thousands with a space:
/// 12 345.
pub fn grouped(v: f64) -> String {
    let n = v.round() as i64;
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(' ');
        }
        out.push(c);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
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

    #[test]
    fn counts_are_rounded_and_grouped_by_thousands() {
        for (v, text) in [
            (0.0, "0"),
            (999.4, "999"),
            (1000.0, "1 000"),
            (1_234_567.0, "1 234 567"),
            (-12_345.6, "-12 346"),
        ] {
            assert_eq!(grouped(v), text, "{v}");
        }
    }
}
