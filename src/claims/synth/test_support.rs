//! Helpers shared by the generators' tests: options and typed views of columns.

use crate::claims::synth::SynthOptions;
use crate::claims::table::{ClaimsTable, ColumnData};

/// Generator options.
pub(crate) fn options(n_rows: usize, seed: u64, fraud_rate: f64) -> SynthOptions {
    SynthOptions { n_rows, seed, fraud_rate }
}

/// A numeric column's values.
pub(crate) fn numeric<'t>(table: &'t ClaimsTable, name: &str) -> &'t [f64] {
    match &table.column(name).unwrap().data {
        ColumnData::Numeric { values } => values,
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
            codes.iter().map(|&c| levels.get(c as usize).map_or("", String::as_str)).collect()
        }
        _ => panic!("{name} is not categorical"),
    }
}
