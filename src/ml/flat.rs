//! Fast batch evaluation of a [`ShapEnsemble`]: packed nodes, rows scored in cache-sized blocks.
//!
//! Scoring a million rows is a hot path (an isolation forest scores every claim), so the
//! trees are flattened into 16-byte nodes with the leaf value stored in place, and rows are
//! transposed into small row-major blocks that every tree walks in turn while it is in cache.
//! Trees at most eight deep over at most 64 features (isolation trees) also get fixed-size
//! arrays and compare integer order keys of the values, so their hot loop reads nodes and
//! values with no bounds checks and takes one comparison per step.

use super::binning::{BinnedMatrix, MISSING_BIN};
use super::shap::{ShapEnsemble, ShapTree};
use super::source::FeatureSource;
use super::{FeatureMatrix, MlError, Rows};

/// A packed 12-byte node. A leaf loops to itself (threshold +inf, missing goes left), so
/// rows can walk several levels in lockstep without branching on "is this a leaf".
#[derive(Debug, Clone, Copy)]
struct FlatNode {
    /// The split threshold (`x <= t` goes left); +inf at a leaf.
    threshold: f32,
    /// The feature read (0 at a leaf).
    feature: u32,
    /// Bit 0: missing values go right. The other bits: the left child's index (the right
    /// child always follows it); a leaf points at itself.
    left_and_flags: u32,
}

/// One flattened tree: packed nodes, each leaf's value, and the depth of its deepest leaf.
///
/// A shallow tree (an isolation tree, say) is laid out as a complete heap instead: the
/// children of position `p` are `2p + 1` and `2p + 2`, a leaf above the bottom level passes
/// rows straight down its left side, and every row takes exactly `depth` steps with no
/// child pointers to load and no check for having arrived.
#[derive(Debug, Clone)]
struct FlatTree {
    nodes: Vec<FlatNode>,
    leaf_values: Vec<f64>,
    depth: usize,
    is_heap: bool,
}

/// Trees at most this deep are laid out as a heap (2^11 − 1 slots at most).
const HEAP_MAX_DEPTH: usize = 10;

/// Rows walked through a tree together, so their independent loads overlap.
const LANES: usize = 8;

/// An ensemble flattened for scoring; its output equals the ensemble's `predict_row`.
#[derive(Debug, Clone)]
pub struct FlatForest {
    n_features: usize,
    base_offset: f64,
    trees: Vec<FlatTree>,
    /// The same trees in fixed-size arrays, when every one is at most [`SMALL_DEPTH`] deep
    /// and the rows have at most [`SMALL_STRIDE`] features (an isolation forest, say).
    small: Option<Vec<SmallHeapTree>>,
}

impl FlatForest {
    /// Flattens every tree, renumbering nodes so that each right child follows its left one.
    pub fn from_ensemble(ensemble: &ShapEnsemble) -> Self {
        let trees: Vec<FlatTree> = ensemble.trees.iter().map(flatten).collect();
        let small = (ensemble.n_features <= SMALL_STRIDE)
            .then(|| trees.iter().map(SmallHeapTree::from_flat).collect::<Option<Vec<_>>>())
            .flatten();
        Self { n_features: ensemble.n_features, base_offset: ensemble.base_offset, trees, small }
    }

    /// The output for one row; features beyond the row's end count as missing.
    pub fn predict_row(&self, row: &[f32]) -> f64 {
        let mut padded = vec![f32::NAN; self.n_features.max(1)];
        let shared = row.len().min(self.n_features);
        padded[..shared].copy_from_slice(&row[..shared]);
        let mut sum = self.base_offset;
        for tree in &self.trees {
            let mut node = 0;
            for _ in 0..tree.depth {
                node =
                    if tree.is_heap { heap_step(&tree.nodes, node, &padded) } else { step(&tree.nodes, node, &padded) };
            }
            sum += tree.leaf_values[node];
        }
        sum
    }

    /// The output for every row of `matrix`, in row order. Features the matrix lacks count
    /// as missing.
    pub fn predict_matrix(&self, matrix: &FeatureMatrix) -> Vec<f64> {
        let n_features = self.n_features.min(matrix.n_features());
        self.predict_blocks(matrix.n_rows(), |rows, block, stride| {
            for feature_idx in 0..n_features {
                let column = &matrix.column(feature_idx)[rows.clone()];
                for (offset, &value) in column.iter().enumerate() {
                    block[offset * stride + feature_idx] = value;
                }
            }
        })
    }

