//! A random-forest fit in three steps (prepare, grow a range of trees, assemble), so trees
//! can grow on several Web Workers and still give, bit for bit, the forest one run gives.
//!
//! Every tree's randomness comes from `derive_seed(seed, tree_idx)`, so which worker grows
//! it does not matter. What trees add up — impurity importance and out-of-bag votes — is
//! combined in tree order (importance) or in exact fixed-point integers (votes), so the
//! grouping of trees into ranges cannot change a bit of the result.

use std::io::Write;
use std::ops::{ControlFlow, Range};

use super::binning::{
    binned_feature_byte_len, read_binned_feature_place, write_binned_feature_head, BinnedMatrix, MISSING_BIN,
};
use super::bytes::{ByteReader, ByteWriter};
use super::random_forest::{
    add_normalized, class_multipliers, count_classes, draw_sample_counts, weighted_sample, FitProgress, ForestParams,
    RandomForest,
};
use super::tree::{fit_tree, DecisionTree, TreeNode};
use super::{FeatureMatrix, MlError};
use crate::rng::SeededRng;
use crate::sorting::sort_stable_by;

/// Everything a worker needs to grow any of a forest's trees: the binned training matrix,
/// its labels and the parameters. Built once by [`ForestParams::prepare`].
#[derive(Debug, Clone)]
pub struct ForestJob {
    params: ForestParams,
    feature_names: Vec<String>,
    binned: BinnedMatrix,
    labels: Vec<u32>,
    n_classes: usize,
    class_multiplier: Vec<f64>,
}

/// The trees of one range, with what they add to importance and out-of-bag votes.
#[derive(Debug, Clone, PartialEq)]
pub struct GrownTrees {
    first_tree: usize,
    trees: Vec<DecisionTree>,
    decreases: Vec<Vec<f64>>,
    /// Per row and class, the summed class fractions of the trees that left the row out of
    /// their bootstrap, in units of 2^-32 (empty when out-of-bag scoring is off).
    oob_votes: Vec<i64>,
}

/// One unit of a vote in fixed point: fractions are rounded to multiples of 2^-32, and
/// integer sums do not depend on their order.
const VOTE_UNIT: f64 = 4_294_967_296.0;

impl ForestParams {
    /// Validates the inputs and bins the matrix: the shared first step of every fit.
    pub fn prepare(&self, matrix: &FeatureMatrix, labels: &[u32]) -> Result<ForestJob, MlError> {
        self.prepare_with(matrix.feature_names(), matrix.n_rows(), labels, || BinnedMatrix::fit(matrix, self.max_bins))
    }

    /// [`Self::prepare`] on rows already binned (with [`BinnedMatrix::fit_on_rows`] and
    /// [`BinnedMatrix::select_rows`], say), named `feature_names`; `labels` are theirs.
    pub fn prepare_binned(
        &self,
        feature_names: &[String],
        binned: BinnedMatrix,
        labels: &[u32],
    ) -> Result<ForestJob, MlError> {
        if binned.n_features() != feature_names.len() {
            return Err(MlError::FeatureNameCount { n_names: feature_names.len(), n_columns: binned.n_features() });
        }
        self.prepare_with(feature_names, binned.n_rows(), labels, || binned)
    }

    /// Validates the shape and `labels` of `n_rows` rows of the features `feature_names`,
    /// then bins them with `bin`.
    fn prepare_with(
        &self,
        feature_names: &[String],
        n_rows: usize,
        labels: &[u32],
        bin: impl FnOnce() -> BinnedMatrix,
    ) -> Result<ForestJob, MlError> {
        if n_rows < 2 || feature_names.is_empty() {
            return Err(MlError::EmptyData { n_rows, n_columns: feature_names.len() });
        }
        if labels.len() != n_rows {
            return Err(MlError::LabelCount { n_labels: labels.len(), n_rows });
        }
        self.validate(n_rows)?;
        let n_classes = labels.iter().copied().max().map_or(0, |m| m as usize + 1);
        let class_counts = count_classes(labels, n_classes);
        if class_counts.iter().filter(|&&c| c > 0).count() < 2 {
            return Err(MlError::SingleClass { class: labels[0] });
        }
        Ok(ForestJob {
            params: self.clone(),
            feature_names: feature_names.to_vec(),
            binned: bin(),
            labels: labels.to_vec(),
            n_classes,
            class_multiplier: class_multipliers(self.class_weight, &class_counts, n_rows),
        })
    }
}

