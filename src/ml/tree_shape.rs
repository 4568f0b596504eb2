//! The shape check every tree read from outside must pass: an arena whose nodes form one
//! tree, each reached exactly once from the root, with the limits that keep walking,
//! flattening and explaining it linear in its size.
//!
//! A file (a model, a helper's bytes) can describe any graph. A split whose two children
//! are the same node, or two splits sharing a child, turn the arena into a DAG whose paths
//! multiply with depth; a flattener that follows paths would then build 2^depth nodes from a
//! few kilobytes. Checking that children point forward and that every node but the root has
//! exactly one parent rules all of that out: forward edges cannot loop, and one parent per
//! node means the nodes are exactly the root's subtree.

use std::fmt;

/// No tree grows deeper than this, whatever `max_depth` says. Real forests grown to purity
/// on 100k rows reach depth 36–46; the cap only stops pathological data from building trees
/// whose explanation (TreeSHAP recurses per level) could exhaust wasm's 1 MB stack, which
/// overflows natively at about 2,000 levels. Loaded models deeper than this are refused.
pub const MAX_TREE_DEPTH: usize = 256;

/// The most nodes one tree may have: node indices are `u32`, and `u32::MAX` marks "no child".
/// A tree grown to purity on `n` rows has at most `2n − 1` nodes, so this admits trees of
/// two billion rows, far past any table a machine here holds.
pub const MAX_TREE_NODES: usize = u32::MAX as usize - 1;

/// Why an arena is not one well-formed tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShapeError {
    /// The arena has no nodes.
    Empty,
    /// More nodes than [`MAX_TREE_NODES`].
    TooManyNodes(usize),
    /// A split's child is out of range or does not come after the split.
    ChildOutOfOrder {
        /// The split.
        node_idx: usize,
    },
    /// A split's two children are the same node.
    SameChildTwice {
        /// The split.
        node_idx: usize,
    },
    /// A node is the child of two splits.
    SharedChild {
        /// The node reached twice.
        node_idx: usize,
    },
    /// A node (other than the root) is nobody's child.
    Unreached {
        /// The node never reached.
        node_idx: usize,
    },
    /// A split reads a feature the model does not have.
    UnknownFeature {
        /// The split.
        node_idx: usize,
        /// The feature it reads.
        feature_idx: usize,
        /// How many features there are.
        n_features: usize,
    },
    /// A leaf is deeper than allowed.
    TooDeep {
        /// The depth allowed.
        limit: usize,
    },
}

impl fmt::Display for ShapeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ShapeError::Empty => write!(f, "a tree has no nodes"),
            ShapeError::TooManyNodes(n) => write!(f, "a tree has {n} nodes; at most {MAX_TREE_NODES} are supported"),
            ShapeError::ChildOutOfOrder { node_idx } => {
                write!(f, "tree node {node_idx} has a child that is out of range or not after it")
            }
            ShapeError::SameChildTwice { node_idx } => {
                write!(f, "tree node {node_idx} has the same node as both children")
            }
            ShapeError::SharedChild { node_idx } => write!(f, "tree node {node_idx} is the child of two splits"),
            ShapeError::Unreached { node_idx } => write!(f, "tree node {node_idx} is not reached from the root"),
            ShapeError::UnknownFeature { node_idx, feature_idx, n_features } => {
                write!(f, "tree node {node_idx} splits on feature {feature_idx}, but the model has {n_features}")
            }
            ShapeError::TooDeep { limit } => write!(f, "a tree is deeper than {limit} levels"),
        }
    }
}

/// One node as the shape check sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NodeShape {
    /// `(left, right)` child indices of a split; `None` at a leaf.
    pub children: Option<(usize, usize)>,
    /// The feature a split reads (ignored at leaves).
    pub feature_idx: usize,
}

