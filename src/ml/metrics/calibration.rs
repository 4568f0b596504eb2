//! Calibration of scores read as probabilities: uniform reliability bins over `[0, 1]` (as
//! scikit-learn's `calibration_curve(strategy='uniform')`) and the Brier score.
//!
//! Scores are clamped to `[0, 1]` first, and a NaN score reads as 0 (NaN ranks lowest).

use serde::{Deserialize, Serialize};

use super::{check_lengths, MetricsError};

/// The most calibration bins [`calibration_bins`] accepts, which keeps reports small.
pub const MAX_CALIBRATION_BINS: usize = 10_000;

/// One bin of a reliability diagram: the rows whose clamped score falls in it, their mean
/// score and the share of them that is positive.
///
/// A perfectly calibrated model has `fraction_positive` close to `mean_score` in every bin.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CalibrationBin {
    /// The bin's lower edge.
    pub lower: f64,
    /// The bin's upper edge.
    pub upper: f64,
    /// Rows in the bin.
    pub count: usize,
    /// Mean clamped score of the rows in the bin; `None` when the bin is empty.
    pub mean_score: Option<f64>,
    /// Share of the rows in the bin that are positive; `None` when the bin is empty.
    pub fraction_positive: Option<f64>,
}

/// Splits `[0, 1]` into `n_bins` equal bins and summarises the rows in each, empty bins
/// included (with `count` 0), so a plot can show the gaps.
///
/// Edges are numpy's `linspace(0, 1, n_bins + 1)`, and a score goes where scikit-learn's
/// `searchsorted(edges[1:-1], score)` puts it: the first bin is `[0, upper]` and every other
/// bin is `(lower, upper]`, so a score exactly on an inner edge belongs to the bin below it
/// and a score of exactly 1 to the last bin. Scores are clamped to `[0, 1]` (scikit-learn
/// rejects them instead) and NaN reads as 0. scikit-learn returns only the non-empty bins.
///
/// `n_bins` of 0 gives no bins. Errors when the lengths differ or when `n_bins` exceeds
/// [`MAX_CALIBRATION_BINS`].
pub fn calibration_bins(labels: &[bool], scores: &[f64], n_bins: usize) -> Result<Vec<CalibrationBin>, MetricsError> {
    check_lengths(labels, scores)?;
    if n_bins > MAX_CALIBRATION_BINS {
        return Err(MetricsError::TooManyBins { n_bins, max_bins: MAX_CALIBRATION_BINS });
    }
    if n_bins == 0 {
        return Ok(Vec::new());
    }
    let edges = uniform_edges(n_bins);
    let inner_edges = &edges[1..n_bins];
    let mut bins: Vec<CalibrationBin> = edges
        .windows(2)
        .map(|edge| CalibrationBin {
            lower: edge[0],
            upper: edge[1],
            count: 0,
            mean_score: None,
            fraction_positive: None,
        })
        .collect();
    let mut score_sums = vec![0.0; n_bins];
    let mut positive_counts = vec![0usize; n_bins];
    for (&is_positive, &score) in labels.iter().zip(scores) {
        let probability = as_probability(score);
        let bin_idx = inner_edges.partition_point(|&edge| edge < probability);
        bins[bin_idx].count += 1;
        score_sums[bin_idx] += probability;
        positive_counts[bin_idx] += usize::from(is_positive);
    }
    for ((bin, score_sum), n_positive) in bins.iter_mut().zip(score_sums).zip(positive_counts) {
        if bin.count > 0 {
            bin.mean_score = Some(score_sum / bin.count as f64);
            bin.fraction_positive = Some(n_positive as f64 / bin.count as f64);
        }
    }
    Ok(bins)
}

