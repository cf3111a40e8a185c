//! The one trait every chart implements ([`Chart`]), how a chart becomes an
//! SVG string or a PNG file, and the drawing helpers the charts share:
//! fonts, categorical bars with whiskers, hatching for marked figures, and
//! the "nothing to show" panel. The frame around a chart's plot (margins,
//! label areas, mesh, legend) is set in [`super::charts::frame`].

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::charts::frame::{categorical_mesh, categorical_plot_width, Frame};
use super::model::ReportData;

/// Size of a chart, in pixels (a chart of two panels is taller).
pub const SIZE: (u32, u32) = (960, 520);

/// Red used for failure marks.
pub const FAIL_RED: RGBColor = RGBColor(0xC0, 0x1E, 0x1E);
/// Dark amber used for generator- and scenario-bound marks.
pub const LIMIT_AMBER: RGBColor = RGBColor(0xA0, 0x5A, 0x00);

/// A drawing failed; the message comes from plotters.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ChartError(pub String);

impl<E: std::error::Error + Send + Sync> From<DrawingAreaErrorKind<E>> for ChartError {
    fn from(err: DrawingAreaErrorKind<E>) -> Self {
        ChartError(err.to_string())
    }
}

/// One chart of the report.
pub trait Chart {
    /// File name without extension, unique in the report, e.g. `throughput-json`.
    fn file_stem(&self) -> String;
    /// The chart's title, drawn on it and used as the HTML heading.
    fn title(&self) -> String;
    /// One sentence telling the reader how to read the chart.
    fn caption(&self) -> String;
    /// Width and height in pixels ([`SIZE`] unless the chart needs room).
    fn size(&self) -> (u32, u32) {
        SIZE
    }
    /// Draws the chart on `root` (already filled white).
    fn draw<DB: DrawingBackend>(
        &self,
        data: &ReportData,
        root: &DrawingArea<DB, Shift>,
    ) -> Result<(), ChartError>;
}

/// A chart rendered to SVG, with what the HTML page needs to show it.
#[derive(Debug, Clone)]
pub struct RenderedChart {
    /// File name without extension.
    pub file_stem: String,
    /// Title.
    pub title: String,
    /// Caption.
    pub caption: String,
    /// The SVG document.
    pub svg: String,
}

/// Renders `chart` to an SVG document.
pub fn render_svg<C: Chart>(chart: &C, data: &ReportData) -> Result<RenderedChart, ChartError> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, chart.size()).into_drawing_area();
        root.fill(&WHITE)?;
        chart.draw(data, &root)?;
        root.present()?;
    }
    Ok(RenderedChart {
        file_stem: chart.file_stem(),
        title: chart.title(),
        caption: chart.caption(),
        svg,
    })
}

/// Renders `chart` to a PNG file at `path`.
pub fn render_png<C: Chart>(chart: &C, data: &ReportData, path: &Path) -> Result<(), ChartError> {
    let root = BitMapBackend::new(path, chart.size()).into_drawing_area();
    root.fill(&WHITE)?;
    chart.draw(data, &root)?;
    root.present()?;
    Ok(())
}

/// The report's font at `size` pixels.
pub fn font(size: u32) -> TextStyle<'static> {
    ("sans-serif", size).into_font().into()
}

/// Draws the title and a centred message instead of a chart.
pub fn no_data<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    message: &str,
) -> Result<(), ChartError> {
    let (w, h) = root.dim_in_pixel();
    root.draw(&Text::new(
        title.to_string(),
        (w as i32 / 2, 20),
        font(22).pos(Pos::new(HPos::Center, VPos::Top)),
    ))?;
    root.draw(&Text::new(
        message.to_string(),
        (w as i32 / 2, h as i32 / 2),
        font(18)
            .color(&RGBColor(90, 90, 90))
            .pos(Pos::new(HPos::Center, VPos::Center)),
    ))?;
    Ok(())
}

