//! The CART classification tree: an arena of nodes grown by histogram split search over bins.
//!
//! Each split stores a raw-value rule (`x <= threshold` goes left), the child that missing
//! values take, and every node keeps its weighted sample count (cover) and class weights,
//! which is exactly what TreeSHAP and the decision-path view need.

use serde::{Deserialize, Serialize};

use super::binning::{BinnedMatrix, MISSING_BIN};
use super::tree_shape::{check_tree_shape, NodeShape};
use super::MlError;
use crate::rng::SeededRng;

/// How a split's quality is measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SplitCriterion {
    /// Gini impurity, scikit-learn's default.
    #[default]
    Gini,
    /// Shannon entropy (information gain).
    Entropy,
}

/// How many features each split considers.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MaxFeatures {
    /// The square root of the number of features, rounded down (at least 1).
    #[default]
    Sqrt,
    /// The base-2 logarithm of the number of features, rounded down (at least 1).
    Log2,
    /// Every feature at every split.
    All,
    /// A fixed number of features.
    Count(usize),
    /// A fraction of the features, rounded down (at least 1).
    Fraction(f64),
}

impl MaxFeatures {
    /// The number of features to try out of `n_features`.
    pub fn resolve(self, n_features: usize) -> usize {
        let n = n_features as f64;
        let k = match self {
            MaxFeatures::Sqrt => n.sqrt() as usize,
            MaxFeatures::Log2 => n.log2() as usize,
            MaxFeatures::All => n_features,
            MaxFeatures::Count(count) => count,
            MaxFeatures::Fraction(fraction) => (fraction * n) as usize,
        };
        k.clamp(1, n_features.max(1))
    }
}

/// Parameters of one tree. Validated once, before any work.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TreeParams {
    /// The split quality measure.
    pub criterion: SplitCriterion,
    /// The deepest a node may be (root is depth 0); `None` grows until leaves are pure.
    pub max_depth: Option<usize>,
    /// A node with fewer rows than this is not split.
    pub min_samples_split: usize,
    /// Every child must keep at least this many rows.
    pub min_samples_leaf: usize,
    /// How many features each split considers.
    pub max_features: MaxFeatures,
    /// A split must lower the weighted impurity by at least this share of the root's
    /// weight (scikit-learn's `min_impurity_decrease`). At 0, even a split that gains
    /// nothing now is taken, so trees can grow to purity (and learn XOR).
    pub min_impurity_decrease: f64,
}

impl Default for TreeParams {
    fn default() -> Self {
        Self {
            criterion: SplitCriterion::Gini,
            max_depth: None,
            min_samples_split: 2,
            min_samples_leaf: 1,
            max_features: MaxFeatures::Sqrt,
            min_impurity_decrease: 0.0,
        }
    }
}

impl TreeParams {
    /// Checks every parameter, so fitting never meets a bad one halfway.
    pub fn validate(&self) -> Result<(), MlError> {
        if self.min_samples_split < 2 {
            return Err(MlError::InvalidParameter {
                name: "min_samples_split",
                reason: format!("must be at least 2, got {}", self.min_samples_split),
            });
        }
        if self.min_samples_leaf < 1 {
            return Err(MlError::InvalidParameter { name: "min_samples_leaf", reason: "must be at least 1".into() });
        }
        if !(self.min_impurity_decrease >= 0.0 && self.min_impurity_decrease.is_finite()) {
            return Err(MlError::InvalidParameter {
                name: "min_impurity_decrease",
                reason: "must be a finite number >= 0".into(),
            });
        }
        match self.max_features {
            MaxFeatures::Count(0) => {
                Err(MlError::InvalidParameter { name: "max_features", reason: "must be at least 1".into() })
            }
            MaxFeatures::Fraction(f) if !(f > 0.0 && f <= 1.0) => Err(MlError::InvalidParameter {
                name: "max_features",
                reason: format!("a fraction must be in (0, 1], got {f}"),
            }),
            _ => Ok(()),
        }
    }
}

/// Marks "no child" in a leaf.
pub const NO_CHILD: u32 = u32::MAX;

pub use super::tree_shape::MAX_TREE_DEPTH;

/// The most classes a loaded tree may have. Labels here are binary; the limit keeps
/// `nodes × classes` far from overflowing and a damaged file from claiming billions.
pub const MAX_CLASSES: usize = 1024;

/// One node of a tree arena. A leaf has `left == right == NO_CHILD`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TreeNode {
    /// The feature this node splits on (unused at leaves).
    pub feature_idx: u32,
    /// Rows with `x <= threshold` go left.
    pub threshold: f32,
    /// Index of the left child, or `NO_CHILD`.
    pub left: u32,
    /// Index of the right child, or `NO_CHILD`.
    pub right: u32,
    /// Whether a missing value goes to the left child.
    pub missing_goes_left: bool,
    /// The weighted number of training samples that reached this node.
    pub cover: f64,
}

impl TreeNode {
    /// Whether this node is a leaf.
    pub fn is_leaf(&self) -> bool {
        self.left == NO_CHILD
    }
}

/// A fitted classification tree: nodes plus the weighted class counts of every node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecisionTree {
    nodes: Vec<TreeNode>,
    n_classes: usize,
    /// `n_nodes * n_classes` weighted class counts, node-major.
    class_weights: Vec<f64>,
}

impl DecisionTree {
    /// A tree from its arena and node-major class weights, as read back from bytes; check
    /// it with [`DecisionTree::validate`] before walking it.
    pub fn from_parts(nodes: Vec<TreeNode>, n_classes: usize, class_weights: Vec<f64>) -> Self {
        Self { nodes, n_classes, class_weights }
    }