impl ForestJob {
    /// Trees in the whole forest.
    pub fn n_trees(&self) -> usize {
        self.params.n_trees
    }

    /// Splits the forest's trees into at most `n_parts` contiguous ranges of near-equal size.
    pub fn tree_ranges(&self, n_parts: usize) -> Vec<Range<usize>> {
        split_ranges(self.n_trees(), n_parts)
    }

    /// Grows the trees in `trees` (indices into the whole forest).
    ///
    /// `on_progress` runs after every tree with the count done in this range; breaking
    /// from it stops with [`MlError::Cancelled`].
    pub fn grow(
        &self,
        trees: Range<usize>,
        on_progress: &mut dyn FnMut(FitProgress) -> ControlFlow<()>,
    ) -> Result<GrownTrees, MlError> {
        if trees.start > trees.end || trees.end > self.n_trees() {
            return Err(MlError::InvalidParameter {
                name: "trees",
                reason: format!("range {trees:?} is not within the forest's {} trees", self.n_trees()),
            });
        }
        let n_rows = self.binned.n_rows();
        let oob = self.params.bootstrap && self.params.compute_oob_score;
        let mut grown = GrownTrees {
            first_tree: trees.start,
            trees: Vec::with_capacity(trees.len()),
            decreases: Vec::with_capacity(trees.len()),
            oob_votes: vec![0; if oob { n_rows * self.n_classes } else { 0 }],
        };
        let n_in_range = trees.len();
        for tree_idx in trees {
            let tree_seed = SeededRng::derive_seed(self.params.seed, tree_idx as u64);
            let counts = draw_sample_counts(&self.params, n_rows, tree_seed);
            let sample = weighted_sample(&counts, &self.labels, &self.class_multiplier);
            let (tree, decrease) = fit_tree(
                &self.params.tree,
                &self.binned,
                &self.labels,
                self.n_classes,
                sample,
                SeededRng::derive_seed(tree_seed, 1),
            );
            if oob {
                self.add_oob_votes(&tree, &counts, &mut grown.oob_votes);
            }
            grown.trees.push(tree);
            grown.decreases.push(decrease);
            let progress = FitProgress { n_trees_done: grown.trees.len(), n_trees: n_in_range };
            if on_progress(progress).is_break() {
                return Err(MlError::Cancelled { n_trees_done: grown.trees.len() });
            }
        }
        Ok(grown)
    }

