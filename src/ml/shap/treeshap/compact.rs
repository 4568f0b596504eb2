//! The explainer's compact form of one tree: preorder nodes with everything that depends only on the tree.
//!
//! Built once per explainer, so the per-row walk never recomputes a cover ratio, a subtree mean or
//! a feature set. Subtrees whose leaves all hold the same value become one leaf: their conditional
//! expectation is that value whatever is known, so their SHAP values are exactly the same.

use crate::ml::shap::{ShapTree, LEAF};

/// The `right_child` of a leaf. The root is never anyone's right child, so 0 is free.
pub(super) const NO_CHILD: u32 = 0;

/// One node. An internal node's left child is the next node (preorder), so only the right is stored.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct CompactNode {
    /// A leaf's value; for an internal node, the cover-weighted mean of the leaves below it.
    pub value: f64,
    /// The share of this node's cover that reaches its left child.
    pub left_fraction: f64,
    /// The share of this node's cover that reaches its right child.
    pub right_fraction: f64,
    /// One bit per feature split on in this subtree, from [`feature_bit`].
    pub subtree_features: u64,
    /// Rows go left iff `x <= threshold`.
    pub threshold: f32,
    /// The feature this node reads, in `0..n_features`.
    pub feature: u32,
    /// The right child's index, or [`NO_CHILD`] at a leaf.
    pub right_child: u32,
    /// Whether a missing value goes left.
    pub missing_goes_left: bool,
}

impl CompactNode {
    /// Whether this node is a leaf.
    #[inline(always)]
    pub fn is_leaf(&self) -> bool {
        self.right_child == NO_CHILD
    }

    fn leaf(value: f64) -> Self {
        Self {
            value,
            left_fraction: 0.0,
            right_fraction: 0.0,
            subtree_features: 0,
            threshold: 0.0,
            feature: 0,
            right_child: NO_CHILD,
            missing_goes_left: false,
        }
    }
}

/// One tree in preorder, with the sizes the walk needs to preallocate its buffers.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct CompactTree {
    /// Node 0 is the root.
    pub nodes: Vec<CompactNode>,
    /// The longest root-to-leaf path, in edges.
    pub max_depth: usize,
    /// The most distinct features on any root-to-leaf path (at most `max_depth`).
    pub max_unique_features: usize,
}

impl CompactTree {
    /// Compacts `tree`, whose rows have `n_features` values.
    ///
    /// A split on a feature outside `0..n_features` sees a missing value in every row, so it is
    /// replaced by its default child, as `predict_row` would go. A node whose children are out of
    /// range or already reached from elsewhere is kept as a leaf with its own value, so a
    /// malformed tree explains something instead of panicking.
    pub fn new(tree: &ShapTree, n_features: usize) -> Self {
        let order = preorder(tree, n_features);
        let mut nodes: Vec<CompactNode> = Vec::with_capacity(order.len());
        let value_of = |original: usize| tree.values.get(original).copied().unwrap_or(0.0);
        let cover_of = |original: usize| tree.node_sample_weight.get(original).copied().unwrap_or(0.0);
        let original_of = |idx: usize| order.get(idx).map_or(usize::MAX, |visit| visit.original);
        for (idx, visit) in order.iter().enumerate() {
            nodes.push(match visit.right_child {
                None => CompactNode::leaf(value_of(visit.original)),
                Some(right_child) => {
                    let original = visit.original;
                    let feature = tree.features.get(original).copied().unwrap_or(-1);
                    let left = tree.children_left.get(original).copied().unwrap_or(LEAF);
                    let cover = cover_of(original);
                    let left_cover = cover_of(original_of(idx + 1));
                    let right_cover = cover_of(original_of(right_child));
                    let (left_fraction, right_fraction) =
                        if cover > 0.0 { (left_cover / cover, right_cover / cover) } else { (0.5, 0.5) };
                    CompactNode {
                        value: 0.0,
                        left_fraction,
                        right_fraction,
                        subtree_features: 0,
                        threshold: tree.thresholds.get(original).copied().unwrap_or(0.0),
                        feature: u32::try_from(feature).unwrap_or(u32::MAX),
                        right_child: right_child as u32,
                        missing_goes_left: tree.children_default.get(original).copied() == Some(left),
                    }
                }
            });
        }
        let nodes = collapse_constant_subtrees(&mut nodes);
        let (max_depth, n_distinct_features) = depth_and_feature_count(&nodes);
        Self { nodes, max_depth, max_unique_features: max_depth.min(n_distinct_features) }
    }

    /// The tree's expected output: the cover-weighted mean of its leaves.
    pub fn mean_value(&self) -> f64 {
        self.nodes.first().map_or(0.0, |root| root.value)
    }
}

/// The bit of `feature` in a subtree's feature set. Features from 63 on share bit 63.
#[inline(always)]
pub(super) fn feature_bit(feature: u32) -> u64 {
    1u64 << feature.min(63)
}

/// The bit that marks `feature` as cold. Features from 63 on are never marked, so a subtree that
/// reads one is never mistaken for one whose features are all cold.
#[inline(always)]
pub(super) fn cold_bit(feature: u32) -> u64 {
    if feature < 63 {
        1u64 << feature
    } else {
        0
    }
}

/// One node in preorder: where it came from and, if internal, its right child's preorder index.
struct PreorderVisit {
    original: usize,
    right_child: Option<usize>,
}

