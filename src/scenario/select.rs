//! Which servers a scenario runs: its `servers` key (or `--servers`)
//! resolved against the registry's names and tiers. A selection is `"all"`,
//! `"tier:stdlib"` / `"tier:framework"` (every server of that tier, in the
//! registry's order), or a list whose items are server names, tier
//! selections (duplicates dropped, first place kept) or tables that run a
//! server again on its own CPUs ([`super::variants`]).

use toml::Spanned;

use super::validate::{Ctx, Overrides, ScenarioError};
use super::variants::ServerVariant;
use crate::servers::tier::{Tier, TIER_PREFIX};

/// The registry as validation sees it: every server's name and tier.
pub(super) type Known<'a> = [(&'a str, Tier)];

/// The servers to run (names, variants' names included) and the variants,
/// from the overrides if any, else from `value`.
pub(super) fn resolve_servers(
    cx: &Ctx<'_>,
    value: Option<&Spanned<toml::Value>>,
    overrides: &Overrides,
    known: &Known<'_>,
) -> Result<(Vec<String>, Vec<ServerVariant>), ScenarioError> {
    if !overrides.servers.is_empty() {
        let mut names = Vec::new();
        for item in &overrides.servers {
            expand(item, known, &mut names).map_err(|m| cx.whole("--servers", m))?;
        }
        return Ok((names, Vec::new()));
    }
    let Some(value) = value else {
        return Err(cx.whole(
            "servers",
            "missing; expected servers = \"all\", \"tier:stdlib\", \"tier:framework\" \
             or a list like [\"rust-hyper\", \"go-nethttp\"]",
        ));
    };
    let expected = "expected \"all\", \"tier:stdlib\", \"tier:framework\" or a non-empty list \
                    of server names";
    let at = |message: String| cx.at(value.span(), "servers", message);
    let mut names = Vec::new();
    let mut variants: Vec<ServerVariant> = Vec::new();
    match value.get_ref() {
        toml::Value::String(s) => expand(s, known, &mut names).map_err(at)?,
        toml::Value::Array(items) if !items.is_empty() => {
            let known_names: Vec<&str> = known.iter().map(|(name, _)| *name).collect();
            for item in items {
                if let toml::Value::Table(table) = item {
                    let v = super::variants::parse(cx, value.span(), table, &known_names)?;
                    if names.contains(&v.name) {
                        return Err(at(format!(
                            "{:?} is listed twice; give each variant its own `name`",
                            v.name
                        )));
                    }
                    names.push(v.name.clone());
                    variants.push(v);
                    continue;
                }
                let Some(name) = item.as_str() else {
                    return Err(at(format!(
                        "{} is not a string; {expected}",
                        describe(item)
                    )));
                };
                expand(name, known, &mut names).map_err(at)?;
            }
        }
        other => return Err(at(format!("{}: {expected}", describe(other)))),
    }
    Ok((names, variants))
}

/// Appends the servers `item` names (a name, `all` or `tier:<tier>`) to
/// `names`, skipping those already there; the error says why not.
fn expand(item: &str, known: &Known<'_>, names: &mut Vec<String>) -> Result<(), String> {
    let mut push = |name: &str| {
        if !names.iter().any(|n| n == name) {
            names.push(name.to_string());
        }
    };
    if item == "all" {
        known.iter().for_each(|(name, _)| push(name));
        return Ok(());
    }
    if let Some(word) = item.strip_prefix(TIER_PREFIX) {
        let tier: Tier = word.parse().map_err(|e| format!("{item:?}: {e}"))?;
        if !known.iter().any(|(_, t)| *t == tier) {
            return Err(format!(
                "{item:?}: no server has tier {tier}; {}",
                known_list(known)
            ));
        }
        known
            .iter()
            .filter(|(_, t)| *t == tier)
            .for_each(|(name, _)| push(name));
        return Ok(());
    }
    if !known.iter().any(|(name, _)| *name == item) {
        return Err(format!("unknown server {item:?}; {}", known_list(known)));
    }
    push(item);
    Ok(())
}

/// A value as an error message quotes it: scalars as written, strings
/// Rust-quoted, arrays and tables by their size. Never through `toml`'s own
/// Display: it re-serializes the value with `toml_write` 0.1, which counts a
/// string's consecutive quotes in a `u8` and panics on overflow past 255
/// (debug builds; found by the `scenario_toml` fuzz target).
pub(super) fn describe(value: &toml::Value) -> String {
    match value {
        toml::Value::String(s) => format!("{s:?}"),
        toml::Value::Integer(i) => i.to_string(),
        toml::Value::Float(f) => f.to_string(),
        toml::Value::Boolean(b) => b.to_string(),
        toml::Value::Datetime(d) => d.to_string(),
        toml::Value::Array(items) => format!("an array of {} item(s)", items.len()),
        toml::Value::Table(table) => format!("a table of {} key(s)", table.len()),
    }
}

fn known_list(known: &Known<'_>) -> String {
    if known.is_empty() {
        "there are no servers in the registry".to_string()
    } else {
        let list: Vec<String> = known.iter().map(|(n, t)| format!("{n} ({t})")).collect();
        format!("known servers: {}", list.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::scenario::{Overrides, Scenario};

    /// A value quoted in an error once went through `toml`'s Display, whose
    /// `toml_write` overflowed a `u8` on more than 255 consecutive `'` (the
    /// fuzz input fuzz/corpus/scenario_toml/regression-toml-write-*).
    #[test]
    fn values_with_hundreds_of_quotes_are_quoted_in_errors_without_panicking() {
        let quotes = "'".repeat(300);
        let known = ["rust-hyper"];
        for servers in [
            format!("[[\"{quotes}\"]]"),
            format!("{{ a = \"{quotes}\" }}"),
            format!("[{{ server = [\"{quotes}\"], server_cpus = \"0\" }}]"),
        ] {
            let text = format!("servers = {servers}\n[[request]]\npath = \"/\"\n");
            let err = Scenario::parse(Path::new("q.toml"), &text, &Overrides::default(), &known)
                .expect_err(&servers)
                .to_string();
            assert!(err.contains("q.toml") && err.contains("servers"), "{err}");
        }
    }
}