/// Mean squared difference between the clamped score and the label read as 0 or 1
/// (scikit-learn's `brier_score_loss`); lower is better, and it is always in `[0, 1]`.
///
/// Scores are clamped to `[0, 1]` and NaN reads as 0. Errors when the lengths differ or
/// there are no rows.
pub fn brier_score(labels: &[bool], scores: &[f64]) -> Result<f64, MetricsError> {
    check_lengths(labels, scores)?;
    if labels.is_empty() {
        return Err(MetricsError::NoRows);
    }
    let squared_error_sum: f64 = labels
        .iter()
        .zip(scores)
        .map(|(&is_positive, &score)| {
            let error = f64::from(u8::from(is_positive)) - as_probability(score);
            error * error
        })
        .sum();
    Ok(squared_error_sum / labels.len() as f64)
}

/// `n_bins + 1` edges from 0 to 1, computed as numpy's `linspace` does (`i * (1 / n_bins)`,
/// with the last edge exactly 1), so scores on an edge land where scikit-learn puts them.
fn uniform_edges(n_bins: usize) -> Vec<f64> {
    let step = 1.0 / n_bins as f64;
    (0..=n_bins).map(|edge_idx| if edge_idx == n_bins { 1.0 } else { edge_idx as f64 * step }).collect()
}

