//! The claims schema: the one place that names columns, their roles, types and synonyms.
//!
//! Generators, ingestion, schema discovery, feature building, the pipeline and UI labels
//! all take names from here. [`CANONICAL_COLUMNS`] lists every canonical column of the
//! medical and pharmacy data; [`DENIAL_COLUMNS`] lists the teaching scenario's.

mod header_words;
mod name_words;
mod profiles;
mod synonyms;

pub use header_words::{match_by_words, read_header, HeaderReading, WordMatch, CONFIDENT};
pub use name_words::{looks_like_decision_name, looks_like_identifier_name, looks_like_label_name, name_words};
pub use profiles::{VendorProfile, VENDOR_PROFILES};
pub use synonyms::{compact_header, is_word_char, normalize_header, synonyms_of};

/// What a column is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnRole {
    /// Identifies a claim; never a feature.
    Identifier,
    /// Identifies a member, provider or pharmacy: never a feature itself, but the key that
    /// entity aggregates group by.
    Entity,
    /// A date: never a feature itself, but the source of gaps, windows and weekdays.
    Date,
    /// An input the model may learn from.
    Feature,
    /// The ground truth a supervised model learns.
    Label,
    /// Explains the label (for teaching and evaluation); never a feature.
    LabelDetail,
}

/// What a column's cells hold. Ingestion reads a mapped column as its kind says, so an
/// NPI stays text and `20240315` in a date column is a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ValueKind {
    /// Free text or a code (identifiers, CPT, ICD-10, NDC): never parsed as a number.
    Text,
    /// A number, written plainly or as `$1,234.50`, `(12.00)` or `12%`.
    Number,
    /// A calendar date in ISO, US or compact form.
    Date,
}

/// Which part of a claim a column describes (the schema report groups by this).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnGroup {
    /// The claim itself: id and date.
    Claim,
    /// The member or patient.
    Member,
    /// The provider or prescriber.
    Provider,
    /// The dispensing pharmacy.
    Pharmacy,
    /// Procedure, diagnosis, drug, payer and reject codes.
    Codes,
    /// Money and quantities.
    Amounts,
    /// Ground truth.
    Label,
    /// The denial teaching scenario.
    Teaching,
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

/// A canonical column of the medical and pharmacy data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CanonicalColumn {
    /// The canonical name.
    pub name: &'static str,
    /// Its role.
    pub role: ColumnRole,
    /// What its cells hold.
    pub kind: ValueKind,
    /// Which part of a claim it describes.
    pub group: ColumnGroup,
    /// A one-line description for reports and tooltips.
    pub description: &'static str,
}

/// Canonical names of the medical and pharmacy columns.
pub mod names {
    /// Claim (or claim line, or transaction) identifier.
    pub const CLAIM_ID: &str = "claim_id";
    /// Date of service, or fill date for pharmacy claims.
    pub const SERVICE_DATE: &str = "service_date";
    /// Member or patient identifier.
    pub const MEMBER_ID: &str = "member_id";
    /// Member age in years.
    pub const MEMBER_AGE: &str = "member_age";
    /// Member sex: F or M.
    pub const MEMBER_GENDER: &str = "member_gender";
    /// Member's state of residence (two-letter code).
    pub const MEMBER_STATE: &str = "member_state";
    /// Billing provider or prescriber identifier (an NPI in real files).
    pub const PROVIDER_ID: &str = "provider_id";
    /// The provider's or prescriber's specialty.
    pub const PROVIDER_SPECIALTY: &str = "provider_specialty";
    /// Dispensing pharmacy identifier (an NABP or NCPDP number in real files).
    pub const PHARMACY_ID: &str = "pharmacy_id";
    /// The pharmacy's state (two-letter code).
    pub const PHARMACY_STATE: &str = "pharmacy_state";
    /// 1 if the pharmacy is open and in good standing, 0 if inactive or closed.
    pub const PHARMACY_ACTIVE: &str = "pharmacy_active";
    /// CPT/HCPCS procedure code.
    pub const PROCEDURE_CODE: &str = "procedure_code";
    /// ICD-10 diagnosis code.
    pub const DIAGNOSIS_CODE: &str = "diagnosis_code";
    /// CMS place-of-service code.
    pub const PLACE_OF_SERVICE: &str = "place_of_service";
    /// Professional or institutional billing.
    pub const BILLING_TYPE: &str = "billing_type";
    /// National Drug Code (11 digits, kept as text).
    pub const NDC: &str = "ndc";
    /// Payer type: Commercial, Medicare, Medicaid, Tricare, VA, Cash.
    pub const PAYER_TYPE: &str = "payer_type";
    /// NCPDP reject code of the transaction, empty when paid.
    pub const REJECT_CODE: &str = "reject_code";
    /// 1 if the claim was submitted on paper, else 0.
    pub const PAPER_SUBMISSION: &str = "paper_submission";
    /// Billed charge.
    pub const BILLED_AMOUNT: &str = "billed_amount";
    /// Allowed amount.
    pub const ALLOWED_AMOUNT: &str = "allowed_amount";
    /// Paid amount.
    pub const PAID_AMOUNT: &str = "paid_amount";
    /// Units of service.
    pub const UNITS: &str = "units";
    /// Dispensed quantity.
    pub const QUANTITY: &str = "quantity";
    /// Days supply dispensed.
    pub const DAYS_SUPPLY: &str = "days_supply";
    /// Copay-card benefit paid by the program.
    pub const BENEFIT_AMOUNT: &str = "benefit_amount";
    /// What the patient paid out of pocket after the benefit.
    pub const OUT_OF_POCKET: &str = "out_of_pocket";
    /// 1 if the claim is a planted anomaly (fraud, waste or abuse), else 0.
    pub const IS_ANOMALY: &str = "is_anomaly";
    /// Which pattern was planted, or "none".
    pub const ANOMALY_TYPE: &str = "anomaly_type";
}

