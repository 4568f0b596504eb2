//! Group-by machinery over dense codes: keys, interning, group sizes, (first, second) key
//! pairs, per-group sums, means and spreads, and the small arithmetic features share.
//!
//! Everything is indexed by integer codes (`Vec`s, never maps of text), so a million rows
//! group in a few linear passes: counting sorts and scans, no per-row hashing of text.

use std::borrow::Cow;
use std::hash::Hash;

use crate::claims::table::{MISSING_CODE, MISSING_DAY};
use crate::hashing::KeyedMap;

/// One group code per row, each below `n_groups`, or `MISSING_CODE` for a row in no group.
#[derive(Debug, Clone)]
pub(crate) struct Keys<'t> {
    codes: Cow<'t, [u32]>,
    n_groups: usize,
}

impl<'t> Keys<'t> {
    /// Keys over `codes`; any code at or beyond `n_groups` is treated as missing.
    pub(crate) fn new(codes: Cow<'t, [u32]>, n_groups: usize) -> Self {
        let n_groups = n_groups.min(MISSING_CODE as usize);
        let valid = |code: u32| code == MISSING_CODE || (code as usize) < n_groups;
        let codes = if codes.iter().all(|&code| valid(code)) {
            codes
        } else {
            Cow::Owned(codes.iter().map(|&code| if valid(code) { code } else { MISSING_CODE }).collect())
        };
        Self { codes, n_groups }
    }

    /// The raw codes, one per row.
    pub(crate) fn codes(&self) -> &[u32] {
        &self.codes
    }

    /// How many groups there are.
    pub(crate) fn n_groups(&self) -> usize {
        self.n_groups
    }

    /// The group of `row`, if it has one.
    pub(crate) fn group_of(&self, row: usize) -> Option<usize> {
        match self.codes.get(row) {
            Some(&code) if code != MISSING_CODE => Some(code as usize),
            _ => None,
        }
    }
}

/// Interns values into keys in order of first appearance; `None` is missing. Also returns
/// the distinct values in code order.
pub(crate) fn intern<T: Copy + Eq + Hash>(values: impl IntoIterator<Item = Option<T>>) -> (Keys<'static>, Vec<T>) {
    // Keyed, so chosen numbers cannot collide; codes follow first appearance, not the key.
    let mut index: KeyedMap<T, u32> = KeyedMap::default();
    let mut distinct = Vec::new();
    // Real columns repeat themselves (days supply 30, quantity 1), so the previous value's
    // code is tried before the map.
    let mut previous: Option<(T, u32)> = None;
    let codes: Vec<u32> = values
        .into_iter()
        .map(|value| {
            let Some(value) = value else { return MISSING_CODE };
            if let Some((_, code)) = previous.filter(|(last, _)| *last == value) {
                return code;
            }
            let code = match index.get(&value) {
                Some(&code) => code,
                None => match u32::try_from(distinct.len()) {
                    Ok(code) if code != MISSING_CODE => {
                        index.insert(value, code);
                        distinct.push(value);
                        code
                    }
                    _ => return MISSING_CODE,
                },
            };
            previous = Some((value, code));
            code
        })
        .collect();
    let n_groups = distinct.len();
    (Keys::new(Cow::Owned(codes), n_groups), distinct)
}

/// The bits of a number as an interning key (`-0.0` and `0.0` agree); `None` if not finite.
pub(crate) fn number_key(value: f64) -> Option<u64> {
    if !value.is_finite() {
        None
    } else if value == 0.0 {
        Some(0.0f64.to_bits())
    } else {
        Some(value.to_bits())
    }
}

/// The day at `row`, unless missing.
pub(crate) fn day_at(days: &[i32], row: usize) -> Option<i32> {
    days.get(row).copied().filter(|&day| day != MISSING_DAY)
}

/// The number at `row`, or NaN.
pub(crate) fn value_at(values: &[f64], row: usize) -> f64 {
    values.get(row).copied().unwrap_or(f64::NAN)
}

/// How many rows each group has.
pub(crate) fn group_sizes(keys: &Keys<'_>) -> Vec<u32> {
    let mut sizes = vec![0u32; keys.n_groups()];
    for &code in keys.codes() {
        if let Some(size) = sizes.get_mut(code as usize) {
            *size += 1;
        }
    }
    sizes
}

/// Key spaces up to this many (first, second) cells (or the row count, if larger) are
/// counted in a dense table.
const DENSE_PAIR_CELLS: usize = 1 << 16;

