//! `gauntlet bench`: the flags into [`BenchOptions`], the run, the summary,
//! the output files, and the exit code (1 when no request succeeded, 130
//! after Ctrl-C).

use crate::cli::BenchArgs;
use crate::exit::Outcome;
use crate::interrupt::Interrupt;
use crate::load::bench::{self, BenchOptions};

/// The flags as the load module's plain options.
pub fn options(args: &BenchArgs) -> BenchOptions {
    BenchOptions {
        url: args.url.clone(),
        connections: args.connections,
        duration: args.duration,
        rate: args.rate,
        threads: args.threads,
        warmup: args.warmup,
        method: args.method.clone(),
        headers: args.headers.clone(),
        body: args.body.clone(),
        body_file: args.body_file.clone(),
        timeout: args.timeout,
        http2: args.http2,
        pipeline: args.pipeline,
        streams: args.streams,
        http1_client: args.http1_client,
        cpus: args.cpus.clone(),
        json: args.json.clone(),
        hlog: args.hlog.clone(),
        csv: args.csv.clone(),
        quiet: args.quiet,
        shard: args.shard.clone(),
        start_at: args.start_at.clone(),
    }
}

/// Runs `gauntlet bench`.
pub fn execute(args: &BenchArgs) -> anyhow::Result<Outcome> {
    let options = options(args);
    let outcome = bench::run(&options, super::command_line(), &Interrupt::global())?;
    print!("{}", bench::summary(&outcome.report));
    if let Some(json) = bench::stdout_json(&options, &outcome)? {
        print!("{json}");
    }
    bench::write_outputs(&options, &outcome)?;
    Ok(if outcome.report.interrupted {
        Outcome::Interrupted
    } else if outcome.report.successes == 0 {
        // Nothing to measure: a closed port or a server answering only
        // errors must not pass a CI step with empty percentiles.
        eprintln!(
            "gauntlet: no successful responses from {}",
            outcome.report.target
        );
        Outcome::Failed
    } else {
        Outcome::Success
    })
}
