//! Threshold curves and the areas under them: the ROC curve and ROC AUC, the precision-recall
//! curve, average precision and PR AUC, each matching scikit-learn's function of the same name.

use serde::{Deserialize, Serialize};

use super::ranking::Ranking;
use super::{check_lengths, MetricsError};

/// The ROC curve: one point per distinct score, as scikit-learn's
/// `roc_curve(..., drop_intermediate=False)` returns it.
///
/// Point `i` counts the rows whose score ranks at or above `thresholds[i]` as predicted
/// positive. Point 0 is `(0, 0)` at threshold `+inf`; tied scores form one point; the last
/// point is `(1, 1)`. NaN scores rank lowest, so when there are any, the last threshold is NaN
/// and its point counts every row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RocCurve {
    /// False-positive rate at each threshold, rising from 0 to 1.
    pub fpr: Vec<f64>,
    /// True-positive rate at each threshold, rising from 0 to 1.
    pub tpr: Vec<f64>,
    /// The thresholds, descending: `+inf`, then every distinct score.
    ///
    /// In JSON, non-finite thresholds are the strings `"Infinity"`, `"-Infinity"` and `"NaN"`.
    #[serde(with = "super::json_float::many")]
    pub thresholds: Vec<f64>,
}

/// The precision-recall curve, as scikit-learn's `precision_recall_curve` returns it.
///
/// `thresholds` ascend over the distinct scores, and `precision[i]`, `recall[i]` count the
/// rows scoring at or above `thresholds[i]` as predicted positive. `precision` and `recall`
/// hold one more point than `thresholds`: the final `(precision 1, recall 0)`, which has no
/// threshold. NaN scores rank lowest, so when there are any, the first threshold is NaN and
/// its point counts every row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PrCurve {
    /// Precision at each threshold, ascending by threshold, then 1.
    pub precision: Vec<f64>,
    /// Recall at each threshold (falling as the threshold rises), then 0.
    pub recall: Vec<f64>,
    /// The distinct scores, ascending (NaN first when present).
    ///
    /// In JSON, non-finite thresholds are the strings `"Infinity"`, `"-Infinity"` and `"NaN"`.
    #[serde(with = "super::json_float::many")]
    pub thresholds: Vec<f64>,
}

/// The ROC curve of `scores` against `labels` (see [`RocCurve`]).
///
/// Errors when the lengths differ, when there are no rows, or when one class is absent
/// (scikit-learn warns and returns NaN rates there).
pub fn roc_curve(labels: &[bool], scores: &[f64]) -> Result<RocCurve, MetricsError> {
    check_lengths(labels, scores)?;
    roc_curve_of(&Ranking::new(labels, scores))
}

/// Area under the ROC curve, with tied scores counted as half (as scikit-learn does).
///
/// This is the trapezoid area under [`roc_curve`], which equals the probability that a random
/// positive outranks a random negative (ties counting half). NaN scores rank lowest. Rows are
/// paired by position and extra labels or scores are ignored.
///
/// Returns `None` when only one class is present.
pub fn roc_auc(actual: &[bool], scores: &[f64]) -> Option<f64> {
    let n_rows = actual.len().min(scores.len());
    roc_auc_of(&Ranking::new(&actual[..n_rows], &scores[..n_rows])).ok()
}

/// The precision-recall curve of `scores` against `labels` (see [`PrCurve`]).
///
/// Errors when the lengths differ, when there are no rows, or when there are no positives
/// (scikit-learn warns and sets recall to 1 there).
pub fn precision_recall_curve(labels: &[bool], scores: &[f64]) -> Result<PrCurve, MetricsError> {
    check_lengths(labels, scores)?;
    pr_curve_of(&Ranking::new(labels, scores))
}

/// Average precision, as scikit-learn's `average_precision_score`: the step-wise sum
/// `sum_i (recall_i - recall_{i-1}) * precision_i` over the thresholds, not interpolated.
///
/// Always in `[0, 1]`. Errors like [`precision_recall_curve`]: in particular when there are
/// no positives, where scikit-learn warns and returns 0.
pub fn average_precision(labels: &[bool], scores: &[f64]) -> Result<f64, MetricsError> {
    check_lengths(labels, scores)?;
    average_precision_of(&Ranking::new(labels, scores))
}

