//! Startup time per server: every cold start (spawn to first correct
//! response) as a dot, the median as a bar across them, pooled over the
//! scenarios of the report.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::frame::{categorical_mesh, Frame};
use crate::report::chart::{
    font, log_sub_ticks, ms_label, no_data, CategoryLabels, Chart, ChartError, FAIL_RED,
};
use crate::report::model::ReportData;
use crate::stats::median;

/// Startup distribution of every server in the report.
pub struct StartupChart;

impl Chart for StartupChart {
    fn file_stem(&self) -> String {
        "startup".into()
    }

    fn title(&self) -> String {
        "Startup time (cold starts)".into()
    }

    fn caption(&self) -> String {
        "Each dot is one cold start, from spawn to the first correct response; the black bar is the median. Log scale.".into()
    }

    fn draw<DB: DrawingBackend>(
        &self,
        data: &ReportData,
        root: &DrawingArea<DB, Shift>,
    ) -> Result<(), ChartError> {
        let mut groups: Vec<(usize, Vec<f64>, bool)> = Vec::new();
        for e in &data.entries {
            let failed = e.summary.state.mark().is_some();
            let samples = e
                .result
                .startup
                .as_ref()
                .map(|s| s.samples_ms.clone())
                .unwrap_or_default();
            match groups.iter_mut().find(|g| g.0 == e.series) {
                Some(g) => {
                    g.1.extend(samples);
                    g.2 |= failed;
                }
                None => groups.push((e.series, samples, failed)),
            }
        }
        groups.retain(|g| !g.1.is_empty());
        if groups.is_empty() {
            return no_data(
                root,
                &self.title(),
                "no startup measurements in these results",
            );
        }
        let all = || groups.iter().flat_map(|g| g.1.iter().copied());
        let lo = all().fold(f64::INFINITY, f64::min).max(0.01);
        let hi = all().fold(0.0f64, f64::max).max(lo * 2.0);
        let n = groups.len() as f64;
        let names: Vec<&str> = groups
            .iter()
            .map(|g| data.series[g.0].label.as_str())
            .collect();
        let labels = CategoryLabels::fit(root, &names);
        let marks = usize::from(groups.iter().any(|g| g.2));
        let mut chart = Frame::categorical(&labels, marks)
            .builder(root, &self.title())
            .build_cartesian_2d(0f64..n, ((lo * 0.6)..(hi * 1.8)).log_scale())?;
        categorical_mesh(&mut chart, "startup (ms, log scale)")
            .y_label_formatter(&|_| String::new())
            .draw()?;
        log_sub_ticks(root, &mut chart)?;
        for (i, (series, samples, failed)) in groups.iter().enumerate() {
            let s = &data.series[*series];
            let x = i as f64 + 0.5;
            let count = samples.len().max(2) as f64;
            chart.draw_series(samples.iter().enumerate().map(|(k, v)| {
                // spread the dots across the slot so that equal values stay visible
                let dx = (k as f64 / (count - 1.0) - 0.5) * 0.4;
                Circle::new((x + dx, *v), 6, s.color.mix(0.8).filled())
            }))?;
            // Groups hold at least one sample (empty ones were dropped).
            let median = median(samples).unwrap_or(0.0);
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(x - 0.3, median), (x + 0.3, median)],
                BLACK.stroke_width(3),
            )))?;
            let (px, py) = chart.backend_coord(&(x + 0.3, median));
            root.draw(&Text::new(
                format!("{} ms", ms_label(median)),
                (px + 6, py),
                font(14).pos(Pos::new(HPos::Left, VPos::Center)),
            ))?;
            let (lx, ly) = chart.backend_coord(&(x, lo * 0.6));
            let below = labels.draw(root, i, (lx, ly))?;
            if *failed {
                root.draw(&Text::new(
                    "run FAILED",
                    (lx, below),
                    font(15)
                        .color(&FAIL_RED)
                        .pos(Pos::new(HPos::Center, VPos::Top)),
                ))?;
            }
        }
        Ok(())
    }
}
