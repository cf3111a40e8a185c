//! "Did you mean …?" for unknown keys: serde reports an unknown field as
//! "unknown field `duraton`, expected one of `a`, `b`, …"; this adds the
//! closest valid key when it is close enough to be a typo. Used wherever a
//! TOML file the user wrote is parsed (scenarios, server manifests, claims),
//! and for values from a closed set (a server's tier).

/// `message` with "; did you mean `key`?" appended when it holds serde's
/// unknown-field message and one of the keys it lists is a near miss
/// (Jaro-Winkler similarity of at least 0.8); otherwise `message` unchanged.
pub fn with_suggestion(message: &str) -> String {
    match near_miss(message) {
        Some(key) => format!("{message}; did you mean `{key}`?"),
        None => message.to_string(),
    }
}

/// The candidate closest to `given` when it is close enough to be a typo of
/// it (Jaro-Winkler similarity of at least 0.8, ignoring case).
pub fn closest<'a>(given: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let given = given.to_ascii_lowercase();
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(&given, &c.to_ascii_lowercase()), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// The valid key closest to the unknown one in serde's message, if any is
/// close enough.
fn near_miss(message: &str) -> Option<String> {
    let at = message.find("unknown field `")?;
    let rest = &message[at + "unknown field `".len()..];
    let (unknown, rest) = rest.split_once('`')?;
    let (_, expected) = rest.split_once("expected")?;
    closest(unknown, expected.split('`').skip(1).step_by(2)).map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typo_gets_the_key_it_meant() {
        let m = "unknown field `duraton`, expected one of `name`, `duration`, `warmup`";
        assert_eq!(with_suggestion(m), format!("{m}; did you mean `duration`?"));
        let m = "unknown field `server`, expected one of `servers`, `server_cpus`";
        assert!(with_suggestion(m).ends_with("did you mean `servers`?"));
    }

    #[test]
    fn no_suggestion_for_a_key_like_none_of_them_or_other_errors() {
        let m = "unknown field `colour`, expected one of `name`, `duration`";
        assert_eq!(with_suggestion(m), m);
        let m = "unknown field `x`, expected `name`";
        assert_eq!(with_suggestion(m), m);
        let m = "invalid type: integer `3`, expected a string";
        assert_eq!(with_suggestion(m), m);
    }
}
