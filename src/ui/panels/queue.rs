//! The Review queue screen: capacity and threshold, how well the queue catches labelled
//! positives (overall and per planted pattern), tier cut points with the tier distribution,
//! and the queue itself, highest priority first.

use std::sync::Arc;

use leptos::prelude::*;

use crate::analysis::evaluation::NamedValue;
use crate::analysis::format_count;
use crate::analysis::queue::{build_queue, ReviewQueue};
use crate::analysis::rule_stats::{pattern_recall, ranking_quality, tier_stats};
use crate::analysis::tiers::TierCuts;
use crate::claims::schema::{known_role, ColumnRole};
use crate::claims::ClaimsTable;
use crate::page::{format_metric, Event};
use crate::ui::charts::BarChart;
use crate::ui::components::ClaimsGrid;
use crate::ui::state::{AppState, Ranking};

/// The Review queue screen.
#[component]
pub fn QueuePanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let table = Signal::derive(move || state.data.with(|d| d.as_ref().map(|d| d.table.clone())));
    let ranking = Memo::new(move |_| state.ranking());
    let settings = Memo::new(move |_| state.queue_settings());
    let queue = Memo::new(move |_| {
        let ranking = ranking.get()?;
        let settings = settings.get().ok()?;
        Some(Arc::new(build_queue(ranking.priority(), ranking.results.labels.as_deref(), &settings)))
    });
    let trained_on_queue = move || {
        ranking.with(|r| r.as_ref().is_some_and(|r| r.run().is_test_row.is_some() && r.results.labels.is_some()))
    };
    let rows = Signal::derive(move || queue.get().map(|q| Arc::new(q.rows.clone())).unwrap_or_default());
    let download = move |_| state.dispatch(Event::DownloadQueue { explanations: false });
    let download_explanations = move |_| state.dispatch(Event::DownloadQueue { explanations: true });
    view! {
        <div class="results-layout queue-layout">
            <section class="panel" aria-labelledby="queue-settings-heading">
                <h2 id="queue-settings-heading">"Queue settings"</h2>
                <div class="form-grid">
                    <label for="queue-capacity">"Claims investigators can review"</label>
                    <input id="queue-capacity" type="number" min="0" step="1" data-testid="queue-capacity"
                        prop:value=move || state.capacity.get() on:input=move |e| state.dispatch(Event::Capacity(event_target_value(&e))) />
                    <label for="queue-threshold">"Lowest priority to queue"</label>
                    <span class="with-hint">
                        <input id="queue-threshold" type="range" min="0" max="1" step="0.01" data-testid="queue-threshold"
                            prop:value=move || state.queue_threshold.get().to_string()
                            on:input=move |e| {
                                if let Ok(value) = event_target_value(&e).parse::<f64>() {
                                    state.dispatch(Event::QueueThreshold(value));
                                }
                            } />
                        <output for="queue-threshold">{move || format!("{:.2}", state.queue_threshold.get())}</output>
                    </span>
                </div>
                <p class="hint">{move || settings.get().err().unwrap_or_default()}</p>
                {move || queue.get().map(|q| {
                    let q = q.clone();
                    view! {
                        <div class="metrics">
                            <div class="metric"><span class="metric-label">"In the queue"</span><output class="metric-value" data-testid="queue-size">{format_count(q.rows.len())}</output></div>
                            <div class="metric"><span class="metric-label">"Above the threshold"</span><output class="metric-value">{format_count(q.n_above_threshold)}</output></div>
                            {q.precision.map(|p| view! { <div class="metric"><span class="metric-label">"Precision at capacity"</span><output class="metric-value" data-testid="queue-precision">{format_metric(p)}</output></div> })}
                            {q.recall.map(|r| view! { <div class="metric"><span class="metric-label">"Recall at capacity"</span><output class="metric-value" data-testid="queue-recall">{format_metric(r)}</output></div> })}
                        </div>
                        {q.n_positives.zip(q.n_positives_queued).map(|(all, queued)| view! {
                            <p class="hint">{format!("The queue holds {} of the {} labelled positives.", format_count(queued), format_count(all))}</p>
                        })}
                        {trained_on_queue().then(|| view! {
                            <p class="hint">"These counts include the claims the random forest trained on, so they are optimistic; the Evaluation screen measures held-out claims only."</p>
                        })}
                    }
                })}
                <QueueQuality ranking=ranking queue=queue table=table />
                <RiskTiers ranking=ranking />
                <div class="controls">
                    <button type="button" data-testid="download-queue" disabled=move || queue.with(Option::is_none) on:click=download>
                        "Download the queue (CSV)"
                    </button>
                    <button type="button" data-testid="download-queue-explanations" disabled=move || queue.with(Option::is_none) on:click=download_explanations>
                        "Download the queue's SHAP values (CSV)"
                    </button>
                </div>
            </section>
            <section class="panel" aria-labelledby="queue-heading" data-testid="review-queue">
                <h2 id="queue-heading">"Review queue, highest priority first"</h2>
                {move || ranking.with(Option::is_none).then(|| view! { <p class="hint">"Train a model to fill the queue."</p> })}
                <ClaimsGrid
                    table=table
                    rows=rows
                    ranking=ranking
                    cuts=state.cuts
                    selected=state.selected
                    on_open=Callback::new(move |row| state.dispatch(Event::OpenClaim(row)))
                    rules=Signal::derive(move || state.rules.get())
                    row_test_id="queue-row"
                    label="Review queue"
                />
            </section>
        </div>
    }
}

