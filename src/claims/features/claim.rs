//! Claim-level features from the claim alone or its peers: the weekday, ratios to the
//! procedure's and diagnosis' means, demographic plausibility, population z-scores and the
//! benefit ratio.

use crate::claims::table::weekday;

use super::groups::{
    as_numbers, broadcast, day_at, flag, group_mean_sd, group_means, group_quantiles, ratio, value_at, zscore, Keys,
    Pairs,
};
use super::inputs::{Inputs, SharedValues};

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
        Some(ratio_to_group_mean(inputs.procedure.as_ref()?, &inputs.allowed.as_ref()?.values()))
    })
}

/// The quantile of a procedure's allowed amounts that `allowed_vs_procedure_p99` divides by.
pub const PROCEDURE_AMOUNT_QUANTILE: f64 = 0.99;

/// `allowed_vs_procedure_p99`: allowed amount over the 99th percentile of the allowed
/// amounts of the same procedure code (above 1 = in the procedure's top 1%).
pub(crate) fn allowed_vs_procedure_p99(inputs: &Inputs<'_>) -> Option<Vec<f64>> {
    let procedure = inputs.procedure.as_ref()?;
    let allowed = &inputs.allowed.as_ref()?.values();
    let p99 = broadcast(procedure, &group_quantiles(procedure, allowed, PROCEDURE_AMOUNT_QUANTILE));
    Some(allowed.iter().zip(&p99).map(|(&value, &top)| ratio(value, top)).collect())
}

/// `units_vs_procedure_mean`.
pub(crate) fn units_vs_procedure_mean(inputs: &Inputs<'_>) -> Option<Vec<f64>> {
    Some(ratio_to_group_mean(inputs.procedure.as_ref()?, &inputs.units.as_ref()?.values()))
}

/// `allowed_vs_diagnosis_mean`.
pub(crate) fn allowed_vs_diagnosis_mean(inputs: &Inputs<'_>) -> Option<Vec<f64>> {
    allowed_vs_diagnosis(inputs).map(<[f64]>::to_vec)
}

/// The shared ratio of each claim's allowed amount to its diagnosis' mean.
pub(crate) fn allowed_vs_diagnosis<'i>(inputs: &'i Inputs<'_>) -> Option<&'i [f64]> {
    inputs.shared(SharedValues::AllowedVsDiagnosis, |inputs| {
        Some(ratio_to_group_mean(inputs.diagnosis.as_ref()?, &inputs.allowed.as_ref()?.values()))
    })
}

/// `procedure_sex_share`: the share of the procedure's claims (with a known sex) billed
/// for this claim's sex.
pub(crate) fn procedure_sex_share(inputs: &Inputs<'_>) -> Option<Vec<f64>> {
    let procedure = inputs.procedure.as_ref()?;
    let pairs = Pairs::count_with_rows(procedure, inputs.gender.as_ref()?);
    let (known_sex_rows, _) = pairs.pairs.rows_and_largest_per_first();
    let per_procedure = broadcast(procedure, &as_numbers(&known_sex_rows));
    Some(per_procedure.iter().enumerate().map(|(row, &whole)| ratio(pairs.count_of_row(row), whole)).collect())
}

/// `procedure_age_zscore`: the member's age against the ages of the procedure's claims.
pub(crate) fn procedure_age_zscore(inputs: &Inputs<'_>) -> Option<Vec<f64>> {
    let procedure = inputs.procedure.as_ref()?;
    let ages = &inputs.age.as_ref()?.values();
    let (means, sds) = group_mean_sd(procedure, ages);
    let (means, sds) = (broadcast(procedure, &means), broadcast(procedure, &sds));
    Some(
        (0..inputs.n_rows())
            .map(|row| zscore(value_at(ages, row), value_at(&means, row), value_at(&sds, row)))
            .collect(),
    )
}

/// `benefit_zscore`.
pub(crate) fn benefit_zscore(inputs: &Inputs<'_>) -> Option<Vec<f64>> {
    Some(population_zscores(&inputs.benefit.as_ref()?.values()))
}

/// `out_of_pocket_zscore`.
pub(crate) fn out_of_pocket_zscore(inputs: &Inputs<'_>) -> Option<Vec<f64>> {
    Some(population_zscores(&inputs.out_of_pocket.as_ref()?.values()))
}

/// `benefit_ratio`: benefit over billed amount.
pub(crate) fn benefit_ratio(inputs: &Inputs<'_>) -> Option<Vec<f64>> {
    let benefit = &inputs.benefit.as_ref()?.values();
    let billed = &inputs.billed.as_ref()?.values();
    Some((0..inputs.n_rows()).map(|row| ratio(value_at(benefit, row), value_at(billed, row))).collect())
}

/// Each row's value over its group's mean value.
fn ratio_to_group_mean(keys: &Keys<'_>, values: &[f64]) -> Vec<f64> {
    let means = broadcast(keys, &group_means(keys, values));
    values.iter().zip(&means).map(|(&value, &mean)| ratio(value, mean)).collect()
}

/// Z-scores against the mean and population standard deviation of the finite values.
fn population_zscores(values: &[f64]) -> Vec<f64> {
    let finite = || values.iter().copied().filter(|value| value.is_finite());
    let count = finite().count() as f64;
    let mean = ratio(finite().sum(), count);
    let sd = ratio(finite().map(|value| (value - mean) * (value - mean)).sum(), count).sqrt();
    values.iter().map(|&value| zscore(value, mean, sd)).collect()
}