    /// Every node's weighted class counts, node-major.
    pub fn all_class_weights(&self) -> &[f64] {
        &self.class_weights
    }

    /// The arena; node 0 is the root.
    pub fn nodes(&self) -> &[TreeNode] {
        &self.nodes
    }

    /// Number of classes the tree predicts.
    pub fn n_classes(&self) -> usize {
        self.n_classes
    }

    /// Weighted class counts at node `node_idx`.
    pub fn class_weights(&self, node_idx: usize) -> &[f64] {
        &self.class_weights[node_idx * self.n_classes..(node_idx + 1) * self.n_classes]
    }

    /// The fraction of class `class_idx` among the samples at node `node_idx`.
    pub fn class_fraction(&self, node_idx: usize, class_idx: usize) -> f64 {
        let cover = self.nodes[node_idx].cover;
        if cover > 0.0 {
            self.class_weights(node_idx)[class_idx] / cover
        } else {
            0.0
        }
    }

    /// The child a row takes at split node `node_idx`.
    pub fn next_node(&self, node_idx: usize, row: &[f32]) -> usize {
        let node = &self.nodes[node_idx];
        let value = row.get(node.feature_idx as usize).copied().unwrap_or(f32::NAN);
        let go_left = if value.is_nan() { node.missing_goes_left } else { value <= node.threshold };
        (if go_left { node.left } else { node.right }) as usize
    }

    /// The leaf a row (one value per feature) ends in.
    pub fn leaf_of(&self, row: &[f32]) -> usize {
        let mut node_idx = 0;
        while !self.nodes[node_idx].is_leaf() {
            node_idx = self.next_node(node_idx, row);
        }
        node_idx
    }

    /// Every node a row visits, root first, leaf last.
    pub fn decision_path(&self, row: &[f32]) -> Vec<usize> {
        path_from_root(|node_idx| self.nodes[node_idx].is_leaf(), |node_idx| self.next_node(node_idx, row))
    }

    /// Checks a tree read from a file: its nodes form one tree (see
    /// [`check_tree_shape`]), split features exist, the class count is within
    /// [`MAX_CLASSES`], and every node has finite, non-negative class weights and cover
    /// (positive at a split).
    /// Traversal, flattening and explaining never panic on a valid tree, and cost time and
    /// memory linear in its size.
    pub fn validate(&self, n_features: usize) -> Result<(), String> {
        if !(2..=MAX_CLASSES).contains(&self.n_classes) {
            return Err(format!("a tree has {} classes; between 2 and {MAX_CLASSES} are supported", self.n_classes));
        }
        let expected_weights = self.nodes.len().checked_mul(self.n_classes);
        if expected_weights != Some(self.class_weights.len()) {
            return Err("a tree's class weights do not match its nodes".into());
        }
        let shapes = self.nodes.iter().map(|node| NodeShape {
            children: (!(node.left == NO_CHILD && node.right == NO_CHILD))
                .then_some((node.left as usize, node.right as usize)),
            feature_idx: node.feature_idx as usize,
        });
        check_tree_shape(shapes, n_features, MAX_TREE_DEPTH).map_err(|error| error.to_string())?;
        // A split divides by its cover when explaining: it must be positive; a leaf's may be 0.
        let bad_cover = |node: &TreeNode| {
            let least = if node.is_leaf() { 0.0 } else { f64::MIN_POSITIVE };
            !(node.cover.is_finite() && node.cover >= least)
        };
        if let Some(node_idx) = self.nodes.iter().position(bad_cover) {
            return Err(format!("tree node {node_idx} has a cover that is not a positive number"));
        }
        for (node_idx, weights) in self.class_weights.chunks_exact(self.n_classes).enumerate() {
            let total: f64 = weights.iter().sum();
            if weights.iter().any(|w| !(w.is_finite() && *w >= 0.0)) || !(total > 0.0 && total.is_finite()) {
                return Err(format!("tree node {node_idx} has class weights that are negative, zero or not numbers"));
            }
        }
        Ok(())
    }

    /// The depth of the deepest leaf.
    pub fn depth(&self) -> usize {
        let mut depths = vec![0usize; self.nodes.len()];
        let mut deepest = 0;
        for (node_idx, node) in self.nodes.iter().enumerate() {
            if !node.is_leaf() {
                depths[node.left as usize] = depths[node_idx] + 1;
                depths[node.right as usize] = depths[node_idx] + 1;
                deepest = deepest.max(depths[node_idx] + 1);
            }
        }
        deepest
    }
}

/// The nodes from the root (0) to a leaf of any arena tree, given its leaf test and the
/// child a row takes at a split.
pub fn path_from_root(is_leaf: impl Fn(usize) -> bool, next_node: impl Fn(usize) -> usize) -> Vec<usize> {
    let mut path = vec![0];
    let mut node_idx = 0;
    while !is_leaf(node_idx) {
        node_idx = next_node(node_idx);
        path.push(node_idx);
    }
    path
}

/// The training sample a tree sees: distinct rows and a positive weight for each.
#[derive(Debug, Clone)]
pub struct WeightedSample {
    /// Row indices into the binned matrix.
    pub rows: Vec<u32>,
    /// One weight per row (bootstrap multiplicity times class weight).
    pub weights: Vec<f64>,
}

/// What one fit adds to the forest's impurity importance: weighted decrease per feature.
pub type ImpurityDecrease = Vec<f64>;

