//! Throughput over time for one scenario: completed requests per second in
//! each interval of each server's median repetition.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::frame::{draw_line, legend, line_mesh, Frame, Line, KEY};
use super::slug;
use crate::report::chart::{marks_banner, no_data, si, Chart, ChartError, FAIL_RED};
use crate::report::model::ReportData;

/// Throughput timeline of one scenario.
pub struct ThroughputTimelineChart {
    /// The scenario.
    pub scenario: String,
}

impl Chart for ThroughputTimelineChart {
    fn file_stem(&self) -> String {
        format!("throughput-over-time-{}", slug(&self.scenario))
    }

    fn title(&self) -> String {
        format!("Throughput over time — {}", self.scenario)
    }

    fn caption(&self) -> String {
        "Completed requests per second in each interval of each server's median repetition (by throughput); errors are drawn as crosses when there were any. A run's short last interval is left out.".into()
    }

    fn draw<DB: DrawingBackend>(
        &self,
        data: &ReportData,
        root: &DrawingArea<DB, Shift>,
    ) -> Result<(), ChartError> {
        let mut lines = Vec::new();
        for e in data.scenario_entries(&self.scenario) {
            let Some(rep) = e.median_repetition() else {
                continue;
            };
            let s = &data.series[e.series];
            let points: Vec<(f64, f64, u64)> = super::timeline_points(&rep.load.intervals)
                .map(|(end, i)| (end, i.requests as f64 / i.length_s, i.errors))
                .collect();
            if !points.is_empty() {
                lines.push((e.marked_label(s), s.color, points));
            }
        }
        if lines.is_empty() {
            return no_data(
                root,
                &self.title(),
                "no interval statistics in these results",
            );
        }
        let t_max = lines
            .iter()
            .flat_map(|l| l.2.iter().map(|p| p.0))
            .fold(1.0f64, f64::max);
        let hi = lines
            .iter()
            .flat_map(|l| l.2.iter().map(|p| p.1))
            .fold(1.0f64, f64::max);
        let mut chart = Frame::LINE
            .builder(root, &self.title())
            .build_cartesian_2d(0f64..t_max, 0f64..(hi * 1.3))?;
        line_mesh(
            &mut chart,
            "time since measuring began (s)",
            "throughput (requests/s)",
        )
        .y_label_formatter(&|y| si(*y))
        .draw()?;
        for (label, color, points) in lines {
            let errors: Vec<(f64, f64)> = points
                .iter()
                .filter(|p| p.2 > 0)
                .map(|p| (p.0, p.1))
                .collect();
            let line = Line {
                label,
                color,
                solid: true,
                points: points.iter().map(|p| (p.0, p.1)).collect(),
            };
            draw_line(&mut chart, line, KEY)?;
            chart.draw_series(
                errors
                    .into_iter()
                    .map(|p| Cross::new(p, 6, FAIL_RED.stroke_width(2))),
            )?;
        }
        marks_banner(root, data, data.scenario_entries(&self.scenario))?;
        legend(&mut chart)
    }
}
