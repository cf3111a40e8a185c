//! The frame the charts share: the builder of a line chart (title, margins,
//! axis label areas), the report's mesh styles, the legend keys, and a
//! line drawn solid or dashed with its legend entry. A chart passes what
//! differs (axis ranges, descriptions, label formatters, key length).

use plotters::chart::MeshStyle;
use plotters::coord::ranged1d::{Ranged, ValueFormatter};
use plotters::coord::{CoordTranslate, Shift};
use plotters::element::ComposedElement;
use plotters::prelude::*;

use crate::report::chart::{font, ChartError};

/// Margin around a line chart, and its wider right margin (room for the
/// last x label).
const MARGIN: u32 = 14;
const MARGIN_RIGHT: u32 = 28;
/// Height of the x label area and width of the y label area.
const X_LABEL_AREA: u32 = 48;
const Y_LABEL_AREA: u32 = 78;

/// Length in pixels of a solid legend key in the timelines.
pub const KEY: i32 = 19;
/// The longer solid key of the spectrum and capacity charts.
pub const LONG_KEY: i32 = 22;

/// The builder of a line chart (the timelines, the spectrum, capacity):
/// the title and the margins and label areas they share. The caller sets
/// the coordinates.
pub fn line_chart<'a, 'b, DB: DrawingBackend>(
    root: &'a DrawingArea<DB, Shift>,
    title: &str,
) -> ChartBuilder<'a, 'b, DB> {
    let mut builder = ChartBuilder::on(root);
    builder
        .caption(title, font(22))
        .margin(MARGIN)
        .margin_right(MARGIN_RIGHT)
        .x_label_area_size(X_LABEL_AREA)
        .y_label_area_size(Y_LABEL_AREA);
    builder
}

/// The mesh of `chart` in the report's styles (the fonts of the axis
/// descriptions and labels, faint grid lines); the caller adds its own axis
/// descriptions, formatters and label counts, and draws it.
pub fn mesh<'a, 'b, DB, X, Y>(
    chart: &'b mut ChartContext<'a, DB, Cartesian2d<X, Y>>,
) -> MeshStyle<'a, 'b, X, Y, DB>
where
    DB: DrawingBackend,
    X: Ranged<ValueType = f64> + ValueFormatter<f64>,
    Y: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    let mut mesh = chart.configure_mesh();
    mesh.axis_desc_style(font(16))
        .label_style(font(14))
        .light_line_style(RGBColor(235, 235, 235));
    mesh
}

/// [`mesh`] with the two axis descriptions every line chart has.
pub fn line_mesh<'a, 'b, DB, X, Y>(
    chart: &'b mut ChartContext<'a, DB, Cartesian2d<X, Y>>,
    x_desc: &str,
    y_desc: &str,
) -> MeshStyle<'a, 'b, X, Y, DB>
where
    DB: DrawingBackend,
    X: Ranged<ValueType = f64> + ValueFormatter<f64>,
    Y: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    let mut mesh = mesh(chart);
    mesh.x_desc(x_desc).y_desc(y_desc);
    mesh
}

/// A pixel of the backend, where a legend key is drawn.
type Pixel = (i32, i32);

/// A legend key: a solid stroke `length` pixels long.
pub fn solid_key(color: RGBColor, width: u32, length: i32) -> impl Fn(Pixel) -> PathElement<Pixel> {
    move |(x, y)| PathElement::new(vec![(x, y), (x + length, y)], color.stroke_width(width))
}

/// The legend key of a dashed line: two dashes, 19 pixels in all.
pub fn dashed_key<DB: DrawingBackend>(
    color: RGBColor,
) -> impl Fn(Pixel) -> ComposedElement<Pixel, DB, PathElement<Pixel>, PathElement<Pixel>> {
    move |(x, y)| {
        EmptyElement::at((x, y))
            + PathElement::new(vec![(0, 0), (7, 0)], color.stroke_width(2))
            + PathElement::new(vec![(12, 0), (19, 0)], color.stroke_width(2))
    }
}

/// One line of a line chart: its legend label, colour and points; solid
/// (3 px) or dashed (2 px, 7 on and 5 off).
pub struct Line {
    /// The legend label.
    pub label: String,
    /// The server's colour.
    pub color: RGBColor,
    /// Solid, or dashed.
    pub solid: bool,
    /// The points, in the chart's coordinates.
    pub points: Vec<(f64, f64)>,
}

/// Draws `line` on `chart` with its legend entry, a solid key being
/// `key_length` pixels long.
pub fn draw_line<'a, DB, CT>(
    chart: &mut ChartContext<'a, DB, CT>,
    line: Line,
    key_length: i32,
) -> Result<(), ChartError>
where
    DB: DrawingBackend + 'a,
    CT: CoordTranslate<From = (f64, f64)>,
{
    let color = line.color;
    if line.solid {
        chart
            .draw_series(LineSeries::new(line.points, color.stroke_width(3)))?
            .label(line.label)
            .legend(solid_key(color, 3, key_length));
    } else {
        chart
            .draw_series(DashedLineSeries::new(
                line.points,
                7,
                5,
                color.stroke_width(2),
            ))?
            .label(line.label)
            .legend(dashed_key(color));
    }
    Ok(())
}