/// A score read as a probability: clamped to `[0, 1]`, with NaN as 0.
fn as_probability(score: f64) -> f64 {
    if score.is_nan() {
        0.0
    } else {
        score.clamp(0.0, 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOLERANCE: f64 = 1e-12;

    fn labels(bits: &[u8]) -> Vec<bool> {
        bits.iter().map(|&bit| bit == 1).collect()
    }

    fn counts(bins: &[CalibrationBin]) -> Vec<usize> {
        bins.iter().map(|bin| bin.count).collect()
    }

    /// The non-empty bins' `(fraction_positive, mean_score)`, which is what sklearn returns.
    fn assert_non_empty_bins(bins: &[CalibrationBin], prob_true: &[f64], prob_pred: &[f64]) {
        let non_empty: Vec<&CalibrationBin> = bins.iter().filter(|bin| bin.count > 0).collect();
        assert_eq!(non_empty.len(), prob_true.len());
        for ((bin, &fraction), &mean) in non_empty.iter().zip(prob_true).zip(prob_pred) {
            assert!((bin.fraction_positive.unwrap() - fraction).abs() <= TOLERANCE, "{bin:?} vs {fraction}");
            assert!((bin.mean_score.unwrap() - mean).abs() <= TOLERANCE, "{bin:?} vs {mean}");
        }
    }

    #[test]
    fn clamps_scores_reads_nan_as_zero_and_keeps_empty_bins() {
        let labels = [true, false, true, false, true, false];
        let scores = [-0.5, 1.5, f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 1.0];
        let bins = calibration_bins(&labels, &scores, 3).unwrap();
        assert_eq!(counts(&bins), vec![3, 0, 3]);
        assert_eq!((bins[0].mean_score, bins[0].fraction_positive), (Some(0.0), Some(1.0)));
        assert_eq!((bins[1].mean_score, bins[1].fraction_positive), (None, None));
        assert_eq!((bins[2].mean_score, bins[2].fraction_positive), (Some(1.0), Some(0.0)));
        assert_eq!((bins[0].lower, bins[2].upper), (0.0, 1.0));
        // Clamped: three positives at 0 (error 1 each), three negatives at 1 (error 1 each).
        assert_eq!(brier_score(&labels, &scores), Ok(1.0));
        assert_eq!(calibration_bins(&labels, &scores, 0), Ok(Vec::new()));
        assert_eq!(counts(&calibration_bins(&[], &[], 2).unwrap()), vec![0, 0]);
    }

    #[test]
    fn brier_by_hand() {
        // (1 - 0.8)² + (0 - 0.4)² + (1 - 0.5)² + (0 - 0)² = 0.04 + 0.16 + 0.25 + 0 = 0.45, over 4 rows.
        let brier = brier_score(&[true, false, true, false], &[0.8, 0.4, 0.5, 0.0]).unwrap();
        assert!((brier - 0.1125).abs() <= TOLERANCE);
    }

    #[test]
    fn errors_are_typed() {
        assert_eq!(brier_score(&[], &[]), Err(MetricsError::NoRows));
        assert_eq!(brier_score(&[true], &[]), Err(MetricsError::LengthMismatch { n_labels: 1, n_scores: 0 }));
        assert_eq!(
            calibration_bins(&[true], &[0.5, 0.1], 5),
            Err(MetricsError::LengthMismatch { n_labels: 1, n_scores: 2 })
        );
        assert_eq!(
            calibration_bins(&[true], &[0.5], MAX_CALIBRATION_BINS + 1),
            Err(MetricsError::TooManyBins { n_bins: MAX_CALIBRATION_BINS + 1, max_bins: MAX_CALIBRATION_BINS })
        );
    }

    // Expected values come from scikit-learn 1.9.1 (numpy 2.4.6): `calibration_curve(y, s,
    // n_bins=n, strategy='uniform')` for prob_true / prob_pred, `np.bincount(np.searchsorted(
    // np.linspace(0, 1, n + 1)[1:-1], s), minlength=n)` for the counts, and
    // `brier_score_loss(y, s)`. The scores sit on or near bin edges on purpose: with 10 bins,
    // 0.3 and 0.30000000000000004 (== 3 * 0.1, the edge) both land in bin 2, 0.5 in bin 4 and
    // 0.6 (< 6 * 0.1) in bin 5.
    const CALIBRATION_LABELS: [u8; 12] = [0, 1, 0, 1, 1, 0, 1, 1, 0, 1, 0, 0];
    const CALIBRATION_SCORES: [f64; 12] =
        [0.0, 0.1, 0.3, 0.5, 0.55, 0.7, 1.0, 0.95, 0.2, 0.31, 0.6, 0.30000000000000004];

    #[test]
    fn matches_scikit_learn_calibration_curve() {
        let labels = labels(&CALIBRATION_LABELS);
        let bins = calibration_bins(&labels, &CALIBRATION_SCORES, 5).unwrap();
        assert_eq!(counts(&bins), vec![3, 3, 3, 1, 2]);
        assert_non_empty_bins(
            &bins,
            &[0.3333333333333333, 0.3333333333333333, 0.6666666666666666, 0.0, 1.0],
            &[0.10000000000000002, 0.30333333333333334, 0.5499999999999999, 0.7, 0.975],
        );

        let bins = calibration_bins(&labels, &CALIBRATION_SCORES, 10).unwrap();
        assert_eq!(counts(&bins), vec![2, 1, 2, 1, 1, 2, 1, 0, 0, 2]);
        assert_non_empty_bins(
            &bins,
            &[0.5, 0.0, 0.0, 1.0, 1.0, 0.5, 0.0, 1.0],
            &[0.05, 0.2, 0.30000000000000004, 0.31, 0.5, 0.575, 0.7, 0.975],
        );
        assert_eq!((bins[3].lower, bins[3].upper), (0.30000000000000004, 0.4));

        let bins = calibration_bins(&labels, &CALIBRATION_SCORES, 3).unwrap();
        assert_eq!(counts(&bins), vec![6, 3, 3]);
        assert_non_empty_bins(
            &bins,
            &[0.3333333333333333, 0.6666666666666666, 0.6666666666666666],
            &[0.2016666666666667, 0.5499999999999999, 0.8833333333333333],
        );
    }

    #[test]
    fn matches_scikit_learn_brier_score_loss() {
        let brier = brier_score(&labels(&CALIBRATION_LABELS), &CALIBRATION_SCORES).unwrap();
        assert!((brier - 0.23425833333333332).abs() <= TOLERANCE);
        // y = [1, 0, 1, 0, 1, 0, 0, 1], s = [0.9, 0.9, 0.6, 0.6, 0.6, 0.3, 0.1, 0.1].
        let tied = brier_score(&labels(&[1, 0, 1, 0, 1, 0, 0, 1]), &[0.9, 0.9, 0.6, 0.6, 0.6, 0.3, 0.1, 0.1]).unwrap();
        assert!((tied - 0.30125).abs() <= TOLERANCE);
    }
}
