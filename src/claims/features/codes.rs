//! Claim-level features from codes: cross-state fills, government payers, high-risk
//! reject codes, and quantities or days supplies unusual for the NDC.

use crate::hashing::KeyedMap;

use super::groups::{broadcast, flag, intern, number_key, value_at, Keys, Pairs};
use super::inputs::{Inputs, Texts};

/// NCPDP reject codes that signal benefit maximizers or DUR problems.
pub const HIGH_RISK_REJECT_CODES: [&str; 3] = ["76", "88", "79"];

/// Government payer types, whose members a copay program may not cover (compared
/// ignoring case and surrounding spaces).
pub const GOVERNMENT_PAYERS: [&str; 4] = ["Medicare", "Medicaid", "Tricare", "VA"];

/// `cross_state`: 1 if the member's and the pharmacy's states differ (ignoring case).
pub(crate) fn cross_state(inputs: &Inputs<'_>) -> Option<Vec<f64>> {
    let member = inputs.member_state.as_ref()?;
    let pharmacy = inputs.pharmacy_state.as_ref()?;
    let mut ids: KeyedMap<String, usize> = KeyedMap::default();
    let member_ids = state_ids(member, &mut ids);
    let pharmacy_ids = state_ids(pharmacy, &mut ids);
    let id = |ids: &[Option<usize>], texts: &Texts<'_>, row: usize| {
        texts.keys().group_of(row).and_then(|code| ids.get(code).copied().flatten())
    };
    Some(
        (0..inputs.n_rows())
            .map(|row| match (id(&member_ids, member, row), id(&pharmacy_ids, pharmacy, row)) {
                (Some(lives), Some(fills)) => flag(lives != fills),
                _ => f64::NAN,
            })
            .collect(),
    )
}

/// `govt_payer`: 1 if the payer type is one of [`GOVERNMENT_PAYERS`].
pub(crate) fn govt_payer(inputs: &Inputs<'_>) -> Option<Vec<f64>> {
    let payer = inputs.payer.as_ref()?;
    let per_level = payer.per_level(|text| {
        let text = text.trim();
        if text.is_empty() {
            f64::NAN
        } else {
            flag(GOVERNMENT_PAYERS.iter().any(|govt| govt.eq_ignore_ascii_case(text)))
        }
    });
    Some(broadcast(payer.keys(), &per_level))
}

/// `high_risk_reject`: 1 if the reject code is one of [`HIGH_RISK_REJECT_CODES`]; a paid
/// claim (empty reject code) is 0.
pub(crate) fn high_risk_reject(inputs: &Inputs<'_>) -> Option<Vec<f64>> {
    let reject = inputs.reject.as_ref()?;
    let per_level = reject.per_level(|text| flag(HIGH_RISK_REJECT_CODES.contains(&text.trim())));
    Some(
        (0..inputs.n_rows())
            .map(|row| reject.keys().group_of(row).map_or(0.0, |code| value_at(&per_level, code)))
            .collect(),
    )
}

/// `quantity_anomaly`.
pub(crate) fn quantity_anomaly(inputs: &Inputs<'_>) -> Option<Vec<f64>> {
    Some(less_common_than_mode(inputs.ndc.as_ref()?, &inputs.quantity.as_ref()?.values(), inputs.n_rows()))
}

/// `days_supply_anomaly`.
pub(crate) fn days_supply_anomaly(inputs: &Inputs<'_>) -> Option<Vec<f64>> {
    Some(less_common_than_mode(inputs.ndc.as_ref()?, &inputs.days_supply.as_ref()?.values(), inputs.n_rows()))
}

/// 1 if a row's value is rarer within its group than the group's most common value, 0 if
/// it is (one of) the most common; NaN if the group or the value is missing.
fn less_common_than_mode(groups: &Keys<'_>, values: &[f64], n_rows: usize) -> Vec<f64> {
    let (value_keys, _) = intern(values.iter().map(|&value| number_key(value)));
    let pairs = Pairs::count_with_rows(groups, &value_keys);
    let (_, largest) = pairs.pairs.rows_and_largest_per_first();
    let mode_count = |row: usize| groups.group_of(row).and_then(|group| largest.get(group)).map(|&c| f64::from(c));
    (0..n_rows)
        .map(|row| match (pairs.count_of_row(row), mode_count(row)) {
            (count, Some(mode)) if !count.is_nan() => flag(count < mode),
            _ => f64::NAN,
        })
        .collect()
}

/// A shared id per level, by its trimmed upper-case text (None when blank).
fn state_ids(texts: &Texts<'_>, ids: &mut KeyedMap<String, usize>) -> Vec<Option<usize>> {
    let normalized = texts.per_level(|text| Some(text.trim().to_ascii_uppercase()).filter(|t| !t.is_empty()));
    normalized
        .into_iter()
        .map(|text| {
            let text = text?;
            let next = ids.len();
            Some(*ids.entry(text).or_insert(next))
        })
        .collect()
}
