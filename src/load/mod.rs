//! The load engine: one engine driven by a schedule (open, closed, stages) and
//! a stop condition, HTTP/1.1 and HTTP/2 connections on lean clients, and the `bench` command built on it.

pub mod bench;
pub mod engine;
pub mod error;
pub mod h2frame;
pub mod http1;
pub mod http2;
pub mod hyper_http1;
pub mod plan;
pub mod schedule;
pub mod shard;
pub mod wire;
pub mod worker;

pub use crate::record::IntervalHistogram;
pub use engine::{run_plan, LoadOutcome};
pub use error::Error;
pub use plan::*;
