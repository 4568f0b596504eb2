//! The Rules screen: which pack runs, the rules editor (enable, edit conditions and their
//! thresholds, severity, add, remove), pack upload and download, the hybrid weights, and
//! hits per rule with each rule's precision.

use std::sync::Arc;

use leptos::prelude::*;
use web_sys::HtmlInputElement;

use crate::analysis::evaluation::NamedValue;
use crate::analysis::export::file_stem;
use crate::analysis::format_count;
use crate::analysis::hybrid::HybridWeights;
use crate::analysis::rule_stats::{rule_stats, RuleStat};
use crate::claims::rules::{SkipReason, BUILTIN_PACKS};
use crate::page::rule_editor::{rule_problems, thresholds, RuleEdit};
use crate::page::{format_metric, Event};
use crate::ui::charts::BarChart;
use crate::ui::download::save_bytes;
use crate::ui::state::AppState;

/// The Rules screen.
#[component]
pub fn RulesPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let stats = Memo::new(move |_| {
        let rules = state.rules.get()?;
        let labels = state.known_labels();
        Some(Arc::new(rule_stats(&rules.outcome, labels.as_deref().map(Vec::as_slice))))
    });
    let problems = Memo::new(move |_| state.rule_draft.with(|d| d.as_ref().map(rule_problems).unwrap_or_default()));
    let has_problems = move || problems.with(|p| p.iter().any(Option::is_some));
    let dirty = move || {
        state.rule_draft.with(|draft| state.rules.with(|rules| draft.as_ref() != rules.as_ref().map(|r| &r.pack)))
    };
    let n_rules = move || state.rule_draft.with(|d| d.as_ref().map_or(0, |d| d.rules.len()));
    let download_draft = move |_| {
        let Some(pack) = state.rule_draft.get_untracked() else { return };
        let saved = pack.to_json().map_err(|e| e.to_string()).and_then(|json| {
            save_bytes(&format!("{}.rules.json", file_stem(&pack.name)), "application/json", json.as_bytes())
        });
        state.dispatch(match saved {
            Ok(()) => Event::Saved(format!("Saved the {} pack.", pack.name)),
            Err(message) => Event::Failed(message),
        });
    };
    let add_rule = move |_| state.dispatch(Event::EditRules(RuleEdit::Add));
    let charts = move || {
        let stats = stats.get()?;
        let hits: Vec<NamedValue> =
            stats.iter().map(|s| NamedValue { name: s.name.clone(), value: s.hits as f64 }).collect();
        let precision: Vec<NamedValue> =
            stats.iter().filter_map(|s| s.precision.map(|p| NamedValue { name: s.name.clone(), value: p })).collect();
        Some(view! {
            <div data-testid="rule-hits-chart">
                <BarChart title="Claims hit per rule" x_label="Claims hit" values=hits max_bars=30 />
            </div>
            {(!precision.is_empty()).then(|| view! {
                <div data-testid="rule-precision-chart">
                    <BarChart title="Precision per rule" x_label="Share of its hits labelled positive" values=precision max_bars=30 colour=crate::page::charts::ChartColour::Green />
                </div>
            })}
        })
    };
    view! {
        <div class="screen-grid rules-layout">
            <RulePackPanel />
            <section class="panel rules-editor-panel" aria-labelledby="rules-editor-heading">
                <h2 id="rules-editor-heading">"Rules editor"</h2>
                <p class="hint">"Edit a condition or its thresholds, the severity (0 to 1), or switch a rule off; then apply. Conditions read claim columns and derived features, e.g. "<code>"service_code contains \"Surgery\" and has_pre_auth = 0"</code>"."</p>
                <div class="rules-editor" role="table" aria-label="Rules" data-testid="rules-editor">
                    <div class="rule-row rule-head" role="row">
                        <span role="columnheader">"On"</span>
                        <span role="columnheader">"Rule"</span>
                        <span role="columnheader">"Condition and thresholds"</span>
                        <span role="columnheader">"Severity"</span>
                        <span role="columnheader">"Hits"</span>
                        <span role="columnheader">"Precision"</span>
                        <span role="columnheader"><span class="sr-only">"Remove"</span></span>
                    </div>
                    <For each=move || 0..n_rules() key=|index| *index let:index>
                        <RuleRow index=index stats=stats problems=problems />
                    </For>
                </div>
                <div class="controls">
                    <button type="button" class="secondary" data-testid="rule-add" on:click=add_rule
                        disabled=move || state.rule_draft.with(Option::is_none)>"Add a rule"</button>
                    <button type="button" data-testid="rules-apply" on:click=move |_| state.dispatch(Event::ApplyRules)
                        disabled=move || !dirty() || has_problems()>"Apply the rules"</button>
                    <button type="button" class="secondary" data-testid="rules-reset"
                        disabled=move || !dirty()
                        on:click=move |_| state.dispatch(Event::UndoRuleEdits)>
                        "Undo edits"
                    </button>
                    <button type="button" class="secondary" data-testid="rules-download" on:click=download_draft
                        disabled=move || state.rule_draft.with(Option::is_none)>"Download the pack (JSON)"</button>
                </div>
                <p class="hint">{move || dirty().then_some("Edits are not applied yet.")}</p>
                {charts}
            </section>
        </div>
    }
}

