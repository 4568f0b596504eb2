//! The claims-data promise on the medical scenario: no single raw column separates the
//! planted fraud, waste and abuse (AUC < 0.75), yet label-free member and provider
//! aggregates make it detectable. Both figures are printed (`--nocapture`).

use std::ops::ControlFlow;

use claimforest::claims::features::add_features;
use claimforest::claims::schema::{known_role, names, ColumnRole};
use claimforest::claims::synth::{generate_medical, SynthOptions};
use claimforest::claims::{ClaimsTable, ColumnData};
use claimforest::ml::metrics::roc_auc;
use claimforest::ml::SeededRng;
use claimforest::pipeline::{default_feature_columns, train, train_anomaly_model, AnomalyRequest, TrainRequest};

const N_ROWS: usize = 50_000;

fn keep_going<T>(_: T) -> ControlFlow<()> {
    ControlFlow::Continue(())
}

fn labels(table: &ClaimsTable) -> Vec<bool> {
    (0..table.n_rows()).map(|row| table.column(names::IS_ANOMALY).unwrap().data.number(row) == 1.0).collect()
}

/// The held-out AUC of one raw column used alone, in its best direction: numbers and dates
/// as they are (missing lowest), dates also by weekday, and text by each level's anomaly
/// rate learned on a seeded half of the rows and scored on the other half.
fn single_column_auc(table: &ClaimsTable, name: &str, actual: &[bool]) -> f64 {
    let data = &table.column(name).unwrap().data;
    let both_ways = |scores: &[f64], rows: &[usize]| {
        let y: Vec<bool> = rows.iter().map(|&r| actual[r]).collect();
        let s: Vec<f64> = rows.iter().map(|&r| scores[r]).collect();
        roc_auc(&y, &s).map_or(0.5, |auc| auc.max(1.0 - auc))
    };
    let mut rng = SeededRng::new(99);
    let mut rows: Vec<usize> = (0..table.n_rows()).collect();
    rng.shuffle(&mut rows);
    let (fit_rows, eval_rows) = rows.split_at(rows.len() / 2);
    match data {
        ColumnData::Numeric { .. } | ColumnData::Date { .. } => {
            let values: Vec<f64> = (0..table.n_rows()).map(|r| data.number(r)).collect();
            let low = values.iter().copied().filter(|v| !v.is_nan()).fold(f64::INFINITY, f64::min) - 1.0;
            let raw: Vec<f64> = values.iter().map(|&v| if v.is_nan() { low } else { v }).collect();
            let mut best = both_ways(&raw, eval_rows);
            if let ColumnData::Date { days } = data {
                let weekdays: Vec<f64> =
                    days.iter().map(|&d| f64::from(claimforest::claims::table::weekday(d))).collect();
                best = best.max(level_rate_auc(
                    &weekdays.iter().map(|&w| w as u32).collect::<Vec<_>>(),
                    actual,
                    fit_rows,
                    eval_rows,
                ));
            }
            best
        }
        ColumnData::Categorical { codes, .. } => level_rate_auc(codes, actual, fit_rows, eval_rows),
    }
}

fn level_rate_auc(codes: &[u32], actual: &[bool], fit_rows: &[usize], eval_rows: &[usize]) -> f64 {
    let mut counts: std::collections::HashMap<u32, (f64, f64)> = Default::default();
    for &row in fit_rows {
        let entry = counts.entry(codes[row]).or_default();
        entry.0 += f64::from(u8::from(actual[row]));
        entry.1 += 1.0;
    }
    let overall = fit_rows.iter().filter(|&&r| actual[r]).count() as f64 / fit_rows.len() as f64;
    let y: Vec<bool> = eval_rows.iter().map(|&r| actual[r]).collect();
    let s: Vec<f64> = eval_rows.iter().map(|&r| counts.get(&codes[r]).map_or(overall, |&(pos, n)| pos / n)).collect();
    roc_auc(&y, &s).map_or(0.5, |auc| auc.max(1.0 - auc))
}

#[test]
fn raw_columns_do_not_separate_the_patterns_but_aggregates_do() {
    let table = generate_medical(&SynthOptions { n_rows: N_ROWS, seed: 7, fraud_rate: 0.05 }).unwrap();
    let actual = labels(&table);

    // 1. Every raw column alone.
    let mut single: Vec<(String, f64)> = table
        .columns()
        .iter()
        .filter(|c| {
            !matches!(
                known_role(&c.name),
                Some(ColumnRole::Identifier | ColumnRole::Entity | ColumnRole::Label | ColumnRole::LabelDetail)
            )
        })
        .map(|c| (c.name.clone(), single_column_auc(&table, &c.name, &actual)))
        .collect();
    single.sort_by(|a, b| b.1.total_cmp(&a.1));
    for (name, auc) in &single {
        eprintln!("single raw column {name:<18} AUC {auc:.3}");
    }
    let (best_name, best_auc) = single[0].clone();
    assert!(best_auc < 0.75, "{best_name} alone separates the anomalies (AUC {best_auc:.3})");

    // 2. A random forest on every raw column, then on raw columns plus aggregates.
    let forest_auc = |table: &ClaimsTable| {
        let (feature_columns, _) = default_feature_columns(table, Some(names::IS_ANOMALY));
        let mut request = TrainRequest {
            label_column: names::IS_ANOMALY.into(),
            feature_columns,
            split_seed: 7,
            ..TrainRequest::default()
        };
        request.forest.seed = 7;
        request.forest.n_trees = 60;
        let report = train(table, &request, &mut keep_going).unwrap();
        report.roc_auc.unwrap()
    };
    let raw_forest = forest_auc(&table);
    let (with_features, plan) = add_features(&table).unwrap();
    for needed in [
        "member_claim_count",
        "member_mean_gap_days",
        "provider_allowed_vs_peer",
        "provider_cost_vs_diagnosis_peer",
        "provider_weekend_share",
        "duplicate_count",
        "member_same_day_lines",
        "units_vs_procedure_mean",
        "procedure_sex_share",
    ] {
        assert!(plan.features.iter().any(|f| f == needed), "{needed} was not built: {:?}", plan.skipped);
    }
    let aggregate_forest = forest_auc(&with_features);

    // 3. Unsupervised: an isolation forest on the aggregates alone.
    let (feature_columns, _) = default_feature_columns(&with_features, Some(names::IS_ANOMALY));
    let aggregates: Vec<String> = feature_columns.into_iter().filter(|name| plan.features.contains(name)).collect();
    let mut request = AnomalyRequest::new(aggregates, Default::default());
    request.forest.seed = 7;
    let (_, scores) = train_anomaly_model(&with_features, &request, &mut keep_going).unwrap();
    let isolation = roc_auc(&actual, &scores).unwrap();

    eprintln!("best single raw column: {best_name} AUC {best_auc:.3}");
    eprintln!("random forest, raw columns:             held-out AUC {raw_forest:.3}");
    eprintln!("random forest, raw columns + aggregates: held-out AUC {aggregate_forest:.3}");
    eprintln!("isolation forest, aggregates, no labels: AUC {isolation:.3}");
    assert!(aggregate_forest >= 0.90, "aggregates should make the patterns detectable: {aggregate_forest:.3}");
    assert!(
        aggregate_forest > raw_forest + 0.03,
        "aggregates should add signal: {raw_forest:.3} -> {aggregate_forest:.3}"
    );
}
