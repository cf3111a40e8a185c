//! How claim figures and conditions are written: memory in decimal MB/KB
//! (the unit the articles use), times in µs/ms/s, ratios as `7.2×`, rates
//! grouped by thousands, error rates in percent.

use super::metric::Unit;
use super::predicate::Condition;
use crate::report::format::grouped;

/// The unit of a figure in JSON.
pub fn unit_name(unit: Unit) -> &'static str {
    match unit {
        Unit::Rate => "req/s",
        Unit::Time => "us",
        Unit::Bytes => "bytes",
        Unit::Fraction => "fraction",
        Unit::Ratio => "ratio",
        Unit::Count => "count",
    }
}

fn sig(v: f64) -> String {
    let a = v.abs();
    if a >= 100.0 {
        format!("{v:.0}")
    } else if a >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

/// A figure in its unit, e.g. `23.4 MB`, `1.25 ms`, `7.20×`, `12 345`, `0.10%`.
pub fn figure(unit: Unit, v: f64) -> String {
    match unit {
        Unit::Rate | Unit::Count => grouped(v),
        Unit::Ratio => format!("{}×", sig(v)),
        Unit::Fraction => format!("{}%", sig(v * 100.0)),
        Unit::Time => {
            let a = v.abs();
            if a >= 1e6 {
                format!("{} s", sig(v / 1e6))
            } else if a >= 1e3 {
                format!("{} ms", sig(v / 1e3))
            } else {
                format!("{} µs", sig(v))
            }
        }
        Unit::Bytes => {
            let a = v.abs();
            if a >= 1e9 {
                format!("{} GB", sig(v / 1e9))
            } else if a >= 1e6 {
                format!("{} MB", sig(v / 1e6))
            } else if a >= 1e3 {
                format!("{} KB", sig(v / 1e3))
            } else {
                format!("{} B", sig(v))
            }
        }
    }
}

/// The supporting set in words: `10 MB..50 MB`, `< 1 s`, `≥ 5×`.
pub fn describe_condition(c: &Condition, unit: Unit) -> String {
    match (c.lower, c.upper) {
        (Some(l), Some(u)) => format!("{}..{}", figure(unit, l.value), figure(unit, u.value)),
        (Some(l), None) => format!(
            "{} {}",
            if l.inclusive { "≥" } else { ">" },
            figure(unit, l.value)
        ),
        (None, Some(u)) => format!(
            "{} {}",
            if u.inclusive { "≤" } else { "<" },
            figure(unit, u.value)
        ),
        (None, None) => "any value".into(),
    }
}