/// The running pack, what it skipped, choosing or uploading another, and the priority's
/// weights.
#[component]
fn RulePackPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let summary = move || {
        state.rules.with(|rules| match rules {
            Some(rules) => rules.summary(),
            None => "No built-in pack fits these claims. Upload a pack or add rules below.".to_owned(),
        })
    };
    let skipped = move || {
        state.rules.with(|rules| {
            rules
                .as_ref()
                .map(|rules| {
                    rules
                        .outcome
                        .skipped
                        .iter()
                        .filter(|s| !matches!(s.reason, SkipReason::Disabled))
                        .map(|s| {
                            let why = match &s.reason {
                                SkipReason::MissingColumns { columns } => {
                                    format!("the claims have no {}", columns.join(", "))
                                }
                                SkipReason::InvalidCondition { message } => message.clone(),
                                SkipReason::Disabled => "switched off".to_owned(),
                            };
                            view! { <li>{format!("{}: skipped, {why}.", s.id)}</li> }
                        })
                        .collect_view()
                })
                .unwrap_or_default()
        })
    };
    let pack_options = BUILTIN_PACKS
        .iter()
        .map(|(name, _)| view! { <option value=*name>{format!("Built-in: {name}")}</option> })
        .collect_view();
    // The chooser shows the built-in pack that runs, else its prompt.
    let running = move || state.rules.with(|r| r.as_ref().and_then(|r| r.running_builtin()).unwrap_or("").to_owned());
    view! {
    <section class="panel" aria-labelledby="rules-heading">
        <h2 id="rules-heading">"Business rules"</h2>
        <p data-testid="rules-summary">{summary}</p>
        <ul class="hint">{skipped}</ul>
        <div class="form-grid">
            <label for="rules-pack-select">"Rule pack"</label>
            <select id="rules-pack-select" data-testid="rules-pack-select" prop:value=running
                on:change=move |e| {
                    let name = event_target_value(&e);
                    if !name.is_empty() {
                        state.dispatch(Event::BuiltinRules(name));
                    }
                }>
                <option value="">"Choose a built-in pack…"</option>
                {pack_options}
            </select>
            <label for="rules-upload">"Upload a pack (.json)"</label>
            <input id="rules-upload" type="file" accept=".json,application/json" data-testid="rules-upload"
                on:change=move |event| {
                    let input: HtmlInputElement = event_target(&event);
                    if let Some(file) = input.files().and_then(|files| files.get(0)) {
                        state.with_file(file, Event::LoadRulesFile);
                    }
                    input.set_value("");
                } />
        </div>
        <h3>"Priority"</h3>
        <WeightsForm />
    </section>
    }
}

