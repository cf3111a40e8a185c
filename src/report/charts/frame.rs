//! The frame every chart shares, set in this one place: the title, the
//! margins and label areas around the plot ([`Frame`], a line chart's or a
//! categorical chart's), the mesh's fonts and grid ([`mesh`]) with the axes
//! each kind of chart has ([`line_mesh`], [`categorical_mesh`]), the legend
//! box ([`legend`]) and keys, and a line drawn solid or dashed with its
//! legend entry. A chart passes what differs (axis ranges, descriptions,
//! label formatters, key length).

use plotters::chart::MeshStyle;
use plotters::coord::ranged1d::{Ranged, ValueFormatter};
use plotters::coord::types::RangedCoordf64;
use plotters::coord::{CoordTranslate, Shift};
use plotters::element::ComposedElement;
use plotters::prelude::*;

use crate::report::chart::{font, CategoryLabels, ChartError};

/// Margin around every chart's plot, except on the right (its [`Frame`]'s).
const MARGIN: u32 = 14;

/// Length in pixels of a solid legend key in the timelines.
pub const KEY: i32 = 19;
/// The longer solid key of the spectrum and capacity charts.
pub const LONG_KEY: i32 = 22;

/// The room around a chart's plot: 14 pixels on three sides, its own right
/// margin, the height of the x label area and the width of the y label area.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Frame {
    margin_right: u32,
    x_label_area: u32,
    y_label_area: u32,
}

/// The frame of a categorical chart before its labels are known (the plot's
/// width, which the labels must fit, does not depend on them).
const CATEGORICAL: Frame = Frame {
    margin_right: 24,
    x_label_area: 0,
    y_label_area: 82,
};

impl Frame {
    /// A line chart (the timelines, the spectrum, capacity): a wider right
    /// margin (room for the last x label) and one line of x labels.
    pub const LINE: Frame = Frame {
        margin_right: 28,
        x_label_area: 48,
        y_label_area: 78,
    };

    /// A chart with one slot per category (bars, memory, startup): room
    /// under the plot for `labels` and `mark_lines` lines of marks.
    pub fn categorical(labels: &CategoryLabels, mark_lines: usize) -> Frame {
        Frame {
            x_label_area: labels.area_height(mark_lines),
            ..CATEGORICAL
        }
    }

    /// The builder of a chart titled `title` in this frame on `area`; the
    /// caller sets the coordinates.
    pub fn builder<'a, 'b, DB: DrawingBackend>(
        self,
        area: &'a DrawingArea<DB, Shift>,
        title: &str,
    ) -> ChartBuilder<'a, 'b, DB> {
        let mut builder = ChartBuilder::on(area);
        builder
            .caption(title, font(22))
            .margin(MARGIN)
            .margin_right(self.margin_right)
            .x_label_area_size(self.x_label_area)
            .y_label_area_size(self.y_label_area);
        builder
    }

    /// Width in pixels of the plot this frame leaves on `area`.
    fn plot_width<DB: DrawingBackend>(self, area: &DrawingArea<DB, Shift>) -> i32 {
        area.dim_in_pixel().0 as i32 - (MARGIN + self.margin_right + self.y_label_area) as i32
    }
}

/// Width in pixels of the plot of a categorical chart on `area`: what its
/// category labels share.
pub fn categorical_plot_width<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>) -> i32 {
    CATEGORICAL.plot_width(area)
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

/// An empty x label: a categorical chart labels its slots itself
/// ([`CategoryLabels::draw`]).
fn no_label(_: &f64) -> String {
    String::new()
}

/// [`mesh`] for a chart with one slot per category: no x grid lines or
/// labels, and the y axis description.
pub fn categorical_mesh<'a, 'b, DB, Y>(
    chart: &'b mut ChartContext<'a, DB, Cartesian2d<RangedCoordf64, Y>>,
    y_desc: &str,
) -> MeshStyle<'a, 'b, RangedCoordf64, Y, DB>
where
    DB: DrawingBackend,
    Y: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    let mut mesh = mesh(chart);
    mesh.disable_x_mesh()
        .x_labels(0)
        .x_label_formatter(&no_label)
        .y_desc(y_desc);
    mesh
}

/// Draws the legend of `chart` in the report's style: a light box at the
/// upper left.
pub fn legend<'a, 'b, DB: DrawingBackend + 'a, CT: CoordTranslate>(
    chart: &'b mut ChartContext<'a, DB, CT>,
) -> Result<(), ChartError> {
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.88))
        .border_style(RGBColor(180, 180, 180))
        .label_font(font(14))
        .position(SeriesLabelPosition::UpperLeft)
        .draw()?;
    Ok(())
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
