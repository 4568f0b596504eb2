//! The ranking order every metric shares (descending score, NaN last, ties by lower row index),
//! the sorted rows with their cumulative counts per threshold, and top-k metrics for review queues.

use std::cmp::Ordering;

use super::{check_lengths, MetricsError};

/// Indices of the `k` highest-scoring rows, best first.
///
/// Rows are ranked by descending score; NaN scores rank last (below `-inf`), and equal
/// scores (including `0.0` and `-0.0`, or two NaNs) are broken by the lower row index first,
/// so the result is deterministic. A `k` larger than `scores.len()` returns every row.
///
/// Runs in O(n + k log k): it selects the top `k` and sorts only those.
pub fn top_k_indices(scores: &[f64], k: usize) -> Vec<usize> {
    let mut top = top_k_unordered(scores, k);
    top.sort_unstable_by(|&a, &b| compare_rows(scores, a, b));
    top
}

/// Share of positives among the top `k` rows (as ranked by [`top_k_indices`]).
///
/// A `k` larger than the number of rows is clamped to it; a clamped `k` of 0 gives 0.
/// Errors when `labels` and `scores` differ in length.
pub fn precision_at_k(labels: &[bool], scores: &[f64], k: usize) -> Result<f64, MetricsError> {
    check_lengths(labels, scores)?;
    let top = top_k_unordered(scores, k);
    let n_hits = top.iter().filter(|&&row_idx| labels[row_idx]).count();
    Ok(if top.is_empty() { 0.0 } else { n_hits as f64 / top.len() as f64 })
}

/// Share of all positives found among the top `k` rows (as ranked by [`top_k_indices`]).
///
/// A `k` larger than the number of rows is clamped to it. Errors when `labels` and `scores`
/// differ in length, or when there are no positives (recall is then undefined).
pub fn recall_at_k(labels: &[bool], scores: &[f64], k: usize) -> Result<f64, MetricsError> {
    check_lengths(labels, scores)?;
    let n_positive = labels.iter().filter(|&&is_positive| is_positive).count();
    if n_positive == 0 {
        return Err(MetricsError::NoPositives { n_rows: labels.len() });
    }
    let n_hits = top_k_unordered(scores, k).iter().filter(|&&row_idx| labels[row_idx]).count();
    Ok(n_hits as f64 / n_positive as f64)
}

/// What the top share of rows by score holds, against all rows: the backtest line of a
/// ranking ("the top decile holds 5.2 times the base rate").
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LiftAtShare {
    /// The share of rows taken from the top (0.1 for the top decile).
    pub share: f64,
    /// Rows in the top share (at least one).
    pub n_top: usize,
    /// Positives among them.
    pub n_top_positive: usize,
    /// The positive rate of all rows.
    pub base_rate: f64,
    /// The top share's positive rate over the base rate.
    pub lift: f64,
}

/// [`LiftAtShare`] of the top `share` of rows (rounded up, at least one row). Errors when
/// the lengths differ or there is no positive (the lift is then undefined).
pub fn lift_at_share(labels: &[bool], scores: &[f64], share: f64) -> Result<LiftAtShare, MetricsError> {
    check_lengths(labels, scores)?;
    let n_positive = labels.iter().filter(|&&is_positive| is_positive).count();
    if n_positive == 0 {
        return Err(MetricsError::NoPositives { n_rows: labels.len() });
    }
    let share = if share.is_finite() { share.clamp(0.0, 1.0) } else { 0.1 };
    let n_top = ((labels.len() as f64 * share).ceil() as usize).clamp(1, labels.len());
    // The curves' ranking (one sort the page already has), not a selection.
    let n_top_positive = Ranking::new(labels, scores).positives_in_top(&[n_top]).first().copied().unwrap_or(0);
    let base_rate = n_positive as f64 / labels.len() as f64;
    let lift = n_top_positive as f64 / n_top as f64 / base_rate;
    Ok(LiftAtShare { share, n_top, n_top_positive, base_rate, lift })
}

/// Orders two scores for ranking: `Less` means `a` ranks before (above) `b`.
///
/// Descending, with every NaN after every number and NaNs equal to each other; `0.0` and
/// `-0.0` are equal, as they are to `>=`.
pub(super) fn compare_scores(a: f64, b: f64) -> Ordering {
    match (a.is_nan(), b.is_nan()) {
        (false, false) => b.partial_cmp(&a).unwrap_or(Ordering::Equal),
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
    }
}

/// One row, placed in ranking order.
#[derive(Debug, Clone, Copy)]
pub(super) struct RankedRow {
    pub(super) score: f64,
    pub(super) is_positive: bool,
    /// Position in the input, which breaks ties.
    pub(super) row_idx: usize,
}