/// Grows one tree on `sample` of `data`; `labels` holds a class index per matrix row.
pub fn fit_tree(
    params: &TreeParams,
    data: &BinnedMatrix,
    labels: &[u32],
    n_classes: usize,
    sample: WeightedSample,
    seed: u64,
) -> (DecisionTree, ImpurityDecrease) {
    let subtract_siblings = 2 * params.max_features.resolve(data.n_features()) > data.n_features();
    fit_tree_tuned(params, data, labels, n_classes, sample, seed, EXACT_SEARCH_MAX_ROWS, subtract_siblings)
}

/// [`fit_tree`] with its speed strategies chosen by the caller (tests check that every
/// choice grows the same tree).
#[allow(clippy::too_many_arguments)]
fn fit_tree_tuned(
    params: &TreeParams,
    data: &BinnedMatrix,
    labels: &[u32],
    n_classes: usize,
    sample: WeightedSample,
    seed: u64,
    exact_search_max_rows: usize,
    subtract_siblings: bool,
) -> (DecisionTree, ImpurityDecrease) {
    let mut grower = Grower::new(params, data, labels, n_classes, sample, seed);
    grower.exact_search_max_rows = exact_search_max_rows;
    grower.subtract_siblings = subtract_siblings;
    grower.grow();
    let tree = DecisionTree { nodes: grower.nodes, n_classes, class_weights: grower.class_weights };
    (tree, grower.importance)
}

/// Nodes with at most this many rows find their split by sorting the rows' bin codes
/// instead of filling and scanning a 256-bin histogram (measured in BENCHMARKS.md).
const EXACT_SEARCH_MAX_ROWS: usize = 32;

/// One training row as the grower sees it; nodes own contiguous ranges of slots.
#[derive(Debug, Clone, Copy)]
struct Slot {
    row: u32,
    label: u32,
    weight: f64,
}

struct Grower<'a> {
    params: &'a TreeParams,
    data: &'a BinnedMatrix,
    n_classes: usize,
    slots: Vec<Slot>,
    rng: SeededRng,
    n_features_to_try: usize,
    feature_order: Vec<usize>,
    histogram: Vec<f64>,
    bin_row_counts: Vec<u32>,
    sorted_codes: Vec<(u8, u32)>,
    exact_search_max_rows: usize,
    subtract_siblings: bool,
    depth_cap: usize,
    scan: SplitScan,
    nodes: Vec<TreeNode>,
    class_weights: Vec<f64>,
    importance: Vec<f64>,
}

struct NodeTask {
    node_idx: usize,
    start: usize,
    end: usize,
    depth: usize,
    /// Every feature's histogram of this node, when sibling subtraction built it.
    histograms: Option<NodeHistograms>,
}

/// Every feature's histogram of one node: class weights and row counts per bin code.
struct NodeHistograms {
    /// `n_features × 256 × n_classes` weights, feature-major.
    weights: Vec<f64>,
    /// `n_features × 256` row counts.
    counts: Vec<u32>,
}

/// With sibling subtraction on, nodes with more rows than this get full histograms; smaller
/// ones use the per-feature paths (fewer rows than bins make full histograms a loss).
const SUBTRACTION_MIN_ROWS: usize = 256;

#[derive(Clone, Copy)]
struct BestSplit {
    feature_idx: usize,
    split_bin: usize,
    missing_goes_left: bool,
    score: f64,
}

impl<'a> Grower<'a> {
    fn new(
        params: &'a TreeParams,
        data: &'a BinnedMatrix,
        labels: &'a [u32],
        n_classes: usize,
        sample: WeightedSample,
        seed: u64,
    ) -> Self {
        let n_features = data.n_features();
        let slots = sample
            .rows
            .iter()
            .zip(&sample.weights)
            .map(|(&row, &weight)| Slot { row, label: labels[row as usize], weight })
            .collect();
        Self {
            params,
            data,
            n_classes,
            slots,
            rng: SeededRng::new(seed),
            n_features_to_try: params.max_features.resolve(n_features),
            feature_order: (0..n_features).collect(),
            histogram: vec![0.0; 256 * n_classes],
            bin_row_counts: vec![0; 256],
            sorted_codes: Vec::with_capacity(EXACT_SEARCH_MAX_ROWS),
            exact_search_max_rows: EXACT_SEARCH_MAX_ROWS,
            subtract_siblings: false,
            depth_cap: MAX_TREE_DEPTH,
            scan: SplitScan::new(n_classes),
            nodes: Vec::new(),
            class_weights: Vec::new(),
            importance: vec![0.0; n_features],
        }
    }

    fn grow(&mut self) {
        let n_rows = self.slots.len();
        let mut root_weights = vec![0.0; self.n_classes];
        for slot in &self.slots {
            root_weights[slot.label as usize] += slot.weight;
        }
        self.push_node(&root_weights);
        let histograms =
            (self.subtract_siblings && n_rows > SUBTRACTION_MIN_ROWS).then(|| self.build_histograms(0, n_rows));
        let mut stack = vec![NodeTask { node_idx: 0, start: 0, end: n_rows, depth: 0, histograms }];
        while let Some(task) = stack.pop() {
            if let Some((mid, left_idx, right_idx)) = self.try_split(&task) {
                let (left_histograms, right_histograms) = match task.histograms {
                    Some(parent) => self.children_histograms(parent, task.start, mid, task.end),
                    None => (None, None),
                };
                let depth = task.depth + 1;
                // Right first so the left subtree is grown (and numbered) first.
                stack.push(NodeTask {
                    node_idx: right_idx,
                    start: mid,
                    end: task.end,
                    depth,
                    histograms: right_histograms,
                });
                stack.push(NodeTask {
                    node_idx: left_idx,
                    start: task.start,
                    end: mid,
                    depth,
                    histograms: left_histograms,
                });
            }
        }
    }

