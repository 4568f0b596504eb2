//! Tests of feature building: shared fixtures and helpers, and the registry and plan.

mod claim;
mod entities;
#[cfg(not(target_arch = "wasm32"))]
mod peers;
mod robustness;

use crate::claims::schema::names::*;
use crate::claims::schema::{known_role, ColumnRole};
use crate::claims::table::{days_from_civil, CategoricalBuilder, ClaimsTable, ColumnData, MISSING_DAY};

use super::inputs::is_label;
use super::*;

/// Friday 2024-03-01 as a day number.
fn friday() -> i32 {
    days_from_civil(2024, 3, 1).unwrap()
}

fn text(values: &[Option<&str>]) -> ColumnData {
    let mut builder = CategoricalBuilder::default();
    for value in values {
        builder.push(*value);
    }
    builder.finish()
}

fn numbers(values: &[f64]) -> ColumnData {
    ColumnData::Numeric { values: values.to_vec().into() }
}

/// Dates as offsets from [`friday`]; `None` is missing.
fn dates(offsets: &[Option<i32>]) -> ColumnData {
    ColumnData::Date { days: offsets.iter().map(|offset| offset.map_or(MISSING_DAY, |o| friday() + o)).collect() }
}

fn table(columns: Vec<(&str, ColumnData)>) -> ClaimsTable {
    let mut table = ClaimsTable::new();
    for (name, data) in columns {
        table.push_column(name, data).unwrap();
    }
    table
}

/// The values of feature `name` after `add_features`.
fn feature(table: &ClaimsTable, name: &str) -> Vec<f64> {
    let (with_features, plan) = add_features(table).unwrap();
    assert!(plan.features.iter().any(|f| f == name), "{name} was not built: {plan:?}");
    match &with_features.column(name).unwrap().data {
        ColumnData::Numeric { values } => values.to_vec(),
        other => panic!("{name} is not numeric: {other:?}"),
    }
}

/// Asserts equal values, NaN matching NaN, to 1e-9.
#[track_caller]
fn assert_values(actual: &[f64], expected: &[f64]) {
    assert_eq!(actual.len(), expected.len(), "lengths differ: {actual:?} vs {expected:?}");
    for (row, (&a, &e)) in actual.iter().zip(expected).enumerate() {
        let same = (a.is_nan() && e.is_nan()) || (a - e).abs() < 1e-9;
        assert!(same, "row {row}: got {a}, expected {e}\n  actual   {actual:?}\n  expected {expected:?}");
    }
}

#[track_caller]
fn assert_feature(table: &ClaimsTable, name: &str, expected: &[f64]) {
    let actual = feature(table, name);
    assert_eq!(actual.len(), expected.len(), "{name}: lengths differ");
    for (row, (&a, &e)) in actual.iter().zip(expected).enumerate() {
        let same = (a.is_nan() && e.is_nan()) || (a - e).abs() < 1e-9;
        assert!(same, "{name} row {row}: got {a}, expected {e}\n  actual   {actual:?}\n  expected {expected:?}");
    }
}

const NAN: f64 = f64::NAN;