    /// [`Self::predict_matrix`] for the rows `rows` of `source`, in that order, read a block
    /// of rows at a time straight into the walk's row-major block: no matrix of the rows is
    /// ever made. Non-finite values count as missing, as in a [`FeatureMatrix`], so the
    /// outputs equal `predict_matrix`'s bit for bit. Rows past the source are an error.
    ///
    /// Generic over the source, so a concrete one (a helper's [`MatrixBytes`] chunk) is read
    /// with static calls: read through `dyn`, the browser's isolation scoring took 40% longer.
    ///
    /// [`MatrixBytes`]: super::shap::wire::MatrixBytes
    pub fn predict_source<S: FeatureSource + ?Sized>(&self, source: &S, rows: &Rows<'_>) -> Result<Vec<f64>, MlError> {
        rows.check(source.n_rows())?;
        let n_features = self.n_features.min(source.feature_names().len());
        let mut column = Vec::new();
        Ok(self.predict_blocks(rows.len(), |positions, block, stride| {
            let n_block_rows = positions.len();
            let block_rows = rows.part(positions);
            for feature_idx in 0..n_features {
                column.clear();
                source.extend_column(feature_idx, &block_rows, &mut column);
                for (offset, &value) in column.iter().take(n_block_rows).enumerate() {
                    // Non-finite values are missing, as `read_column` stores them.
                    block[offset * stride + feature_idx] = if value.is_finite() { value } else { f32::NAN };
                }
            }
        }))
    }

    /// [`Self::predict_matrix`] for rows held as bin codes, when every split of this forest
    /// is "bin <= b" of those bins (the forest grew on them): the same outputs, bit for bit,
    /// from a quarter of the bytes. Each code reads as its bin's upper edge (`f32::MAX` for
    /// the last bin, NaN for missing), which falls on the same side of every such split as
    /// the values in that bin. `None` if a split threshold is not one of the bins' edges.
    pub fn predict_binned(&self, binned: &BinnedMatrix) -> Option<Vec<f64>> {
        let n_features = self.n_features.min(binned.n_features());
        let splits_on_edges = self.trees.iter().all(|tree| {
            tree.nodes.iter().all(|node| {
                let feature_idx = node.feature as usize;
                node.threshold == f32::INFINITY
                    || feature_idx < n_features
                        && (node.threshold == f32::MAX
                            || binned
                                .bins(feature_idx)
                                .upper_edges()
                                .binary_search_by(|e| e.total_cmp(&node.threshold))
                                .is_ok())
            })
        });
        if !splits_on_edges {
            return None;
        }
        let values_of_codes: Vec<[f32; 256]> = (0..n_features)
            .map(|feature_idx| {
                let bins = binned.bins(feature_idx);
                let mut values = [f32::NAN; 256];
                for (code, value) in values.iter_mut().enumerate().take(usize::from(MISSING_BIN)) {
                    *value = bins.upper_edge(code);
                }
                values
            })
            .collect();
        Some(self.predict_blocks(binned.n_rows(), |rows, block, stride| {
            for (feature_idx, values) in values_of_codes.iter().enumerate() {
                let codes = &binned.codes(feature_idx)[rows.clone()];
                for (offset, &code) in codes.iter().enumerate() {
                    block[offset * stride + feature_idx] = values[usize::from(code)];
                }
            }
        }))
    }

    /// Scores `n_rows` rows in blocks: `fill(rows, block, stride)` writes the values of
    /// those rows into the row-major block (one row every `stride` values); unwritten
    /// features count as missing.
    fn predict_blocks(
        &self,
        n_rows: usize,
        mut fill: impl FnMut(std::ops::Range<usize>, &mut [f32], usize),
    ) -> Vec<f64> {
        if let Some(small) = &self.small {
            return predict_small_blocks(small, self.base_offset, n_rows, self.n_features, fill);
        }
        const BLOCK_ROWS: usize = 2048;
        let n_features = self.n_features.max(1);
        let mut outputs = Vec::with_capacity(n_rows);
        let mut block = vec![f32::NAN; BLOCK_ROWS * n_features];
        let mut sums = [0.0f64; BLOCK_ROWS];
        for block_start in (0..n_rows).step_by(BLOCK_ROWS) {
            let block_len = BLOCK_ROWS.min(n_rows - block_start);
            fill(block_start..block_start + block_len, &mut block, n_features);
            sums[..block_len].fill(self.base_offset);
            for tree in &self.trees {
                for (lane_start, lane_sums) in (0..block_len).step_by(LANES).zip(sums[..block_len].chunks_mut(LANES)) {
                    let rows = &block[lane_start * n_features..(lane_start + lane_sums.len()) * n_features];
                    walk_lanes(tree, rows, n_features, lane_sums);
                }
            }
            outputs.extend_from_slice(&sums[..block_len]);
        }
        outputs
    }
}

