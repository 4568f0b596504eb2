//! Feature building: per-claim features and member, provider and pharmacy aggregates,
//! computed from canonical columns and never from the label.

use serde::{Deserialize, Serialize};

use crate::claims::table::{ClaimsTable, TableError};

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
}

/// The features a table with these column names allows.
pub fn plan_features(column_names: &[&str]) -> FeaturePlan {
    let _ = column_names;
    FeaturePlan::default()
}

/// A copy of `table` with every feature its columns allow appended, and the plan.
pub fn add_features(table: &ClaimsTable) -> Result<(ClaimsTable, FeaturePlan), TableError> {
    Ok((table.clone(), FeaturePlan::default()))
}
