//! The random forest classifier: bootstrapped CART trees, probability averaging, OOB score.

use std::ops::ControlFlow;

use serde::{Deserialize, Serialize};

use super::binning::{BinnedMatrix, MAX_VALUE_BINS};
use super::flat::FlatForest;
use super::shap::{ArenaNode, ArenaSplit, ShapEnsemble, ShapTree};
use super::source::{FeatureSource, Rows};
use super::tree::{DecisionTree, TreeParams, WeightedSample};
use super::{FeatureMatrix, MlError};
use crate::rng::SeededRng;

/// How classes are weighted while growing trees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClassWeight {
    /// Every sample counts once.
    #[default]
    None,
    /// Classes are weighted inversely to their frequency, as scikit-learn's "balanced".
    Balanced,
}

/// Parameters of a random forest. `fit` turns them into a [`RandomForest`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ForestParams {
    /// Number of trees.
    pub n_trees: usize,
    /// Parameters shared by every tree.
    pub tree: TreeParams,
    /// Whether each tree sees a bootstrap sample (with replacement) instead of every row.
    pub bootstrap: bool,
    /// Rows drawn per bootstrap sample; `None` draws as many as there are rows.
    pub max_samples: Option<usize>,
    /// Class weighting.
    pub class_weight: ClassWeight,
    /// The seed every per-tree seed derives from.
    pub seed: u64,
    /// The most value bins per feature (2..=255).
    pub max_bins: usize,
    /// Whether to compute the out-of-bag accuracy (needs `bootstrap`).
    pub compute_oob_score: bool,
}

impl Default for ForestParams {
    fn default() -> Self {
        Self {
            n_trees: 100,
            tree: TreeParams::default(),
            bootstrap: true,
            max_samples: None,
            class_weight: ClassWeight::None,
            seed: 42,
            max_bins: MAX_VALUE_BINS,
            compute_oob_score: true,
        }
    }
}

/// Progress of a running fit, reported after every tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FitProgress {
    /// Trees finished so far.
    pub n_trees_done: usize,
    /// Trees in total.
    pub n_trees: usize,
}

/// A fitted random forest. Its fields are private: a forest is never "unfitted".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RandomForest {
    feature_names: Vec<String>,
    n_classes: usize,
    trees: Vec<DecisionTree>,
    feature_importances: Vec<f64>,
    oob_score: Option<f64>,
}

impl ForestParams {
    /// Checks every parameter against the data shape before any work.
    pub fn validate(&self, n_rows: usize) -> Result<(), MlError> {
        self.tree.validate()?;
        if self.n_trees == 0 {
            return Err(MlError::InvalidParameter { name: "n_trees", reason: "must be at least 1".into() });
        }
        if !(2..=MAX_VALUE_BINS).contains(&self.max_bins) {
            return Err(MlError::InvalidParameter {
                name: "max_bins",
                reason: format!("must be in 2..=255, got {}", self.max_bins),
            });
        }
        if let Some(max_samples) = self.max_samples {
            if max_samples == 0 || max_samples > n_rows {
                return Err(MlError::InvalidParameter {
                    name: "max_samples",
                    reason: format!("must be in 1..={n_rows}, got {max_samples}"),
                });
            }
        }
        Ok(())
    }

    /// Fits a forest on `matrix` with one class index per row in `labels`: prepare, grow
    /// every tree, assemble (see [`super::forest_job`] for the same steps on many workers).
    ///
    /// `on_progress` runs after every tree; returning `ControlFlow::Break(())` stops the fit
    /// with [`MlError::Cancelled`].
    pub fn fit(
        &self,
        matrix: &FeatureMatrix,
        labels: &[u32],
        on_progress: &mut dyn FnMut(FitProgress) -> ControlFlow<()>,
    ) -> Result<RandomForest, MlError> {
        let job = self.prepare(matrix, labels)?;
        let grown = job.grow(0..job.n_trees(), on_progress)?;
        job.assemble(vec![grown])
    }
}

/// How often each row is drawn for one tree (all ones without bootstrap).
pub(super) fn draw_sample_counts(params: &ForestParams, n_rows: usize, tree_seed: u64) -> Vec<u32> {
    if !params.bootstrap {
        return vec![1; n_rows];
    }
    let mut rng = SeededRng::new(tree_seed);
    let mut counts = vec![0u32; n_rows];
    for _ in 0..params.max_samples.unwrap_or(n_rows) {
        counts[rng.index(n_rows)] += 1;
    }
    counts
}

