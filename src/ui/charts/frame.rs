//! The pieces every chart shares: the SVG frame, axes with ticks and grid lines, the legend
//! and the "nothing to show" note. Geometry comes from `page::charts`.

use leptos::prelude::*;

use crate::page::charts::{axis_ticks, format_coordinate as px, legend_layout, LinearScale, LEGEND_SWATCH};

/// Tick-label font size in user units (the CSS sets the same).
pub(super) const TICK_FONT: f64 = 12.0;
/// Axis-title and legend font size in user units (the CSS sets the same).
pub(super) const LABEL_FONT: f64 = 13.0;
/// Ticks aimed for on each axis.
pub(super) const TARGET_TICKS: usize = 5;
/// The baseline of the visible title.
pub(super) const TITLE_BASELINE: f64 = 22.0;
/// Height of one legend row.
pub(super) const LEGEND_ROW: f64 = 20.0;

/// The `<svg role="img">` around a chart, with its accessible name and `<title>`.
pub(super) fn frame(
    class: &'static str,
    size: (f64, f64),
    summary: String,
    title: String,
    body: impl IntoView + 'static,
) -> impl IntoView {
    view! {
        <svg
            class=format!("chart {class}")
            viewBox=format!("0 0 {} {}", px(size.0), px(size.1))
            role="img"
            aria-label=summary
        >
            <title>{title}</title>
            {body}
        </svg>
    }
}

/// The visible title, top left.
pub(super) fn visible_title(title: String) -> impl IntoView {
    view! {
        <text class="chart-title" x="8" y=px(TITLE_BASELINE)>
            {title}
        </text>
    }
}

/// A bottom axis at `y_bottom` with vertical grid lines up to `y_top` and a centred title.
pub(super) fn x_axis(x: LinearScale, y_bottom: f64, y_top: f64, label: String) -> impl IntoView {
    let (left, right) = x.range;
    let ticks = axis_ticks(&x, TARGET_TICKS)
        .into_iter()
        .map(|tick| {
            let at = px(tick.position);
            view! {
                <line class="grid" x1=at.clone() x2=at.clone() y1=px(y_top) y2=px(y_bottom) />
                <line class="tick" x1=at.clone() x2=at.clone() y1=px(y_bottom) y2=px(y_bottom + 5.0) />
                <text class="tick-label" x=at y=px(y_bottom + 19.0) text-anchor="middle">
                    {tick.label}
                </text>
            }
        })
        .collect_view();
    view! {
        <g class="axis x-axis">
            {ticks}
            <line class="axis-line" x1=px(left) x2=px(right) y1=px(y_bottom) y2=px(y_bottom) />
            <text class="axis-label" x=px((left + right) / 2.0) y=px(y_bottom + 40.0) text-anchor="middle">
                {label}
            </text>
        </g>
    }
}

/// A left axis at `x_left` with horizontal grid lines across to `x_right` and a rotated title.
pub(super) fn y_axis(y: LinearScale, x_left: f64, x_right: f64, label: String) -> impl IntoView {
    let (bottom, top) = y.range;
    let ticks = axis_ticks(&y, TARGET_TICKS)
        .into_iter()
        .map(|tick| {
            let at = px(tick.position);
            view! {
                <line class="grid" x1=px(x_left) x2=px(x_right) y1=at.clone() y2=at.clone() />
                <line class="tick" x1=px(x_left - 5.0) x2=px(x_left) y1=at.clone() y2=at.clone() />
                <text class="tick-label" x=px(x_left - 8.0) y=px(tick.position + 4.0) text-anchor="end">
                    {tick.label}
                </text>
            }
        })
        .collect_view();
    let (label_x, label_y) = (16.0, (bottom + top) / 2.0);
    view! {
        <g class="axis y-axis">
            {ticks}
            <line class="axis-line" x1=px(x_left) x2=px(x_left) y1=px(bottom) y2=px(top) />
            <text
                class="axis-label"
                x=px(label_x)
                y=px(label_y)
                text-anchor="middle"
                transform=format!("rotate(-90 {} {})", px(label_x), px(label_y))
            >
                {label}
            </text>
        </g>
    }
}

/// What a legend entry's swatch looks like.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Swatch {
    /// A short line, dashed or not (for line series).
    Line {
        /// Drawn dashed.
        dashed: bool,
    },
    /// A filled square (for bars).
    Block,
}

/// One legend entry: its label, its colour class (see `ChartColour::as_str`) and swatch.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct LegendEntry {
    /// The series name.
    pub label: String,
    /// The CSS class that sets its colour.
    pub colour_class: &'static str,
    /// How the swatch looks.
    pub swatch: Swatch,
}

/// The number of rows `entries` need in `max_width`.
pub(super) fn legend_rows(entries: &[LegendEntry], max_width: f64) -> usize {
    let labels: Vec<&str> = entries.iter().map(|e| e.label.as_str()).collect();
    legend_layout(&labels, max_width, LABEL_FONT).last().map_or(0, |slot| slot.row + 1)
}

/// A legend whose first row's text baseline is at `top + 14`, starting at `left`.
pub(super) fn legend(entries: Vec<LegendEntry>, left: f64, top: f64, max_width: f64) -> impl IntoView {
    let labels: Vec<&str> = entries.iter().map(|e| e.label.as_str()).collect();
    let slots = legend_layout(&labels, max_width, LABEL_FONT);
    let items = entries
        .into_iter()
        .zip(slots)
        .map(|(entry, slot)| {
            let (x, middle) = (left + slot.x, top + slot.row as f64 * LEGEND_ROW + 10.0);
            let swatch = match entry.swatch {
                Swatch::Line { dashed } => view! {
                    <line
                        class="swatch-line"
                        x1=px(x)
                        x2=px(x + LEGEND_SWATCH)
                        y1=px(middle)
                        y2=px(middle)
                        stroke="currentColor"
                        stroke-width="3"
                        stroke-dasharray=dashed.then_some("6 4")
                    />
                }
                .into_any(),
                Swatch::Block => view! {
                    <rect x=px(x + 3.0) y=px(middle - 6.0) width="12" height="12" fill="currentColor" />
                }
                .into_any(),
            };
            view! {
                <g class=format!("legend-entry {}", entry.colour_class)>
                    {swatch}
                    <text class="legend-label" x=px(x + LEGEND_SWATCH + 6.0) y=px(middle + 4.5)>
                        {entry.label}
                    </text>
                </g>
            }
        })
        .collect_view();
    view! { <g class="legend">{items}</g> }
}

/// A centred note in an empty plot, e.g. "No scores to show."
pub(super) fn empty_note(x: f64, y: f64, text: &'static str) -> impl IntoView {
    view! {
        <text class="empty-note" x=px(x) y=px(y) text-anchor="middle">
            {text}
        </text>
    }
}
