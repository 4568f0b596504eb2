//! `RowSet`: a compact bitset of table rows (one bit per row), the result of a condition.

use serde::{Deserialize, Serialize};

/// A set of rows of a table with `n_rows` rows, stored as 64-row words.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RowSet {
    n_rows: usize,
    words: Vec<u64>,
}

impl RowSet {
    /// The empty set over `n_rows` rows.
    pub fn empty(n_rows: usize) -> Self {
        Self { n_rows, words: vec![0; n_rows.div_ceil(64)] }
    }

    /// Every row of `n_rows`.
    pub fn full(n_rows: usize) -> Self {
        let mut set = Self { n_rows, words: vec![u64::MAX; n_rows.div_ceil(64)] };
        set.clear_tail();
        set
    }

    /// The rows `0..n_rows` for which `keep(row)` holds.
    pub fn from_fn(n_rows: usize, mut keep: impl FnMut(usize) -> bool) -> Self {
        let mut words = Vec::with_capacity(n_rows.div_ceil(64));
        let mut start = 0;
        while start < n_rows {
            let end = (start + 64).min(n_rows);
            let mut word = 0u64;
            for row in start..end {
                word |= u64::from(keep(row)) << (row - start);
            }
            words.push(word);
            start = end;
        }
        Self { n_rows, words }
    }

    /// The rows listed (rows at or beyond `n_rows` are ignored).
    pub fn from_rows(n_rows: usize, rows: impl IntoIterator<Item = usize>) -> Self {
        let mut set = Self::empty(n_rows);
        for row in rows.into_iter().filter(|&row| row < n_rows) {
            if let Some(word) = set.words.get_mut(row / 64) {
                *word |= 1 << (row % 64);
            }
        }
        set
    }

    /// The number of rows of the table the set is over.
    pub fn n_rows(&self) -> usize {
        self.n_rows
    }

    /// Whether `row` is in the set.
    pub fn contains(&self, row: usize) -> bool {
        row < self.n_rows && self.words.get(row / 64).is_some_and(|word| word >> (row % 64) & 1 == 1)
    }

    /// How many rows are in the set.
    pub fn count(&self) -> usize {
        self.words.iter().map(|word| word.count_ones() as usize).sum()
    }

    /// Whether no row is in the set.
    pub fn is_empty(&self) -> bool {
        self.words.iter().all(|&word| word == 0)
    }

    /// The rows in the set, in increasing order.
    pub fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        self.words.iter().enumerate().flat_map(|(index, &word)| {
            let mut rest = word;
            std::iter::from_fn(move || {
                if rest == 0 {
                    return None;
                }
                let bit = rest.trailing_zeros() as usize;
                rest &= rest - 1;
                Some(index * 64 + bit)
            })
        })
    }

    /// Keeps only the rows also in `other`.
    pub fn intersect_with(&mut self, other: &RowSet) {
        for (word, other) in self.words.iter_mut().zip(other.words.iter().chain(std::iter::repeat(&0))) {
            *word &= other;
        }
    }

    /// Adds the rows of `other`.
    pub fn union_with(&mut self, other: &RowSet) {
        for (word, other) in self.words.iter_mut().zip(&other.words) {
            *word |= other;
        }
        self.clear_tail();
    }

    /// Replaces the set by the rows not in it.
    pub fn complement(&mut self) {
        for word in &mut self.words {
            *word = !*word;
        }
        self.clear_tail();
    }

    fn clear_tail(&mut self) {
        let used = self.n_rows % 64;
        if used != 0 {
            if let Some(last) = self.words.last_mut() {
                *last &= (1u64 << used) - 1;
            }
        }
    }
}