/// Converts a backend pixel (as `ChartContext::backend_coord` returns) into
/// `area`'s own pixel coordinates.
pub fn local<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, p: (i32, i32)) -> (i32, i32) {
    let base = area.get_base_pixel();
    (p.0 - base.0, p.1 - base.1)
}

/// Diagonal hatching inside the pixel rectangle `a`–`b`, drawn on `root`.
pub fn hatch<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    a: (i32, i32),
    b: (i32, i32),
    color: RGBColor,
) -> Result<(), ChartError> {
    let (x0, x1) = (a.0.min(b.0), a.0.max(b.0));
    let (y0, y1) = (a.1.min(b.1), a.1.max(b.1));
    let mut c = x0 - y1;
    while c <= x1 - y0 {
        let lo = y0.max(x0 - c);
        let hi = y1.min(x1 - c);
        if lo < hi {
            root.draw(&PathElement::new(
                vec![(lo + c, lo), (hi + c, hi)],
                color.stroke_width(1),
            ))?;
        }
        c += 8;
    }
    Ok(())
}

/// Pixels between the plot's bottom edge and a category label.
const LABEL_GAP: i32 = 8;
/// Height of one line of a category label (or of a mark under it).
const LABEL_LINE: i32 = 18;
/// Font size of category labels.
const LABEL_FONT: u32 = 15;

/// The category labels under a bar-like chart, each wrapped after a `-`,
/// `_` or space into lines that fit its slot, so that neighbouring labels
/// never run into each other when there are many servers or the chart is a
/// narrow panel.
#[derive(Debug, Clone)]
pub struct CategoryLabels {
    lines: Vec<Vec<String>>,
}

impl CategoryLabels {
    /// Wraps `labels` for `labels.len()` equal slots across the plot of a
    /// categorical chart ([`Frame::categorical`]) on `area`.
    pub fn fit<DB: DrawingBackend>(
        area: &DrawingArea<DB, Shift>,
        labels: &[&str],
    ) -> CategoryLabels {
        let slot = categorical_plot_width(area) / labels.len().max(1) as i32;
        let style = font(LABEL_FONT);
        let width = |text: &str| {
            area.estimate_text_size(text, &style)
                .map(|(w, _)| w as i32)
                // Without font metrics: sans-serif averages about 0.6 em.
                .unwrap_or(text.chars().count() as i32 * LABEL_FONT as i32 * 6 / 10)
        };
        let lines = labels
            .iter()
            .map(|label| wrap_label(label, slot - 6, &width))
            .collect();
        CategoryLabels { lines }
    }

    /// Height of the x label area: the tallest label plus `mark_lines` lines
    /// of marks under it.
    pub fn area_height(&self, mark_lines: usize) -> u32 {
        let tallest = self.lines.iter().map(Vec::len).max().unwrap_or(1);
        (LABEL_GAP + 10 + LABEL_LINE * (tallest + mark_lines) as i32) as u32
    }

    /// Draws label `i` centred on `x`, below the axis at `axis_y` (pixels of
    /// `area`); returns where a line of marks under it goes.
    pub fn draw<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        i: usize,
        (x, axis_y): (i32, i32),
    ) -> Result<i32, ChartError> {
        let mut y = axis_y + LABEL_GAP;
        for line in self.lines.get(i).into_iter().flatten() {
            area.draw(&Text::new(
                line.clone(),
                (x, y),
                font(LABEL_FONT)
                    .color(&RGBColor(40, 40, 40))
                    .pos(Pos::new(HPos::Center, VPos::Top)),
            ))?;
            y += LABEL_LINE;
        }
        Ok(y + 2)
    }
}

