//! Supervision of server processes: spawn in a process group on pinned CPUs,
//! readiness and the startup clock, stop (SIGTERM then SIGKILL, also on drop),
//! sampling RSS / CPU / threads / fds of the whole process tree, and turning
//! those into result figures.

pub mod measure;
pub mod process;
pub mod sample;
pub mod schedstat;

pub use measure::{cpu_below_resolution, measure_startup, startup_stats, usage, StartupError};
pub use process::{
    describe_status, free_port, launch, LaunchOptions, StartError, Supervised, WaitError,
};
pub use sample::{cpu_tick_s, sample_tree, Sampler, TreeSample, WindowEdges};
