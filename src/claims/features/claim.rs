//! Claim-level features from the claim alone or its peers: the weekday, ratios to the
//! procedure's and diagnosis' means, demographic plausibility, population z-scores and the
//! benefit ratio.

use std::collections::BTreeMap;

use crate::claims::schema::names::{DIAGNOSIS_CODE, MEMBER_GENDER, PROCEDURE_CODE};
use crate::claims::table::weekday;

use super::groups::{
    as_numbers, broadcast, day_at, flag, group_mean_sd, group_means, group_quantiles, ratio, value_at, zscore, Keys,
    Pairs,
};
use super::inputs::{Inputs, SharedValues};
use super::peers::{GroupValue, PeerKind};

/// Days of the week (0 = Monday) that count as the weekend.
const WEEKEND_DAYS: [u32; 2] = [5, 6];

/// `is_weekend`: 1 if the service date is a Saturday or Sunday.
pub(crate) fn is_weekend(inputs: &Inputs<'_>) -> Option<Vec<f64>> {
    weekend(inputs).map(<[f64]>::to_vec)
}

/// The shared weekend flag of each row.
pub(crate) fn weekend<'i>(inputs: &'i Inputs<'_>) -> Option<&'i [f64]> {
    inputs.shared(SharedValues::Weekend, |inputs| {
        let days = inputs.days.as_deref()?;
        Some(
            (0..inputs.n_rows())
                .map(|row| day_at(days, row).map_or(f64::NAN, |day| flag(WEEKEND_DAYS.contains(&weekday(day)))))
                .collect(),
        )
    })
}

/// `allowed_vs_procedure_mean`.
pub(crate) fn allowed_vs_procedure_mean(inputs: &Inputs<'_>) -> Option<Vec<f64>> {
    allowed_vs_procedure(inputs).map(<[f64]>::to_vec)
}

/// The shared ratio of each claim's allowed amount to its procedure's mean.
pub(crate) fn allowed_vs_procedure<'i>(inputs: &'i Inputs<'_>) -> Option<&'i [f64]> {
    inputs.shared(SharedValues::AllowedVsProcedure, |inputs| {
        let procedure = (PROCEDURE_CODE, inputs.procedure.as_ref()?);
        Some(ratio_to_peer_mean(
            inputs,
            PeerKind::AllowedMeanByProcedure,
            procedure,
            &inputs.allowed.as_ref()?.values(),
        ))
    })
}

/// The quantile of a procedure's allowed amounts that `allowed_vs_procedure_p99` divides by.
pub const PROCEDURE_AMOUNT_QUANTILE: f64 = 0.99;

/// `allowed_vs_procedure_p99`: allowed amount over the 99th percentile of the allowed
/// amounts of the same procedure code (above 1 = in the procedure's top 1%).
pub(crate) fn allowed_vs_procedure_p99(inputs: &Inputs<'_>) -> Option<Vec<f64>> {
    let procedure = inputs.procedure.as_ref()?;
    let allowed = &inputs.allowed.as_ref()?.values();
    let own = group_quantiles(procedure, allowed, PROCEDURE_AMOUNT_QUANTILE);
    let per_group =
        inputs.peer_numbers(PeerKind::AllowedQuantileByProcedure, Some((PROCEDURE_CODE, procedure)), 1, own);
    let p99 = broadcast(procedure, &per_group);
    Some(allowed.iter().zip(&p99).map(|(&value, &top)| ratio(value, top)).collect())
}

/// `units_vs_procedure_mean`.
pub(crate) fn units_vs_procedure_mean(inputs: &Inputs<'_>) -> Option<Vec<f64>> {
    let procedure = (PROCEDURE_CODE, inputs.procedure.as_ref()?);
    Some(ratio_to_peer_mean(inputs, PeerKind::UnitsMeanByProcedure, procedure, &inputs.units.as_ref()?.values()))
}

/// `allowed_vs_diagnosis_mean`.
pub(crate) fn allowed_vs_diagnosis_mean(inputs: &Inputs<'_>) -> Option<Vec<f64>> {
    allowed_vs_diagnosis(inputs).map(<[f64]>::to_vec)
}

/// The shared ratio of each claim's allowed amount to its diagnosis' mean.
pub(crate) fn allowed_vs_diagnosis<'i>(inputs: &'i Inputs<'_>) -> Option<&'i [f64]> {
    inputs.shared(SharedValues::AllowedVsDiagnosis, |inputs| {
        let diagnosis = (DIAGNOSIS_CODE, inputs.diagnosis.as_ref()?);
        Some(ratio_to_peer_mean(
            inputs,
            PeerKind::AllowedMeanByDiagnosis,
            diagnosis,
            &inputs.allowed.as_ref()?.values(),
        ))
    })
}

