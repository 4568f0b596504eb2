//! The Evaluation screen: headline metrics, the confusion matrix, ROC, PR, score histogram
//! and calibration charts, and global importance (impurity, mean |SHAP| and a beeswarm), for
//! each fitted model.

use leptos::prelude::*;

use crate::ml::metrics::ConfusionMatrix;
use crate::page::format_metric;
use crate::protocol::{ModelRun, ModelSlot};
use crate::ui::charts::{BarChart, BeeswarmChart, ChartColour, HistogramChart, LineChart, Series, SeriesStyle};
use crate::ui::components::Metric;
use crate::ui::state::{AppState, SampleShap};

/// The Evaluation screen.
#[component]
pub fn EvaluationPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        match state.results.get() {
        None => view! { <section class="panel"><h2>"Evaluation"</h2><p class="hint">"Train a model to evaluate it."</p></section> }.into_any(),
        Some(results) => {
            let label = results.label_column.clone();
            let samples = state.sample_shap.get();
            results.models.iter().enumerate().map(|(idx, run)| {
                let sample = samples.iter().find(|s| s.slot == run.slot).cloned();
                model_evaluation(run, sample, label.clone(), idx == 0)
            }).collect_view().into_any()
        }
    }
    }
}

fn model_evaluation(run: &ModelRun, sample: Option<SampleShap>, label: Option<String>, primary: bool) -> impl IntoView {
    let mut e = run.evaluation.as_ref().clone();
    // `evaluate` leaves the SHAP charts empty: the explained sample is its own request.
    let explaining = sample.is_none();
    if let Some(sample) = sample {
        e.mean_abs_shap = sample.mean_abs_shap;
        e.beeswarm = sample.beeswarm;
    }
    let name = match run.slot {
        ModelSlot::Forest => "Random forest",
        ModelSlot::Isolation => "Isolation forest",
    };
    let slug = match run.slot {
        ModelSlot::Forest => "forest",
        ModelSlot::Isolation => "isolation",
    };
    let positive = run.positive_word.clone();
    let metrics = e.metrics.clone();
    let scope = metrics.as_ref().map(|m| {
        format!(
            "{} claims {}, against {} at threshold {:.3}. {}",
            crate::analysis::format_count(m.n_evaluated),
            if m.held_out { "held out from training" } else { "(every claim; none were held out)" },
            label.clone().unwrap_or_default(),
            m.threshold,
            m.backtest.as_deref().unwrap_or_default()
        )
    });
    // Only the first model's headline metrics carry the stable test ids.
    let id = move |base: &str| if primary { base.to_owned() } else { format!("{base}-{slug}") };
    let histogram_names = (format!("not {}", positive.to_ascii_lowercase()), positive.to_ascii_lowercase());
    view! {
        <section class="panel evaluation" aria-labelledby=format!("eval-{slug}") data-testid=format!("evaluation-{slug}")>
            <h2 id=format!("eval-{slug}")>{format!("{name} · {}", run.origin)}</h2>
            {match &metrics {
                None => view! { <p class="hint">"No label was chosen, so there is nothing to measure against: the charts show the scores alone."</p> }.into_any(),
                Some(m) => {
                    let m = m.clone();
                    view! {
                        <p class="hint">{scope.clone()}</p>
                        <div class="metrics">
                            <Metric label="Accuracy" value=Signal::derive(move || Some(format_metric(m.accuracy))) test_id=id("metric-accuracy") />
                            <Metric label="Precision" value=Signal::derive(move || Some(format_metric(m.precision))) test_id=id("metric-precision") />
                            <Metric label="Recall" value=Signal::derive(move || Some(format_metric(m.recall))) test_id=id("metric-recall") />
                            <Metric label="F1" value=Signal::derive(move || Some(format_metric(m.f1))) test_id=id("metric-f1") />
                            <Metric label="ROC AUC" value=Signal::derive(move || m.roc_auc.map(format_metric)) test_id=id("metric-auc") />
                            <Metric label="PR AUC" value=Signal::derive(move || m.pr_auc.map(format_metric)) test_id=id("metric-pr-auc") />
                        </div>
                    }.into_any()
                }
            }}
            {e.confusion.map(|c| confusion_table(c, &positive))}
            <div class="chart-grid">
                {(!e.roc.is_empty()).then(|| view! {
                    <LineChart title="ROC curve" x_label="False positive rate" y_label="True positive rate"
                        series=vec![Series { name: name.into(), points: e.roc.clone(), style: SeriesStyle::solid(ChartColour::Blue) }] diagonal=true />
                })}
                {(!e.pr.is_empty()).then(|| view! {
                    <LineChart title="Precision–recall curve" x_label="Recall" y_label="Precision"
                        series=vec![Series { name: name.into(), points: e.pr.clone(), style: SeriesStyle::solid(ChartColour::Blue) }] diagonal=false />
                })}
                <HistogramChart title="Scores by class" x_label="Score" histogram=e.histogram.clone()
                    negative_name=histogram_names.0.clone() positive_name=histogram_names.1.clone() />
                {(!e.calibration.is_empty()).then(|| {
                    let points: Vec<(f64, f64)> = e.calibration.iter().filter_map(|b| Some((b.mean_score?, b.fraction_positive?))).collect();
                    view! {
                        <LineChart title="Calibration" x_label="Mean predicted probability" y_label="Share positive"
                            series=vec![Series { name: name.into(), points, style: SeriesStyle::solid(ChartColour::Blue) }] diagonal=true />
                    }
                })}
                {(!e.impurity_importance.is_empty()).then(|| view! {
                    <BarChart title="Impurity importance" x_label="Mean decrease in impurity" values=e.impurity_importance.clone() max_bars=15 />
                })}
                {explaining.then(|| view! {
                    <p class="hint" data-testid="sample-explaining">"Explaining a sample of claims for the SHAP charts…"</p>
                })}
                {(!e.mean_abs_shap.is_empty()).then(|| view! {
                    <BarChart title="Mean |SHAP| over a sample of claims" x_label="Mean |SHAP value|" values=e.mean_abs_shap.clone() max_bars=15 />
                })}
                {(!e.beeswarm.points.is_empty()).then(|| view! {
                    <BeeswarmChart title="SHAP beeswarm" beeswarm=e.beeswarm.clone() />
                })}
            </div>
        </section>
    }
}

fn confusion_table(c: ConfusionMatrix, positive: &str) -> impl IntoView {
    let (p, actual) = crate::page::confusion_words(positive);
    view! {
        <table class="plain confusion" data-testid="confusion-matrix">
            <caption>"Confusion matrix"</caption>
            <thead><tr><th scope="col"></th><th scope="col">{format!("Predicted {p}")}</th><th scope="col">{format!("Predicted not {p}")}</th></tr></thead>
            <tbody>
                <tr><th scope="row">{format!("Actually {actual}")}</th><td class="num good">{c.true_positives}</td><td class="num">{c.false_negatives}</td></tr>
                <tr><th scope="row">{format!("Actually not {actual}")}</th><td class="num">{c.false_positives}</td><td class="num good">{c.true_negatives}</td></tr>
            </tbody>
        </table>
    }
}
