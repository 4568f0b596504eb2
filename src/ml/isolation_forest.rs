//! The isolation forest (Liu, Ting and Zhou, 2008): random isolation trees on ψ-row subsamples.
//!
//! An anomaly is isolated by fewer random splits than a normal row. Each tree grows on a
//! subsample of ψ rows drawn without replacement, splitting on a random feature at a value
//! drawn uniformly between that feature's minimum and maximum in the node, down to the
//! height limit ceil(log2 ψ). A row's path length is the depth of the leaf it reaches plus
//! c(leaf size), the expected depth still needed to isolate it among the leaf's rows; its
//! score is 2^(−E[h]/c(ψ)), near 1 for anomalies and below 0.5 for normal rows.
//!
//! Splits use raw feature values, not quantile bins: bins would make split points uniform in
//! rank rather than in value, which erases the very distances the method relies on.

use std::ops::ControlFlow;

use serde::{Deserialize, Serialize};

use super::flat::FlatForest;
use super::random_forest::FitProgress;
use super::shap::{ArenaNode, ArenaSplit, ShapEnsemble, ShapTree};
use super::source::{FeatureSource, Rows};
use super::tree::path_from_root;
use super::tree_shape::{check_tree_shape, NodeShape};
use super::{FeatureMatrix, MlError};
use crate::rng::SeededRng;

/// The score above which a row is flagged when no contamination is given (the paper's 0.5,
/// scikit-learn's `contamination="auto"`).
pub const DEFAULT_SCORE_THRESHOLD: f64 = 0.5;

/// Parameters of an isolation forest. `fit` turns them into an [`IsolationForest`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct IsolationForestParams {
    /// Number of isolation trees.
    pub n_trees: usize,
    /// ψ, the rows each tree is grown on (fewer if the data has fewer rows).
    pub max_samples: usize,
    /// The expected share of anomalies in the training data, in (0, 0.5]. It sets the flag
    /// threshold to that quantile of the training scores; `None` flags scores above 0.5.
    pub contamination: Option<f64>,
    /// The seed every per-tree seed derives from.
    pub seed: u64,
}

impl Default for IsolationForestParams {
    fn default() -> Self {
        Self { n_trees: 100, max_samples: 256, contamination: None, seed: 42 }
    }
}

/// One node of an isolation tree. A leaf has `left == right == NO_CHILD`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct IsolationNode {
    /// The feature split on (unused at leaves).
    pub feature_idx: u32,
    /// Rows with `x <= threshold` go left.
    pub threshold: f32,
    /// Left child, or [`NO_CHILD`].
    pub left: u32,
    /// Right child, or [`NO_CHILD`].
    pub right: u32,
    /// Whether a missing value goes left (to the child that got more training rows).
    pub missing_goes_left: bool,
    /// Subsample rows that reached the node.
    pub size: u32,
    /// Depth of the node; the root is 0.
    pub depth: u32,
}

/// Marks "no child" at a leaf.
pub const NO_CHILD: u32 = u32::MAX;

impl IsolationNode {
    /// Whether this node is a leaf.
    pub fn is_leaf(&self) -> bool {
        self.left == NO_CHILD
    }

    /// The path length credited to a row ending here: depth plus c(size).
    pub fn path_length(&self) -> f64 {
        f64::from(self.depth) + average_path_length(self.size as usize)
    }
}

/// One fitted isolation tree: an arena whose root is node 0.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IsolationTree {
    nodes: Vec<IsolationNode>,
}

impl IsolationTree {
    /// The arena.
    pub fn nodes(&self) -> &[IsolationNode] {
        &self.nodes
    }

    /// The child a row takes at split node `node_idx`.
    pub fn next_node(&self, node_idx: usize, row: &[f32]) -> usize {
        let node = &self.nodes[node_idx];
        let value = row.get(node.feature_idx as usize).copied().unwrap_or(f32::NAN);
        let go_left = if value.is_nan() { node.missing_goes_left } else { value <= node.threshold };
        (if go_left { node.left } else { node.right }) as usize
    }