/// One editable rule.
#[component]
fn RuleRow(
    index: usize,
    stats: Memo<Option<Arc<Vec<RuleStat>>>>,
    problems: Memo<Vec<Option<String>>>,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let read = move |f: fn(&crate::claims::rules::Rule) -> String| {
        move || state.rule_draft.with(|d| d.as_ref().and_then(|d| d.rules.get(index)).map(f).unwrap_or_default())
    };
    let edit = move |change: RuleEdit| state.dispatch(Event::EditRules(change));
    let id = read(|r| r.id.clone());
    let condition = read(|r| r.condition.clone());
    let stat = move || {
        let id = id();
        stats.with(|s| s.as_ref().and_then(|s| s.iter().find(|stat| stat.id == id).cloned()))
    };
    let enabled =
        move || state.rule_draft.with(|d| d.as_ref().and_then(|d| d.rules.get(index)).is_some_and(|r| r.enabled));
    let n_thresholds = move || thresholds(&condition()).len();
    let problem = move || problems.with(|p| p.get(index).cloned().flatten());
    let dom_id = move |what: &str| format!("rule-{index}-{what}");
    view! {
        <div class="rule-row" role="row" data-testid="rule-row" data-rule-id=id class:rule-off=move || !enabled()>
            <span role="cell">
                <input type="checkbox" id=dom_id("on") data-testid="rule-enabled" prop:checked=enabled
                    aria-label=move || format!("Rule {} is on", id())
                    on:change=move |e| {
                        let on = event_target_checked(&e);
                        edit(RuleEdit::Enabled(index, on));
                    } />
            </span>
            <span role="cell" class="rule-name">
                <strong>{read(|r| r.name.clone())}</strong>
                <code class="hint">{id}</code>
                <span class="hint">{read(|r| r.category.clone())}</span>
            </span>
            <span role="cell" class="rule-condition">
                <label class="sr-only" for=dom_id("condition")>{move || format!("Condition of {}", id())}</label>
                <input type="text" id=dom_id("condition") data-testid="rule-condition" spellcheck="false"
                    prop:value=condition
                    on:change=move |e| {
                        let text = event_target_value(&e);
                        edit(RuleEdit::Condition(index, text));
                    } />
                <span class="thresholds">
                    <For each=move || 0..n_thresholds() key=|which| *which let:which>
                        <label class="threshold">
                            <span class="sr-only">{move || format!("Threshold {} of {}", which + 1, id())}</span>
                            <input type="number" step="any" data-testid="rule-threshold"
                                prop:value=move || thresholds(&condition()).get(which).map(|t| t.text.clone()).unwrap_or_default()
                                on:change=move |e| {
                                    let Ok(value) = event_target_value(&e).trim().parse::<f64>() else { return };
                                    edit(RuleEdit::Threshold { index, which, value });
                                } />
                        </label>
                    </For>
                </span>
                {move || problem().map(|p| view! { <span class="rule-problem" role="alert" data-testid="rule-problem">{p}</span> })}
            </span>
            <span role="cell">
                <label class="sr-only" for=dom_id("severity")>{move || format!("Severity of {}", id())}</label>
                <input type="number" id=dom_id("severity") min="0" max="1" step="0.05" data-testid="rule-severity"
                    prop:value=move || state.rule_draft.with(|d| d.as_ref().and_then(|d| d.rules.get(index)).map(|r| r.severity.to_string()).unwrap_or_default())
                    on:change=move |e| {
                        if let Ok(value) = event_target_value(&e).trim().parse::<f64>() {
                            edit(RuleEdit::Severity(index, value));
                        }
                    } />
            </span>
            <span role="cell" data-testid="rule-hit-count">{move || stat().map_or("—".to_owned(), |s| format_count(s.hits))}</span>
            <span role="cell">{move || stat().and_then(|s| s.precision).map_or("—".to_owned(), format_metric)}</span>
            <span role="cell">
                <button type="button" class="link" data-testid="rule-remove"
                    aria-label=move || format!("Remove rule {}", id())
                    on:click=move |_| edit(RuleEdit::Remove(index))>"Remove"</button>
            </span>
        </div>
    }
}

/// The hybrid priority's weights and whether the rules are blended in.
#[component]
fn WeightsForm() -> impl IntoView {
    let state = expect_context::<AppState>();
    let weight = move |id: &'static str,
                       label: &'static str,
                       read: fn(&HybridWeights) -> f64,
                       write: fn(&mut HybridWeights, f64)| {
        view! {
            <label for=id>{label}</label>
            <input id=id type="number" min="0" step="0.05" data-testid=id
                prop:value=move || state.weights.with(read).to_string()
                on:change=move |e| {
                    let Ok(value) = event_target_value(&e).trim().parse::<f64>() else {
                        return state.dispatch(Event::Failed(format!("{label}: type a number.")));
                    };
                    let mut weights = state.weights.get_untracked();
                    write(&mut weights, value);
                    state.dispatch(Event::Weights(weights));
                } />
        }
    };
    view! {
        <div class="check-row">
            <input type="checkbox" id="use-rules" data-testid="use-rules" prop:checked=move || state.use_rules.get()
                on:change=move |e| state.dispatch(Event::UseRules(event_target_checked(&e))) />
            <label for="use-rules">"Blend the rules into the priority (hybrid)"</label>
        </div>
        <p class="hint">"priority = model weight × model score + severity weight × highest severity hit + flag weight × (any rule hit). Weights are used in proportion; isolation-forest scores are rescaled to 0–1 first."</p>
        <div class="form-grid">
            {weight("weight-model", "Model score weight", |w| w.model, |w, v| w.model = v)}
            {weight("weight-severity", "Highest severity weight", |w| w.severity, |w, v| w.severity = v)}
            {weight("weight-flag", "Any-rule flag weight", |w| w.flag, |w, v| w.flag = v)}
        </div>
        <button type="button" class="link" on:click=move |_| state.dispatch(Event::Weights(HybridWeights::default()))>"Reset to 0.5 / 0.3 / 0.2"</button>
    }
}
