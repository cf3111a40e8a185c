//! The load engine: one engine driven by a schedule (open, closed, stages) and
//! a stop condition, HTTP/1.1 connections on a lean client and HTTP/2 through
//! hyper, and the `bench` command built on it.

pub mod bench;
pub mod engine;
pub mod http1;
pub mod http2;
pub mod plan;
pub mod schedule;
pub mod shard;
pub mod wire;
pub mod worker;

pub use crate::record::IntervalHistogram;
pub use engine::{run_plan, LoadOutcome};
pub use plan::*;
