//! The medical table: claim order, columns and interned levels.

use super::*;
use crate::claims::schema::names::*;
use crate::claims::synth::sampling::{compact_categorical, padded_id, round_cents};
use crate::claims::table::{ColumnData, MISSING_CODE};

/// Per-row values of every column.
#[derive(Default)]
struct ColumnValues {
    members: Vec<u32>,
    providers: Vec<u32>,
    days: Vec<i32>,
    procedures: Vec<u32>,
    diagnoses: Vec<u32>,
    places: Vec<u32>,
    billing: Vec<u32>,
    allowed: Vec<f64>,
    paid: Vec<f64>,
    units: Vec<f64>,
    days_supply: Vec<f64>,
    ages: Vec<f64>,
    genders: Vec<u32>,
    is_anomaly: Vec<f64>,
    anomalies: Vec<u32>,
}

impl ColumnValues {
    /// Columns of `lines` with line `order[i]` in row `i`. Lines are read in memory order
    /// and scattered to their rows, which is much faster than visiting them in claim order.
    fn new(catalog: &Catalog, population: &Population, lines: &[ClaimLine], order: &[u32]) -> Self {
        let n_rows = order.len();
        let mut row_of = vec![u32::MAX; lines.len()];
        for (row, &idx) in order.iter().enumerate() {
            if let Some(slot) = row_of.get_mut(idx as usize) {
                *slot = row as u32;
            }
        }
        let mut values = Self {
            members: vec![0; n_rows],
            providers: vec![0; n_rows],
            days: vec![0; n_rows],
            procedures: vec![0; n_rows],
            diagnoses: vec![0; n_rows],
            places: vec![0; n_rows],
            billing: vec![0; n_rows],
            allowed: vec![0.0; n_rows],
            paid: vec![0.0; n_rows],
            units: vec![0.0; n_rows],
            days_supply: vec![0.0; n_rows],
            ages: vec![0.0; n_rows],
            genders: vec![0; n_rows],
            is_anomaly: vec![0.0; n_rows],
            anomalies: vec![0; n_rows],
        };
        for (line, &row) in lines.iter().zip(&row_of) {
            values.set(row as usize, catalog, population, line);
        }
        values
    }

    fn set(&mut self, row: usize, catalog: &Catalog, population: &Population, line: &ClaimLine) {
        let member = population.member(line.member);
        put(&mut self.members, row, line.member);
        put(&mut self.providers, row, line.provider);
        put(&mut self.days, row, line.day);
        put(&mut self.procedures, row, u32::from(line.procedure));
        put(&mut self.diagnoses, row, u32::from(line.diagnosis));
        put(&mut self.places, row, u32::from(line.place));
        put(&mut self.billing, row, u32::from(line.institutional));
        put(&mut self.allowed, row, line.allowed);
        put(&mut self.paid, row, round_cents(line.allowed * line.paid_share).min(line.allowed));
        put(&mut self.units, row, line.units);
        put(&mut self.days_supply, row, catalog.procedure(line.procedure).map_or(0.0, |p| p.spec.days_supply));
        put(&mut self.ages, row, member.map_or(f64::NAN, |m| f64::from(m.age)));
        put(&mut self.genders, row, member.map_or(MISSING_CODE, |m| u32::from(!m.female)));
        put(&mut self.is_anomaly, row, f64::from(u8::from(line.anomaly != Anomaly::None)));
        put(&mut self.anomalies, row, line.anomaly as u32);
    }
}

fn put<T>(column: &mut [T], row: usize, value: T) {
    if let Some(slot) = column.get_mut(row) {
        *slot = value;
    }
}

/// Member sexes, in code order.
const GENDERS: [&str; 2] = ["F", "M"];

/// The table, one row per line, in `order`.
pub(super) fn build_table(
    catalog: &Catalog,
    population: &Population,
    lines: &[ClaimLine],
    order: &[u32],
) -> Result<ClaimsTable, SynthError> {
    let n_rows = order.len();
    let values = ColumnValues::new(catalog, population, lines, order);
    let claim_ids = ColumnData::Categorical {
        levels: (1..=n_rows).map(|i| padded_id("M", i, CLAIM_ID_DIGITS)).collect(),
        codes: (0..n_rows as u32).collect(),
    };
    let member_ids = &population.member_ids;
    let provider_ids = &population.provider_ids;
    let mut table = ClaimsTable::new();
    table.push_column(CLAIM_ID, claim_ids)?;
    table.push_column(
        MEMBER_ID,
        compact_categorical(&values.members, member_ids.len(), |i| level_text(member_ids.get(i).map(String::as_str))),
    )?;
    table.push_column(
        PROVIDER_ID,
        compact_categorical(&values.providers, provider_ids.len(), |i| {
            level_text(provider_ids.get(i).map(String::as_str))
        }),
    )?;
    table.push_column(SERVICE_DATE, ColumnData::Date { days: values.days })?;
    table.push_column(
        PROCEDURE_CODE,
        compact_categorical(&values.procedures, PROCEDURES.len(), |i| level_text(PROCEDURES.get(i).map(|p| p.code))),
    )?;
    table.push_column(
        DIAGNOSIS_CODE,
        compact_categorical(&values.diagnoses, DIAGNOSES.len(), |i| level_text(DIAGNOSES.get(i).map(|d| d.code))),
    )?;
    table.push_column(
        PLACE_OF_SERVICE,
        compact_categorical(&values.places, PLACES.len(), |i| level_text(PLACES.get(i).map(|p| p.0))),
    )?;
    table.push_column(
        BILLING_TYPE,
        compact_categorical(&values.billing, BILLING_TYPES.len(), |i| level_text(BILLING_TYPES.get(i).copied())),
    )?;
    table.push_column(ALLOWED_AMOUNT, ColumnData::Numeric { values: values.allowed.into() })?;
    table.push_column(PAID_AMOUNT, ColumnData::Numeric { values: values.paid.into() })?;
    table.push_column(UNITS, ColumnData::Numeric { values: values.units.into() })?;
    table.push_column(DAYS_SUPPLY, ColumnData::Numeric { values: values.days_supply.into() })?;
    table.push_column(MEMBER_AGE, ColumnData::Numeric { values: values.ages.into() })?;
    table.push_column(
        MEMBER_GENDER,
        compact_categorical(&values.genders, GENDERS.len(), |i| level_text(GENDERS.get(i).copied())),
    )?;
    table.push_column(IS_ANOMALY, ColumnData::Numeric { values: values.is_anomaly.into() })?;
    table.push_column(
        ANOMALY_TYPE,
        compact_categorical(&values.anomalies, MEDICAL_ANOMALY_TYPES.len(), |i| {
            level_text(MEDICAL_ANOMALY_TYPES.get(i).copied())
        }),
    )?;
    Ok(table)
}

/// Digits of a claim id after its prefix ("M0000001").
const CLAIM_ID_DIGITS: usize = 7;

fn level_text(text: Option<&str>) -> String {
    text.unwrap_or_default().to_owned()
}
