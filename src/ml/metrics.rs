//! Classification metrics over labels and scores: accuracy, confusion matrix, ROC AUC.

use serde::{Deserialize, Serialize};

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
            match (is_positive, predicted_positive) {
                (true, true) => matrix.true_positives += 1,
                (false, true) => matrix.false_positives += 1,
                (false, false) => matrix.true_negatives += 1,
                (true, false) => matrix.false_negatives += 1,
            }
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
}

/// Area under the ROC curve, with tied scores counted as half (as scikit-learn does).
///
/// Returns `None` when only one class is present.
pub fn roc_auc(actual: &[bool], scores: &[f64]) -> Option<f64> {
    let mut order: Vec<usize> = (0..actual.len().min(scores.len())).collect();
    order.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]));
    let n_positive = order.iter().filter(|&&i| actual[i]).count();
    let n_negative = order.len() - n_positive;
    if n_positive == 0 || n_negative == 0 {
        return None;
    }
    // Mann–Whitney U with mid-ranks for ties.
    let mut positive_rank_sum = 0.0;
    let mut start = 0;
    while start < order.len() {
        let mut end = start;
        while end + 1 < order.len() && scores[order[end + 1]] == scores[order[start]] {
            end += 1;
        }
        let mid_rank = (start + end) as f64 / 2.0 + 1.0;
        positive_rank_sum += mid_rank * order[start..=end].iter().filter(|&&i| actual[i]).count() as f64;
        start = end + 1;
    }
    let u = positive_rank_sum - (n_positive * (n_positive + 1)) as f64 / 2.0;
    Some(u / (n_positive * n_negative) as f64)
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
    fn auc_matches_known_values_including_ties() {
        // scikit-learn: roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == 0.75
        assert_eq!(roc_auc(&[false, false, true, true], &[0.1, 0.4, 0.35, 0.8]), Some(0.75));
        // All tied: 0.5.
        assert_eq!(roc_auc(&[false, true, false, true], &[0.5; 4]), Some(0.5));
        assert_eq!(roc_auc(&[true, true], &[0.1, 0.2]), None);
    }
}
