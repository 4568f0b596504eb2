//! A labelled whole-number input bound to a text signal; validation happens in `workspace`.

use leptos::prelude::*;

/// A `<label>` and an `<input type="number">` whose text is kept in `value`.
#[component]
pub fn NumberField(
    /// The input's id, which the label points at.
    id: &'static str,
    /// The visible label.
    label: &'static str,
    /// The `data-testid` of the input.
    test_id: &'static str,
    /// The smallest value the browser's spinner offers.
    min: u64,
    /// The text typed so far (parsed and validated by the caller).
    value: RwSignal<String>,
) -> impl IntoView {
    view! {
        <label for=id>{label}</label>
        <input
            id=id
            type="number"
            min=min
            step="1"
            data-testid=test_id
            prop:value=move || value.get()
            on:input=move |event| value.set(event_target_value(&event))
        />
    }
}