    /// Puts ranges grown anywhere back together. The ranges must cover every tree exactly
    /// once, in any order; the forest equals the one a single [`ForestJob::grow`] gives.
    pub fn assemble(&self, mut parts: Vec<GrownTrees>) -> Result<RandomForest, MlError> {
        sort_stable_by(&mut parts, &|a, b| a.first_tree.cmp(&b.first_tree));
        let n_features = self.feature_names.len();
        let n_votes = if self.params.bootstrap && self.params.compute_oob_score {
            self.binned.n_rows() * self.n_classes
        } else {
            0
        };
        let mut next_tree = 0;
        let mut trees = Vec::with_capacity(self.n_trees());
        let mut importances = vec![0.0; n_features];
        let mut votes = vec![0i64; n_votes];
        for part in parts {
            if part.first_tree != next_tree || part.trees.len() != part.decreases.len() {
                return Err(bad_part(format!("trees from {} were expected, not {}", next_tree, part.first_tree)));
            }
            if part.oob_votes.len() != n_votes {
                return Err(bad_part("its out-of-bag votes do not match the rows"));
            }
            for (tree, decrease) in part.trees.into_iter().zip(&part.decreases) {
                if tree.n_classes() != self.n_classes || decrease.len() != n_features {
                    return Err(bad_part("a tree does not match the forest's classes or features"));
                }
                tree.validate(n_features).map_err(bad_part)?;
                add_normalized(&mut importances, decrease);
                trees.push(tree);
            }
            votes.iter_mut().zip(&part.oob_votes).for_each(|(total, v)| *total = total.wrapping_add(*v));
            next_tree += part.decreases.len();
        }
        if next_tree != self.n_trees() {
            return Err(bad_part(format!("{next_tree} of {} trees arrived", self.n_trees())));
        }
        let total: f64 = importances.iter().sum();
        if total > 0.0 {
            importances.iter_mut().for_each(|v| *v /= total);
        }
        let oob_score = (n_votes > 0).then(|| oob_accuracy(&votes, &self.labels, self.n_classes)).flatten();
        Ok(RandomForest::from_parts(self.feature_names.clone(), self.n_classes, trees, importances, oob_score))
    }

    /// Adds one tree's class fractions to the rows it left out, walking bin codes (a split
    /// `x <= upper_edge(b)` is exactly `bin(x) <= b`, so this is the raw-value walk).
    fn add_oob_votes(&self, tree: &DecisionTree, counts: &[u32], votes: &mut [i64]) {
        let split_bins: Vec<u8> =
            tree.nodes()
                .iter()
                .map(|node| {
                    if node.is_leaf() {
                        0
                    } else {
                        self.binned.bins(node.feature_idx as usize).bin_of(node.threshold)
                    }
                })
                .collect();
        let fractions: Vec<i64> = (0..tree.nodes().len() * self.n_classes)
            .map(|i| (tree.class_fraction(i / self.n_classes, i % self.n_classes) * VOTE_UNIT).round() as i64)
            .collect();
        // The out-of-bag rows go down the tree together, node by node: each split reorders its
        // rows stably into left then right, so every node reads its feature's codes in row
        // order. (Walking one row at a time from the root jumps between columns at every
        // level, and that cost a fifth of the fit.) Each row still reaches its own leaf, and
        // votes are integers, so the sums are exactly the row-by-row ones.
        let nodes = tree.nodes();
        let mut rows: Vec<u32> = (0..counts.len()).filter(|&r| counts[r] == 0).map(|r| r as u32).collect();
        let mut right_rows: Vec<u32> = Vec::with_capacity(rows.len());
        let mut stack = vec![(0usize, 0usize, rows.len())];
        while let Some((node_idx, start, end)) = stack.pop() {
            let node = &nodes[node_idx];
            if node.is_leaf() {
                let leaf_fractions = &fractions[node_idx * self.n_classes..(node_idx + 1) * self.n_classes];
                for &row in &rows[start..end] {
                    let row = row as usize;
                    let row_votes = &mut votes[row * self.n_classes..(row + 1) * self.n_classes];
                    row_votes.iter_mut().zip(leaf_fractions).for_each(|(v, f)| *v = v.wrapping_add(*f));
                }
                continue;
            }
            let codes = self.binned.codes(node.feature_idx as usize);
            let split_bin = split_bins[node_idx];
            right_rows.clear();
            let mut mid = start;
            for position in start..end {
                let row = rows[position];
                let code = codes[row as usize];
                let go_left = if code == MISSING_BIN { node.missing_goes_left } else { code <= split_bin };
                if go_left {
                    rows[mid] = row;
                    mid += 1;
                } else {
                    right_rows.push(row);
                }
            }
            rows[mid..end].copy_from_slice(&right_rows);
            stack.push((node.right as usize, mid, end));
            stack.push((node.left as usize, start, mid));
        }
    }

