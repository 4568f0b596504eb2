//! Helpers shared by the generators' tests: options and typed views of columns.

use std::collections::HashMap;

use crate::claims::schema::names::{ANOMALY_TYPE, IS_ANOMALY};
use crate::claims::synth::{SynthError, SynthOptions};
use crate::claims::table::{ClaimsTable, ColumnData};

/// A generator under test.
pub(crate) type Generator = fn(&SynthOptions) -> Result<ClaimsTable, SynthError>;

/// Whether each row is labelled anomalous.
pub(crate) fn labels(table: &ClaimsTable) -> Vec<bool> {
    numeric(table, IS_ANOMALY).iter().map(|&v| v == 1.0).collect()
}

/// The same seed gives the same table; another seed gives another.
pub(crate) fn assert_seed_reproduces(generate: Generator) {
    let a = generate(&options(2_000, 7, 0.05)).unwrap();
    assert_eq!(a, generate(&options(2_000, 7, 0.05)).unwrap());
    assert_ne!(a, generate(&options(2_000, 8, 0.05)).unwrap());
}

/// Row and label counts are exact for several sizes and rates.
pub(crate) fn assert_exact_row_and_label_counts(generate: Generator) {
    for n_rows in [100, 1_234, 10_000] {
        for fraud_rate in [0.0, 0.05, 0.2, 0.5] {
            let table = generate(&options(n_rows, 11, fraud_rate)).unwrap();
            assert_eq!(table.n_rows(), n_rows, "{n_rows} rows at {fraud_rate}");
            let n_labelled = labels(&table).iter().filter(|&&l| l).count();
            assert_eq!(n_labelled, (n_rows as f64 * fraud_rate).round() as usize, "{n_rows} at {fraud_rate}");
        }
    }
}

/// At 20,000 rows and rate 0.05: the labelled share is within a point of the rate, the
/// anomaly type is "none" exactly on unlabelled rows, and every kind has `min_rows` rows.
pub(crate) fn assert_rate_and_kinds(generate: Generator, kinds: &[&str], min_rows: usize) {
    let table = generate(&options(20_000, 5, 0.05)).unwrap();
    let labels = labels(&table);
    let share = labels.iter().filter(|&&l| l).count() as f64 / 20_000.0;
    assert!((share - 0.05).abs() <= 0.01, "{share}");
    let types = texts(&table, ANOMALY_TYPE);
    for (&label, &kind) in labels.iter().zip(&types) {
        assert_eq!(label, kind != "none", "{kind}");
    }
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for kind in types {
        *counts.entry(kind).or_default() += 1;
    }
    for kind in kinds {
        assert!(counts.get(kind).is_some_and(|&n| n >= min_rows), "{kind}: {counts:?}");
    }
}

/// Generator options.
pub(crate) fn options(n_rows: usize, seed: u64, fraud_rate: f64) -> SynthOptions {
    SynthOptions { n_rows, seed, fraud_rate }
}

/// A numeric column's values.
pub(crate) fn numeric(table: &ClaimsTable, name: &str) -> Vec<f64> {
    match &table.column(name).unwrap().data {
        ColumnData::Numeric { values } => values.to_vec(),
        _ => panic!("{name} is not numeric"),
    }
}

/// A date column's day numbers.
pub(crate) fn days<'t>(table: &'t ClaimsTable, name: &str) -> &'t [i32] {
    match &table.column(name).unwrap().data {
        ColumnData::Date { days } => days,
        _ => panic!("{name} is not a date"),
    }
}

/// Each row's text in a categorical column ("" when missing).
pub(crate) fn texts<'t>(table: &'t ClaimsTable, name: &str) -> Vec<&'t str> {
    match &table.column(name).unwrap().data {
        ColumnData::Categorical { levels, codes } => {
            codes.iter().map(|&c| levels.get(c as usize).unwrap_or("")).collect()
        }
        _ => panic!("{name} is not categorical"),
    }
}
