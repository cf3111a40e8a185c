//! Scenarios: the TOML model, parsing with spans, validation into a plan
//! that nothing downstream re-validates, and the runner behind `gauntlet run`.

pub mod runner;