/// Trapezoid area under the precision-recall curve, including its final `(recall 0,
/// precision 1)` point, as scikit-learn's `auc(recall, precision)` computes it.
///
/// Errors like [`precision_recall_curve`].
pub fn pr_auc(labels: &[bool], scores: &[f64]) -> Result<f64, MetricsError> {
    check_lengths(labels, scores)?;
    pr_auc_of(&Ranking::new(labels, scores))
}

/// The ROC and precision-recall curves and their areas, from one sort of the rows: each
/// field is what the function of the same name returns ([`roc_curve`], [`roc_auc`],
/// [`precision_recall_curve`], [`average_precision`]), errors included.
#[derive(Debug, Clone, PartialEq)]
pub struct ThresholdCurves {
    /// [`roc_curve`]'s result.
    pub roc: Result<RocCurve, MetricsError>,
    /// [`roc_auc`]'s result.
    pub roc_auc: Option<f64>,
    /// [`precision_recall_curve`]'s result.
    pub pr: Result<PrCurve, MetricsError>,
    /// [`average_precision`]'s result.
    pub average_precision: Result<f64, MetricsError>,
}

/// [`ThresholdCurves`] of `scores` against `labels`, sorting the rows once rather than once
/// per curve (four times as fast on a million scores). Errors only when the lengths differ.
pub fn threshold_curves(labels: &[bool], scores: &[f64]) -> Result<ThresholdCurves, MetricsError> {
    check_lengths(labels, scores)?;
    let ranking = Ranking::new(labels, scores);
    Ok(ThresholdCurves {
        roc: roc_curve_of(&ranking),
        roc_auc: roc_auc_of(&ranking).ok(),
        pr: pr_curve_of(&ranking),
        average_precision: average_precision_of(&ranking),
    })
}

pub(super) fn roc_curve_of(ranking: &Ranking) -> Result<RocCurve, MetricsError> {
    let (n_positive, n_negative) = require_both_classes(ranking)?;
    let mut curve = RocCurve { fpr: vec![0.0], tpr: vec![0.0], thresholds: vec![f64::INFINITY] };
    for step in ranking.steps() {
        curve.fpr.push(step.false_positives as f64 / n_negative as f64);
        curve.tpr.push(step.true_positives as f64 / n_positive as f64);
        curve.thresholds.push(step.threshold);
    }
    Ok(curve)
}

/// Sums the trapezoids in whole counts, so the only rounding is the final division.
pub(super) fn roc_auc_of(ranking: &Ranking) -> Result<f64, MetricsError> {
    let (n_positive, n_negative) = require_both_classes(ranking)?;
    let mut twice_area: u128 = 0;
    let (mut previous_true_positives, mut previous_false_positives) = (0, 0);
    for step in ranking.steps() {
        let width = (step.false_positives - previous_false_positives) as u128;
        twice_area += width * (step.true_positives + previous_true_positives) as u128;
        (previous_true_positives, previous_false_positives) = (step.true_positives, step.false_positives);
    }
    Ok(twice_area as f64 / (2 * n_positive as u128 * n_negative as u128) as f64)
}

pub(super) fn pr_curve_of(ranking: &Ranking) -> Result<PrCurve, MetricsError> {
    let n_positive = require_positives(ranking)?;
    let mut curve = PrCurve { precision: Vec::new(), recall: Vec::new(), thresholds: Vec::new() };
    for step in ranking.steps() {
        curve.precision.push(precision_of(step.true_positives, step.false_positives));
        curve.recall.push(step.true_positives as f64 / n_positive as f64);
        curve.thresholds.push(step.threshold);
    }
    curve.precision.reverse();
    curve.recall.reverse();
    curve.thresholds.reverse();
    curve.precision.push(1.0);
    curve.recall.push(0.0);
    Ok(curve)
}

pub(super) fn average_precision_of(ranking: &Ranking) -> Result<f64, MetricsError> {
    let n_positive = require_positives(ranking)?;
    let mut weighted_precision_sum = 0.0;
    let mut previous_true_positives = 0;
    for step in ranking.steps() {
        let n_new_positives = step.true_positives - previous_true_positives;
        weighted_precision_sum += n_new_positives as f64 * precision_of(step.true_positives, step.false_positives);
        previous_true_positives = step.true_positives;
    }
    Ok(weighted_precision_sum / n_positive as f64)
}

