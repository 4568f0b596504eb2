//! The Summaries screen: one row per member (patient), provider or prescriber, or pharmacy,
//! sortable and virtualized, with the chosen entity's claims below, a CSV download and the
//! distribution of mean priority across the level.

use std::sync::Arc;

use leptos::prelude::*;

use crate::analysis::evaluation::histogram;
use crate::analysis::format_count;
use crate::analysis::tiers::TierCuts;
use crate::claims::summaries::{
    claims_of, levels_present, summarize, summary_table, write_summary_csv, EntityLevel, LevelSummary,
};
use crate::page::results::{order_rows, ResultsQuery, SortKey};
use crate::page::Event;
use crate::ui::charts::HistogramChart;
use crate::ui::components::{ClaimsGrid, GridSort};
use crate::ui::download::save_bytes;
use crate::ui::state::AppState;

/// The Summaries screen.
#[component]
pub fn SummariesPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let raw = Signal::derive(move || state.data.with(|d| d.as_ref().map(|d| d.table.clone())));
    let levels = Memo::new(move |_| raw.with(|t| t.as_ref().map(|t| levels_present(t)).unwrap_or_default()));
    let chosen = state.summary_level;
    let level = Memo::new(move |_| {
        let levels = levels.get();
        chosen.get().filter(|level| levels.contains(level)).or_else(|| levels.first().copied())
    });
    let summary = Memo::new(move |_| {
        let table = raw.get()?;
        let level = level.get()?;
        let ranking = state.ranking();
        let priority = ranking.as_ref().map(|r| r.priority()).unwrap_or(&[]);
        let rules = state.rules.get();
        let flags = rules.as_ref().map(|r| r.outcome.flag.as_slice()).unwrap_or(&[]);
        let labels = state.known_labels();
        summarize(&table, level, priority, flags, labels.as_deref().map(Vec::as_slice)).ok().map(Arc::new)
    });
    let as_table = Memo::new(move |_| summary.with(|s| s.as_ref().and_then(|s| summary_table(s).ok()).map(Arc::new)));
    let query = RwSignal::new(ResultsQuery { sort: SortKey::Row, descending: false, ..ResultsQuery::default() });
    // Riskiest first when priorities exist, else busiest first.
    Effect::new(move |_| {
        let Some(table) = as_table.get() else { return };
        let names = table.column_names();
        let key =
            names.iter().position(|n| n == "mean_priority").or_else(|| names.iter().position(|n| n == "n_claims"));
        query.set(ResultsQuery {
            sort: key.map_or(SortKey::Row, SortKey::Column),
            descending: key.is_some(),
            ..ResultsQuery::default()
        });
    });
    let order = Memo::new(move |_| {
        let Some(table) = as_table.get() else { return Arc::new(Vec::new()) };
        Arc::new(order_rows(&table, &[], &TierCuts::default(), &query.get()))
    });
    let entity = state.summary_entity;
    // The row of the chosen entity in the summary, for the grid's highlight.
    let selected_entity = Signal::derive(move || {
        let id = entity.get()?;
        summary.with(|s| s.as_ref().and_then(|s| s.rows.iter().position(|r| r.id == id)))
    });
    let sort = GridSort {
        key: Signal::derive(move || query.with(|q| q.sort)),
        descending: Signal::derive(move || query.with(|q| q.descending)),
        on_sort: Callback::new(move |key: SortKey| query.update(|q| q.sort_by(key, key != SortKey::Row))),
    };
    let download = move |_| {
        let (Some(summary), Some(level)) = (summary.get_untracked(), level.get_untracked()) else { return };
        let order = order.get_untracked();
        let sorted = LevelSummary {
            rows: order.iter().filter_map(|&row| summary.rows.get(row as usize).cloned()).collect(),
            ..(*summary).clone()
        };
        let mut bytes = Vec::new();
        let file_name = format!("{}_level_summary.csv", level.slug());
        let saved = write_summary_csv(&sorted, &mut bytes)
            .map_err(|e| e.to_string())
            .and_then(|()| save_bytes(&file_name, "text/csv;charset=utf-8", &bytes));
        state.dispatch(match saved {
            Ok(()) => Event::Saved(format!("Saved {file_name} ({} entities).", format_count(sorted.rows.len()))),
            Err(message) => Event::Failed(message),
        });
    };
    let level_options = move || {
        levels
            .get()
            .into_iter()
            .map(|l| view! { <option value=l.slug() selected=move || level.get() == Some(l)>{l.label()}</option> })
            .collect_view()
    };
    view! {
        <div class="screen-grid summaries-layout">
            <section class="panel" aria-labelledby="summaries-heading">
                <h2 id="summaries-heading">"Entity summaries"</h2>
                <div class="controls">
                    <label for="summary-level">"Level"</label>
                    <select id="summary-level" data-testid="summary-level-select"
                        on:change=move |e| {
                            let slug = event_target_value(&e);
                            state.dispatch(Event::SummaryLevel(EntityLevel::ALL.into_iter().find(|l| l.slug() == slug)));
                        }>
                        {level_options}
                    </select>
                    <button type="button" class="secondary" data-testid="summary-download" on:click=download
                        disabled=move || summary.with(Option::is_none)>"Download this level (CSV)"</button>
                </div>
                <p class="hint">{move || match (levels.with(Vec::is_empty), summary.get()) {
                    (true, _) => "These claims have no member, provider or pharmacy column to summarise.".to_owned(),
                    (false, Some(s)) => {
                        let mut text = format!("{} {}s.", format_count(s.rows.len()), s.level.slug());
                        if !s.has_priority {
                            text.push_str(" Train a model to add priorities and peer percentiles.");
                        }
                        if s.missing_id_claims > 0 {
                            text.push_str(&format!(" {} claims have no id and are left out.", format_count(s.missing_id_claims)));
                        }
                        text
                    }
                    (false, None) => String::new(),
                }}</p>
                <div data-testid="summary-table">
                    <ClaimsGrid
                        table=Signal::derive(move || as_table.get())
                        rows=order
                        ranking=Signal::derive(|| None)
                        cuts=state.cuts
                        selected=selected_entity
                        on_open=Callback::new(move |row: usize| {
                            let id = summary.with_untracked(|s| s.as_ref().and_then(|s| s.rows.get(row).map(|r| r.id.clone())));
                            state.dispatch(Event::SummaryEntity(id));
                        })
                        sort=sort
                        row_test_id="summary-row"
                        label="Entity summaries"
                    />
                </div>
                <p class="hint">"Click an entity, or move with the arrow keys and press Enter, to list its claims."</p>
                <LevelRiskChart summary=summary />
            </section>
            <EntityClaims level=level />
        </div>
    }
}

