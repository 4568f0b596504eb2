//! The Train screen: label and positive class, features, algorithm and its key parameters,
//! and the train button. Progress and cancel are in the page's shared progress bar.

use leptos::prelude::*;

use crate::page::train_form::{TrainEdit, TrainField, TrainForm};
use crate::page::Event;
use crate::protocol::AlgorithmChoice;
use crate::ui::state::AppState;

/// The value of the "no label" option.
const NO_LABEL: &str = "";

/// The Train screen.
#[component]
pub fn TrainPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let form = state.train_form;
    let labels = move || state.data.with(|d| d.as_ref().map(|d| d.loaded.labels.clone()).unwrap_or_default());
    let label_options = move || {
        let chosen = form.with(|f| f.label_column.clone());
        labels()
            .into_iter()
            .map(|l| {
                let selected = chosen.as_deref() == Some(l.column.as_str());
                view! { <option value=l.column.clone() selected=selected>{l.column.clone()}</option> }
            })
            .collect_view()
    };
    let positive_options = move || {
        let (label, positive) = form.with(|f| (f.label_column.clone(), f.positive_label.clone()));
        let classes =
            labels().into_iter().find(|l| Some(&l.column) == label.as_ref()).map(|l| l.classes).unwrap_or_default();
        classes
            .into_iter()
            .map(|class| {
                let selected = positive.as_deref() == Some(class.as_str());
                view! { <option value=class.clone() selected=selected>{class.clone()}</option> }
            })
            .collect_view()
    };
    let edit = move |edit: TrainEdit| state.dispatch(Event::EditTrain(edit));
    let edit_seed = move || state.dispatch(Event::NewSeed { generate: false });
    view! {
        <div class="screen-grid">
            <section class="panel" aria-labelledby="label-heading">
                <h2 id="label-heading">"What to predict"</h2>
                <div class="form-grid">
                    <label for="label-select">"Label column"</label>
                    <select id="label-select" data-testid="label-select" on:change=move |e| edit(TrainEdit::Label(event_target_value(&e)))>
                        <option value=NO_LABEL selected=move || form.with(|f| f.label_column.is_none())>
                            "None: find anomalies without labels"
                        </option>
                        {label_options}
                    </select>
                    <label for="positive-select">"Positive class"</label>
                    <select id="positive-select" data-testid="positive-select"
                        disabled=move || form.with(|f| f.label_column.is_none())
                        on:change=move |e| edit(TrainEdit::Positive(event_target_value(&e)))>
                        {positive_options}
                    </select>
                    <label for="algorithm-select">"Algorithm"</label>
                    <select id="algorithm-select" data-testid="algorithm-select" on:change=move |e| {
                        let algorithm = match event_target_value(&e).as_str() {
                            "isolation_forest" => AlgorithmChoice::IsolationForest,
                            "both" => AlgorithmChoice::Both,
                            _ => AlgorithmChoice::RandomForest,
                        };
                        edit(TrainEdit::Algorithm(algorithm));
                    }>
                        <option value="random_forest" selected=move || form.with(|f| f.algorithm == AlgorithmChoice::RandomForest)>
                            "Random forest (needs a label)"
                        </option>
                        <option value="isolation_forest" selected=move || form.with(|f| f.algorithm == AlgorithmChoice::IsolationForest)>
                            "Isolation forest (no label needed)"
                        </option>
                        <option value="both" selected=move || form.with(|f| f.algorithm == AlgorithmChoice::Both)>
                            "Both"
                        </option>
                    </select>
                </div>
                <h3>"Parameters"</h3>
                <div class="form-grid">
                    {param(state, "n-trees", "Trees", "More trees give steadier scores and take longer.", TrainField::Trees)}
                    {param(state, "max-depth", "Maximum depth", "Empty grows every tree until its leaves are pure. The default, 16, ranks claims as well or better and makes every explanation several times faster.", TrainField::MaxDepth)}
                    {param(state, "min-leaf", "Fewest claims per leaf", "A leaf must hold at least this many training claims.", TrainField::MinLeaf)}
                    {param(state, "test-percent", "Held out (%)", "Claims kept aside to evaluate the random forest honestly.", TrainField::TestPercent)}
                    {param(state, "if-trees", "Isolation trees", "Trees of the isolation forest.", TrainField::IsolationTrees)}
                    {param(state, "if-samples", "Claims per isolation tree", "Each isolation tree is grown on this many sampled claims (256 is the classic choice).", TrainField::IsolationSamples)}
                    {param(state, "train-seed", "Seed", "The same seed, data and settings give the same model, bit for bit.", TrainField::Seed)}
                </div>
                <div class="check-row">
                    <input type="checkbox" id="if-rule-clean" data-testid="if-rule-clean"
                        prop:checked=move || form.with(|f| f.isolation_on_rule_clean)
                        on:change=move |e| edit(TrainEdit::RuleClean(event_target_checked(&e))) />
                    <label for="if-rule-clean">"The isolation forest learns normal from claims that trip no rule"</label>
                </div>
                <p class="hint">"As in the copay-card fraud system: it trains on the rule-clean claims and scores every claim. If fewer clean claims than one tree's sample remain, it learns from every claim and says so."</p>
                <div class="controls">
                    <button type="button" data-testid="train-button" disabled=move || state.is_busy() on:click=move |_| state.dispatch(Event::Train)>
                        "Train"
                    </button>
                    <button type="button" class="secondary" data-testid="train-new-seed" title="Draw a random seed; the same seed gives the same model, bit for bit"
                        on:click=move |_| edit_seed()>"New seed"</button>
                </div>
            </section>
            <FeaturePicker />
        </div>
    }
}