/// Splits `label` after `-`, `_` or spaces into lines no wider than
/// `max_px` (as `width` measures); a part wider than that on its own keeps a
/// line to itself.
pub fn wrap_label(label: &str, max_px: i32, width: &dyn Fn(&str) -> i32) -> Vec<String> {
    let mut parts: Vec<&str> = Vec::new();
    let mut start = 0;
    for (i, c) in label.char_indices() {
        if matches!(c, '-' | '_' | ' ') {
            parts.push(&label[start..i + c.len_utf8()]);
            start = i + c.len_utf8();
        }
    }
    if start < label.len() {
        parts.push(&label[start..]);
    }
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    for part in parts {
        let joined = format!("{current}{part}");
        if current.is_empty() || width(joined.trim_end()) <= max_px {
            current = joined;
        } else {
            lines.push(current.trim_end().to_string());
            current = part.to_string();
        }
    }
    if !current.is_empty() || lines.is_empty() {
        lines.push(current.trim_end().to_string());
    }
    lines
}

/// One bar of a categorical bar chart.
#[derive(Debug, Clone)]
pub struct Bar {
    /// Category label under the bar.
    pub label: String,
    /// Bar colour (the series colour).
    pub color: RGBColor,
    /// Bar height; `None` draws no bar, only the marks.
    pub value: Option<f64>,
    /// Whisker from low to high (the spread over repetitions).
    pub whisker: Option<(f64, f64)>,
    /// Text above the bar (the figure).
    pub value_text: String,
    /// Hatched and marked with this word (`generator-bound`,
    /// `scenario-bound`) when the figure is not the server's.
    pub limited: Option<&'static str>,
    /// Marked as failed/skipped/interrupted with this word.
    pub state_mark: Option<&'static str>,
}

/// Draws a bar chart with one bar per category on `area` (which may be a
/// panel of `root`); marks are drawn on `root` in pixel coordinates.
pub fn bar_chart<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    y_desc: &str,
    bars: &[Bar],
) -> Result<(), ChartError> {
    if bars.is_empty() {
        return no_data(area, title, "no results for this chart");
    }
    let top = bars
        .iter()
        .flat_map(|b| [b.value, b.whisker.map(|w| w.1)])
        .flatten()
        .fold(0.0f64, f64::max);
    let top = if top > 0.0 { top * 1.22 } else { 1.0 };
    let n = bars.len() as f64;
    let names: Vec<&str> = bars.iter().map(|b| b.label.as_str()).collect();
    let labels = CategoryLabels::fit(area, &names);
    let mut chart = Frame::categorical(&labels, 0)
        .builder(area, title)
        .build_cartesian_2d(0f64..n, 0f64..top)?;
    categorical_mesh(&mut chart, y_desc)
        .y_label_formatter(&|v| si(*v))
        .draw()?;
    for (i, bar) in bars.iter().enumerate() {
        let x = i as f64;
        let (l, r) = (x + 0.18, x + 0.82);
        if let Some(v) = bar.value {
            let marked = bar.limited.is_some() || bar.state_mark.is_some();
            let fill = if marked {
                bar.color.mix(0.35).filled()
            } else {
                bar.color.filled()
            };
            chart.draw_series(std::iter::once(Rectangle::new([(l, 0.0), (r, v)], fill)))?;
            if marked {
                let a = local(area, chart.backend_coord(&(l, 0.0)));
                let b = local(area, chart.backend_coord(&(r, v)));
                let ink = if bar.state_mark.is_some() {
                    FAIL_RED
                } else {
                    LIMIT_AMBER
                };
                hatch(area, a, b, ink)?;
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(l, 0.0), (r, v)],
                    ink.stroke_width(2),
                )))?;
            }
        }
        if let Some((lo, hi)) = bar.whisker {
            let (cx, top) = local(area, chart.backend_coord(&(x + 0.5, hi)));
            let (_, bottom) = local(area, chart.backend_coord(&(x + 0.5, lo)));
            for path in [
                vec![(cx, top), (cx, bottom)],
                vec![(cx - 8, top), (cx + 8, top)],
                vec![(cx - 8, bottom), (cx + 8, bottom)],
            ] {
                area.draw(&PathElement::new(path, BLACK.stroke_width(2)))?;
            }
        }
        let head = bar
            .whisker
            .map(|w| w.1)
            .or(bar.value)
            .unwrap_or(0.0)
            .max(bar.value.unwrap_or(0.0));
        let (px, py) = local(area, chart.backend_coord(&(x + 0.5, head)));
        let mut lines: Vec<(String, RGBColor)> = Vec::new();
        if !bar.value_text.is_empty() {
            lines.push((bar.value_text.clone(), BLACK));
        }
        if let Some(word) = bar.limited {
            lines.push((word.into(), LIMIT_AMBER));
        }
        if let Some(mark) = bar.state_mark {
            lines.push((mark.into(), FAIL_RED));
        }
        for (k, (text, color)) in lines.iter().rev().enumerate() {
            area.draw(&Text::new(
                text.clone(),
                (px, py - 6 - 18 * k as i32),
                font(15)
                    .color(color)
                    .pos(Pos::new(HPos::Center, VPos::Bottom)),
            ))?;
        }
        let axis = local(area, chart.backend_coord(&(x + 0.5, 0.0)));
        labels.draw(area, i, axis)?;
    }
    Ok(())
}

