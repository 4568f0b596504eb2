//! Robustness of feature building: label independence, missing and mistyped cells,
//! pass-through of unknown columns, damaged tables, random tables, and speed.

use super::*;
use crate::claims::table::MISSING_CODE;

fn added_values(table: &ClaimsTable) -> Vec<(String, Vec<u64>)> {
    let (with_features, plan) = add_features(table).unwrap();
    plan.features
        .iter()
        .map(|name| match &with_features.column(name).unwrap().data {
            ColumnData::Numeric { values } => (name.clone(), values.iter().map(|v| v.to_bits()).collect()),
            other => panic!("{name} is not numeric: {other:?}"),
        })
        .collect()
}

/// Debug text, so NaN equals NaN when comparing columns.
fn debug<T: std::fmt::Debug + ?Sized>(value: &T) -> String {
    format!("{value:?}")
}

fn with_label(mut table: ClaimsTable, is_anomaly: Vec<f64>, anomaly_type: ColumnData) -> ClaimsTable {
    table.push_column(IS_ANOMALY, ColumnData::Numeric { values: is_anomaly.into() }).unwrap();
    table.push_column(ANOMALY_TYPE, anomaly_type).unwrap();
    table
}

#[test]
fn features_do_not_depend_on_the_label() {
    let n = 12;
    let base = full_table(n);
    let labelled = with_label(
        base.clone(),
        (0..n).map(|row| (row % 3 == 0) as u8 as f64).collect(),
        text(&(0..n).map(|row| Some(if row % 3 == 0 { "upcoding" } else { "none" })).collect::<Vec<_>>()),
    );
    let relabelled = with_label(
        base.clone(),
        (0..n).map(|row| (row % 2 == 0) as u8 as f64).collect(),
        text(&(0..n).map(|row| Some(if row % 2 == 0 { "duplicate" } else { "none" })).collect::<Vec<_>>()),
    );
    let reference = added_values(&base);
    assert_eq!(reference.len(), FEATURES.len());
    assert_eq!(added_values(&labelled), reference);
    assert_eq!(added_values(&relabelled), reference);
}

#[test]
fn a_row_with_every_cell_missing_gets_nan_and_does_not_disturb_the_others() {
    let base = full_table(6);
    let mut with_blank = ClaimsTable::new();
    for column in base.columns() {
        let data = match &column.data {
            ColumnData::Numeric { values } => ColumnData::Numeric { values: values.iter().chain([f64::NAN]).collect() },
            ColumnData::Categorical { levels, codes } => ColumnData::Categorical {
                levels: levels.clone(),
                codes: codes.iter().copied().chain([MISSING_CODE]).collect(),
            },
            ColumnData::Date { days } => ColumnData::Date { days: days.iter().copied().chain([MISSING_DAY]).collect() },
        };
        with_blank.push_column(column.name.clone(), data).unwrap();
    }
    let before = added_values(&base);
    let after = added_values(&with_blank);
    for ((name, before), (_, after)) in before.iter().zip(&after) {
        let last = f64::from_bits(after[6]);
        if name == "high_risk_reject" {
            assert_eq!(last, 0.0, "a missing reject code is a paid claim");
        } else {
            assert!(last.is_nan(), "{name} is {last} on an empty row");
        }
        assert_eq!(&after[..6], &before[..], "{name} changed on the other rows");
    }
}

#[test]
fn all_missing_columns_give_nan_not_panics() {
    let n = 5;
    let mut t = ClaimsTable::new();
    for spec in &FEATURES {
        for &input in spec.inputs {
            if t.column(input).is_some() {
                continue;
            }
            let data = match input {
                SERVICE_DATE => ColumnData::Date { days: vec![MISSING_DAY; n] },
                MEMBER_ID | PROVIDER_ID | PHARMACY_ID | PROCEDURE_CODE | DIAGNOSIS_CODE | MEMBER_GENDER | NDC
                | MEMBER_STATE | PHARMACY_STATE | PAYER_TYPE | REJECT_CODE => {
                    ColumnData::Categorical { levels: Default::default(), codes: vec![MISSING_CODE; n] }
                }
                _ => ColumnData::Numeric { values: vec![f64::NAN; n].into() },
            };
            t.push_column(input, data).unwrap();
        }
    }
    for (name, values) in added_values(&t) {
        let expected = if name == "high_risk_reject" { 0.0 } else { f64::NAN };
        for value in values.into_iter().map(f64::from_bits) {
            assert!(value.to_bits() == expected.to_bits() || (value.is_nan() && expected.is_nan()), "{name}: {value}");
        }
    }
}