    /// Every node a row visits, root first, leaf last.
    pub fn decision_path(&self, row: &[f32]) -> Vec<usize> {
        path_from_root(|node_idx| self.nodes[node_idx].is_leaf(), |node_idx| self.next_node(node_idx, row))
    }

    /// The path length h(x) of one row.
    pub fn path_length(&self, row: &[f32]) -> f64 {
        let mut node_idx = 0;
        while !self.nodes[node_idx].is_leaf() {
            node_idx = self.next_node(node_idx, row);
        }
        self.nodes[node_idx].path_length()
    }
}

/// A fitted isolation forest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IsolationForest {
    feature_names: Vec<String>,
    sample_size: usize,
    trees: Vec<IsolationTree>,
    threshold: f64,
}

impl IsolationForestParams {
    /// Checks every parameter before any work.
    pub fn validate(&self) -> Result<(), MlError> {
        if self.n_trees == 0 {
            return Err(MlError::InvalidParameter { name: "n_trees", reason: "must be at least 1".into() });
        }
        if self.max_samples < 2 {
            return Err(MlError::InvalidParameter {
                name: "max_samples",
                reason: format!("must be at least 2, got {}", self.max_samples),
            });
        }
        if let Some(contamination) = self.contamination {
            if !(contamination > 0.0 && contamination <= 0.5) {
                return Err(MlError::InvalidParameter {
                    name: "contamination",
                    reason: format!("must be in (0, 0.5], got {contamination}"),
                });
            }
        }
        Ok(())
    }

    /// Grows the forest on every row of `matrix`; no labels are needed.
    ///
    /// `on_progress` runs after every tree; `ControlFlow::Break(())` stops with
    /// [`MlError::Cancelled`].
    pub fn fit(
        &self,
        matrix: &FeatureMatrix,
        on_progress: &mut dyn FnMut(FitProgress) -> ControlFlow<()>,
    ) -> Result<IsolationForest, MlError> {
        self.fit_on_rows(matrix, &Rows::all(matrix.n_rows()), on_progress)
    }

    /// [`fit`](Self::fit) on the rows `rows` of `source`, reading only the rows the trees
    /// sample (at most ψ per tree), so the claims it learns from are never encoded whole.
    /// The forest equals `fit` on the matrix of those rows.
    pub fn fit_on_rows(
        &self,
        source: &dyn FeatureSource,
        rows: &Rows<'_>,
        on_progress: &mut dyn FnMut(FitProgress) -> ControlFlow<()>,
    ) -> Result<IsolationForest, MlError> {
        self.validate()?;
        rows.check(source.n_rows())?;
        let n_rows = rows.len();
        let n_features = source.feature_names().len();
        if n_rows < 2 || n_features == 0 {
            return Err(MlError::EmptyData { n_rows, n_columns: n_features });
        }
        let sample_size = self.max_samples.min(n_rows);
        let height_limit = (sample_size as f64).log2().ceil() as u32;
        // Every tree's sample is drawn first; its generator then grows it from where the
        // sampling left off, exactly as if each tree sampled and grew in turn.
        let draws: Vec<(Vec<u32>, SeededRng)> = (0..self.n_trees)
            .map(|tree_idx| {
                let mut rng = SeededRng::new(SeededRng::derive_seed(self.seed, tree_idx as u64));
                (sample_without_replacement(n_rows, sample_size, &mut rng), rng)
            })
            .collect();
        let mut sampled: Vec<u32> = draws.iter().flat_map(|(sample, _)| sample.iter().copied()).collect();
        sampled.sort_unstable();
        sampled.dedup();
        let source_rows: Vec<usize> = sampled.iter().map(|&position| rows.at(position as usize)).collect();
        let matrix = FeatureMatrix::from_source(source, &Rows::Chosen(&source_rows))?;
        let mut trees = Vec::with_capacity(self.n_trees);
        let mut grower = IsolationGrower::new(&matrix, height_limit);
        for (tree_idx, (sample, mut rng)) in draws.into_iter().enumerate() {
            let sample = sample.iter().map(|&position| sampled.partition_point(|&p| p < position) as u32).collect();
            trees.push(grower.grow(sample, &mut rng));
            if on_progress(FitProgress { n_trees_done: tree_idx + 1, n_trees: self.n_trees }).is_break() {
                return Err(MlError::Cancelled { n_trees_done: tree_idx + 1 });
            }
        }
        let mut forest = IsolationForest {
            feature_names: source.feature_names().to_vec(),
            sample_size,
            trees,
            threshold: DEFAULT_SCORE_THRESHOLD,
        };
        if let Some(contamination) = self.contamination {
            forest.threshold = upper_quantile(forest.score_rows(source, rows)?, contamination);
        }
        Ok(forest)
    }