/// The distinct (first, second) key pairs that occur together on a row, with counts.
#[derive(Debug, Clone)]
pub(crate) struct Pairs {
    /// The first group of each pair.
    pub(crate) first: Vec<u32>,
    /// The second group of each pair.
    pub(crate) second: Vec<u32>,
    /// How many rows each pair has.
    pub(crate) count: Vec<u32>,
    n_first: usize,
    n_second: usize,
}

/// Pairs, and the pair of each row (`MISSING_CODE` where either key is missing).
#[derive(Debug, Clone)]
pub(crate) struct RowPairs {
    /// The pairs.
    pub(crate) pairs: Pairs,
    /// The pair of each row.
    pub(crate) of_row: Vec<u32>,
}

impl Pairs {
    /// The pairs of `first` and `second` keys.
    pub(crate) fn count(first: &Keys<'_>, second: &Keys<'_>) -> Self {
        build_pairs(first, second, false).pairs
    }

    /// The pairs of `first` and `second` keys, and the pair of each row.
    pub(crate) fn count_with_rows(first: &Keys<'_>, second: &Keys<'_>) -> RowPairs {
        build_pairs(first, second, true)
    }

    fn empty(n_first: usize, n_second: usize) -> Self {
        Self { first: Vec::new(), second: Vec::new(), count: Vec::new(), n_first, n_second }
    }

    fn push(&mut self, first: u32, second: u32) -> u32 {
        self.first.push(first);
        self.second.push(second);
        self.count.push(0);
        saturating_u32(self.count.len() - 1)
    }

    fn add_row(&mut self, pair: u32) {
        if let Some(count) = self.count.get_mut(pair as usize) {
            *count += 1;
        }
    }

    /// Per first group, how many of its pairs satisfy `keep(second, count)`.
    pub(crate) fn pairs_per_first(&self, keep: impl Fn(u32, u32) -> bool) -> Vec<u32> {
        let mut per_first = vec![0u32; self.n_first];
        for ((&first, &second), &count) in self.first.iter().zip(&self.second).zip(&self.count) {
            if let Some(total) = per_first.get_mut(first as usize).filter(|_| keep(second, count)) {
                *total += 1;
            }
        }
        per_first
    }

    /// Per second group, how many distinct first groups it pairs with.
    pub(crate) fn pairs_per_second(&self) -> Vec<u32> {
        let mut per_second = vec![0u32; self.n_second];
        for &second in &self.second {
            if let Some(total) = per_second.get_mut(second as usize) {
                *total += 1;
            }
        }
        per_second
    }

    /// Per first group, the rows of all its pairs and the rows of its largest pair.
    pub(crate) fn rows_and_largest_per_first(&self) -> (Vec<u32>, Vec<u32>) {
        let mut rows = vec![0u32; self.n_first];
        let mut largest = vec![0u32; self.n_first];
        for (&first, &count) in self.first.iter().zip(&self.count) {
            if let (Some(total), Some(top)) = (rows.get_mut(first as usize), largest.get_mut(first as usize)) {
                *total += count;
                *top = (*top).max(count);
            }
        }
        (rows, largest)
    }
}

impl RowPairs {
    /// The row count of the pair `row` belongs to, or NaN.
    pub(crate) fn count_of_row(&self, row: usize) -> f64 {
        self.of_row
            .get(row)
            .and_then(|&pair| self.pairs.count.get(pair as usize))
            .map_or(f64::NAN, |&count| f64::from(count))
    }
}

/// Counts pairs through a dense table when the key spaces are small, else by scattering
/// the second keys into first-key order (a counting sort) and scanning each first group.
fn build_pairs(first: &Keys<'_>, second: &Keys<'_>, track_rows: bool) -> RowPairs {
    let n_rows = first.codes().len().min(second.codes().len());
    let cells = first.n_groups().saturating_mul(second.n_groups());
    if cells <= n_rows.max(DENSE_PAIR_CELLS) {
        dense_pairs(first, second, cells, track_rows)
    } else {
        scattered_pairs(first, second, track_rows)
    }
}

