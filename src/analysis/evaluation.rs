//! Evaluation of a trained model on its held-out claims: headline metrics, the confusion
//! matrix, ROC and PR curves, the score histogram by class, calibration, and global
//! importance (impurity and mean |SHAP|, with a beeswarm sample).

use serde::{Deserialize, Serialize};

use std::collections::BTreeSet;

use crate::ml::metrics::{calibration_bins, threshold_curves, CalibrationBin, ConfusionMatrix};
use crate::ml::shap::ShapValues;
use crate::ml::{FeatureMatrix, SeededRng};
use crate::pipeline::{Algorithm, ScoringModel};
use crate::sorting::{sort_stable_by, stable_order};

/// The most points of a downsampled ROC or PR curve.
pub const MAX_CURVE_POINTS: usize = 200;
/// Bins of the score histogram.
pub const HISTOGRAM_BINS: usize = 20;
/// Bins of the calibration plot.
pub const CALIBRATION_BINS: usize = 10;
/// Features in the beeswarm.
pub const BEESWARM_FEATURES: usize = 10;

/// Headline metrics at the decision threshold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeadlineMetrics {
    /// Accuracy.
    pub accuracy: f64,
    /// Precision.
    pub precision: f64,
    /// Recall.
    pub recall: f64,
    /// F1.
    pub f1: f64,
    /// ROC AUC (None with one class only).
    pub roc_auc: Option<f64>,
    /// PR AUC as average precision (None without positives).
    pub pr_auc: Option<f64>,
    /// The threshold the confusion matrix uses.
    pub threshold: f64,
    /// Claims evaluated.
    pub n_evaluated: usize,
    /// Whether these are held-out claims (false: every claim, e.g. an isolation forest).
    pub held_out: bool,
    /// What the top tenth by score holds against all evaluated rows: the backtest sentence.
    #[serde(default)]
    pub backtest: Option<String>,
}

/// Score counts in equal-width bins of [0, 1], by class. Bins are `[lower, upper)` except
/// the last, which includes 1; scores are clamped to [0, 1] and NaN scores are not counted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoreHistogram {
    /// Bin edges, n_bins + 1 of them.
    pub edges: Vec<f64>,
    /// Negatives per bin.
    pub negatives: Vec<usize>,
    /// Positives per bin.
    pub positives: Vec<usize>,
}

/// One point of a beeswarm: a claim's SHAP value for a feature, coloured by the feature value.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BeeswarmPoint {
    /// Index into `Beeswarm::features`.
    pub feature: u16,
    /// The SHAP value.
    pub shap: f64,
    /// The feature value's rank among the sample, in [0, 1]; None when missing.
    pub value_rank: Option<f64>,
}

/// SHAP values of a sample of claims for the top features.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Beeswarm {
    /// The features shown, largest mean |SHAP| first.
    pub features: Vec<String>,
    /// The points.
    pub points: Vec<BeeswarmPoint>,
}

/// A (name, value) pair for bar charts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NamedValue {
    /// The name.
    pub name: String,
    /// The value.
    pub value: f64,
}

/// Everything the evaluation panel shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    /// Headline metrics (None without labels).
    pub metrics: Option<HeadlineMetrics>,
    /// Confusion matrix at the threshold (None without labels).
    pub confusion: Option<ConfusionMatrix>,
    /// ROC curve as (false positive rate, true positive rate), from (0, 0) to (1, 1), at most
    /// [`MAX_CURVE_POINTS`] points (evenly spaced along the full curve, ends kept). Empty
    /// without both classes.
    pub roc: Vec<(f64, f64)>,
    /// PR curve as (recall, precision) by rising recall, from (0, 1), at most
    /// [`MAX_CURVE_POINTS`] points. Empty without positives.
    pub pr: Vec<(f64, f64)>,
    /// Score histogram by class (all negatives when there are no labels).
    pub histogram: ScoreHistogram,
    /// Calibration bins, all 10 including empty ones (random forests with labels only).
    pub calibration: Vec<CalibrationBin>,
    /// Impurity importance, largest first, ties in feature order (random forests only).
    pub impurity_importance: Vec<NamedValue>,
    /// Mean |SHAP| over the explained sample, largest first, ties in feature order.
    /// [`evaluate`] leaves it empty: the sample is its own request, summarised by
    /// [`summarise_shap`], and the page fills it in when it arrives.
    pub mean_abs_shap: Vec<NamedValue>,
    /// The beeswarm of the top features.
    pub beeswarm: Beeswarm,
}