impl RandomForest {
    /// A forest from its assembled parts (see [`super::forest_job::ForestJob::assemble`]).
    pub(super) fn from_parts(
        feature_names: Vec<String>,
        n_classes: usize,
        trees: Vec<DecisionTree>,
        feature_importances: Vec<f64>,
        oob_score: Option<f64>,
    ) -> Self {
        Self { feature_names, n_classes, trees, feature_importances, oob_score }
    }

    /// The feature names, in the order `predict_proba` expects values.
    pub fn feature_names(&self) -> &[String] {
        &self.feature_names
    }

    /// Number of classes.
    pub fn n_classes(&self) -> usize {
        self.n_classes
    }

    /// The fitted trees.
    pub fn trees(&self) -> &[DecisionTree] {
        &self.trees
    }

    /// Mean decrease in impurity per feature, summing to 1 (scikit-learn's definition).
    pub fn feature_importances(&self) -> &[f64] {
        &self.feature_importances
    }

    /// Out-of-bag accuracy, when computed and when any row was out of bag.
    pub fn oob_score(&self) -> Option<f64> {
        self.oob_score
    }

    /// Checks a forest read from a file (see [`DecisionTree::validate`]).
    pub fn validate(&self) -> Result<(), String> {
        if self.trees.is_empty() {
            return Err("the forest has no trees".into());
        }
        if self.feature_importances.len() != self.feature_names.len() {
            return Err("feature importances do not match the features".into());
        }
        if self.feature_importances.iter().any(|importance| !importance.is_finite()) {
            return Err("a feature importance is not a number".into());
        }
        self.trees.iter().try_for_each(|tree| {
            if tree.n_classes() != self.n_classes {
                return Err("a tree disagrees with the forest's class count".to_owned());
            }
            tree.validate(self.feature_names.len())
        })
    }

    /// Class probabilities of one row: the mean over trees of the leaf's class fractions.
    pub fn predict_proba_row(&self, row: &[f32]) -> Result<Vec<f64>, MlError> {
        if row.len() != self.feature_names.len() {
            return Err(MlError::FeatureCount { expected: self.feature_names.len(), actual: row.len() });
        }
        let mut proba = vec![0.0; self.n_classes];
        for tree in &self.trees {
            let leaf = tree.leaf_of(row);
            for (class_idx, p) in proba.iter_mut().enumerate() {
                *p += tree.class_fraction(leaf, class_idx);
            }
        }
        let n_trees = self.trees.len() as f64;
        proba.iter_mut().for_each(|p| *p /= n_trees);
        Ok(proba)
    }

    /// The explanation view of class `class_idx`'s probability: each leaf holds its class
    /// fraction divided by the number of trees, so the trees sum to `predict_proba`.
    pub fn shap_ensemble(&self, class_idx: usize) -> ShapEnsemble {
        let n_trees = self.trees.len() as f64;
        let trees = self
            .trees
            .iter()
            .map(|tree| {
                ShapTree::from_arena(tree.nodes().iter().enumerate().map(|(node_idx, node)| ArenaNode {
                    split: (!node.is_leaf()).then_some(ArenaSplit {
                        feature: node.feature_idx,
                        threshold: node.threshold,
                        left: node.left,
                        right: node.right,
                        missing_goes_left: node.missing_goes_left,
                    }),
                    cover: node.cover,
                    leaf_value: if node.is_leaf() { tree.class_fraction(node_idx, class_idx) / n_trees } else { 0.0 },
                }))
            })
            .collect();
        ShapEnsemble { n_features: self.feature_names.len(), base_offset: 0.0, trees }
    }

    /// The probability of `class_idx` for every row of `matrix`: the sum over trees of the
    /// leaf's class fraction divided by the number of trees, scored in cache-sized blocks.
    pub fn predict_class_proba(&self, matrix: &FeatureMatrix, class_idx: usize) -> Result<Vec<f64>, MlError> {
        if matrix.n_features() != self.feature_names.len() {
            return Err(MlError::FeatureCount { expected: self.feature_names.len(), actual: matrix.n_features() });
        }
        if class_idx >= self.n_classes {
            return Ok(vec![0.0; matrix.n_rows()]);
        }
        Ok(FlatForest::from_ensemble(&self.shap_ensemble(class_idx)).predict_matrix(matrix))
    }

