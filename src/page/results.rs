//! The scored-claims table as rows to show: one sort and filter over every claim, as a
//! permutation of row indices, so the virtualized grid renders only what is in view.

use crate::claims::Levels;
use serde::{Deserialize, Serialize};

use crate::analysis::tiers::{RiskTier, TierCuts};
use crate::claims::{ClaimsTable, ColumnData};
use crate::sorting::stable_order;

/// What the results are sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SortKey {
    /// File order.
    Row,
    /// The priority score.
    Priority,
    /// A column of the claims table, by index: numbers and dates by value, text by text.
    Column(usize),
}

/// A sort and filter of the scored claims.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResultsQuery {
    /// The sort key.
    pub sort: SortKey,
    /// Largest first.
    pub descending: bool,
    /// Keep only rows whose cell in this column contains `filter_text` (case-insensitive).
    /// `None` searches every column.
    pub filter_column: Option<usize>,
    /// Text to look for; empty keeps every row.
    pub filter_text: String,
    /// Keep only this tier.
    pub tier: Option<RiskTier>,
}

impl ResultsQuery {
    /// Sorts by `key`: the same key again flips the direction; a new key starts descending
    /// when `descending_first` says so.
    pub fn sort_by(&mut self, key: SortKey, descending_first: bool) {
        if self.sort == key {
            self.descending = !self.descending;
        } else {
            self.sort = key;
            self.descending = descending_first;
        }
    }
}

impl Default for ResultsQuery {
    /// Highest priority first, no filter.
    fn default() -> Self {
        Self { sort: SortKey::Priority, descending: true, filter_column: None, filter_text: String::new(), tier: None }
    }
}

/// The rows to show, in order: a stable sort (ties keep file order, missing values last in
/// both directions), after the filters. `priority` is in table order and may be empty (not
/// yet scored): then Priority sorts as Row and the tier filter is ignored. A shorter
/// `priority` reads its missing entries as NaN (missing, and the Low tier).
///
/// Text columns sort case-insensitively (then by exact text); `filter_text` is trimmed and
/// matched case-insensitively against the cells as [`ColumnData::display`] shows them
/// (missing cells are empty and match nothing). A `filter_column` or `SortKey::Column`
/// outside the table matches no row, or sorts as Row.
pub fn order_rows(table: &ClaimsTable, priority: &[f64], cuts: &TierCuts, query: &ResultsQuery) -> Vec<u32> {
    // Row indices are u32; a table can never hold more rows than that in practice.
    let n_rows = table.n_rows().min(u32::MAX as usize);
    let mut rows: Vec<u32> = (0..n_rows as u32).collect();

    if let (Some(tier), false) = (query.tier, priority.is_empty()) {
        rows.retain(|&row| cuts.tier(score_at(priority, row as usize)) == tier);
    }
    let needle = query.filter_text.trim().to_ascii_lowercase();
    if !needle.is_empty() {
        let columns = table.columns();
        let matchers: Vec<CellMatcher<'_>> = match query.filter_column {
            None => columns.iter().map(|column| CellMatcher::new(&column.data, &needle)).collect(),
            Some(column_idx) => {
                columns.get(column_idx).map(|column| CellMatcher::new(&column.data, &needle)).into_iter().collect()
            }
        };
        rows.retain(|&row| matchers.iter().any(|matcher| matcher.matches(row as usize)));
    }

    let column_data = |column_idx: usize| table.columns().get(column_idx).map(|column| &column.data);
    let descending = query.descending;
    let key_of: Option<Box<dyn Fn(u32) -> u64 + '_>> = match query.sort {
        SortKey::Row => None,
        SortKey::Priority if priority.is_empty() => None,
        SortKey::Priority => Some(Box::new(move |row| number_key(score_at(priority, row as usize), descending))),
        SortKey::Column(column_idx) => match column_data(column_idx) {
            None => None,
            Some(ColumnData::Categorical { levels, codes }) => {
                let ranks = level_ranks(levels);
                Some(Box::new(move |row| {
                    let rank = codes.get(row as usize).and_then(|&code| ranks.get(code as usize)).copied();
                    rank_key(rank, descending)
                }))
            }
            Some(data) => Some(Box::new(move |row| number_key(data.number(row as usize), descending))),
        },
    };
    match key_of {
        None => {
            if descending {
                rows.reverse();
            }
        }
        Some(key_of) => {
            // (key, row) pairs are all distinct, so an unstable sort has one possible result:
            // ties in the key fall back to file order in both directions. The sorted rows go
            // back into `rows`' own buffer: at a million claims the page's memory keeps
            // whatever peak this reaches.
            let mut pairs: Vec<(u64, u32)> = rows.iter().map(|&row| (key_of(row), row)).collect();
            pairs.sort_unstable();
            rows.clear();
            rows.extend(pairs.iter().map(|&(_, row)| row));
        }
    }
    rows
}