/// Every canonical input column any feature reads, in a small consistent table.
fn full_table(n_rows: usize) -> ClaimsTable {
    let pick = |options: &[&'static str], row: usize| Some(options[row % options.len()]);
    let rows = 0..n_rows;
    let texts = |options: &[&'static str]| {
        let values: Vec<Option<&str>> = rows.clone().map(|row| pick(options, row)).collect();
        text(&values)
    };
    let nums = |f: &dyn Fn(usize) -> f64| numbers(&rows.clone().map(f).collect::<Vec<_>>());
    table(vec![
        (CLAIM_ID, nums(&|row| row as f64)),
        (SERVICE_DATE, dates(&rows.clone().map(|row| Some((row * 7 % 50) as i32)).collect::<Vec<_>>())),
        (MEMBER_ID, texts(&["m1", "m2", "m3"])),
        (MEMBER_AGE, nums(&|row| 20.0 + (row % 5) as f64 * 10.0)),
        (MEMBER_GENDER, texts(&["F", "M", "F", "F"])),
        (MEMBER_STATE, texts(&["NY", "NJ"])),
        (PROVIDER_ID, texts(&["p1", "p2"])),
        (PHARMACY_ID, texts(&["ph1", "ph2", "ph3"])),
        (PHARMACY_STATE, texts(&["NY", "NY", "CT"])),
        (PROCEDURE_CODE, texts(&["99213", "99214"])),
        (DIAGNOSIS_CODE, texts(&["J45", "E11", "I10"])),
        (NDC, texts(&["00173089314", "00173088714"])),
        (PAYER_TYPE, texts(&["Commercial", "Medicare", "Cash"])),
        (REJECT_CODE, text(&rows.clone().map(|row| [None, Some("76"), Some("70")][row % 3]).collect::<Vec<_>>())),
        (PAPER_SUBMISSION, nums(&|row| (row % 4 == 0) as u8 as f64)),
        (BILLED_AMOUNT, nums(&|row| 100.0 + row as f64)),
        (ALLOWED_AMOUNT, nums(&|row| 80.0 + (row % 7) as f64)),
        (PAID_AMOUNT, nums(&|row| 60.0 + (row % 3) as f64)),
        (UNITS, nums(&|row| 1.0 + (row % 2) as f64)),
        (QUANTITY, nums(&|row| if row % 5 == 0 { 2.0 } else { 1.0 })),
        (DAYS_SUPPLY, nums(&|row| if row % 6 == 0 { 90.0 } else { 30.0 })),
        (BENEFIT_AMOUNT, nums(&|row| 50.0 + (row % 9) as f64 * 5.0)),
        (OUT_OF_POCKET, nums(&|row| (row % 4) as f64)),
    ])
}

fn without(table: &ClaimsTable, dropped: &[&str]) -> ClaimsTable {
    let mut kept = ClaimsTable::new();
    for column in table.columns().iter().filter(|c| !dropped.contains(&c.name.as_str())) {
        kept.push_column(column.name.clone(), column.data.clone()).unwrap();
    }
    kept
}

#[test]
fn the_registry_has_unique_names_and_reads_no_labels() {
    for (i, spec) in FEATURES.iter().enumerate() {
        assert!(FEATURES[..i].iter().all(|other| other.name != spec.name), "{} is listed twice", spec.name);
        assert!(!spec.inputs.is_empty() && !spec.description.is_empty(), "{}", spec.name);
        assert!(known_role(spec.name).is_none(), "{} shadows a canonical column", spec.name);
        for input in spec.inputs {
            assert!(!is_label(input), "{} reads the label {input}", spec.name);
            assert!(
                matches!(known_role(input), Some(ColumnRole::Feature | ColumnRole::Entity | ColumnRole::Date)),
                "{} reads {input}, which is not a canonical input",
                spec.name
            );
        }
    }
    for label in [IS_ANOMALY, ANOMALY_TYPE, crate::claims::schema::denial::IS_DENIED] {
        assert!(is_label(label), "{label}");
    }
    assert!(is_label(crate::claims::schema::denial::DENIAL_REASON));
    assert!(FEATURES.iter().all(|spec| spec.name != PHARMACY_ACTIVE), "pharmacy_active is a raw column");
}

#[test]
fn descriptions_state_the_thresholds_and_weights_in_force() {
    let description = |name: &str| feature_spec(name).unwrap().description;
    assert!(description("early_refill").contains(&format!("fewer than {EARLY_REFILL_DAYS} days")));
    assert!(description("member_fills_90d").contains(&format!("{FILL_WINDOW_DAYS} days")));
    assert!(description("excessive_fills").contains(&format!("more than {EXCESSIVE_FILLS_IN_WINDOW} claims")));
    assert!(description("high_risk_reject").contains(&HIGH_RISK_REJECT_CODES.join(", ").replacen(", 79", " or 79", 1)));
    assert!(description("govt_payer").contains("Medicare, Medicaid, Tricare or VA"));
    let score = description("pharmacy_fraud_risk_score");
    for (weight, what) in [
        (RISK_WEIGHT_REJECT_RATE, "reject rate"),
        (RISK_WEIGHT_PAPER_RATE, "paper rate"),
        (RISK_WEIGHT_PRESCRIBER_CONCENTRATION, "prescriber concentration"),
        (RISK_WEIGHT_ONE_AND_DONE, "one-and-done share"),
    ] {
        assert!(score.contains(&format!("{weight:.2} {what}")), "{score} lacks {weight:.2} {what}");
    }
    let total = RISK_WEIGHT_REJECT_RATE
        + RISK_WEIGHT_PAPER_RATE
        + RISK_WEIGHT_PRESCRIBER_CONCENTRATION
        + RISK_WEIGHT_ONE_AND_DONE;
    assert!((total - 1.0).abs() < 1e-12);
}

#[test]
fn a_full_table_allows_every_feature_in_registry_order() {
    let names = full_table(4).column_names();
    let plan = plan_features(&names.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(plan.skipped.is_empty(), "{:?}", plan.skipped);
    let expected: Vec<String> = FEATURES.iter().map(|spec| spec.name.to_owned()).collect();
    assert_eq!(plan.features, expected);
    assert_eq!(add_features(&full_table(4)).unwrap().1, plan);
}

#[test]
fn derived_features_follow_the_claims_own_columns_unchanged() {
    // The session stores only the prepared table and reads the claims back as its leading
    // columns, so this order is load-bearing.
    let claims = full_table(5);
    let (prepared, plan) = add_features(&claims).unwrap();
    let leading = prepared.leading_columns(claims.columns().len());
    assert_eq!(leading.columns(), claims.columns());
    let derived: Vec<&str> = prepared.columns()[claims.columns().len()..].iter().map(|c| c.name.as_str()).collect();
    assert_eq!(derived, plan.features.iter().map(String::as_str).collect::<Vec<_>>());
}

#[test]
fn a_table_without_provider_id_skips_exactly_the_features_that_need_it() {
    let (with_features, plan) = add_features(&without(&full_table(6), &[PROVIDER_ID])).unwrap();
    let needs_provider: Vec<&str> =
        FEATURES.iter().filter(|spec| spec.inputs.contains(&PROVIDER_ID)).map(|spec| spec.name).collect();
    for name in [
        "provider_claim_count",
        "provider_allowed_vs_peer",
        "provider_cost_vs_diagnosis_peer",
        "provider_top_member_share",
        "provider_one_and_done_share",
        "provider_weekend_share",
        "provider_avg_benefit_per_patient",
        "provider_distinct_pharmacies",
        "duplicate_count",
        "member_same_day_lines",
        "member_distinct_providers",
        "pharmacy_prescriber_concentration",
        "pharmacy_fraud_risk_score",
    ] {
        assert!(needs_provider.contains(&name), "{name}");
    }
    let expected: Vec<SkippedFeature> = needs_provider
        .iter()
        .map(|name| SkippedFeature { feature: (*name).to_owned(), missing: vec![PROVIDER_ID.to_owned()] })
        .collect();
    assert_eq!(plan.skipped, expected);
    assert_eq!(plan.features.len() + plan.skipped.len(), FEATURES.len());
    for name in &needs_provider {
        assert!(with_features.column(name).is_none(), "{name} was added");
    }
    for name in &plan.features {
        assert!(with_features.column(name).is_some(), "{name} was not added");
    }
}

#[test]
fn the_risk_score_is_skipped_not_reweighted_without_paper_submission() {
    let plan = add_features(&without(&full_table(6), &[PAPER_SUBMISSION])).unwrap().1;
    assert_eq!(
        plan.skipped,
        vec![
            SkippedFeature { feature: "pharmacy_paper_rate".into(), missing: vec![PAPER_SUBMISSION.into()] },
            SkippedFeature { feature: "pharmacy_fraud_risk_score".into(), missing: vec![PAPER_SUBMISSION.into()] },
        ]
    );
    for name in ["pharmacy_reject_rate", "pharmacy_prescriber_concentration", "pharmacy_one_and_done_pct"] {
        assert!(plan.features.iter().any(|f| f == name), "{name}");
    }
}

#[test]
fn skipped_features_list_every_missing_input_in_order() {
    let plan = plan_features(&[MEMBER_ID, "something_else"]);
    let skipped = |name: &str| plan.skipped.iter().find(|s| s.feature == name).unwrap().missing.clone();
    assert_eq!(skipped("duplicate_count"), vec![PROVIDER_ID, PROCEDURE_CODE, SERVICE_DATE]);
    assert_eq!(skipped("pharmacy_fraud_risk_score"), vec![PHARMACY_ID, REJECT_CODE, PAPER_SUBMISSION, PROVIDER_ID]);
    assert_eq!(plan.features, vec!["member_claim_count", "member_one_and_done"]);
    let nothing = plan_features(&[]);
    assert!(nothing.features.is_empty());
    assert_eq!(nothing.skipped.len(), FEATURES.len());
    for (skipped, spec) in nothing.skipped.iter().zip(&FEATURES) {
        assert_eq!(skipped.missing, spec.inputs.to_vec(), "{}", spec.name);
    }
}

#[test]
fn anomaly_features_are_registered_features_listed_once() {
    for (index, name) in super::ANOMALY_FEATURES.iter().enumerate() {
        assert!(super::feature_spec(name).is_some(), "{name} is not a registered feature");
        assert!(!super::ANOMALY_FEATURES[..index].contains(name), "{name} is listed twice");
    }
}
