//! A line chart on [0, 1] × [0, 1]: ROC, precision–recall and calibration curves.

use leptos::prelude::*;

use super::frame::{frame, legend, legend_rows, visible_title, x_axis, y_axis, LegendEntry, Swatch, LEGEND_ROW};
use crate::page::charts::{format_coordinate as px, polyline_path, ChartColour, LinearScale};

/// One line of a [`LineChart`].
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// The legend name, e.g. "Model (AUC 0.912)".
    pub name: String,
    /// The points as (x, y) in [0, 1]; non-finite points break the line.
    pub points: Vec<(f64, f64)>,
    /// Colour, dashes and markers.
    pub style: SeriesStyle,
}

/// How a series is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SeriesStyle {
    /// The palette colour.
    pub colour: ChartColour,
    /// Drawn dashed (e.g. a baseline model).
    pub dashed: bool,
    /// A dot at every point (e.g. calibration bins).
    pub markers: bool,
}

impl SeriesStyle {
    /// A solid line in `colour`.
    pub fn solid(colour: ChartColour) -> Self {
        SeriesStyle { colour, dashed: false, markers: false }
    }

    /// A dashed line in `colour`.
    pub fn dashed(colour: ChartColour) -> Self {
        SeriesStyle { colour, dashed: true, markers: false }
    }

    /// The same style with a dot at every point.
    pub fn with_markers(self) -> Self {
        SeriesStyle { markers: true, ..self }
    }
}

const WIDTH: f64 = 520.0;
const HEIGHT: f64 = 500.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = WIDTH - 20.0;
const BOTTOM: f64 = HEIGHT - 56.0;

/// Lines over fixed [0, 1] axes, with a legend when there is more than one series and an
/// optional dashed y = x reference.
#[component]
pub fn LineChart(
    /// The chart's title, shown and used as the SVG `<title>`.
    #[prop(into)]
    title: String,
    /// The x-axis title, e.g. "False positive rate".
    #[prop(into)]
    x_label: String,
    /// The y-axis title, e.g. "True positive rate".
    #[prop(into)]
    y_label: String,
    /// The lines, drawn in order.
    series: Vec<Series>,
    /// Draw the y = x reference (chance for ROC, perfect calibration).
    #[prop(optional)]
    diagonal: bool,
) -> impl IntoView {
    let entries: Vec<LegendEntry> = series
        .iter()
        .map(|s| LegendEntry {
            label: s.name.clone(),
            colour_class: s.style.colour.as_str(),
            swatch: Swatch::Line { dashed: s.style.dashed },
        })
        .collect();
    let n_legend_rows = if entries.len() > 1 { legend_rows(&entries, RIGHT - LEFT) } else { 0 };
    let legend_top = 34.0;
    let top = legend_top + n_legend_rows as f64 * LEGEND_ROW + 12.0;
    let x = LinearScale::new((0.0, 1.0), (LEFT, RIGHT));
    let y = LinearScale::new((0.0, 1.0), (BOTTOM, top));

    let summary = summarise(&title, &x_label, &y_label, &series, diagonal);
    let reference = diagonal.then(|| {
        view! {
            <line
                class="reference"
                x1=px(x.map(0.0))
                y1=px(y.map(0.0))
                x2=px(x.map(1.0))
                y2=px(y.map(1.0))
            />
        }
    });
    let lines = series.into_iter().map(|s| series_view(s, &x, &y)).collect_view();
    let legend_view = (n_legend_rows > 0).then(|| legend(entries, LEFT, legend_top, RIGHT - LEFT));
    let body = view! {
        {visible_title(title.clone())}
        {legend_view}
        {y_axis(y, LEFT, RIGHT, y_label)}
        {x_axis(x, BOTTOM, top, x_label)}
        {reference}
        <g class="series">{lines}</g>
    };
    frame("line-chart", (WIDTH, HEIGHT), summary, title, body)
}

fn series_view(series: Series, x: &LinearScale, y: &LinearScale) -> impl IntoView {
    let style = series.style;
    let path = polyline_path(&series.points, x, y);
    let markers = style.markers.then(|| {
        series
            .points
            .iter()
            .filter(|(px_, py_)| px_.is_finite() && py_.is_finite())
            .map(|&(vx, vy)| {
                view! { <circle cx=px(x.map_clamped(vx)) cy=px(y.map_clamped(vy)) r="3.5" fill="currentColor" /> }
            })
            .collect_view()
    });
    view! {
        <g class=format!("line {}", style.colour.as_str())>
            <title>{series.name}</title>
            <path
                d=path
                fill="none"
                stroke="currentColor"
                stroke-width="2.5"
                stroke-linejoin="round"
                stroke-dasharray=style.dashed.then_some("6 4")
            />
            {markers}
        </g>
    }
}

fn summarise(title: &str, x_label: &str, y_label: &str, series: &[Series], diagonal: bool) -> String {
    let names: Vec<&str> = series.iter().map(|s| s.name.as_str()).collect();
    let lines = match names.len() {
        0 => "no lines".to_owned(),
        1 => format!("one line, {}", names[0]),
        n => format!("{n} lines: {}", names.join(", ")),
    };
    let reference = if diagonal { ", and a dashed diagonal where they are equal" } else { "" };
    format!("{title}: {lines}, plotting {y_label} against {x_label}, both from 0 to 1{reference}.")
}
