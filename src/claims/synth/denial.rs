//! The `denial` teaching scenario: five claim columns and three denial rules.
//!
//! Ground truth, in order: a surgery without pre-authorisation is denied; otherwise a
//! diagnosis that does not match the service is denied; otherwise 5% of claims are
//! denied as administrative noise. The rule that fired is written to `denial_reason`.

use crate::claims::schema::denial::*;
use crate::claims::table::{CategoricalBuilder, ClaimsTable, ColumnData, TableError};
use crate::rng::SeededRng;

/// Share of claims without a pre-authorisation.
pub const MISSING_PRE_AUTH_RATE: f64 = 0.30;
/// Share of claims whose diagnosis does not match the service.
pub const DIAGNOSIS_MISMATCH_RATE: f64 = 0.20;
/// Share of otherwise clean claims denied for administrative reasons.
pub const ADMINISTRATIVE_NOISE_RATE: f64 = 0.05;

/// Generates `n_rows` denial-scenario claims; the same seed gives the same table.
pub fn generate_denial(n_rows: usize, seed: u64) -> Result<ClaimsTable, TableError> {
    let mut rng = SeededRng::new(seed);
    let mut claim_ids = Vec::with_capacity(n_rows);
    let mut ages = Vec::with_capacity(n_rows);
    let mut provider_types = CategoricalBuilder::with_levels(&PROVIDER_TYPES);
    let mut services = CategoricalBuilder::with_levels(&SERVICES);
    let mut pre_auths = Vec::with_capacity(n_rows);
    let mut diagnosis_matches = Vec::with_capacity(n_rows);
    let mut denied = Vec::with_capacity(n_rows);
    let mut reasons = CategoricalBuilder::with_levels(&DENIAL_REASONS);
    for claim_idx in 0..n_rows {
        let age = rng.int_inclusive(18, 89);
        let provider_type = PROVIDER_TYPES[rng.index(PROVIDER_TYPES.len())];
        let service = SERVICES[rng.index(SERVICES.len())];
        let has_pre_auth = !rng.chance(MISSING_PRE_AUTH_RATE);
        let diagnosis_match = !rng.chance(DIAGNOSIS_MISMATCH_RATE);
        let noise_draw = rng.next_f64();
        let reason = denial_reason(service, has_pre_auth, diagnosis_match, noise_draw < ADMINISTRATIVE_NOISE_RATE);
        claim_ids.push(claim_idx as f64 + 1.0);
        ages.push(age as f64);
        provider_types.push(Some(provider_type));
        services.push(Some(service));
        pre_auths.push(f64::from(u8::from(has_pre_auth)));
        diagnosis_matches.push(f64::from(u8::from(diagnosis_match)));
        denied.push(f64::from(u8::from(reason != DENIAL_REASONS[0])));
        reasons.push(Some(reason));
    }
    let mut table = ClaimsTable::new();
    table.push_column(CLAIM_ID, ColumnData::Numeric { values: claim_ids.into() })?;
    table.push_column(AGE, ColumnData::Numeric { values: ages.into() })?;
    table.push_column(PROVIDER_TYPE, provider_types.finish())?;
    table.push_column(SERVICE, services.finish())?;
    table.push_column(HAS_PRE_AUTH, ColumnData::Numeric { values: pre_auths.into() })?;
    table.push_column(DIAGNOSIS_MATCH, ColumnData::Numeric { values: diagnosis_matches.into() })?;
    table.push_column(IS_DENIED, ColumnData::Numeric { values: denied.into() })?;
    table.push_column(DENIAL_REASON, reasons.finish())?;
    Ok(table)
}

/// The denial rules, in priority order; returns the reason code text.
pub fn denial_reason(
    service: &str,
    has_pre_auth: bool,
    diagnosis_match: bool,
    administrative_noise: bool,
) -> &'static str {
    if service.contains("Surgery") && !has_pre_auth {
        DENIAL_REASONS[1]
    } else if !diagnosis_match {
        DENIAL_REASONS[2]
    } else if administrative_noise {
        DENIAL_REASONS[3]
    } else {
        DENIAL_REASONS[0]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numeric(table: &ClaimsTable, name: &str) -> Vec<f64> {
        match &table.column(name).unwrap().data {
            ColumnData::Numeric { values } => values.to_vec(),
            _ => panic!("{name} is not numeric"),
        }
    }

    #[test]
    fn same_seed_same_table_other_seed_differs() {
        assert_eq!(generate_denial(500, 7).unwrap(), generate_denial(500, 7).unwrap());
        assert_ne!(generate_denial(500, 7).unwrap(), generate_denial(500, 8).unwrap());
    }

    #[test]
    fn marginal_rates_and_ranges_match_the_spec() {
        let table = generate_denial(20_000, 1).unwrap();
        assert_eq!(table.n_rows(), 20_000);
        let ages = numeric(&table, AGE);
        assert!(ages.iter().all(|&a| (18.0..=89.0).contains(&a)));
        assert_eq!(ages.iter().cloned().fold(f64::MAX, f64::min), 18.0);
        assert_eq!(ages.iter().cloned().fold(f64::MIN, f64::max), 89.0);
        let no_pre_auth = numeric(&table, HAS_PRE_AUTH).iter().filter(|&&v| v == 0.0).count() as f64 / 20_000.0;
        let mismatch = numeric(&table, DIAGNOSIS_MATCH).iter().filter(|&&v| v == 0.0).count() as f64 / 20_000.0;
        assert!((no_pre_auth - 0.30).abs() < 0.015, "{no_pre_auth}");
        assert!((mismatch - 0.20).abs() < 0.015, "{mismatch}");
    }

    #[test]
    fn every_label_follows_its_rule() {
        let table = generate_denial(5_000, 3).unwrap();
        let services = &table.column(SERVICE).unwrap().data;
        let reasons = &table.column(DENIAL_REASON).unwrap().data;
        let pre_auth = numeric(&table, HAS_PRE_AUTH);
        let diagnosis = numeric(&table, DIAGNOSIS_MATCH);
        let denied = numeric(&table, IS_DENIED);
        let mut n_noise = 0;
        for row in 0..table.n_rows() {
            let reason = reasons.display(row);
            let expected = denial_reason(
                &services.display(row),
                pre_auth[row] == 1.0,
                diagnosis[row] == 1.0,
                reason == "administrative_noise",
            );
            assert_eq!(reason, expected);
            assert_eq!(denied[row] == 1.0, reason != "none");
            n_noise += usize::from(reason == "administrative_noise");
        }
        let clean_candidates = (0..table.n_rows())
            .filter(|&r| !matches!(reasons.display(r).as_str(), "surgery_without_pre_auth" | "diagnosis_mismatch"))
            .count();
        let noise_rate = n_noise as f64 / clean_candidates as f64;
        assert!((noise_rate - 0.05).abs() < 0.015, "{noise_rate}");
    }
}
