//! The explanation view of a forest: single-output trees in shap's tree-ensemble layout.
//!
//! Both forests turn themselves into a [`ShapEnsemble`]: a random forest for one class's
//! probability, an isolation forest for its expected path length. Exact TreeSHAP
//! ([`treeshap`]) and the shap JSON export read only this view, so they are written once.

pub mod export;
pub mod treeshap;
pub mod wire;

pub use treeshap::{ShapValues, TreeExplainer};

use serde::{Deserialize, Serialize};

/// Marks "no child" at a leaf, as shap does.
pub const LEAF: i32 = -1;

/// One tree, with one output, in shap's layout (see `SHAP_TREES.md`).
///
/// Rows go left iff `x[feature] <= threshold` (compared in f32); NaN goes to the default child.
/// Every internal node's `node_sample_weight` equals the sum of its children's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShapTree {
    /// Left child per node; [`LEAF`] at leaves.
    pub children_left: Vec<i32>,
    /// Right child per node; [`LEAF`] at leaves.
    pub children_right: Vec<i32>,
    /// The child a missing value goes to; [`LEAF`] at leaves.
    pub children_default: Vec<i32>,
    /// The feature index each split reads; -2 at leaves.
    pub features: Vec<i32>,
    /// Split thresholds: left iff `x <= threshold`.
    pub thresholds: Vec<f32>,
    /// The output at each leaf; internal nodes hold the cover-weighted mean of their children.
    pub values: Vec<f64>,
    /// Weighted training samples that reached each node (the cover).
    pub node_sample_weight: Vec<f64>,
}

/// A split of a fitted arena tree, as the explanation view needs it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ArenaSplit {
    /// The feature read.
    pub feature: u32,
    /// Rows with `x <= threshold` go left.
    pub threshold: f32,
    /// The left child's index.
    pub left: u32,
    /// The right child's index.
    pub right: u32,
    /// Whether a missing value goes left.
    pub missing_goes_left: bool,
}

/// One node of a fitted arena tree: its split (none at a leaf), cover and leaf value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ArenaNode {
    /// The split, or `None` at a leaf.
    pub split: Option<ArenaSplit>,
    /// Weighted training samples that reached the node.
    pub cover: f64,
    /// The output at a leaf (ignored at splits).
    pub leaf_value: f64,
}

impl ShapTree {
    /// Builds the view from an arena whose root is node 0 and whose children follow their
    /// parents; internal values become cover-weighted means of their children.
    pub fn from_arena(nodes: impl ExactSizeIterator<Item = ArenaNode>) -> Self {
        let n_nodes = nodes.len();
        let mut tree = ShapTree {
            children_left: Vec::with_capacity(n_nodes),
            children_right: Vec::with_capacity(n_nodes),
            children_default: Vec::with_capacity(n_nodes),
            features: Vec::with_capacity(n_nodes),
            thresholds: Vec::with_capacity(n_nodes),
            values: Vec::with_capacity(n_nodes),
            node_sample_weight: Vec::with_capacity(n_nodes),
        };
        for node in nodes {
            let (left, right, default, feature, threshold, value) = match node.split {
                Some(split) => {
                    let default = if split.missing_goes_left { split.left } else { split.right };
                    (split.left as i32, split.right as i32, default as i32, split.feature as i32, split.threshold, 0.0)
                }
                None => (LEAF, LEAF, LEAF, -2, 0.0, node.leaf_value),
            };
            tree.children_left.push(left);
            tree.children_right.push(right);
            tree.children_default.push(default);
            tree.features.push(feature);
            tree.thresholds.push(threshold);
            tree.values.push(value);
            tree.node_sample_weight.push(node.cover);
        }
        tree.fill_internal_values();
        tree
    }

    /// Number of nodes.
    pub fn n_nodes(&self) -> usize {
        self.children_left.len()
    }

    /// Whether `node` is a leaf.
    pub fn is_leaf(&self, node: usize) -> bool {
        self.children_left[node] == LEAF
    }

    /// The child a row takes at internal node `node`.
    pub fn next_node(&self, node: usize, row: &[f32]) -> usize {
        let value = row.get(self.features[node] as usize).copied().unwrap_or(f32::NAN);
        let child = if value.is_nan() {
            self.children_default[node]
        } else if value <= self.thresholds[node] {
            self.children_left[node]
        } else {
            self.children_right[node]
        };
        child as usize
    }

    /// The leaf value a row ends in.
    pub fn predict_row(&self, row: &[f32]) -> f64 {
        let mut node = 0;
        while !self.is_leaf(node) {
            node = self.next_node(node, row);
        }
        self.values[node]
    }

    /// Fills every internal node's value with the cover-weighted mean of its children.
    ///
    /// Children always have larger indices than their parent, so one backward pass works.
    pub fn fill_internal_values(&mut self) {
        for node in (0..self.n_nodes()).rev() {
            if self.is_leaf(node) {
                continue;
            }
            let (left, right) = (self.children_left[node] as usize, self.children_right[node] as usize);
            let cover = self.node_sample_weight[node];
            self.values[node] = if cover > 0.0 {
                (self.values[left] * self.node_sample_weight[left]
                    + self.values[right] * self.node_sample_weight[right])
                    / cover
            } else {
                0.5 * (self.values[left] + self.values[right])
            };
        }
    }
}

/// A sum of single-output trees plus an offset: the model output TreeSHAP explains.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShapEnsemble {
    /// Number of features every row has.
    pub n_features: usize,
    /// Added to the sum of the trees' leaf values.
    pub base_offset: f64,
    /// The trees; the output is `base_offset + Σ tree leaf values`.
    pub trees: Vec<ShapTree>,
}

impl ShapEnsemble {
    /// The model output for one row.
    pub fn predict_row(&self, row: &[f32]) -> f64 {
        self.base_offset + self.trees.iter().map(|tree| tree.predict_row(row)).sum::<f64>()
    }

    /// The expected output over the training distribution: `base_offset + Σ root values`.
    pub fn expected_value(&self) -> f64 {
        self.base_offset + self.trees.iter().map(|tree| tree.values.first().copied().unwrap_or(0.0)).sum::<f64>()
    }
}