/// How well the ranking and the queue catch labelled positives: PR AUC of the hybrid, the
/// model and the rules, and recall per planted pattern.
#[component]
fn QueueQuality(
    ranking: Memo<Option<Ranking>>,
    queue: Memo<Option<Arc<ReviewQueue>>>,
    table: Signal<Option<Arc<ClaimsTable>>>,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let quality = Memo::new(move |_| {
        let ranking = ranking.get()?;
        let labels = ranking.results.labels.clone()?;
        let rules = state.rules.get()?;
        let run = ranking.run();
        let kind = run.slot.score_kind();
        ranking_quality(&labels, &run.scores, kind, &rules.outcome, &state.weights.get())
    });
    let quality_line = move || {
        quality.get().map(|q| {
            view! {
                <p data-testid="ranking-quality">
                    {format!(
                        "PR AUC of the ranking: hybrid {} · model alone {} · rules alone {}",
                        format_metric(q.hybrid),
                        format_metric(q.model),
                        format_metric(q.rules)
                    )}
                </p>
            }
        })
    };
    let patterns = move || {
        let queue = queue.get()?;
        let ranking = ranking.get()?;
        let labels = ranking.results.labels.clone()?;
        let table = table.get()?;
        let detail = table.columns().iter().find(|c| known_role(&c.name) == Some(ColumnRole::LabelDetail))?;
        let recalls = pattern_recall(&queue.rows, &labels, &detail.data);
        let name = detail.name.clone();
        Some(view! {
            <h3>{format!("Recall per {name}")}</h3>
            <table class="pattern-recall" data-testid="pattern-recall">
                <thead><tr><th scope="col">{name.clone()}</th><th scope="col">"Positives"</th><th scope="col">"Queued"</th><th scope="col">"Recall"</th></tr></thead>
                <tbody>
                    {recalls.into_iter().map(|r| view! {
                        <tr><th scope="row">{r.pattern}</th><td>{format_count(r.total)}</td><td>{format_count(r.caught)}</td><td>{format_metric(r.recall)}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
        })
    };
    view! {
        {quality_line}
        {patterns}
    }
}

/// The tier cut points and the claims per tier, with each tier's label rate.
#[component]
fn RiskTiers(ranking: Memo<Option<Ranking>>) -> impl IntoView {
    let state = expect_context::<AppState>();
    let tiers = move || {
        let ranking = ranking.get()?;
        let labels = ranking.results.labels.clone();
        let stats = tier_stats(ranking.priority(), labels.as_deref(), &state.cuts.get());
        let values: Vec<NamedValue> = stats
            .iter()
            .map(|s| NamedValue {
                name: match s.label_rate {
                    Some(rate) => format!("{} · {:.0}% positive", s.tier.label(), rate * 100.0),
                    None => s.tier.label().to_owned(),
                },
                value: s.claims as f64,
            })
            .collect();
        Some(view! {
            <div data-testid="tier-chart">
                <BarChart title="Claims per risk tier, with each tier's label rate" x_label="Claims" values=values />
            </div>
        })
    };
    let cut_input =
        move |id: &'static str, label: &'static str, read: fn(&TierCuts) -> f64, write: fn(&mut TierCuts, f64)| {
            view! {
                <label for=id>{label}</label>
                <input id=id type="number" min="0" max="1" step="0.05" data-testid=id
                    prop:value=move || format!("{:.2}", state.cuts.with(read))
                    on:change=move |e| {
                        if let Ok(value) = event_target_value(&e).trim().parse::<f64>() {
                            let mut cuts = state.cuts.get_untracked();
                            write(&mut cuts, value);
                            state.dispatch(Event::Cuts(cuts));
                        }
                    } />
            }
        };
    view! {
        <h3>"Risk tiers"</h3>
        <div class="form-grid">
            {cut_input("tier-medium", "Medium from", |c| c.medium, |c, v| c.medium = v)}
            {cut_input("tier-high", "High from", |c| c.high, |c, v| c.high = v)}
            {cut_input("tier-critical", "Critical from", |c| c.critical, |c, v| c.critical = v)}
        </div>
        {tiers}
    }
}
