//! Errors in sight: the error rate of a repetition and of a server run
//! (errors ÷ attempts, every attempt being one success or one error), the
//! flag a run above [`FLAG_RATE`] gets even without thresholds, and the
//! failure of a repetition in which every response failed.

use std::collections::BTreeMap;

use crate::results::{LoadReport, Repetition};
use crate::units::grouped;

/// A server run above this share of failed requests is flagged.
pub const FLAG_RATE: f64 = 0.01;

/// Errors of a load run, all kinds together.
pub fn errors(load: &LoadReport) -> u64 {
    load.errors.values().sum()
}

/// Failed requests ÷ requests attempted (successes + errors); 0 when none
/// was attempted. A `status` or `body_mismatch` error is a complete response
/// that failed, so it is counted once, as an error.
pub fn error_rate(load: &LoadReport) -> f64 {
    let errors = errors(load);
    let attempts = load.successes + errors;
    if attempts == 0 {
        0.0
    } else {
        errors as f64 / attempts as f64
    }
}

/// The error rate over all `reps` together; `None` without repetitions.
pub fn run_error_rate(reps: &[Repetition]) -> Option<f64> {
    if reps.is_empty() {
        return None;
    }
    let errors: u64 = reps.iter().map(|r| errors(&r.load)).sum();
    let attempts: u64 = reps.iter().map(|r| r.load.successes).sum::<u64>() + errors;
    Some(if attempts == 0 {
        0.0
    } else {
        errors as f64 / attempts as f64
    })
}

/// A rate as a percentage: `3.2 %`, `0.05 %`, `100 %`.
pub fn percent(rate: f64) -> String {
    let p = rate * 100.0;
    if p == 0.0 || p >= 99.95 {
        format!("{p:.0} %")
    } else if p < 0.1 {
        format!("{p:.2} %")
    } else {
        format!("{p:.1} %")
    }
}

/// `Some("3.2 % errors")` when `rate` is above [`FLAG_RATE`].
pub fn flag(rate: f64) -> Option<String> {
    (rate > FLAG_RATE).then(|| format!("{} errors", percent(rate)))
}

/// Error kinds with their counts, most frequent first: `body_mismatch 41 203, reset 2`.
pub fn kinds(errors: &BTreeMap<String, u64>) -> String {
    let mut kinds: Vec<(&String, &u64)> = errors.iter().filter(|(_, n)| **n > 0).collect();
    kinds.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    kinds
        .iter()
        .map(|(k, n)| format!("{k} {}", grouped(**n as f64)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The error kinds of all `reps` added together.
pub fn run_kinds(reps: &[Repetition]) -> BTreeMap<String, u64> {
    let mut all = BTreeMap::new();
    for r in reps {
        for (k, n) in &r.load.errors {
            *all.entry(k.clone()).or_default() += n;
        }
    }
    all
}

/// Why repetition `index` fails the run when not one response succeeded
/// although requests were attempted, e.g. "every response failed in
/// repetition 1 (body_mismatch 41 203)"; `None` otherwise.
pub fn all_failed(load: &LoadReport, index: u32) -> Option<String> {
    (load.successes == 0 && errors(load) > 0).then(|| {
        format!(
            "every response failed in repetition {index} ({})",
            kinds(&load.errors)
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_keep_small_rates_visible() {
        assert_eq!(percent(0.032), "3.2 %");
        assert_eq!(percent(0.0005), "0.05 %");
        assert_eq!(percent(1.0), "100 %");
        assert_eq!(percent(0.0), "0 %");
        assert_eq!(flag(0.032).as_deref(), Some("3.2 % errors"));
        assert_eq!(flag(0.01), None, "1 % itself is not above 1 %");
    }

    #[test]
    fn kinds_list_the_most_frequent_first() {
        let errors: BTreeMap<String, u64> = [
            ("reset".to_string(), 2),
            ("body_mismatch".to_string(), 41_203),
            ("timeout".to_string(), 0),
        ]
        .into_iter()
        .collect();
        assert_eq!(kinds(&errors), "body_mismatch 41 203, reset 2");
    }
}
