//! One claim's explanation as a waterfall: from the base value, each step's bar moves the
//! running total up or down, ending at the explained value.

use leptos::prelude::*;

use super::frame::{frame, x_axis, LABEL_FONT, TICK_FONT};
use crate::analysis::explain::{FeatureContribution, WaterfallStep};
use crate::page::charts::{
    centred_label_x, classify_steps, describe_waterfall, finite_extent, format_coordinate as px, format_number,
    format_signed, nice_domain, text_width, truncate_label, waterfall_bars, LinearScale, StepKind, WaterfallBar,
};

const WIDTH: f64 = 720.0;
const TOP: f64 = 44.0;
const ROW: f64 = 28.0;
const VALUE_ROOM: f64 = 76.0;
const MAX_LABEL_SHARE: f64 = 0.4;

/// The waterfall of one claim's contributions. A step for a single feature carries
/// `data-testid="shap-bar"`, `data-feature` and `data-value` (its exact SHAP value); the
/// grouped "N other features" step carries `data-testid="shap-bar-rest"`.
#[component]
pub fn WaterfallChart(
    /// The steps, top first (from `analysis::explain::waterfall`).
    steps: Vec<WaterfallStep>,
    /// The expected output over the training data, where the first step starts.
    base_value: f64,
    /// This claim's explained output, where the last step ends.
    explained_value: f64,
    /// What the output is, e.g. "probability of denial".
    #[prop(into)]
    output_label: String,
    /// The claim's contributions, to tag each feature's step with its exact SHAP value.
    contributions: Vec<FeatureContribution>,
) -> impl IntoView {
    let kinds = classify_steps(&steps, &contributions);
    let labels: Vec<String> = steps
        .iter()
        .zip(&kinds)
        .map(|(step, kind)| match kind {
            StepKind::Feature(idx) => {
                contributions.get(*idx).map_or_else(|| step.label.clone(), |c| format!("{} = {}", c.feature, c.value))
            }
            StepKind::Rest | StepKind::Other => step.label.clone(),
        })
        .collect();
    let longest = labels.iter().map(|l| text_width(l, TICK_FONT)).fold(0.0, f64::max);
    let left = (longest + 16.0).clamp(96.0, WIDTH * MAX_LABEL_SHARE);
    let max_chars = ((left - 16.0) / (TICK_FONT * 0.6)).floor().max(4.0) as usize;
    let right = WIDTH - VALUE_ROOM;
    let bottom = TOP + steps.len().max(1) as f64 * ROW + 6.0;
    let height = bottom + 76.0;

    let bars = waterfall_bars(&steps);
    let extent = finite_extent(bars.iter().flat_map(|b| [b.low, b.high]).chain([base_value, explained_value]));
    let (lo, hi) = extent.unwrap_or((0.0, 1.0));
    let x = LinearScale::new(nice_domain(lo, hi, 5), (left, right));

    let summary = describe_waterfall(&steps, base_value, explained_value, &output_label);
    let title = format!("Contributions to the {output_label}");
    let rows = bars
        .into_iter()
        .zip(kinds)
        .zip(labels)
        .enumerate()
        .map(|(idx, ((bar, kind), label))| {
            let row = StepRow { idx, bar, kind, label, last: idx + 1 == steps.len() };
            step_view(row, &contributions, &x, max_chars)
        })
        .collect_view();

    let output_text = format!("{output_label} = {}", format_number(explained_value));
    let base_text = format!("base value = {}", format_number(base_value));
    let (output_x, base_x) = (x.map_clamped(explained_value), x.map_clamped(base_value));
    let output_text_x = centred_label_x(output_x, text_width(&output_text, LABEL_FONT), 8.0, WIDTH - 8.0);
    let base_text_x = centred_label_x(base_x, text_width(&base_text, LABEL_FONT), 8.0, WIDTH - 8.0);
    let body = view! {
        {x_axis(x, bottom, TOP, output_label)}
        <line class="reference" x1=px(base_x) x2=px(base_x) y1=px(TOP - 4.0) y2=px(bottom) />
        <line class="reference output" x1=px(output_x) x2=px(output_x) y1=px(TOP - 10.0) y2=px(bottom) />
        <text
            class="marker-label"
            x=px(output_text_x)
            y=px(TOP - 16.0)
            text-anchor="middle"
        >
            {output_text}
        </text>
        <text
            class="marker-label"
            x=px(base_text_x)
            y=px(bottom + 60.0)
            text-anchor="middle"
        >
            {base_text}
        </text>
        <g class="waterfall-steps">{rows}</g>
    };
    frame("waterfall-chart", (WIDTH, height), summary, title, body)
}

struct StepRow {
    idx: usize,
    bar: WaterfallBar,
    kind: StepKind,
    label: String,
    last: bool,
}

fn step_view(row: StepRow, contributions: &[FeatureContribution], x: &LinearScale, max_chars: usize) -> impl IntoView {
    let StepRow { idx, bar, kind, label, last } = row;
    let row_top = TOP + idx as f64 * ROW;
    let middle = row_top + ROW / 2.0;
    let (test_id, feature, shap) = match (kind, kind_contribution(kind, contributions)) {
        (StepKind::Feature(_), Some(c)) => (Some("shap-bar"), Some(c.feature.clone()), Some(c.shap)),
        (StepKind::Rest, _) => (Some("shap-bar-rest"), None, None),
        _ => (None, None, None),
    };
    let change = shap.unwrap_or(bar.end - bar.start);
    let data_value = test_id.map(|_| change.to_string());
    let signed = format_signed(change);
    let (low, high) = (x.map_clamped(bar.low), x.map_clamped(bar.high));
    let end_x = px(x.map_clamped(bar.end));
    let connector = (!last).then(|| {
        view! { <line class="connector" x1=end_x.clone() x2=end_x y1=px(row_top + ROW - 5.0) y2=px(row_top + ROW + 5.0) /> }
    });
    let tip = format!("{label}: {signed}");
    view! {
        <g class="waterfall-step" data-testid=test_id data-feature=feature data-value=data_value>
            <title>{tip}</title>
            <text class="category-label" x=px(x.range.0 - 8.0) y=px(middle + 4.0) text-anchor="end">
                {truncate_label(&label, max_chars)}
            </text>
            <rect
                class=format!("bar {}", bar.direction.as_str())
                x=px(low)
                y=px(row_top + 5.0)
                width=px((high - low).max(1.0))
                height=px(ROW - 10.0)
            />
            {connector}
            <text class="value-label" x=px(WIDTH - 8.0) y=px(middle + 4.0) text-anchor="end">
                {signed}
            </text>
        </g>
    }
}

fn kind_contribution(kind: StepKind, contributions: &[FeatureContribution]) -> Option<&FeatureContribution> {
    match kind {
        StepKind::Feature(idx) => contributions.get(idx),
        StepKind::Rest | StepKind::Other => None,
    }
}