/// What to evaluate.
pub struct EvaluationInput<'a> {
    /// The model.
    pub model: &'a ScoringModel,
    /// Scores of every claim (table order).
    pub scores: &'a [f64],
    /// Labels of every claim, when known.
    pub labels: Option<&'a [bool]>,
    /// Which claims were held out; None evaluates every claim.
    pub is_test_row: Option<&'a [bool]>,
}

/// Computes the evaluation. Never panics; without labels (or without evaluated claims) the
/// metrics, confusion matrix, curves and calibration are empty, and single-class inputs give
/// `None` for the areas that need both classes (ROC AUC) or positives (PR AUC).
///
/// The evaluated claims are the held-out ones (`is_test_row` true) when there are any, else
/// every claim (`held_out` false). The claims are the longer of `scores` and `labels`; a
/// missing score is NaN and a missing label or `is_test_row` entry is false. A claim is
/// predicted positive when its score is at or above `model.threshold()`.
pub fn evaluate(input: &EvaluationInput<'_>) -> Evaluation {
    let model = input.model;
    let n_rows = input.scores.len().max(input.labels.map_or(0, <[bool]>::len));
    let held_out_rows: Vec<usize> = match input.is_test_row {
        Some(is_test_row) => (0..n_rows).filter(|&row| is_test_row.get(row).copied().unwrap_or(false)).collect(),
        None => Vec::new(),
    };
    let held_out = !held_out_rows.is_empty();
    let rows: Vec<usize> = if held_out { held_out_rows } else { (0..n_rows).collect() };
    let scores: Vec<f64> = rows.iter().map(|&row| input.scores.get(row).copied().unwrap_or(f64::NAN)).collect();
    let labels: Option<Vec<bool>> =
        input.labels.map(|labels| rows.iter().map(|&row| labels.get(row).copied().unwrap_or(false)).collect());
    let threshold = model.threshold();
    let is_forest = matches!(model.algorithm(), Algorithm::RandomForest { .. });

    let mut evaluation = Evaluation {
        metrics: None,
        confusion: None,
        roc: Vec::new(),
        pr: Vec::new(),
        histogram: histogram(&scores, labels.as_deref()),
        calibration: Vec::new(),
        impurity_importance: impurity_importance(model),
        mean_abs_shap: Vec::new(),
        beeswarm: Beeswarm::default(),
    };
    if let Some(labels) = labels.as_deref().filter(|labels| !labels.is_empty()) {
        let confusion = ConfusionMatrix::at_threshold(labels, &scores, threshold);
        // One sort of the rows serves both curves and both areas.
        let curves = threshold_curves(labels, &scores).ok();
        evaluation.metrics = Some(HeadlineMetrics {
            accuracy: confusion.accuracy(),
            precision: confusion.precision(),
            recall: confusion.recall(),
            f1: confusion.f1(),
            roc_auc: curves.as_ref().and_then(|curves| curves.roc_auc),
            pr_auc: curves.as_ref().and_then(|curves| curves.average_precision.as_ref().ok().copied()),
            threshold,
            n_evaluated: rows.len(),
            held_out,
            backtest: crate::ml::metrics::lift_at_share(labels, &scores, 0.1).ok().map(|top| backtest_sentence(&top)),
        });
        evaluation.confusion = Some(confusion);
        let (roc, pr) = curves.map_or((None, None), |curves| (curves.roc.ok(), curves.pr.ok()));
        if let Some(curve) = roc {
            evaluation.roc = downsample(curve.fpr.into_iter().zip(curve.tpr).collect());
        }
        if let Some(curve) = pr {
            let mut points: Vec<(f64, f64)> = curve.recall.into_iter().zip(curve.precision).collect();
            points.reverse();
            evaluation.pr = downsample(points);
        }
        if is_forest {
            evaluation.calibration = calibration_bins(labels, &scores, CALIBRATION_BINS).unwrap_or_default();
        }
    }
    evaluation
}