/// Trees at most this deep also get the fixed-size layout ([`SmallHeapTree`]).
const SMALL_DEPTH: usize = 8;

/// The row stride of the fixed-size layout: rows of at most this many features.
const SMALL_STRIDE: usize = 64;

/// A heap-laid tree at most [`SMALL_DEPTH`] deep in fixed-size arrays, comparing order keys
/// ([`order_key`]) instead of floats: every position a row can be at is below 256, so
/// reading a node or a row's key needs no bounds check, and a step is one integer
/// comparison whichever way missing values go (the isolation forest's hot loop; a fifth
/// faster in V8 than comparing floats and selecting on the missing-value direction).
#[derive(Debug, Clone)]
struct SmallHeapTree {
    /// The order key of the split threshold at each heap position, plus one where missing
    /// values go left (+inf passes every row left).
    thresholds: Box<[u32; 256]>,
    /// The feature read at each position; bit 7 set when missing values go left.
    features: Box<[u8; 256]>,
    /// The leaves' values, by position on the bottom level.
    leaf_values: Box<[f64; 256]>,
    depth: usize,
}

impl SmallHeapTree {
    const MISSING_GOES_LEFT: u8 = 0x80;

    /// The fixed-size copy of a heap-laid tree, or `None` if it is too deep, reads a
    /// feature past [`SMALL_STRIDE`] or has a NaN threshold.
    fn from_flat(tree: &FlatTree) -> Option<Self> {
        if !tree.is_heap || tree.depth > SMALL_DEPTH {
            return None;
        }
        let n_internal = (1usize << tree.depth) - 1;
        let mut thresholds = Box::new([order_key(f32::INFINITY) + 1; 256]);
        let mut features = Box::new([Self::MISSING_GOES_LEFT; 256]);
        let mut leaf_values = Box::new([0.0f64; 256]);
        for (slot, node) in tree.nodes.iter().enumerate().take(n_internal) {
            let feature = u8::try_from(node.feature).ok().filter(|&f| usize::from(f) < SMALL_STRIDE)?;
            if node.threshold.is_nan() {
                return None;
            }
            let missing_goes_left = node.left_and_flags & 1 == 0;
            // Not NaN, so its key is below u32::MAX and adding one cannot wrap.
            thresholds[slot] = order_key(node.threshold) + u32::from(missing_goes_left);
            features[slot] = feature | if missing_goes_left { Self::MISSING_GOES_LEFT } else { 0 };
        }
        for (position, value) in tree.leaf_values.iter().skip(n_internal).take(n_internal + 1).enumerate() {
            leaf_values[position] = *value;
        }
        Some(Self { thresholds, features, leaf_values, depth: tree.depth })
    }

    /// Walks eight rows (their values' order keys) through the tree in lockstep and adds
    /// their leaf values.
    ///
    /// A row goes right when its key exceeds the threshold's, as its value exceeds the
    /// threshold. A missing value's key is `u32::MAX`, above every threshold's, so it goes
    /// right; where missing values go left, both keys get one added, which wraps the
    /// missing key to 0, below every threshold, and leaves every other comparison as it was.
    #[inline]
    fn walk_eight(&self, rows: &[[u32; SMALL_STRIDE]; 8], sums: &mut [f64; 8]) {
        let mut positions = [0usize; 8];
        for _ in 0..self.depth {
            for (position, row) in positions.iter_mut().zip(rows) {
                let slot = *position & 255;
                let feature = self.features[slot];
                let key = row[usize::from(feature) & (SMALL_STRIDE - 1)].wrapping_add(u32::from(feature >> 7));
                *position = 2 * *position + 1 + usize::from(key > self.thresholds[slot]);
            }
        }
        let first_leaf = (1usize << self.depth) - 1;
        for (sum, position) in sums.iter_mut().zip(positions) {
            *sum += self.leaf_values[position.wrapping_sub(first_leaf) & 255];
        }
    }
}