fn dense_pairs(first: &Keys<'_>, second: &Keys<'_>, cells: usize, track_rows: bool) -> RowPairs {
    let n_second = second.n_groups();
    let cell_of = |a: u32, b: u32| {
        let in_range = (a as usize) < first.n_groups() && (b as usize) < n_second;
        in_range.then(|| a as usize * n_second + b as usize)
    };
    let mut pair_of_cell = vec![MISSING_CODE; cells];
    let mut pairs = Pairs::empty(first.n_groups(), n_second);
    let mut of_row = if track_rows { vec![MISSING_CODE; first.codes().len()] } else { Vec::new() };
    for (row, (&a, &b)) in first.codes().iter().zip(second.codes()).enumerate() {
        let Some(pair) = cell_of(a, b).and_then(|cell| pair_of_cell.get_mut(cell)) else { continue };
        if *pair == MISSING_CODE {
            *pair = pairs.push(a, b);
        }
        pairs.add_row(*pair);
        if let Some(slot) = of_row.get_mut(row) {
            *slot = *pair;
        }
    }
    RowPairs { pairs, of_row }
}

fn scattered_pairs(first: &Keys<'_>, second: &Keys<'_>, track_rows: bool) -> RowPairs {
    let (n_first, n_second) = (first.n_groups(), second.n_groups());
    let both = first.codes().iter().zip(second.codes());
    let known = |(&a, &b): (&u32, &u32)| ((b as usize) < n_second).then_some(a);
    let starts = counting_starts(n_first, both.clone().map(known));
    let mut next = starts.clone();
    let total = starts.last().copied().unwrap_or(0);
    let mut ordered_second = vec![0u32; total];
    let mut ordered_row = if track_rows { vec![0usize; total] } else { Vec::new() };
    for (row, codes) in both.enumerate() {
        let Some(slot) = known(codes).and_then(|a| next.get_mut(a as usize)) else { continue };
        if let Some(target) = ordered_second.get_mut(*slot) {
            *target = *codes.1;
        }
        if let Some(target) = ordered_row.get_mut(*slot) {
            *target = row;
        }
        *slot += 1;
    }
    // Per second key: the first group that last met it, and the pair they formed.
    let mut last_pair = vec![(MISSING_CODE, 0u32); n_second];
    let mut pairs = Pairs::empty(n_first, n_second);
    let mut of_row = if track_rows { vec![MISSING_CODE; first.codes().len()] } else { Vec::new() };
    for (first_group, bounds) in starts.windows(2).enumerate() {
        let first_code = saturating_u32(first_group);
        let &[start, end] = bounds else { continue };
        for index in start..end {
            let Some(&second_code) = ordered_second.get(index) else { continue };
            let Some((last, pair)) = last_pair.get_mut(second_code as usize) else { continue };
            if *last != first_code {
                *last = first_code;
                *pair = pairs.push(first_code, second_code);
            }
            pairs.add_row(*pair);
            if let Some(slot) = ordered_row.get(index).and_then(|&row| of_row.get_mut(row)) {
                *slot = *pair;
            }
        }
    }
    RowPairs { pairs, of_row }
}

/// Per group, the sum and the count of the finite values. Each group's values are added
/// in ascending order, so the sum does not depend on the order of the rows.
pub(crate) fn group_sums(keys: &Keys<'_>, values: &[f64]) -> (Vec<f64>, Vec<u32>) {
    let (starts, ordered) = sorted_by_group(keys, values);
    each_group(&starts, &ordered)
        .map(|group| (group.iter().sum::<f64>(), u32::try_from(group.len()).unwrap_or(u32::MAX)))
        .unzip()
}

/// Per group, the mean of the finite values (NaN for a group with none).
pub(crate) fn group_means(keys: &Keys<'_>, values: &[f64]) -> Vec<f64> {
    let (sums, counts) = group_sums(keys, values);
    sums.iter().zip(&counts).map(|(&sum, &count)| ratio(sum, f64::from(count))).collect()
}

/// Per group, the mean and the population standard deviation of the finite values, both
/// summed in ascending order of the values.
pub(crate) fn group_mean_sd(keys: &Keys<'_>, values: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let (starts, ordered) = sorted_by_group(keys, values);
    each_group(&starts, &ordered)
        .map(|group| {
            let count = group.len() as f64;
            let mean = ratio(group.iter().sum(), count);
            let squares: f64 = group.iter().map(|&value| (value - mean) * (value - mean)).sum();
            (mean, ratio(squares, count).sqrt())
        })
        .unzip()
}