/// A number with a thousands suffix: 950, 9.8k, 1.2M.
pub fn si(v: f64) -> String {
    let a = v.abs();
    if a >= 1e6 {
        format!("{:.1}M", v / 1e6)
    } else if a >= 1e4 {
        format!("{:.0}k", v / 1e3)
    } else if a >= 1e3 {
        format!("{:.1}k", v / 1e3)
    } else if a >= 10.0 || a == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// Milliseconds for axis labels: 0.12, 1.5, 20, 1 500.
pub fn ms_label(v: f64) -> String {
    if v >= 100.0 {
        format!("{v:.0}")
    } else if v >= 1.0 {
        format!("{v:.1}")
    } else if v >= 0.1 {
        format!("{v:.2}")
    } else {
        format!("{v:.3}")
    }
}

/// A chart with a linear x axis and a logarithmic y axis.
pub type LogYChart<'a, DB> = ChartContext<
    'a,
    DB,
    Cartesian2d<
        plotters::coord::types::RangedCoordf64,
        plotters::coord::combinators::LogCoord<f64>,
    >,
>;

/// The values a log y axis from `lo` to `hi` is labelled at: 1×, 2× and 5×
/// each decade when the axis spans at most three decades, powers of ten
/// alone beyond that (so labels never crowd), and always at least the ends'
/// decades that fall inside.
pub fn log_axis_ticks(lo: f64, hi: f64) -> Vec<f64> {
    if !(lo > 0.0 && hi > lo && hi.is_finite()) {
        return Vec::new();
    }
    let multiples: &[f64] = if (hi / lo).log10() <= 3.0 {
        &[1.0, 2.0, 5.0]
    } else {
        &[1.0]
    };
    let mut decade = 10f64.powf(lo.log10().floor());
    let mut ticks = Vec::new();
    while decade <= hi {
        for m in multiples {
            let v = decade * m;
            if v >= lo && v <= hi {
                ticks.push(v);
            }
        }
        decade *= 10.0;
    }
    ticks
}

/// Labels a log y axis and draws its faint grid lines, once per value of
/// [`log_axis_ticks`]. It owns the axis labels: the chart's mesh must leave
/// its own y labels blank (`y_label_formatter(&|_| String::new())`), or
/// plotters' 1-2-5 labels and these would be drawn one over the other.
pub fn log_sub_ticks<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    chart: &mut LogYChart<'_, DB>,
) -> Result<(), ChartError> {
    let (x0, x1) = (chart.x_range().start, chart.x_range().end);
    let (lo, hi) = (chart.y_range().start, chart.y_range().end);
    for v in log_axis_ticks(lo, hi) {
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(x0, v), (x1, v)],
            RGBColor(225, 225, 225),
        )))?;
        let (px, py) = local(area, chart.backend_coord(&(x0, v)));
        area.draw(&Text::new(
            ms_label(v),
            (px - 9, py),
            font(14)
                .color(&RGBColor(70, 70, 70))
                .pos(Pos::new(HPos::Right, VPos::Center)),
        ))?;
    }
    Ok(())
}

