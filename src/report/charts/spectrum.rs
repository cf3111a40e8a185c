//! The latency percentile spectrum of one scenario (the HdrHistogram view):
//! x is the percentile on a log scale from 0 to 99.999 %, y the latency.
//! Corrected latency is drawn solid, service time dashed, in the server's colour.

use hdrhistogram::Histogram;
use plotters::coord::Shift;
use plotters::prelude::*;

use super::frame::{draw_line, legend, line_mesh, Frame, Line, LONG_KEY};
use super::slug;
use crate::report::chart::{log_sub_ticks, marks_banner, no_data, Chart, ChartError};
use crate::report::model::ReportData;

/// Highest "nines" drawn: 5 is 99.999 %.
const MAX_NINES: f64 = 5.0;

/// Latency spectrum of one scenario.
pub struct SpectrumChart {
    /// The scenario.
    pub scenario: String,
}

/// The x coordinate of percentile `p` (0–100): the number of nines,
/// `-log10(1 - p/100)`, so 90 % is 1, 99 % is 2, 99.9 % is 3.
pub fn nines(p: f64) -> f64 {
    -(1.0 - p / 100.0).max(1e-12).log10()
}

/// The label of x coordinate `x` when it is a whole number of nines.
fn percentile_label(x: f64) -> String {
    if (x - x.round()).abs() > 1e-6 {
        return String::new();
    }
    match x.round() as i32 {
        0 => "0%".into(),
        1 => "90%".into(),
        2 => "99%".into(),
        3 => "99.9%".into(),
        4 => "99.99%".into(),
        5 => "99.999%".into(),
        _ => String::new(),
    }
}

/// Points (nines, latency in ms) of the spectrum of `h`.
fn curve(h: &Histogram<u64>) -> Vec<(f64, f64)> {
    (0..=250)
        .map(|k| {
            let x = k as f64 * MAX_NINES / 250.0;
            let q = 1.0 - 10f64.powf(-x);
            let v = h.value_at_quantile(q.min(1.0)) as f64 / 1000.0;
            (x, v.max(0.001))
        })
        .collect()
}

impl Chart for SpectrumChart {
    fn file_stem(&self) -> String {
        format!("latency-spectrum-{}", slug(&self.scenario))
    }

    fn title(&self) -> String {
        format!("Latency by percentile — {}", self.scenario)
    }

    fn caption(&self) -> String {
        "All repetitions merged. Solid: latency from the intended send time (corrected for coordinated omission in the open model). Dashed: service time from the actual send. Both axes are logarithmic.".into()
    }

    fn draw<DB: DrawingBackend>(
        &self,
        data: &ReportData,
        root: &DrawingArea<DB, Shift>,
    ) -> Result<(), ChartError> {
        let mut lines = Vec::new();
        for e in data.scenario_entries(&self.scenario) {
            let s = &data.series[e.series];
            let label = e.marked_label(s);
            if let Some(h) = &e.summary.latency {
                let what = if e.summary.corrected {
                    "latency (corrected)"
                } else {
                    "latency (closed model, uncorrected)"
                };
                lines.push(Line {
                    label: format!("{label} {what}"),
                    color: s.color,
                    solid: true,
                    points: curve(h),
                });
            }
            if e.summary.corrected {
                if let Some(h) = &e.summary.service_time {
                    lines.push(Line {
                        label: format!("{label} service time"),
                        color: s.color,
                        solid: false,
                        points: curve(h),
                    });
                }
            }
        }
        if lines.is_empty() {
            return no_data(
                root,
                &self.title(),
                "no latency histograms in these results",
            );
        }
        let lo = lines
            .iter()
            .flat_map(|l| l.points.iter().map(|p| p.1))
            .fold(f64::INFINITY, f64::min);
        let hi = lines
            .iter()
            .flat_map(|l| l.points.iter().map(|p| p.1))
            .fold(0.0f64, f64::max);
        let mut chart = Frame::LINE
            .builder(root, &self.title())
            .build_cartesian_2d(0f64..MAX_NINES, ((lo * 0.8)..(hi * 1.6)).log_scale())?;
        line_mesh(
            &mut chart,
            "percentile (log scale)",
            "latency (ms, log scale)",
        )
        .x_labels(6)
        .x_label_formatter(&|x| percentile_label(*x))
        .y_label_formatter(&|_| String::new())
        .draw()?;
        log_sub_ticks(root, &mut chart)?;
        for line in lines {
            draw_line(&mut chart, line, LONG_KEY)?;
        }
        marks_banner(root, data, data.scenario_entries(&self.scenario))?;
        legend(&mut chart)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_map_to_their_number_of_nines() {
        assert!(nines(0.0).abs() < 1e-9);
        assert!((nines(90.0) - 1.0).abs() < 1e-9);
        assert!((nines(99.9) - 3.0).abs() < 1e-9);
        assert!((nines(99.999) - 5.0).abs() < 1e-6);
        assert_eq!(percentile_label(3.0), "99.9%");
        assert_eq!(percentile_label(2.5), "");
    }

    #[test]
    fn the_curve_follows_the_histogram_to_its_tail() {
        let mut h = Histogram::<u64>::new_with_bounds(1, 1_000_000, 3).unwrap();
        for v in 1..=10_000u64 {
            h.record(v * 10).unwrap();
        }
        let points = curve(&h);
        assert_eq!(points.first().map(|p| p.0), Some(0.0));
        assert_eq!(points.last().map(|p| p.0), Some(MAX_NINES));
        // values 10 µs … 100 ms evenly: p90 is 90 ms
        let at_90 = points.iter().find(|p| (p.0 - 1.0).abs() < 1e-9).unwrap().1;
        assert!((at_90 - 90.0).abs() < 0.2, "p90 is {at_90} ms");
        assert!(points.windows(2).all(|w| w[1].1 >= w[0].1), "monotonic");
    }
}
