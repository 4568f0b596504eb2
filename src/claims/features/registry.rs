//! The feature registry: every feature's column name, level, canonical inputs, one-line
//! meaning and builder, in the order features are appended.

use serde::{Deserialize, Serialize};

use crate::claims::schema::names::{
    ALLOWED_AMOUNT, BENEFIT_AMOUNT, BILLED_AMOUNT, DAYS_SUPPLY, DIAGNOSIS_CODE, MEMBER_AGE, MEMBER_GENDER, MEMBER_ID,
    MEMBER_STATE, NDC, OUT_OF_POCKET, PAID_AMOUNT, PAPER_SUBMISSION, PAYER_TYPE, PHARMACY_ID, PHARMACY_STATE,
    PROCEDURE_CODE, PROVIDER_ID, QUANTITY, REJECT_CODE, SERVICE_DATE, UNITS,
};

use super::inputs::Inputs;
use super::{claim, codes, history, member, pharmacy, provider};

/// Which entity a feature describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeatureLevel {
    /// The claim itself.
    Claim,
    /// The claim's member, the same on all of the member's claims.
    Member,
    /// The claim's provider or prescriber.
    Provider,
    /// The claim's dispensing pharmacy.
    Pharmacy,
}

/// Builds one feature column (one value per row, NaN where unknown), or `None` if an
/// input is absent.
pub(crate) type BuildFeature = fn(&Inputs<'_>) -> Option<Vec<f64>>;

/// One feature: what it is called, what it reads and what it means.
#[derive(Debug, Clone, Copy)]
pub struct FeatureSpec {
    /// The feature's column name.
    pub name: &'static str,
    /// Which entity it describes.
    pub level: FeatureLevel,
    /// The canonical columns it needs (never a label).
    pub inputs: &'static [&'static str],
    /// What it means, in one line.
    pub description: &'static str,
    pub(crate) build: BuildFeature,
}

/// The spec of the feature called `name`, if any.
pub fn feature_spec(name: &str) -> Option<&'static FeatureSpec> {
    FEATURES.iter().find(|spec| spec.name == name)
}

/// The features an anomaly detector should read by default: those that compare a claim,
/// its member's pattern or its provider/pharmacy with peers (amount vs procedure, units,
/// duplicates, implausible demographics, refill timing, concentration and churn shares).
///
/// Left out are sizes and spans (claim counts, totals, active days, days since the first
/// service): they are heavy-tailed in normal data, so an isolation forest spends its splits
/// isolating busy but honest members and providers. A supervised forest can use them, since
/// labels tell it when size matters.
pub const ANOMALY_FEATURES: [&str; 30] = [
    "is_weekend",
    "allowed_vs_procedure_mean",
    "allowed_vs_procedure_p99",
    "units_vs_procedure_mean",
    "allowed_vs_diagnosis_mean",
    "duplicate_count",
    "member_same_day_lines",
    "procedure_sex_share",
    "procedure_age_zscore",
    "benefit_zscore",
    "out_of_pocket_zscore",
    "benefit_ratio",
    "refill_supply_used",
    "member_fills_90d",
    "cross_state",
    "high_risk_reject",
    "quantity_anomaly",
    "days_supply_anomaly",
    "member_distinct_pharmacies",
    "member_ndc_count",
    "provider_allowed_vs_peer",
    "provider_cost_vs_diagnosis_peer",
    "provider_top_member_share",
    "provider_one_and_done_share",
    "provider_weekend_share",
    "pharmacy_reject_rate",
    "pharmacy_paper_rate",
    "pharmacy_prescriber_concentration",
    "pharmacy_one_and_done_pct",
    "pharmacy_fraud_risk_score",
];

const fn spec(
    name: &'static str,
    level: FeatureLevel,
    inputs: &'static [&'static str],
    description: &'static str,
    build: BuildFeature,
) -> FeatureSpec {
    FeatureSpec { name, level, inputs, description, build }
}

use FeatureLevel::{Claim, Member, Pharmacy, Provider};