/// How the level's mean priorities spread, split by whether an entity has a labelled positive.
#[component]
fn LevelRiskChart(summary: Memo<Option<Arc<LevelSummary>>>) -> impl IntoView {
    move || {
        let summary = summary.get()?;
        if !summary.has_priority {
            return None;
        }
        let means: Vec<f64> = summary.rows.iter().map(|r| r.mean_priority.unwrap_or(f64::NAN)).collect();
        let with_positives: Option<Vec<bool>> = summary
            .has_labels
            .then(|| summary.rows.iter().map(|r| r.label_rate.is_some_and(|rate| rate > 0.0)).collect());
        let level = summary.level.label();
        Some(view! {
            <div data-testid="summary-risk-chart">
                <HistogramChart
                    title=format!("{level} risk: mean priority of their claims")
                    x_label="Mean priority"
                    histogram=histogram(&means, with_positives.as_deref())
                    negative_name=format!("{level}s without a labelled positive")
                    positive_name=format!("{level}s with one")
                />
            </div>
        })
    }
}

/// The claims of the entity chosen in the summary, each opening its explanation.
#[component]
fn EntityClaims(level: Memo<Option<EntityLevel>>) -> impl IntoView {
    let state = expect_context::<AppState>();
    let raw = Signal::derive(move || state.data.with(|d| d.as_ref().map(|d| d.table.clone())));
    let entity_id = move || state.summary_entity.get();
    let entity_rows = Memo::new(move |_| {
        let (Some(id), Some(level), Some(table)) = (entity_id(), level.get(), raw.get()) else {
            return Arc::new(Vec::new());
        };
        Arc::new(claims_of(&table, level, &id))
    });
    view! {
        <section class="panel" aria-labelledby="entity-claims-heading" data-testid="entity-claims">
            <h2 id="entity-claims-heading">{move || match (entity_id(), level.get()) {
                (Some(id), Some(level)) => format!("Claims of {} {id} ({})", level.slug(), format_count(entity_rows.with(|r| r.len()))),
                _ => "Claims of the chosen entity".to_owned(),
            }}</h2>
            <ClaimsGrid
                table=raw
                rows=entity_rows
                ranking=Signal::derive(move || state.ranking())
                cuts=state.cuts
                selected=state.selected
                on_open=Callback::new(move |row| state.dispatch(Event::OpenClaim(row)))
                rules=Signal::derive(move || state.rules.get())
                row_test_id="entity-claim-row"
                label="Claims of the chosen entity"
            />
        </section>
    }
}
