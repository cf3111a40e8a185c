//! Supervision of server processes: spawn in a process group on pinned CPUs,
//! readiness and the startup clock, stop (SIGTERM then SIGKILL, also on drop),
//! and sampling RSS / CPU / threads / fds of the whole process tree.

pub mod process;
pub mod sample;

pub use process::{describe_status, free_port, launch, LaunchOptions, StartError, Supervised};
pub use sample::{sample_tree, Sampler, TreeSample};