    /// Every feature's histogram over slots `start..end`.
    fn build_histograms(&self, start: usize, end: usize) -> NodeHistograms {
        let n_classes = self.n_classes;
        let n_features = self.data.n_features();
        let mut weights = vec![0.0; n_features * 256 * n_classes];
        let mut counts = vec![0u32; n_features * 256];
        for feature_idx in 0..n_features {
            let codes = self.data.codes(feature_idx);
            let feature_weights = &mut weights[feature_idx * 256 * n_classes..(feature_idx + 1) * 256 * n_classes];
            let feature_counts = &mut counts[feature_idx * 256..(feature_idx + 1) * 256];
            for slot in &self.slots[start..end] {
                let bin = codes[slot.row as usize] as usize;
                feature_weights[bin * n_classes + slot.label as usize] += slot.weight;
                feature_counts[bin] += 1;
            }
        }
        NodeHistograms { weights, counts }
    }

    /// The children's histograms: the smaller child's are built from its rows, the larger's
    /// are the parent's minus the smaller's (sibling subtraction). Children too small to
    /// benefit get none.
    fn children_histograms(
        &self,
        mut parent: NodeHistograms,
        start: usize,
        mid: usize,
        end: usize,
    ) -> (Option<NodeHistograms>, Option<NodeHistograms>) {
        let (n_left, n_right) = (mid - start, end - mid);
        if n_left.max(n_right) <= SUBTRACTION_MIN_ROWS {
            return (None, None);
        }
        let left_is_smaller = n_left <= n_right;
        let smaller = if left_is_smaller { self.build_histograms(start, mid) } else { self.build_histograms(mid, end) };
        for (count, small_count) in parent.counts.iter_mut().zip(&smaller.counts) {
            *count -= small_count;
        }
        let n_classes = self.n_classes;
        for ((weights, small_weights), &count) in
            parent.weights.chunks_exact_mut(n_classes).zip(smaller.weights.chunks_exact(n_classes)).zip(&parent.counts)
        {
            for (weight, small_weight) in weights.iter_mut().zip(small_weights) {
                // An emptied bin is exactly zero, not a rounding residue.
                *weight = if count == 0 { 0.0 } else { *weight - small_weight };
            }
        }
        let smaller = (n_left.min(n_right) > SUBTRACTION_MIN_ROWS).then_some(smaller);
        if left_is_smaller {
            (smaller, Some(parent))
        } else {
            (Some(parent), smaller)
        }
    }

    /// Appends a node with these class weights; its cover is their sum.
    fn push_node(&mut self, class_weights: &[f64]) -> usize {
        let node_idx = self.nodes.len();
        self.class_weights.extend_from_slice(class_weights);
        self.nodes.push(TreeNode {
            feature_idx: 0,
            threshold: 0.0,
            left: NO_CHILD,
            right: NO_CHILD,
            missing_goes_left: false,
            cover: class_weights.iter().sum(),
        });
        node_idx
    }

    fn try_split(&mut self, task: &NodeTask) -> Option<(usize, usize, usize)> {
        let n_node_rows = task.end - task.start;
        let parent: Vec<f64> = self.class_weights_of(task.node_idx).to_vec();
        let parent_cover = self.nodes[task.node_idx].cover;
        let parent_impurity = impurity(self.params.criterion, &parent, parent_cover);
        let too_deep = task.depth >= self.params.max_depth.unwrap_or(self.depth_cap).min(self.depth_cap);
        if too_deep
            || n_node_rows < self.params.min_samples_split
            || n_node_rows < 2 * self.params.min_samples_leaf
            || parent_impurity <= 1e-12
        {
            return None;
        }
        let best = self.find_best_split(task, &parent, parent_cover)?;
        let parent_score = score_of(self.params.criterion, &parent, parent_cover);
        let root_cover = self.nodes[0].cover;
        if best.score - parent_score + 1e-12 < self.params.min_impurity_decrease * root_cover {
            return None;
        }
        let (mid, left_weights, right_weights) = self.partition(task, &best);
        let left_idx = self.push_node(&left_weights);
        let right_idx = self.push_node(&right_weights);
        let left_cover = self.nodes[left_idx].cover;
        let right_cover = self.nodes[right_idx].cover;
        let left_impurity = impurity(self.params.criterion, &left_weights, left_cover);
        let right_impurity = impurity(self.params.criterion, &right_weights, right_cover);
        self.importance[best.feature_idx] +=
            parent_cover * parent_impurity - left_cover * left_impurity - right_cover * right_impurity;
        let bins = self.data.bins(best.feature_idx);
        let node = &mut self.nodes[task.node_idx];
        node.feature_idx = best.feature_idx as u32;
        node.threshold = bins.upper_edge(best.split_bin);
        node.left = left_idx as u32;
        node.right = right_idx as u32;
        node.missing_goes_left = best.missing_goes_left;
        Some((mid, left_idx, right_idx))
    }

    fn class_weights_of(&self, node_idx: usize) -> &[f64] {
        &self.class_weights[node_idx * self.n_classes..(node_idx + 1) * self.n_classes]
    }