/// Cumulative counts over all rows whose score ranks at or above `threshold`: one point of a
/// curve, taken at the end of a group of tied scores.
#[derive(Debug, Clone, Copy)]
pub(super) struct ThresholdStep {
    /// The tied score of the group (`-0.0` reads as `0.0`; NaN for the NaN group).
    pub(super) threshold: f64,
    /// Positives ranked at or above the threshold.
    pub(super) true_positives: usize,
    /// Negatives ranked at or above the threshold.
    pub(super) false_positives: usize,
}

/// The rows sorted once into ranking order (descending score, NaN last, lower index first
/// among ties), which every curve, area and top-k count reads from.
#[derive(Debug, Clone)]
pub(super) struct Ranking {
    rows: Vec<RankedRow>,
    n_positive: usize,
}

impl Ranking {
    /// Sorts the rows; `labels` and `scores` are paired by position (the caller checks lengths).
    pub(super) fn new(labels: &[bool], scores: &[f64]) -> Self {
        let mut rows: Vec<RankedRow> = labels
            .iter()
            .zip(scores)
            .enumerate()
            .map(|(row_idx, (&is_positive, &score))| RankedRow { score, is_positive, row_idx })
            .collect();
        rows.sort_unstable_by(|a, b| compare_scores(a.score, b.score).then(a.row_idx.cmp(&b.row_idx)));
        let n_positive = rows.iter().filter(|row| row.is_positive).count();
        Self { rows, n_positive }
    }

    pub(super) fn n_rows(&self) -> usize {
        self.rows.len()
    }

    pub(super) fn n_positive(&self) -> usize {
        self.n_positive
    }

    pub(super) fn n_negative(&self) -> usize {
        self.rows.len() - self.n_positive
    }

    /// One step per distinct score, from the highest score down (NaN group last).
    pub(super) fn steps(&self) -> impl Iterator<Item = ThresholdStep> + '_ {
        let (mut true_positives, mut false_positives) = (0, 0);
        self.rows.chunk_by(|a, b| compare_scores(a.score, b.score) == Ordering::Equal).map(move |group| {
            let n_group_positive = group.iter().filter(|row| row.is_positive).count();
            true_positives += n_group_positive;
            false_positives += group.len() - n_group_positive;
            // Adding 0.0 turns -0.0 into 0.0 and leaves every other value alone.
            ThresholdStep { threshold: group[0].score + 0.0, true_positives, false_positives }
        })
    }

    /// Positives among the top `k` rows, for each `k` in `top_ks` (each clamped to the row count).
    ///
    /// One pass over the rows, after sorting the requests.
    pub(super) fn positives_in_top(&self, top_ks: &[usize]) -> Vec<usize> {
        let mut request_order: Vec<usize> = (0..top_ks.len()).collect();
        request_order.sort_unstable_by_key(|&request_idx| top_ks[request_idx]);
        let mut n_hits_by_request = vec![0; top_ks.len()];
        let (mut n_seen, mut n_hits) = (0, 0);
        for request_idx in request_order {
            let k = top_ks[request_idx].min(self.rows.len());
            n_hits += self.rows[n_seen..k.max(n_seen)].iter().filter(|row| row.is_positive).count();
            n_seen = n_seen.max(k);
            n_hits_by_request[request_idx] = n_hits;
        }
        n_hits_by_request
    }
}

/// Orders row indices by their scores, ties by lower index: a total order.
fn compare_rows(scores: &[f64], a: usize, b: usize) -> Ordering {
    compare_scores(scores[a], scores[b]).then(a.cmp(&b))
}

/// The set of the top `k` rows (clamped to the row count), in no particular order. O(n).
fn top_k_unordered(scores: &[f64], k: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    let k = k.min(order.len());
    if k > 0 && k < order.len() {
        order.select_nth_unstable_by(k - 1, |&a, &b| compare_rows(scores, a, b));
    }
    order.truncate(k);
    order
}

#[cfg(test)]
mod lift_tests {
    use super::*;

