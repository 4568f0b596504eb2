//! `RowSet`: a compact bitset of table rows (one bit per row), the result of a condition.

use serde::{Deserialize, Serialize};

/// A set of rows of a table with `n_rows` rows, stored as 64-row words.
///
/// It serialises as `{n_rows, bits}` with `bits` one byte per 8 rows (row `r` is bit
/// `r % 8` of byte `r / 8`), a byte string, so a million-row set crosses to the page as a
/// 125 KB `Uint8Array`. Reading checks the length and clears bits past `n_rows`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(into = "RowSetWire", try_from = "RowSetWire")]
pub struct RowSet {
    n_rows: usize,
    words: Vec<u64>,
}

/// The serialised form of a [`RowSet`].
#[derive(Serialize, Deserialize)]
struct RowSetWire {
    n_rows: usize,
    #[serde(with = "serde_bytes")]
    bits: Vec<u8>,
}

impl From<RowSet> for RowSetWire {
    fn from(set: RowSet) -> Self {
        let mut bits: Vec<u8> = set.words.iter().flat_map(|word| word.to_le_bytes()).collect();
        bits.truncate(set.n_rows.div_ceil(8));
        RowSetWire { n_rows: set.n_rows, bits }
    }
}

impl TryFrom<RowSetWire> for RowSet {
    type Error = String;

    fn try_from(wire: RowSetWire) -> Result<Self, Self::Error> {
        let expected = wire.n_rows.div_ceil(8);
        if wire.bits.len() != expected {
            return Err(format!("a row set of {} rows needs {expected} bytes, not {}", wire.n_rows, wire.bits.len()));
        }
        let words = wire
            .bits
            .chunks(8)
            .map(|chunk| {
                let mut bytes = [0u8; 8];
                bytes[..chunk.len()].copy_from_slice(chunk);
                u64::from_le_bytes(bytes)
            })
            .collect();
        let mut set = RowSet { n_rows: wire.n_rows, words };
        set.clear_tail();
        Ok(set)
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_sets_serialise_as_bytes_and_refuse_wrong_lengths() {
        for n_rows in [0, 1, 7, 8, 9, 63, 64, 65, 130] {
            let set = RowSet::from_fn(n_rows, |row| row % 3 == 0 || row == n_rows.saturating_sub(1));
            let json = serde_json::to_string(&set).unwrap();
            let back: RowSet = serde_json::from_str(&json).unwrap();
            assert_eq!(back, set, "{n_rows} rows: {json}");
        }
        let json = serde_json::to_string(&RowSet::from_rows(10, [0, 9])).unwrap();
        assert_eq!(json, r#"{"n_rows":10,"bits":[1,2]}"#);
        let short = serde_json::from_str::<RowSet>(r#"{"n_rows":10,"bits":[1]}"#).unwrap_err();
        assert!(short.to_string().contains("needs 2 bytes, not 1"), "{short}");
        // Bits past n_rows are cleared, so counts stay honest.
        let padded: RowSet = serde_json::from_str(r#"{"n_rows":3,"bits":[255]}"#).unwrap();
        assert_eq!((padded.count(), padded.iter().collect::<Vec<_>>()), (3, vec![0, 1, 2]));
    }
}
