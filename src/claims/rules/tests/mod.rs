//! Tests of the rules layer: the condition language, packs, evaluation and the built-in
//! packs on generated data.

mod condition;
mod engine;
mod generated;
mod pack;

use crate::claims::table::{CategoricalBuilder, ClaimsTable, ColumnData};

/// A small table: numeric `units` and `age`, text `code`, `state_a`, `state_b`, `service`,
/// and a date `day`.
///
/// | row | units | age | code  | state_a | state_b | service       | day        |
/// |-----|-------|-----|-------|---------|---------|---------------|------------|
/// | 0   | 1     | 17  | 76    | NY      | NY      | Knee Surgery  | 2025-01-01 |
/// | 1   | 12    | 40  | 97110 | NY      | NJ      | Office Visit  | 2025-03-01 |
/// | 2   | NaN   | 65  | —     | CA      | —       | Heart Surgery | —          |
/// | 3   | 3     | NaN | 88    | TX      | TX      | office visit  | 2025-12-31 |
pub(super) fn sample() -> ClaimsTable {
    let text = |values: &[Option<&str>]| {
        let mut builder = CategoricalBuilder::default();
        values.iter().for_each(|v| builder.push(*v));
        builder.finish()
    };
    let day = |y, m, d| crate::claims::table::days_from_civil(y, m, d).unwrap();
    let mut table = ClaimsTable::new();
    table.push_column("units", ColumnData::Numeric { values: vec![1.0, 12.0, f64::NAN, 3.0].into() }).unwrap();
    table.push_column("age", ColumnData::Numeric { values: vec![17.0, 40.0, 65.0, f64::NAN].into() }).unwrap();
    table.push_column("code", text(&[Some("76"), Some("97110"), None, Some("88")])).unwrap();
    table.push_column("state_a", text(&[Some("NY"), Some("NY"), Some("CA"), Some("TX")])).unwrap();
    table.push_column("state_b", text(&[Some("NY"), Some("NJ"), Some(""), Some("TX")])).unwrap();
    table
        .push_column(
            "service",
            text(&[Some("Knee Surgery"), Some("Office Visit"), Some("Heart Surgery"), Some("office visit")]),
        )
        .unwrap();
    let days = vec![day(2025, 1, 1), day(2025, 3, 1), crate::claims::table::MISSING_DAY, day(2025, 12, 31)];
    table.push_column("day", ColumnData::Date { days }).unwrap();
    table
}
