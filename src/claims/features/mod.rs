//! Feature building: per-claim features and member, provider and pharmacy aggregates,
//! computed from canonical columns and never from the label.
//!
//! [`FEATURES`] lists every feature with the canonical columns it reads. [`plan_features`]
//! says which of them a table's columns allow and why the others are skipped;
//! [`add_features`] appends the allowed ones, as numeric columns, after the table's own.
//! Missing cells give NaN, never an error.

mod claim;
mod codes;
pub(crate) mod groups;
mod history;
mod inputs;
mod member;
mod peers;
mod pharmacy;
mod provider;
mod registry;
mod timeline;

#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

use crate::claims::table::{ClaimsTable, ColumnData, Numbers, TableError};

pub use claim::PROCEDURE_AMOUNT_QUANTILE;
pub use codes::{GOVERNMENT_PAYERS, HIGH_RISK_REJECT_CODES};
pub use history::{EARLY_REFILL_DAYS, EXCESSIVE_FILLS_IN_WINDOW, FILL_WINDOW_DAYS};
pub use peers::{PeerGroup, PeerReference, PeerStatistic};
pub use pharmacy::{
    RISK_WEIGHT_ONE_AND_DONE, RISK_WEIGHT_PAPER_RATE, RISK_WEIGHT_PRESCRIBER_CONCENTRATION, RISK_WEIGHT_REJECT_RATE,
};
pub use registry::{feature_spec, FeatureLevel, FeatureSpec, ANOMALY_FEATURES, FEATURES};

/// The features that compare a claim with its peers' statistics (see [`record_peers`]).
pub const PEER_FEATURES: [&str; 10] = [
    "allowed_vs_procedure_mean",
    "allowed_vs_procedure_p99",
    "units_vs_procedure_mean",
    "allowed_vs_diagnosis_mean",
    "procedure_sex_share",
    "procedure_age_zscore",
    "benefit_zscore",
    "out_of_pocket_zscore",
    "quantity_anomaly",
    "days_supply_anomaly",
];

/// The peer statistics of `table`'s claims (procedure and diagnosis means, quantiles and
/// spreads, sex shares, drugs' usual quantities and supplies, population spreads): what
/// [`append_features_against`] compares new claims with. Only codes and aggregates.
#[cfg(not(target_arch = "wasm32"))]
pub fn record_peers(table: &ClaimsTable) -> Result<PeerReference, TableError> {
    let inputs = inputs::Inputs::with_peers(table, peers::PeerMode::Record(Default::default()))?;
    for spec in PEER_FEATURES.iter().filter_map(|name| feature_spec(name)) {
        let _ = (spec.build)(&inputs);
    }
    Ok(inputs.into_recorded_peers())
}

/// A feature that cannot be built from a table, and the canonical columns it lacks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkippedFeature {
    /// The feature's column name.
    pub feature: String,
    /// The canonical columns it needs and the table lacks.
    pub missing: Vec<String>,
}

/// Which features a table allows.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct FeaturePlan {
    /// Features that can be built, in the order they are added.
    pub features: Vec<String>,
    /// Features that cannot, with what they lack.
    pub skipped: Vec<SkippedFeature>,
    /// Features whose inputs are present but whose name the table already uses for a
    /// column; that column is kept as it is (so adding features twice changes nothing).
    #[serde(default)]
    pub already_present: Vec<String>,
}

/// How many distinct numbers a column holds (missing and non-finite values left out; `-0`
/// and `0` are one), counted with the group-bys' interner.
pub fn count_distinct_numbers(values: &crate::claims::Numbers) -> usize {
    groups::intern(values.iter().map(groups::number_key)).1.len()
}

/// The features a table with these column names allows.
pub fn plan_features(column_names: &[&str]) -> FeaturePlan {
    let mut plan = FeaturePlan::default();
    for spec in &FEATURES {
        let missing: Vec<String> =
            spec.inputs.iter().filter(|input| !column_names.contains(input)).map(|input| (*input).to_owned()).collect();
        if !missing.is_empty() {
            plan.skipped.push(SkippedFeature { feature: spec.name.to_owned(), missing });
        } else if column_names.contains(&spec.name) {
            plan.already_present.push(spec.name.to_owned());
        } else {
            plan.features.push(spec.name.to_owned());
        }
    }
    plan
}

/// A copy of `table` with every feature its columns allow appended, and the plan; see
/// [`append_features`].
pub fn add_features(table: &ClaimsTable) -> Result<(ClaimsTable, FeaturePlan), TableError> {
    append_features(table.clone())
}

/// `table` with every feature its columns allow appended, and the plan. Taking the table
/// saves a copy of every claim (a million claims are over 100 MB).
///
/// The table's own columns come first, unchanged and in order; the features follow in
/// [`FEATURES`] order. Every feature value is finite or NaN. Fails only if the table is
/// inconsistent (a column's length differs from the table's).
pub fn append_features(table: ClaimsTable) -> Result<(ClaimsTable, FeaturePlan), TableError> {
    append_with(table, peers::PeerMode::Own)
}

/// [`append_features`] with each claim compared with the recorded population's peers
/// (`peers`, from [`record_peers`]) wherever it has the claim's group (procedure, diagnosis,
/// NDC), and with the table's own claims of a group it never saw. Member, provider and
/// pharmacy aggregates are over the table's claims.
#[cfg(not(target_arch = "wasm32"))]
pub fn append_features_against(
    table: ClaimsTable,
    peers: &PeerReference,
) -> Result<(ClaimsTable, FeaturePlan), TableError> {
    append_with(table, peers::PeerMode::Use(peers))
}

fn append_with(table: ClaimsTable, peers: peers::PeerMode<'_>) -> Result<(ClaimsTable, FeaturePlan), TableError> {
    let planned = plan_features(&table.known_names());
    let inputs = inputs::Inputs::with_peers(&table, peers)?;
    // Each feature is held in its compact form as soon as it is made, beside the rest.
    let mut derived: Vec<(&'static str, Numbers)> = Vec::new();
    let mut plan = FeaturePlan { features: Vec::new(), ..planned.clone() };
    for spec in planned.features.iter().filter_map(|name| feature_spec(name)) {
        let Some(mut values) = (spec.build)(&inputs) else {
            let missing = spec.inputs.iter().filter(|input| !inputs.has(input)).map(|input| (*input).to_owned());
            plan.skipped.push(SkippedFeature { feature: spec.name.to_owned(), missing: missing.collect() });
            continue;
        };
        if values.len() != table.n_rows() {
            return Err(TableError::LengthMismatch {
                name: spec.name.to_owned(),
                expected: table.n_rows(),
                actual: values.len(),
            });
        }
        values.iter_mut().filter(|value| !value.is_finite()).for_each(|value| *value = f64::NAN);
        derived.push((spec.name, Numbers::new(values)));
        plan.features.push(spec.name.to_owned());
    }
    drop(inputs);
    let mut with_features = table;
    for (name, values) in derived {
        with_features.push_column(name, ColumnData::Numeric { values })?;
    }
    Ok((with_features, plan))
}