#[test]
fn unknown_columns_pass_through_first_and_in_order() {
    let base = full_table(5);
    let mut t = ClaimsTable::new();
    t.push_column("vendor_notes", text(&[Some("a"), None, Some("b"), Some("a"), Some("")])).unwrap();
    for column in base.columns() {
        t.push_column(column.name.clone(), column.data.clone()).unwrap();
    }
    t.push_column("score_from_elsewhere", numbers(&[1.0, 2.0, f64::NAN, 4.0, 5.0])).unwrap();
    let (with_features, plan) = add_features(&t).unwrap();
    let n_inputs = t.columns().len();
    assert_eq!(debug(&with_features.columns()[..n_inputs]), debug(t.columns()));
    let added: Vec<&str> = with_features.columns()[n_inputs..].iter().map(|c| c.name.as_str()).collect();
    assert_eq!(added, plan.features);
    assert_eq!(added.len(), FEATURES.len());
    assert_eq!(with_features.n_rows(), t.n_rows());
}

#[test]
fn adding_features_twice_changes_nothing() {
    let (once, first_plan) = add_features(&full_table(7)).unwrap();
    let (twice, second_plan) = add_features(&once).unwrap();
    assert_eq!(debug(&twice), debug(&once));
    assert!(second_plan.features.is_empty());
    assert_eq!(second_plan.already_present, first_plan.features);
}

#[test]
fn mistyped_inputs_are_read_as_well_as_they_can_be() {
    // Member ids as numbers, dates as day numbers, reject codes as numbers.
    let t = table(vec![
        (MEMBER_ID, numbers(&[7.0, 7.0, 8.0, f64::NAN])),
        (SERVICE_DATE, numbers(&[100.0, 130.0, 100.0, 5.5])),
        (REJECT_CODE, numbers(&[76.0, f64::NAN, 75.0, 88.0])),
        (PROVIDER_ID, ColumnData::Date { days: vec![1, 1, 2, MISSING_DAY] }),
    ]);
    assert_values(&feature(&t, "member_claim_count"), &[2.0, 2.0, 1.0, NAN]);
    assert_values(&feature(&t, "days_since_prev_service"), &[NAN, 30.0, NAN, NAN]);
    assert_values(&feature(&t, "high_risk_reject"), &[1.0, 0.0, 0.0, 1.0]);
    assert_values(&feature(&t, "provider_claim_count"), &[2.0, 2.0, 1.0, NAN]);
}

#[test]
fn damaged_tables_are_errors_or_missing_values_never_panics() {
    // Codes beyond the levels are read as missing.
    let t = table(vec![(
        MEMBER_ID,
        ColumnData::Categorical { levels: ["m1"].into_iter().collect(), codes: vec![0, 5, 0] },
    )]);
    assert_values(&feature(&t, "member_claim_count"), &[2.0, NAN, 2.0]);
    // A deserialized table whose column is shorter than its row count.
    let json = r#"{"n_rows":3,"columns":[{"name":"member_id","data":{"kind":"numeric","values":[1.0,2.0]}}]}"#;
    let damaged: ClaimsTable = serde_json::from_str(json).unwrap();
    assert!(matches!(add_features(&damaged), Err(TableError::LengthMismatch { expected: 3, actual: 2, .. })));
    // No rows at all.
    let (empty, plan) = add_features(&ClaimsTable::new()).unwrap();
    assert!(empty.columns().is_empty() && plan.features.is_empty());
    let (no_rows, plan) = add_features(&full_table(0)).unwrap();
    assert_eq!(no_rows.columns().len(), full_table(0).columns().len() + plan.features.len());
}