    /// [`fit`](Self::fit), also returning the training rows' scores. With a contamination
    /// the threshold needs those scores anyway, so they are computed once, not twice.
    pub fn fit_and_score(
        &self,
        matrix: &FeatureMatrix,
        on_progress: &mut dyn FnMut(FitProgress) -> ControlFlow<()>,
    ) -> Result<(IsolationForest, Vec<f64>), MlError> {
        let contamination = self.contamination;
        let mut forest = IsolationForestParams { contamination: None, ..self.clone() }.fit(matrix, on_progress)?;
        let scores = forest.score_matrix(matrix);
        if let Some(contamination) = contamination {
            forest.threshold = upper_quantile(scores.clone(), contamination);
        }
        Ok((forest, scores))
    }
}

impl IsolationForest {
    /// The feature names, in the order rows must give values.
    pub fn feature_names(&self) -> &[String] {
        &self.feature_names
    }

    /// Checks a forest read from a file. Each tree is one tree (see [`check_tree_shape`])
    /// whose recorded depths are the true ones, no deeper than the height limit
    /// ceil(log2 ψ) that training uses; its root holds the ψ sampled rows and every split
    /// passes its rows on to its two children; split features exist; the flag threshold
    /// is a score in (0, 1]. So ψ is bounded by the trees themselves, and a file cannot
    /// claim a sample size its trees never saw (which would flag every row).
    pub fn validate(&self) -> Result<(), String> {
        if self.trees.is_empty() {
            return Err("the isolation forest has no trees".into());
        }
        if !(2..=u32::MAX as usize).contains(&self.sample_size) {
            return Err(format!(
                "the isolation forest's sample size {} is not between 2 and {}",
                self.sample_size,
                u32::MAX
            ));
        }
        if !(self.threshold > 0.0 && self.threshold <= 1.0) {
            return Err("the isolation forest's flag threshold is not a score in (0, 1]".into());
        }
        let height_limit = (self.sample_size as f64).log2().ceil() as usize;
        for tree in &self.trees {
            let shapes = tree.nodes.iter().map(|node| NodeShape {
                children: (!(node.left == NO_CHILD && node.right == NO_CHILD))
                    .then_some((node.left as usize, node.right as usize)),
                feature_idx: node.feature_idx as usize,
            });
            let depths = check_tree_shape(shapes, self.feature_names.len(), height_limit)
                .map_err(|error| format!("an isolation forest: {error}"))?;
            if tree.nodes.first().map(|root| root.size as usize) != Some(self.sample_size) {
                return Err(format!("an isolation tree's root does not hold the {} sampled rows", self.sample_size));
            }
            for (node_idx, node) in tree.nodes.iter().enumerate() {
                if depths.get(node_idx) != Some(&node.depth) {
                    return Err(format!("isolation tree node {node_idx} records the wrong depth"));
                }
                if node.is_leaf() {
                    continue;
                }
                let child_sizes =
                    [node.left, node.right].map(|child| tree.nodes.get(child as usize).map_or(0, |c| c.size));
                if child_sizes.contains(&0)
                    || u64::from(child_sizes[0]) + u64::from(child_sizes[1]) != u64::from(node.size)
                {
                    return Err(format!("isolation tree node {node_idx} does not pass its rows on to its children"));
                }
            }
        }
        Ok(())
    }

    /// The fitted trees.
    pub fn trees(&self) -> &[IsolationTree] {
        &self.trees
    }

    /// ψ as used: the rows each tree was grown on.
    pub fn sample_size(&self) -> usize {
        self.sample_size
    }

