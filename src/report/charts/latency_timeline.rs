//! Latency over time for one scenario: p50 (solid) and p99 (dashed) of each
//! one-second interval of each server's median repetition.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::frame::{draw_line, legend, line_mesh, Frame, Line, KEY};
use super::slug;
use crate::report::chart::{log_sub_ticks, marks_banner, no_data, Chart, ChartError};
use crate::report::model::ReportData;

/// Latency timeline of one scenario.
pub struct LatencyTimelineChart {
    /// The scenario.
    pub scenario: String,
}

impl Chart for LatencyTimelineChart {
    fn file_stem(&self) -> String {
        format!("latency-over-time-{}", slug(&self.scenario))
    }

    fn title(&self) -> String {
        format!("Latency over time — {}", self.scenario)
    }

    fn caption(&self) -> String {
        "Per-interval p50 (solid) and p99 (dashed) of each server's median repetition (by throughput); y axis logarithmic. A run's short last interval is left out.".into()
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
            if rep.load.intervals.is_empty() {
                continue;
            }
            let s = &data.series[e.series];
            let points = || super::timeline_points(&rep.load.intervals);
            let ms = |us: u64| (us as f64 / 1000.0).max(0.001);
            let p50: Vec<(f64, f64)> = points().map(|(end, i)| (end, ms(i.p50_us))).collect();
            let p99: Vec<(f64, f64)> = points().map(|(end, i)| (end, ms(i.p99_us))).collect();
            let label = e.marked_label(s);
            lines.push(Line {
                label: format!("{label} p50"),
                color: s.color,
                solid: true,
                points: p50,
            });
            lines.push(Line {
                label: format!("{label} p99"),
                color: s.color,
                solid: false,
                points: p99,
            });
        }
        if lines.is_empty() {
            return no_data(
                root,
                &self.title(),
                "no interval statistics in these results",
            );
        }
        let all = || lines.iter().flat_map(|l| l.points.iter());
        let t_max = all().map(|p| p.0).fold(1.0f64, f64::max);
        let lo = all().map(|p| p.1).fold(f64::INFINITY, f64::min);
        let hi = all().map(|p| p.1).fold(0.0f64, f64::max);
        let mut chart = Frame::LINE
            .builder(root, &self.title())
            .build_cartesian_2d(0f64..t_max, ((lo * 0.7)..(hi * 2.5)).log_scale())?;
        line_mesh(
            &mut chart,
            "time since measuring began (s)",
            "latency (ms, log scale)",
        )
        .y_label_formatter(&|_| String::new())
        .draw()?;
        log_sub_ticks(root, &mut chart)?;
        for line in lines {
            draw_line(&mut chart, line, KEY)?;
        }
        marks_banner(root, data, data.scenario_entries(&self.scenario))?;
        legend(&mut chart)
    }
}