pub(super) fn pr_auc_of(ranking: &Ranking) -> Result<f64, MetricsError> {
    let n_positive = require_positives(ranking)?;
    let mut area = 0.0;
    let (mut previous_recall, mut previous_precision) = (0.0, 1.0);
    for step in ranking.steps() {
        let recall = step.true_positives as f64 / n_positive as f64;
        let precision = precision_of(step.true_positives, step.false_positives);
        area += (recall - previous_recall) * (precision + previous_precision) / 2.0;
        (previous_recall, previous_precision) = (recall, precision);
    }
    Ok(area)
}

/// Precision at a step, where at least one row is predicted positive.
fn precision_of(true_positives: usize, false_positives: usize) -> f64 {
    true_positives as f64 / (true_positives + false_positives) as f64
}

fn require_both_classes(ranking: &Ranking) -> Result<(usize, usize), MetricsError> {
    let (n_positive, n_negative) = (ranking.n_positive(), ranking.n_negative());
    if ranking.n_rows() == 0 {
        Err(MetricsError::NoRows)
    } else if n_positive == 0 || n_negative == 0 {
        Err(MetricsError::OneClassOnly { n_positive, n_negative })
    } else {
        Ok((n_positive, n_negative))
    }
}

fn require_positives(ranking: &Ranking) -> Result<usize, MetricsError> {
    if ranking.n_rows() == 0 {
        Err(MetricsError::NoRows)
    } else if ranking.n_positive() == 0 {
        Err(MetricsError::NoPositives { n_rows: ranking.n_rows() })
    } else {
        Ok(ranking.n_positive())
    }
}

#[cfg(test)]
mod tests {
    use std::cmp::Ordering;

    use super::super::ranking::compare_scores;
    use super::*;
    use crate::ml::SeededRng;

    const TOLERANCE: f64 = 1e-12;

    fn labels(bits: &[u8]) -> Vec<bool> {
        bits.iter().map(|&bit| bit == 1).collect()
    }

    fn assert_all_close(actual: &[f64], expected: &[f64]) {
        assert_eq!(actual.len(), expected.len(), "{actual:?} vs {expected:?}");
        for (a, e) in actual.iter().zip(expected) {
            assert!((a - e).abs() <= TOLERANCE, "{actual:?} vs {expected:?}");
        }
    }

    fn assert_close(actual: f64, expected: f64) {
        assert!((actual - expected).abs() <= TOLERANCE, "{actual} vs {expected}");
    }

    /// sklearn's `auc(x, y)` for monotonic `x`: the trapezoid rule.
    fn trapezoid(x: &[f64], y: &[f64]) -> f64 {
        let area: f64 = x.windows(2).zip(y.windows(2)).map(|(dx, dy)| (dx[1] - dx[0]) * (dy[0] + dy[1]) / 2.0).sum();
        area.abs()
    }

    /// Mann-Whitney: the share of (positive, negative) pairs the positive wins, ties half. O(n²).
    fn brute_force_auc(labels: &[bool], scores: &[f64]) -> Option<f64> {
        let rows = || scores.iter().zip(labels);
        let (mut wins, mut n_pairs) = (0.0, 0usize);
        for (&positive_score, _) in rows().filter(|&(_, &is_positive)| is_positive) {
            for (&negative_score, _) in rows().filter(|&(_, &is_positive)| !is_positive) {
                n_pairs += 1;
                wins += match compare_scores(positive_score, negative_score) {
                    Ordering::Less => 1.0,
                    Ordering::Equal => 0.5,
                    Ordering::Greater => 0.0,
                };
            }
        }
        (n_pairs > 0).then(|| wins / n_pairs as f64)
    }

