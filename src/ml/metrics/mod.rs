//! Binary-classification metrics over labels and scores: the confusion matrix, ROC and
//! precision-recall curves, ranking metrics for review queues, calibration, and a one-call report.
//!
//! Inputs are `labels: &[bool]` (true = positive) and `scores: &[f64]` (higher = more
//! positive), paired by position. The numbers match scikit-learn's (tests cross-check them),
//! with these rules where scikit-learn raises or warns instead:
//!
//! - **NaN scores rank lowest**, below `-inf`, and tie with each other. At a decision threshold
//!   a NaN score is never `>= threshold`, so it is predicted negative. Infinite scores rank
//!   in their natural order.
//! - **Undefined metrics are errors or `None`, never NaN.** A curve or area that needs both
//!   classes (or at least one positive) returns a [`MetricsError`] when they are missing, and
//!   [`BinaryReport`] turns those into `None`.
//! - **Probability metrics clamp scores to `[0, 1]`** (calibration, Brier), reading NaN as 0.
//! - **Non-finite thresholds serialize as strings** (`"Infinity"`, `"-Infinity"`, `"NaN"`), so
//!   reports stay valid JSON and read back to the same values.
//!
//! Everything sorts the rows once (O(n log n)) and allocates nothing per row beyond that.

mod calibration;
mod curves;
mod json_float;
mod ranking;
mod report;

pub use calibration::{brier_score, calibration_bins, CalibrationBin, MAX_CALIBRATION_BINS};
pub use curves::{
    average_precision, pr_auc, precision_recall_curve, roc_auc, roc_curve, threshold_curves, PrCurve, RocCurve,
    ThresholdCurves,
};
pub use ranking::{lift_at_share, precision_at_k, recall_at_k, top_k_indices, LiftAtShare};
pub use report::{BinaryReport, RankingAtK};

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Why a metric could not be computed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum MetricsError {
    /// `labels` and `scores` differ in length, so rows cannot be paired.
    #[error("there are {n_labels} labels but {n_scores} scores; every row needs one of each")]
    LengthMismatch {
        /// Number of labels given.
        n_labels: usize,
        /// Number of scores given.
        n_scores: usize,
    },
    /// There are no rows at all.
    #[error("there are no rows to evaluate")]
    NoRows,
    /// The metric needs positive and negative rows, and one class is absent.
    #[error("this metric needs both classes, but there are {n_positive} positive and {n_negative} negative rows")]
    OneClassOnly {
        /// Number of positive rows.
        n_positive: usize,
        /// Number of negative rows.
        n_negative: usize,
    },
    /// The metric divides by the number of positives, and there are none.
    #[error("this metric needs at least one positive row, but none of the {n_rows} rows is positive")]
    NoPositives {
        /// Number of rows, all negative.
        n_rows: usize,
    },
    /// More calibration bins were asked for than [`MAX_CALIBRATION_BINS`].
    #[error("{n_bins} calibration bins were asked for, but at most {max_bins} are allowed")]
    TooManyBins {
        /// Number of bins asked for.
        n_bins: usize,
        /// The largest number allowed.
        max_bins: usize,
    },
}

/// Counts of a binary classifier's outcomes at one threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ConfusionMatrix {
    /// Positives predicted positive.
    pub true_positives: usize,
    /// Negatives predicted positive.
    pub false_positives: usize,
    /// Negatives predicted negative.
    pub true_negatives: usize,
    /// Positives predicted negative.
    pub false_negatives: usize,
}

impl ConfusionMatrix {
    /// Tallies binary outcomes; `actual` and `predicted` are paired by position.
    pub fn from_predictions(actual: &[bool], predicted: &[bool]) -> Self {
        let mut matrix = Self::default();
        for (&is_positive, &predicted_positive) in actual.iter().zip(predicted) {
            matrix.add(is_positive, predicted_positive);
        }
        matrix
    }