    /// Visits features in a fresh random order until `max_features` non-constant ones are seen.
    fn find_best_split(&mut self, task: &NodeTask, parent: &[f64], parent_cover: f64) -> Option<BestSplit> {
        let mut best: Option<BestSplit> = None;
        let mut n_informative_seen = 0;
        let n_features = self.feature_order.len();
        for order_idx in 0..n_features {
            if n_informative_seen >= self.n_features_to_try {
                break;
            }
            let swap_idx = order_idx + self.rng.index(n_features - order_idx);
            self.feature_order.swap(order_idx, swap_idx);
            let feature_idx = self.feature_order[order_idx];
            self.scan.reset(feature_idx, parent, parent_cover, task.end - task.start, self.params);
            let varies = if let Some(histograms) = &task.histograms {
                let n_classes = self.n_classes;
                let weights = &histograms.weights[feature_idx * 256 * n_classes..(feature_idx + 1) * 256 * n_classes];
                let counts = &histograms.counts[feature_idx * 256..(feature_idx + 1) * 256];
                scan_bins(&mut self.scan, weights, counts, self.data.bins(feature_idx).n_bins(), n_classes)
            } else if task.end - task.start <= self.exact_search_max_rows {
                self.scan_sorted(feature_idx, task)
            } else {
                self.scan_histogram(feature_idx, task)
            };
            if !varies {
                continue;
            }
            n_informative_seen += 1;
            if let Some(split) = self.scan.best {
                if best.is_none_or(|b| split.score > b.score) {
                    best = Some(split);
                }
            }
        }
        best
    }

    /// Offers every occupied bin of the feature's histogram to the scan; false if the feature
    /// is constant in this node.
    fn scan_histogram(&mut self, feature_idx: usize, task: &NodeTask) -> bool {
        let n_classes = self.n_classes;
        let codes = self.data.codes(feature_idx);
        let n_bins = self.data.bins(feature_idx).n_bins();
        // Codes are below `n_bins` or the missing bin, so only those bins need clearing;
        // many features (flags, counts, small code lists) have a handful of bins.
        let missing = usize::from(MISSING_BIN);
        self.histogram[..n_bins * n_classes].fill(0.0);
        self.histogram[missing * n_classes..(missing + 1) * n_classes].fill(0.0);
        self.bin_row_counts[..n_bins].fill(0);
        self.bin_row_counts[missing] = 0;
        for slot in &self.slots[task.start..task.end] {
            let bin = codes[slot.row as usize] as usize;
            self.histogram[bin * n_classes + slot.label as usize] += slot.weight;
            self.bin_row_counts[bin] += 1;
        }
        scan_bins(&mut self.scan, &self.histogram, &self.bin_row_counts, n_bins, n_classes)
    }

    /// The same scan for a small node: sorts its rows by bin code and offers each run.
    fn scan_sorted(&mut self, feature_idx: usize, task: &NodeTask) -> bool {
        let codes = self.data.codes(feature_idx);
        self.sorted_codes.clear();
        self.sorted_codes.extend(
            self.slots[task.start..task.end]
                .iter()
                .enumerate()
                .map(|(offset, slot)| (codes[slot.row as usize], offset as u32)),
        );
        self.sorted_codes.sort_unstable();
        let (first, last) = match (self.sorted_codes.first(), self.sorted_codes.last()) {
            (Some(first), Some(last)) => (first.0, last.0),
            _ => return false,
        };
        if first == last {
            return false;
        }
        let n_classes = self.n_classes;
        let node_slots = &self.slots[task.start..task.end];
        let missing_start = self.sorted_codes.partition_point(|&(code, _)| code != MISSING_BIN);
        let run_weights = &mut self.histogram[..2 * n_classes];
        run_weights.fill(0.0);
        for &(_, offset) in &self.sorted_codes[missing_start..] {
            let slot = node_slots[offset as usize];
            run_weights[n_classes + slot.label as usize] += slot.weight;
        }
        let (bin_weights, missing_weights) = run_weights.split_at_mut(n_classes);
        self.scan.set_missing(missing_weights, self.sorted_codes.len() - missing_start);
        let mut run_start = 0;
        while run_start < missing_start {
            let code = self.sorted_codes[run_start].0;
            bin_weights.fill(0.0);
            let mut run_end = run_start;
            while run_end < missing_start && self.sorted_codes[run_end].0 == code {
                let slot = node_slots[self.sorted_codes[run_end].1 as usize];
                bin_weights[slot.label as usize] += slot.weight;
                run_end += 1;
            }
            self.scan.offer(code as usize, run_end - run_start, bin_weights);
            run_start = run_end;
        }
        true
    }

    /// Reorders slots `start..end` so the left child's come first; returns the boundary and
    /// the class weights of both children.
    fn partition(&mut self, task: &NodeTask, split: &BestSplit) -> (usize, Vec<f64>, Vec<f64>) {
        let codes = self.data.codes(split.feature_idx);
        let mut left_weights = vec![0.0; self.n_classes];
        let mut right_weights = vec![0.0; self.n_classes];
        let mut mid = task.start;
        for position in task.start..task.end {
            let slot = self.slots[position];
            let bin = codes[slot.row as usize];
            let goes_left = if bin == MISSING_BIN { split.missing_goes_left } else { bin as usize <= split.split_bin };
            if goes_left {
                left_weights[slot.label as usize] += slot.weight;
                self.slots.swap(position, mid);
                mid += 1;
            } else {
                right_weights[slot.label as usize] += slot.weight;
            }
        }
        (mid, left_weights, right_weights)
    }
}

/// Offers every occupied bin of one feature's histogram (`weights`: 256 × n_classes,
/// `counts`: 256) to `scan`; false if the feature is constant in the node.
fn scan_bins(scan: &mut SplitScan, weights: &[f64], counts: &[u32], n_bins: usize, n_classes: usize) -> bool {
    let missing_rows = counts[MISSING_BIN as usize] as usize;
    let occupied_bins = counts[..n_bins].iter().filter(|&&count| count > 0).count();
    if occupied_bins + usize::from(missing_rows > 0) < 2 {
        return false;
    }
    let missing_offset = MISSING_BIN as usize * n_classes;
    scan.set_missing(&weights[missing_offset..missing_offset + n_classes], missing_rows);
    for split_bin in 0..n_bins {
        let bin_rows = counts[split_bin] as usize;
        if bin_rows > 0 {
            scan.offer(split_bin, bin_rows, &weights[split_bin * n_classes..(split_bin + 1) * n_classes]);
        }
    }
    true
}

