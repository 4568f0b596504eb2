//! Seeded train/test splitting of row indices, by position or by each row's content.

use crate::rng::SeededRng;

/// Row indices of a train/test split.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrainTestSplit {
    /// Rows to learn from, in shuffled order.
    pub train: Vec<usize>,
    /// Rows held out for evaluation, in shuffled order.
    pub test: Vec<usize>,
}

/// Shuffles `0..n_rows` with `seed` and holds out `test_fraction` of them (at least one
/// row on each side when `n_rows >= 2`).
pub fn train_test_split(n_rows: usize, test_fraction: f64, seed: u64) -> TrainTestSplit {
    let mut rows: Vec<usize> = (0..n_rows).collect();
    SeededRng::new(seed).shuffle(&mut rows);
    let fraction = if test_fraction.is_finite() { test_fraction.clamp(0.0, 1.0) } else { 0.2 };
    let mut n_test = (n_rows as f64 * fraction).round() as usize;
    if n_rows >= 2 && fraction > 0.0 {
        n_test = n_test.clamp(1, n_rows - 1);
    }
    let train = rows.split_off(n_test.min(rows.len()));
    TrainTestSplit { train, test: rows }
}

/// [`train_test_split`] decided by each row's content instead of its position: `keys`
/// holds one content key per row (equal rows, equal keys), and both sides list rows in an
/// order fixed by the keys and `seed` alone. Rows given in any order therefore split into
/// the same contents in the same order, so a forest grown on the training side is the same
/// whichever order a file's rows came in. Rows with equal keys are told apart by their
/// occurrence (the first, the second, ...), so repeated rows still split at random.
pub fn keyed_split(keys: &[u64], test_fraction: f64, seed: u64) -> TrainTestSplit {
    let mut rows = content_order(keys, seed);
    let n_rows = rows.len();
    let fraction = if test_fraction.is_finite() { test_fraction.clamp(0.0, 1.0) } else { 0.2 };
    let mut n_test = (n_rows as f64 * fraction).round() as usize;
    if n_rows >= 2 && fraction > 0.0 {
        n_test = n_test.clamp(1, n_rows - 1);
    }
    let train = rows.split_off(n_test.min(n_rows));
    TrainTestSplit { train, test: rows }
}

/// The positions `0..keys.len()` in an order that depends only on the multiset of `keys`
/// and on `seed`: a seeded shuffle of the rows' contents. Equal keys are ranked by their
/// occurrence, and equal rows are interchangeable, so any input order of the same rows
/// gives the same sequence of contents.
pub fn content_order(keys: &[u64], seed: u64) -> Vec<usize> {
    // (key or rank, position) pairs, as the page's results sort them: one compiled sort.
    let position = |row: usize| u32::try_from(row).unwrap_or(u32::MAX);
    let mut ranked: Vec<(u64, u32)> = keys.iter().enumerate().map(|(row, &key)| (key, position(row))).collect();
    ranked.sort_unstable();
    let salt = SeededRng::derive_seed(seed, 0x6b65_7965_645f_7370);
    let mut previous: Option<u64> = None;
    let mut occurrence = 0u64;
    for entry in &mut ranked {
        let key = entry.0;
        occurrence = if previous == Some(key) { occurrence + 1 } else { 0 };
        previous = Some(key);
        entry.0 = SeededRng::derive_seed(key ^ salt, occurrence);
    }
    // A rank is distinct unless two rows share a 64-bit key and occurrence (or their ranks
    // collide); the position then decides, which only reorders rows that look the same.
    ranked.sort_unstable();
    ranked.into_iter().map(|(_, row)| row as usize).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyed_split_follows_the_contents_not_the_positions() {
        let keys: Vec<u64> = (0..1000u64).map(|i| i % 300).collect();
        let split = keyed_split(&keys, 0.25, 4);
        assert_eq!((split.train.len(), split.test.len()), (750, 250));
        let mut all: Vec<usize> = split.train.iter().chain(&split.test).copied().collect();
        all.sort_unstable();
        assert_eq!(all, (0..1000).collect::<Vec<_>>());
        let contents = |split: &TrainTestSplit, keys: &[u64]| -> (Vec<u64>, Vec<u64>) {
            (split.train.iter().map(|&r| keys[r]).collect(), split.test.iter().map(|&r| keys[r]).collect())
        };
        // The same rows reversed and rotated: the same contents on each side, in the same order.
        let mut shuffled = keys.clone();
        shuffled.reverse();
        shuffled.rotate_left(123);
        assert_eq!(contents(&keyed_split(&shuffled, 0.25, 4), &shuffled), contents(&split, &keys));
        assert_ne!(contents(&keyed_split(&keys, 0.25, 5), &keys), contents(&split, &keys));
        // Repeats of one row do not fall on one side together.
        let repeats: Vec<u64> = (0..100u64).map(|i| 7 + i / 50).collect();
        let split = keyed_split(&repeats, 0.5, 1);
        for side in [&split.train, &split.test] {
            assert!(side.iter().any(|&r| repeats[r] == 7) && side.iter().any(|&r| repeats[r] == 8));
        }
        assert!(keyed_split(&[], 0.2, 1).train.is_empty());
    }

    #[test]
    fn split_is_a_seeded_partition() {
        let split = train_test_split(1000, 0.2, 9);
        assert_eq!((split.train.len(), split.test.len()), (800, 200));
        let mut all: Vec<usize> = split.train.iter().chain(&split.test).copied().collect();
        all.sort_unstable();
        assert_eq!(all, (0..1000).collect::<Vec<_>>());
        assert_eq!(split, train_test_split(1000, 0.2, 9));
        assert_ne!(split, train_test_split(1000, 0.2, 10));
        assert_eq!(train_test_split(2, 0.0, 1).test.len(), 0, "no hold-out when asked for none");
        assert_eq!(train_test_split(2, 0.01, 1).test.len(), 1, "a small fraction still holds one row out");
    }
}
