//! The Scored claims screen: every claim sorted and filtered in a virtualized table, and the
//! selected claim's explanation beside it.

use std::sync::Arc;

use leptos::prelude::*;

use super::explanation::{ClaimRulesView, ExplanationView};
use crate::analysis::format_count;
use crate::analysis::tiers::RiskTier;
use crate::page::results::{order_rows, tier_counts, SortKey};
use crate::page::{Event, Screen};
use crate::protocol::ModelSlot;
use crate::ui::components::{ClaimsGrid, GridSort};
use crate::ui::state::AppState;

/// How long typing must pause before the filter runs.
const FILTER_PAUSE: std::time::Duration = std::time::Duration::from_millis(250);

/// The Scored claims screen.
#[component]
pub fn ResultsPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let table = Signal::derive(move || state.data.with(|d| d.as_ref().map(|d| d.table.clone())));
    let ranking = Memo::new(move |_| state.ranking());
    let order = Memo::new(move |_| {
        let Some(table) = table.get() else { return Arc::new(Vec::new()) };
        let query = state.query.get();
        let cuts = state.cuts.get();
        let ranking = ranking.get();
        let priority = ranking.as_ref().map(|r| r.priority()).unwrap_or(&[]);
        Arc::new(order_rows(&table, priority, &cuts, &query))
    });
    let sort = GridSort {
        key: Signal::derive(move || state.query.with(|q| q.sort)),
        descending: Signal::derive(move || state.query.with(|q| q.descending)),
        on_sort: Callback::new(move |key: SortKey| state.dispatch(Event::Sort(key))),
    };
    let tier_summary = move || {
        let ranking = ranking.get()?;
        let counts = tier_counts(ranking.priority(), &state.cuts.get());
        Some(
            RiskTier::ALL
                .into_iter()
                .zip(counts)
                .map(|(tier, n)| format!("{} {}", tier.label(), format_count(n)))
                .collect::<Vec<_>>()
                .join(" · "),
        )
    };
    let explanation = move || {
        let e = state.explanation.get()?;
        let ranking = ranking.get()?;
        let run = ranking.run();
        let row = e.row;
        Some(view! {
            <ExplanationView explanation=e threshold=run.threshold positive_word=run.positive_word.clone() score_test_id="explanation-score" />
            {row.map(|row| view! { <ClaimRulesView row=row /> })}
            <button type="button" class="secondary" data-testid="open-whatif" on:click=move |_| state.dispatch(Event::Show(Screen::WhatIf))>
                "Edit this claim in what-if"
            </button>
        })
    };
    view! {
        <div class="results-layout">
            <section class="panel" aria-labelledby="claims-heading">
                <h2 id="claims-heading">
                    {move || format!("Scored claims ({} of {})", format_count(order.with(|o| o.len())), format_count(table.with(|t| t.as_ref().map_or(0, |t| t.n_rows()))))}
                </h2>
                <ResultsControls />
                <p class="hint">{move || tier_summary().unwrap_or_else(|| "Train a model to score these claims.".into())}</p>
                <ClaimsGrid
                    table=table
                    rows=order
                    ranking=ranking
                    cuts=state.cuts
                    selected=state.selected
                    on_open=Callback::new(move |row| state.dispatch(Event::Explain(row)))
                    sort=sort
                    rules=Signal::derive(move || state.rules.get())
                    row_test_id="claim-row"
                    label="Scored claims"
                />
                <p class="hint">"Click a claim, or move with the arrow keys and press Enter, to explain it."</p>
            </section>
            <section class="panel explanation" aria-labelledby="explanation-heading" data-testid="explanation-panel">
                <h2 id="explanation-heading">"Why this score"</h2>
                {move || match explanation() {
                    Some(view) => view.into_any(),
                    None => view! { <ExplanationPlaceholder /> }.into_any(),
                }}
            </section>
        </div>
    }
}

/// Which model ranks the claims, and the find, column and tier filters.
#[component]
fn ResultsControls() -> impl IntoView {
    let state = expect_context::<AppState>();
    let two_models = move || state.results.with(|r| r.as_ref().is_some_and(|r| r.models.len() > 1));
    let column_options = move || {
        state.data.with(|d| {
            d.as_ref().map(|d| {
                d.table
                    .columns()
                    .iter()
                    .enumerate()
                    .map(|(i, c)| view! { <option value=i.to_string()>{c.name.clone()}</option> })
                    .collect_view()
            })
        })
    };
    // Filtering a million claims takes a moment: apply it once typing pauses.
    let typed = StoredValue::new(String::new());
    let apply_filter_soon = move |text: String| {
        typed.set_value(text.clone());
        set_timeout(
            move || {
                if typed.get_value() == text {
                    state.dispatch(Event::FilterText(text));
                }
            },
            FILTER_PAUSE,
        );
    };
    view! {
    <div class="controls">
        <Show when=two_models>
            <label for="rank-by">"Rank by"</label>
            <select id="rank-by" data-testid="rank-by-select" on:change=move |e| {
                let slot = if event_target_value(&e) == "isolation" { ModelSlot::Isolation } else { ModelSlot::Forest };
                state.dispatch(Event::RankBy(slot));
            }>
                <option value="forest" selected=move || state.rank_by.get() == ModelSlot::Forest>"Random forest"</option>
                <option value="isolation" selected=move || state.rank_by.get() == ModelSlot::Isolation>"Isolation forest"</option>
            </select>
        </Show>
        <label for="filter-text">"Find"</label>
        <input id="filter-text" type="search" data-testid="filter-input" placeholder="text in any column"
            prop:value=move || state.query.with(|q| q.filter_text.clone())
            on:input=move |e| apply_filter_soon(event_target_value(&e)) />
        <label for="filter-column">"in"</label>
        <select id="filter-column" data-testid="filter-column" on:change=move |e| {
            let value = event_target_value(&e);
            state.dispatch(Event::FilterColumn(value.parse().ok()));
        }>
            <option value="all">"every column"</option>
            {column_options}
        </select>
        <label for="tier-filter">"Tier"</label>
        <select id="tier-filter" data-testid="tier-filter" on:change=move |e| {
            let value = event_target_value(&e);
            state.dispatch(Event::FilterTier(RiskTier::ALL.into_iter().find(|t| t.slug() == value)));
        }>
            <option value="any">"any"</option>
            {RiskTier::ALL.into_iter().map(|t| view! { <option value=t.slug()>{t.label()}</option> }).collect_view()}
        </select>
    </div>
    }
}

/// What the explanation panel says before a claim is chosen.
#[component]
fn ExplanationPlaceholder() -> impl IntoView {
    view! { <p class="hint">"Choose a scored claim to see its exact TreeSHAP waterfall, the decision path, and a plain-English reason."</p> }
}
