//! The beeswarm: one row per feature, a dot per sampled claim at its SHAP value, coloured by
//! the feature's value from low (blue) to high (orange); missing values are grey.

use leptos::prelude::*;

use super::frame::{frame, visible_title, x_axis, LABEL_FONT, TICK_FONT};
use crate::analysis::evaluation::Beeswarm;
use crate::analysis::format_count;
use crate::page::charts::{
    format_coordinate as px, rank_bucket, swarm_layout, text_width, truncate_label, zero_based_domain, LinearScale,
    SwarmLayout,
};

const WIDTH: f64 = 720.0;
const TOP: f64 = 40.0;
const ROW: f64 = 32.0;
const RIGHT: f64 = WIDTH - 24.0;
const MAX_NAME_SHARE: f64 = 0.3;
/// Colour classes `swarm-0` (lowest) to `swarm-6` (highest) in the CSS.
const N_COLOUR_BUCKETS: usize = 7;
const LAYOUT: SwarmLayout = SwarmLayout { radius: 3.0, max_offset: 12.0 };

/// SHAP values of a sample of claims for the top features, most important feature on top.
#[component]
pub fn BeeswarmChart(
    /// The chart's title, shown and used as the SVG `<title>`.
    #[prop(into)]
    title: String,
    /// The features and points.
    beeswarm: Beeswarm,
    /// The x-axis title; "SHAP value (impact on the model's output)" when not given.
    #[prop(optional, into)]
    x_label: Option<String>,
) -> impl IntoView {
    let Beeswarm { features, points } = beeswarm;
    let n_rows = features.len();
    let longest = features.iter().map(|f| text_width(f, TICK_FONT)).fold(0.0, f64::max);
    let left = (longest + 16.0).clamp(64.0, WIDTH * MAX_NAME_SHARE);
    let max_chars = ((left - 16.0) / (TICK_FONT * 0.6)).floor().max(4.0) as usize;
    let bottom = TOP + n_rows.max(1) as f64 * ROW;
    let height = bottom + 88.0;

    let mut rows: Vec<Vec<(f64, Option<f64>)>> = vec![Vec::new(); n_rows];
    for point in &points {
        if let Some(row) = rows.get_mut(point.feature as usize) {
            row.push((point.shap, point.value_rank));
        }
    }
    let n_points: usize = rows.iter().map(Vec::len).sum();
    let x = LinearScale::new(zero_based_domain(rows.iter().flatten().map(|p| p.0), 5), (left, RIGHT));

    let summary = format!(
        "{title}: SHAP values of {} points for {} features, most important first: {}. Colour shows the \
         feature's value from low (blue) to high (orange); grey is missing.",
        format_count(n_points),
        n_rows,
        features.join(", ")
    );
    let row_views = features
        .into_iter()
        .zip(rows)
        .enumerate()
        .map(|(idx, (name, row))| row_view(TOP + (idx as f64 + 0.5) * ROW, name, row, &x, max_chars))
        .collect_view();
    let zero = px(x.map_clamped(0.0));
    let body = view! {
        {visible_title(title.clone())}
        {x_axis(x, bottom, TOP, x_label.unwrap_or_else(|| "SHAP value (impact on the model's output)".to_owned()))}
        <line class="zero-line" x1=zero.clone() x2=zero y1=px(TOP) y2=px(bottom) />
        <g class="swarm">{row_views}</g>
        {colour_legend(left, bottom + 66.0)}
    };
    frame("beeswarm-chart", (WIDTH, height), summary, title, body)
}

fn row_view(
    middle: f64,
    name: String,
    row: Vec<(f64, Option<f64>)>,
    x: &LinearScale,
    max_chars: usize,
) -> impl IntoView {
    let shap: Vec<f64> = row.iter().map(|p| p.0).collect();
    let dots = swarm_layout(&shap, x, &LAYOUT)
        .into_iter()
        .zip(&row)
        .filter_map(|(dot, &(_, rank))| dot.map(|dot| (dot, rank)))
        .map(|(dot, rank)| {
            let class =
                rank_bucket(rank, N_COLOUR_BUCKETS).map_or("swarm-missing".to_owned(), |b| format!("swarm-{b}"));
            view! { <circle class=class cx=px(dot.x) cy=px(middle + dot.dy) r=px(LAYOUT.radius) /> }
        })
        .collect_view();
    let label = truncate_label(&name, max_chars);
    view! {
        <g class="swarm-row">
            <title>{name}</title>
            <line class="grid" x1=px(x.range.0) x2=px(x.range.1) y1=px(middle) y2=px(middle) />
            <text class="category-label" x=px(x.range.0 - 8.0) y=px(middle + 4.0) text-anchor="end">
                {label}
            </text>
            {dots}
        </g>
    }
}

/// "Feature value: low ■■■■■■■ high   ● missing".
fn colour_legend(left: f64, baseline: f64) -> impl IntoView {
    let intro = "Feature value:";
    let low_x = left + text_width(intro, LABEL_FONT) + 8.0;
    let ramp_x = low_x + text_width("low", LABEL_FONT) + 6.0;
    let swatches = (0..N_COLOUR_BUCKETS)
        .map(|bucket| {
            view! {
                <rect
                    class=format!("swarm-{bucket}")
                    x=px(ramp_x + bucket as f64 * 14.0)
                    y=px(baseline - 11.0)
                    width="14"
                    height="12"
                />
            }
        })
        .collect_view();
    let high_x = ramp_x + N_COLOUR_BUCKETS as f64 * 14.0 + 6.0;
    let missing_x = high_x + text_width("high", LABEL_FONT) + 24.0;
    view! {
        <g class="legend colour-legend">
            <text class="legend-label" x=px(left) y=px(baseline)>{intro}</text>
            <text class="legend-label" x=px(low_x) y=px(baseline)>"low"</text>
            {swatches}
            <text class="legend-label" x=px(high_x) y=px(baseline)>"high"</text>
            <circle class="swarm-missing" cx=px(missing_x) cy=px(baseline - 5.0) r="4" />
            <text class="legend-label" x=px(missing_x + 9.0) y=px(baseline)>"missing"</text>
        </g>
    }
}