/// The finite values of each group together, each group's in ascending order (a counting
/// sort by group, then a sort per group): group `g` is `ordered[starts[g]..starts[g + 1]]`.
pub(crate) fn sorted_by_group(keys: &Keys<'_>, values: &[f64]) -> (Vec<usize>, Vec<f64>) {
    let finite_code = |(&code, &value): (&u32, &f64)| value.is_finite().then_some(code);
    let starts = counting_starts(keys.n_groups(), keys.codes().iter().zip(values).map(finite_code));
    let mut next = starts.clone();
    let mut ordered = vec![0.0; starts.last().copied().unwrap_or(0)];
    for (&code, &value) in keys.codes().iter().zip(values) {
        if !value.is_finite() {
            continue;
        }
        let Some(slot) = next.get_mut(code as usize) else { continue };
        if let Some(target) = ordered.get_mut(*slot) {
            *target = value;
        }
        *slot += 1;
    }
    for bounds in starts.windows(2) {
        if let Some(group) = ordered.get_mut(bounds[0]..bounds[1]) {
            group.sort_unstable_by(f64::total_cmp);
        }
    }
    (starts, ordered)
}

/// Each group's slice of `ordered` (see [`sorted_by_group`]).
pub(crate) fn each_group<'a>(starts: &'a [usize], ordered: &'a [f64]) -> impl Iterator<Item = &'a [f64]> + 'a {
    starts.windows(2).map(|bounds| ordered.get(bounds[0]..bounds[1]).unwrap_or(&[]))
}

/// The per-group value of each row's group (NaN for a row in no group).
pub(crate) fn broadcast(keys: &Keys<'_>, per_group: &[f64]) -> Vec<f64> {
    keys.codes().iter().map(|&code| per_group.get(code as usize).copied().unwrap_or(f64::NAN)).collect()
}

/// Counts as numbers.
pub(crate) fn as_numbers(counts: &[u32]) -> Vec<f64> {
    counts.iter().map(|&count| f64::from(count)).collect()
}

/// Per group, `part / whole` (NaN where `whole` is 0).
pub(crate) fn shares(parts: &[u32], wholes: &[u32]) -> Vec<f64> {
    parts.iter().zip(wholes).map(|(&part, &whole)| ratio(f64::from(part), f64::from(whole))).collect()
}

/// `numerator / denominator`, or NaN if the denominator is 0 or either is not finite.
pub(crate) fn ratio(numerator: f64, denominator: f64) -> f64 {
    if denominator == 0.0 || !numerator.is_finite() || !denominator.is_finite() {
        f64::NAN
    } else {
        numerator / denominator
    }
}

/// The z-score of `value`; 0 where the spread is 0 (every value equals the mean).
pub(crate) fn zscore(value: f64, mean: f64, sd: f64) -> f64 {
    if sd == 0.0 && value.is_finite() && mean.is_finite() {
        0.0
    } else {
        ratio(value - mean, sd)
    }
}

/// 1 for true, 0 for false.
pub(crate) fn flag(condition: bool) -> f64 {
    if condition {
        1.0
    } else {
        0.0
    }
}

fn saturating_u32(value: usize) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

/// Group start offsets (plus the total at the end) of a counting sort of `codes` into
/// `n_groups` groups; `None`, `MISSING_CODE` and out-of-range codes are left out.
pub(crate) fn counting_starts(n_groups: usize, codes: impl Iterator<Item = Option<u32>>) -> Vec<usize> {
    let mut starts = vec![0usize; n_groups + 1];
    for code in codes.flatten() {
        if let Some(count) = code.checked_add(1).and_then(|next| starts.get_mut(next as usize)) {
            *count += 1;
        }
    }
    for group in 0..n_groups {
        let before = starts.get(group).copied().unwrap_or(0);
        if let Some(start) = starts.get_mut(group + 1) {
            *start += before;
        }
    }
    starts
}

/// Per group, the `q` quantile (0..=1) of the finite values, interpolated linearly between
/// order statistics as numpy's default does (NaN for a group with none).
pub(crate) fn group_quantiles(keys: &Keys<'_>, values: &[f64], q: f64) -> Vec<f64> {
    let (starts, ordered) = sorted_by_group(keys, values);
    each_group(&starts, &ordered).map(|group| quantile_of_sorted(group, q)).collect()
}

/// The `q` quantile of sorted values, interpolated linearly (NaN if there are none).
pub(crate) fn quantile_of_sorted(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let position = (sorted.len() - 1) as f64 * q.clamp(0.0, 1.0);
    let below = position.floor() as usize;
    let fraction = position - below as f64;
    let low = sorted.get(below).copied().unwrap_or(f64::NAN);
    match sorted.get(below + 1) {
        Some(&high) if fraction > 0.0 => low + (high - low) * fraction,
        _ => low,
    }
}
