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
    test_id: &'static str,
) -> impl IntoView {
    move || {
        value.get().map(|text| {
            view! {
                <div class="metric">
                    <span class="metric-label">{label}</span>
                    <output class="metric-value" data-testid=test_id>{text}</output>
                </div>
            }
        })
    }
}
