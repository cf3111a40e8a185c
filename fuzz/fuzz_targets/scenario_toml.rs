//! Fuzz target `scenario_toml`: see [`gauntlet_fuzz::scenario_toml`] and docs/fuzzing.md.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| gauntlet_fuzz::scenario_toml(data));
