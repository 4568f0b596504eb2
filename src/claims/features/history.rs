//! Claim-level features from the member's claim history: duplicate and same-day lines,
//! days since the previous claim, early refills, and fills in a trailing window.

use crate::claims::table::MISSING_CODE;

use super::groups::{flag, ratio};
use super::inputs::{Inputs, SharedValues};
use super::timeline::{write_run_lengths, Visit};

/// A fill less than this many days after the member's previous fill is an early refill.
pub const EARLY_REFILL_DAYS: i32 = 23;

/// The trailing window, in days and including the claim's own day, of `member_fills_90d`.
pub const FILL_WINDOW_DAYS: i32 = 90;

/// More fills than this within [`FILL_WINDOW_DAYS`] are excessive (stockpiling).
pub const EXCESSIVE_FILLS_IN_WINDOW: u32 = 4;

/// `duplicate_count`: lines with the same member, provider, procedure and date.
pub(crate) fn duplicate_count(inputs: &Inputs<'_>) -> Option<Vec<f64>> {
    inputs.provider.as_ref()?;
    inputs.procedure.as_ref()?;
    let same = |a: &Visit, b: &Visit| a.day == b.day && a.provider == b.provider && a.procedure == b.procedure;
    let counted = |visit: &Visit| visit.provider != MISSING_CODE && visit.procedure != MISSING_CODE;
    let mut out = vec![f64::NAN; inputs.n_rows()];
    for visits in inputs.timeline()?.members() {
        write_run_lengths(visits, same, counted, &mut out);
    }
    Some(out)
}

/// `member_same_day_lines`: lines with the same member and provider on the same date.
pub(crate) fn member_same_day_lines(inputs: &Inputs<'_>) -> Option<Vec<f64>> {
    inputs.provider.as_ref()?;
    let same = |a: &Visit, b: &Visit| a.day == b.day && a.provider == b.provider;
    let counted = |visit: &Visit| visit.provider != MISSING_CODE;
    let mut out = vec![f64::NAN; inputs.n_rows()];
    for visits in inputs.timeline()?.members() {
        write_run_lengths(visits, same, counted, &mut out);
    }
    Some(out)
}

/// `days_since_prev_service`.
pub(crate) fn days_since_prev_service(inputs: &Inputs<'_>) -> Option<Vec<f64>> {
    days_since_previous(inputs).map(<[f64]>::to_vec)
}

/// The shared gap of each dated claim to the member's previous service day (NaN on the
/// first). Claims of one day share their gap: which of them came "first" is only the file's
/// row order, so a same-day repeat is left to `member_same_day_lines` and `duplicate_count`.
pub(crate) fn days_since_previous<'i>(inputs: &'i Inputs<'_>) -> Option<&'i [f64]> {
    inputs.shared(SharedValues::DaysSincePrevious, |inputs| {
        let mut out = vec![f64::NAN; inputs.n_rows()];
        for visits in inputs.timeline()?.members() {
            let mut previous_day: Option<i32> = None;
            for day in visits.chunk_by(|a, b| a.day == b.day) {
                let Some(first) = day.first() else { continue };
                if let Some(previous_day) = previous_day {
                    for visit in day {
                        if let Some(slot) = out.get_mut(visit.row) {
                            *slot = f64::from(visit.day) - f64::from(previous_day);
                        }
                    }
                }
                previous_day = Some(first.day);
            }
        }
        Some(out)
    })
}

/// `early_refill`: 1 if the gap to the member's previous fill is under [`EARLY_REFILL_DAYS`].
pub(crate) fn early_refill(inputs: &Inputs<'_>) -> Option<Vec<f64>> {
    let gaps = days_since_previous(inputs)?;
    let early = f64::from(EARLY_REFILL_DAYS);
    Some(gaps.iter().map(|&gap| if gap.is_nan() { f64::NAN } else { flag(gap < early) }).collect())
}

/// `days_since_first_service`: days from the member's first dated claim to this one.
pub(crate) fn days_since_first_service(inputs: &Inputs<'_>) -> Option<Vec<f64>> {
    let mut out = vec![f64::NAN; inputs.n_rows()];
    for visits in inputs.timeline()?.members() {
        let Some(first) = visits.first() else { continue };
        for visit in visits {
            if let Some(slot) = out.get_mut(visit.row) {
                *slot = f64::from(visit.day) - f64::from(first.day);
            }
        }
    }
    Some(out)
}

/// `refill_supply_used`: days since the member's previous service day over the days supply
/// dispensed that day (the largest, when several claims share the day), so below 0.75 = refilled
/// before three quarters of the supply were used. Claims of one day all compare with the
/// previous day (a same-day repeat is `duplicate_count`'s and `member_same_day_lines`'), which
/// also keeps the value free of the file's row order. NaN on the member's first day or when
/// the previous day's supply is missing or not positive.
pub(crate) fn refill_supply_used(inputs: &Inputs<'_>) -> Option<Vec<f64>> {
    let supply = &inputs.days_supply.as_ref()?.values();
    let mut out = vec![f64::NAN; inputs.n_rows()];
    for visits in inputs.timeline()?.members() {
        let mut previous: Option<(i32, f64)> = None;
        for day in visits.chunk_by(|a, b| a.day == b.day) {
            let Some(first) = day.first() else { continue };
            if let Some((previous_day, previous_supply)) = previous.filter(|&(_, supply)| supply > 0.0) {
                for visit in day {
                    if let Some(slot) = out.get_mut(visit.row) {
                        *slot = ratio(f64::from(visit.day) - f64::from(previous_day), previous_supply);
                    }
                }
            }
            let largest = day
                .iter()
                .map(|visit| supply.get(visit.row).copied().unwrap_or(f64::NAN))
                .fold(f64::NAN, |largest, value| if value > largest || largest.is_nan() { value } else { largest });
            previous = Some((first.day, largest));
        }
    }
    Some(out)
}

/// `member_fills_90d`: the member's claims dated within the trailing window ending on this
/// claim's day, this one and all others of that day included.
pub(crate) fn member_fills_90d(inputs: &Inputs<'_>) -> Option<Vec<f64>> {
    fills_in_window(inputs).map(<[f64]>::to_vec)
}

/// The shared count of each dated claim's member's claims in the trailing window.
fn fills_in_window<'i>(inputs: &'i Inputs<'_>) -> Option<&'i [f64]> {
    inputs.shared(SharedValues::MemberFillsInWindow, |inputs| {
        let mut out = vec![f64::NAN; inputs.n_rows()];
        for visits in inputs.timeline()?.members() {
            let day = |index: usize| visits.get(index).map(|visit| i64::from(visit.day));
            let (mut start, mut end) = (0, 0);
            for visit in visits {
                let today = i64::from(visit.day);
                while day(end).is_some_and(|d| d <= today) {
                    end += 1;
                }
                let first_day = today - i64::from(FILL_WINDOW_DAYS) + 1;
                while day(start).is_some_and(|d| d < first_day) {
                    start += 1;
                }
                if let Some(slot) = out.get_mut(visit.row) {
                    *slot = end.saturating_sub(start) as f64;
                }
            }
        }
        Some(out)
    })
}

/// `excessive_fills`: 1 if `member_fills_90d` exceeds [`EXCESSIVE_FILLS_IN_WINDOW`].
pub(crate) fn excessive_fills(inputs: &Inputs<'_>) -> Option<Vec<f64>> {
    let limit = f64::from(EXCESSIVE_FILLS_IN_WINDOW);
    let fills = fills_in_window(inputs)?;
    Some(fills.iter().map(|&count| if count.is_nan() { f64::NAN } else { flag(count > limit) }).collect())
}
