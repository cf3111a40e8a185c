//! The runtime × endpoint matrix at the top of a report over several
//! scenarios: for each scenario (column) and server (row), its median
//! throughput and its median requests per server CPU-second, each as a share
//! of the best comparable server of that column.
//!
//! Only what is comparable is compared. A throughput counts only when the
//! server bounded it (its CPUs were busy); a throughput the generator or the
//! scenario's own concurrency bounded is shown in words, never as a share of
//! a best it did not compete for. Requests per CPU-second is the work each
//! server did per CPU-second at the load it was given, so it counts whenever
//! the server ran cleanly and its CPU time was measured.

use super::model::{Entry, ReportData, State};

/// Which figure a matrix shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Figure {
    /// Median throughput, requests per second.
    Throughput,
    /// Median requests per server CPU-second.
    Efficiency,
}

impl Figure {
    /// The heading of the matrix.
    pub fn title(self) -> &'static str {
        match self {
            Figure::Throughput => "Throughput, as a share of the best server-bound server",
            Figure::Efficiency => {
                "Requests per server CPU-second, as a share of the most efficient"
            }
        }
    }
}

/// One cell of the matrix.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// The server was not in this scenario.
    Absent,
    /// A figure that competes: its value and its share of the column's best (0–1].
    Ranked {
        /// The figure, in its unit.
        value: f64,
        /// `value` ÷ the best ranked value of the column.
        share: f64,
    },
    /// A figure shown but not compared, with why (e.g. `scenario-bound`, `FAILED`).
    Unranked {
        /// The figure, when there is one.
        value: Option<f64>,
        /// Why it is not compared, in a few words.
        why: String,
    },
}

/// One server's row.
#[derive(Debug, Clone)]
pub struct Row {
    /// Index into [`ReportData::series`].
    pub series: usize,
    /// One cell per column of [`Matrix::scenarios`].
    pub cells: Vec<Cell>,
}

/// A whole matrix for one figure.
#[derive(Debug, Clone)]
pub struct Matrix {
    /// What the cells hold.
    pub figure: Figure,
    /// The columns: the scenarios that ran repetitions, in report order (a
    /// capacity search has its own table and chart).
    pub scenarios: Vec<String>,
    /// One row per series, in series order.
    pub rows: Vec<Row>,
}

/// The scenarios whose servers ran repetitions: the matrix's columns.
fn columns(data: &ReportData) -> Vec<String> {
    data.scenarios
        .iter()
        .filter(|s| data.has_repetitions(s))
        .cloned()
        .collect()
}

/// True when the report covers enough to make a matrix worth drawing: at
/// least two scenarios with repetitions and two servers.
pub fn wanted(data: &ReportData) -> bool {
    columns(data).len() >= 2 && data.series.len() >= 2
}

/// Why an entry's figure does not compete, or `None` when it does.
fn not_comparable(e: &Entry, figure: Figure) -> Option<String> {
    if let Some(mark) = e.summary.state.mark() {
        return Some(mark.to_string());
    }
    debug_assert_eq!(e.summary.state, State::Ok);
    match figure {
        Figure::Throughput => e.summary.limited().map(String::from),
        Figure::Efficiency => None,
    }
}

fn value(e: &Entry, figure: Figure) -> Option<f64> {
    match figure {
        Figure::Throughput => e.summary.throughput.map(|s| s.median),
        Figure::Efficiency => e.summary.req_per_cpu_s.map(|s| s.median),
    }
    .filter(|v| v.is_finite() && *v > 0.0)
}

/// Builds the matrix of `figure` over every scenario and series of `data`.
pub fn build(data: &ReportData, figure: Figure) -> Matrix {
    let scenarios = columns(data);
    let mut rows: Vec<Row> = (0..data.series.len())
        .map(|series| Row {
            series,
            cells: vec![Cell::Absent; scenarios.len()],
        })
        .collect();
    for (col, scenario) in scenarios.iter().enumerate() {
        let entries: Vec<&Entry> = data.scenario_entries(scenario).collect();
        let best = entries
            .iter()
            .filter(|e| not_comparable(e, figure).is_none())
            .filter_map(|e| value(e, figure))
            .fold(0.0_f64, f64::max);
        for e in entries {
            let v = value(e, figure);
            rows[e.series].cells[col] = match (not_comparable(e, figure), v) {
                (None, Some(v)) if best > 0.0 => Cell::Ranked {
                    value: v,
                    share: v / best,
                },
                (None, _) => Cell::Unranked {
                    value: None,
                    why: match figure {
                        Figure::Throughput => "no figure".into(),
                        Figure::Efficiency if e.summary.cpu_below_resolution => {
                            "below resolution".into()
                        }
                        Figure::Efficiency => "CPU not measured".into(),
                    },
                },
                (Some(why), value) => Cell::Unranked { value, why },
            };
        }
    }
    Matrix {
        figure,
        scenarios,
        rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_say_what_the_share_is_of() {
        assert!(Figure::Throughput.title().contains("server-bound"));
        assert!(Figure::Efficiency.title().contains("CPU-second"));
    }
}