/// The running best split of one feature: bins are offered in ascending order, and each
/// offer scores "bins so far go left" with missing values on either side.
struct SplitScan {
    feature_idx: usize,
    criterion: SplitCriterion,
    min_leaf: usize,
    n_node_rows: usize,
    parent: Vec<f64>,
    parent_cover: f64,
    missing: Vec<f64>,
    missing_rows: usize,
    present_left: Vec<f64>,
    present_left_rows: usize,
    child_left: Vec<f64>,
    child_right: Vec<f64>,
    best: Option<BestSplit>,
}

impl SplitScan {
    fn new(n_classes: usize) -> Self {
        Self {
            feature_idx: 0,
            criterion: SplitCriterion::Gini,
            min_leaf: 1,
            n_node_rows: 0,
            parent: vec![0.0; n_classes],
            parent_cover: 0.0,
            missing: vec![0.0; n_classes],
            missing_rows: 0,
            present_left: vec![0.0; n_classes],
            present_left_rows: 0,
            child_left: vec![0.0; n_classes],
            child_right: vec![0.0; n_classes],
            best: None,
        }
    }

    fn reset(
        &mut self,
        feature_idx: usize,
        parent: &[f64],
        parent_cover: f64,
        n_node_rows: usize,
        params: &TreeParams,
    ) {
        self.feature_idx = feature_idx;
        self.criterion = params.criterion;
        self.min_leaf = params.min_samples_leaf;
        self.n_node_rows = n_node_rows;
        self.parent.copy_from_slice(parent);
        self.parent_cover = parent_cover;
        self.present_left.fill(0.0);
        self.present_left_rows = 0;
        self.best = None;
    }

    fn set_missing(&mut self, missing: &[f64], missing_rows: usize) {
        self.missing.copy_from_slice(missing);
        self.missing_rows = missing_rows;
    }

    /// Adds bin `split_bin` to the left side and scores the split "bin <= split_bin".
    fn offer(&mut self, split_bin: usize, bin_rows: usize, bin_weights: &[f64]) {
        if let ([present_0, present_1], [weight_0, weight_1], SplitCriterion::Gini) =
            (self.present_left.as_mut_slice(), bin_weights, self.criterion)
        {
            *present_0 += weight_0;
            *present_1 += weight_1;
            self.present_left_rows += bin_rows;
            self.score_binary_gini(split_bin);
            return;
        }
        self.present_left.iter_mut().zip(bin_weights).for_each(|(total, w)| *total += w);
        self.present_left_rows += bin_rows;
        for missing_goes_left in [false, true] {
            if missing_goes_left && self.missing_rows == 0 {
                continue;
            }
            let n_left = self.present_left_rows + if missing_goes_left { self.missing_rows } else { 0 };
            if n_left < self.min_leaf || self.n_node_rows - n_left < self.min_leaf {
                continue;
            }
            let mut cover_left = 0.0;
            let missing_share = if missing_goes_left { 1.0 } else { 0.0 };
            for (((left, right), (&present, &missing)), &parent) in self
                .child_left
                .iter_mut()
                .zip(self.child_right.iter_mut())
                .zip(self.present_left.iter().zip(&self.missing))
                .zip(&self.parent)
            {
                *left = present + missing_share * missing;
                *right = parent - *left;
                cover_left += *left;
            }
            let cover_right = self.parent_cover - cover_left;
            if cover_left <= 0.0 || cover_right <= 0.0 {
                continue;
            }
            let score = match self.criterion {
                // -cover·gini summed over both children is Σl²/cl + Σr²/cr − parent cover.
                SplitCriterion::Gini => {
                    let squares = |weights: &[f64]| weights.iter().map(|w| w * w).sum::<f64>();
                    squares(&self.child_left) / cover_left + squares(&self.child_right) / cover_right
                        - self.parent_cover
                }
                SplitCriterion::Entropy => {
                    score_of(self.criterion, &self.child_left, cover_left)
                        + score_of(self.criterion, &self.child_right, cover_right)
                }
            };
            if self.best.is_none_or(|b| score > b.score) {
                // With no missing values in training, future ones go to the larger child.
                let missing_goes_left =
                    if self.missing_rows == 0 { cover_left >= cover_right } else { missing_goes_left };
                self.best = Some(BestSplit { feature_idx: self.feature_idx, split_bin, missing_goes_left, score });
            }
        }
    }
}