    /// The job as bytes, for posting to another worker.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(self.byte_len());
        // Writing into a Vec cannot fail.
        let _ = self.write_to(&mut bytes);
        bytes
    }

    /// How many bytes [`ForestJob::to_bytes`] (and [`ForestJob::write_to`]) writes.
    pub fn byte_len(&self) -> usize {
        const LEN: usize = ByteWriter::LEN_BYTES;
        let n_rows = self.binned.n_rows();
        let features: usize = (0..self.feature_names.len())
            .map(|f| LEN + self.feature_names[f].len() + binned_feature_byte_len(self.binned.bins(f), n_rows))
            .sum();
        JOB_MAGIC.len()
            + (LEN + self.params_json().len())
            + LEN
            + LEN
            + features
            + (LEN + 4 * self.labels.len())
            + LEN
            + (LEN + 8 * self.class_multiplier.len())
    }

    /// Writes [`ForestJob::to_bytes`]' bytes to `out` in parts, each feature's bin codes
    /// straight from where they lie, so the job is never held whole on the way (the
    /// browser's session worker writes it into a JavaScript array for the helpers).
    pub fn write_to(&self, out: &mut impl Write) -> std::io::Result<()> {
        let mut w = ByteWriter::new(JOB_MAGIC);
        w.str(&self.params_json());
        w.len(self.feature_names.len());
        self.feature_names.iter().for_each(|name| w.str(name));
        w.len(self.binned.n_rows());
        for feature_idx in 0..self.feature_names.len() {
            let codes = self.binned.codes(feature_idx);
            write_binned_feature_head(&mut w, self.binned.bins(feature_idx), codes.len());
            out.write_all(&w.take())?;
            out.write_all(codes)?;
        }
        w.u32s(&self.labels);
        w.len(self.n_classes);
        w.f64s(&self.class_multiplier);
        out.write_all(&w.take())
    }

    fn params_json(&self) -> String {
        serde_json::to_string(&self.params).unwrap_or_default()
    }

    /// Reads [`ForestJob::to_bytes`]; anything damaged is [`MlError::BadBytes`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, MlError> {
        Self::from_owned_bytes(bytes.to_vec())
    }

    /// [`ForestJob::from_bytes`] that takes the bytes and keeps their buffer for the bin
    /// codes (moved to its front, the rest freed), so a helper never holds the job twice.
    pub fn from_owned_bytes(mut bytes: Vec<u8>) -> Result<Self, MlError> {
        let mut r = ByteReader::new(&bytes, JOB_MAGIC, "forest job")?;
        let params: ForestParams =
            serde_json::from_str(r.str()?).map_err(|e| r.error(format!("its parameters: {e}")))?;
        let n_features = r.len(8)?;
        let feature_names = (0..n_features).map(|_| r.str().map(String::from)).collect::<Result<Vec<_>, _>>()?;
        let n_rows = r.len(0)?;
        let mut bins = Vec::with_capacity(n_features);
        let mut places = Vec::with_capacity(n_features);
        for _ in 0..n_features {
            places.push(read_binned_feature_place(&mut r, n_rows, &mut bins)?);
        }
        let labels = r.u32s()?;
        let n_classes = r.len(0)?;
        let class_multiplier = r.f64s()?;
        r.finish()?;
        let job_error = |reason: &str| MlError::BadBytes { what: "forest job", reason: reason.into() };
        if labels.len() != n_rows || labels.iter().any(|&l| l as usize >= n_classes) {
            return Err(job_error("its labels do not match the rows or classes"));
        }
        if class_multiplier.len() != n_classes || n_rows < 2 || n_features == 0 {
            return Err(job_error("its shape is inconsistent"));
        }
        params.validate(n_rows)?;
        // Each feature's codes move down to follow the last one's: a feature's place starts
        // after its header, past where the codes before it end.
        let mut codes_end = 0;
        for place in places {
            let n_codes = place.len();
            bytes.copy_within(place, codes_end);
            codes_end += n_codes;
        }
        bytes.truncate(codes_end);
        bytes.shrink_to_fit();
        let binned = BinnedMatrix::from_parts(n_rows, bytes, bins);
        Ok(Self { params, feature_names, binned, labels, n_classes, class_multiplier })
    }
}

