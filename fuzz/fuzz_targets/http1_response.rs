//! Fuzz target `http1_response`: see [`gauntlet_fuzz::http1_response`] and docs/fuzzing.md.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| gauntlet_fuzz::http1_response(data));