impl SplitScan {
    /// [`SplitScan::offer`]'s scoring for two classes and gini, unrolled; it computes the
    /// same numbers in the same order as the general loop, so trees are identical.
    #[inline]
    fn score_binary_gini(&mut self, split_bin: usize) {
        let (present_0, present_1) = (self.present_left[0], self.present_left[1]);
        let (parent_0, parent_1) = (self.parent[0], self.parent[1]);
        for missing_goes_left in [false, true] {
            if missing_goes_left && self.missing_rows == 0 {
                continue;
            }
            let n_left = self.present_left_rows + if missing_goes_left { self.missing_rows } else { 0 };
            if n_left < self.min_leaf || self.n_node_rows - n_left < self.min_leaf {
                continue;
            }
            let (left_0, left_1) = if missing_goes_left {
                (present_0 + self.missing[0], present_1 + self.missing[1])
            } else {
                (present_0, present_1)
            };
            let cover_left = left_0 + left_1;
            let cover_right = self.parent_cover - cover_left;
            if cover_left <= 0.0 || cover_right <= 0.0 {
                continue;
            }
            let (right_0, right_1) = (parent_0 - left_0, parent_1 - left_1);
            let score = (left_0 * left_0 + left_1 * left_1) / cover_left
                + (right_0 * right_0 + right_1 * right_1) / cover_right
                - self.parent_cover;
            if self.best.is_none_or(|b| score > b.score) {
                let missing_goes_left =
                    if self.missing_rows == 0 { cover_left >= cover_right } else { missing_goes_left };
                self.best = Some(BestSplit { feature_idx: self.feature_idx, split_bin, missing_goes_left, score });
            }
        }
    }
}

/// A split-quality score for one child that is larger when the child is purer:
/// `-cover * impurity`. Summing it over children and maximising minimises weighted impurity.
fn score_of(criterion: SplitCriterion, class_weights: &[f64], cover: f64) -> f64 {
    -cover * impurity(criterion, class_weights, cover)
}

