//! The What-if screen: the selected claim's model features as a form; every change rescores
//! it in the worker and shows the new explanation. The browser's approve-or-investigate API.

use leptos::prelude::*;

use super::explanation::ExplanationView;
use crate::analysis::whatif::WhatIfKind;
use crate::page::Event;
use crate::ui::state::AppState;

/// The What-if screen.
#[component]
pub fn WhatIfPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let set_field = move |idx: usize, text: String| state.dispatch(Event::WhatIfText(idx, text));
    let inputs = move || {
        state
            .whatif_fields
            .get()
            .into_iter()
            .enumerate()
            .map(|(idx, field)| {
                let id = format!("whatif-{idx}");
                let control = match &field.kind {
                    WhatIfKind::Number => view! {
                        <input id=id.clone() type="text" inputmode="decimal" data-testid="whatif-field" data-feature=field.feature.clone()
                            value=field.text.clone()
                            on:change=move |e| set_field(idx, event_target_value(&e)) />
                    }
                    .into_any(),
                    WhatIfKind::Choice { choices } => {
                        let current = field.text.clone();
                        let options = choices
                            .iter()
                            .map(|c| view! { <option value=c.clone() selected=*c == current>{c.clone()}</option> })
                            .collect_view();
                        view! {
                            <select id=id.clone() data-testid="whatif-field" data-feature=field.feature.clone()
                                on:change=move |e| set_field(idx, event_target_value(&e))>
                                <option value="" selected=field.text.is_empty()>"(missing)"</option>
                                {options}
                            </select>
                        }
                        .into_any()
                    }
                };
                view! { <label for=id>{field.feature.clone()}</label>{control} }
            })
            .collect_view()
    };
    let shown = move || {
        let ranking = state.ranking()?;
        let run = ranking.run();
        let explanation = state.whatif.get().or_else(|| state.explanation.get())?;
        Some(
            view! { <ExplanationView explanation=explanation threshold=run.threshold positive_word=run.positive_word.clone() score_test_id="whatif-score" /> },
        )
    };
    view! {
        <div class="results-layout">
            <section class="panel" aria-labelledby="whatif-heading">
                <h2 id="whatif-heading">"What if this claim were different?"</h2>
                {move || state.whatif_fields.with(Vec::is_empty).then(|| view! {
                    <p class="hint">"Choose a claim on the Scored claims screen first; its features appear here to edit."</p>
                })}
                <form class="form-grid" data-testid="whatif-form" novalidate on:submit=move |e| {
                    e.prevent_default();
                    state.dispatch(Event::RescoreWhatIf);
                }>
                    {inputs}
                </form>
            </section>
            <section class="panel explanation" aria-labelledby="whatif-result-heading" aria-live="polite">
                <h2 id="whatif-result-heading">"Score and explanation"</h2>
                {shown}
            </section>
        </div>
    }
}
