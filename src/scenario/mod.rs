//! Scenarios: the TOML model ([`model`], parsed with spans), validation into
//! a [`Scenario`] that nothing downstream re-validates ([`validate`]), and the
//! runner behind `gauntlet run` ([`runner`]), with the warmup to steady
//! state ([`steady`]).

pub mod bound;
pub mod capacity;
pub mod capacity_spec;
pub mod errors;
pub mod fd_limit;
pub mod idle;
pub mod measure;
pub mod model;
pub mod requests;
pub mod run_error;
pub mod runner;
pub mod select;
pub mod steady;
pub mod summary;
pub mod thresholds;
pub mod validate;
pub mod variants;

pub use run_error::Error;
pub use runner::{Measured, RunEnd, RunOptions};
pub use validate::{Overrides, Scenario, ScenarioError, UpstreamSpec};
