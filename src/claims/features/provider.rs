//! Provider-level features: volume, cost against procedure and diagnosis peers, patient
//! concentration and churn, weekend billing, benefit per patient and pharmacy reach;
//! broadcast to every claim of the provider.

use super::claim::{allowed_vs_diagnosis, allowed_vs_procedure, weekend};
use super::groups::{
    as_numbers, broadcast, group_means, group_sizes, group_sums, quantile_of_sorted, ratio, shares, value_at,
};
use super::inputs::Inputs;

/// `provider_claim_count`.
pub(crate) fn provider_claim_count(inputs: &Inputs<'_>) -> Option<Vec<f64>> {
    let sizes = as_numbers(&group_sizes(inputs.provider.as_ref()?));
    Some(broadcast(inputs.provider.as_ref()?, &sizes))
}

/// `provider_volume_ratio`: the provider's claim count over the median claim count of the
/// providers (above 10 = a volume outlier).
pub(crate) fn provider_volume_ratio(inputs: &Inputs<'_>) -> Option<Vec<f64>> {
    let provider = inputs.provider.as_ref()?;
    let sizes = group_sizes(provider);
    let mut counts: Vec<f64> = sizes.iter().filter(|&&size| size > 0).map(|&size| f64::from(size)).collect();
    counts.sort_unstable_by(f64::total_cmp);
    let median = quantile_of_sorted(&counts, 0.5);
    let ratios: Vec<f64> = sizes.iter().map(|&size| ratio(f64::from(size), median)).collect();
    Some(broadcast(provider, &ratios))
}

/// `provider_allowed_vs_peer`: the provider's mean `allowed_vs_procedure_mean`.
pub(crate) fn provider_allowed_vs_peer(inputs: &Inputs<'_>) -> Option<Vec<f64>> {
    provider_mean(inputs, allowed_vs_procedure(inputs)?)
}

/// `provider_cost_vs_diagnosis_peer`: the provider's mean `allowed_vs_diagnosis_mean`.
pub(crate) fn provider_cost_vs_diagnosis_peer(inputs: &Inputs<'_>) -> Option<Vec<f64>> {
    provider_mean(inputs, allowed_vs_diagnosis(inputs)?)
}

/// `provider_weekend_share`: the share of the provider's dated claims on a weekend.
pub(crate) fn provider_weekend_share(inputs: &Inputs<'_>) -> Option<Vec<f64>> {
    provider_mean(inputs, weekend(inputs)?)
}

/// `provider_top_member_share`: the share of the provider's claims (with a known member)
/// that come from its biggest member.
pub(crate) fn provider_top_member_share(inputs: &Inputs<'_>) -> Option<Vec<f64>> {
    let (rows, largest) = inputs.provider_members()?.rows_and_largest_per_first();
    Some(broadcast(inputs.provider.as_ref()?, &shares(&largest, &rows)))
}

/// `provider_one_and_done_share`: the share of the provider's members who have exactly one
/// claim with this provider.
pub(crate) fn provider_one_and_done_share(inputs: &Inputs<'_>) -> Option<Vec<f64>> {
    let pairs = inputs.provider_members()?;
    let once = pairs.pairs_per_first(|_, count| count == 1);
    let members = pairs.pairs_per_first(|_, _| true);
    Some(broadcast(inputs.provider.as_ref()?, &shares(&once, &members)))
}

/// `provider_avg_benefit_per_patient`: the benefit of the provider's claims with a known
/// member, over its number of distinct members.
pub(crate) fn provider_avg_benefit_per_patient(inputs: &Inputs<'_>) -> Option<Vec<f64>> {
    let provider = inputs.provider.as_ref()?;
    let member = inputs.member.as_ref()?;
    let benefit = &inputs.benefit.as_ref()?.values();
    let with_member: Vec<f64> = (0..inputs.n_rows())
        .map(|row| if member.group_of(row).is_some() { value_at(benefit, row) } else { f64::NAN })
        .collect();
    let (sums, counts) = group_sums(provider, &with_member);
    let members = inputs.provider_members()?.pairs_per_first(|_, _| true);
    let per_provider: Vec<f64> = sums
        .iter()
        .zip(&counts)
        .zip(&members)
        .map(|((&sum, &count), &members)| if count == 0 { f64::NAN } else { ratio(sum, f64::from(members)) })
        .collect();
    Some(broadcast(provider, &per_provider))
}

/// `provider_distinct_pharmacies`.
pub(crate) fn provider_distinct_pharmacies(inputs: &Inputs<'_>) -> Option<Vec<f64>> {
    let per_provider = as_numbers(&inputs.pharmacy_providers()?.pairs_per_second());
    Some(broadcast(inputs.provider.as_ref()?, &per_provider))
}

/// The provider's mean of a per-row value, on each of its rows.
fn provider_mean(inputs: &Inputs<'_>, values: &[f64]) -> Option<Vec<f64>> {
    let provider = inputs.provider.as_ref()?;
    Some(broadcast(provider, &group_means(provider, values)))
}
