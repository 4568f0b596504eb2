//! Claim-level features from codes: cross-state fills, government payers, high-risk
//! reject codes, and quantities or days supplies unusual for the NDC.

use crate::claims::schema::names::NDC;
use crate::hashing::KeyedMap;

use super::groups::{broadcast, flag, intern, number_key, value_at, Pairs};
use super::inputs::{Inputs, Texts};
use super::peers::{GroupValue, PeerKind};

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
    less_common_than_mode(inputs, PeerKind::QuantityModesByNdc, &inputs.quantity.as_ref()?.values())
}

/// `days_supply_anomaly`.
pub(crate) fn days_supply_anomaly(inputs: &Inputs<'_>) -> Option<Vec<f64>> {
    less_common_than_mode(inputs, PeerKind::DaysSupplyModesByNdc, &inputs.days_supply.as_ref()?.values())
}

/// The most modes a group's recorded statistic lists; a group whose values tie more ways
/// than this has no usual value, and nothing in it is flagged.
const MAX_RECORDED_MODES: usize = 32;

/// 1 if a row's value is rarer within its NDC than the NDC's most common value, 0 if it is
/// (one of) the most common; NaN if the NDC or the value is missing. With a recorded
/// population, a known NDC's modes are the population's.
fn less_common_than_mode(inputs: &Inputs<'_>, kind: PeerKind, values: &[f64]) -> Option<Vec<f64>> {
    let groups = inputs.ndc.as_ref()?;
    let (value_keys, distinct) = intern(values.iter().map(|&value| number_key(value)));
    let pairs = Pairs::count_with_rows(groups, &value_keys);
    let (_, largest) = pairs.pairs.rows_and_largest_per_first();
    let mode_count = |row: usize| groups.group_of(row).and_then(|group| largest.get(group)).map(|&c| f64::from(c));
    let own = (0..inputs.n_rows()).map(|row| match (pairs.count_of_row(row), mode_count(row)) {
        (count, Some(mode)) if !count.is_nan() => flag(count < mode),
        _ => f64::NAN,
    });
    let own_modes = || {
        let mut per_group = vec![GroupValue::default(); groups.n_groups()];
        let counted = pairs.pairs.first.iter().zip(&pairs.pairs.second).zip(&pairs.pairs.count);
        for ((&first, &second), &count) in counted {
            let is_mode = largest.get(first as usize) == Some(&count);
            if let (Some(group), Some(&bits), true) =
                (per_group.get_mut(first as usize), distinct.get(second as usize), is_mode)
            {
                group.values.push(f64::from_bits(bits));
            }
        }
        for group in &mut per_group {
            group.values.sort_unstable_by(f64::total_cmp);
            if group.values.len() > MAX_RECORDED_MODES {
                group.values.clear();
            }
        }
        per_group
    };
    let Some(modes) = inputs.peer_values(kind, (NDC, groups), own_modes) else { return Some(own.collect()) };
    Some(
        (0..inputs.n_rows())
            .map(|row| {
                let value = value_at(values, row);
                match groups.group_of(row).and_then(|group| modes.get(group)) {
                    Some(group) if number_key(value).is_some() => {
                        let usual = group.values.iter().any(|&mode| number_key(mode) == number_key(value));
                        flag(!usual && !group.values.is_empty())
                    }
                    _ => f64::NAN,
                }
            })
            .collect(),
    )
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
