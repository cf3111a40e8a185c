//! `load.connections = "fd_limit"` and `idle_connections = "fd_limit"`: the
//! largest connection count the machine allows, derived from the open-files
//! limit (RLIMIT_NOFILE, hard limit: `gauntlet run` raises the soft one to
//! it, and servers inherit it) minus headroom for everything else the
//! generator or the server has open. Never more than the limit; the result
//! records the limit, the headroom and the count (claims C5 and C6).

use serde::Deserialize;
use toml::Spanned;

use super::model::RawScenario;
use super::validate::{Ctx, ScenarioError};
use crate::results::FdLimitRecord;

/// The word that asks for the derived count.
pub const WORD: &str = "fd_limit";

/// A count as written: a number or `"fd_limit"`.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Count {
    /// A whole number.
    Number(i64),
    /// A word (only `"fd_limit"` is accepted).
    Word(String),
}

/// Descriptors kept free: 5 % of the limit, at least 256.
pub fn headroom(limit: u64) -> u64 {
    (limit / 20).max(256)
}

/// The hard RLIMIT_NOFILE of this process.
pub fn nofile_limit() -> u64 {
    // SAFETY: a plain system call on a local struct.
    unsafe {
        let mut lim: libc::rlimit = std::mem::zeroed();
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) == 0 {
            lim.rlim_max as u64
        } else {
            1024
        }
    }
}

/// The connection count `"fd_limit"` stands for with `limit` descriptors.
pub fn derived(limit: u64) -> u64 {
    limit.saturating_sub(headroom(limit))
}

/// Resolves one count: a number in `min..=max`, or `"fd_limit"` (the derived
/// count, capped at `max`).
pub(super) fn count(
    cx: &Ctx<'_>,
    value: &Spanned<Count>,
    key: &str,
    min: u32,
    max: u32,
) -> Result<u32, ScenarioError> {
    match value.get_ref() {
        Count::Number(v) if *v >= i64::from(min) && *v <= i64::from(max) => Ok(*v as u32),
        Count::Number(v) => Err(cx.at(
            value.span(),
            key,
            format!("{v} is out of range; expected a whole number from {min} to {max}, or \"{WORD}\""),
        )),
        Count::Word(w) if w == WORD => {
            let n = derived(nofile_limit()).min(u64::from(max)) as u32;
            if n < min.max(1) {
                return Err(cx.at(
                    value.span(),
                    key,
                    format!("\"{WORD}\": the open-files limit ({}) leaves no connections after the headroom", nofile_limit()),
                ));
            }
            Ok(n)
        }
        Count::Word(w) => Err(cx.at(
            value.span(),
            key,
            format!("{w:?}: expected a whole number from {min} to {max}, or \"{WORD}\" (the open-files limit minus headroom)"),
        )),
    }
}

fn is_word(value: Option<&Spanned<Count>>) -> bool {
    matches!(value.map(Spanned::get_ref), Some(Count::Word(_)))
}

/// The record for the result when either count was `"fd_limit"`.
pub(super) fn record(raw: &RawScenario, connections: u32, idle: u32) -> Option<FdLimitRecord> {
    let load = is_word(
        raw.load
            .as_ref()
            .and_then(|l| l.get_ref().connections.as_ref()),
    );
    let idle_word = is_word(raw.idle_connections.as_ref());
    (load || idle_word).then(|| {
        let limit = nofile_limit();
        FdLimitRecord {
            rlimit_nofile: limit,
            headroom: headroom(limit),
            connections: load.then_some(connections),
            idle_connections: idle_word.then_some(idle),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_derived_count_stays_under_the_limit() {
        assert_eq!(derived(20_000), 19_000);
        assert_eq!(derived(1024), 768);
        assert_eq!(derived(100), 0);
        assert!(derived(nofile_limit()) < nofile_limit());
    }
}
