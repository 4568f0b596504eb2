//! One tree's path for a row, chosen to stand for a forest's prediction: the tree given, or
//! the one whose prediction is closest to the forest's; its splits from root to leaf, and
//! what the leaf holds. Explanations word it; walking the trees stays here.

use super::isolation_forest::{average_path_length, IsolationForest};
use super::random_forest::RandomForest;
use super::tree::DecisionTree;

/// A split on the path, and which way the row went.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PathSplit {
    /// The feature split on.
    pub feature_idx: usize,
    /// Values at or below go left.
    pub threshold: f32,
    /// Whether the row went left.
    pub went_left: bool,
}

/// What the path's leaf holds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PathLeaf {
    /// A classification leaf: its positive share and its training rows (cover).
    Class {
        /// The share of class 1.
        positive_fraction: f64,
        /// Training rows (bootstrap weights) that reached it.
        cover: f64,
    },
    /// An isolation leaf: its depth, the training rows still together there, the path
    /// length it counts as, and a typical row's path length.
    Isolation {
        /// The depth.
        depth: u32,
        /// Training rows still together.
        size: u32,
        /// The depth plus the expected rest for `size` rows.
        path_length: f64,
        /// A typical row's path length, c(ψ).
        typical: f64,
    },
}

/// The chosen tree's path for a row.
#[derive(Debug, Clone, PartialEq)]
pub struct TreePath {
    /// The chosen tree.
    pub tree_idx: usize,
    /// Trees in the forest.
    pub n_trees: usize,
    /// The splits, root first.
    pub splits: Vec<PathSplit>,
    /// The leaf (`None` for a forest with no usable tree).
    pub leaf: Option<PathLeaf>,
}

impl RandomForest {
    /// The path of `row` through tree `tree_idx` when it exists, else through the tree whose
    /// positive fraction is closest to `score` (the forest's mean of them).
    pub fn tree_path(&self, row: &[f32], tree_idx: Option<usize>, score: f64) -> TreePath {
        let trees = self.trees();
        let chosen = representative(
            trees,
            tree_idx,
            |tree| tree.nodes().is_empty(),
            |tree| positive_fraction(tree, tree.leaf_of(row)),
            score,
        );
        let Some((tree_idx, tree)) = chosen else { return TreePath::none(trees.len()) };
        let path = tree.decision_path(row);
        let split_of =
            |node_idx: usize| tree.nodes().get(node_idx).map(|node| (node.feature_idx, node.threshold, node.left));
        let leaf_idx = path.last().copied().unwrap_or(0);
        let leaf = PathLeaf::Class {
            positive_fraction: positive_fraction(tree, leaf_idx),
            cover: tree.nodes().get(leaf_idx).map_or(0.0, |node| node.cover),
        };
        TreePath { tree_idx, n_trees: trees.len(), splits: splits(&path, split_of), leaf: Some(leaf) }
    }
}

impl IsolationForest {
    /// The path of `row` through tree `tree_idx` when it exists, else through the tree whose
    /// path length is closest to `mean_path_length` (the forest's mean of them).
    pub fn tree_path(&self, row: &[f32], tree_idx: Option<usize>, mean_path_length: f64) -> TreePath {
        let trees = self.trees();
        let chosen = representative(
            trees,
            tree_idx,
            |tree| tree.nodes().is_empty(),
            |tree| tree.path_length(row),
            mean_path_length,
        );
        let Some((tree_idx, tree)) = chosen else { return TreePath::none(trees.len()) };
        let path = tree.decision_path(row);
        let split_of =
            |node_idx: usize| tree.nodes().get(node_idx).map(|node| (node.feature_idx, node.threshold, node.left));
        let typical = average_path_length(self.sample_size());
        let leaf = path.last().and_then(|&leaf_idx| tree.nodes().get(leaf_idx)).map(|node| PathLeaf::Isolation {
            depth: node.depth,
            size: node.size,
            path_length: node.path_length(),
            typical,
        });
        TreePath { tree_idx, n_trees: trees.len(), splits: splits(&path, split_of), leaf }
    }
}

impl TreePath {
    fn none(n_trees: usize) -> Self {
        TreePath { tree_idx: 0, n_trees, splits: Vec::new(), leaf: None }
    }
}

/// The splits along `path` (node indices, root first, leaf last).
fn splits(path: &[usize], split_of: impl Fn(usize) -> Option<(u32, f32, u32)>) -> Vec<PathSplit> {
    path.windows(2)
        .filter_map(|pair| {
            let (&node_idx, &next) = (pair.first()?, pair.get(1)?);
            let (feature_idx, threshold, left) = split_of(node_idx)?;
            Some(PathSplit { feature_idx: feature_idx as usize, threshold, went_left: next == left as usize })
        })
        .collect()
}

/// The tree `tree_idx` when it is given and exists, else the tree whose prediction is
/// closest to the forest's `target`; never an empty tree. Loaded forests are validated, so
/// every tree has a root; the emptiness check only keeps a malformed one from panicking.
fn representative<T>(
    trees: &[T],
    tree_idx: Option<usize>,
    is_empty: impl Fn(&T) -> bool,
    predict: impl Fn(&T) -> f64,
    target: f64,
) -> Option<(usize, &T)> {
    let chosen = tree_idx
        .filter(|&idx| idx < trees.len())
        .or_else(|| closest(trees.iter().map(|tree| if is_empty(tree) { f64::NAN } else { predict(tree) }), target));
    chosen.and_then(|idx| trees.get(idx).filter(|tree| !is_empty(tree)).map(|tree| (idx, tree)))
}

/// The index of the first prediction closest to `target` (a NaN prediction is farthest).
fn closest(predictions: impl Iterator<Item = f64>, target: f64) -> Option<usize> {
    let mut best: Option<(usize, f64)> = None;
    for (idx, prediction) in predictions.enumerate() {
        let distance = (prediction - target).abs();
        if best.is_none_or(|(_, best_distance)| distance.total_cmp(&best_distance).is_lt()) {
            best = Some((idx, distance));
        }
    }
    best.map(|(idx, _)| idx)
}

/// The share of class 1 at a node (0 when the tree has one class or the node is unknown).
fn positive_fraction(tree: &DecisionTree, node_idx: usize) -> f64 {
    if node_idx >= tree.nodes().len() || tree.n_classes() < 2 {
        return 0.0;
    }
    tree.class_fraction(node_idx, 1)
}
