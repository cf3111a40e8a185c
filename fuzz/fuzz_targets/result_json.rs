//! Fuzz target `result_json`: see [`gauntlet_fuzz::result_json`] and docs/fuzzing.md.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| gauntlet_fuzz::result_json(data));
