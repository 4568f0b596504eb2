//! One claim explained: exact TreeSHAP contributions as a waterfall, the decision path through
//! one tree in plain words, and a plain-English sentence.

use serde::{Deserialize, Serialize};

use crate::pipeline::ScoringModel;

/// One feature's contribution to one claim's explained output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureContribution {
    /// The feature name.
    pub feature: String,
    /// The claim's value as a reader would say it ("Knee Surgery", "67", "missing").
    pub value: String,
    /// The exact SHAP value.
    pub shap: f64,
}

/// Which kind of model is explained, which decides what the explained output means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ExplainedOutput {
    /// The random forest's positive-class probability (higher = more likely positive).
    Probability,
    /// The isolation forest's mean path length (shorter = more anomalous).
    PathLength,
}

/// A step of the waterfall from the base value to the prediction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WaterfallStep {
    /// "has_pre_auth = 0", or "23 other features".
    pub label: String,
    /// The running total before this step.
    pub start: f64,
    /// The running total after it.
    pub end: f64,
}

/// One step of a decision path.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PathStep {
    /// The feature tested.
    pub feature: String,
    /// "has_pre_auth is 0, which is at most 0.5, so the claim goes left".
    pub text: String,
}

/// The path of one claim through one tree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecisionPath {
    /// Which tree (0-based).
    pub tree_idx: usize,
    /// Trees in the forest.
    pub n_trees: usize,
    /// The tests, root first.
    pub steps: Vec<PathStep>,
    /// What the leaf says: "this tree's leaf: 94% denied (212 training claims)" or
    /// "isolated at depth 3 (a typical claim needs 8.4)".
    pub leaf: String,
}

/// Everything the explanation panel shows for one claim.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClaimExplanation {
    /// The claim's row (None for a what-if claim).
    pub row: Option<usize>,
    /// What the SHAP values explain.
    pub output: ExplainedOutput,
    /// The model's score: probability, or anomaly score.
    pub score: f64,
    /// The expected explained output over the training data.
    pub base_value: f64,
    /// The explained output for this claim; base_value + sum(shap) equals it within 1e-9.
    pub explained_value: f64,
    /// Every feature, largest |shap| first (ties by feature order).
    pub contributions: Vec<FeatureContribution>,
    /// The decision path through one tree.
    pub path: DecisionPath,
    /// "Denied mainly because has_pre_auth = 0 and service = Knee Surgery."
    pub sentence: String,
}

/// How to word the sentence: the name of the positive outcome ("denied", "fraud",
/// "flagged as unusual") comes from the label.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExplainOptions {
    /// Which tree's path to show; None picks the tree whose own prediction is closest to the
    /// forest's (ties: lowest index).
    pub tree_idx: Option<usize>,
    /// The verb for a positive prediction, e.g. "Denied"; derived from the label name when None.
    pub positive_word: Option<String>,
}

/// Explains one encoded claim (`row` is the model's feature vector, in the model's feature order).
pub fn explain_vector(
    model: &ScoringModel,
    row: &[f32],
    row_idx: Option<usize>,
    options: &ExplainOptions,
) -> ClaimExplanation {
    todo!()
}

/// The waterfall: base value, then the `top` largest contributions, then the rest grouped as
/// "N other features", ending at the explained value.
pub fn waterfall(explanation: &ClaimExplanation, top: usize) -> Vec<WaterfallStep> {
    todo!()
}