    /// Scores at or above this are flagged as anomalies.
    pub fn threshold(&self) -> f64 {
        self.threshold
    }

    /// Mean path length E[h(x)] over the trees (summed as Σ h/n_trees, the same arithmetic as
    /// batch scoring, so both give bit-identical scores).
    pub fn mean_path_length(&self, row: &[f32]) -> f64 {
        let n_trees = self.trees.len() as f64;
        self.trees.iter().fold(0.0, |sum, tree| sum + tree.path_length(row) / n_trees)
    }

    /// The anomaly score 2^(−E[h]/c(ψ)) of one row, in (0, 1].
    pub fn score_row(&self, row: &[f32]) -> f64 {
        self.score_of_mean_path_length(self.mean_path_length(row))
    }

    /// Sets the flagging threshold to the upper `contamination` quantile of the training
    /// rows' scores (as fitting with a contamination does).
    pub fn set_contamination_threshold(&mut self, training_scores: Vec<f64>, contamination: f64) {
        self.threshold = upper_quantile(training_scores, contamination);
    }

    /// Converts a mean path length into the anomaly score.
    pub fn score_of_mean_path_length(&self, mean_path_length: f64) -> f64 {
        let normalizer = average_path_length(self.sample_size);
        if normalizer > 0.0 {
            (-mean_path_length / normalizer).exp2()
        } else {
            DEFAULT_SCORE_THRESHOLD
        }
    }

    /// Anomaly scores of every row of `matrix`, in row order. Missing features count as NaN.
    pub fn score_matrix(&self, matrix: &FeatureMatrix) -> Vec<f64> {
        let flat = FlatForest::from_ensemble(&self.shap_ensemble());
        self.scores_of_mean_path_lengths(flat.predict_matrix(matrix))
    }

    /// [`Self::score_matrix`] of the rows `rows` of `source`, read a block of rows at a time
    /// ([`FlatForest::predict_source`], as the browser's helpers score).
    pub fn score_rows(&self, source: &dyn FeatureSource, rows: &Rows<'_>) -> Result<Vec<f64>, MlError> {
        let flat = FlatForest::from_ensemble(&self.shap_ensemble());
        Ok(self.scores_of_mean_path_lengths(flat.predict_source(source, rows)?))
    }

    fn scores_of_mean_path_lengths(&self, mut lengths: Vec<f64>) -> Vec<f64> {
        lengths
            .iter_mut()
            .for_each(|mean_path_length| *mean_path_length = self.score_of_mean_path_length(*mean_path_length));
        lengths
    }

    /// The explanation view: each leaf holds (depth + c(size)) / n_trees, so the trees sum to
    /// E[h(x)]. Shorter paths mean more anomalous; SHAP values below zero push towards anomaly.
    pub fn shap_ensemble(&self) -> ShapEnsemble {
        let n_trees = self.trees.len() as f64;
        let trees = self
            .trees
            .iter()
            .map(|tree| {
                ShapTree::from_arena(tree.nodes().iter().map(|node| ArenaNode {
                    split: (!node.is_leaf()).then_some(ArenaSplit {
                        feature: node.feature_idx,
                        threshold: node.threshold,
                        left: node.left,
                        right: node.right,
                        missing_goes_left: node.missing_goes_left,
                    }),
                    cover: f64::from(node.size),
                    leaf_value: node.path_length() / n_trees,
                }))
            })
            .collect();
        ShapEnsemble { n_features: self.feature_names.len(), base_offset: 0.0, trees }
    }
}

/// c(n): the average path length of an unsuccessful search in a binary search tree of n
/// items, which normalises path lengths (0 for n ≤ 1, 1 for n = 2).
pub fn average_path_length(n: usize) -> f64 {
    const EULER_GAMMA: f64 = 0.577_215_664_901_532_9;
    match n {
        0 | 1 => 0.0,
        2 => 1.0,
        _ => {
            let n = n as f64;
            2.0 * ((n - 1.0).ln() + EULER_GAMMA) - 2.0 * (n - 1.0) / n
        }
    }
}

