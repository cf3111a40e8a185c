//! The load engine: one engine driven by a schedule (open, closed, stages) and
//! a stop condition, HTTP/1.1 connections on a lean client and HTTP/2 through
//! hyper, and the `bench` command built on it.

pub mod bench;
pub mod plan;
