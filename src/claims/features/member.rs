//! Member-level features: how many claims, providers, pharmacies and drugs a member has,
//! how their claims spread over time, and what they were paid; broadcast to every claim of
//! the member.

use super::groups::{as_numbers, broadcast, flag, group_sums, ratio, Pairs};
use super::inputs::{Inputs, SharedValues};
use super::timeline::Visit;

/// `member_claim_count`.
pub(crate) fn member_claim_count(inputs: &Inputs<'_>) -> Option<Vec<f64>> {
    claim_counts(inputs).map(<[f64]>::to_vec)
}

/// The shared claim count of each row's member.
pub(crate) fn claim_counts<'i>(inputs: &'i Inputs<'_>) -> Option<&'i [f64]> {
    inputs.shared(SharedValues::MemberClaimCount, |inputs| {
        let sizes = as_numbers(inputs.member_sizes()?);
        Some(broadcast(inputs.member.as_ref()?, &sizes))
    })
}

/// `member_one_and_done`: 1 if the member has exactly one claim.
pub(crate) fn member_one_and_done(inputs: &Inputs<'_>) -> Option<Vec<f64>> {
    let counts = claim_counts(inputs)?;
    Some(counts.iter().map(|&count| if count.is_nan() { f64::NAN } else { flag(count == 1.0) }).collect())
}

/// `member_distinct_providers`.
pub(crate) fn member_distinct_providers(inputs: &Inputs<'_>) -> Option<Vec<f64>> {
    let per_member = as_numbers(&inputs.provider_members()?.pairs_per_second());
    Some(broadcast(inputs.member.as_ref()?, &per_member))
}

/// `member_distinct_pharmacies`.
pub(crate) fn member_distinct_pharmacies(inputs: &Inputs<'_>) -> Option<Vec<f64>> {
    let per_member = as_numbers(&inputs.pharmacy_members()?.pairs_per_second());
    Some(broadcast(inputs.member.as_ref()?, &per_member))
}

/// `member_ndc_count`: distinct NDCs the member filled.
pub(crate) fn member_ndc_count(inputs: &Inputs<'_>) -> Option<Vec<f64>> {
    let member = inputs.member.as_ref()?;
    let pairs = Pairs::count(member, inputs.ndc.as_ref()?);
    Some(broadcast(member, &as_numbers(&pairs.pairs_per_first(|_, _| true))))
}

/// `member_total_paid`: the sum of the member's paid amounts (NaN if none is known).
pub(crate) fn member_total_paid(inputs: &Inputs<'_>) -> Option<Vec<f64>> {
    let member = inputs.member.as_ref()?;
    let (sums, counts) = group_sums(member, &inputs.paid.as_ref()?.values());
    let totals: Vec<f64> =
        sums.iter().zip(&counts).map(|(&sum, &count)| if count == 0 { f64::NAN } else { sum }).collect();
    Some(broadcast(member, &totals))
}

/// `member_active_days`: days from the member's first to last dated claim.
pub(crate) fn member_active_days(inputs: &Inputs<'_>) -> Option<Vec<f64>> {
    let spans = dated_spans(inputs)?;
    let per_member: Vec<f64> =
        spans.iter().map(|span| span.map_or(f64::NAN, |(first, last, _)| last - first)).collect();
    Some(broadcast(inputs.member.as_ref()?, &per_member))
}

/// `member_mean_gap_days`: the mean gap between the member's consecutive dated claims
/// (NaN with fewer than two).
pub(crate) fn member_mean_gap_days(inputs: &Inputs<'_>) -> Option<Vec<f64>> {
    let spans = dated_spans(inputs)?;
    let per_member: Vec<f64> = spans
        .iter()
        .map(|span| span.map_or(f64::NAN, |(first, last, dated)| ratio(last - first, dated - 1.0)))
        .collect();
    Some(broadcast(inputs.member.as_ref()?, &per_member))
}

/// Per member: the first and last day and the number of dated claims, if any is dated.
fn dated_spans(inputs: &Inputs<'_>) -> Option<Vec<Option<(f64, f64, f64)>>> {
    let day = |visit: Option<&Visit>| visit.map(|visit| f64::from(visit.day));
    let spans = inputs
        .timeline()?
        .members()
        .map(|visits| Some((day(visits.first())?, day(visits.last())?, visits.len() as f64)))
        .collect();
    Some(spans)
}