/// `count` distinct indices below `n`, in draw order (Floyd's algorithm keeps it O(count²)
/// without touching all `n` rows).
fn sample_without_replacement(n: usize, count: usize, rng: &mut SeededRng) -> Vec<u32> {
    if count >= n {
        return (0..n as u32).collect();
    }
    let mut chosen: Vec<u32> = Vec::with_capacity(count);
    for upper in (n - count)..n {
        let candidate = rng.index(upper + 1) as u32;
        let pick = if chosen.contains(&candidate) { upper as u32 } else { candidate };
        chosen.push(pick);
    }
    chosen
}

/// The score at which the top `share` of `scores` begins (flagging `score >= threshold`);
/// with no scores, the default threshold.
fn upper_quantile(mut scores: Vec<f64>, share: f64) -> f64 {
    if scores.is_empty() {
        return DEFAULT_SCORE_THRESHOLD;
    }
    // Ascending, with the sort the features already compile; the n-th largest is n from the end.
    scores.sort_unstable_by(f64::total_cmp);
    let n_flagged = ((share * scores.len() as f64).round() as usize).clamp(1, scores.len());
    scores[scores.len() - n_flagged]
}

/// Grows isolation trees, reusing its buffers across trees.
struct IsolationGrower<'a> {
    matrix: &'a FeatureMatrix,
    height_limit: u32,
    rows: Vec<u32>,
    nodes: Vec<IsolationNode>,
    candidate_features: Vec<usize>,
}

struct GrowTask {
    node_idx: usize,
    start: usize,
    end: usize,
}

impl<'a> IsolationGrower<'a> {
    fn new(matrix: &'a FeatureMatrix, height_limit: u32) -> Self {
        Self {
            matrix,
            height_limit,
            rows: Vec::new(),
            nodes: Vec::new(),
            candidate_features: Vec::with_capacity(matrix.n_features()),
        }
    }

    fn grow(&mut self, sample: Vec<u32>, rng: &mut SeededRng) -> IsolationTree {
        self.rows = sample;
        self.nodes = Vec::with_capacity(2 * self.rows.len());
        self.push_node(self.rows.len(), 0);
        let mut stack = vec![GrowTask { node_idx: 0, start: 0, end: self.rows.len() }];
        while let Some(task) = stack.pop() {
            if let Some((mid, left, right)) = self.try_split(&task, rng) {
                stack.push(GrowTask { node_idx: right, start: mid, end: task.end });
                stack.push(GrowTask { node_idx: left, start: task.start, end: mid });
            }
        }
        IsolationTree { nodes: std::mem::take(&mut self.nodes) }
    }

    fn push_node(&mut self, size: usize, depth: u32) -> usize {
        self.nodes.push(IsolationNode {
            feature_idx: 0,
            threshold: 0.0,
            left: NO_CHILD,
            right: NO_CHILD,
            missing_goes_left: false,
            size: size as u32,
            depth,
        });
        self.nodes.len() - 1
    }

