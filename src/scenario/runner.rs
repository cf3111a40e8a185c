//! `gauntlet run`: every scenario file validated before anything starts, then
//! each scenario × server measured ([`super::measure`]), its thresholds
//! evaluated and its result written atomically into `results/<run-id>/`
//! with the manifest kept current. What follows (the summary, exports, the
//! report, the baseline hooks) is made from the [`Measured`] run, in the
//! order `commands::run` calls it: [`RunEnd`] says how it ended (0 ok, 1 a
//! threshold or a server failed or the baseline regressed, 130 interrupted).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::measure::{self, Context, Driver, Lines};
use super::summary::{self, Row};
use super::{Error, Overrides, Scenario};
use crate::interrupt::Interrupt;
use crate::results::environment::{fingerprint, now_rfc3339, run_id};
use crate::results::{RunManifest, RunStatus, RunWriter, SCHEMA_VERSION};
use crate::servers::upstream::spawn_upstream;
use crate::servers::Registry;

/// What `gauntlet run` is asked to do, as plain values (the flags of
/// `cli::RunArgs` without clap).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunOptions {
    /// Scenario files, or folders of them.
    pub scenarios: Vec<PathBuf>,
    /// Run only these servers, overriding the scenarios.
    pub servers: Vec<String>,
    /// Override every scenario's measured duration.
    pub duration: Option<std::time::Duration>,
    /// Override every scenario's repetitions.
    pub repetitions: Option<u32>,
    /// Results folder (`None`: `results/<run-id>/`).
    pub out: Option<PathBuf>,
    /// Do not render a report at the end.
    pub no_report: bool,
    /// Save the run as this named baseline.
    pub save_baseline: Option<String>,
    /// Compare the run against this named baseline.
    pub baseline: Option<String>,
    /// Fail instead of skipping a server whose toolchain is missing.
    pub require_all: bool,
    /// Print the summary as JSON instead of a table.
    pub json: bool,
    /// Write the table as CSV here.
    pub csv: Option<PathBuf>,
    /// Write JUnit XML here.
    pub junit: Option<PathBuf>,
    /// No progress output.
    pub quiet: bool,
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunEnd {
    /// Every server ran and every threshold passed (and no regression).
    Passed,
    /// A threshold or a server failed, or the baseline comparison regressed.
    Failed,
    /// Ctrl-C: what was measured has been written.
    Interrupted,
}

/// A run whose scenarios have been measured and written: what the summary,
/// the exports, the report and the baselines are made from.
#[derive(Debug, Clone)]
pub struct Measured {
    /// The run id.
    pub id: String,
    /// The results folder.
    pub out: PathBuf,
    /// One row per scenario × server, in the order measured.
    pub rows: Vec<Row>,
    /// The same results as JUnit cases.
    junit_cases: Vec<crate::export::junit::RunCase>,
    /// Ctrl-C stopped it: no report or baseline comes after.
    pub interrupted: bool,
}

impl Measured {
    /// The summary `gauntlet run` prints on standard output: the table and
    /// where the results are, or (`json`) the rows as JSON.
    pub fn render(&self, json: bool) -> Result<String, Error> {
        Ok(if json {
            format!("{}\n", summary::json(&self.id, &self.out, &self.rows)?)
        } else {
            format!(
                "{}results: {}\n",
                summary::table(&self.rows),
                self.out.display()
            )
        })
    }

    /// Writes `--csv` and `--junit`.
    pub fn write_exports(&self, args: &RunOptions) -> Result<(), Error> {
        if let Some(path) = &args.csv {
            crate::export::write(path, "--csv", &crate::export::csv::run(&self.rows)?)?;
        }
        if let Some(path) = &args.junit {
            crate::export::write(
                path,
                "--junit",
                &crate::export::junit::run(&self.id, &self.junit_cases)?,
            )?;
        }
        Ok(())
    }

    /// How the run ended, given whether the baseline comparison regressed.
    pub fn end(&self, regressed: bool) -> RunEnd {
        if self.interrupted {
            RunEnd::Interrupted
        } else if regressed || self.rows.iter().any(Row::is_failure) {
            RunEnd::Failed
        } else {
            RunEnd::Passed
        }
    }

