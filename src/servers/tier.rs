//! The tier of a reference server (issue 12): `stdlib` for the servers built
//! on their runtime's standard library or thinnest server, `framework` for
//! the stacks people deploy (axum, actix-web, Gin, Spring Boot, Express, ...).
//! A manifest's `tier` key, a scenario's `servers = "tier:framework"`, the
//! `gauntlet servers` listing and the result's `server.tier` all use it.
//!
//! A manifest without `tier` is `stdlib`: the seven servers that existed
//! before tiers are that, and test manifests written by other parts of the
//! suite keep loading. Every manifest under `reference-servers/` states its
//! tier all the same (a test checks it), so a framework server cannot be
//! counted as stdlib by omission.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Which tier a server belongs to.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Tier {
    /// The runtime's standard library or its thinnest server.
    #[default]
    Stdlib,
    /// A web framework as its documentation deploys it.
    Framework,
}

/// Every tier, in display order.
pub const TIERS: [Tier; 2] = [Tier::Stdlib, Tier::Framework];

/// The prefix of a tier selection in a scenario's `servers`.
pub const TIER_PREFIX: &str = "tier:";

impl Tier {
    /// The name as written in manifests and results.
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Stdlib => "stdlib",
            Tier::Framework => "framework",
        }
    }
}

impl fmt::Display for Tier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A word that is not a tier; the message names the tiers and, for a near
/// miss, the one probably meant.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown tier {given:?}; {}expected \"stdlib\" or \"framework\"", suggestion(.given))]
pub struct UnknownTier {
    /// The word given.
    pub given: String,
}

fn suggestion(given: &str) -> String {
    crate::suggest::closest(given, TIERS.iter().map(|t| t.as_str()))
        .map(|t| format!("did you mean \"{t}\"? "))
        .unwrap_or_default()
}

impl FromStr for Tier {
    type Err = UnknownTier;

    fn from_str(s: &str) -> Result<Tier, UnknownTier> {
        TIERS
            .into_iter()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| UnknownTier { given: s.into() })
    }
}

impl<'de> Deserialize<'de> for Tier {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Tier, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// A server name with its tier, as scenario validation needs them to resolve
/// `servers = "tier:..."`. A bare `&str` is a server of the default tier.
pub trait KnownServer {
    /// The server's name.
    fn name(&self) -> &str;
    /// The server's tier.
    fn tier(&self) -> Tier;
}

impl KnownServer for &str {
    fn name(&self) -> &str {
        self
    }
    fn tier(&self) -> Tier {
        Tier::default()
    }
}

impl KnownServer for (&str, Tier) {
    fn name(&self) -> &str {
        self.0
    }
    fn tier(&self) -> Tier {
        self.1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_both_tiers_and_suggests_near_misses() {
        assert_eq!("stdlib".parse::<Tier>(), Ok(Tier::Stdlib));
        assert_eq!("framework".parse::<Tier>(), Ok(Tier::Framework));
        let near = "framwork".parse::<Tier>().unwrap_err().to_string();
        assert!(near.contains("did you mean \"framework\""), "{near}");
        let far = "kubernetes".parse::<Tier>().unwrap_err().to_string();
        assert!(!far.contains("did you mean"), "{far}");
        assert!(
            far.contains("expected \"stdlib\" or \"framework\""),
            "{far}"
        );
    }
}
