//! Pharmacy-level features: volume, reject and paper rates, prescriber concentration,
//! one-and-done patients, average benefit and the composite fraud risk score; broadcast to
//! every claim of the pharmacy.

use super::groups::{as_numbers, broadcast, flag, group_means, group_sizes, shares, value_at};
use super::inputs::{Inputs, SharedValues};

/// Weight of the reject rate in the pharmacy fraud risk score (`pharmacy_fraud_risk_score`).
pub const RISK_WEIGHT_REJECT_RATE: f64 = 0.25;

/// Weight of the paper submission rate in the pharmacy fraud risk score.
pub const RISK_WEIGHT_PAPER_RATE: f64 = 0.20;

/// Weight of the prescriber concentration in the pharmacy fraud risk score.
pub const RISK_WEIGHT_PRESCRIBER_CONCENTRATION: f64 = 0.30;

/// Weight of the one-and-done patient share in the pharmacy fraud risk score.
pub const RISK_WEIGHT_ONE_AND_DONE: f64 = 0.25;

/// `pharmacy_claim_count`.
pub(crate) fn pharmacy_claim_count(inputs: &Inputs<'_>) -> Option<Vec<f64>> {
    let sizes = as_numbers(&group_sizes(inputs.pharmacy.as_ref()?));
    per_claim(inputs, &sizes)
}

/// `pharmacy_reject_rate`.
pub(crate) fn pharmacy_reject_rate(inputs: &Inputs<'_>) -> Option<Vec<f64>> {
    per_claim(inputs, reject_rates(inputs)?)
}

/// `pharmacy_paper_rate`.
pub(crate) fn pharmacy_paper_rate(inputs: &Inputs<'_>) -> Option<Vec<f64>> {
    per_claim(inputs, paper_rates(inputs)?)
}

/// `pharmacy_prescriber_concentration`.
pub(crate) fn pharmacy_prescriber_concentration(inputs: &Inputs<'_>) -> Option<Vec<f64>> {
    per_claim(inputs, prescriber_concentrations(inputs)?)
}

/// `pharmacy_one_and_done_pct`.
pub(crate) fn pharmacy_one_and_done_pct(inputs: &Inputs<'_>) -> Option<Vec<f64>> {
    per_claim(inputs, one_and_done_shares(inputs)?)
}

/// `pharmacy_avg_benefit`.
pub(crate) fn pharmacy_avg_benefit(inputs: &Inputs<'_>) -> Option<Vec<f64>> {
    per_claim(inputs, &group_means(inputs.pharmacy.as_ref()?, &inputs.benefit.as_ref()?.values()))
}

/// `pharmacy_fraud_risk_score`: the weighted sum of the four rates (NaN if any is unknown).
pub(crate) fn pharmacy_fraud_risk_score(inputs: &Inputs<'_>) -> Option<Vec<f64>> {
    let rejects = reject_rates(inputs)?;
    let papers = paper_rates(inputs)?;
    let concentrations = prescriber_concentrations(inputs)?;
    let one_and_done = one_and_done_shares(inputs)?;
    let scores: Vec<f64> = (0..rejects.len())
        .map(|pharmacy| {
            RISK_WEIGHT_REJECT_RATE * value_at(rejects, pharmacy)
                + RISK_WEIGHT_PAPER_RATE * value_at(papers, pharmacy)
                + RISK_WEIGHT_PRESCRIBER_CONCENTRATION * value_at(concentrations, pharmacy)
                + RISK_WEIGHT_ONE_AND_DONE * value_at(one_and_done, pharmacy)
        })
        .collect();
    per_claim(inputs, &scores)
}

/// Per pharmacy, the share of its claims with a non-empty reject code.
fn reject_rates<'i>(inputs: &'i Inputs<'_>) -> Option<&'i [f64]> {
    inputs.shared(SharedValues::PharmacyRejectRate, |inputs| {
        let reject = inputs.reject.as_ref()?;
        let rejected_level = reject.per_level(|text| flag(!text.trim().is_empty()));
        let rejected: Vec<f64> = reject
            .keys()
            .codes()
            .iter()
            .map(|&code| rejected_level.get(code as usize).copied().unwrap_or(0.0))
            .collect();
        Some(group_means(inputs.pharmacy.as_ref()?, &rejected))
    })
}

/// Per pharmacy, the share of its claims (with a known flag) submitted on paper.
fn paper_rates<'i>(inputs: &'i Inputs<'_>) -> Option<&'i [f64]> {
    inputs.shared(SharedValues::PharmacyPaperRate, |inputs| {
        let on_paper: Vec<f64> = inputs
            .paper
            .as_ref()?
            .values()
            .iter()
            .map(|&value| if value.is_finite() { flag(value != 0.0) } else { f64::NAN })
            .collect();
        Some(group_means(inputs.pharmacy.as_ref()?, &on_paper))
    })
}

/// Per pharmacy, the share of its claims (with a known prescriber) from its top prescriber.
fn prescriber_concentrations<'i>(inputs: &'i Inputs<'_>) -> Option<&'i [f64]> {
    inputs.shared(SharedValues::PharmacyPrescriberConcentration, |inputs| {
        let (rows, largest) = inputs.pharmacy_providers()?.rows_and_largest_per_first();
        Some(shares(&largest, &rows))
    })
}

/// Per pharmacy, the share of its patients with exactly one claim in the whole table.
fn one_and_done_shares<'i>(inputs: &'i Inputs<'_>) -> Option<&'i [f64]> {
    inputs.shared(SharedValues::PharmacyOneAndDone, |inputs| {
        let claims_per_member = inputs.member_sizes()?;
        let pairs = inputs.pharmacy_members()?;
        let once = pairs.pairs_per_first(|member, _| claims_per_member.get(member as usize) == Some(&1));
        let patients = pairs.pairs_per_first(|_, _| true);
        Some(shares(&once, &patients))
    })
}

/// A per-pharmacy value on each claim of the pharmacy.
fn per_claim(inputs: &Inputs<'_>, per_pharmacy: &[f64]) -> Option<Vec<f64>> {
    Some(broadcast(inputs.pharmacy.as_ref()?, per_pharmacy))
}
