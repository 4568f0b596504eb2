//! One headline metric: a label and a value.

use leptos::prelude::*;

/// A metric tile; renders nothing until `value` is `Some`.
#[component]
pub fn Metric(
    /// What is measured, e.g. "Accuracy (held out)".
    label: &'static str,
    /// The formatted value.
    #[prop(into)]
    value: Signal<Option<String>>,
    /// The `data-testid` of the value element.
    #[prop(into)]
    test_id: String,
) -> impl IntoView {
    move || {
        value.get().map(|text| {
            view! {
                <div class="metric">
                    <span class="metric-label">{label}</span>
                    <output class="metric-value" data-testid=test_id.clone()>{text}</output>
                </div>
            }
        })
    }
}