/// "Backtest: the top tenth by score (8) holds 8 positives, 100%: 5.33× the base rate of 18.8%."
pub fn backtest_sentence(top: &crate::ml::metrics::LiftAtShare) -> String {
    format!(
        "Backtest: the top tenth by score ({}) holds {} positives, {:.1}%: {:.2}× the base rate of {:.1}%.",
        super::format_count(top.n_top),
        super::format_count(top.n_top_positive),
        100.0 * top.n_top_positive as f64 / top.n_top as f64,
        top.lift,
        100.0 * top.base_rate
    )
}

/// At most [`MAX_CURVE_POINTS`] points, evenly spaced by index, first and last kept.
fn downsample(points: Vec<(f64, f64)>) -> Vec<(f64, f64)> {
    let n_points = points.len();
    if n_points <= MAX_CURVE_POINTS {
        return points;
    }
    // 64-bit arithmetic, so the products cannot overflow on wasm32.
    let last = (n_points - 1) as u64;
    let steps = (MAX_CURVE_POINTS - 1) as u64;
    (0..MAX_CURVE_POINTS as u64).filter_map(|idx| points.get((idx * last / steps) as usize).copied()).collect()
}

/// Scores in [0, 1] counted in equal bins, by class when `labels` are given (a missing
/// label counts as negative; NaN scores are left out).
pub fn histogram(scores: &[f64], labels: Option<&[bool]>) -> ScoreHistogram {
    let edges: Vec<f64> = (0..=HISTOGRAM_BINS).map(|idx| idx as f64 / HISTOGRAM_BINS as f64).collect();
    let inner_edges = edges.get(1..HISTOGRAM_BINS).unwrap_or(&[]);
    let mut negatives = vec![0usize; HISTOGRAM_BINS];
    let mut positives = vec![0usize; HISTOGRAM_BINS];
    for (position, &score) in scores.iter().enumerate() {
        if score.is_nan() {
            continue;
        }
        let bin = inner_edges.partition_point(|&edge| edge <= score);
        let is_positive = labels.and_then(|labels| labels.get(position)).copied().unwrap_or(false);
        let counts = if is_positive { &mut positives } else { &mut negatives };
        if let Some(count) = counts.get_mut(bin) {
            *count += 1;
        }
    }
    ScoreHistogram { edges, negatives, positives }
}

fn impurity_importance(model: &ScoringModel) -> Vec<NamedValue> {
    match model.algorithm() {
        Algorithm::RandomForest { forest, .. } => {
            sorted_named(forest.feature_names().iter().cloned().zip(forest.feature_importances().iter().copied()))
        }
        Algorithm::IsolationForest { .. } => Vec::new(),
    }
}

/// Named values, largest first, ties in their given order.
fn sorted_named(pairs: impl Iterator<Item = (String, f64)>) -> Vec<NamedValue> {
    let mut named: Vec<NamedValue> = pairs.map(|(name, value)| NamedValue { name, value }).collect();
    sort_stable_by(&mut named, &|a, b| b.value.total_cmp(&a.value));
    named
}

