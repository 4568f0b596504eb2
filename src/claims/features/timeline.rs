//! Each member's dated claims in date order (one counting sort by member, then a small
//! sort per member), and runs of equal visits within a member.

use crate::claims::table::MISSING_CODE;

use super::groups::{counting_starts, day_at, Keys};

/// One dated claim of a member: its day, provider and procedure codes (0 when the table
/// has no such column, `MISSING_CODE` when the cell is empty), and its row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Visit {
    /// The service day.
    pub(crate) day: i32,
    /// The provider code.
    pub(crate) provider: u32,
    /// The procedure code.
    pub(crate) procedure: u32,
    /// The row in the table.
    pub(crate) row: usize,
}

/// Each member's dated claims as visits, sorted by (day, provider, procedure, row).
#[derive(Debug, Clone)]
pub(crate) struct Timeline {
    starts: Vec<usize>,
    visits: Vec<Visit>,
}

impl Timeline {
    /// The timeline of every member; `provider` and `procedure` codes, when known, order
    /// claims within a day so equal lines sit together. One sequential pass scatters the
    /// visits by member (a counting sort); then each member's few visits are sorted.
    pub(crate) fn new(
        members: &Keys<'_>,
        days: &[i32],
        provider: Option<&Keys<'_>>,
        procedure: Option<&Keys<'_>>,
    ) -> Self {
        let member_of = |row: usize| members.codes().get(row).copied().filter(|_| day_at(days, row).is_some());
        let starts = counting_starts(members.n_groups(), (0..members.codes().len()).map(member_of));
        let code = |keys: Option<&Keys<'_>>, row: usize| {
            keys.map_or(0, |keys| keys.codes().get(row).copied().unwrap_or(MISSING_CODE))
        };
        let mut next = starts.clone();
        let mut visits = vec![Visit::default(); starts.last().copied().unwrap_or(0)];
        for (row, &day) in days.iter().enumerate() {
            let Some(slot) = member_of(row).and_then(|member| next.get_mut(member as usize)) else { continue };
            if let Some(visit) = visits.get_mut(*slot) {
                *visit = Visit { day, provider: code(provider, row), procedure: code(procedure, row), row };
            }
            *slot += 1;
        }
        for bounds in starts.windows(2) {
            if let Some(run) = bounds.first().zip(bounds.get(1)).and_then(|(&start, &end)| visits.get_mut(start..end)) {
                run.sort_unstable();
            }
        }
        Self { starts, visits }
    }

    /// Each member's visits, sorted, in member-code order.
    pub(crate) fn members(&self) -> impl Iterator<Item = &[Visit]> + '_ {
        self.starts.windows(2).map(|bounds| match *bounds {
            [start, end] => self.visits.get(start..end).unwrap_or(&[]),
            _ => &[],
        })
    }
}

/// For each maximal run of consecutive `visits` where `same(previous, visit)` holds,
/// writes the run's length to `out` at the row of every visit of it that is `counted`.
pub(crate) fn write_run_lengths(
    visits: &[Visit],
    same: impl Fn(&Visit, &Visit) -> bool,
    counted: impl Fn(&Visit) -> bool,
    out: &mut [f64],
) {
    for run in visits.chunk_by(|a, b| same(a, b)) {
        for visit in run.iter().filter(|visit| counted(visit)) {
            if let Some(slot) = out.get_mut(visit.row) {
                *slot = run.len() as f64;
            }
        }
    }
}