/// How many claims fall in each tier, lowest tier first.
pub fn tier_counts(priority: &[f64], cuts: &TierCuts) -> [usize; 4] {
    let mut counts = [0usize; 4];
    for &score in priority {
        let slot = match cuts.tier(score) {
            RiskTier::Low => 0,
            RiskTier::Medium => 1,
            RiskTier::High => 2,
            RiskTier::Critical => 3,
        };
        counts[slot] += 1;
    }
    counts
}

/// The key of a missing value: after every present value, in both directions.
const MISSING_KEY: u64 = u64::MAX;

fn score_at(priority: &[f64], row: usize) -> f64 {
    priority.get(row).copied().unwrap_or(f64::NAN)
}

/// A sort key whose unsigned order is the number's order (reversed when descending), with
/// NaN as [`MISSING_KEY`]. Both zeros get the same key, so they tie.
fn number_key(value: f64, descending: bool) -> u64 {
    if value.is_nan() {
        return MISSING_KEY;
    }
    let value = if value == 0.0 { 0.0 } else { value };
    let bits = value.to_bits();
    let ascending = if bits >> 63 == 1 { !bits } else { bits | (1 << 63) };
    // A non-NaN number never maps to 0 ascending, so descending keys stay below MISSING_KEY.
    if descending {
        !ascending
    } else {
        ascending
    }
}

fn rank_key(rank: Option<u32>, descending: bool) -> u64 {
    match rank {
        None => MISSING_KEY,
        Some(rank) if descending => u64::from(u32::MAX - rank),
        Some(rank) => u64::from(rank),
    }
}

/// The sort rank of every level: case-insensitive text order, then exact text; equal texts
/// share a rank.
fn level_ranks(levels: &Levels) -> Vec<u32> {
    let folded: Vec<String> = levels.iter().map(|level| level.to_ascii_lowercase()).collect();
    let order = stable_order(levels.len(), &|a, b| {
        folded.get(a).cmp(&folded.get(b)).then_with(|| levels.get(a).cmp(&levels.get(b)))
    });
    let mut ranks = vec![0u32; levels.len()];
    let mut rank = 0u32;
    for (position, &level_idx) in order.iter().enumerate() {
        if position > 0 && levels.get(order[position - 1]) != levels.get(level_idx) {
            rank = rank.saturating_add(1);
        }
        ranks[level_idx] = rank;
    }
    ranks
}

/// Tests one column's cells against the lower-cased filter text.
enum CellMatcher<'a> {
    /// Text: whether each level matches, decided once per level.
    Levels { level_matches: Vec<bool>, codes: &'a [u32] },
    /// Numbers and dates: their display text, lower case already.
    Displayed { data: &'a ColumnData, needle: &'a str },
    /// Nothing in the column can match.
    Never,
}

impl<'a> CellMatcher<'a> {
    fn new(data: &'a ColumnData, needle: &'a str) -> Self {
        match data {
            ColumnData::Categorical { levels, codes } => CellMatcher::Levels {
                level_matches: levels.iter().map(|level| level.to_ascii_lowercase().contains(needle)).collect(),
                codes,
            },
            // Numbers display as digits, '-', '.' and "inf"; dates as digits and '-'. A needle
            // with any other character cannot match, which spares formatting every cell.
            ColumnData::Numeric { .. } | ColumnData::Date { .. }
                if needle.chars().all(|ch| ch.is_ascii_digit() || matches!(ch, '-' | '.' | 'i' | 'n' | 'f')) =>
            {
                CellMatcher::Displayed { data, needle }
            }
            ColumnData::Numeric { .. } | ColumnData::Date { .. } => CellMatcher::Never,
        }
    }

