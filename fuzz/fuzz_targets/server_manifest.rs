//! Fuzz target `server_manifest`: see [`gauntlet_fuzz::server_manifest`] and docs/fuzzing.md.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| gauntlet_fuzz::server_manifest(data));