    /// Renders the run's report into `reports/<run-id>/`.
    pub fn render_report(&self) -> Result<crate::report::ReportWritten, crate::report::Error> {
        let dir = PathBuf::from("reports").join(&self.id);
        crate::report::render(std::slice::from_ref(&self.out), &dir, false)
    }

    /// Compares the run with `--baseline` (when given).
    pub fn compare_with_baseline(
        &self,
        args: &RunOptions,
    ) -> Result<Option<crate::compare::Comparison>, Error> {
        let Some(name) = &args.baseline else {
            return Ok(None);
        };
        let root = Path::new(crate::compare::DEFAULT_RESULTS_ROOT);
        let base = crate::compare::resolve_baseline(Path::new(name), root)?;
        let options = crate::compare::CompareOptions::default();
        Ok(Some(crate::compare::compare_runs(
            &base, &self.out, &options,
        )?))
    }

    /// Saves the run as `--save-baseline` (when given); returns where.
    pub fn save_baseline(&self, args: &RunOptions) -> Result<Option<PathBuf>, Error> {
        let Some(name) = &args.save_baseline else {
            return Ok(None);
        };
        let root = Path::new(crate::compare::DEFAULT_RESULTS_ROOT);
        Ok(Some(crate::compare::save_baseline(&self.out, name, root)?))
    }
}

/// Measures the scenarios with the load engine, sending progress lines and
/// warnings to `lines`.
pub fn run(args: &RunOptions, lines: Lines<'_>) -> Result<Measured, Error> {
    run_with(args, &Interrupt::global(), &engine, lines)
}

/// The load engine behind [`Driver`].
fn engine(
    plan: &crate::load::plan::LoadPlan,
    interrupt: &Interrupt,
    observer: &dyn crate::load::plan::LoadObserver,
) -> anyhow::Result<crate::results::LoadReport> {
    Ok(crate::load::run_plan(plan, interrupt, observer)?.report)
}