/// Checks that `nodes` form one tree rooted at node 0 (children after their parent, every
/// node but the root the child of exactly one split), that splits read features below
/// `n_features`, and that no leaf is deeper than `max_depth`. Returns each node's depth.
///
/// Linear in the node count, and it allocates one `u32` per node.
pub fn check_tree_shape(
    nodes: impl ExactSizeIterator<Item = NodeShape>,
    n_features: usize,
    max_depth: usize,
) -> Result<Vec<u32>, ShapeError> {
    let n_nodes = nodes.len();
    if n_nodes == 0 {
        return Err(ShapeError::Empty);
    }
    if n_nodes > MAX_TREE_NODES {
        return Err(ShapeError::TooManyNodes(n_nodes));
    }
    const UNREACHED: u32 = u32::MAX;
    let mut depth = vec![UNREACHED; n_nodes];
    depth[0] = 0;
    let max_depth = max_depth.min(MAX_TREE_DEPTH) as u32;
    for (node_idx, node) in nodes.enumerate() {
        let Some(node_depth) = depth.get(node_idx).copied() else { break };
        if node_depth == UNREACHED {
            return Err(ShapeError::Unreached { node_idx });
        }
        let Some((left, right)) = node.children else { continue };
        if node.feature_idx >= n_features {
            return Err(ShapeError::UnknownFeature { node_idx, feature_idx: node.feature_idx, n_features });
        }
        if left == right {
            return Err(ShapeError::SameChildTwice { node_idx });
        }
        if node_depth >= max_depth {
            return Err(ShapeError::TooDeep { limit: max_depth as usize });
        }
        for child in [left, right] {
            if child <= node_idx || child >= n_nodes {
                return Err(ShapeError::ChildOutOfOrder { node_idx });
            }
            // A child's depth is set once, by its only parent; a second parent is a DAG.
            match depth.get_mut(child) {
                Some(slot) if *slot == UNREACHED => *slot = node_depth + 1,
                _ => return Err(ShapeError::SharedChild { node_idx: child }),
            }
        }
    }
    Ok(depth)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(left: usize, right: usize) -> NodeShape {
        NodeShape { children: Some((left, right)), feature_idx: 0 }
    }

    const LEAF: NodeShape = NodeShape { children: None, feature_idx: 0 };

    fn check(nodes: &[NodeShape]) -> Result<Vec<u32>, ShapeError> {
        check_tree_shape(nodes.iter().copied(), 1, MAX_TREE_DEPTH)
    }

    #[test]
    fn a_tree_passes_with_its_depths() {
        assert_eq!(check(&[split(1, 2), LEAF, split(3, 4), LEAF, LEAF]), Ok(vec![0, 1, 1, 2, 2]));
        assert_eq!(check(&[LEAF]), Ok(vec![0]));
    }

    #[test]
    fn graphs_that_are_not_trees_are_refused() {
        assert_eq!(check(&[]), Err(ShapeError::Empty));
        assert_eq!(check(&[split(1, 1), LEAF]), Err(ShapeError::SameChildTwice { node_idx: 0 }));
        // Two splits share node 3: a DAG whose paths double at every such level.
        assert_eq!(
            check(&[split(1, 2), split(3, 4), split(3, 5), LEAF, LEAF, LEAF]),
            Err(ShapeError::SharedChild { node_idx: 3 })
        );
        assert_eq!(check(&[split(0, 1), LEAF]), Err(ShapeError::ChildOutOfOrder { node_idx: 0 }));
        assert_eq!(check(&[split(1, 9), LEAF]), Err(ShapeError::ChildOutOfOrder { node_idx: 0 }));
        assert_eq!(check(&[split(1, 2), LEAF, LEAF, LEAF]), Err(ShapeError::Unreached { node_idx: 3 }));
        let wide = NodeShape { children: Some((1, 2)), feature_idx: 7 };
        assert!(matches!(check(&[wide, LEAF, LEAF]), Err(ShapeError::UnknownFeature { feature_idx: 7, .. })));
    }

    #[test]
    fn depth_is_bounded() {
        // A chain: split i has a leaf and the next split.
        let chain = |levels: usize| {
            let mut nodes = Vec::new();
            for level in 0..levels {
                nodes.push(split(2 * level + 1, 2 * level + 2));
                nodes.push(LEAF);
            }
            nodes.push(LEAF);
            nodes
        };
        assert!(check_tree_shape(chain(5).into_iter(), 1, 5).is_ok());
        assert_eq!(check_tree_shape(chain(6).into_iter(), 1, 5), Err(ShapeError::TooDeep { limit: 5 }));
        assert_eq!(check(&chain(MAX_TREE_DEPTH + 1)), Err(ShapeError::TooDeep { limit: MAX_TREE_DEPTH }));
    }
}
