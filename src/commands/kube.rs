//! `gauntlet kube`: prints the manifests of a sharded bench (exit 0, 2 on
//! bad input).

use std::time::SystemTime;

use crate::cli::{KubeArgs, KubeCommand};
use crate::exit::Outcome;
use crate::kube::JobOptions;

/// Runs `gauntlet kube`.
pub fn execute(args: &KubeArgs) -> anyhow::Result<Outcome> {
    match &args.command {
        KubeCommand::Job(job) => {
            let options = JobOptions {
                shards: job.shards,
                image: job.image.clone(),
                job_name: job.job_name.clone(),
                namespace: job.namespace.clone(),
                start_delay: job.start_delay,
                cpu: job.cpu.clone(),
                memory: job.memory.clone(),
                require_spread: job.require_spread,
                bench: super::bench::options(&job.bench),
            };
            let list = crate::kube::manifests(&options, SystemTime::now())?;
            println!("{}", serde_json::to_string_pretty(&list)?);
            Ok(Outcome::Success)
        }
    }
}
