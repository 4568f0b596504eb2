//! The hybrid promise on the medical scenario: an isolation forest trained on rule-clean
//! claims, combined with the medical pack's severity and flag, ranks the planted anomalies
//! better (PR AUC) than the model alone or the rules alone; and the review queue's recall
//! per planted pattern at a capacity of twice the anomaly count (printed for BENCHMARKS.md
//! with `--nocapture`).

use std::ops::ControlFlow;

use claimforest::analysis::hybrid::{
    hybrid_priority, rescaled_anomaly_scores, rule_clean_training_rows, HybridWeights,
};
use claimforest::analysis::queue::{build_queue, QueueSettings};
use claimforest::analysis::rule_stats::{pattern_recall, rule_stats, PatternRecall};
use claimforest::claims::features::ANOMALY_FEATURES;
use claimforest::claims::rules::{builtin_pack, evaluate_pack};
use claimforest::claims::schema::names;
use claimforest::claims::synth::{generate_medical, SynthOptions};
use claimforest::ml::metrics::average_precision;
use claimforest::pipeline::{prepare, train_anomaly_model, AnomalyRequest};

const N_ROWS: usize = 50_000;

fn keep_going<T>(_: T) -> ControlFlow<()> {
    ControlFlow::Continue(())
}

#[test]
fn the_hybrid_beats_the_model_alone_and_the_rules_alone() {
    let raw = generate_medical(&SynthOptions { n_rows: N_ROWS, seed: 11, fraud_rate: 0.05 }).unwrap();
    let (table, plan) = prepare(&raw).unwrap();
    let labels: Vec<bool> =
        (0..table.n_rows()).map(|row| table.column(names::IS_ANOMALY).unwrap().data.number(row) == 1.0).collect();
    let n_anomalies = labels.iter().filter(|&&label| label).count();

    let pack = builtin_pack("medical").unwrap();
    let outcome = evaluate_pack(&table, &pack);
    assert!(outcome.skipped.is_empty(), "every medical rule runs on medical claims: {:?}", outcome.skipped);
    let clean = rule_clean_training_rows(&outcome.flag, 256);
    assert!(clean.fallback.is_none(), "most claims are rule-clean");

    // The anomaly model reads the peer-comparison features the table has (the product's
    // default for anomaly detection).
    let feature_columns: Vec<String> = ANOMALY_FEATURES
        .iter()
        .filter(|name| plan.features.iter().any(|f| f == *name))
        .map(|name| name.to_string())
        .collect();
    eprintln!(
        "{} rule-clean claims of {N_ROWS}; the isolation forest reads {} features",
        clean.rows.len(),
        feature_columns.len()
    );
    let mut request = AnomalyRequest::new(feature_columns, Default::default());
    request.forest.seed = 11;
    request.training_rows = Some(clean.rows.clone());
    let (model, scores) = train_anomaly_model(&table, &request, &mut keep_going).unwrap();
    assert_eq!(model.training().n_train, clean.rows.len());
    assert_eq!(scores.len(), N_ROWS, "every claim is scored");

    let model_part = rescaled_anomaly_scores(&scores);
    let weights = HybridWeights::default();
    let hybrid = hybrid_priority(&model_part, &outcome.max_severity, &outcome.flag, &weights);
    let rules_only =
        hybrid_priority(&[], &outcome.max_severity, &outcome.flag, &HybridWeights { model: 0.0, ..weights });

    for stat in rule_stats(&outcome, Some(&labels)) {
        let precision = stat.precision.unwrap_or(f64::NAN);
        eprintln!(
            "rule {:<26} severity {:.1}  hits {:>5}  only rule {:>5}  precision {precision:.3}",
            stat.id, stat.severity, stat.hits, stat.sole_hits
        );
    }
    let model_ap = average_precision(&labels, &scores).unwrap();
    let rules_ap = average_precision(&labels, &rules_only).unwrap();
    let hybrid_ap = average_precision(&labels, &hybrid).unwrap();
    eprintln!("PR AUC (average precision), {N_ROWS} medical claims, {n_anomalies} anomalies:");
    eprintln!("  isolation forest on rule-clean claims: {model_ap:.3}");
    eprintln!("  medical rules (severity and flag):     {rules_ap:.3}");
    eprintln!("  hybrid 0.5 / 0.3 / 0.2:                {hybrid_ap:.3}");

    // The same forest trained on every claim, for the record.
    request.training_rows = None;
    let (_, all_rows_scores) = train_anomaly_model(&table, &request, &mut keep_going).unwrap();
    let all_rows_hybrid =
        hybrid_priority(&rescaled_anomaly_scores(&all_rows_scores), &outcome.max_severity, &outcome.flag, &weights);
    eprintln!(
        "  (trained on every claim: model {:.3}, hybrid {:.3})",
        average_precision(&labels, &all_rows_scores).unwrap(),
        average_precision(&labels, &all_rows_hybrid).unwrap()
    );

    let capacity = 2 * n_anomalies;
    let detail = &table.column(names::ANOMALY_TYPE).unwrap().data;
    eprintln!("queue recall per pattern at capacity {capacity} (2 x anomalies): hybrid | model | rules");
    let queue = |priority: &[f64]| build_queue(priority, Some(&labels), &QueueSettings { capacity, threshold: 0.0 });
    let (hybrid_queue, model_queue, rules_queue) = (queue(&hybrid), queue(&scores), queue(&rules_only));
    let per_pattern = |rows: &[u32]| pattern_recall(rows, &labels, detail);
    let (model_recalls, rules_recalls) = (per_pattern(&model_queue.rows), per_pattern(&rules_queue.rows));
    for recall in per_pattern(&hybrid_queue.rows) {
        let other =
            |list: &[PatternRecall]| list.iter().find(|r| r.pattern == recall.pattern).map_or(0.0, |r| r.recall);
        eprintln!(
            "  {:<24} {:>5} claims  {:.3} | {:.3} | {:.3}",
            recall.pattern,
            recall.total,
            recall.recall,
            other(&model_recalls),
            other(&rules_recalls)
        );
    }
    eprintln!(
        "  overall recall {:.3} | {:.3} | {:.3}",
        hybrid_queue.recall.unwrap(),
        model_queue.recall.unwrap(),
        rules_queue.recall.unwrap()
    );

    assert!(hybrid_ap > model_ap, "hybrid {hybrid_ap:.3} should beat the model alone {model_ap:.3}");
    assert!(hybrid_ap > rules_ap, "hybrid {hybrid_ap:.3} should beat the rules alone {rules_ap:.3}");
}