    fn matches(&self, row: usize) -> bool {
        match self {
            CellMatcher::Levels { level_matches, codes } => {
                codes.get(row).and_then(|&code| level_matches.get(code as usize)).copied().unwrap_or(false)
            }
            CellMatcher::Displayed { data, needle } => data.display(row).contains(needle),
            CellMatcher::Never => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claims::table::{CategoricalBuilder, MISSING_DAY};
    use crate::ml::SeededRng;

    /// Five claims: an id, a text column with a missing cell, an amount with a missing cell
    /// and a date.
    fn table() -> ClaimsTable {
        let mut service = CategoricalBuilder::default();
        for value in [Some("knee"), Some("Ankle"), None, Some("zeta"), Some("knee")] {
            service.push(value);
        }
        let mut table = ClaimsTable::new();
        table.push_column("id", ColumnData::Numeric { values: vec![1.0, 2.0, 3.0, 4.0, 5.0].into() }).unwrap();
        table.push_column("service", service.finish()).unwrap();
        table
            .push_column("amount", ColumnData::Numeric { values: vec![10.0, f64::NAN, -5.0, 10.0, 0.0].into() })
            .unwrap();
        table.push_column("day", ColumnData::Date { days: vec![19_000, 18_000, MISSING_DAY, 19_000, 20_000] }).unwrap();
        table
    }

    const PRIORITY: [f64; 5] = [0.9, 0.2, f64::NAN, 0.7, 0.2];

    fn query(sort: SortKey, descending: bool) -> ResultsQuery {
        ResultsQuery { sort, descending, ..ResultsQuery::default() }
    }

    fn order(query: &ResultsQuery) -> Vec<u32> {
        order_rows(&table(), &PRIORITY, &TierCuts::default(), query)
    }

    #[test]
    fn default_is_highest_priority_first_with_ties_in_file_order_and_nan_last() {
        assert_eq!(ResultsQuery::default().sort, SortKey::Priority);
        assert_eq!(order(&ResultsQuery::default()), [0, 3, 1, 4, 2]);
        assert_eq!(order(&query(SortKey::Priority, false)), [1, 4, 3, 0, 2]);
    }

    #[test]
    fn rows_sort_by_file_order_either_way() {
        assert_eq!(order(&query(SortKey::Row, false)), [0, 1, 2, 3, 4]);
        assert_eq!(order(&query(SortKey::Row, true)), [4, 3, 2, 1, 0]);
    }

    #[test]
    fn text_sorts_case_insensitively_with_missing_last() {
        // Ankle < knee (rows 0 and 4, file order) < zeta, then the missing cell.
        assert_eq!(order(&query(SortKey::Column(1), false)), [1, 0, 4, 3, 2]);
        assert_eq!(order(&query(SortKey::Column(1), true)), [3, 0, 4, 1, 2]);
    }

    #[test]
    fn numbers_and_dates_sort_by_value_with_missing_last() {
        assert_eq!(order(&query(SortKey::Column(2), false)), [2, 4, 0, 3, 1]);
        assert_eq!(order(&query(SortKey::Column(2), true)), [0, 3, 4, 2, 1]);
        assert_eq!(order(&query(SortKey::Column(3), false)), [1, 0, 3, 4, 2]);
        assert_eq!(order(&query(SortKey::Column(3), true)), [4, 0, 3, 1, 2]);
        assert_eq!(order(&query(SortKey::Column(99), true)), [4, 3, 2, 1, 0], "an unknown column sorts as Row");
    }

    #[test]
    fn both_zeros_tie_and_infinities_order() {
        let mut table = ClaimsTable::new();
        let values = vec![0.0, -0.0, f64::INFINITY, f64::NEG_INFINITY, 0.0];
        table.push_column("x", ColumnData::Numeric { values: values.into() }).unwrap();
        let sorted = |descending| order_rows(&table, &[], &TierCuts::default(), &query(SortKey::Column(0), descending));
        assert_eq!(sorted(false), [3, 0, 1, 4, 2]);
        assert_eq!(sorted(true), [2, 0, 1, 4, 3]);
    }

    #[test]
    fn filters_match_text_case_insensitively_per_column_or_anywhere() {
        let filtered = |column: Option<usize>, text: &str| {
            let query = ResultsQuery { filter_column: column, filter_text: text.into(), ..query(SortKey::Row, false) };
            order(&query)
        };
        assert_eq!(filtered(None, " KNEE "), [0, 4]);
        assert_eq!(filtered(Some(1), "an"), [1]);
        assert_eq!(filtered(Some(0), "an"), Vec::<u32>::new());
        assert_eq!(filtered(Some(2), "10"), [0, 3]);
        assert_eq!(filtered(Some(2), "-5"), [2]);
        assert_eq!(filtered(Some(3), "2022-01"), [0, 3], "day 19000 is 2022-01-08");
        assert_eq!(filtered(None, "1"), [0, 1, 3, 4], "ids 1, amounts 10, and 2019/2024 dates");
        assert_eq!(filtered(None, ""), [0, 1, 2, 3, 4]);
        assert_eq!(filtered(Some(7), "knee"), Vec::<u32>::new(), "an unknown column matches nothing");
    }

    #[test]
    fn the_tier_filter_uses_the_cuts_and_needs_scores() {
        let in_tier = |priority: &[f64], tier| {
            let query = ResultsQuery { tier: Some(tier), ..ResultsQuery::default() };
            order_rows(&table(), priority, &TierCuts::default(), &query)
        };
        assert_eq!(in_tier(&PRIORITY, RiskTier::High), [3]);
        assert_eq!(in_tier(&PRIORITY, RiskTier::Critical), [0]);
        assert_eq!(in_tier(&PRIORITY, RiskTier::Low), [1, 4, 2], "NaN is Low");
        assert_eq!(in_tier(&[], RiskTier::High), [4, 3, 2, 1, 0], "unscored: no tier filter, Priority is Row");
        assert_eq!(in_tier(&[0.9], RiskTier::Low), [1, 2, 3, 4], "missing scores are NaN");
    }

    #[test]
    fn empty_tables_give_no_rows() {
        let query = ResultsQuery { filter_text: "x".into(), tier: Some(RiskTier::Low), ..ResultsQuery::default() };
        assert!(order_rows(&ClaimsTable::new(), &PRIORITY, &TierCuts::default(), &query).is_empty());
    }

    #[test]
    fn matches_a_stable_comparison_sort_on_many_tied_rows() {
        let n_rows = 50_000;
        let mut rng = SeededRng::new(9);
        let levels = ["b", "A", "c", "a"];
        let mut text = CategoricalBuilder::default();
        let mut priority = Vec::with_capacity(n_rows);
        for _ in 0..n_rows {
            text.push(if rng.chance(0.1) { None } else { Some(levels[rng.index(levels.len())]) });
            priority.push(if rng.chance(0.05) { f64::NAN } else { rng.index(20) as f64 / 20.0 });
        }
        let mut table = ClaimsTable::new();
        table.push_column("text", text.finish()).unwrap();
        for descending in [false, true] {
            let got = order_rows(&table, &priority, &TierCuts::default(), &query(SortKey::Priority, descending));
            let mut expected: Vec<u32> = (0..n_rows as u32).collect();
            expected.sort_by(|&a, &b| {
                let (x, y) = (priority[a as usize], priority[b as usize]);
                match (x.is_nan(), y.is_nan()) {
                    (true, true) => std::cmp::Ordering::Equal,
                    (true, false) => std::cmp::Ordering::Greater,
                    (false, true) => std::cmp::Ordering::Less,
                    _ if descending => y.partial_cmp(&x).unwrap(),
                    _ => x.partial_cmp(&y).unwrap(),
                }
            });
            assert_eq!(got, expected);

            let got = order_rows(&table, &priority, &TierCuts::default(), &query(SortKey::Column(0), descending));
            let text_of = |row: u32| table.columns()[0].data.display(row as usize);
            // Case-insensitive, then exact: "A" < "a" < "b" < "c" (upper case is first in bytes).
            let rank = |text: &str| ["A", "a", "b", "c"].iter().position(|l| *l == text);
            let mut expected: Vec<u32> = (0..n_rows as u32).collect();
            expected.sort_by(|&a, &b| match (rank(&text_of(a)), rank(&text_of(b))) {
                (None, None) => std::cmp::Ordering::Equal,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (Some(_), None) => std::cmp::Ordering::Less,
                (Some(x), Some(y)) if descending => y.cmp(&x),
                (Some(x), Some(y)) => x.cmp(&y),
            });
            assert_eq!(got, expected);
        }
    }

    #[test]
    fn tier_counts_lowest_first_with_nan_as_low() {
        let counts = tier_counts(&[0.1, 0.3, 0.65, 0.8, f64::NAN, 0.95], &TierCuts::default());
        assert_eq!(counts, [2, 1, 1, 2]);
        assert_eq!(tier_counts(&[], &TierCuts::default()), [0; 4]);
    }
}
