//! `BinaryReport`: every binary-classification metric for one set of labels and scores in a
//! single serializable value, which the CLI's `evaluate` command prints.

use serde::{Deserialize, Serialize};

use super::calibration::{brier_score, calibration_bins, CalibrationBin};
use super::curves::{average_precision_of, pr_auc_of, pr_curve_of, roc_auc_of, roc_curve_of, PrCurve, RocCurve};
use super::ranking::Ranking;
use super::{check_lengths, ConfusionMatrix, MetricsError};

/// Every binary-classification metric for one set of labels and scores.
///
/// Metrics that are undefined for the data (an AUC with one class present, a precision with
/// nothing predicted positive, anything on zero rows) are `None`, never NaN, so the report is
/// always valid JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BinaryReport {
    /// Rows evaluated.
    pub n_rows: usize,
    /// Positive rows among them.
    pub n_positive: usize,
    /// The decision threshold: rows with `score >= threshold` are predicted positive.
    ///
    /// In JSON, a non-finite threshold is the string `"Infinity"`, `"-Infinity"` or `"NaN"`.
    #[serde(with = "super::json_float")]
    pub threshold: f64,
    /// Outcomes at the threshold; NaN scores are predicted negative.
    pub confusion: ConfusionMatrix,
    /// Share of correct predictions at the threshold; `None` with no rows.
    pub accuracy: Option<f64>,
    /// Share of predicted positives that are positive; `None` when nothing is predicted positive.
    pub precision: Option<f64>,
    /// Share of positives predicted positive; `None` when there are no positives.
    pub recall: Option<f64>,
    /// `2 tp / (2 tp + fp + fn)`, as scikit-learn's `f1_score`; `None` when there are no
    /// positives and nothing is predicted positive.
    pub f1: Option<f64>,
    /// Area under the ROC curve; `None` unless both classes are present.
    pub roc_auc: Option<f64>,
    /// Step-wise average precision; `None` when there are no positives.
    pub average_precision: Option<f64>,
    /// Trapezoid area under the precision-recall curve; `None` when there are no positives.
    pub pr_auc: Option<f64>,
    /// Brier score of the clamped scores; `None` with no rows.
    pub brier: Option<f64>,
    /// Precision and recall among the top `k` rows, one entry per requested `k`, in request order.
    pub at_k: Vec<RankingAtK>,
    /// Uniform calibration bins over `[0, 1]`, empty bins included.
    pub calibration: Vec<CalibrationBin>,
    /// The ROC curve; `None` unless both classes are present.
    pub roc_curve: Option<RocCurve>,
    /// The precision-recall curve; `None` when there are no positives.
    pub pr_curve: Option<PrCurve>,
}

/// Precision and recall among the `k` highest-scoring rows: what a reviewer working down the
/// queue finds after `k` rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RankingAtK {
    /// The `k` requested.
    pub k: usize,
    /// Rows actually taken: `k` clamped to the number of rows.
    pub n_selected: usize,
    /// Share of positives among the rows taken; 0 when none are taken.
    pub precision: f64,
    /// Share of all positives found among the rows taken; `None` when there are no positives.
    pub recall: Option<f64>,
}

