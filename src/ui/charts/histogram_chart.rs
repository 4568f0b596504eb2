//! The score histogram by class: side-by-side bars per score bin.

use leptos::prelude::*;

use super::frame::{empty_note, frame, legend, visible_title, x_axis, y_axis, LegendEntry, Swatch, LEGEND_ROW};
use crate::analysis::evaluation::ScoreHistogram;
use crate::analysis::format_count;
use crate::page::charts::{
    finite_extent, format_coordinate as px, format_number, histogram_bins, zero_based_domain, ChartColour,
    HistogramBin, HistogramScale, LinearScale,
};

const WIDTH: f64 = 600.0;
const HEIGHT: f64 = 380.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = WIDTH - 20.0;
const BOTTOM: f64 = HEIGHT - 56.0;
const NEGATIVE: ChartColour = ChartColour::Blue;
const POSITIVE: ChartColour = ChartColour::Orange;

/// Score counts per bin, negatives and positives side by side (one set when there are no
/// positives).
#[component]
pub fn HistogramChart(
    /// The chart's title, shown and used as the SVG `<title>`.
    #[prop(into)]
    title: String,
    /// The x-axis title, e.g. "Probability of denial".
    #[prop(into)]
    x_label: String,
    /// The bins and their counts by class.
    histogram: ScoreHistogram,
    /// What the negatives are called, e.g. "Paid".
    #[prop(into)]
    negative_name: String,
    /// What the positives are called, e.g. "Denied".
    #[prop(into)]
    positive_name: String,
    /// Counts (the default) or each class's share, which keeps a rare class visible.
    #[prop(optional)]
    scale: HistogramScale,
) -> impl IntoView {
    let bins = histogram_bins(&histogram);
    let n_negatives: usize = bins.iter().map(|b| b.negatives).sum();
    let n_positives: usize = bins.iter().map(|b| b.positives).sum();
    let two_sets = n_positives > 0;
    let summary = format!(
        "{title}: {} {negative_name}{} in {} bins of {x_label}.",
        format_count(n_negatives),
        if two_sets { format!(" and {} {positive_name}", format_count(n_positives)) } else { String::new() },
        bins.len(),
    );

    let legend_top = 34.0;
    let top = if two_sets { legend_top + LEGEND_ROW + 12.0 } else { 44.0 };
    let legend_view = two_sets.then(|| {
        let entries = vec![
            LegendEntry { label: negative_name.clone(), colour_class: NEGATIVE.as_str(), swatch: Swatch::Block },
            LegendEntry { label: positive_name.clone(), colour_class: POSITIVE.as_str(), swatch: Swatch::Block },
        ];
        legend(entries, LEFT, legend_top, RIGHT - LEFT)
    });
    let x_domain = finite_extent(bins.iter().flat_map(|b| [b.low, b.high])).unwrap_or((0.0, 1.0));
    let x = LinearScale::new(x_domain, (LEFT, RIGHT));
    let values =
        bins.iter().flat_map(|b| [scale.value(b.negatives, n_negatives), scale.value(b.positives, n_positives)]);
    let y = LinearScale::new(zero_based_domain(values, 5), (BOTTOM, top));

    let names = (negative_name, positive_name);
    let bars = bins
        .iter()
        .map(|bin| bin_view(bin, &x, &y, scale, (n_negatives, n_positives), &names, two_sets))
        .collect_view();
    let empty = bins.is_empty().then(|| empty_note((LEFT + RIGHT) / 2.0, (top + BOTTOM) / 2.0, "No scores to show."));
    let body = view! {
        {visible_title(title.clone())}
        {legend_view}
        {y_axis(y, LEFT, RIGHT, scale.axis_label().to_owned())}
        {x_axis(x, BOTTOM, top, x_label)}
        <g class="bars">{bars}</g>
        {empty}
    };
    frame("histogram-chart", (WIDTH, HEIGHT), summary, title, body)
}

fn bin_view(
    bin: &HistogramBin,
    x: &LinearScale,
    y: &LinearScale,
    scale: HistogramScale,
    totals: (usize, usize),
    names: &(String, String),
    two_sets: bool,
) -> impl IntoView {
    let (left, right) = (x.map(bin.low) + 1.0, x.map(bin.high) - 1.0);
    let width = ((right - left) / if two_sets { 2.0 } else { 1.0 }).max(0.5);
    let range = format!("{}–{}", format_number(bin.low), format_number(bin.high));
    let negative = bar(left, width, y, scale.value(bin.negatives, totals.0), NEGATIVE);
    let negative_tip = format!("{range}: {} {}", format_count(bin.negatives), names.0);
    let positive = two_sets.then(|| {
        let tip = format!("{range}: {} {}", format_count(bin.positives), names.1);
        view! {
            <g>
                {bar(left + width, width, y, scale.value(bin.positives, totals.1), POSITIVE)}
                <title>{tip}</title>
            </g>
        }
    });
    view! {
        <g>
            {negative}
            <title>{negative_tip}</title>
        </g>
        {positive}
    }
}

fn bar(left: f64, width: f64, y: &LinearScale, value: f64, colour: ChartColour) -> impl IntoView {
    let (top, base) = (y.map_clamped(value), y.map_clamped(0.0));
    view! {
        <rect
            class=format!("bar {}", colour.as_str())
            x=px(left)
            y=px(top.min(base))
            width=px(width)
            height=px((base - top).abs())
            fill="currentColor"
        />
    }
}