#[test]
fn infinities_and_extreme_dates_give_finite_or_nan_features() {
    let t = table(vec![
        (MEMBER_ID, text(&[Some("m"), Some("m"), Some("m")])),
        (SERVICE_DATE, ColumnData::Date { days: vec![i32::MIN + 1, i32::MAX, 0] }),
        (BENEFIT_AMOUNT, numbers(&[f64::INFINITY, f64::MAX, -f64::MAX])),
        (BILLED_AMOUNT, numbers(&[1e-320, 1.0, f64::NEG_INFINITY])),
    ]);
    for (name, values) in added_values(&t) {
        assert!(values.into_iter().map(f64::from_bits).all(|v| v.is_finite() || v.is_nan()), "{name}");
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod random_tables {
    use proptest::prelude::*;

    use super::*;

    const LEVELS: [&str; 5] = ["a", "76", "NY", "", " Medicare "];

    fn column(n: usize) -> impl Strategy<Value = Option<ColumnData>> {
        let codes = prop::collection::vec(prop_oneof![Just(MISSING_CODE), 0u32..5, Just(9u32)], n);
        let values = prop::collection::vec(
            prop_oneof![Just(f64::NAN), (0u8..4).prop_map(f64::from), -1e3..1e3f64, any::<f64>()],
            n,
        );
        let days = prop::collection::vec(prop_oneof![Just(MISSING_DAY), -200i32..200, any::<i32>()], n);
        prop_oneof![
            1 => Just(None),
            3 => codes.prop_map(|codes| Some(ColumnData::Categorical {
                levels: LEVELS.iter().map(|l| (*l).to_owned()).collect(),
                codes,
            })),
            2 => values.prop_map(|values| Some(ColumnData::Numeric { values: values.into() })),
            1 => days.prop_map(|days| Some(ColumnData::Date { days })),
        ]
    }

    const NAMES: [&str; 25] = [
        SERVICE_DATE,
        MEMBER_ID,
        MEMBER_AGE,
        MEMBER_GENDER,
        MEMBER_STATE,
        PROVIDER_ID,
        PHARMACY_ID,
        PHARMACY_STATE,
        PROCEDURE_CODE,
        DIAGNOSIS_CODE,
        NDC,
        PAYER_TYPE,
        REJECT_CODE,
        PAPER_SUBMISSION,
        BILLED_AMOUNT,
        ALLOWED_AMOUNT,
        PAID_AMOUNT,
        UNITS,
        QUANTITY,
        DAYS_SUPPLY,
        BENEFIT_AMOUNT,
        OUT_OF_POCKET,
        IS_ANOMALY,
        "is_weekend",
        "unknown_extra",
    ];

    fn random_table() -> impl Strategy<Value = ClaimsTable> {
        (0usize..9).prop_flat_map(|n| prop::collection::vec(column(n), NAMES.len())).prop_map(|columns| {
            let mut t = ClaimsTable::new();
            for (name, data) in NAMES.iter().zip(columns) {
                if let Some(data) = data {
                    t.push_column(*name, data).unwrap();
                }
            }
            t
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn add_features_never_panics_and_keeps_its_promises(t in random_table()) {
            let (with_features, plan) = add_features(&t).unwrap();
            let n_inputs = t.columns().len();
            prop_assert_eq!(debug(&with_features.columns()[..n_inputs]), debug(t.columns()));
            prop_assert_eq!(with_features.columns().len(), n_inputs + plan.features.len());
            prop_assert_eq!(plan.features.len() + plan.skipped.len() + plan.already_present.len(), FEATURES.len());
            for (column, name) in with_features.columns()[n_inputs..].iter().zip(&plan.features) {
                prop_assert_eq!(&column.name, name);
                let ColumnData::Numeric { values } = &column.data else { panic!("{name} is not numeric") };
                prop_assert_eq!(values.len(), t.n_rows());
                prop_assert!(values.iter().all(|v| v.is_finite() || v.is_nan()), "{} {:?}", name, values);
            }
        }
    }
}

/// A million claims with every input, for timing `add_features` in release:
/// `cargo test --release --lib claims::features::tests::robustness::a_million_rows -- --ignored --nocapture`
#[test]
#[ignore = "timing; run in release"]
fn a_million_rows() {
    let t = synthetic(1_000_000);
    let start = std::time::Instant::now();
    let (with_features, plan) = add_features(&t).unwrap();
    let elapsed = start.elapsed();
    assert_eq!(plan.features.len(), FEATURES.len());
    println!(
        "add_features: {} rows, {} features in {:.3} s",
        with_features.n_rows(),
        plan.features.len(),
        elapsed.as_secs_f64()
    );
    // Where the time goes: each feature in order (shared results are paid by their first user).
    let start = std::time::Instant::now();
    let inputs = super::super::inputs::Inputs::new(&t).unwrap();
    println!("  {:<36} {:>7.1} ms", "resolve inputs", start.elapsed().as_secs_f64() * 1e3);
    let time = |what: &str, f: &dyn Fn() -> bool| {
        let start = std::time::Instant::now();
        assert!(f());
        println!("  {:<36} {:>7.1} ms", what, start.elapsed().as_secs_f64() * 1e3);
    };
    time("member sizes", &|| inputs.member_sizes().is_some());
    time("member timeline", &|| inputs.timeline().is_some());
    time("provider-member pairs", &|| inputs.provider_members().is_some());
    time("pharmacy-member pairs", &|| inputs.pharmacy_members().is_some());
    time("pharmacy-provider pairs", &|| inputs.pharmacy_providers().is_some());
    let start = std::time::Instant::now();
    let copy = t.clone();
    println!("  {:<36} {:>7.1} ms", "copy the table", start.elapsed().as_secs_f64() * 1e3);
    drop(copy);
    for spec in &FEATURES {
        let start = std::time::Instant::now();
        let values = (spec.build)(&inputs).unwrap();
        println!("  {:<36} {:>7.1} ms", spec.name, start.elapsed().as_secs_f64() * 1e3);
        assert_eq!(values.len(), t.n_rows());
    }
}

/// A synthetic table of `n` claims with every input, from a tiny linear congruential stream.
fn synthetic(n: usize) -> ClaimsTable {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move |below: u32| {
        state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        ((state >> 33) % u64::from(below)) as u32
    };
    let mut codes = |levels: u32, missing_one_in: u32| -> ColumnData {
        let codes = (0..n).map(|_| if next(missing_one_in) == 0 { MISSING_CODE } else { next(levels) }).collect();
        ColumnData::Categorical { levels: (0..levels).map(|l| format!("L{l}")).collect(), codes }
    };
    let member = codes(150_000, 1_000);
    let provider = codes(5_000, 1_000);
    let pharmacy = codes(2_000, 1_000);
    let procedure = codes(300, 1_000);
    let diagnosis = codes(500, 1_000);
    let gender = codes(2, 1_000);
    let ndc = codes(40, 1_000);
    let member_state = codes(50, 1_000);
    let pharmacy_state = codes(50, 1_000);
    let payer = codes(6, 1_000);
    let reject = codes(20, 3);
    let mut number = |scale: u32| -> ColumnData {
        ColumnData::Numeric {
            values: (0..n).map(|_| if next(1_000) == 0 { f64::NAN } else { f64::from(next(scale)) * 1.25 }).collect(),
        }
    };
    let numbers: Vec<(&str, ColumnData)> = vec![
        (MEMBER_AGE, number(90)),
        (PAPER_SUBMISSION, number(2)),
        (BILLED_AMOUNT, number(5_000)),
        (ALLOWED_AMOUNT, number(4_000)),
        (PAID_AMOUNT, number(3_000)),
        (UNITS, number(10)),
        (QUANTITY, number(3)),
        (DAYS_SUPPLY, number(90)),
        (BENEFIT_AMOUNT, number(800)),
        (OUT_OF_POCKET, number(100)),
    ];
    let days = ColumnData::Date { days: (0..n).map(|i| 19_000 + ((i as u64 * 7_919) % 730) as i32).collect() };
    let mut t = table(vec![
        (MEMBER_ID, member),
        (PROVIDER_ID, provider),
        (PHARMACY_ID, pharmacy),
        (PROCEDURE_CODE, procedure),
        (DIAGNOSIS_CODE, diagnosis),
        (MEMBER_GENDER, gender),
        (NDC, ndc),
        (MEMBER_STATE, member_state),
        (PHARMACY_STATE, pharmacy_state),
        (PAYER_TYPE, payer),
        (REJECT_CODE, reject),
        (SERVICE_DATE, days),
    ]);
    for (name, data) in numbers {
        t.push_column(name, data).unwrap();
    }
    t
}