/// A value's key in float order: `a > b` exactly when `order_key(a) > order_key(b)`, for
/// any values that are not NaN (the two zeros share a key, as they compare equal). NaN
/// (missing) takes `u32::MAX`, which no value has.
fn order_key(value: f32) -> u32 {
    if value.is_nan() {
        return u32::MAX;
    }
    // Adding 0.0 turns -0.0 into 0.0 and leaves every other value alone.
    let bits = (value + 0.0).to_bits();
    if bits >> 31 == 1 {
        !bits
    } else {
        bits | 0x8000_0000
    }
}

/// [`FlatForest::predict_blocks`] over fixed-size trees: rows padded to [`SMALL_STRIDE`]
/// features, turned into order keys (the first `n_features`, which the trees read) and
/// walked eight at a time. The sums add the trees in the same order, so the outputs equal
/// the general path's bit for bit.
fn predict_small_blocks(
    trees: &[SmallHeapTree],
    base_offset: f64,
    n_rows: usize,
    n_features: usize,
    mut fill: impl FnMut(std::ops::Range<usize>, &mut [f32], usize),
) -> Vec<f64> {
    // 128 rows of 64 keys are 32 KB: the block stays in the first-level cache while every
    // tree walks it (1,024 rows were 10% slower in V8).
    const BLOCK_ROWS: usize = 128;
    let mut outputs = Vec::with_capacity(n_rows);
    let mut block = vec![[f32::NAN; SMALL_STRIDE]; BLOCK_ROWS];
    let mut keys = vec![[u32::MAX; SMALL_STRIDE]; BLOCK_ROWS];
    let mut sums = vec![[0.0f64; 8]; BLOCK_ROWS / 8];
    let read = n_features.min(SMALL_STRIDE);
    for block_start in (0..n_rows).step_by(BLOCK_ROWS) {
        let block_len = BLOCK_ROWS.min(n_rows - block_start);
        fill(block_start..block_start + block_len, block.as_flattened_mut(), SMALL_STRIDE);
        for (row_keys, row) in keys.iter_mut().zip(&block) {
            for (key, &value) in row_keys[..read].iter_mut().zip(&row[..read]) {
                *key = order_key(value);
            }
        }
        let n_groups = block_len.div_ceil(8);
        sums[..n_groups].iter_mut().for_each(|group| *group = [base_offset; 8]);
        for tree in trees {
            for (rows, group_sums) in keys.chunks_exact(8).zip(&mut sums[..n_groups]) {
                if let Ok(rows) = <&[[u32; SMALL_STRIDE]; 8]>::try_from(rows) {
                    tree.walk_eight(rows, group_sums);
                }
            }
        }
        outputs.extend(sums[..n_groups].as_flattened().iter().take(block_len));
    }
    outputs
}

/// Walks up to [`LANES`] rows through `tree` in lockstep and adds their leaf values.
#[inline]
fn walk_lanes(tree: &FlatTree, rows: &[f32], n_features: usize, sums: &mut [f64]) {
    let mut nodes = [0usize; LANES];
    let n_lanes = sums.len();
    if tree.is_heap {
        for _ in 0..tree.depth {
            for (lane, node) in nodes[..n_lanes].iter_mut().enumerate() {
                *node = heap_step(&tree.nodes, *node, &rows[lane * n_features..(lane + 1) * n_features]);
            }
        }
        for (sum, &node) in sums.iter_mut().zip(&nodes) {
            *sum += tree.leaf_values[node];
        }
        return;
    }
    for _ in 0..tree.depth {
        let mut moved = false;
        for lane in 0..n_lanes {
            let next = step(&tree.nodes, nodes[lane], &rows[lane * n_features..(lane + 1) * n_features]);
            moved |= next != nodes[lane];
            nodes[lane] = next;
        }
        if !moved {
            break;
        }
    }
    for (sum, &node) in sums.iter_mut().zip(&nodes) {
        *sum += tree.leaf_values[node];
    }
}

/// One level of descent; a leaf returns itself.
#[inline(always)]
fn step(nodes: &[FlatNode], node_idx: usize, row: &[f32]) -> usize {
    let node = nodes[node_idx];
    let value = row.get(node.feature as usize).copied().unwrap_or(f32::NAN);
    let missing_goes_right = node.left_and_flags & 1 == 1;
    let goes_right = (value > node.threshold) | (value.is_nan() & missing_goes_right);
    (node.left_and_flags >> 1) as usize + usize::from(goes_right)
}

