//! Evaluation of a trained model on its held-out claims: headline metrics, the confusion
//! matrix, ROC and PR curves, the score histogram by class, calibration, and global
//! importance (impurity and mean |SHAP|, with a beeswarm sample).

use serde::{Deserialize, Serialize};

use crate::ml::metrics::{CalibrationBin, ConfusionMatrix};
use crate::ml::FeatureMatrix;
use crate::pipeline::ScoringModel;

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
}

/// Score counts in equal-width bins of [0, 1], by class.
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
    /// ROC curve as (false positive rate, true positive rate), at most ~200 points.
    pub roc: Vec<(f64, f64)>,
    /// PR curve as (recall, precision), at most ~200 points.
    pub pr: Vec<(f64, f64)>,
    /// Score histogram by class (all negatives when there are no labels).
    pub histogram: ScoreHistogram,
    /// Calibration bins (empty without labels).
    pub calibration: Vec<CalibrationBin>,
    /// Impurity importance, largest first (random forests only).
    pub impurity_importance: Vec<NamedValue>,
    /// Mean |SHAP| over the sample, largest first.
    pub mean_abs_shap: Vec<NamedValue>,
    /// The beeswarm of the top features.
    pub beeswarm: Beeswarm,
}

/// What to evaluate.
pub struct EvaluationInput<'a> {
    /// The model.
    pub model: &'a ScoringModel,
    /// The encoded claims (all rows, table order).
    pub matrix: &'a FeatureMatrix,
    /// Scores of every claim (table order).
    pub scores: &'a [f64],
    /// Labels of every claim, when known.
    pub labels: Option<&'a [bool]>,
    /// Which claims were held out; None evaluates every claim.
    pub is_test_row: Option<&'a [bool]>,
    /// Claims sampled for SHAP (mean |SHAP| and beeswarm); e.g. 500.
    pub shap_sample: usize,
    /// Seed of that sample.
    pub seed: u64,
}

/// Computes the evaluation. Never panics; empty or single-class inputs give `None` metrics.
pub fn evaluate(input: &EvaluationInput<'_>) -> Evaluation {
    todo!()
}