    /// Tallies the outcomes of predicting positive exactly when `score >= threshold`.
    ///
    /// A NaN score (or a NaN threshold) is never `>= threshold`, so it counts as predicted
    /// negative. Rows are paired by position; extra labels or scores are ignored.
    pub fn at_threshold(labels: &[bool], scores: &[f64], threshold: f64) -> Self {
        let mut matrix = Self::default();
        for (&is_positive, &score) in labels.iter().zip(scores) {
            matrix.add(is_positive, score >= threshold);
        }
        matrix
    }

    /// Number of outcomes counted.
    pub fn total(&self) -> usize {
        self.true_positives + self.false_positives + self.true_negatives + self.false_negatives
    }

    /// Share of correct predictions; 0 when empty.
    pub fn accuracy(&self) -> f64 {
        ratio(self.true_positives + self.true_negatives, self.total())
    }

    /// Share of predicted positives that are positive; 0 when nothing was predicted positive.
    pub fn precision(&self) -> f64 {
        ratio(self.true_positives, self.true_positives + self.false_positives)
    }

    /// Share of positives that were found; 0 when there are no positives.
    pub fn recall(&self) -> f64 {
        ratio(self.true_positives, self.true_positives + self.false_negatives)
    }

    /// Harmonic mean of precision and recall; 0 when both are 0.
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r > 0.0 {
            2.0 * p * r / (p + r)
        } else {
            0.0
        }
    }

    fn add(&mut self, is_positive: bool, predicted_positive: bool) {
        match (is_positive, predicted_positive) {
            (true, true) => self.true_positives += 1,
            (false, true) => self.false_positives += 1,
            (false, false) => self.true_negatives += 1,
            (true, false) => self.false_negatives += 1,
        }
    }
}

/// Checks that every label has a score.
fn check_lengths(labels: &[bool], scores: &[f64]) -> Result<(), MetricsError> {
    if labels.len() == scores.len() {
        Ok(())
    } else {
        Err(MetricsError::LengthMismatch { n_labels: labels.len(), n_scores: scores.len() })
    }
}

fn ratio(numerator: usize, denominator: usize) -> f64 {
    if denominator == 0 {
        0.0
    } else {
        numerator as f64 / denominator as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confusion_counts_and_derived_rates() {
        let actual = [true, true, false, false, true];
        let predicted = [true, false, true, false, true];
        let m = ConfusionMatrix::from_predictions(&actual, &predicted);
        assert_eq!((m.true_positives, m.false_positives, m.true_negatives, m.false_negatives), (2, 1, 1, 1));
        assert!((m.accuracy() - 0.6).abs() < 1e-12);
        assert!((m.precision() - 2.0 / 3.0).abs() < 1e-12);
        assert!((m.recall() - 2.0 / 3.0).abs() < 1e-12);
        assert!((m.f1() - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(ConfusionMatrix::default().accuracy(), 0.0);
    }

    #[test]
    fn confusion_at_threshold_predicts_positive_at_or_above_it_and_nan_as_negative() {
        let labels = [true, false, true, false, true];
        let scores = [0.5, 0.5, 0.4, f64::NAN, f64::NAN];
        let m = ConfusionMatrix::at_threshold(&labels, &scores, 0.5);
        assert_eq!((m.true_positives, m.false_positives, m.true_negatives, m.false_negatives), (1, 1, 1, 2));
        let none_positive = ConfusionMatrix::at_threshold(&labels, &scores, f64::NAN);
        assert_eq!(none_positive.true_positives + none_positive.false_positives, 0);
    }

    #[test]
    fn errors_read_as_sentences() {
        let error = MetricsError::LengthMismatch { n_labels: 3, n_scores: 2 };
        assert_eq!(error.to_string(), "there are 3 labels but 2 scores; every row needs one of each");
        assert_eq!(check_lengths(&[true], &[0.1, 0.2]), Err(MetricsError::LengthMismatch { n_labels: 1, n_scores: 2 }));
        assert_eq!(check_lengths(&[], &[]), Ok(()));
    }
}
