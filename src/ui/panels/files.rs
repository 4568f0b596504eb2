//! The Downloads screen: scored claims, metrics, the schema report, the rule pack, model
//! files and shap trees, with optional keyed hashing of identifiers; and loading a saved model to score the
//! current claims without retraining.

use leptos::prelude::*;
use web_sys::HtmlInputElement;

use crate::page::Event;
use crate::protocol::{ExportRequest, ModelSlot};
use crate::ui::state::AppState;

/// The Downloads screen.
#[component]
pub fn FilesPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let ranking = Memo::new(move |_| state.ranking());
    let no_results = move || ranking.with(Option::is_none);
    let has = move |slot: ModelSlot| {
        state.results.with(|r| r.as_ref().is_some_and(|r| r.models.iter().any(|m| m.slot == slot)))
    };
    let scored = move |_| {
        if let Some(priority) = state.priority_choice() {
            state.dispatch(Event::Download(ExportRequest::ScoredClaims { priority, cuts: state.cuts.get_untracked() }));
        }
    };
    let model_buttons = move || {
        [ModelSlot::Forest, ModelSlot::Isolation]
            .into_iter()
            .filter(|slot| has(*slot))
            .map(|slot| {
                let name = slot.name();
                let first = ranking.get_untracked().is_some_and(|r| r.run().slot == slot);
                view! {
                    <li>
                        <button type="button" class="secondary" data-testid=if first { "download-model" } else { "download-model-other" }
                            on:click=move |_| state.dispatch(Event::Download(ExportRequest::Model { slot }))>
                            {format!("The {name} model file")}
                        </button>
                        <button type="button" class="secondary" data-testid=if first { "download-shap" } else { "download-shap-other" }
                            on:click=move |_| state.dispatch(Event::Download(ExportRequest::ShapTrees { slot }))>
                            {format!("The {name} as shap trees (JSON)")}
                        </button>
                    </li>
                }
            })
            .collect_view()
    };
    view! {
        <div class="screen-grid">
            <section class="panel" aria-labelledby="downloads-heading">
                <h2 id="downloads-heading">"Downloads"</h2>
                <div class="check-row">
                    <input type="checkbox" id="hash-ids" data-testid="hash-ids" prop:checked=move || state.hash_ids.get()
                        on:change=move |e| state.dispatch(Event::HashIds(event_target_checked(&e))) />
                    <label for="hash-ids">"Hash member, provider, prescriber and pharmacy identifiers (HMAC-SHA-256)"</label>
                </div>
                <div class="salt-row">
                    <label for="salt-input">"Salt"</label>
                    <input type="text" id="salt-input" data-testid="salt-input" spellcheck="false" autocomplete="off"
                        aria-describedby="salt-hint"
                        prop:value=move || state.salt.get()
                        on:change=move |e| state.dispatch(Event::TypeSalt(event_target_value(&e))) />
                    <button type="button" class="secondary" data-testid="new-salt" on:click=move |_| state.dispatch(Event::DrawSalt)>"New salt"</button>
                </div>
                <p class="hint" id="salt-hint">
                    "A new salt is 256 random bits from your browser. Type your own (16 characters or more) and keep it to \
                     match hashed identifiers across files and days; without it they cannot be reversed by lookup."
                </p>
                {move || state.salt_error.get().map(|error| view! { <p class="rule-problem" role="alert" data-testid="salt-error">{error}</p> })}
                <p class="hint">"Cells starting with = + - @ are prefixed with ' so spreadsheets never run them as formulas."</p>
                <ul class="download-list">
                    <li><button type="button" data-testid="download-scored" disabled=no_results on:click=scored>"Scored claims (CSV)"</button></li>
                    <li><button type="button" class="secondary" data-testid="download-metrics" disabled=no_results
                        on:click=move |_| state.dispatch(Event::Download(ExportRequest::Metrics))>"Metrics and evaluation (JSON)"</button></li>
                    <li><button type="button" class="secondary" data-testid="download-schema"
                        disabled=move || state.data.with(|d| d.as_ref().is_none_or(|d| d.loaded.report.is_none()))
                        on:click=move |_| state.dispatch(Event::Download(ExportRequest::SchemaReport))>"Schema report (JSON)"</button></li>
                    <li><button type="button" class="secondary" data-testid="download-rules"
                        disabled=move || state.rules.with(Option::is_none)
                        on:click=move |_| state.dispatch(Event::Download(ExportRequest::RulePack))>"The rule pack running now (JSON)"</button></li>
                    {model_buttons}
                </ul>
                <p class="hint">"The review queue downloads from the Review queue screen."</p>
            </section>
            <section class="panel" aria-labelledby="batch-heading">
                <h2 id="batch-heading">"Score a new batch"</h2>
                <p class="hint">"Score new claims with the models trained here. Member, provider and pharmacy aggregates are built over the loaded claims with the new ones among them, so each claim scores as it would have in the training file; a claim already loaded (same claim id) takes its own place. The scored batch downloads at once."</p>
                <label for="batch-input">"New claims file"</label>
                <input id="batch-input" type="file" accept=".csv,.tsv,.txt,.psv,.dat,.gz,.zip,.xlsx" data-testid="batch-input"
                    disabled=move || state.is_busy() || no_results()
                    on:change=move |event| {
                        let input: HtmlInputElement = event_target(&event);
                        if let Some(file) = input.files().and_then(|files| files.get(0)) {
                            state.with_file(file, Event::ScoreBatch);
                        }
                        input.set_value("");
                    } />
            </section>
            <section class="panel" aria-labelledby="model-upload-heading">
                <h2 id="model-upload-heading">"Score with a saved model"</h2>
                <p class="hint">"Load a model file saved from ClaimForest to score the claims loaded now, without retraining. Its features are built from these claims."</p>
                <label for="model-input">"Model file (.json)"</label>
                <input id="model-input" type="file" accept=".json,application/json" data-testid="model-input"
                    disabled=move || state.is_busy()
                    on:change=move |event| {
                        let input: HtmlInputElement = event_target(&event);
                        if let Some(file) = input.files().and_then(|files| files.get(0)) {
                            state.with_file(file, Event::LoadModelFile);
                        }
                        input.set_value("");
                    } />
            </section>
        </div>
    }
}
