//! Ordering summaries: the sort keys of the entity table, and the peer percentiles.

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};

use super::EntitySummary;
use crate::sorting::sort_stable_by;

/// A column of the entity table to sort by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SummaryKey {
    /// The id, as text.
    Id,
    /// The claim count.
    NClaims,
    /// The total amount.
    TotalPaid,
    /// The mean priority.
    MeanPriority,
    /// The highest priority.
    MaxPriority,
    /// The flagged share.
    FlaggedShare,
    /// The labelled-positive rate.
    LabelRate,
    /// The one-and-done share.
    OneAndDoneShare,
    /// The top counterparty's share.
    TopCounterpartyShare,
    /// The peer percentile.
    PeerPercentile,
    /// The first service date.
    FirstServiceDay,
    /// The last service date.
    LastServiceDay,
}

/// Sorts `rows` by `key` (stable): ascending or descending, entities without a value last
/// either way, ties by id ascending (and then in their current order).
pub fn sort_summary(rows: &mut [EntitySummary], key: SummaryKey, descending: bool) {
    if key == SummaryKey::Id {
        rows.sort_by(|a, b| directed(a.id.cmp(&b.id), descending));
        return;
    }
    rows.sort_by(|a, b| {
        let by_value = match (value_of(a, key), value_of(b, key)) {
            (Some(x), Some(y)) => directed(x.total_cmp(&y), descending),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        };
        by_value.then_with(|| a.id.cmp(&b.id))
    });
}

/// The percentile (0–100) of each value among the values present, ties sharing their
/// average rank: `(below + (equal - 1) / 2) / (n - 1) * 100`, or 50 when `n` is 1; `None`
/// stays `None`. NaN counts as absent; both zeros tie.
pub(super) fn peer_percentiles(values: &[Option<f64>]) -> Vec<Option<f64>> {
    let mut present: Vec<(f64, usize)> = values
        .iter()
        .enumerate()
        .filter_map(|(index, value)| value.filter(|v| !v.is_nan()).map(|v| (v + 0.0, index)))
        .collect();
    sort_stable_by(&mut present, &|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let mut percentiles = vec![None; values.len()];
    let n = present.len();
    let mut start = 0;
    while start < n {
        let value = present.get(start).map_or(0.0, |entry| entry.0);
        let mut end = start + 1;
        while present.get(end).is_some_and(|entry| entry.0 == value) {
            end += 1;
        }
        let percentile =
            if n == 1 { 50.0 } else { (start as f64 + (end - start - 1) as f64 / 2.0) / (n - 1) as f64 * 100.0 };
        for &(_, index) in present.get(start..end).unwrap_or(&[]) {
            if let Some(slot) = percentiles.get_mut(index) {
                *slot = Some(percentile);
            }
        }
        start = end;
    }
    percentiles
}

fn directed(ordering: Ordering, descending: bool) -> Ordering {
    if descending {
        ordering.reverse()
    } else {
        ordering
    }
}

/// The value of `key` on `row` (both zeros as 0.0; NaN as absent).
fn value_of(row: &EntitySummary, key: SummaryKey) -> Option<f64> {
    let value = match key {
        SummaryKey::Id => None,
        SummaryKey::NClaims => Some(row.n_claims as f64),
        SummaryKey::TotalPaid => row.total_paid,
        SummaryKey::MeanPriority => row.mean_priority,
        SummaryKey::MaxPriority => row.max_priority,
        SummaryKey::FlaggedShare => row.flagged_share,
        SummaryKey::LabelRate => row.label_rate,
        SummaryKey::OneAndDoneShare => row.one_and_done_share,
        SummaryKey::TopCounterpartyShare => row.top_counterparty_share,
        SummaryKey::PeerPercentile => row.peer_percentile,
        SummaryKey::FirstServiceDay => row.first_service_day.map(f64::from),
        SummaryKey::LastServiceDay => row.last_service_day.map(f64::from),
    };
    value.filter(|v| !v.is_nan()).map(|v| v + 0.0)
}