/// Mean |SHAP| per feature and the beeswarm of explained rows (`sampled`, whose SHAP
/// values are `shap`, however and wherever they were computed).
pub fn summarise_shap(
    model: &ScoringModel,
    sampled: &FeatureMatrix,
    shap: &ShapValues,
) -> Option<(Vec<NamedValue>, Beeswarm)> {
    let n_features = sampled.n_features();
    if n_features == 0 || sampled.n_rows() == 0 || shap.n_rows() != sampled.n_rows() || shap.n_features != n_features {
        return None;
    }
    let n_sampled = sampled.n_rows();
    let mut sums = vec![0.0f64; n_features];
    for row_idx in 0..n_sampled {
        for (sum, value) in sums.iter_mut().zip(shap.row(row_idx)) {
            *sum += value.abs();
        }
    }
    let names = model.feature_names();
    let name_of =
        |feature_idx: usize| names.get(feature_idx).cloned().unwrap_or_else(|| format!("feature {}", feature_idx + 1));
    let means: Vec<f64> = sums.iter().map(|sum| sum / n_sampled as f64).collect();
    let order = stable_order(n_features, &|a, b| means[b].total_cmp(&means[a]));
    let mean_abs_shap: Vec<NamedValue> =
        order.iter().map(|&feature_idx| NamedValue { name: name_of(feature_idx), value: means[feature_idx] }).collect();

    let top: Vec<usize> = order.iter().copied().take(BEESWARM_FEATURES.min(usize::from(u16::MAX))).collect();
    let mut points = Vec::with_capacity(top.len() * n_sampled);
    for (position, &feature_idx) in top.iter().enumerate() {
        let values = sampled.column(feature_idx);
        let mut present: Vec<f32> = values.iter().copied().filter(|value| !value.is_nan()).collect();
        // Equal under total order means the same bits, so stability changes nothing here.
        present.sort_unstable_by(f32::total_cmp);
        for (row_idx, &value) in values.iter().enumerate() {
            points.push(BeeswarmPoint {
                feature: position as u16,
                shap: shap.row(row_idx).get(feature_idx).copied().unwrap_or(0.0),
                value_rank: value_rank(&present, value),
            });
        }
    }
    let features = top.iter().map(|&feature_idx| name_of(feature_idx)).collect();
    Some((mean_abs_shap, Beeswarm { features, points }))
}

/// The mean rank of `value` among the sorted present values, scaled to [0, 1] (0.5 when there
/// is one value); None for a missing value.
fn value_rank(sorted: &[f32], value: f32) -> Option<f64> {
    if value.is_nan() || sorted.is_empty() {
        return None;
    }
    if sorted.len() == 1 {
        return Some(0.5);
    }
    let below = sorted.partition_point(|&other| other < value);
    let at_or_below = sorted.partition_point(|&other| other <= value);
    // Tied values share the mean of their 0-based ranks: (below + at_or_below - 1) / 2.
    let doubled_rank = (below + at_or_below).saturating_sub(1) as f64;
    Some(doubled_rank / (2.0 * (sorted.len() - 1) as f64))
}