    /// Splits a node on a random feature that varies in it, at a uniform value in
    /// [min, max); returns the partition boundary and the children.
    fn try_split(&mut self, task: &GrowTask, rng: &mut SeededRng) -> Option<(usize, usize, usize)> {
        let depth = self.nodes[task.node_idx].depth;
        if depth >= self.height_limit || task.end - task.start <= 1 {
            return None;
        }
        // Features that vary among the node's present values, as (feature, min, max).
        self.candidate_features.clear();
        let rows = &self.rows[task.start..task.end];
        let mut ranges = Vec::new();
        for feature_idx in 0..self.matrix.n_features() {
            let column = self.matrix.column(feature_idx);
            let (mut min, mut max) = (f32::INFINITY, f32::NEG_INFINITY);
            for &row in rows {
                let value = column[row as usize];
                if !value.is_nan() {
                    min = min.min(value);
                    max = max.max(value);
                }
            }
            if min < max {
                self.candidate_features.push(feature_idx);
                ranges.push((min, max));
            }
        }
        if self.candidate_features.is_empty() {
            return None;
        }
        let pick = rng.index(self.candidate_features.len());
        let feature_idx = self.candidate_features[pick];
        let (min, max) = ranges[pick];
        let threshold = uniform_threshold(min, max, rng);
        let column = self.matrix.column(feature_idx);

        let rows = &mut self.rows[task.start..task.end];
        let mut n_left = 0;
        let mut n_missing = 0;
        for position in 0..rows.len() {
            let value = column[rows[position] as usize];
            if value.is_nan() {
                n_missing += 1;
            } else if value <= threshold {
                rows.swap(position, n_left);
                n_left += 1;
            }
        }
        let n_present_right = rows.len() - n_left - n_missing;
        let missing_goes_left = n_left >= n_present_right;
        if n_missing > 0 && missing_goes_left {
            // Missing rows sit among the present-right ones; move them next to the left block.
            let mut boundary = n_left;
            for position in n_left..rows.len() {
                if column[rows[position] as usize].is_nan() {
                    rows.swap(position, boundary);
                    boundary += 1;
                }
            }
            n_left = boundary;
        }
        let mid = task.start + n_left;
        let left = self.push_node(mid - task.start, depth + 1);
        let right = self.push_node(task.end - mid, depth + 1);
        let node = &mut self.nodes[task.node_idx];
        node.feature_idx = feature_idx as u32;
        node.threshold = threshold;
        node.left = left as u32;
        node.right = right as u32;
        node.missing_goes_left = missing_goes_left;
        Some((mid, left, right))
    }
}

/// A split value drawn uniformly in [min, max), as an f32 strictly below `max`, so that
/// `x <= threshold` always sends `min` left and `max` right.
fn uniform_threshold(min: f32, max: f32, rng: &mut SeededRng) -> f32 {
    let (low, high) = (f64::from(min), f64::from(max));
    let drawn = (low + rng.next_f64() * (high - low)) as f32;
    if drawn < max {
        drawn.max(min)
    } else {
        next_below(max).max(min)
    }
}

