//! JUnit XML for CI test views (through `quick-junit`, the serializer
//! cargo-nextest uses). `run --junit`: a test suite per scenario; per server
//! one case for the run itself (failed, skipped, interrupted) and one per
//! threshold. `compare --junit`: a suite per scenario, one case per metric
//! verdict; a regression is a failure, too few samples a skip.

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use crate::compare::{Comparison, Verdict};
use crate::results::{RunStatus, ServerRunResult, ThresholdOutcome};

/// What `run --junit` needs of one scenario × server result.
#[derive(Debug, Clone)]
pub struct RunCase {
    /// Scenario name.
    pub scenario: String,
    /// Server name.
    pub server: String,
    /// How the run of this server ended.
    pub status: RunStatus,
    /// Its thresholds and their outcome.
    pub thresholds: Vec<ThresholdOutcome>,
}

impl From<&ServerRunResult> for RunCase {
    fn from(r: &ServerRunResult) -> Self {
        RunCase {
            scenario: r.scenario.name.clone(),
            server: r.server.name.clone(),
            status: r.status.clone(),
            thresholds: r.thresholds.clone(),
        }
    }
}

fn failure(message: String) -> TestCaseStatus {
    let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
    status.set_message(message);
    status
}

fn skipped(message: String) -> TestCaseStatus {
    let mut status = TestCaseStatus::skipped();
    status.set_message(message);
    status
}

fn case(scenario: &str, server: &str, name: String, status: TestCaseStatus) -> TestCase {
    let mut case = TestCase::new(name, status);
    case.set_classname(format!("{scenario}.{server}"));
    case
}

/// Groups `cases` into one suite per scenario, in first-seen order.
fn suites(cases: Vec<(String, TestCase)>) -> Vec<TestSuite> {
    let mut suites: Vec<TestSuite> = Vec::new();
    for (scenario, case) in cases {
        match suites.iter_mut().find(|s| s.name.as_str() == scenario) {
            Some(suite) => {
                suite.add_test_case(case);
            }
            None => {
                let mut suite = TestSuite::new(scenario);
                suite.add_test_case(case);
                suites.push(suite);
            }
        }
    }
    suites
}

/// The JUnit report of a `run`.
pub fn run(run_id: &str, results: &[RunCase]) -> Result<String, super::Error> {
    let mut cases = Vec::new();
    for r in results {
        let status = match &r.status {
            RunStatus::Ok => TestCaseStatus::success(),
            RunStatus::Failed { reason, .. } => failure(reason.clone()),
            RunStatus::Skipped { reason } => skipped(reason.clone()),
            RunStatus::Interrupted => skipped("interrupted (Ctrl-C)".into()),
        };
        let name = format!("{}: ran", r.server);
        cases.push((
            r.scenario.clone(),
            case(&r.scenario, &r.server, name, status),
        ));
        for t in &r.thresholds {
            let status = if t.passed {
                TestCaseStatus::success()
            } else {
                failure(format!(
                    "{} failed: observed {}, limit {}",
                    t.expression, t.observed, t.limit
                ))
            };
            let name = format!("{}: {}", r.server, t.expression);
            cases.push((
                r.scenario.clone(),
                case(&r.scenario, &r.server, name, status),
            ));
        }
    }
    let mut report = Report::new(format!("gauntlet run {run_id}"));
    report.add_test_suites(suites(cases));
    Ok(report.to_string()?)
}

/// The JUnit report of a `compare`.
pub fn compare(c: &Comparison) -> Result<String, super::Error> {
    let mut cases = Vec::new();
    for (entry, m) in c.metrics() {
        let change = m
            .change
            .map(|x| format!("{:+.1} %", x * 100.0))
            .unwrap_or_else(|| "no median".into());
        let status = match m.verdict {
            Verdict::Regressed => failure(format!(
                "{} regressed: {change} (baseline median {}, current median {} {}){}",
                m.metric,
                m.baseline_median
                    .map(|v| format!("{v:.3}"))
                    .unwrap_or_default(),
                m.current_median
                    .map(|v| format!("{v:.3}"))
                    .unwrap_or_default(),
                m.unit,
                if c.cross_machine {
                    "; cross-machine comparison"
                } else {
                    ""
                }
            )),
            Verdict::NotEnoughSamples { .. } => skipped(m.verdict.label()),
            Verdict::Improved | Verdict::NoChange => TestCaseStatus::success(),
        };
        let name = format!("{}: {}", entry.server, m.metric);
        cases.push((
            entry.scenario.clone(),
            case(&entry.scenario, &entry.server, name, status),
        ));
    }
    let mut report = Report::new(format!(
        "gauntlet compare {} {}",
        c.baseline_run_id, c.current_run_id
    ));
    report.add_test_suites(suites(cases));
    Ok(report.to_string()?)
}