    #[test]
    fn one_sort_gives_what_each_function_gives() {
        let mut rng = SeededRng::new(21);
        for n_rows in [0usize, 1, 2, 7, 300] {
            for positive_share in [0.0, 0.3, 1.0] {
                let labels: Vec<bool> = (0..n_rows).map(|_| rng.chance(positive_share)).collect();
                // Coarse scores, so ties are common, and some NaN.
                let scores: Vec<f64> = (0..n_rows)
                    .map(|_| if rng.chance(0.05) { f64::NAN } else { (rng.next_f64() * 10.0).floor() / 10.0 })
                    .collect();
                let curves = threshold_curves(&labels, &scores).unwrap();
                let roc = roc_curve(&labels, &scores);
                assert_eq!(curves.roc.is_ok(), roc.is_ok(), "{n_rows} rows, {positive_share}");
                if let (Ok(a), Ok(b)) = (&curves.roc, &roc) {
                    assert_eq!(format!("{a:?}"), format!("{b:?}"));
                }
                let pr = precision_recall_curve(&labels, &scores);
                assert_eq!(curves.pr.is_ok(), pr.is_ok());
                if let (Ok(a), Ok(b)) = (&curves.pr, &pr) {
                    assert_eq!(format!("{a:?}"), format!("{b:?}"));
                }
                assert_eq!(curves.roc_auc.map(f64::to_bits), roc_auc(&labels, &scores).map(f64::to_bits));
                assert_eq!(
                    curves.average_precision.as_ref().ok().map(|v| v.to_bits()),
                    average_precision(&labels, &scores).ok().map(f64::to_bits)
                );
            }
        }
        assert!(threshold_curves(&[true], &[]).is_err());
    }

    #[test]
    fn small_tied_case_by_hand() {
        // Scores 0.5 hold one positive and one negative, as do scores 0.2.
        let (labels, scores) = ([true, false, true, false], [0.5, 0.5, 0.2, 0.2]);
        let roc = roc_curve(&labels, &scores).unwrap();
        assert_eq!(roc.fpr, vec![0.0, 0.5, 1.0]);
        assert_eq!(roc.tpr, vec![0.0, 0.5, 1.0]);
        assert_eq!(roc.thresholds, vec![f64::INFINITY, 0.5, 0.2]);
        assert_eq!(roc_auc(&labels, &scores), Some(0.5));
        let pr = precision_recall_curve(&labels, &scores).unwrap();
        assert_eq!(pr.precision, vec![0.5, 0.5, 1.0]);
        assert_eq!(pr.recall, vec![1.0, 0.5, 0.0]);
        assert_eq!(pr.thresholds, vec![0.2, 0.5]);
        // AP = 0.5 * 0.5 + 0.5 * 0.5; PR AUC = 0.5 * (1 + 0.5) / 2 + 0.5 * (0.5 + 0.5) / 2.
        assert_eq!(average_precision(&labels, &scores), Ok(0.5));
        assert_eq!(pr_auc(&labels, &scores), Ok(0.625));
    }

    #[test]
    fn auc_matches_known_values_including_ties() {
        // scikit-learn: roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == 0.75
        assert_eq!(roc_auc(&[false, false, true, true], &[0.1, 0.4, 0.35, 0.8]), Some(0.75));
        // All tied: 0.5.
        assert_eq!(roc_auc(&[false, true, false, true], &[0.5; 4]), Some(0.5));
        assert_eq!(roc_auc(&[true, true], &[0.1, 0.2]), None);
        assert_eq!(roc_auc(&[], &[]), None);
        // Extra labels or scores are ignored, as before.
        assert_eq!(roc_auc(&[false, true, true], &[0.1, 0.9]), Some(1.0));
    }

