//! Latency against offered load for a scenario with a capacity search: every
//! server on one chart, x the offered rate of each step, y its corrected
//! latency at the SLO's percentile (p99 unless the SLO names another) on a
//! log axis. Steps that held the SLO are filled dots, steps that broke it
//! hollow; the SLO limit is a dashed red line and each server's capacity a
//! dotted vertical line in its colour.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::frame::{legend, line_mesh, solid_key, Frame, LONG_KEY};
use super::slug;
use crate::report::chart::{marks_banner, ms_label, no_data, si, Chart, ChartError, FAIL_RED};
use crate::report::model::ReportData;
use crate::results::{CapacityResult, CapacityStep};
use crate::scenario::thresholds::{Metric, Threshold};

/// Latency vs offered load of one scenario.
pub struct CapacityChart {
    /// The scenario.
    pub scenario: String,
}

/// The percentile the chart plots and the SLO clause on it (as written, and
/// its limit in ms), from the first latency clause the steps record (p50,
/// p90, p99, p99.9).
pub fn plotted_percentile(c: &CapacityResult) -> (&'static str, Option<(String, f64)>) {
    for clause in &c.slo {
        if let Ok(t) = clause.parse::<Threshold>() {
            if let Metric::Latency(which @ ("p50" | "p90" | "p99" | "p99.9")) = t.metric {
                return (which, Some((t.expression, t.limit / 1e3)));
            }
        }
    }
    ("p99", None)
}

fn latency_ms(step: &CapacityStep, which: &str) -> f64 {
    let us = match which {
        "p50" => step.p50_us,
        "p90" => step.p90_us,
        "p99.9" => step.p99_9_us,
        _ => step.p99_us,
    };
    (us as f64 / 1e3).max(0.001)
}

impl Chart for CapacityChart {
    fn file_stem(&self) -> String {
        format!("capacity-{}", slug(&self.scenario))
    }

    fn title(&self) -> String {
        format!("Latency vs offered load — {}", self.scenario)
    }

    fn caption(&self) -> String {
        "Each dot is one step of the capacity search (open model, latency corrected for coordinated omission): filled when every SLO clause held, hollow when one broke. The dashed red line is the SLO's latency limit; a dotted vertical line marks each server's capacity, the highest offered rate that held the SLO. The y axis is logarithmic.".into()
    }

    fn draw<DB: DrawingBackend>(
        &self,
        data: &ReportData,
        root: &DrawingArea<DB, Shift>,
    ) -> Result<(), ChartError> {
        let searches: Vec<_> = data
            .scenario_entries(&self.scenario)
            .filter_map(|e| e.result.capacity.as_ref().map(|c| (e, c)))
            .filter(|(_, c)| !c.steps.is_empty())
            .collect();
        let Some((_, first)) = searches.first() else {
            return no_data(
                root,
                &self.title(),
                "no capacity search steps in these results",
            );
        };
        let (which, clause) = plotted_percentile(first);
        let limit = clause.as_ref().map(|c| c.1);
        let all = || searches.iter().flat_map(|(_, c)| c.steps.iter());
        let x_max = all().map(|s| s.offered_rps).fold(0.0f64, f64::max) * 1.08;
        let values = || all().map(|s| latency_ms(s, which)).chain(limit);
        let lo = values().fold(f64::INFINITY, f64::min);
        let hi = values().fold(0.0f64, f64::max);
        let mut chart = Frame::LINE
            .builder(root, &self.title())
            .build_cartesian_2d(0f64..x_max.max(1.0), ((lo * 0.7)..(hi * 1.6)).log_scale())?;
        let y_desc = format!("{which} latency (ms, log scale)");
        line_mesh(&mut chart, "offered load (requests/s)", &y_desc)
            .x_labels(8)
            .y_labels(6)
            .max_light_lines(2)
            .x_label_formatter(&|x| si(*x))
            .y_label_formatter(&|y| ms_label(*y))
            .draw()?;
        if let Some((expression, limit)) = clause {
            chart
                .draw_series(DashedLineSeries::new(
                    [(0.0, limit), (x_max, limit)],
                    9,
                    6,
                    FAIL_RED.stroke_width(2),
                ))?
                .label(format!("SLO: {expression}"))
                .legend(solid_key(FAIL_RED, 2, LONG_KEY));
        }
        let (y_lo, y_hi) = (lo * 0.7, hi * 1.6);
        for (e, c) in &searches {
            let s = &data.series[e.series];
            let color = s.color;
            let mut steps: Vec<&CapacityStep> = c.steps.iter().collect();
            steps.sort_by(|a, b| a.offered_rps.total_cmp(&b.offered_rps));
            let points: Vec<(f64, f64)> = steps
                .iter()
                .map(|st| (st.offered_rps, latency_ms(st, which)))
                .collect();
            let limited = c
                .steps
                .iter()
                .any(|st| Some(st.offered_rps) == c.first_fail_rps && st.generator_limited);
            let label = match c.capacity_rps {
                Some(cap) => format!("{} (capacity {} req/s)", e.marked_label(s), si(cap)),
                None => format!("{} (no rate held the SLO)", e.marked_label(s)),
            } + if limited {
                " ⚠ generator-limited"
            } else {
                ""
            };
            chart
                .draw_series(LineSeries::new(points, color.stroke_width(2)))?
                .label(label)
                .legend(solid_key(color, 3, LONG_KEY));
            chart.draw_series(steps.iter().map(|st| {
                let style = if st.passed {
                    color.filled()
                } else {
                    color.stroke_width(2)
                };
                Circle::new((st.offered_rps, latency_ms(st, which)), 5, style)
            }))?;
            if let Some(cap) = c.capacity_rps {
                chart.draw_series(DashedLineSeries::new(
                    [(cap, y_lo), (cap, y_hi)],
                    2,
                    4,
                    color.stroke_width(2),
                ))?;
            }
        }
        marks_banner(root, data, searches.iter().map(|(e, _)| *e))?;
        legend(&mut chart)
    }
}