    /// [`Self::predict_class_proba`] of the rows `rows` of `source`, read a block of rows at a
    /// time ([`FlatForest::predict_source`]): the forest is flattened once and no matrix of
    /// the rows is made.
    pub fn predict_class_proba_rows(
        &self,
        source: &dyn FeatureSource,
        rows: &Rows<'_>,
        class_idx: usize,
    ) -> Result<Vec<f64>, MlError> {
        let n_features = source.feature_names().len();
        if n_features != self.feature_names.len() {
            return Err(MlError::FeatureCount { expected: self.feature_names.len(), actual: n_features });
        }
        if class_idx >= self.n_classes {
            rows.check(source.n_rows())?;
            return Ok(vec![0.0; rows.len()]);
        }
        FlatForest::from_ensemble(&self.shap_ensemble(class_idx)).predict_source(source, rows)
    }

    /// [`Self::predict_class_proba`] of rows held as the bin codes this forest grew on
    /// ([`FlatForest::predict_binned`]); an error if its splits are not those bins' edges.
    pub fn predict_class_proba_binned(&self, binned: &BinnedMatrix, class_idx: usize) -> Result<Vec<f64>, MlError> {
        if binned.n_features() != self.feature_names.len() {
            return Err(MlError::FeatureCount { expected: self.feature_names.len(), actual: binned.n_features() });
        }
        if class_idx >= self.n_classes {
            return Ok(vec![0.0; binned.n_rows()]);
        }
        FlatForest::from_ensemble(&self.shap_ensemble(class_idx)).predict_binned(binned).ok_or_else(|| {
            MlError::InvalidParameter { name: "binned", reason: "the forest did not grow on these bins".into() }
        })
    }
}

pub(super) fn count_classes(labels: &[u32], n_classes: usize) -> Vec<usize> {
    let mut counts = vec![0; n_classes];
    for &label in labels {
        counts[label as usize] += 1;
    }
    counts
}

pub(super) fn class_multipliers(class_weight: ClassWeight, class_counts: &[usize], n_rows: usize) -> Vec<f64> {
    let n_present = class_counts.iter().filter(|&&c| c > 0).count() as f64;
    class_counts
        .iter()
        .map(|&count| match class_weight {
            ClassWeight::None => 1.0,
            ClassWeight::Balanced if count > 0 => n_rows as f64 / (n_present * count as f64),
            ClassWeight::Balanced => 0.0,
        })
        .collect()
}

pub(super) fn weighted_sample(counts: &[u32], labels: &[u32], class_multiplier: &[f64]) -> WeightedSample {
    let mut rows = Vec::new();
    let mut weights = Vec::new();
    for (row_idx, &count) in counts.iter().enumerate() {
        if count > 0 {
            rows.push(row_idx as u32);
            weights.push(f64::from(count) * class_multiplier[labels[row_idx] as usize]);
        }
    }
    WeightedSample { rows, weights }
}

/// Adds one tree's impurity decrease, normalised to sum to 1, as scikit-learn does.
pub(super) fn add_normalized(total: &mut [f64], decrease: &[f64]) {
    let sum: f64 = decrease.iter().sum();
    if sum > 0.0 {
        for (t, d) in total.iter_mut().zip(decrease) {
            *t += d / sum;
        }
    }
}