impl BinaryReport {
    /// Computes every metric, sorting the rows once.
    ///
    /// `threshold` sets the confusion matrix and the metrics read from it; `top_ks` lists the
    /// review depths for [`RankingAtK`] (ties broken by lower row index, as
    /// [`top_k_indices`](super::top_k_indices) does); `n_calibration_bins` sets the calibration
    /// bins (0 for none). NaN scores rank lowest and are predicted negative; see the module
    /// docs for the other rules.
    ///
    /// Never panics. Errors only when `labels` and `scores` differ in length or
    /// `n_calibration_bins` exceeds [`MAX_CALIBRATION_BINS`](super::MAX_CALIBRATION_BINS);
    /// empty input gives a report of `None`s.
    pub fn compute(
        labels: &[bool],
        scores: &[f64],
        threshold: f64,
        top_ks: &[usize],
        n_calibration_bins: usize,
    ) -> Result<Self, MetricsError> {
        check_lengths(labels, scores)?;
        let calibration = calibration_bins(labels, scores, n_calibration_bins)?;
        let confusion = ConfusionMatrix::at_threshold(labels, scores, threshold);
        let ranking = Ranking::new(labels, scores);
        let n_positive = ranking.n_positive();
        let at_k = top_ks
            .iter()
            .zip(ranking.positives_in_top(top_ks))
            .map(|(&k, n_hits)| {
                let n_selected = k.min(ranking.n_rows());
                RankingAtK {
                    k,
                    n_selected,
                    precision: if n_selected == 0 { 0.0 } else { n_hits as f64 / n_selected as f64 },
                    recall: (n_positive > 0).then(|| n_hits as f64 / n_positive as f64),
                }
            })
            .collect();
        let ConfusionMatrix { true_positives, false_positives, true_negatives, false_negatives } = confusion;
        Ok(Self {
            n_rows: ranking.n_rows(),
            n_positive,
            threshold,
            confusion,
            accuracy: defined_ratio(true_positives + true_negatives, confusion.total()),
            precision: defined_ratio(true_positives, true_positives + false_positives),
            recall: defined_ratio(true_positives, n_positive),
            f1: defined_ratio(2 * true_positives, 2 * true_positives + false_positives + false_negatives),
            roc_auc: roc_auc_of(&ranking).ok(),
            average_precision: average_precision_of(&ranking).ok(),
            pr_auc: pr_auc_of(&ranking).ok(),
            brier: brier_score(labels, scores).ok(),
            at_k,
            calibration,
            roc_curve: roc_curve_of(&ranking).ok(),
            pr_curve: pr_curve_of(&ranking).ok(),
        })
    }
}

/// `numerator / denominator`, or `None` when the denominator is 0.
fn defined_ratio(numerator: usize, denominator: usize) -> Option<f64> {
    (denominator > 0).then(|| numerator as f64 / denominator as f64)
}

#[cfg(test)]
mod tests {
    use super::super::{precision_at_k, recall_at_k, MAX_CALIBRATION_BINS};
    use super::*;
    use crate::ml::SeededRng;

    #[test]
    fn report_on_a_small_tied_case_by_hand() {
        // Ranked: rows 0 and 1 tie at 0.9 (+, -), row 2 at 0.6 (+), row 3 at 0.2 (-), row 4 NaN (+).
        let labels = [true, false, true, false, true];
        let scores = [0.9, 0.9, 0.6, 0.2, f64::NAN];
        let report = BinaryReport::compute(&labels, &scores, 0.6, &[1, 2, 10, 0], 2).unwrap();
        assert_eq!((report.n_rows, report.n_positive), (5, 3));
        let m = report.confusion;
        assert_eq!((m.true_positives, m.false_positives, m.true_negatives, m.false_negatives), (2, 1, 1, 1));
        assert_eq!(report.accuracy, Some(0.6));
        assert_eq!(report.precision, Some(2.0 / 3.0));
        assert_eq!(report.recall, Some(2.0 / 3.0));
        assert_eq!(report.f1, Some(2.0 / 3.0));
        // Pairs (positive, negative): 0.9 vs 0.9 half, 0.9 vs 0.2 win, 0.6 wins one and loses one,
        // NaN loses both: (0.5 + 1 + 0 + 1 + 0 + 0) / 6.
        assert_eq!(report.roc_auc, Some(2.5 / 6.0));
        // Steps: (tp 1, fp 1), (2, 1), (2, 2), (3, 2): AP = (1 * 1/2 + 1 * 2/3 + 1 * 3/5) / 3.
        let expected_ap = (0.5 + 2.0 / 3.0 + 0.6) / 3.0;
        assert!((report.average_precision.unwrap() - expected_ap).abs() < 1e-12);
        let at_k: Vec<(usize, usize, f64, Option<f64>)> =
            report.at_k.iter().map(|a| (a.k, a.n_selected, a.precision, a.recall)).collect();
        assert_eq!(
            at_k,
            vec![
                (1, 1, 1.0, Some(1.0 / 3.0)),
                (2, 2, 0.5, Some(1.0 / 3.0)),
                (10, 5, 0.6, Some(1.0)),
                (0, 0, 0.0, Some(0.0))
            ]
        );
        // Clamped scores 0.9, 0.9, 0.6 | 0.2, 0 (NaN).
        let counts: Vec<usize> = report.calibration.iter().map(|bin| bin.count).collect();
        assert_eq!(counts, vec![2, 3]);
        assert_eq!(report.roc_curve.as_ref().map(|curve| curve.fpr.len()), Some(5));
        assert_eq!(report.pr_curve.as_ref().map(|curve| curve.thresholds.len()), Some(4));
    }

