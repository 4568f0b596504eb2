//! Seeded train/test splitting of row indices.

use super::rng::SeededRng;

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

#[cfg(test)]
mod tests {
    use super::*;

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