/// Every feature, in the order they are appended to a table.
pub const FEATURES: [FeatureSpec; 47] = [
    // Claim level.
    spec("is_weekend", Claim, &[SERVICE_DATE], "1 if the service date is a Saturday or Sunday", claim::is_weekend),
    spec(
        "allowed_vs_procedure_mean",
        Claim,
        &[ALLOWED_AMOUNT, PROCEDURE_CODE],
        "Allowed amount over the mean allowed amount of the same procedure code",
        claim::allowed_vs_procedure_mean,
    ),
    spec(
        "allowed_vs_procedure_p99",
        Claim,
        &[ALLOWED_AMOUNT, PROCEDURE_CODE],
        "Allowed amount over the 99th percentile of allowed amounts of the same procedure code (above 1 = top 1%)",
        claim::allowed_vs_procedure_p99,
    ),
    spec(
        "units_vs_procedure_mean",
        Claim,
        &[UNITS, PROCEDURE_CODE],
        "Units over the mean units of the same procedure code",
        claim::units_vs_procedure_mean,
    ),
    spec(
        "allowed_vs_diagnosis_mean",
        Claim,
        &[ALLOWED_AMOUNT, DIAGNOSIS_CODE],
        "Allowed amount over the mean allowed amount for the same diagnosis (upcoding)",
        claim::allowed_vs_diagnosis_mean,
    ),
    spec(
        "duplicate_count",
        Claim,
        &[MEMBER_ID, PROVIDER_ID, PROCEDURE_CODE, SERVICE_DATE],
        "Lines with the same member, provider, procedure and date, this one included",
        history::duplicate_count,
    ),
    spec(
        "member_same_day_lines",
        Claim,
        &[MEMBER_ID, PROVIDER_ID, SERVICE_DATE],
        "Lines of the same member and provider on the same date, this one included (unbundling)",
        history::member_same_day_lines,
    ),
    spec(
        "procedure_sex_share",
        Claim,
        &[PROCEDURE_CODE, MEMBER_GENDER],
        "Share of the procedure's claims billed for this member's sex (low = implausible)",
        claim::procedure_sex_share,
    ),
    spec(
        "procedure_age_zscore",
        Claim,
        &[PROCEDURE_CODE, MEMBER_AGE],
        "Member age against the mean and standard deviation of ages billed the same procedure",
        claim::procedure_age_zscore,
    ),
    spec(
        "benefit_zscore",
        Claim,
        &[BENEFIT_AMOUNT],
        "Benefit amount as a z-score against all claims",
        claim::benefit_zscore,
    ),
    spec(
        "out_of_pocket_zscore",
        Claim,
        &[OUT_OF_POCKET],
        "Out-of-pocket cost as a z-score against all claims",
        claim::out_of_pocket_zscore,
    ),
    spec(
        "benefit_ratio",
        Claim,
        &[BENEFIT_AMOUNT, BILLED_AMOUNT],
        "Benefit amount over billed amount",
        claim::benefit_ratio,
    ),
    spec(
        "days_since_prev_service",
        Claim,
        &[MEMBER_ID, SERVICE_DATE],
        "Days since the member's previous service day (NaN on the first; claims of one day share it)",
        history::days_since_prev_service,
    ),
    spec(
        "days_since_first_service",
        Claim,
        &[MEMBER_ID, SERVICE_DATE],
        "Days from the member's first claim to this one (0 on the first; new-patient bursts)",
        history::days_since_first_service,
    ),
    spec(
        "refill_supply_used",
        Claim,
        &[MEMBER_ID, SERVICE_DATE, DAYS_SUPPLY],
        "Days since the member's previous service day over the days supply dispensed then (below 0.75 = early refill)",
        history::refill_supply_used,
    ),
    spec(
        "early_refill",
        Claim,
        &[MEMBER_ID, SERVICE_DATE],
        "1 if the member's previous fill day was fewer than 23 days before",
        history::early_refill,
    ),
    spec(
        "member_fills_90d",
        Claim,
        &[MEMBER_ID, SERVICE_DATE],
        "The member's claims in the 90 days ending on this claim's date, this one included",
        history::member_fills_90d,
    ),
    spec(
        "excessive_fills",
        Claim,
        &[MEMBER_ID, SERVICE_DATE],
        "1 if the member has more than 4 claims in the 90 days ending on this claim's date",
        history::excessive_fills,
    ),
    spec(
        "cross_state",
        Claim,
        &[MEMBER_STATE, PHARMACY_STATE],
        "1 if the member lives in a different state from the dispensing pharmacy",
        codes::cross_state,
    ),
    spec("govt_payer", Claim, &[PAYER_TYPE], "1 if the payer is Medicare, Medicaid, Tricare or VA", codes::govt_payer),
    spec(
        "high_risk_reject",
        Claim,
        &[REJECT_CODE],
        "1 if the reject code is 76, 88 or 79 (maximizer or DUR); 0 if paid",
        codes::high_risk_reject,
    ),
    spec(
        "quantity_anomaly",
        Claim,
        &[QUANTITY, NDC],
        "1 if the quantity is rarer than the most common quantity of the same NDC",
        codes::quantity_anomaly,
    ),
    spec(
        "days_supply_anomaly",
        Claim,
        &[DAYS_SUPPLY, NDC],
        "1 if the days supply is rarer than the most common days supply of the same NDC",
        codes::days_supply_anomaly,
    ),
    // Member level.
    spec("member_claim_count", Member, &[MEMBER_ID], "The member's number of claims", member::member_claim_count),
    spec(
        "member_distinct_providers",
        Member,
        &[MEMBER_ID, PROVIDER_ID],
        "Distinct providers the member saw",
        member::member_distinct_providers,
    ),
    spec(
        "member_mean_gap_days",
        Member,
        &[MEMBER_ID, SERVICE_DATE],
        "Mean days between the member's consecutive claims (NaN with fewer than two)",
        member::member_mean_gap_days,
    ),
    spec(
        "member_total_paid",
        Member,
        &[MEMBER_ID, PAID_AMOUNT],
        "Sum of the member's paid amounts",
        member::member_total_paid,
    ),
    spec(
        "member_one_and_done",
        Member,
        &[MEMBER_ID],
        "1 if the member has exactly one claim (hit and run)",
        member::member_one_and_done,
    ),
    spec(
        "member_active_days",
        Member,
        &[MEMBER_ID, SERVICE_DATE],
        "Days from the member's first to last claim (short = burst)",
        member::member_active_days,
    ),
    spec(
        "member_distinct_pharmacies",
        Member,
        &[MEMBER_ID, PHARMACY_ID],
        "Distinct pharmacies the member used",
        member::member_distinct_pharmacies,
    ),
    spec(
        "member_ndc_count",
        Member,
        &[MEMBER_ID, NDC],
        "Distinct NDCs the member filled (strength switching)",
        member::member_ndc_count,
    ),
    // Provider level.
    spec(
        "provider_claim_count",
        Provider,
        &[PROVIDER_ID],
        "The provider's number of claims",
        provider::provider_claim_count,
    ),
    spec(
        "provider_volume_ratio",
        Provider,
        &[PROVIDER_ID],
        "The provider's number of claims over the median provider's (volume outliers)",
        provider::provider_volume_ratio,
    ),
    spec(
        "provider_allowed_vs_peer",
        Provider,
        &[PROVIDER_ID, ALLOWED_AMOUNT, PROCEDURE_CODE],
        "Mean over the provider's claims of allowed_vs_procedure_mean",
        provider::provider_allowed_vs_peer,
    ),
    spec(
        "provider_cost_vs_diagnosis_peer",
        Provider,
        &[PROVIDER_ID, ALLOWED_AMOUNT, DIAGNOSIS_CODE],
        "Mean over the provider's claims of allowed_vs_diagnosis_mean",
        provider::provider_cost_vs_diagnosis_peer,
    ),
    spec(
        "provider_top_member_share",
        Provider,
        &[PROVIDER_ID, MEMBER_ID],
        "Share of the provider's claims from its single biggest member (patient farming)",
        provider::provider_top_member_share,
    ),
    spec(
        "provider_one_and_done_share",
        Provider,
        &[PROVIDER_ID, MEMBER_ID],
        "Share of the provider's members with exactly one claim from this provider",
        provider::provider_one_and_done_share,
    ),
    spec(
        "provider_weekend_share",
        Provider,
        &[PROVIDER_ID, SERVICE_DATE],
        "Share of the provider's claims dated on a weekend",
        provider::provider_weekend_share,
    ),
    spec(
        "provider_avg_benefit_per_patient",
        Provider,
        &[PROVIDER_ID, MEMBER_ID, BENEFIT_AMOUNT],
        "The provider's total benefit over its number of distinct members",
        provider::provider_avg_benefit_per_patient,
    ),
    spec(
        "provider_distinct_pharmacies",
        Provider,
        &[PROVIDER_ID, PHARMACY_ID],
        "Distinct pharmacies that filled the provider's claims",
        provider::provider_distinct_pharmacies,
    ),
    // Pharmacy level.
    spec(
        "pharmacy_claim_count",
        Pharmacy,
        &[PHARMACY_ID],
        "The pharmacy's number of claims",
        pharmacy::pharmacy_claim_count,
    ),
    spec(
        "pharmacy_reject_rate",
        Pharmacy,
        &[PHARMACY_ID, REJECT_CODE],
        "Share of the pharmacy's claims with a reject code",
        pharmacy::pharmacy_reject_rate,
    ),
    spec(
        "pharmacy_paper_rate",
        Pharmacy,
        &[PHARMACY_ID, PAPER_SUBMISSION],
        "Share of the pharmacy's claims submitted on paper",
        pharmacy::pharmacy_paper_rate,
    ),
    spec(
        "pharmacy_prescriber_concentration",
        Pharmacy,
        &[PHARMACY_ID, PROVIDER_ID],
        "Share of the pharmacy's claims from its top prescriber (prescriber-driven ring)",
        pharmacy::pharmacy_prescriber_concentration,
    ),
    spec(
        "pharmacy_one_and_done_pct",
        Pharmacy,
        &[PHARMACY_ID, MEMBER_ID],
        "Share of the pharmacy's patients with exactly one claim overall (churn and burn)",
        pharmacy::pharmacy_one_and_done_pct,
    ),
    spec(
        "pharmacy_avg_benefit",
        Pharmacy,
        &[PHARMACY_ID, BENEFIT_AMOUNT],
        "Mean benefit amount of the pharmacy's claims",
        pharmacy::pharmacy_avg_benefit,
    ),
    spec(
        "pharmacy_fraud_risk_score",
        Pharmacy,
        &[PHARMACY_ID, REJECT_CODE, PAPER_SUBMISSION, PROVIDER_ID, MEMBER_ID],
        "0.25 reject rate + 0.20 paper rate + 0.30 prescriber concentration + 0.25 one-and-done share",
        pharmacy::pharmacy_fraud_risk_score,
    ),
];