impl GrownTrees {
    /// Index of the first tree in the whole forest.
    pub fn first_tree(&self) -> usize {
        self.first_tree
    }

    /// Trees in this range.
    pub fn n_trees(&self) -> usize {
        self.trees.len()
    }

    /// The range as bytes, for posting back to the worker that assembles the forest.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = ByteWriter::new(GROWN_MAGIC);
        w.len(self.first_tree);
        w.len(self.trees.len());
        for (tree, decrease) in self.trees.iter().zip(&self.decreases) {
            w.len(tree.n_classes());
            w.len(tree.nodes().len());
            for node in tree.nodes() {
                w.u32(node.feature_idx);
                w.u32(node.threshold.to_bits());
                w.u32(node.left);
                w.u32(node.right);
                w.u8(u8::from(node.missing_goes_left));
                w.u64(node.cover.to_bits());
            }
            w.f64s(tree.all_class_weights());
            w.f64s(decrease);
        }
        w.i64s(&self.oob_votes);
        w.finish()
    }

    /// Reads [`GrownTrees::to_bytes`]; trees are checked again by [`ForestJob::assemble`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, MlError> {
        let mut r = ByteReader::new(bytes, GROWN_MAGIC, "grown trees")?;
        let first_tree = r.len(0)?;
        let n_trees = r.len(8)?;
        let mut trees = Vec::with_capacity(n_trees);
        let mut decreases = Vec::with_capacity(n_trees);
        for _ in 0..n_trees {
            let n_classes = r.len(0)?;
            let n_nodes = r.len(NODE_BYTES)?;
            let mut nodes = Vec::with_capacity(n_nodes);
            for _ in 0..n_nodes {
                nodes.push(TreeNode {
                    feature_idx: r.u32()?,
                    threshold: f32::from_bits(r.u32()?),
                    left: r.u32()?,
                    right: r.u32()?,
                    missing_goes_left: r.u8()? != 0,
                    cover: f64::from_bits(r.u64()?),
                });
            }
            let class_weights = r.f64s()?;
            trees.push(DecisionTree::from_parts(nodes, n_classes, class_weights));
            decreases.push(r.f64s()?);
        }
        let oob_votes = r.i64s()?;
        r.finish()?;
        Ok(Self { first_tree, trees, decreases, oob_votes })
    }
}

const JOB_MAGIC: &[u8; 4] = b"CFJ1";
const GROWN_MAGIC: &[u8; 4] = b"CFG1";
const NODE_BYTES: usize = 25;

/// `n` items in at most `n_parts` contiguous ranges whose sizes differ by at most one.
pub fn split_ranges(n: usize, n_parts: usize) -> Vec<Range<usize>> {
    let n_parts = n_parts.clamp(1, n.max(1));
    let (base, extra) = (n / n_parts, n % n_parts);
    let mut start = 0;
    (0..n_parts)
        .map(|part| {
            let len = base + usize::from(part < extra);
            let range = start..start + len;
            start += len;
            range
        })
        .filter(|range| !range.is_empty())
        .collect()
}

fn bad_part(reason: impl Into<String>) -> MlError {
    MlError::BadBytes { what: "grown trees", reason: reason.into() }
}