/// The impurity of a weighted class distribution.
pub fn impurity(criterion: SplitCriterion, class_weights: &[f64], cover: f64) -> f64 {
    if cover <= 0.0 {
        return 0.0;
    }
    match criterion {
        SplitCriterion::Gini => 1.0 - class_weights.iter().map(|w| (w / cover) * (w / cover)).sum::<f64>(),
        SplitCriterion::Entropy => -class_weights
            .iter()
            .filter(|&&w| w > 0.0)
            .map(|w| {
                let p = w / cover;
                p * p.log2()
            })
            .sum::<f64>(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ml::FeatureMatrix;

    fn full_sample(n_rows: usize) -> WeightedSample {
        WeightedSample { rows: (0..n_rows as u32).collect(), weights: vec![1.0; n_rows] }
    }

    fn fit(columns: Vec<Vec<f32>>, labels: &[u32], params: &TreeParams) -> DecisionTree {
        let names = (0..columns.len()).map(|i| format!("f{i}")).collect();
        let matrix = FeatureMatrix::from_columns(names, columns).unwrap();
        let binned = BinnedMatrix::fit(&matrix, 255);
        fit_tree(params, &binned, labels, 2, full_sample(labels.len()), 1).0
    }

    #[test]
    fn learns_a_threshold_exactly() {
        let x: Vec<f32> = (0..100).map(|i| i as f32).collect();
        let y: Vec<u32> = (0..100).map(|i| u32::from(i >= 37)).collect();
        let tree = fit(vec![x], &y, &TreeParams { max_features: MaxFeatures::All, ..Default::default() });
        assert_eq!(tree.nodes().len(), 3);
        assert_eq!(tree.nodes()[0].threshold, 36.5);
        for i in 0..100 {
            let leaf = tree.leaf_of(&[i as f32]);
            assert_eq!(tree.class_fraction(leaf, 1), f64::from(u32::from(i >= 37)));
        }
    }

    #[test]
    fn learns_xor_when_grown_deep() {
        let a: Vec<f32> = (0..400).map(|i| (i % 2) as f32).collect();
        let b: Vec<f32> = (0..400).map(|i| ((i / 2) % 2) as f32).collect();
        let y: Vec<u32> = (0..400).map(|i| ((i % 2) ^ ((i / 2) % 2)) as u32).collect();
        let tree = fit(vec![a, b], &y, &TreeParams { max_features: MaxFeatures::All, ..Default::default() });
        for i in 0..4u32 {
            let row = [(i % 2) as f32, ((i / 2) % 2) as f32];
            assert_eq!(tree.class_fraction(tree.leaf_of(&row), 1), f64::from((i % 2) ^ ((i / 2) % 2)));
        }
    }

    #[test]
    fn missing_values_learn_their_own_direction() {
        // Class 1 exactly when the value is missing; present values are all class 0.
        let x: Vec<f32> = (0..60).map(|i| if i % 3 == 0 { f32::NAN } else { i as f32 }).collect();
        let y: Vec<u32> = (0..60).map(|i| u32::from(i % 3 == 0)).collect();
        let tree = fit(vec![x], &y, &TreeParams { max_features: MaxFeatures::All, ..Default::default() });
        assert_eq!(tree.class_fraction(tree.leaf_of(&[f32::NAN]), 1), 1.0);
        assert_eq!(tree.class_fraction(tree.leaf_of(&[4.0]), 1), 0.0);
    }

    #[test]
    fn cover_is_consistent_and_limits_hold() {
        let x: Vec<f32> = (0..500).map(|i| ((i * 37) % 101) as f32).collect();
        let z: Vec<f32> = (0..500).map(|i| ((i * 11) % 7) as f32).collect();
        let y: Vec<u32> = (0..500).map(|i| u32::from((i * 37) % 101 > 50 || (i * 11) % 7 == 3)).collect();
        let params = TreeParams {
            max_depth: Some(3),
            min_samples_leaf: 20,
            max_features: MaxFeatures::All,
            ..Default::default()
        };
        let tree = fit(vec![x, z], &y, &params);
        assert!(tree.depth() <= 3);
        for node in tree.nodes().iter().filter(|n| !n.is_leaf()) {
            let children = tree.nodes()[node.left as usize].cover + tree.nodes()[node.right as usize].cover;
            assert!((node.cover - children).abs() < 1e-9);
            assert!(tree.nodes()[node.left as usize].cover >= 20.0);
            assert!(tree.nodes()[node.right as usize].cover >= 20.0);
        }
    }

    #[test]
    fn every_split_search_strategy_grows_the_same_tree() {
        let mut rng = SeededRng::new(11);
        let n_rows = 3000;
        let mut columns = vec![Vec::new(); 4];
        let mut labels = Vec::new();
        for _ in 0..n_rows {
            let x: Vec<f32> =
                (0..4)
                    .map(|f| {
                        if rng.chance(0.05) {
                            f32::NAN
                        } else {
                            (rng.below(if f == 3 { 7 } else { 1000 }) as f32) / 10.0
                        }
                    })
                    .collect();
            labels.push((u32::from(x[0] + x[1] > 100.0) ^ u32::from(rng.chance(0.1))) + u32::from(x[2] > 90.0));
            for (column, value) in columns.iter_mut().zip(x) {
                column.push(value);
            }
        }
        let names = (0..4).map(|i| format!("f{i}")).collect();
        let binned = BinnedMatrix::fit(&FeatureMatrix::from_columns(names, columns).unwrap(), 255);
        let weights: Vec<f64> = (0..n_rows).map(|i| f64::from(1 + (i % 3) as u32)).collect();
        let sample = WeightedSample { rows: (0..n_rows as u32).collect(), weights };
        for params in [
            TreeParams::default(),
            TreeParams { criterion: SplitCriterion::Entropy, min_samples_leaf: 3, ..Default::default() },
        ] {
            let by_histogram = fit_tree_tuned(&params, &binned, &labels, 3, sample.clone(), 5, 0, false);
            let by_sorting = fit_tree_tuned(&params, &binned, &labels, 3, sample.clone(), 5, usize::MAX, false);
            assert!(by_histogram.0.nodes().len() > 100);
            assert_eq!(by_histogram.0, by_sorting.0);
            // Sibling subtraction: every node's histograms by subtraction, integer weights, so
            // exactly the same sums.
            let all_features = TreeParams { max_features: MaxFeatures::All, ..params.clone() };
            let direct = fit_tree_tuned(&all_features, &binned, &labels, 3, sample.clone(), 5, 0, false);
            let subtracted = fit_tree_tuned(&all_features, &binned, &labels, 3, sample.clone(), 5, 0, true);
            assert_eq!(direct.0, subtracted.0);
        }
    }

    #[test]
    fn depth_is_capped_even_when_unlimited() {
        // Alternating labels on one feature: purity needs a deep tree (92 levels here).
        let n = 600;
        let x: Vec<f32> = (0..n).map(|i| i as f32).collect();
        let y: Vec<u32> = (0..n).map(|i| u32::from(i % 2 == 0)).collect();
        let names = vec!["x".to_owned()];
        let binned = BinnedMatrix::fit(&FeatureMatrix::from_columns(names, vec![x]).unwrap(), 255);
        let params = TreeParams { max_features: MaxFeatures::All, ..Default::default() };
        let (natural, _) = fit_tree(&params, &binned, &y, 2, full_sample(n), 1);
        assert!(natural.depth() > 20 && natural.depth() <= MAX_TREE_DEPTH);
        let mut grower = Grower::new(&params, &binned, &y, 2, full_sample(n), 1);
        grower.depth_cap = 20;
        grower.grow();
        let capped = DecisionTree { nodes: grower.nodes, n_classes: 2, class_weights: grower.class_weights };
        assert_eq!(capped.depth(), 20, "the cap wins over max_depth = None");

        // A loaded tree deeper than the cap is refused: a chain of MAX_TREE_DEPTH + 1 splits.
        let mut nodes = Vec::new();
        for level in 0..=MAX_TREE_DEPTH as u32 {
            let split = 2 * level;
            let (left, right) = (split + 1, split + 2);
            nodes.push(TreeNode { feature_idx: 0, threshold: 0.0, left, right, missing_goes_left: true, cover: 2.0 });
            nodes.push(TreeNode {
                feature_idx: 0,
                threshold: 0.0,
                left: NO_CHILD,
                right: NO_CHILD,
                missing_goes_left: false,
                cover: 1.0,
            });
        }
        nodes.push(TreeNode {
            feature_idx: 0,
            threshold: 0.0,
            left: NO_CHILD,
            right: NO_CHILD,
            missing_goes_left: false,
            cover: 1.0,
        });
        let class_weights = vec![1.0; nodes.len() * 2];
        let deep = DecisionTree { nodes, n_classes: 2, class_weights };
        assert_eq!(deep.validate(1), Err(format!("a tree is deeper than {MAX_TREE_DEPTH} levels")));
    }

    #[test]
    fn invalid_parameters_are_rejected_before_work() {
        let bad = TreeParams { min_samples_split: 1, ..Default::default() };
        assert!(matches!(bad.validate(), Err(MlError::InvalidParameter { name: "min_samples_split", .. })));
        let bad = TreeParams { max_features: MaxFeatures::Fraction(1.5), ..Default::default() };
        assert!(bad.validate().is_err());
        assert_eq!(MaxFeatures::Sqrt.resolve(10), 3);
        assert_eq!(MaxFeatures::Fraction(0.01).resolve(10), 1);
    }

    #[test]
    fn impurity_of_known_distributions() {
        assert!((impurity(SplitCriterion::Gini, &[5.0, 5.0], 10.0) - 0.5).abs() < 1e-12);
        assert!((impurity(SplitCriterion::Entropy, &[5.0, 5.0], 10.0) - 1.0).abs() < 1e-12);
        assert_eq!(impurity(SplitCriterion::Gini, &[10.0, 0.0], 10.0), 0.0);
    }
}