/// Validates every scenario, then measures each scenario × server with a
/// given interrupt flag and load driver, writing each result as it comes.
pub fn run_with(
    args: &RunOptions,
    interrupt: &Interrupt,
    driver: Driver<'_>,
    lines: Lines<'_>,
) -> Result<Measured, Error> {
    let registry = Registry::discover()?;
    let known = registry.names_and_tiers();
    let overrides = Overrides {
        servers: args.servers.clone(),
        duration: args.duration,
        repetitions: args.repetitions,
    };
    let files = scenario_files(&args.scenarios)?;
    let scenarios = files
        .iter()
        .map(|file| Scenario::load(file, &overrides, &known).map_err(Error::Scenario))
        .collect::<Result<Vec<_>, _>>()?;
    let names: Vec<&str> = scenarios.iter().map(|s| s.info.name.as_str()).collect();
    if let Some(dup) = scenarios
        .iter()
        .enumerate()
        .find(|(i, s)| scenarios[..*i].iter().any(|o| o.info.name == s.info.name))
    {
        return Err(Error::DuplicateName {
            name: dup.1.info.name.clone(),
        });
    }
    if let Some(name) = &args.baseline {
        // Fail before measuring anything when the baseline does not exist.
        crate::compare::resolve_baseline(
            Path::new(name),
            Path::new(crate::compare::DEFAULT_RESULTS_ROOT),
        )?;
    }
    let progress = !args.quiet;
    for s in &scenarios {
        if let Some(note) = &s.placement_note {
            lines(&format!("note: {}: {note}", s.info.file));
        }
    }
    raise_nofile_limit();

    // Versions of every runtime that will run, for the fingerprint.
    let mut runtimes = BTreeMap::new();
    for s in &scenarios {
        for listed in &s.servers {
            let name = s.server_of(listed);
            if !runtimes.contains_key(name) {
                let entry = registry.get(name)?;
                let version = match entry.availability() {
                    Ok(()) => entry.runtime_version(),
                    Err(why) => format!("unavailable ({why})"),
                };
                runtimes.insert(name.to_string(), version);
            }
        }
    }
    let environment = fingerprint(runtimes.clone());
    let id = run_id(&names.join("+"));
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("results").join(&id));
    let command_line: Vec<String> = std::env::args().collect();
    let mut folder = RunWriter::create(
        &out,
        RunManifest {
            schema_version: SCHEMA_VERSION,
            run_id: id.clone(),
            started_at: now_rfc3339(),
            finished_at: None,
            command_line: command_line.clone(),
            scenario_files: scenarios.iter().map(|s| s.info.file.clone()).collect(),
            environment: environment.clone(),
            results: Vec::new(),
            interrupted: false,
        },
    )?;
    if progress {
        lines(&format!("run {id}: writing results to {}", out.display()));
    }

    let mut rows = Vec::new();
    let mut junit_cases = Vec::new();
    let mut interrupted = false;
    'scenarios: for scenario in &scenarios {
        let upstream = match &scenario.upstream {
            Some(spec) if !interrupted => Some(spawn_upstream(spec.delay, spec.seed).map_err(
                |source| Error::Upstream {
                    file: scenario.info.file.clone(),
                    source,
                },
            )?),
            _ => None,
        };
        let extra_env = upstream
            .as_ref()
            .map(|u| vec![("UPSTREAM_URL".to_string(), u.url())])
            .unwrap_or_default();
        let cx = Context {
            run_id: &id,
            environment: &environment,
            interrupt,
            driver,
            extra_env,
            progress,
            lines,
            command_line: command_line.clone(),
        };
        for name in &scenario.servers {
            let entry = registry.get(scenario.server_of(name))?;
            let version = runtimes
                .get(scenario.server_of(name))
                .cloned()
                .unwrap_or_default();
            // A variant (a server listed again with its own CPUs) is measured
            // under its own name and CPUs.
            let variant = scenario.variant(name);
            let mut info = entry.info(version);
            info.name = name.clone();
            let mut result =
                measure::measure_server(&cx, variant.as_ref().unwrap_or(scenario), entry, info);
            if args.require_all {
                if let RunStatus::Skipped { reason } = &result.status {
                    result.status = RunStatus::Failed {
                        reason: format!("required but skipped (--require-all): {reason}"),
                        exit_status: None,
                        stderr_tail: Vec::new(),
                    };
                }
            }
            if !result.repetitions.is_empty() {
                result.thresholds = scenario
                    .thresholds
                    .iter()
                    .map(|t| t.evaluate(&result))
                    .collect();
            }
            let path = folder.write_result(&result)?;
            if progress {
                lines(&format!(
                    "[{} · {name}] {}; wrote {}",
                    scenario.info.name,
                    summary::status_text(&result.status),
                    path.display()
                ));
            }
            rows.push(Row::from_result(&result));
            junit_cases.push(crate::export::junit::RunCase::from(&result));
            if result.status == RunStatus::Interrupted || interrupt.is_raised() {
                interrupted = true;
                break 'scenarios;
            }
        }
    }
    folder.finish(interrupted)?;
    Ok(Measured {
        id,
        out,
        rows,
        junit_cases,
        interrupted,
    })
}

/// The scenario files named on the command line, a folder standing for the
/// `*.toml` files directly inside it, in name order.
fn scenario_files(args: &[PathBuf]) -> Result<Vec<PathBuf>, Error> {
    let mut files = Vec::new();
    for arg in args {
        if !arg.is_dir() {
            files.push(arg.clone());
            continue;
        }
        let mut inside: Vec<PathBuf> = std::fs::read_dir(arg)
            .map_err(|reason| Error::UnreadableFolder {
                path: arg.clone(),
                reason,
            })?
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "toml"))
            .collect();
        if inside.is_empty() {
            return Err(Error::NoScenarioFiles { path: arg.clone() });
        }
        inside.sort();
        files.extend(inside);
    }
    Ok(files)
}

/// Raises the soft open-files limit to the hard one: idle-connection
/// measurements and high connection counts need many descriptors (servers
/// started afterwards inherit it).
fn raise_nofile_limit() {
    // SAFETY: plain system calls on a local struct.
    unsafe {
        let mut lim: libc::rlimit = std::mem::zeroed();
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) == 0 && lim.rlim_cur < lim.rlim_max {
            lim.rlim_cur = lim.rlim_max;
            libc::setrlimit(libc::RLIMIT_NOFILE, &lim);
        }
    }
}
