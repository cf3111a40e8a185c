//! Efficiency for one scenario, in two panels one above the other: requests
//! served per server CPU-second, and server memory held per idle keep-alive
//! connection.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::slug;
use crate::report::chart::{bar_chart, si, Bar, Chart, ChartError, SIZE};
use crate::report::model::ReportData;

/// Efficiency panels of one scenario.
pub struct EfficiencyChart {
    /// The scenario.
    pub scenario: String,
}

impl Chart for EfficiencyChart {
    fn file_stem(&self) -> String {
        format!("efficiency-{}", slug(&self.scenario))
    }

    fn title(&self) -> String {
        format!("Efficiency — {}", self.scenario)
    }

    fn caption(&self) -> String {
        "Top: requests per server CPU-second (user+sys of the whole process tree), median over repetitions with min–max whiskers; higher is better. Bottom: server RSS added per idle keep-alive connection; lower is better.".into()
    }

    /// Two full-width panels, one above the other: side by side, each
    /// server's slot was too narrow for its name.
    fn size(&self) -> (u32, u32) {
        (SIZE.0, SIZE.1 * 7 / 4)
    }

    fn draw<DB: DrawingBackend>(
        &self,
        data: &ReportData,
        root: &DrawingArea<DB, Shift>,
    ) -> Result<(), ChartError> {
        let panels = root.split_evenly((2, 1));
        let cpu: Vec<Bar> = data
            .scenario_entries(&self.scenario)
            .map(|e| {
                let s = &data.series[e.series];
                let v = e.summary.req_per_cpu_s;
                Bar {
                    label: s.label.clone(),
                    color: s.color,
                    value: v.map(|v| v.median),
                    whisker: v.filter(|v| v.n > 1).map(|v| (v.min, v.max)),
                    value_text: match v {
                        Some(v) => si(v.median),
                        None if e.summary.cpu_below_resolution => "below resolution".into(),
                        None => String::new(),
                    },
                    limited: e.summary.limited(),
                    state_mark: e.summary.state.mark(),
                }
            })
            .collect();
        let conn: Vec<Bar> = data
            .scenario_entries(&self.scenario)
            .filter(|e| e.summary.bytes_per_idle_conn.is_some() || e.summary.state.mark().is_some())
            .map(|e| {
                let s = &data.series[e.series];
                let kib = e.summary.bytes_per_idle_conn.map(|b| b / 1024.0);
                Bar {
                    label: s.label.clone(),
                    color: s.color,
                    value: kib,
                    whisker: None,
                    value_text: match (kib, short_of_request(e)) {
                        (Some(k), Some((held, requested))) => {
                            format!("{k:.1} KiB ({held} of {requested} held)")
                        }
                        (Some(k), None) => format!("{k:.1} KiB"),
                        (None, _) => String::new(),
                    },
                    limited: None,
                    state_mark: e.summary.state.mark(),
                }
            })
            .collect();
        bar_chart(
            &panels[0],
            "Requests per server CPU-second (median)",
            "median requests / CPU-second",
            &cpu,
        )?;
        if conn.iter().all(|b| b.value.is_none()) {
            crate::report::chart::no_data(
                &panels[1],
                "Memory per idle connection",
                "not measured in this scenario",
            )
        } else {
            bar_chart(
                &panels[1],
                "Memory per idle connection",
                "RSS per idle connection (KiB)",
                &conn,
            )
        }
    }
}

/// (held, requested) when the server held fewer idle connections than asked.
fn short_of_request(e: &crate::report::model::Entry) -> Option<(u32, u32)> {
    let c = e.result.idle_connections.as_ref()?;
    c.shortfall().map(|_| (c.held_count(), c.requested))
}