fn oob_accuracy(votes: &[i64], labels: &[u32], n_classes: usize) -> Option<f64> {
    let mut n_scored = 0usize;
    let mut n_correct = 0usize;
    for (row_idx, &label) in labels.iter().enumerate() {
        let row_votes = &votes[row_idx * n_classes..(row_idx + 1) * n_classes];
        if row_votes.iter().all(|&v| v == 0) {
            continue;
        }
        n_scored += 1;
        let mut predicted = 0;
        for (class_idx, &vote) in row_votes.iter().enumerate() {
            if vote > row_votes[predicted] {
                predicted = class_idx;
            }
        }
        n_correct += usize::from(predicted == label as usize);
    }
    (n_scored > 0).then(|| n_correct as f64 / n_scored as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(n_rows: usize, seed: u64) -> (FeatureMatrix, Vec<u32>) {
        let mut rng = SeededRng::new(seed);
        let columns: Vec<Vec<f32>> =
            (0..4).map(|_| (0..n_rows).map(|_| (rng.next_f64() * 10.0).floor() as f32).collect()).collect();
        let labels =
            (0..n_rows).map(|r| u32::from(columns[0][r] + columns[1][r] > 9.0 || rng.next_f64() < 0.1)).collect();
        let names = (0..4).map(|i| format!("f{i}")).collect();
        (FeatureMatrix::from_columns(names, columns).unwrap(), labels)
    }

    fn keep_going(_: FitProgress) -> ControlFlow<()> {
        ControlFlow::Continue(())
    }

    #[test]
    fn a_job_read_from_its_own_buffer_keeps_every_code() {
        let (matrix, labels) = data(700, 5);
        let job = ForestParams { n_trees: 3, ..ForestParams::default() }.prepare(&matrix, &labels).unwrap();
        let bytes = job.to_bytes();
        let read = ForestJob::from_owned_bytes(bytes.clone()).unwrap();
        assert_eq!(read.binned.n_rows(), 700);
        for feature_idx in 0..job.binned.n_features() {
            assert_eq!(read.binned.codes(feature_idx), job.binned.codes(feature_idx), "feature {feature_idx}");
        }
        assert_eq!((read.labels.as_slice(), read.n_classes), (job.labels.as_slice(), job.n_classes));
        assert!(read.to_bytes() == bytes);
        // The writer was sized exactly, so the buffer never regrew on the way.
        assert_eq!(bytes.capacity(), bytes.len());
        assert_eq!(job.byte_len(), bytes.len());
    }

    #[test]
    fn a_job_written_in_parts_is_its_bytes() {
        for (n_rows, seed) in [(700, 5), (3, 1)] {
            let (matrix, labels) = data(n_rows, seed);
            let job = ForestParams { n_trees: 2, ..ForestParams::default() }.prepare(&matrix, &labels).unwrap();
            let mut out = crate::test_support::TrickleWriter(Vec::new());
            job.write_to(&mut out).unwrap();
            assert!(out.0 == job.to_bytes());
            assert_eq!(out.0.len(), job.byte_len());
            assert!(ForestJob::from_bytes(&out.0).is_ok());
        }
        // A sink that fills up is an error, not a panic.
        let (matrix, labels) = data(50, 2);
        let job = ForestParams { n_trees: 2, ..ForestParams::default() }.prepare(&matrix, &labels).unwrap();
        let mut short = [0u8; 40];
        assert!(job.write_to(&mut &mut short[..]).is_err());
    }

    #[test]
    fn ranges_grown_apart_and_sent_as_bytes_give_the_single_run_forest() {
        let (matrix, labels) = data(600, 3);
        let params = ForestParams { n_trees: 13, seed: 9, ..ForestParams::default() };
        let single = params.fit(&matrix, &labels, &mut keep_going).unwrap();
        for n_parts in [1, 2, 3, 5, 13] {
            let job = params.prepare(&matrix, &labels).unwrap();
            let remote = ForestJob::from_bytes(&job.to_bytes()).unwrap();
            let mut parts: Vec<GrownTrees> = job
                .tree_ranges(n_parts)
                .into_iter()
                .map(|range| {
                    let grown = remote.grow(range, &mut keep_going).unwrap();
                    GrownTrees::from_bytes(&grown.to_bytes()).unwrap()
                })
                .collect();
            parts.reverse();
            let forest = job.assemble(parts).unwrap();
            assert_eq!(forest, single, "{n_parts} parts");
        }
        assert!(single.oob_score().is_some());
    }

    #[test]
    fn preparing_chosen_rows_equals_preparing_their_copy() {
        let (matrix, labels) = data(500, 5);
        let rows: Vec<usize> = (0..500).filter(|r| r % 4 != 1).rev().collect();
        let chosen_labels: Vec<u32> = rows.iter().map(|&r| labels[r]).collect();
        let params = ForestParams { n_trees: 3, seed: 4, ..ForestParams::default() };
        let binned = BinnedMatrix::fit_on_rows(&matrix, &rows, params.max_bins).unwrap().select_rows(&rows);
        let direct = params.prepare_binned(matrix.feature_names(), binned.clone(), &chosen_labels).unwrap();
        let copied = params.prepare(&matrix.select_rows(&rows), &chosen_labels).unwrap();
        assert_eq!(direct.to_bytes(), copied.to_bytes());
        assert!(params.prepare_binned(&matrix.feature_names()[..2], binned.clone(), &chosen_labels).is_err(), "names");
        assert!(params.prepare_binned(matrix.feature_names(), binned, &labels).is_err(), "labels of other rows");
    }

    #[test]
    fn missing_duplicated_or_damaged_parts_are_errors() {
        let (matrix, labels) = data(200, 4);
        let params = ForestParams { n_trees: 4, ..ForestParams::default() };
        let job = params.prepare(&matrix, &labels).unwrap();
        let first = job.grow(0..2, &mut keep_going).unwrap();
        let second = job.grow(2..4, &mut keep_going).unwrap();
        assert!(job.assemble(vec![first.clone()]).is_err());
        assert!(job.assemble(vec![first.clone(), first.clone()]).is_err());
        assert!(job.assemble(vec![first.clone(), second.clone()]).is_ok());
        assert!(job.grow(3..9, &mut keep_going).is_err());
        let bytes = second.to_bytes();
        for cut in [0, 3, 4, 20, bytes.len() / 2, bytes.len() - 1] {
            assert!(GrownTrees::from_bytes(&bytes[..cut]).is_err(), "cut {cut}");
        }
        let job_bytes = job.to_bytes();
        for cut in [0, 10, job_bytes.len() / 2, job_bytes.len() - 1] {
            assert!(ForestJob::from_bytes(&job_bytes[..cut]).is_err(), "cut {cut}");
        }
        // A bin code past its feature's bins is refused, not used as an index.
        let mut bad_code = job.clone();
        bad_code.binned = BinnedMatrix::from_parts(
            job.binned.n_rows(),
            (0..job.feature_names.len())
                .flat_map(|f| job.binned.codes(f).iter().map(move |&c| if f == 0 { 200 } else { c }))
                .collect(),
            (0..job.feature_names.len()).map(|f| job.binned.bins(f).clone()).collect(),
        );
        assert!(ForestJob::from_bytes(&bad_code.to_bytes()).is_err());
        // A tree whose child points backwards is refused when assembling, not walked.
        let mut damaged = second.clone();
        let tree = &damaged.trees[0];
        let mut nodes = tree.nodes().to_vec();
        if let Some(split) = nodes.iter_mut().find(|n| !n.is_leaf()) {
            split.left = 0;
        }
        damaged.trees[0] = DecisionTree::from_parts(nodes, tree.n_classes(), tree.all_class_weights().to_vec());
        assert!(job.assemble(vec![first, damaged]).is_err());
    }

    #[test]
    fn split_ranges_cover_everything_once() {
        assert_eq!(split_ranges(10, 3), vec![0..4, 4..7, 7..10]);
        assert_eq!(split_ranges(2, 8), vec![0..1, 1..2]);
        assert_eq!(split_ranges(5, 0), vec![0..5]);
        assert!(split_ranges(0, 4).is_empty());
    }
}