use names::*;
use ColumnGroup as G;
use ColumnRole as R;
use ValueKind as K;

const fn canonical(
    name: &'static str,
    role: ColumnRole,
    kind: ValueKind,
    group: ColumnGroup,
    description: &'static str,
) -> CanonicalColumn {
    CanonicalColumn { name, role, kind, group, description }
}

/// Every canonical column of the medical and pharmacy data, in preferred file order.
pub const CANONICAL_COLUMNS: [CanonicalColumn; 29] = [
    canonical(CLAIM_ID, R::Identifier, K::Text, G::Claim, "Claim or transaction identifier"),
    canonical(SERVICE_DATE, R::Date, K::Date, G::Claim, "Date of service, or fill date"),
    canonical(MEMBER_ID, R::Entity, K::Text, G::Member, "Member or patient identifier"),
    canonical(MEMBER_AGE, R::Feature, K::Number, G::Member, "Member age in years"),
    canonical(MEMBER_GENDER, R::Feature, K::Text, G::Member, "Member sex"),
    canonical(MEMBER_STATE, R::Feature, K::Text, G::Member, "Member's state of residence"),
    canonical(PROVIDER_ID, R::Entity, K::Text, G::Provider, "Billing provider or prescriber identifier"),
    canonical(PROVIDER_SPECIALTY, R::Feature, K::Text, G::Provider, "Provider or prescriber specialty"),
    canonical(PHARMACY_ID, R::Entity, K::Text, G::Pharmacy, "Dispensing pharmacy identifier"),
    canonical(PHARMACY_STATE, R::Feature, K::Text, G::Pharmacy, "Pharmacy's state"),
    canonical(PHARMACY_ACTIVE, R::Feature, K::Number, G::Pharmacy, "1 if the pharmacy is active, 0 if closed"),
    canonical(PROCEDURE_CODE, R::Feature, K::Text, G::Codes, "CPT/HCPCS procedure code"),
    canonical(DIAGNOSIS_CODE, R::Feature, K::Text, G::Codes, "ICD-10 diagnosis code"),
    canonical(PLACE_OF_SERVICE, R::Feature, K::Text, G::Codes, "Place-of-service code"),
    canonical(BILLING_TYPE, R::Feature, K::Text, G::Codes, "Professional or institutional billing"),
    canonical(NDC, R::Feature, K::Text, G::Codes, "National Drug Code"),
    canonical(PAYER_TYPE, R::Feature, K::Text, G::Codes, "Commercial, Medicare, Medicaid, Tricare, VA or Cash"),
    canonical(REJECT_CODE, R::Feature, K::Text, G::Codes, "NCPDP reject code, empty when paid"),
    canonical(PAPER_SUBMISSION, R::Feature, K::Number, G::Codes, "1 if submitted on paper"),
    canonical(BILLED_AMOUNT, R::Feature, K::Number, G::Amounts, "Billed charge"),
    canonical(ALLOWED_AMOUNT, R::Feature, K::Number, G::Amounts, "Allowed amount"),
    canonical(PAID_AMOUNT, R::Feature, K::Number, G::Amounts, "Paid amount"),
    canonical(UNITS, R::Feature, K::Number, G::Amounts, "Units of service"),
    canonical(QUANTITY, R::Feature, K::Number, G::Amounts, "Dispensed quantity"),
    canonical(DAYS_SUPPLY, R::Feature, K::Number, G::Amounts, "Days supply"),
    canonical(BENEFIT_AMOUNT, R::Feature, K::Number, G::Amounts, "Copay-card benefit paid"),
    canonical(OUT_OF_POCKET, R::Feature, K::Number, G::Amounts, "Patient out-of-pocket cost"),
    canonical(IS_ANOMALY, R::Label, K::Number, G::Label, "1 if the claim is a planted anomaly"),
    canonical(ANOMALY_TYPE, R::LabelDetail, K::Text, G::Label, "Which anomaly pattern was planted"),
];

/// The canonical column called `name`, if any.
pub fn canonical_column(name: &str) -> Option<&'static CanonicalColumn> {
    CANONICAL_COLUMNS.iter().find(|column| column.name == name)
}

/// Canonical names of the denial teaching scenario.
pub mod denial {
    /// Claim identifier.
    pub const CLAIM_ID: &str = "claim_id";
    /// Member age in years (18–89).
    pub const AGE: &str = "age";
    /// Provider type: General, Surgeon or Cardiologist.
    pub const PROVIDER_TYPE: &str = "provider_type";
    /// Service (the seed notebook's `service_code`): Office Visit, Knee Surgery or Heart Surgery.
    pub const SERVICE: &str = "service_code";
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

/// The role of a canonical column name (medical, pharmacy or teaching), if `name` is one.
pub fn known_role(name: &str) -> Option<ColumnRole> {
    canonical_column(name)
        .map(|column| column.role)
        .or_else(|| DENIAL_COLUMNS.iter().find(|spec| spec.name == name).map(|spec| spec.role))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn denial_features_exclude_ids_and_label_details() {
        assert_eq!(
            names_with_role(&DENIAL_COLUMNS, ColumnRole::Feature),
            vec!["age", "provider_type", "service_code", "has_pre_auth", "diagnosis_match"]
        );
        assert_eq!(names_with_role(&DENIAL_COLUMNS, ColumnRole::Label), vec!["is_denied"]);
    }
}