    #[test]
    fn lift_compares_the_top_share_with_every_row() {
        // 20 rows, 4 positive (base rate 0.2); the top two by score (rows 0 and 5) are both positive.
        let labels: Vec<bool> = (0..20).map(|i| i % 5 == 0).collect();
        let scores: Vec<f64> = (0..20).map(|i| if i == 5 { 0.99 } else { 1.0 - i as f64 / 20.0 }).collect();
        let lift = lift_at_share(&labels, &scores, 0.1).unwrap();
        assert_eq!((lift.n_top, lift.n_top_positive), (2, 2));
        assert!((lift.lift - 5.0).abs() < 1e-12, "{lift:?}");
        let reversed: Vec<f64> = scores.iter().map(|s| -s).collect();
        assert_eq!(lift_at_share(&labels, &reversed, 0.1).unwrap().n_top_positive, 0);
        assert!(lift_at_share(&[false, false], &[0.1, 0.2], 0.1).is_err());
        assert_eq!(lift_at_share(&[true], &[0.5], 0.1).unwrap().n_top, 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ml::SeededRng;

    #[test]
    fn top_k_breaks_ties_by_lower_index_and_ranks_nan_last() {
        let scores = [0.5, f64::NAN, 0.9, 0.5, f64::NEG_INFINITY, 0.9, f64::INFINITY, -0.0, 0.0];
        assert_eq!(top_k_indices(&scores, 100), vec![6, 2, 5, 0, 3, 7, 8, 4, 1]);
        assert_eq!(top_k_indices(&scores, 3), vec![6, 2, 5]);
        assert_eq!(top_k_indices(&scores, 4), vec![6, 2, 5, 0]);
        assert_eq!(top_k_indices(&scores, 0), Vec::<usize>::new());
        assert_eq!(top_k_indices(&[], 5), Vec::<usize>::new());
        assert_eq!(top_k_indices(&[f64::NAN, f64::NAN], 1), vec![0]);
    }

    #[test]
    fn top_k_agrees_with_a_full_stable_sort() {
        let mut rng = SeededRng::new(7);
        for _ in 0..200 {
            let n_rows = rng.index(40);
            let scores: Vec<f64> =
                (0..n_rows).map(|_| if rng.index(8) == 0 { f64::NAN } else { rng.index(6) as f64 / 5.0 }).collect();
            let mut expected: Vec<usize> = (0..n_rows).collect();
            // A stable sort keeps lower indices first among ties.
            expected.sort_by(|&a, &b| compare_scores(scores[a], scores[b]));
            let k = rng.index(n_rows + 3);
            expected.truncate(k);
            assert_eq!(top_k_indices(&scores, k), expected);
        }
    }

    #[test]
    fn precision_and_recall_at_k_by_hand() {
        // Ranked: row 2 (0.9, +), row 0 (0.8, -), row 3 (0.8, +), row 1 (0.1, +), row 4 (NaN, -).
        let labels = [false, true, true, true, false];
        let scores = [0.8, 0.1, 0.9, 0.8, f64::NAN];
        assert_eq!(precision_at_k(&labels, &scores, 1), Ok(1.0));
        assert_eq!(precision_at_k(&labels, &scores, 2), Ok(0.5));
        assert_eq!(recall_at_k(&labels, &scores, 2), Ok(1.0 / 3.0));
        assert_eq!(precision_at_k(&labels, &scores, 4), Ok(0.75));
        assert_eq!(recall_at_k(&labels, &scores, 4), Ok(1.0));
        // k clamps to the row count; k = 0 gives precision 0.
        assert_eq!(precision_at_k(&labels, &scores, 50), Ok(0.6));
        assert_eq!(recall_at_k(&labels, &scores, 50), Ok(1.0));
        assert_eq!(precision_at_k(&labels, &scores, 0), Ok(0.0));
        assert_eq!(recall_at_k(&labels, &scores, 0), Ok(0.0));
        assert_eq!(precision_at_k(&[], &[], 3), Ok(0.0));
    }

    #[test]
    fn at_k_errors_are_typed() {
        assert_eq!(precision_at_k(&[true], &[], 1), Err(MetricsError::LengthMismatch { n_labels: 1, n_scores: 0 }));
        assert_eq!(recall_at_k(&[false, false], &[0.3, 0.2], 1), Err(MetricsError::NoPositives { n_rows: 2 }));
        assert_eq!(recall_at_k(&[], &[], 1), Err(MetricsError::NoPositives { n_rows: 0 }));
    }

    #[test]
    fn steps_group_ties_and_put_nan_last() {
        let labels = [true, false, true, false, true];
        let scores = [-0.0, 0.0, f64::NAN, 2.0, f64::NAN];
        let ranking = Ranking::new(&labels, &scores);
        let steps: Vec<(f64, usize, usize)> =
            ranking.steps().map(|s| (s.threshold, s.true_positives, s.false_positives)).collect();
        assert_eq!(steps.len(), 3);
        assert_eq!(steps[0], (2.0, 0, 1));
        assert_eq!((steps[1].0.to_bits(), steps[1].1, steps[1].2), (0.0f64.to_bits(), 1, 2));
        assert!(steps[2].0.is_nan());
        assert_eq!((steps[2].1, steps[2].2), (3, 2));
        assert_eq!(ranking.positives_in_top(&[5, 0, 2, 9, 1, 2]), vec![3, 0, 1, 3, 0, 1]);
    }
}