/// The feature columns to train on, with presets.
#[component]
fn FeaturePicker() -> impl IntoView {
    let state = expect_context::<AppState>();
    let form = state.train_form;
    let choices = move || state.data.with(|d| d.as_ref().map(|d| d.loaded.features.clone()).unwrap_or_default());
    let edit = move |edit: TrainEdit| state.dispatch(Event::EditTrain(edit));
    let n_chosen = move || form.with(TrainForm::n_chosen);
    let feature_boxes = move || {
        let label = form.with(|f| f.label_column.clone());
        choices()
            .into_iter()
            .filter(|c| Some(&c.name) != label.as_ref())
            .map(|choice| {
                let name = choice.name.clone();
                let id = format!("feature-{name}");
                let checked = {
                    let name = name.clone();
                    move || form.with(|f| f.feature_columns.contains(&name))
                };
                let toggle = {
                    let name = name.clone();
                    move |event: leptos::ev::Event| {
                        edit(TrainEdit::Feature { name: name.clone(), on: event_target_checked(&event) })
                    }
                };
                view! {
                    <li>
                        <input type="checkbox" id=id.clone() data-testid="feature-checkbox" data-feature=name.clone()
                            prop:checked=checked on:change=toggle />
                        <label for=id title=choice.note.clone().unwrap_or_default()>
                            {name.clone()}
                            {choice.derived.then(|| view! { <span class="tag">"derived"</span> })}
                            {choice.note.clone().map(|note| view! { <span class="hint">{format!(" ({note})")}</span> })}
                        </label>
                    </li>
                }
            })
            .collect_view()
    };
    view! {
    <section class="panel" aria-labelledby="features-heading">
        <h2 id="features-heading">{move || format!("Features ({} chosen)", n_chosen())}</h2>
        <div class="controls">
            <button type="button" class="secondary" on:click=move |_| edit(TrainEdit::DefaultFeatures)>"Defaults"</button>
            <button type="button" class="secondary" data-testid="features-anomaly-defaults" on:click=move |_| edit(TrainEdit::AnomalyFeatures)
                title="The derived features that compare a claim with its peers: what an isolation forest should read">"Anomaly defaults"</button>
            <button type="button" class="secondary" on:click=move |_| edit(TrainEdit::AllFeatures)>"All"</button>
            <button type="button" class="secondary" on:click=move |_| edit(TrainEdit::NoFeatures)>"None"</button>
        </div>
        <ul class="feature-list" data-testid="feature-list">{feature_boxes}</ul>
    </section>
    }
}

fn param(
    state: AppState,
    id: &'static str,
    label: &'static str,
    tooltip: &'static str,
    field: TrainField,
) -> impl IntoView {
    let hint_id = format!("{id}-hint");
    view! {
        <label for=id title=tooltip>{label}</label>
        <span class="with-hint">
            <input id=id type="text" inputmode="numeric" data-testid=format!("{id}-input") title=tooltip aria-describedby=hint_id.clone()
                prop:value=move || state.train_form.with(|f| f.text(field).to_owned())
                on:input=move |e| state.dispatch(Event::EditTrain(TrainEdit::Text(field, event_target_value(&e)))) />
            <span id=hint_id class="sr-only">{tooltip}</span>
        </span>
    }
}