/// `procedure_sex_share`: the share of the procedure's claims (with a known sex) billed
/// for this claim's sex.
pub(crate) fn procedure_sex_share(inputs: &Inputs<'_>) -> Option<Vec<f64>> {
    let procedure = inputs.procedure.as_ref()?;
    let gender = inputs.gender.as_ref()?;
    let pairs = Pairs::count_with_rows(procedure, gender);
    let (known_sex_rows, _) = pairs.pairs.rows_and_largest_per_first();
    let per_procedure = broadcast(procedure, &as_numbers(&known_sex_rows));
    let own = (0..inputs.n_rows()).map(|row| ratio(pairs.count_of_row(row), value_at(&per_procedure, row)));
    let sexes = || inputs.group_texts(MEMBER_GENDER);
    let own_shares = || {
        let sexes = sexes();
        let mut per_group = vec![GroupValue::default(); procedure.n_groups()];
        let counted = pairs.pairs.first.iter().zip(&pairs.pairs.second).zip(&pairs.pairs.count);
        for ((&first, &second), &count) in counted {
            let whole = known_sex_rows.get(first as usize).map_or(f64::NAN, |&whole| f64::from(whole));
            if let (Some(group), Some(sex)) = (per_group.get_mut(first as usize), sexes.get(second as usize)) {
                group.labels.push(sex.clone());
                group.values.push(ratio(f64::from(count), whole));
            }
        }
        per_group
    };
    let Some(shares) = inputs.peer_values(PeerKind::SexShareByProcedure, (PROCEDURE_CODE, procedure), own_shares)
    else {
        return Some(own.collect());
    };
    // Each row reads its sex's share in its procedure's group: 0 for a sex the group never had.
    let sexes = sexes();
    let mut share_of: BTreeMap<(usize, &str), f64> = BTreeMap::new();
    for (group, value) in shares.iter().enumerate() {
        for (label, &share) in value.labels.iter().zip(&value.values) {
            share_of.entry((group, label.as_str())).or_insert(share);
        }
    }
    Some(
        (0..inputs.n_rows())
            .map(|row| match (procedure.group_of(row), gender.group_of(row).and_then(|sex| sexes.get(sex))) {
                (Some(group), Some(sex)) => share_of.get(&(group, sex.as_str())).copied().unwrap_or(0.0),
                _ => f64::NAN,
            })
            .collect(),
    )
}

/// `procedure_age_zscore`: the member's age against the ages of the procedure's claims.
pub(crate) fn procedure_age_zscore(inputs: &Inputs<'_>) -> Option<Vec<f64>> {
    let procedure = inputs.procedure.as_ref()?;
    let ages = &inputs.age.as_ref()?.values();
    let (means, sds) = group_mean_sd(procedure, ages);
    let own: Vec<f64> = means.iter().zip(&sds).flat_map(|(&mean, &sd)| [mean, sd]).collect();
    let per_group = inputs.peer_numbers(PeerKind::AgeByProcedure, Some((PROCEDURE_CODE, procedure)), 2, own);
    let of_group = |row: usize, idx: usize| {
        procedure.group_of(row).and_then(|group| per_group.get(2 * group + idx)).copied().unwrap_or(f64::NAN)
    };
    Some((0..inputs.n_rows()).map(|row| zscore(value_at(ages, row), of_group(row, 0), of_group(row, 1))).collect())
}

/// `benefit_zscore`.
pub(crate) fn benefit_zscore(inputs: &Inputs<'_>) -> Option<Vec<f64>> {
    Some(population_zscores(inputs, PeerKind::Benefit, &inputs.benefit.as_ref()?.values()))
}

/// `out_of_pocket_zscore`.
pub(crate) fn out_of_pocket_zscore(inputs: &Inputs<'_>) -> Option<Vec<f64>> {
    Some(population_zscores(inputs, PeerKind::OutOfPocket, &inputs.out_of_pocket.as_ref()?.values()))
}

/// `benefit_ratio`: benefit over billed amount.
pub(crate) fn benefit_ratio(inputs: &Inputs<'_>) -> Option<Vec<f64>> {
    let benefit = &inputs.benefit.as_ref()?.values();
    let billed = &inputs.billed.as_ref()?.values();
    Some((0..inputs.n_rows()).map(|row| ratio(value_at(benefit, row), value_at(billed, row))).collect())
}

/// Each row's value over its group's mean value (its peers' mean: see [`Inputs::peer_numbers`]).
fn ratio_to_peer_mean(
    inputs: &Inputs<'_>,
    kind: PeerKind,
    (column, keys): (&str, &Keys<'_>),
    values: &[f64],
) -> Vec<f64> {
    let means = inputs.peer_numbers(kind, Some((column, keys)), 1, group_means(keys, values));
    let means = broadcast(keys, &means);
    values.iter().zip(&means).map(|(&value, &mean)| ratio(value, mean)).collect()
}

/// Z-scores against the mean and population standard deviation of the finite values (or of
/// the recorded population's).
fn population_zscores(inputs: &Inputs<'_>, kind: PeerKind, values: &[f64]) -> Vec<f64> {
    // Summed in ascending order, so the row order does not matter.
    let mut finite: Vec<f64> = values.iter().copied().filter(|value| value.is_finite()).collect();
    finite.sort_unstable_by(f64::total_cmp);
    let count = finite.len() as f64;
    let mean = ratio(finite.iter().sum(), count);
    let sd = ratio(finite.iter().map(|value| (value - mean) * (value - mean)).sum(), count).sqrt();
    let peers = inputs.peer_numbers(kind, None, 2, vec![mean, sd]);
    let (mean, sd) = (value_at(&peers, 0), value_at(&peers, 1));
    values.iter().map(|&value| zscore(value, mean, sd)).collect()
}
