//! Boolean switches from the environment (`GAUNTLET_REQUIRE_RUNTIMES`,
//! `CI`), read one way everywhere: the words clap's `BoolishValueParser`
//! accepts for the `--require-runtimes` flags, so `GAUNTLET_REQUIRE_RUNTIMES=true`
//! means the same to the command line, the tests and the scripts.

/// The variable that makes a missing reference-server toolchain a failure
/// instead of a skip (CI sets it).
pub const REQUIRE_RUNTIMES_ENV: &str = "GAUNTLET_REQUIRE_RUNTIMES";

/// Whether `value` is a true word: `1`, `y`, `yes`, `t`, `true`, `on` (any
/// case, surrounding spaces ignored). Anything else, `0`/`no`/`false`/`off`
/// included, is false.
pub fn is_true(value: &str) -> bool {
    matches!(
        value.trim().to_ascii_lowercase().as_str(),
        "1" | "y" | "yes" | "t" | "true" | "on"
    )
}

/// Whether the environment variable `name` is set to a true word.
pub fn env_flag(name: &str) -> bool {
    std::env::var(name).is_ok_and(|v| is_true(&v))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::builder::TypedValueParser;

    #[test]
    fn the_same_words_as_the_command_line_flag() {
        let cmd = clap::Command::new("t");
        let parser = clap::builder::BoolishValueParser::new();
        for word in [
            "1", "0", "y", "n", "yes", "no", "t", "f", "true", "false", "on", "off", "TRUE", "Yes",
        ] {
            let clap_says = parser
                .parse_ref(&cmd, None, std::ffi::OsStr::new(word))
                .unwrap();
            assert_eq!(is_true(word), clap_says, "{word}");
        }
        assert!(!is_true("maybe") && !is_true(""));
    }
}
