//! Idle vs peak server memory for one scenario: per server, a light bar for
//! the RSS after startup before any load, a solid bar for the largest RSS
//! seen under load.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::frame::{categorical_mesh, legend, Frame};
use super::slug;
use crate::report::chart::{font, hatch, no_data, CategoryLabels, Chart, ChartError, FAIL_RED};
use crate::report::model::ReportData;

const MIB: f64 = 1024.0 * 1024.0;

/// Idle vs peak RSS bars of one scenario.
pub struct MemoryChart {
    /// The scenario.
    pub scenario: String,
}

impl Chart for MemoryChart {
    fn file_stem(&self) -> String {
        format!("memory-{}", slug(&self.scenario))
    }

    fn title(&self) -> String {
        format!("Server memory: idle vs peak — {}", self.scenario)
    }

    fn caption(&self) -> String {
        "Light bar: RSS after startup, before load (median over repetitions). Solid bar: peak RSS under load (median over repetitions of each one's peak, as `gauntlet run` prints). Whole process tree.".into()
    }

    fn draw<DB: DrawingBackend>(
        &self,
        data: &ReportData,
        root: &DrawingArea<DB, Shift>,
    ) -> Result<(), ChartError> {
        let entries: Vec<_> = data.scenario_entries(&self.scenario).collect();
        if entries
            .iter()
            .all(|e| e.summary.idle_rss.is_none() && e.summary.peak_rss.is_none())
        {
            return no_data(
                root,
                &self.title(),
                "no server memory samples (external target, or nothing measured)",
            );
        }
        let hi = entries
            .iter()
            .flat_map(|e| [e.summary.idle_rss, e.summary.peak_rss])
            .flatten()
            .max()
            .unwrap_or(1) as f64
            / MIB;
        let n = entries.len() as f64;
        let names: Vec<&str> = entries
            .iter()
            .map(|e| data.series[e.series].label.as_str())
            .collect();
        let labels = CategoryLabels::fit(root, &names);
        let marks = usize::from(entries.iter().any(|e| e.summary.state.mark().is_some()));
        let mut chart = Frame::categorical(&labels, marks)
            .builder(root, &self.title())
            .build_cartesian_2d(0f64..n, 0f64..(hi * 1.3).max(1.0))?;
        categorical_mesh(&mut chart, "server RSS (MiB)").draw()?;
        let key = RGBColor(110, 110, 110);
        chart
            .draw_series(std::iter::empty::<Rectangle<(f64, f64)>>())?
            .label("idle (before load)")
            .legend(move |(x, y)| {
                Rectangle::new([(x, y - 6), (x + 16, y + 6)], key.mix(0.35).filled())
            });
        chart
            .draw_series(std::iter::empty::<Rectangle<(f64, f64)>>())?
            .label("peak (under load)")
            .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 16, y + 6)], key.filled()));
        for (i, e) in entries.iter().enumerate() {
            let s = &data.series[e.series];
            let x = i as f64;
            let bars = [
                (x + 0.14, x + 0.48, e.summary.idle_rss, s.color.mix(0.35)),
                (x + 0.52, x + 0.86, e.summary.peak_rss, s.color.mix(1.0)),
            ];
            for (l, r, value, fill) in bars {
                let Some(v) = value.map(|v| v as f64 / MIB) else {
                    continue;
                };
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(l, 0.0), (r, v)],
                    fill.filled(),
                )))?;
                if e.summary.state.mark().is_some() {
                    let a = chart.backend_coord(&(l, 0.0));
                    let b = chart.backend_coord(&(r, v));
                    hatch(root, a, b, FAIL_RED)?;
                }
                let (px, py) = chart.backend_coord(&((l + r) / 2.0, v));
                root.draw(&Text::new(
                    format!("{v:.1}"),
                    (px, py - 4),
                    font(14).pos(Pos::new(HPos::Center, VPos::Bottom)),
                ))?;
            }
            let (lx, ly) = chart.backend_coord(&(x + 0.5, 0.0));
            let below = labels.draw(root, i, (lx, ly))?;
            if let Some(mark) = e.summary.state.mark() {
                root.draw(&Text::new(
                    mark,
                    (lx, below),
                    font(15)
                        .color(&FAIL_RED)
                        .pos(Pos::new(HPos::Center, VPos::Top)),
                ))?;
            }
        }
        legend(&mut chart)
    }
}
