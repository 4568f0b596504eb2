//! One claim explained: the verdict, the plain-English sentence, the SHAP waterfall, the
//! decision path through one tree, and the business rules it trips with its priority. Shared by the results and what-if screens.

use std::sync::Arc;

use leptos::prelude::*;

use crate::analysis::explain::{waterfall, ClaimExplanation, ExplainedOutput};
use crate::analysis::hybrid::describe_priority;
use crate::ui::charts::WaterfallChart;

/// Features shown one by one in the waterfall; the rest are grouped.
const WATERFALL_TOP: usize = 10;

/// The explanation of one claim.
#[component]
pub fn ExplanationView(
    /// The explanation.
    explanation: Arc<ClaimExplanation>,
    /// Scores at or above this are positive.
    threshold: f64,
    /// How a positive reads ("Denied").
    positive_word: String,
    /// The `data-testid` of the score.
    score_test_id: &'static str,
) -> impl IntoView {
    let e = explanation;
    let positive = e.score >= threshold;
    let verdict = if positive { positive_word.clone() } else { format!("Not {}", positive_word.to_ascii_lowercase()) };
    let heading = match e.row {
        Some(row) => format!("Claim in row {}", row + 1),
        None => "The edited claim".to_owned(),
    };
    let (output_label, base_note) = match e.output {
        ExplainedOutput::Probability => (
            format!("probability of {}", positive_word.to_ascii_lowercase()),
            format!("The average claim scores {:.3}; each bar is one feature's exact TreeSHAP contribution.", e.base_value),
        ),
        ExplainedOutput::PathLength => (
            "mean isolation path length (shorter = more unusual)".to_owned(),
            format!(
                "A typical claim is isolated after {:.2} splits; bars to the left shorten this claim's path, which makes it more unusual.",
                e.base_value
            ),
        ),
    };
    let steps = waterfall(&e, WATERFALL_TOP);
    let path = e.path.steps.iter().map(|step| view! { <li>{step.text.clone()}</li> }).collect_view();
    view! {
        <h3>{heading}</h3>
        <p class="verdict">
            <span class="metric-label">"Score "</span>
            <output class="score" data-testid=score_test_id>{format!("{:.3}", e.score)}</output>
            <span class=if positive { "verdict-badge positive" } else { "verdict-badge" }>{verdict}</span>
            <span class="hint">{format!(" (threshold {threshold:.3})")}</span>
        </p>
        <p class="sentence" data-testid="explanation-sentence">{e.sentence.clone()}</p>
        <p class="hint">{base_note}</p>
        <WaterfallChart
            steps=steps
            base_value=e.base_value
            explained_value=e.explained_value
            output_label=output_label
            contributions=e.contributions.clone()
        />
        <h4>{format!("Decision path through tree {} of {}", e.path.tree_idx + 1, e.path.n_trees)}</h4>
        <ol class="decision-path" data-testid="decision-path">{path}</ol>
        <p class="leaf">{e.path.leaf.clone()}</p>
    }
}

/// The rules claim `row` trips, and how its priority is made.
#[component]
pub fn ClaimRulesView(
    /// The claim's row.
    row: usize,
) -> impl IntoView {
    let state = expect_context::<crate::ui::state::AppState>();
    let breakdown = move || {
        let ranking = state.ranking()?;
        let priority = ranking.priority().get(row).copied()?;
        if !ranking.hybrid {
            return Some(format!("Priority {priority:.2}: the model's score (the rules are not blended in)."));
        }
        let rules = state.rules.get()?;
        let severity = rules.outcome.max_severity.get(row).copied().unwrap_or(0.0);
        let flag = rules.outcome.flag.get(row).copied().unwrap_or(false);
        let model = ranking.model_part(row);
        Some(format!("Priority {}.", describe_priority(priority, model, severity, flag, &state.weights.get())))
    };
    let hits = move || {
        state.rules.with(|rules| {
            let rules = rules.as_ref()?;
            let hit: Vec<_> = rules.outcome.hits_of(row).cloned().collect();
            Some(if hit.is_empty() {
                view! { <p class="hint" data-testid="rule-hits-none">{format!("No rule of the {} pack hits this claim.", rules.pack.name)}</p> }.into_any()
            } else {
                view! {
                    <ul class="rule-hits-list">
                        {hit.into_iter().map(|rule| view! {
                            <li data-testid="rule-hit" data-rule-id=rule.id.clone()>
                                <strong>{rule.name.clone()}</strong>
                                <span class="hint">{format!(" severity {:.2} · {}", rule.severity, rule.category)}</span>
                                <br />
                                <code>{rule.condition.clone()}</code>
                                {(!rule.description.is_empty()).then(|| view! { <p class="hint">{rule.description.clone()}</p> })}
                            </li>
                        }).collect_view()}
                    </ul>
                }
                .into_any()
            })
        })
    };
    view! {
        <div class="rule-hits" data-testid="rule-hits">
            <h4>"Business rules"</h4>
            <p data-testid="priority-breakdown">{breakdown}</p>
            {hits}
        </div>
    }
}
