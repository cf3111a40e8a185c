//! Server memory over time for one scenario: resident set size of the whole
//! process tree, sampled before and during the load of the median repetition.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::frame::{draw_line, legend, line_mesh, Frame, Line, KEY};
use super::slug;
use crate::report::chart::{marks_banner, no_data, Chart, ChartError};
use crate::report::model::ReportData;

const MIB: f64 = 1024.0 * 1024.0;

/// RSS timeline of one scenario.
pub struct RssTimelineChart {
    /// The scenario.
    pub scenario: String,
}

impl Chart for RssTimelineChart {
    fn file_stem(&self) -> String {
        format!("rss-over-time-{}", slug(&self.scenario))
    }

    fn title(&self) -> String {
        format!("Server memory over time — {}", self.scenario)
    }

    fn caption(&self) -> String {
        "Resident set size summed over the server's process tree, in each server's median repetition; the grey line marks the start of the load (negative times are idle).".into()
    }

    fn draw<DB: DrawingBackend>(
        &self,
        data: &ReportData,
        root: &DrawingArea<DB, Shift>,
    ) -> Result<(), ChartError> {
        let mut lines = Vec::new();
        for e in data.scenario_entries(&self.scenario) {
            let Some(usage) = e.median_repetition().and_then(|r| r.server.as_ref()) else {
                continue;
            };
            if usage.timeline.is_empty() {
                continue;
            }
            let s = &data.series[e.series];
            let points: Vec<(f64, f64)> = usage
                .timeline
                .iter()
                .map(|p| (p.t_s, p.rss_bytes as f64 / MIB))
                .collect();
            lines.push(Line {
                label: e.marked_label(s),
                color: s.color,
                solid: true,
                points,
            });
        }
        if lines.is_empty() {
            return no_data(
                root,
                &self.title(),
                "no server samples (external target, or nothing measured)",
            );
        }
        let all = || lines.iter().flat_map(|l| l.points.iter());
        let t_min = all().map(|p| p.0).fold(0.0f64, f64::min);
        let t_max = all().map(|p| p.0).fold(1.0f64, f64::max);
        let hi = all().map(|p| p.1).fold(1.0f64, f64::max);
        let mut chart = Frame::LINE
            .builder(root, &self.title())
            .build_cartesian_2d(t_min..t_max, 0f64..(hi * 1.3))?;
        line_mesh(
            &mut chart,
            "time since the load began (s)",
            "server RSS (MiB)",
        )
        .draw()?;
        if t_min < 0.0 {
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(0.0, 0.0), (0.0, hi * 1.3)],
                RGBColor(150, 150, 150).stroke_width(2),
            )))?;
        }
        for line in lines {
            draw_line(&mut chart, line, KEY)?;
        }
        marks_banner(root, data, data.scenario_entries(&self.scenario))?;
        legend(&mut chart)
    }
}