/// The nodes reachable from the root, in preorder (left subtree first), without recursion.
fn preorder(tree: &ShapTree, n_features: usize) -> Vec<PreorderVisit> {
    let n_nodes = tree.n_nodes();
    if n_nodes == 0 {
        return vec![PreorderVisit { original: usize::MAX, right_child: None }];
    }
    let mut reached = vec![false; n_nodes];
    reached[0] = true;
    let mut order: Vec<PreorderVisit> = Vec::with_capacity(n_nodes);
    // (original node, index of the parent whose right child it is)
    let mut pending: Vec<(usize, Option<usize>)> = vec![(0, None)];
    while let Some((mut original, right_of_parent)) = pending.pop() {
        while let Some(default) = default_child_of_unreadable_split(tree, original, n_features, &reached) {
            reached[default] = true;
            original = default;
        }
        let idx = order.len();
        if let Some(parent) = right_of_parent.and_then(|p| order.get_mut(p)) {
            parent.right_child = Some(idx);
        }
        let children = valid_children(tree, original, n_features, &reached);
        order.push(PreorderVisit { original, right_child: None });
        if let Some((left, right)) = children {
            reached[left] = true;
            reached[right] = true;
            // The placeholder is replaced when the right child is popped.
            if let Some(visit) = order.last_mut() {
                visit.right_child = Some(usize::MAX);
            }
            pending.push((right, Some(idx)));
            pending.push((left, None));
        }
    }
    order
}

/// The children of `node` if it is a well-formed split on a feature the rows have, whose
/// children are still unreached.
fn valid_children(tree: &ShapTree, node: usize, n_features: usize, reached: &[bool]) -> Option<(usize, usize)> {
    let feature = usize::try_from(*tree.features.get(node)?).ok()?;
    let left = usize::try_from(*tree.children_left.get(node)?).ok()?;
    let right = usize::try_from(*tree.children_right.get(node)?).ok()?;
    let unreached = |child: usize| reached.get(child).is_some_and(|&r| !r);
    (feature < n_features && left != right && unreached(left) && unreached(right)).then_some((left, right))
}

/// The default child of `node` if it splits on a feature outside `0..n_features` (which every
/// row lacks) and that child is one of its own, still unreached.
fn default_child_of_unreadable_split(
    tree: &ShapTree,
    node: usize,
    n_features: usize,
    reached: &[bool],
) -> Option<usize> {
    let feature = *tree.features.get(node)?;
    let left = *tree.children_left.get(node)?;
    if left == LEAF || usize::try_from(feature).is_ok_and(|f| f < n_features) {
        return None;
    }
    let default = *tree.children_default.get(node)?;
    let is_own_child = default == left || Some(&default) == tree.children_right.get(node);
    let default = usize::try_from(default).ok()?;
    (is_own_child && reached.get(default).is_some_and(|&r| !r)).then_some(default)
}

/// Fills means and feature sets bottom-up, then re-emits the tree with constant subtrees as leaves.
fn collapse_constant_subtrees(nodes: &mut [CompactNode]) -> Vec<CompactNode> {
    let n_nodes = nodes.len();
    let mut is_constant = vec![true; n_nodes];
    let mut subtree_end: Vec<usize> = (1..=n_nodes).collect();
    // In preorder both children come after their parent, so one backward pass sees them first.
    for idx in (0..n_nodes).rev() {
        let node = nodes[idx];
        if node.is_leaf() {
            continue;
        }
        let (left, right) = (idx + 1, node.right_child as usize);
        let (left_node, right_node) = (nodes[left], nodes[right]);
        let constant = is_constant[left] && is_constant[right] && left_node.value == right_node.value;
        is_constant[idx] = constant;
        subtree_end[idx] = subtree_end[right];
        nodes[idx].value = if constant {
            left_node.value
        } else {
            node.left_fraction * left_node.value + node.right_fraction * right_node.value
        };
        nodes[idx].subtree_features =
            feature_bit(node.feature) | left_node.subtree_features | right_node.subtree_features;
    }
    let mut kept = Vec::with_capacity(n_nodes);
    let mut new_index = vec![0u32; n_nodes];
    let mut idx = 0;
    while idx < n_nodes {
        new_index[idx] = kept.len() as u32;
        let node = nodes[idx];
        if !node.is_leaf() && is_constant[idx] {
            kept.push(CompactNode::leaf(node.value));
            idx = subtree_end[idx];
        } else {
            kept.push(node);
            idx += 1;
        }
    }
    for node in kept.iter_mut().filter(|node| !node.is_leaf()) {
        node.right_child = new_index[node.right_child as usize];
    }
    kept
}

/// The deepest leaf's depth and the number of distinct features the tree splits on.
fn depth_and_feature_count(nodes: &[CompactNode]) -> (usize, usize) {
    let mut depth = vec![0usize; nodes.len()];
    let mut max_depth = 0;
    let mut features = Vec::new();
    for (idx, node) in nodes.iter().enumerate() {
        if node.is_leaf() {
            max_depth = max_depth.max(depth[idx]);
            continue;
        }
        depth[idx + 1] = depth[idx] + 1;
        depth[node.right_child as usize] = depth[idx] + 1;
        features.push(node.feature);
    }
    features.sort_unstable();
    features.dedup();
    (max_depth, features.len())
}