/// Lists, at the top right of `root`, the series of `entries` whose figures
/// are marked (failed, skipped, interrupted, generator- or scenario-bound), so a line
/// chart never shows them as if they were clean.
pub fn marks_banner<'e, DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    data: &ReportData,
    entries: impl Iterator<Item = &'e super::model::Entry>,
) -> Result<(), ChartError> {
    let (w, _) = root.dim_in_pixel();
    let mut y = 48;
    for e in entries {
        let label = &data.series[e.series].label;
        let mut lines = Vec::new();
        if let Some(mark) = e.summary.state.mark() {
            lines.push((format!("{label}: {mark}"), FAIL_RED));
        }
        match e.summary.limited() {
            Some("generator-bound") => lines.push((
                format!("{label}: generator-bound (a lower bound)"),
                LIMIT_AMBER,
            )),
            Some(word) => lines.push((
                format!("{label}: {word} (not the server's capacity)"),
                LIMIT_AMBER,
            )),
            None => {}
        }
        for (text, color) in lines {
            root.draw(&Text::new(
                text,
                (w as i32 - 40, y),
                font(15).color(&color).pos(Pos::new(HPos::Right, VPos::Top)),
            ))?;
            y += 19;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 8 pixels per character, as a fixed-width font would measure.
    fn eight_px(text: &str) -> i32 {
        text.chars().count() as i32 * 8
    }

    #[test]
    fn long_names_wrap_after_their_separators() {
        assert_eq!(
            wrap_label("rust-hyper-single", 12 * 8, &eight_px),
            ["rust-hyper-", "single"]
        );
        assert_eq!(
            wrap_label("java-httpserver", 8 * 8, &eight_px),
            ["java-", "httpserver"],
            "a part wider than the slot keeps a line to itself"
        );
        assert_eq!(
            wrap_label("go net http", 7 * 8, &eight_px),
            ["go net", "http"]
        );
        assert_eq!(wrap_label("node-http", 200, &eight_px), ["node-http"]);
        assert_eq!(wrap_label("", 10, &eight_px), [""]);
    }

    #[test]
    fn log_axis_ticks_are_one_two_five_over_few_decades_and_decades_over_many() {
        assert_eq!(
            log_axis_ticks(15.0, 700.0),
            [20.0, 50.0, 100.0, 200.0, 500.0]
        );
        assert_eq!(
            log_axis_ticks(0.05, 2000.0),
            [0.1, 1.0, 10.0, 100.0, 1000.0]
        );
        assert!(log_axis_ticks(0.0, 10.0).is_empty());
        assert!(log_axis_ticks(5.0, 5.0).is_empty());
    }

    #[test]
    fn labels_of_many_servers_fit_their_slots_in_a_narrow_chart() {
        let mut svg = String::new();
        let root = SVGBackend::with_string(&mut svg, (480, 300)).into_drawing_area();
        let names = [
            "go-nethttp",
            "java-httpserver",
            "node-http",
            "python-uvicorn",
            "rust-hyper",
            "rust-hyper-single",
            "rust-threads",
        ];
        let plot = categorical_plot_width(&root);
        let labels = CategoryLabels::fit(&root, &names);
        let slot = plot / names.len() as i32;
        let style = font(LABEL_FONT);
        for (name, lines) in names.iter().zip(&labels.lines) {
            assert_eq!(lines.concat().replace(' ', ""), name.replace(' ', ""));
            for line in lines {
                let (w, _) = root.estimate_text_size(line, &style).unwrap();
                let unbreakable = !line.trim_end_matches(['-', '_']).contains(['-', '_', ' ']);
                assert!(
                    (w as i32) <= slot || unbreakable,
                    "{line:?} is {w} px in a {slot} px slot"
                );
            }
        }
        assert!(labels.lines.iter().any(|l| l.len() > 1), "nothing wrapped");
        assert!(labels.area_height(1) > labels.area_height(0));
    }
}