/// One level of descent in a heap-laid tree.
#[inline(always)]
fn heap_step(nodes: &[FlatNode], node_idx: usize, row: &[f32]) -> usize {
    let node = nodes[node_idx];
    let value = row.get(node.feature as usize).copied().unwrap_or(f32::NAN);
    let missing_goes_right = node.left_and_flags & 1 == 1;
    let goes_right = (value > node.threshold) | (value.is_nan() & missing_goes_right);
    2 * node_idx + 1 + usize::from(goes_right)
}

fn flatten(tree: &ShapTree) -> FlatTree {
    let depth = tree_depth(tree);
    if depth <= HEAP_MAX_DEPTH {
        flatten_heap(tree, depth)
    } else {
        flatten_linked(tree)
    }
}

fn tree_depth(tree: &ShapTree) -> usize {
    let mut depth_of = vec![0usize; tree.n_nodes()];
    let mut deepest = 0;
    for node in 0..tree.n_nodes() {
        if !tree.is_leaf(node) {
            let child_depth = depth_of[node] + 1;
            for child in [tree.children_left[node], tree.children_right[node]] {
                if let Some(slot) = depth_of.get_mut(child as usize) {
                    *slot = child_depth;
                    deepest = deepest.max(child_depth);
                }
            }
        }
    }
    deepest
}

fn flatten_heap(tree: &ShapTree, depth: usize) -> FlatTree {
    let n_slots = (1usize << (depth + 1)) - 1;
    let pass_left = FlatNode { threshold: f32::INFINITY, feature: 0, left_and_flags: 0 };
    let mut nodes = vec![pass_left; n_slots];
    let mut leaf_values = vec![0.0; n_slots];
    // (source node, heap slot, level)
    let mut pending = vec![(0usize, 0usize, 0usize)];
    while let Some((node, slot, level)) = pending.pop() {
        if tree.is_leaf(node) {
            if level == depth {
                leaf_values[slot] = tree.values[node];
            } else {
                pending.push((node, 2 * slot + 1, level + 1));
            }
            continue;
        }
        let missing_goes_right = tree.children_default[node] == tree.children_right[node];
        nodes[slot] = FlatNode {
            threshold: tree.thresholds[node],
            feature: tree.features[node] as u32,
            left_and_flags: u32::from(missing_goes_right),
        };
        pending.push((tree.children_right[node] as usize, 2 * slot + 2, level + 1));
        pending.push((tree.children_left[node] as usize, 2 * slot + 1, level + 1));
    }
    FlatTree { nodes, leaf_values, depth, is_heap: true }
}