/// The largest f32 below a finite `value`.
fn next_below(value: f32) -> f32 {
    if value == 0.0 {
        -f32::from_bits(1)
    } else if value > 0.0 {
        f32::from_bits(value.to_bits() - 1)
    } else {
        f32::from_bits(value.to_bits() + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keep_going(_: FitProgress) -> ControlFlow<()> {
        ControlFlow::Continue(())
    }

    /// Gaussian-ish inliers around 0 plus a few far-away rows; returns the anomaly flags.
    fn data_with_outliers(n_rows: usize, seed: u64) -> (FeatureMatrix, Vec<bool>) {
        let mut rng = SeededRng::new(seed);
        let mut columns: Vec<Vec<f32>> = (0..3).map(|_| Vec::with_capacity(n_rows)).collect();
        let mut is_outlier = Vec::with_capacity(n_rows);
        for row in 0..n_rows {
            let outlier = row % 50 == 0;
            for column in &mut columns {
                let centred: f64 = (0..4).map(|_| rng.next_f64() - 0.5).sum();
                column.push((if outlier { 6.0 + centred } else { centred }) as f32);
            }
            is_outlier.push(outlier);
        }
        let names = vec!["a".into(), "b".into(), "c".into()];
        (FeatureMatrix::from_columns(names, columns).unwrap(), is_outlier)
    }

    #[test]
    fn average_path_length_matches_the_paper() {
        assert_eq!(average_path_length(1), 0.0);
        assert_eq!(average_path_length(2), 1.0);
        // c(256) = 2(ln 255 + γ) − 2·255/256 ≈ 10.2448
        assert!((average_path_length(256) - 10.244_770_920_116_851).abs() < 1e-9);
    }

    #[test]
    fn outliers_score_high_and_inliers_low() {
        let (matrix, is_outlier) = data_with_outliers(2000, 1);
        let forest = IsolationForestParams::default().fit(&matrix, &mut keep_going).unwrap();
        let scores = forest.score_matrix(&matrix);
        let labels: Vec<bool> = is_outlier.clone();
        let auc = crate::ml::metrics::roc_auc(&labels, &scores).unwrap();
        assert!(auc > 0.99, "auc {auc}");
        let mean_outlier = mean(scores.iter().zip(&is_outlier).filter(|(_, &o)| o).map(|(s, _)| *s));
        let mean_inlier = mean(scores.iter().zip(&is_outlier).filter(|(_, &o)| !o).map(|(s, _)| *s));
        assert!(mean_outlier > 0.6 && mean_inlier < 0.5, "{mean_outlier} {mean_inlier}");
        for (row_idx, &score) in scores.iter().enumerate().step_by(97) {
            let mut row = Vec::new();
            matrix.copy_row_into(row_idx, &mut row);
            assert_eq!(score, forest.score_row(&row));
        }
    }

    fn mean(values: impl Iterator<Item = f64>) -> f64 {
        let (sum, count) = values.fold((0.0, 0usize), |(s, c), v| (s + v, c + 1));
        sum / count as f64
    }

    #[test]
    fn trees_respect_the_height_limit_and_partition_the_sample() {
        let (matrix, _) = data_with_outliers(1000, 2);
        let params = IsolationForestParams { n_trees: 10, max_samples: 100, ..Default::default() };
        let forest = params.fit(&matrix, &mut keep_going).unwrap();
        assert_eq!(forest.sample_size(), 100);
        let mut row = Vec::new();
        matrix.copy_row_into(0, &mut row);
        for tree in forest.trees() {
            let path = tree.decision_path(&row);
            let leaf = tree.nodes()[*path.last().unwrap()];
            assert!(leaf.is_leaf() && leaf.depth as usize == path.len() - 1);
            assert_eq!(leaf.path_length(), tree.path_length(&row));
            assert_eq!(tree.nodes()[0].size, 100);
            for node in tree.nodes() {
                assert!(node.depth <= 7, "ceil(log2 100) = 7");
                if !node.is_leaf() {
                    let (l, r) = (&tree.nodes()[node.left as usize], &tree.nodes()[node.right as usize]);
                    assert_eq!(l.size + r.size, node.size);
                    assert!(l.size > 0 && r.size > 0);
                }
            }
        }
    }

    #[test]
    fn same_seed_same_forest_other_seed_differs() {
        let (matrix, _) = data_with_outliers(500, 3);
        let params = IsolationForestParams { n_trees: 5, ..Default::default() };
        let a = params.fit(&matrix, &mut keep_going).unwrap();
        let b = params.fit(&matrix, &mut keep_going).unwrap();
        assert_eq!(serde_json::to_string(&a).unwrap(), serde_json::to_string(&b).unwrap());
        let c = IsolationForestParams { seed: 7, ..params }.fit(&matrix, &mut keep_going).unwrap();
        assert_ne!(a, c);
    }

    #[test]
    fn contamination_flags_that_share_of_training_rows() {
        let (matrix, _) = data_with_outliers(1000, 4);
        let params = IsolationForestParams { contamination: Some(0.05), ..Default::default() };
        let forest = params.fit(&matrix, &mut keep_going).unwrap();
        let flagged = forest.score_matrix(&matrix).iter().filter(|&&s| s >= forest.threshold()).count();
        assert!((50..=55).contains(&flagged), "flagged {flagged}");
        let (same, scores) = params.fit_and_score(&matrix, &mut keep_going).unwrap();
        assert_eq!(same, forest, "scoring once gives the same threshold");
        assert_eq!(scores, forest.score_matrix(&matrix));
        let auto = IsolationForestParams::default().fit(&matrix, &mut keep_going).unwrap();
        assert_eq!(auto.threshold(), DEFAULT_SCORE_THRESHOLD);
        // The threshold is the n-th largest score, ties and all.
        let mut by_hand = scores.clone();
        by_hand.sort_by(|a, b| b.total_cmp(a));
        assert_eq!(forest.threshold(), by_hand[49]);
        let mut reset = forest.clone();
        reset.set_contamination_threshold(vec![0.3, 0.9, 0.9, 0.1], 0.5);
        assert_eq!(reset.threshold(), 0.9);
        reset.set_contamination_threshold(vec![0.3, 0.9, 0.7, 0.1], 0.5);
        assert_eq!(reset.threshold(), 0.7);
        reset.set_contamination_threshold(Vec::new(), 0.5);
        assert_eq!(reset.threshold(), DEFAULT_SCORE_THRESHOLD, "no scores keep the default, no panic");
    }

    #[test]
    fn growing_on_chosen_rows_equals_growing_on_their_matrix() {
        let (matrix, _) = data_with_outliers(3000, 7);
        let chosen: Vec<usize> = (0..3000).filter(|row| row % 3 != 1).rev().collect();
        for contamination in [None, Some(0.1)] {
            let params = IsolationForestParams { n_trees: 20, max_samples: 128, contamination, ..Default::default() };
            let on_rows = params.fit_on_rows(&matrix, &Rows::Chosen(&chosen), &mut keep_going).unwrap();
            let on_copy = params.fit(&matrix.select_rows(&chosen), &mut keep_going).unwrap();
            assert_eq!(on_rows, on_copy);
            let scored = on_rows.score_rows(&matrix, &Rows::Chosen(&chosen)).unwrap();
            assert_eq!(scored, on_copy.score_matrix(&matrix.select_rows(&chosen)));
        }
        let params = IsolationForestParams::default();
        assert!(params.fit_on_rows(&matrix, &Rows::Chosen(&[0, 3000]), &mut keep_going).is_err());
        assert!(params.fit_on_rows(&matrix, &Rows::Chosen(&[5]), &mut keep_going).is_err(), "one row is too few");
    }

    #[test]
    fn missing_values_and_constant_columns_do_not_break_it() {
        let n = 300;
        let x: Vec<f32> = (0..n).map(|i| if i % 4 == 0 { f32::NAN } else { i as f32 }).collect();
        let constant = vec![1.0f32; n];
        let matrix = FeatureMatrix::from_columns(vec!["x".into(), "k".into()], vec![x, constant]).unwrap();
        let forest = IsolationForestParams { n_trees: 20, ..Default::default() }.fit(&matrix, &mut keep_going).unwrap();
        for tree in forest.trees() {
            assert!(tree.nodes().iter().all(|n| n.is_leaf() || n.feature_idx == 0), "constant column never split");
        }
        let score = forest.score_row(&[f32::NAN, 1.0]);
        assert!(score > 0.0 && score <= 1.0);
        assert!(forest.score_row(&[]).is_finite(), "short rows are treated as missing");
    }

    #[test]
    fn shap_view_sums_to_the_mean_path_length() {
        let (matrix, _) = data_with_outliers(400, 5);
        let forest = IsolationForestParams { n_trees: 8, ..Default::default() }.fit(&matrix, &mut keep_going).unwrap();
        let ensemble = forest.shap_ensemble();
        let mut row = Vec::new();
        for row_idx in (0..400).step_by(13) {
            matrix.copy_row_into(row_idx, &mut row);
            assert!((ensemble.predict_row(&row) - forest.mean_path_length(&row)).abs() < 1e-12);
        }
    }

    #[test]
    fn progress_cancel_and_bad_parameters() {
        let (matrix, _) = data_with_outliers(200, 6);
        let params = IsolationForestParams { n_trees: 10, ..Default::default() };
        let result = params.fit(&matrix, &mut |p| {
            if p.n_trees_done == 4 {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        });
        assert_eq!(result, Err(MlError::Cancelled { n_trees_done: 4 }));
        let bad = IsolationForestParams { max_samples: 1, ..Default::default() };
        assert!(matches!(
            bad.fit(&matrix, &mut keep_going),
            Err(MlError::InvalidParameter { name: "max_samples", .. })
        ));
        let bad = IsolationForestParams { contamination: Some(0.9), ..Default::default() };
        assert!(bad.validate().is_err());
    }

    #[test]
    fn thresholds_split_between_min_and_max() {
        let mut rng = SeededRng::new(9);
        for (min, max) in [(0.0f32, 1.0), (1.0, 1.000_000_1), (-3.0, -2.999_999_8), (-1.0, 0.0)] {
            for _ in 0..200 {
                let t = uniform_threshold(min, max, &mut rng);
                assert!(min <= t && t < max, "{min} {t} {max}");
            }
        }
    }
}