    #[test]
    fn nan_ranks_lowest_and_infinities_rank_in_order() {
        // Ranked: +inf (+), 0.5 (-), -inf (+), NaN (-).
        let (labels, scores) = ([true, false, true, false], [f64::INFINITY, f64::NAN, f64::NEG_INFINITY, 0.5]);
        let roc = roc_curve(&labels, &scores).unwrap();
        assert_eq!(roc.fpr, vec![0.0, 0.0, 0.5, 0.5, 1.0]);
        assert_eq!(roc.tpr, vec![0.0, 0.5, 0.5, 1.0, 1.0]);
        assert_eq!(&roc.thresholds[..4], &[f64::INFINITY, f64::INFINITY, 0.5, f64::NEG_INFINITY]);
        assert!(roc.thresholds[4].is_nan());
        assert_eq!(roc_auc(&labels, &scores), Some(0.75));
        let pr = precision_recall_curve(&labels, &scores).unwrap();
        assert!(pr.thresholds[0].is_nan());
        assert_eq!(&pr.thresholds[1..], &[f64::NEG_INFINITY, 0.5, f64::INFINITY]);
        assert_eq!(pr.precision, vec![0.5, 2.0 / 3.0, 0.5, 1.0, 1.0]);
        assert_eq!(pr.recall, vec![1.0, 1.0, 0.5, 0.5, 0.0]);
        let json = serde_json::to_string(&roc).unwrap();
        assert!(json.contains(r#""thresholds":["Infinity","Infinity",0.5,"-Infinity","NaN"]"#), "{json}");
        let back: RocCurve = serde_json::from_str(&json).unwrap();
        assert_eq!(back.fpr, roc.fpr);
        assert!(back.thresholds[4].is_nan());
    }

    #[test]
    fn undefined_curves_are_typed_errors() {
        assert_eq!(roc_curve(&[true], &[0.1, 0.2]), Err(MetricsError::LengthMismatch { n_labels: 1, n_scores: 2 }));
        assert_eq!(roc_curve(&[], &[]), Err(MetricsError::NoRows));
        assert_eq!(
            roc_curve(&[true, true], &[0.1, 0.2]),
            Err(MetricsError::OneClassOnly { n_positive: 2, n_negative: 0 })
        );
        assert_eq!(precision_recall_curve(&[], &[]), Err(MetricsError::NoRows));
        assert_eq!(average_precision(&[false, false], &[0.3, 0.1]), Err(MetricsError::NoPositives { n_rows: 2 }));
        assert_eq!(pr_auc(&[false], &[0.3, 0.1]), Err(MetricsError::LengthMismatch { n_labels: 1, n_scores: 2 }));
    }

    // Expected values below come from scikit-learn 1.9.1 (numpy 2.4.6):
    // `roc_curve(y, s, drop_intermediate=False)`, `roc_auc_score(y, s)`,
    // `precision_recall_curve(y, s)`, `average_precision_score(y, s)` and
    // `auc(recall, precision)`, on the `y` and `s` shown in each test.

    #[test]
    fn matches_scikit_learn_on_the_classic_example() {
        let (labels, scores) = (labels(&[0, 0, 1, 1]), [0.1, 0.4, 0.35, 0.8]);
        let roc = roc_curve(&labels, &scores).unwrap();
        assert_all_close(&roc.fpr, &[0.0, 0.0, 0.5, 0.5, 1.0]);
        assert_all_close(&roc.tpr, &[0.0, 0.5, 0.5, 1.0, 1.0]);
        assert_eq!(roc.thresholds, vec![f64::INFINITY, 0.8, 0.4, 0.35, 0.1]);
        assert_close(roc_auc(&labels, &scores).unwrap(), 0.75);
        let pr = precision_recall_curve(&labels, &scores).unwrap();
        assert_all_close(&pr.precision, &[0.5, 0.6666666666666666, 0.5, 1.0, 1.0]);
        assert_all_close(&pr.recall, &[1.0, 1.0, 0.5, 0.5, 0.0]);
        assert_eq!(pr.thresholds, vec![0.1, 0.35, 0.4, 0.8]);
        assert_close(average_precision(&labels, &scores).unwrap(), 0.8333333333333333);
        assert_close(pr_auc(&labels, &scores).unwrap(), 0.7916666666666666);
    }

    #[test]
    fn matches_scikit_learn_with_ties() {
        let labels = labels(&[1, 0, 1, 0, 1, 0, 0, 1]);
        let scores = [0.9, 0.9, 0.6, 0.6, 0.6, 0.3, 0.1, 0.1];
        let roc = roc_curve(&labels, &scores).unwrap();
        assert_all_close(&roc.fpr, &[0.0, 0.25, 0.5, 0.75, 1.0]);
        assert_all_close(&roc.tpr, &[0.0, 0.25, 0.75, 0.75, 1.0]);
        assert_eq!(roc.thresholds, vec![f64::INFINITY, 0.9, 0.6, 0.3, 0.1]);
        assert_close(roc_auc(&labels, &scores).unwrap(), 0.5625);
        let pr = precision_recall_curve(&labels, &scores).unwrap();
        assert_all_close(&pr.precision, &[0.5, 0.5, 0.6, 0.5, 1.0]);
        assert_all_close(&pr.recall, &[1.0, 0.75, 0.75, 0.25, 0.0]);
        assert_eq!(pr.thresholds, vec![0.1, 0.3, 0.6, 0.9]);
        assert_close(average_precision(&labels, &scores).unwrap(), 0.55);
        assert_close(pr_auc(&labels, &scores).unwrap(), 0.5875);
    }

    #[test]
    fn matches_scikit_learn_on_twenty_rows_with_ties() {
        let labels = labels(&[1, 0, 0, 1, 1, 0, 1, 0, 0, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 1]);
        let scores = [
            0.95, 0.8, 0.8, 0.7, 0.65, 0.65, 0.65, 0.5, 0.45, 0.4, 0.4, 0.33, 0.3, 0.25, 0.2, 0.2, 0.1, 0.05, 0.0, 0.0,
        ];
        let roc = roc_curve(&labels, &scores).unwrap();
        #[rustfmt::skip]
        let expected_fpr = [
            0.0, 0.0, 0.18181818181818182, 0.18181818181818182, 0.2727272727272727, 0.36363636363636365,
            0.45454545454545453, 0.5454545454545454, 0.5454545454545454, 0.6363636363636364, 0.7272727272727273,
            0.8181818181818182, 0.8181818181818182, 0.9090909090909091, 1.0,
        ];
        #[rustfmt::skip]
        let expected_tpr = [
            0.0, 0.1111111111111111, 0.1111111111111111, 0.2222222222222222, 0.4444444444444444, 0.4444444444444444,
            0.4444444444444444, 0.5555555555555556, 0.6666666666666666, 0.6666666666666666, 0.6666666666666666,
            0.7777777777777778, 0.8888888888888888, 0.8888888888888888, 1.0,
        ];
        assert_all_close(&roc.fpr, &expected_fpr);
        assert_all_close(&roc.tpr, &expected_tpr);
        assert_eq!(
            roc.thresholds,
            vec![f64::INFINITY, 0.95, 0.8, 0.7, 0.65, 0.5, 0.45, 0.4, 0.33, 0.3, 0.25, 0.2, 0.1, 0.05, 0.0]
        );
        assert_close(roc_auc(&labels, &scores).unwrap(), 0.5303030303030303);
        let pr = precision_recall_curve(&labels, &scores).unwrap();
        #[rustfmt::skip]
        let expected_precision = [
            0.45, 0.4444444444444444, 0.47058823529411764, 0.4375, 0.42857142857142855, 0.46153846153846156, 0.5,
            0.45454545454545453, 0.4444444444444444, 0.5, 0.5714285714285714, 0.5, 0.3333333333333333, 1.0, 1.0,
        ];
        #[rustfmt::skip]
        let expected_recall = [
            1.0, 0.8888888888888888, 0.8888888888888888, 0.7777777777777778, 0.6666666666666666, 0.6666666666666666,
            0.6666666666666666, 0.5555555555555556, 0.4444444444444444, 0.4444444444444444, 0.4444444444444444,
            0.2222222222222222, 0.1111111111111111, 0.1111111111111111, 0.0,
        ];
        assert_all_close(&pr.precision, &expected_precision);
        assert_all_close(&pr.recall, &expected_recall);
        assert_eq!(pr.thresholds, vec![0.0, 0.05, 0.1, 0.2, 0.25, 0.3, 0.33, 0.4, 0.45, 0.5, 0.65, 0.7, 0.8, 0.95]);
        assert_close(average_precision(&labels, &scores).unwrap(), 0.5506100925218573);
        assert_close(pr_auc(&labels, &scores).unwrap(), 0.5276849965575456);
    }

    #[test]
    fn matches_scikit_learn_with_one_class_or_one_row() {
        // All positive, y = [1, 1, 1], s = [0.2, 0.5, 0.5]: sklearn's ROC has NaN false-positive
        // rates and roc_auc_score warns and returns NaN; the PR side is defined.
        let (all_positive, scores) = (labels(&[1, 1, 1]), [0.2, 0.5, 0.5]);
        assert_eq!(roc_auc(&all_positive, &scores), None);
        let pr = precision_recall_curve(&all_positive, &scores).unwrap();
        assert_all_close(&pr.precision, &[1.0, 1.0, 1.0]);
        assert_all_close(&pr.recall, &[1.0, 0.6666666666666666, 0.0]);
        assert_eq!(pr.thresholds, vec![0.2, 0.5]);
        assert_close(average_precision(&all_positive, &scores).unwrap(), 1.0);
        assert_close(pr_auc(&all_positive, &scores).unwrap(), 1.0);

        // All negative, y = [0, 0, 0], s = [0.2, 0.7, 0.7]: sklearn warns and returns AP 0.0 and
        // PR AUC 0.5 from its recall-is-1 convention; recall is undefined, so we refuse.
        let all_negative = labels(&[0, 0, 0]);
        let scores = [0.2, 0.7, 0.7];
        assert_eq!(roc_auc(&all_negative, &scores), None);
        assert_eq!(average_precision(&all_negative, &scores), Err(MetricsError::NoPositives { n_rows: 3 }));
        assert_eq!(pr_auc(&all_negative, &scores), Err(MetricsError::NoPositives { n_rows: 3 }));
        // sklearn's fpr here is [0.0, 0.6666666666666666, 1.0], with NaN true-positive rates.
        assert_eq!(roc_curve(&all_negative, &scores), Err(MetricsError::OneClassOnly { n_positive: 0, n_negative: 3 }));

        // One row, y = [1], s = [0.3].
        let pr = precision_recall_curve(&[true], &[0.3]).unwrap();
        assert_all_close(&pr.precision, &[1.0, 1.0]);
        assert_all_close(&pr.recall, &[1.0, 0.0]);
        assert_eq!(pr.thresholds, vec![0.3]);
        assert_close(average_precision(&[true], &[0.3]).unwrap(), 1.0);
        assert_close(pr_auc(&[true], &[0.3]).unwrap(), 1.0);
        assert_eq!(roc_auc(&[true], &[0.3]), None);
    }

    #[test]
    fn randomized_invariants_hold_on_heavily_tied_data() {
        let mut rng = SeededRng::new(0x5EED_A0C0);
        for _ in 0..300 {
            let n_rows = 1 + rng.index(60);
            let n_levels = 1 + rng.index(8);
            let labels: Vec<bool> = (0..n_rows).map(|_| rng.index(3) == 0).collect();
            let scores: Vec<f64> = (0..n_rows)
                .map(|_| match rng.index(20) {
                    0 => f64::NAN,
                    1 => f64::NEG_INFINITY,
                    _ => rng.index(n_levels) as f64 / n_levels as f64,
                })
                .collect();

            let auc = roc_auc(&labels, &scores);
            let expected = brute_force_auc(&labels, &scores);
            assert_eq!(auc.is_some(), expected.is_some());
            if let (Some(auc), Some(expected)) = (auc, expected) {
                assert_close(auc, expected);
                let roc = roc_curve(&labels, &scores).unwrap();
                assert_close(auc, trapezoid(&roc.fpr, &roc.tpr));
                assert_eq!(
                    (roc.fpr[0], roc.tpr[0], *roc.fpr.last().unwrap(), *roc.tpr.last().unwrap()),
                    (0.0, 0.0, 1.0, 1.0)
                );
            }

            if let Ok(pr) = precision_recall_curve(&labels, &scores) {
                let ap = average_precision(&labels, &scores).unwrap();
                assert!((0.0..=1.0).contains(&ap), "average precision {ap}");
                let area = pr_auc(&labels, &scores).unwrap();
                assert!((0.0..=1.0).contains(&area), "PR AUC {area}");
                assert_close(area, trapezoid(&pr.recall, &pr.precision));
                assert_eq!(pr.precision.len(), pr.thresholds.len() + 1);
                // The step-wise sum read off the curve, as scikit-learn computes it.
                let stepwise: f64 =
                    (0..pr.thresholds.len()).map(|i| (pr.recall[i] - pr.recall[i + 1]) * pr.precision[i]).sum();
                assert_close(ap, stepwise);
            }
        }
    }
}