    #[test]
    fn undefined_metrics_are_none_and_bad_input_is_an_error() {
        let empty = BinaryReport::compute(&[], &[], 0.5, &[3], 4).unwrap();
        assert_eq!(
            (empty.n_rows, empty.accuracy, empty.precision, empty.recall, empty.f1),
            (0, None, None, None, None)
        );
        assert_eq!((empty.roc_auc, empty.average_precision, empty.pr_auc, empty.brier), (None, None, None, None));
        assert_eq!((empty.roc_curve, empty.pr_curve), (None, None));
        assert_eq!(empty.at_k, vec![RankingAtK { k: 3, n_selected: 0, precision: 0.0, recall: None }]);
        assert_eq!(empty.calibration.len(), 4);

        let all_negative = BinaryReport::compute(&[false, false], &[0.7, 0.1], 0.5, &[1], 2).unwrap();
        assert_eq!((all_negative.roc_auc, all_negative.average_precision, all_negative.recall), (None, None, None));
        assert_eq!((all_negative.precision, all_negative.f1), (Some(0.0), Some(0.0)));

        let all_positive = BinaryReport::compute(&[true, true], &[0.7, 0.1], 0.5, &[], 0).unwrap();
        assert_eq!((all_positive.roc_auc, all_positive.average_precision), (None, Some(1.0)));

        assert_eq!(
            BinaryReport::compute(&[true, false], &[0.5], 0.5, &[], 10),
            Err(MetricsError::LengthMismatch { n_labels: 2, n_scores: 1 })
        );
        assert_eq!(
            BinaryReport::compute(&[true], &[0.5], 0.5, &[], usize::MAX),
            Err(MetricsError::TooManyBins { n_bins: usize::MAX, max_bins: MAX_CALIBRATION_BINS })
        );
    }

    #[test]
    fn report_with_non_finite_values_round_trips_through_json() {
        let labels = [true, false, true, false];
        let scores = [f64::INFINITY, f64::NAN, f64::NEG_INFINITY, 0.5];
        let report = BinaryReport::compute(&labels, &scores, f64::INFINITY, &[2], 3).unwrap();
        let json = serde_json::to_string(&report).unwrap();
        assert!(json.contains(r#""threshold":"Infinity""#), "{json}");
        let back: BinaryReport = serde_json::from_str(&json).unwrap();
        // NaN != NaN, so compare the JSON of the round trip instead.
        assert_eq!(serde_json::to_string(&back).unwrap(), json);
        assert_eq!(back.roc_auc, Some(0.75));
    }

    #[test]
    fn report_agrees_with_the_standalone_functions_on_random_data() {
        let mut rng = SeededRng::new(0xE7A1);
        for _ in 0..200 {
            let n_rows = rng.index(50);
            let labels: Vec<bool> = (0..n_rows).map(|_| rng.index(4) == 0).collect();
            let scores: Vec<f64> =
                (0..n_rows).map(|_| if rng.index(15) == 0 { f64::NAN } else { rng.index(7) as f64 / 6.0 }).collect();
            let top_ks: Vec<usize> = (0..4).map(|_| rng.index(n_rows + 5)).collect();
            let report = BinaryReport::compute(&labels, &scores, 0.5, &top_ks, 5).unwrap();
            let n_positive = labels.iter().filter(|&&is_positive| is_positive).count();
            assert_eq!(report.n_positive, n_positive);
            assert_eq!(report.roc_auc, super::super::roc_auc(&labels, &scores));
            assert_eq!(report.average_precision, super::super::average_precision(&labels, &scores).ok());
            for at_k in &report.at_k {
                assert_eq!(Ok(at_k.precision), precision_at_k(&labels, &scores, at_k.k));
                assert_eq!(at_k.recall, recall_at_k(&labels, &scores, at_k.k).ok());
                // precision@k * k == recall@k * n_positive: both count the positives found.
                let found_by_precision = at_k.precision * at_k.n_selected as f64;
                let found_by_recall = at_k.recall.unwrap_or(0.0) * n_positive as f64;
                assert!((found_by_precision - found_by_recall).abs() < 1e-9, "{at_k:?}");
            }
        }
    }
}
