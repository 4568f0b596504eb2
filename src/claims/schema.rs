//! The claims schema: the one place that names columns, their roles and their meaning.
//!
//! Generators, feature building, the pipeline and UI labels all take names from here.

/// What a column is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnRole {
    /// Identifies a claim; never a feature.
    Identifier,
    /// An input the model may learn from.
    Feature,
    /// The ground truth a supervised model learns.
    Label,
    /// Explains the label (for teaching and evaluation); never a feature.
    LabelDetail,
}

/// One canonical column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ColumnSpec {
    /// The canonical name.
    pub name: &'static str,
    /// Its role.
    pub role: ColumnRole,
    /// A one-line description for reports and tooltips.
    pub description: &'static str,
}

/// Canonical names of the denial teaching scenario.
pub mod denial {
    /// Claim identifier.
    pub const CLAIM_ID: &str = "claim_id";
    /// Member age in years (18–89).
    pub const AGE: &str = "age";
    /// Provider type: General, Surgeon or Cardiologist.
    pub const PROVIDER_TYPE: &str = "provider_type";
    /// Service: Office Visit, Knee Surgery or Heart Surgery.
    pub const SERVICE: &str = "service";
    /// 1 if a pre-authorisation is on file, else 0.
    pub const HAS_PRE_AUTH: &str = "has_pre_auth";
    /// 1 if the diagnosis supports the service, else 0.
    pub const DIAGNOSIS_MATCH: &str = "diagnosis_match";
    /// 1 if the claim was denied, else 0.
    pub const IS_DENIED: &str = "is_denied";
    /// The rule that denied the claim, or "none".
    pub const DENIAL_REASON: &str = "denial_reason";

    /// Provider types, in code order.
    pub const PROVIDER_TYPES: [&str; 3] = ["General", "Surgeon", "Cardiologist"];
    /// Services, in code order.
    pub const SERVICES: [&str; 3] = ["Office Visit", "Knee Surgery", "Heart Surgery"];
    /// Denial reasons, in code order.
    pub const DENIAL_REASONS: [&str; 4] =
        ["none", "surgery_without_pre_auth", "diagnosis_mismatch", "administrative_noise"];
}

/// Every column of the denial scenario, in file order.
pub const DENIAL_COLUMNS: [ColumnSpec; 8] = [
    ColumnSpec { name: denial::CLAIM_ID, role: ColumnRole::Identifier, description: "Claim identifier" },
    ColumnSpec { name: denial::AGE, role: ColumnRole::Feature, description: "Member age in years" },
    ColumnSpec { name: denial::PROVIDER_TYPE, role: ColumnRole::Feature, description: "Type of the billing provider" },
    ColumnSpec { name: denial::SERVICE, role: ColumnRole::Feature, description: "Service billed" },
    ColumnSpec {
        name: denial::HAS_PRE_AUTH,
        role: ColumnRole::Feature,
        description: "1 if a pre-authorisation is on file",
    },
    ColumnSpec {
        name: denial::DIAGNOSIS_MATCH,
        role: ColumnRole::Feature,
        description: "1 if the diagnosis supports the service",
    },
    ColumnSpec { name: denial::IS_DENIED, role: ColumnRole::Label, description: "1 if the claim was denied" },
    ColumnSpec { name: denial::DENIAL_REASON, role: ColumnRole::LabelDetail, description: "Which denial rule fired" },
];

/// Names of the columns with the given role, in file order.
pub fn names_with_role(columns: &[ColumnSpec], role: ColumnRole) -> Vec<&'static str> {
    columns.iter().filter(|c| c.role == role).map(|c| c.name).collect()
}

/// The role of a canonical column name, if `name` is one.
pub fn known_role(name: &str) -> Option<ColumnRole> {
    DENIAL_COLUMNS.iter().find(|spec| spec.name == name).map(|spec| spec.role)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn denial_features_exclude_ids_and_label_details() {
        assert_eq!(
            names_with_role(&DENIAL_COLUMNS, ColumnRole::Feature),
            vec!["age", "provider_type", "service", "has_pre_auth", "diagnosis_match"]
        );
        assert_eq!(names_with_role(&DENIAL_COLUMNS, ColumnRole::Label), vec!["is_denied"]);
    }
}
