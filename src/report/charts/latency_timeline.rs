//! Latency over time for one scenario: p50 (solid) and p99 (dashed) of each
//! one-second interval of each server's median repetition.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::slug;
use crate::report::chart::{font, legend, log_sub_ticks, marks_banner, no_data, Chart, ChartError};
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
            lines.push((format!("{label} p50"), s.color, true, p50));
            lines.push((format!("{label} p99"), s.color, false, p99));
        }
        if lines.is_empty() {
            return no_data(
                root,
                &self.title(),
                "no interval statistics in these results",
            );
        }
        let all = || lines.iter().flat_map(|l| l.3.iter());
        let t_max = all().map(|p| p.0).fold(1.0f64, f64::max);
        let lo = all().map(|p| p.1).fold(f64::INFINITY, f64::min);
        let hi = all().map(|p| p.1).fold(0.0f64, f64::max);
        let mut chart = ChartBuilder::on(root)
            .caption(self.title(), font(22))
            .margin(14)
            .margin_right(28)
            .x_label_area_size(48)
            .y_label_area_size(78)
            .build_cartesian_2d(0f64..t_max, ((lo * 0.7)..(hi * 2.5)).log_scale())?;
        chart
            .configure_mesh()
            .x_desc("time since measuring began (s)")
            .y_desc("latency (ms, log scale)")
            .y_label_formatter(&|_| String::new())
            .axis_desc_style(font(16))
            .label_style(font(14))
            .light_line_style(RGBColor(235, 235, 235))
            .draw()?;
        log_sub_ticks(root, &mut chart)?;
        for (label, color, solid, points) in lines {
            if solid {
                chart
                    .draw_series(LineSeries::new(points, color.stroke_width(3)))?
                    .label(label)
                    .legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + 19, y)], color.stroke_width(3))
                    });
            } else {
                chart
                    .draw_series(DashedLineSeries::new(points, 7, 5, color.stroke_width(2)))?
                    .label(label)
                    .legend(move |(x, y)| {
                        EmptyElement::at((x, y))
                            + PathElement::new(vec![(0, 0), (7, 0)], color.stroke_width(2))
                            + PathElement::new(vec![(12, 0), (19, 0)], color.stroke_width(2))
                    });
            }
        }
        marks_banner(root, data, data.scenario_entries(&self.scenario))?;
        legend(&mut chart)
    }
}
