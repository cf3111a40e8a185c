//! Fuzz target `histogram`: see [`gauntlet_fuzz::histogram`] and docs/fuzzing.md.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| gauntlet_fuzz::histogram(data));