/// The index of the largest value; the first one on ties (as numpy's argmax).
pub fn argmax(values: &[f64]) -> usize {
    let mut best = 0;
    for (idx, &value) in values.iter().enumerate() {
        if value > values[best] {
            best = idx;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn noisy_threshold_data(n_rows: usize, seed: u64) -> (FeatureMatrix, Vec<u32>) {
        let mut rng = SeededRng::new(seed);
        let signal: Vec<f32> = (0..n_rows).map(|_| rng.next_f64() as f32).collect();
        let noise: Vec<f32> = (0..n_rows).map(|_| rng.next_f64() as f32).collect();
        let labels: Vec<u32> = signal.iter().map(|&s| u32::from((s > 0.6) ^ rng.chance(0.05))).collect();
        let matrix = FeatureMatrix::from_columns(vec!["signal".into(), "noise".into()], vec![signal, noise]).unwrap();
        (matrix, labels)
    }

    fn keep_going(_: FitProgress) -> ControlFlow<()> {
        ControlFlow::Continue(())
    }

    #[test]
    fn learns_the_signal_and_ranks_it_first() {
        let (matrix, labels) = noisy_threshold_data(2000, 1);
        let params = ForestParams {
            n_trees: 30,
            tree: TreeParams { min_samples_leaf: 5, ..Default::default() },
            ..Default::default()
        };
        let forest = params.fit(&matrix, &labels, &mut keep_going).unwrap();
        assert!(forest.feature_importances()[0] > 0.8, "{:?}", forest.feature_importances());
        let oob = forest.oob_score().unwrap();
        assert!(oob > 0.9, "oob {oob}");
        let p_low = forest.predict_proba_row(&[0.1, 0.5]).unwrap();
        let p_high = forest.predict_proba_row(&[0.9, 0.5]).unwrap();
        assert!(p_low[1] < 0.2 && p_high[1] > 0.8, "{p_low:?} {p_high:?}");
        assert!((p_low.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    }

    #[test]
    fn same_seed_same_forest_and_other_seed_differs() {
        let (matrix, labels) = noisy_threshold_data(500, 2);
        let params = ForestParams { n_trees: 5, ..Default::default() };
        let a = params.fit(&matrix, &labels, &mut keep_going).unwrap();
        let b = params.fit(&matrix, &labels, &mut keep_going).unwrap();
        assert_eq!(serde_json::to_string(&a).unwrap(), serde_json::to_string(&b).unwrap());
        let c = ForestParams { seed: 43, ..params }.fit(&matrix, &labels, &mut keep_going).unwrap();
        assert_ne!(a, c);
    }

    #[test]
    fn progress_reports_every_tree_and_break_cancels() {
        let (matrix, labels) = noisy_threshold_data(300, 3);
        let params = ForestParams { n_trees: 10, ..Default::default() };
        let mut seen = Vec::new();
        params
            .fit(&matrix, &labels, &mut |p| {
                seen.push(p.n_trees_done);
                ControlFlow::Continue(())
            })
            .unwrap();
        assert_eq!(seen, (1..=10).collect::<Vec<_>>());
        let cancelled = params.fit(&matrix, &labels, &mut |p| {
            if p.n_trees_done == 3 {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        });
        assert_eq!(cancelled, Err(MlError::Cancelled { n_trees_done: 3 }));
    }

    #[test]
    fn bad_inputs_are_typed_errors() {
        let (matrix, labels) = noisy_threshold_data(50, 4);
        let one_class = vec![1u32; 50];
        assert!(matches!(
            ForestParams::default().fit(&matrix, &one_class, &mut keep_going),
            Err(MlError::SingleClass { .. })
        ));
        assert!(matches!(
            ForestParams::default().fit(&matrix, &labels[..10], &mut keep_going),
            Err(MlError::LabelCount { .. })
        ));
        let zero = ForestParams { n_trees: 0, ..Default::default() };
        assert!(matches!(
            zero.fit(&matrix, &labels, &mut keep_going),
            Err(MlError::InvalidParameter { name: "n_trees", .. })
        ));
        let forest = ForestParams { n_trees: 2, ..Default::default() }.fit(&matrix, &labels, &mut keep_going).unwrap();
        assert!(matches!(forest.predict_proba_row(&[0.5]), Err(MlError::FeatureCount { expected: 2, actual: 1 })));
    }

    #[test]
    fn multiclass_probabilities_sum_to_one() {
        let x: Vec<f32> = (0..300).map(|i| i as f32).collect();
        let labels: Vec<u32> = (0..300).map(|i| (i / 100) as u32).collect();
        let matrix = FeatureMatrix::from_columns(vec!["x".into()], vec![x]).unwrap();
        let forest = ForestParams { n_trees: 10, ..Default::default() }.fit(&matrix, &labels, &mut keep_going).unwrap();
        assert_eq!(forest.n_classes(), 3);
        let p = forest.predict_proba_row(&[250.0]).unwrap();
        assert_eq!(argmax(&p), 2);
        assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    }
}
