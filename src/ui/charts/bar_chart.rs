//! Horizontal bars with names on the left and values at their ends: importances, tier counts.

use leptos::prelude::*;

use super::frame::{empty_note, frame, visible_title, x_axis, TICK_FONT};
use crate::analysis::evaluation::NamedValue;
use crate::page::charts::{
    format_coordinate as px, format_number, text_width, truncate_label, zero_based_domain, ChartColour, LinearScale,
};

const WIDTH: f64 = 600.0;
const TOP: f64 = 40.0;
const ROW: f64 = 26.0;
const VALUE_ROOM: f64 = 64.0;
const MAX_NAME_SHARE: f64 = 0.4;

/// The first `max_bars` values as horizontal bars from zero, in the order given.
#[component]
pub fn BarChart(
    /// The chart's title, shown and used as the SVG `<title>`.
    #[prop(into)]
    title: String,
    /// The value axis title, e.g. "Mean |SHAP value|".
    #[prop(into)]
    x_label: String,
    /// The bars, top first.
    values: Vec<NamedValue>,
    /// The most bars drawn; the rest are left out (and the summary says so).
    #[prop(default = 15)]
    max_bars: usize,
    /// The bars' colour.
    #[prop(optional)]
    colour: ChartColour,
) -> impl IntoView {
    let n_hidden = values.len().saturating_sub(max_bars);
    let shown: Vec<NamedValue> = values.into_iter().take(max_bars).collect();
    let longest = shown.iter().map(|v| text_width(&v.name, TICK_FONT)).fold(0.0, f64::max);
    let name_room = (longest + 16.0).clamp(64.0, WIDTH * MAX_NAME_SHARE);
    let max_chars = ((name_room - 16.0) / (TICK_FONT * 0.6)).floor().max(4.0) as usize;
    let (left, right) = (name_room, WIDTH - VALUE_ROOM);
    let bottom = TOP + shown.len().max(1) as f64 * ROW + 8.0;
    let height = bottom + 52.0;
    let x = LinearScale::new(zero_based_domain(shown.iter().map(|v| v.value), 5), (left, right));

    let summary = summarise(&title, &shown, n_hidden);
    let is_empty = shown.is_empty();
    let bars =
        shown.into_iter().enumerate().map(|(idx, item)| bar_row(idx, item, &x, max_chars, colour)).collect_view();
    let empty = is_empty.then(|| empty_note((left + right) / 2.0, TOP + ROW / 2.0 + 4.0, "Nothing to show."));
    let body = view! {
        {visible_title(title.clone())}
        {x_axis(x, bottom, TOP, x_label)}
        <g class="bars">{bars}</g>
        {empty}
    };
    frame("bar-chart", (WIDTH, height), summary, title, body)
}

fn bar_row(idx: usize, item: NamedValue, x: &LinearScale, max_chars: usize, colour: ChartColour) -> impl IntoView {
    let (row_top, middle) = (TOP + idx as f64 * ROW, TOP + idx as f64 * ROW + ROW / 2.0);
    let (zero, end) = (x.map_clamped(0.0), x.map_clamped(item.value));
    let finite = item.value.is_finite();
    let value_text = format_number(item.value);
    let (value_x, anchor) = if item.value < 0.0 { (end - 6.0, "end") } else { (end + 6.0, "start") };
    let label = truncate_label(&item.name, max_chars);
    let tip = format!("{}: {value_text}", item.name);
    let rect = finite.then(|| {
        view! {
            <rect
                class=format!("bar {}", colour.as_str())
                x=px(zero.min(end))
                y=px(row_top + 4.0)
                width=px((end - zero).abs().max(1.0))
                height=px(ROW - 8.0)
                fill="currentColor"
            />
        }
    });
    view! {
        <g class="bar-row">
            <title>{tip}</title>
            <text class="category-label" x=px(x.range.0 - 8.0) y=px(middle + 4.0) text-anchor="end">
                {label}
            </text>
            {rect}
            <text class="value-label" x=px(value_x) y=px(middle + 4.0) text-anchor=anchor>
                {value_text}
            </text>
        </g>
    }
}

fn summarise(title: &str, shown: &[NamedValue], n_hidden: usize) -> String {
    if shown.is_empty() {
        return format!("{title}: nothing to show.");
    }
    let items: Vec<String> = shown.iter().map(|v| format!("{} {}", v.name, format_number(v.value))).collect();
    let rest = if n_hidden > 0 { format!(" ({n_hidden} more not shown)") } else { String::new() };
    format!("{title}: {}{rest}.", items.join(", "))
}
