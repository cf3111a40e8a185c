//! Throughput per server for one scenario: bars at the median over
//! repetitions (the figure `gauntlet run` prints and the ranking uses),
//! whiskers from the slowest to the fastest repetition.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::slug;
use crate::report::chart::{bar_chart, si, Bar, Chart, ChartError};
use crate::report::model::ReportData;

/// Throughput bars of one scenario.
pub struct ThroughputChart {
    /// The scenario.
    pub scenario: String,
}

impl Chart for ThroughputChart {
    fn file_stem(&self) -> String {
        format!("throughput-{}", slug(&self.scenario))
    }

    fn title(&self) -> String {
        format!("Median throughput — {}", self.scenario)
    }

    fn caption(&self) -> String {
        "Completed requests per second, median over repetitions; whiskers span the slowest to the fastest repetition. Hatched bars are marked figures, not clean ones.".into()
    }

    fn draw<DB: DrawingBackend>(
        &self,
        data: &ReportData,
        root: &DrawingArea<DB, Shift>,
    ) -> Result<(), ChartError> {
        let bars: Vec<Bar> = data
            .scenario_entries(&self.scenario)
            .map(|e| {
                let s = &data.series[e.series];
                let t = e.summary.throughput;
                Bar {
                    label: s.label.clone(),
                    color: s.color,
                    value: t.map(|t| t.median),
                    whisker: t.filter(|t| t.n > 1).map(|t| (t.min, t.max)),
                    value_text: t
                        .map(|t| format!("{} req/s (n={})", si(t.median), t.n))
                        .unwrap_or_default(),
                    limited: e.summary.limited(),
                    state_mark: e.summary.state.mark(),
                }
            })
            .collect();
        bar_chart(root, &self.title(), "median throughput (requests/s)", &bars)
    }
}