fn flatten_linked(tree: &ShapTree) -> FlatTree {
    let leaf_at = |slot: usize| FlatNode { feature: 0, left_and_flags: (slot as u32) << 1, threshold: f32::INFINITY };
    let mut nodes = vec![leaf_at(0)];
    let mut leaf_values = vec![0.0];
    let mut depth = 0;
    // (source node, slot in `nodes`, depth)
    let mut pending = vec![(0usize, 0usize, 0usize)];
    while let Some((node, slot, node_depth)) = pending.pop() {
        if tree.is_leaf(node) {
            leaf_values[slot] = tree.values[node];
            depth = depth.max(node_depth);
            continue;
        }
        let left_slot = nodes.len();
        nodes.extend([leaf_at(left_slot), leaf_at(left_slot + 1)]);
        leaf_values.extend([0.0, 0.0]);
        let missing_goes_right = tree.children_default[node] == tree.children_right[node];
        nodes[slot] = FlatNode {
            feature: tree.features[node] as u32,
            left_and_flags: ((left_slot as u32) << 1) | u32::from(missing_goes_right),
            threshold: tree.thresholds[node],
        };
        pending.push((tree.children_right[node] as usize, left_slot + 1, node_depth + 1));
        pending.push((tree.children_left[node] as usize, left_slot, node_depth + 1));
    }
    FlatTree { nodes, leaf_values, depth, is_heap: false }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ml::{ForestParams, IsolationForestParams, SeededRng, TreeParams};
    use std::ops::ControlFlow;

    fn data(n_rows: usize) -> (FeatureMatrix, Vec<u32>) {
        let mut rng = SeededRng::new(5);
        let mut columns = vec![Vec::new(); 3];
        let mut labels = Vec::new();
        for _ in 0..n_rows {
            let x: Vec<f32> = (0..3).map(|_| if rng.chance(0.1) { f32::NAN } else { rng.next_f64() as f32 }).collect();
            labels.push(u32::from(x[0] > 0.5 || x[1].is_nan()));
            for (column, value) in columns.iter_mut().zip(x) {
                column.push(value);
            }
        }
        (FeatureMatrix::from_columns(vec!["a".into(), "b".into(), "c".into()], columns).unwrap(), labels)
    }

    #[test]
    fn matches_the_ensemble_on_every_row_including_missing_values() {
        let (matrix, labels) = data(3000);
        let forest = ForestParams { n_trees: 7, tree: TreeParams::default(), ..Default::default() }
            .fit(&matrix, &labels, &mut |_| ControlFlow::Continue(()))
            .unwrap();
        let ensemble = forest.shap_ensemble(1);
        let flat = FlatForest::from_ensemble(&ensemble);
        let batch = flat.predict_matrix(&matrix);
        let mut row = Vec::new();
        for (row_idx, &output) in batch.iter().enumerate() {
            matrix.copy_row_into(row_idx, &mut row);
            assert_eq!(output.to_bits(), flat.predict_row(&row).to_bits());
            assert!((output - ensemble.predict_row(&row)).abs() < 1e-12);
        }
    }

    #[test]
    fn rows_as_bin_codes_score_bit_for_bit_as_their_values() {
        let (matrix, labels) = data(3000);
        let params = ForestParams { n_trees: 6, seed: 2, ..Default::default() };
        let forest = params.fit(&matrix, &labels, &mut |_| ControlFlow::Continue(())).unwrap();
        let flat = FlatForest::from_ensemble(&forest.shap_ensemble(1));
        // The bins the forest grew on (learnt from its 3,000 rows), applied to 1,000 rows it
        // never saw (values past every edge and below the first included), sent as bytes the
        // way helpers receive them.
        let (fresh, _) = data(1000);
        let stacked = FeatureMatrix::from_column_major(
            fresh.feature_names().to_vec(),
            4000,
            (0..3)
                .flat_map(|f| {
                    let unseen = fresh.column(f).iter().map(|v| v * 1.4 - 0.2);
                    matrix.column(f).iter().copied().chain(unseen).collect::<Vec<_>>()
                })
                .collect(),
        )
        .unwrap();
        let training_rows: Vec<usize> = (0..3000).collect();
        let every_row = BinnedMatrix::fit_on_rows(&stacked, &training_rows, params.max_bins).unwrap();
        let bytes = crate::ml::shap::wire::binned_rows_to_bytes(&every_row, 3100..3900);
        assert_eq!(bytes.capacity(), bytes.len(), "the writer was sized exactly");
        let binned = crate::ml::shap::wire::binned_rows_from_bytes(&bytes).unwrap();
        let by_codes = flat.predict_binned(&binned).unwrap();
        let by_values = flat.predict_matrix(&stacked.select_rows(&(3100..3900).collect::<Vec<_>>()));
        assert_eq!(by_codes.len(), 800);
        assert!(by_codes.iter().zip(&by_values).all(|(a, b)| a.to_bits() == b.to_bits()));
        assert!(by_values.iter().any(|&p| p > 0.5) && by_values.iter().any(|&p| p < 0.5));

        // A forest that did not split on these bins (an isolation forest) is refused.
        let isolation = IsolationForestParams { n_trees: 3, ..Default::default() }
            .fit(&matrix, &mut |_| ControlFlow::Continue(()))
            .unwrap();
        assert!(FlatForest::from_ensemble(&isolation.shap_ensemble()).predict_binned(&binned).is_none());
        assert!(crate::ml::shap::wire::binned_rows_from_bytes(&bytes[..bytes.len() - 1]).is_err());
    }

    #[test]
    fn isolation_forest_scores_agree() {
        let (matrix, _) = data(1000);
        let forest = IsolationForestParams { n_trees: 9, ..Default::default() }
            .fit(&matrix, &mut |_| ControlFlow::Continue(()))
            .unwrap();
        let flat = FlatForest::from_ensemble(&forest.shap_ensemble());
        let mut row = Vec::new();
        for (row_idx, mean_path) in flat.predict_matrix(&matrix).into_iter().enumerate() {
            matrix.copy_row_into(row_idx, &mut row);
            assert!((mean_path - forest.mean_path_length(&row)).abs() < 1e-12);
        }
        assert!(flat.predict_row(&[]).is_finite());
    }

    /// Scores every row through both layouts; they must agree bit for bit.
    fn assert_layouts_agree(flat: &FlatForest, matrix: &FeatureMatrix) {
        let general = FlatForest { small: None, ..flat.clone() };
        let fast = flat.predict_matrix(matrix);
        let slow = general.predict_matrix(matrix);
        assert_eq!(fast.len(), matrix.n_rows());
        assert!(fast.iter().zip(&slow).all(|(a, b)| a.to_bits() == b.to_bits()));
    }

    #[test]
    fn the_fixed_size_layout_scores_as_the_general_one() {
        // 2,061 rows: full blocks of 128, then a block of 13 (a group of eight and a part
        // group of five).
        let (matrix, labels) = data(2061);
        let isolation = IsolationForestParams { n_trees: 12, ..Default::default() }
            .fit(&matrix, &mut |_| ControlFlow::Continue(()))
            .unwrap();
        let flat = FlatForest::from_ensemble(&isolation.shap_ensemble());
        assert!(flat.small.is_some(), "isolation trees are at most 8 deep");
        // Missing values go both ways somewhere in the forest.
        let splits: Vec<FlatNode> =
            flat.trees.iter().flat_map(|tree| tree.nodes.iter().copied()).filter(|n| n.threshold.is_finite()).collect();
        let directions: Vec<bool> = splits.iter().map(|node| node.left_and_flags & 1 == 1).collect();
        assert!(directions.contains(&true) && directions.contains(&false));
        assert!(matrix.column(1).iter().any(|v| v.is_nan()));
        assert_layouts_agree(&flat, &matrix);

        // A shallow random forest takes the same layout, a deep one does not.
        let shallow = ForestParams {
            n_trees: 5,
            tree: TreeParams { max_depth: Some(3), ..Default::default() },
            ..Default::default()
        }
        .fit(&matrix, &labels, &mut |_| ControlFlow::Continue(()))
        .unwrap();
        let shallow = FlatForest::from_ensemble(&shallow.shap_ensemble(1));
        assert!(shallow.small.as_ref().is_some_and(|trees| trees.iter().all(|tree| tree.depth <= 3)));
        assert_layouts_agree(&shallow, &matrix);

        // Rows with no missing value.
        let complete: Vec<Vec<f32>> =
            (0..3).map(|f| matrix.column(f).iter().map(|v| if v.is_nan() { 0.5 } else { *v }).collect()).collect();
        let complete = FeatureMatrix::from_columns(matrix.feature_names().to_vec(), complete).unwrap();
        assert_layouts_agree(&flat, &complete);
        assert_layouts_agree(&shallow, &complete);
        // Values equal to a split's threshold go left on both walks.
        let thresholds: Vec<f32> = splits.iter().map(|node| node.threshold).take(64).collect();
        let on_thresholds =
            FeatureMatrix::from_columns(matrix.feature_names().to_vec(), (0..3).map(|_| thresholds.clone()).collect())
                .unwrap();
        assert_layouts_agree(&flat, &on_thresholds);
        // Unbounded trees on this label stop anywhere from depth 2 to 14, as the draws have
        // it: twenty of them are sure to hold some deeper than 8.
        let deep = ForestParams { n_trees: 20, ..Default::default() }
            .fit(&matrix, &labels, &mut |_| ControlFlow::Continue(()))
            .unwrap();
        assert!(FlatForest::from_ensemble(&deep.shap_ensemble(1)).small.is_none());
    }

    /// Columns handed out as they are, infinities included (a [`FeatureMatrix`] would have
    /// stored those as NaN already).
    struct RawColumns {
        names: Vec<String>,
        columns: Vec<Vec<f32>>,
    }

    impl FeatureSource for RawColumns {
        fn n_rows(&self) -> usize {
            self.columns.first().map_or(0, Vec::len)
        }

        fn feature_names(&self) -> &[String] {
            &self.names
        }

        fn extend_column(&self, feature_idx: usize, rows: &Rows<'_>, out: &mut Vec<f32>) {
            match rows {
                Rows::Range(range) => out.extend_from_slice(&self.columns[feature_idx][range.clone()]),
                Rows::Chosen(chosen) => out.extend(chosen.iter().map(|&row| self.columns[feature_idx][row])),
            }
        }
    }

    #[test]
    fn rows_read_from_a_source_score_as_their_matrix() {
        // 300 rows: two full blocks of 128 and a part block of 44 in the fixed-size layout.
        let (matrix, labels) = data(300);
        let mut columns: Vec<Vec<f32>> = (0..3).map(|f| matrix.column(f).to_vec()).collect();
        columns[0][7] = f32::INFINITY;
        columns[2][150] = f32::NEG_INFINITY;
        let source = RawColumns { names: matrix.feature_names().to_vec(), columns: columns.clone() };
        let stored = FeatureMatrix::from_columns(source.names.clone(), columns).unwrap();
        let isolation = IsolationForestParams { n_trees: 7, ..Default::default() }
            .fit(&matrix, &mut |_| ControlFlow::Continue(()))
            .unwrap();
        // Twenty unbounded trees, so that some grow deeper than 8 (see above).
        let deep = ForestParams { n_trees: 20, ..Default::default() }
            .fit(&matrix, &labels, &mut |_| ControlFlow::Continue(()))
            .unwrap();
        let isolation = FlatForest::from_ensemble(&isolation.shap_ensemble());
        assert!(isolation.small.is_some());
        let general = FlatForest { small: None, ..isolation.clone() };
        let deep = FlatForest::from_ensemble(&deep.shap_ensemble(1));
        assert!(deep.small.is_none());
        for flat in [&isolation, &general, &deep] {
            let from_source = flat.predict_source(&source, &Rows::all(300)).unwrap();
            let from_matrix = flat.predict_matrix(&stored);
            assert_eq!(from_source.len(), 300);
            assert!(from_source.iter().zip(&from_matrix).all(|(a, b)| a.to_bits() == b.to_bits()));
            // Chosen rows, repeats and all, score as the same rows of the matrix.
            let chosen: Vec<usize> = (0..300).rev().step_by(2).chain([7, 7, 150]).collect();
            let from_chosen = flat.predict_source(&source, &Rows::Chosen(&chosen)).unwrap();
            let expected: Vec<u64> = chosen.iter().map(|&row| from_matrix[row].to_bits()).collect();
            assert_eq!(from_chosen.iter().map(|v| v.to_bits()).collect::<Vec<_>>(), expected);
        }
        assert!(isolation.predict_source(&source, &Rows::Chosen(&[3, 300])).is_err(), "a row past the end");
        // Infinite values count as missing: the row scores as if they were NaN.
        let mut row = Vec::new();
        stored.copy_row_into(7, &mut row);
        assert!(row[0].is_nan());
        let scores = isolation.predict_source(&source, &Rows::all(300)).unwrap();
        assert_eq!(scores[7].to_bits(), isolation.predict_row(&row).to_bits());
        let empty = RawColumns { names: source.names.clone(), columns: vec![Vec::new(); 3] };
        assert!(isolation.predict_source(&empty, &Rows::all(0)).unwrap().is_empty());
    }

    #[test]
    fn order_keys_compare_as_the_values_do() {
        let mut rng = SeededRng::new(3);
        let mut values = vec![
            0.0,
            -0.0,
            f32::MIN_POSITIVE,
            -f32::MIN_POSITIVE,
            f32::from_bits(1),
            f32::from_bits(0x8000_0001),
            1.0,
            -1.0,
            f32::MAX,
            f32::MIN,
            f32::INFINITY,
            f32::NEG_INFINITY,
        ];
        values.extend((0..40).map(|_| f32::from_bits(rng.next_u64() as u32)).filter(|v| !v.is_nan()));
        for &a in &values {
            for &b in &values {
                assert_eq!(a > b, order_key(a) > order_key(b), "{a:e} vs {b:e}");
            }
            assert!(order_key(a) < u32::MAX);
        }
        assert_eq!(order_key(f32::NAN), u32::MAX);
        assert_eq!(order_key(-f32::NAN), u32::MAX);
    }

    #[test]
    fn rows_wider_than_the_fixed_stride_take_the_general_layout() {
        let mut rng = SeededRng::new(9);
        let n_features = SMALL_STRIDE + 6;
        let columns: Vec<Vec<f32>> =
            (0..n_features).map(|_| (0..600).map(|_| rng.next_f64() as f32).collect()).collect();
        let names = (0..n_features).map(|i| format!("f{i}")).collect();
        let matrix = FeatureMatrix::from_columns(names, columns).unwrap();
        let isolation = IsolationForestParams { n_trees: 20, ..Default::default() }
            .fit(&matrix, &mut |_| ControlFlow::Continue(()))
            .unwrap();
        let flat = FlatForest::from_ensemble(&isolation.shap_ensemble());
        assert!(flat.small.is_none());
        let mut row = Vec::new();
        for (row_idx, mean_path) in flat.predict_matrix(&matrix).into_iter().enumerate() {
            matrix.copy_row_into(row_idx, &mut row);
            assert!((mean_path - isolation.mean_path_length(&row)).abs() < 1e-12);
        }
    }
}