/// `count` distinct rows below `n_rows` drawn with `seed` (Floyd's algorithm), ascending;
/// every row when `count >= n_rows`.
pub fn sample_rows(n_rows: usize, count: usize, seed: u64) -> Vec<usize> {
    if count >= n_rows {
        return (0..n_rows).collect();
    }
    let mut rng = SeededRng::new(seed);
    let mut chosen = BTreeSet::new();
    for upper in (n_rows - count)..n_rows {
        let candidate = rng.index(upper + 1);
        if !chosen.insert(candidate) {
            chosen.insert(upper);
        }
    }
    chosen.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use std::ops::ControlFlow;

    use super::*;
    use crate::claims::synth::generate_denial;
    use crate::claims::ClaimsTable;
    use crate::ml::IsolationForestParams;
    use crate::pipeline::{default_feature_columns, train_anomaly_model, train_model, AnomalyRequest, TrainRequest};

    fn denial() -> (ScoringModel, ClaimsTable, FeatureMatrix) {
        let table = generate_denial(400, 8).unwrap();
        let mut request = TrainRequest::default();
        request.forest.n_trees = 6;
        let (model, _) = train_model(&table, &request, &mut |_| ControlFlow::Continue(())).unwrap();
        let matrix = model.encode(&table).unwrap();
        (model, table, matrix)
    }

    fn input<'a>(model: &'a ScoringModel, scores: &'a [f64]) -> EvaluationInput<'a> {
        EvaluationInput { model, scores, labels: None, is_test_row: None }
    }

    /// Mean |SHAP| per feature and the beeswarm over a seeded sample of the matrix's rows,
    /// as the session's explained sample computes them.
    fn sample_summary(model: &ScoringModel, matrix: &FeatureMatrix, size: usize, seed: u64) -> Evaluation {
        let sampled = matrix.select_rows(&sample_rows(matrix.n_rows(), size, seed));
        let shap = crate::ml::shap::TreeExplainer::new(&model.shap_ensemble()).explain_matrix(&sampled);
        let (mean_abs_shap, beeswarm) = summarise_shap(model, &sampled, &shap).unwrap_or_default();
        Evaluation { mean_abs_shap, beeswarm, ..evaluate(&input(model, &[])) }
    }

    #[test]
    fn held_out_metrics_match_a_hand_count() {
        let (model, _, _) = denial();
        let scores = [0.9, 0.8, 0.3, 0.6, 0.1, 0.7];
        let labels = [true, false, true, true, false, false];
        let is_test_row = [true, true, true, true, false, true];
        let evaluation = evaluate(&EvaluationInput {
            labels: Some(&labels),
            is_test_row: Some(&is_test_row),
            ..input(&model, &scores)
        });
        // Held out: 0.9+, 0.8-, 0.3+, 0.6+, 0.7- at threshold 0.5: TP 2, FP 2, FN 1, TN 0.
        let confusion = evaluation.confusion.unwrap();
        assert_eq!(
            (confusion.true_positives, confusion.false_positives, confusion.false_negatives, confusion.true_negatives),
            (2, 2, 1, 0)
        );
        let metrics = evaluation.metrics.unwrap();
        assert_eq!((metrics.n_evaluated, metrics.held_out, metrics.threshold), (5, true, 0.5));
        assert!((metrics.accuracy - 0.4).abs() < 1e-12);
        assert!((metrics.precision - 0.5).abs() < 1e-12);
        assert!((metrics.recall - 2.0 / 3.0).abs() < 1e-12);
        assert!((metrics.f1 - 4.0 / 7.0).abs() < 1e-12);
        // Positive-over-negative pairs: 0.9 beats both negatives, 0.3 and 0.6 beat neither.
        assert!((metrics.roc_auc.unwrap() - 2.0 / 6.0).abs() < 1e-12);
        // Precision at each positive, by falling score: 1/1, 2/4, 3/5.
        assert!((metrics.pr_auc.unwrap() - (1.0 + 0.5 + 0.6) / 3.0).abs() < 1e-12);

        let histogram = &evaluation.histogram;
        assert_eq!(histogram.edges.len(), 21);
        assert_eq!((histogram.edges[0], histogram.edges[6], histogram.edges[20]), (0.0, 0.3, 1.0));
        let bins_of = |counts: &[usize]| (0..20).filter(|&bin| counts[bin] > 0).collect::<Vec<_>>();
        assert_eq!(bins_of(&histogram.positives), [6, 12, 18], "0.3 sits on an edge and opens its bin");
        assert_eq!(bins_of(&histogram.negatives), [14, 16], "the training row's 0.1 is not counted");

        assert_eq!(evaluation.roc.len(), 6, "five distinct scores");
        assert_eq!((evaluation.roc[0], evaluation.roc[5]), ((0.0, 0.0), (1.0, 1.0)));
        assert_eq!(evaluation.pr.first(), Some(&(0.0, 1.0)));
        assert_eq!(evaluation.pr.last(), Some(&(1.0, 0.6)), "every claim predicted positive: 3 of 5");
        assert!(evaluation.pr.windows(2).all(|pair| pair[0].0 <= pair[1].0), "rising recall");
        assert_eq!(evaluation.calibration.len(), 10);
        assert_eq!(evaluation.calibration.iter().map(|bin| bin.count).sum::<usize>(), 5);
    }

    #[test]
    fn without_labels_or_claims_there_are_no_metrics() {
        let (model, _, _) = denial();
        let scores = [0.2, f64::NAN, 1.0];
        let evaluation = evaluate(&input(&model, &scores));
        assert_eq!((evaluation.metrics, evaluation.confusion), (None, None));
        assert!(evaluation.roc.is_empty() && evaluation.pr.is_empty() && evaluation.calibration.is_empty());
        assert_eq!(evaluation.histogram.negatives.iter().sum::<usize>(), 2);
        assert_eq!(evaluation.histogram.negatives[19], 1, "1 is in the last bin");
        assert_eq!(evaluation.histogram.positives, vec![0; 20]);

        let empty = FeatureMatrix::from_columns(model.feature_names(), vec![Vec::new(); 5]).unwrap();
        let evaluation = evaluate(&EvaluationInput { labels: Some(&[]), ..input(&model, &[]) });
        assert_eq!(evaluation.metrics, None);
        let sampled = sample_summary(&model, &empty, 50, 1);
        assert!(sampled.mean_abs_shap.is_empty() && sampled.beeswarm.points.is_empty());
        assert_eq!(evaluation.impurity_importance.len(), 5);
    }

    #[test]
    fn one_class_and_no_held_out_rows_still_evaluate() {
        let (model, _, _) = denial();
        let scores = [0.2, 0.7, 0.4];
        let negatives = [false; 3];
        let evaluation = evaluate(&EvaluationInput {
            labels: Some(&negatives),
            is_test_row: Some(&[false, false]),
            ..input(&model, &scores)
        });
        let metrics = evaluation.metrics.unwrap();
        assert_eq!((metrics.n_evaluated, metrics.held_out), (3, false), "no held-out rows: every claim");
        assert_eq!((metrics.roc_auc, metrics.pr_auc), (None, None));
        assert_eq!(metrics.accuracy, 2.0 / 3.0);
        assert!(evaluation.roc.is_empty() && evaluation.pr.is_empty());

        // Fewer labels than scores: the missing one is negative.
        let evaluation = evaluate(&EvaluationInput { labels: Some(&[true]), ..input(&model, &scores) });
        let metrics = evaluation.metrics.unwrap();
        assert_eq!(metrics.n_evaluated, 3);
        assert_eq!(metrics.roc_auc, Some(0.0), "the one positive scores lowest");
    }

    #[test]
    fn long_curves_are_downsampled_keeping_their_ends() {
        let (model, _, _) = denial();
        let scores: Vec<f64> = (0..10_000).map(|i| f64::from(i) / 10_000.0).collect();
        let labels: Vec<bool> = (0..10_000u32).map(|i| (i * 7919) % 10 < 3 + i / 2_000).collect();
        let evaluation = evaluate(&EvaluationInput { labels: Some(&labels), ..input(&model, &scores) });
        assert_eq!(evaluation.roc.len(), MAX_CURVE_POINTS);
        assert_eq!((evaluation.roc[0], evaluation.roc[MAX_CURVE_POINTS - 1]), ((0.0, 0.0), (1.0, 1.0)));
        assert!(evaluation.roc.windows(2).all(|pair| pair[0].0 <= pair[1].0 && pair[0].1 <= pair[1].1));
        assert_eq!(evaluation.pr.len(), MAX_CURVE_POINTS);
        assert_eq!(evaluation.pr[0], (0.0, 1.0));
        assert_eq!(evaluation.pr[MAX_CURVE_POINTS - 1].0, 1.0);
        assert_eq!(downsample(vec![(0.0, 0.0); 3]).len(), 3);
    }

    #[test]
    fn mean_abs_shap_over_every_row_matches_the_models_explanations() {
        let (model, table, matrix) = denial();
        let scores = model.score_matrix(&matrix).unwrap();
        let evaluation = Evaluation {
            impurity_importance: evaluate(&input(&model, &scores)).impurity_importance,
            ..sample_summary(&model, &matrix, 10_000, 1)
        };
        let shap = model.explain(&table).unwrap();
        let names = model.feature_names();
        for named in &evaluation.mean_abs_shap {
            let feature_idx = names.iter().position(|name| *name == named.name).unwrap();
            let mean = (0..400).map(|row| shap.row(row)[feature_idx].abs()).sum::<f64>() / 400.0;
            assert!((named.value - mean).abs() < 1e-12, "{}", named.name);
        }
        let values: Vec<f64> = evaluation.mean_abs_shap.iter().map(|named| named.value).collect();
        assert!(values.windows(2).all(|pair| pair[0] >= pair[1]));
        let top_two = [evaluation.mean_abs_shap[0].name.as_str(), evaluation.mean_abs_shap[1].name.as_str()];
        assert!(top_two.contains(&"has_pre_auth") && top_two.contains(&"diagnosis_match"), "{top_two:?}");

        let beeswarm = &evaluation.beeswarm;
        let shown: Vec<&str> = evaluation.mean_abs_shap.iter().map(|named| named.name.as_str()).collect();
        assert_eq!(beeswarm.features, shown, "five features, all shown, largest first");
        assert_eq!(beeswarm.points.len(), 5 * 400);
        // has_pre_auth is 0 or 1: each value's rank is the mean rank of its ties.
        let feature = beeswarm.features.iter().position(|name| name == "has_pre_auth").unwrap() as u16;
        let column = matrix.column(names.iter().position(|name| name == "has_pre_auth").unwrap());
        let n_zero = column.iter().filter(|&&v| v == 0.0).count() as f64;
        let expected_zero = (n_zero - 1.0) / 2.0 / 399.0;
        let expected_one = (n_zero + 399.0) / 2.0 / 399.0;
        let points: Vec<&BeeswarmPoint> = beeswarm.points.iter().filter(|p| p.feature == feature).collect();
        assert_eq!(points.len(), 400);
        for (point, &value) in points.iter().zip(column) {
            let expected = if value == 0.0 { expected_zero } else { expected_one };
            assert!((point.value_rank.unwrap() - expected).abs() < 1e-12);
        }
        let impurity = &evaluation.impurity_importance;
        let Algorithm::RandomForest { forest, .. } = model.algorithm() else { unreachable!() };
        let largest = forest.feature_importances().iter().copied().fold(f64::NEG_INFINITY, f64::max);
        assert_eq!(impurity[0].value, largest);
        assert!((impurity.iter().map(|named| named.value).sum::<f64>() - 1.0).abs() < 1e-9);
    }

    #[test]
    fn the_shap_sample_is_seeded_and_sized() {
        let (model, _, matrix) = denial();
        let scores = model.score_matrix(&matrix).unwrap();
        let run = |seed| sample_summary(&model, &matrix, 30, seed);
        let (first, again, other) = (run(5), run(5), run(6));
        assert_eq!(first, again);
        assert_ne!(first.mean_abs_shap, other.mean_abs_shap);
        assert_eq!(first.beeswarm.points.len(), 5 * 30);
        let sample = sample_rows(400, 30, 5);
        assert_eq!(sample.len(), 30);
        assert!(sample.windows(2).all(|pair| pair[0] < pair[1]) && sample[29] < 400);
        assert_eq!(sample_rows(3, 30, 5), [0, 1, 2]);
        assert!(sample_summary(&model, &matrix, 0, 5).mean_abs_shap.is_empty());
        assert!(evaluate(&input(&model, &scores)).mean_abs_shap.is_empty(), "evaluating explains nothing");
    }

    #[test]
    fn value_ranks_average_ties_and_skip_missing() {
        let sorted = [1.0, 2.0, 2.0, 5.0];
        assert_eq!(value_rank(&sorted, 1.0), Some(0.0));
        assert_eq!(value_rank(&sorted, 2.0), Some(0.5), "ranks 1 and 2 of 0..=3");
        assert_eq!(value_rank(&sorted, 5.0), Some(1.0));
        assert_eq!(value_rank(&sorted, f32::NAN), None);
        assert_eq!(value_rank(&[3.0], 3.0), Some(0.5));
    }

    #[test]
    fn isolation_forests_have_no_calibration_or_impurity() {
        let table = generate_denial(300, 4).unwrap();
        let (features, _) = default_feature_columns(&table, Some("is_denied"));
        let forest = IsolationForestParams { n_trees: 10, ..Default::default() };
        let request = AnomalyRequest::new(features, forest);
        let (model, scores) = train_anomaly_model(&table, &request, &mut |_| ControlFlow::Continue(())).unwrap();
        let matrix = model.encode(&table).unwrap();
        let labels: Vec<bool> =
            (0..300).map(|row| table.column("is_denied").unwrap().data.number(row) == 1.0).collect();
        let evaluation = evaluate(&EvaluationInput { labels: Some(&labels), ..input(&model, &scores) });
        assert!(evaluation.calibration.is_empty() && evaluation.impurity_importance.is_empty());
        let metrics = evaluation.metrics.unwrap();
        assert_eq!((metrics.threshold, metrics.held_out, metrics.n_evaluated), (model.threshold(), false, 300));
        assert_eq!(sample_summary(&model, &matrix, 50, 1).mean_abs_shap.len(), 5);
    }
}
