//! Gauntlet: a benchmarking and load-testing harness that compares backend
//! runtimes on the same work and the same machine.
//!
//! The flow goes one way: a scenario ([`scenario`]) becomes a plan; the
//! supervisor ([`supervise`]) builds and starts reference servers
//! ([`servers`]); the load engine ([`load`]) drives them while [`record`]
//! keeps histograms; [`results`] writes versioned JSON; [`report`] and
//! [`compare`] read only those files.
#![deny(missing_docs)]

pub mod app;
pub mod claims;
pub mod cli;
pub mod commands;
pub mod compare;
pub mod cpus;
pub mod exit;
pub mod export;
pub mod flags;
pub mod interrupt;
pub mod kube;
pub mod load;
pub mod merge;
pub mod record;
pub mod report;
pub mod results;
pub mod scenario;
pub mod servers;
pub mod stats;
pub mod suggest;
pub mod supervise;
pub mod target;
pub mod units;
pub mod verify;
