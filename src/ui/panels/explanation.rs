//! One claim explained: the verdict, the plain-English sentence, the SHAP waterfall and the
//! decision path through one tree. Shared by the results and what-if screens.

use std::sync::Arc;

use leptos::prelude::*;

use crate::ui::charts::WaterfallChart;
use crate::workspace::explain::{waterfall, ClaimExplanation, ExplainedOutput};

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
    let verdict = if positive { positive_word.clone() } else { format!("Not {}", positive_word.to_lowercase()) };
    let heading = match e.row {
        Some(row) => format!("Claim in row {}", row + 1),
        None => "The edited claim".to_owned(),
    };
    let (output_label, base_note) = match e.output {
        ExplainedOutput::Probability => (
            format!("probability of {}", positive_word.to_lowercase()),
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
