//! The scored-claims table as rows to show: one sort and filter over every claim, as a
//! permutation of row indices, so the virtualized grid renders only what is in view.

use serde::{Deserialize, Serialize};

use super::tiers::{RiskTier, TierCuts};
use crate::claims::ClaimsTable;

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

impl Default for ResultsQuery {
    /// Highest priority first, no filter.
    fn default() -> Self {
        todo!()
    }
}

/// The rows to show, in order: a stable sort (ties keep file order, missing values last in
/// both directions), after the filters. `priority` is in table order and may be empty (not
/// yet scored): then Priority sorts as Row and the tier filter is ignored.
pub fn order_rows(table: &ClaimsTable, priority: &[f64], cuts: &TierCuts, query: &ResultsQuery) -> Vec<u32> {
    todo!()
}

/// How many claims fall in each tier, lowest tier first.
pub fn tier_counts(priority: &[f64], cuts: &TierCuts) -> [usize; 4] {
    todo!()
}
