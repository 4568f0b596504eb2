//! Exact path-dependent TreeSHAP (Lundberg et al.) over a [`super::ShapEnsemble`].
//!
//! The values are those of shap's `TreeExplainer(model, feature_perturbation="tree_path_dependent")`:
//! the Shapley values of `v(S) = E[f(x) | x_S]`, where the expectation follows the row at splits
//! on features in `S` (NaN takes the default child) and takes the cover-weighted mean of both
//! children elsewhere. [`TreeExplainer::new`] precomputes everything that depends only on the
//! trees (`compact`); explaining walks each tree once per row (`path`). The walk computes the
//! Shapley weights of shap's Algorithm 2 (its extend/unwind sums) as integrals that Gauss–Legendre
//! quadrature evaluates exactly, which lets it skip shap's per-leaf loops. A node without cover
//! weighs its children equally, as [`super::ShapTree::fill_internal_values`] does.

mod compact;
mod path;

use serde::{Deserialize, Serialize};

use self::compact::{CompactNode, CompactTree};
use self::path::{Quadrature, Scratch};
use super::ShapEnsemble;
use crate::ml::FeatureMatrix;

/// Rows explained together: each tree is walked for all of them while its nodes are in cache.
const BLOCK_ROWS: usize = 64;

/// Precomputed, compact form of an ensemble for fast explanation.
#[derive(Debug, Clone, PartialEq)]
pub struct TreeExplainer {
    n_features: usize,
    expected_value: f64,
    trees: Vec<Vec<CompactNode>>,
    quadrature: Quadrature,
    max_depth: usize,
}

impl TreeExplainer {
    /// Compacts every tree of `ensemble`.
    ///
    /// A split on a feature outside `0..n_features`, which every row lacks, is replaced by its
    /// default child (where `predict_row` sends every row), so it gets no SHAP value.
    pub fn new(ensemble: &ShapEnsemble) -> Self {
        let compact: Vec<CompactTree> =
            ensemble.trees.iter().map(|tree| CompactTree::new(tree, ensemble.n_features)).collect();
        let max_depth = compact.iter().map(|tree| tree.max_depth).max().unwrap_or(0);
        let max_unique_features = compact.iter().map(|tree| tree.max_unique_features).max().unwrap_or(0);
        let expected_value = ensemble.base_offset + compact.iter().map(CompactTree::mean_value).sum::<f64>();
        Self {
            n_features: ensemble.n_features,
            expected_value,
            trees: compact.into_iter().map(|tree| tree.nodes).collect(),
            quadrature: Quadrature::for_unique_features(max_unique_features),
            max_depth,
        }
    }

    /// base_offset + Σ root values (the expected model output).
    pub fn expected_value(&self) -> f64 {
        self.expected_value
    }

    /// Number of features, and of SHAP values per row.
    pub fn n_features(&self) -> usize {
        self.n_features
    }

    /// Writes one SHAP value per feature for `row` into `contributions` (len n_features; overwritten, not added).
    ///
    /// Rows shorter than n_features treat the missing tail as NaN, and values past the end are
    /// ignored. A shorter `contributions` receives the first values, a longer one zeros after them.
    pub fn explain_row(&self, row: &[f32], contributions: &mut [f64]) {
        let mut scratch = self.scratch(1);
        scratch.set_row(0, row);
        self.add_trees(&mut scratch, 1);
        self.copy_contributions(&scratch, 0, contributions);
    }

    /// Row-major SHAP values for every row of `matrix`, whose columns are the model's features.
    pub fn explain_matrix(&self, matrix: &FeatureMatrix) -> ShapValues {
        let mut values = vec![0.0; matrix.n_rows() * self.n_features];
        let mut scratch = self.scratch(BLOCK_ROWS);
        let mut row = Vec::with_capacity(matrix.n_features());
        let block_len = BLOCK_ROWS * self.n_features.max(1);
        for (block_idx, block) in values.chunks_mut(block_len).enumerate() {
            let n_rows = block.len() / self.n_features.max(1);
            for row_in_block in 0..n_rows {
                matrix.copy_row_into(block_idx * BLOCK_ROWS + row_in_block, &mut row);
                scratch.set_row(row_in_block, &row);
            }
            self.add_trees(&mut scratch, n_rows);
            for (row_in_block, contributions) in block.chunks_mut(self.n_features.max(1)).enumerate() {
                self.copy_contributions(&scratch, row_in_block, contributions);
            }
        }
        ShapValues { base_value: self.expected_value, n_features: self.n_features, values }
    }
}

/// SHAP values of many rows, with the base value they add to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShapValues {
    /// The expected model output; base plus a row's values is the row's prediction.
    pub base_value: f64,
    /// Values per row.
    pub n_features: usize,
    /// `n_rows * n_features` values, row-major.
    pub values: Vec<f64>,
}

impl ShapValues {
    /// Number of rows explained.
    pub fn n_rows(&self) -> usize {
        self.values.len().checked_div(self.n_features).unwrap_or(0)
    }

    /// The SHAP values of row `row_idx`, one per feature (empty if there is no such row).
    pub fn row(&self, row_idx: usize) -> &[f64] {
        let start = row_idx.saturating_mul(self.n_features);
        self.values.get(start..start.saturating_add(self.n_features)).unwrap_or(&[])
    }
}

impl TreeExplainer {
    fn scratch(&self, block_rows: usize) -> Scratch {
        Scratch::new(self.n_features, block_rows, self.max_depth)
    }

    fn add_trees(&self, scratch: &mut Scratch, n_rows: usize) {
        for tree in &self.trees {
            scratch.add_tree(tree, &self.quadrature, n_rows);
        }
    }

    fn copy_contributions(&self, scratch: &Scratch, row_in_block: usize, contributions: &mut [f64]) {
        contributions.fill(0.0);
        let phi = scratch.contributions(row_in_block).iter().take(self.n_features);
        for (out, &value) in contributions.iter_mut().zip(phi) {
            *out = value;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::ops::ControlFlow;
    use std::time::Instant;

    use super::*;
    use crate::ml::shap::{ShapTree, LEAF};
    use crate::ml::{FitProgress, ForestParams, RandomForest, SeededRng, TreeParams};

    /// Thresholds and row values share this grid, so rows often hit a threshold exactly.
    const GRID: [f32; 5] = [0.0, 0.25, 0.5, 0.75, 1.0];

    /// `E[f(x) | x_S]` for the features in `known` (a bit mask), straight from the definition.
    fn conditional_expectation(tree: &ShapTree, node: usize, row: &[f32], known: u32) -> f64 {
        if tree.is_leaf(node) {
            return tree.values[node];
        }
        if known & (1 << tree.features[node]) != 0 {
            return conditional_expectation(tree, tree.next_node(node, row), row, known);
        }
        let (left, right) = (tree.children_left[node] as usize, tree.children_right[node] as usize);
        let cover = tree.node_sample_weight[node];
        let (left_share, right_share) = if cover > 0.0 {
            (tree.node_sample_weight[left] / cover, tree.node_sample_weight[right] / cover)
        } else {
            (0.5, 0.5)
        };
        left_share * conditional_expectation(tree, left, row, known)
            + right_share * conditional_expectation(tree, right, row, known)
    }

    /// Exact Shapley values by enumerating every subset of features.
    fn brute_force_shap(ensemble: &ShapEnsemble, row: &[f32]) -> Vec<f64> {
        let n_features = ensemble.n_features;
        let game: Vec<f64> = (0..1u32 << n_features)
            .map(|known| {
                let trees = ensemble.trees.iter().map(|tree| conditional_expectation(tree, 0, row, known));
                ensemble.base_offset + trees.sum::<f64>()
            })
            .collect();
        let factorial = |n: usize| (1..=n).map(|k| k as f64).product::<f64>();
        (0..n_features)
            .map(|feature| {
                (0..1u32 << n_features)
                    .filter(|known| known & (1 << feature) == 0)
                    .map(|known| {
                        let n_known = known.count_ones() as usize;
                        let weight = factorial(n_known) * factorial(n_features - n_known - 1) / factorial(n_features);
                        weight * (game[(known | (1 << feature)) as usize] - game[known as usize])
                    })
                    .sum()
            })
            .collect()
    }

    /// A random tree with consistent covers (some zero), repeated features and shared leaf values.
    fn random_tree(rng: &mut SeededRng, n_features: usize, max_depth: usize) -> ShapTree {
        let mut tree = ShapTree {
            children_left: vec![],
            children_right: vec![],
            children_default: vec![],
            features: vec![],
            thresholds: vec![],
            values: vec![],
            node_sample_weight: vec![],
        };
        grow(&mut tree, rng, n_features, max_depth, &mut Vec::new());
        tree.fill_internal_values();
        tree
    }

    fn grow(
        tree: &mut ShapTree,
        rng: &mut SeededRng,
        n_features: usize,
        depth_left: usize,
        path: &mut Vec<i32>,
    ) -> usize {
        let idx = tree.n_nodes();
        tree.children_left.push(LEAF);
        tree.children_right.push(LEAF);
        tree.children_default.push(LEAF);
        tree.features.push(-2);
        tree.thresholds.push(0.0);
        tree.values.push(0.0);
        tree.node_sample_weight.push(0.0);
        if depth_left == 0 || (!path.is_empty() && rng.chance(0.2)) {
            tree.values[idx] = if rng.chance(0.3) { [-0.5, 1.0][rng.index(2)] } else { rng.next_f64() * 2.0 - 1.0 };
            tree.node_sample_weight[idx] = if rng.chance(0.05) { 0.0 } else { 0.1 + rng.next_f64() * 9.0 };
            return idx;
        }
        let feature = if !path.is_empty() && rng.chance(0.5) {
            path[rng.index(path.len())]
        } else {
            rng.index(n_features) as i32
        };
        path.push(feature);
        let left = grow(tree, rng, n_features, depth_left - 1, path);
        let right = grow(tree, rng, n_features, depth_left - 1, path);
        path.pop();
        tree.children_left[idx] = left as i32;
        tree.children_right[idx] = right as i32;
        tree.children_default[idx] = if rng.chance(0.5) { left as i32 } else { right as i32 };
        tree.features[idx] = feature;
        tree.thresholds[idx] = GRID[rng.index(GRID.len())];
        tree.node_sample_weight[idx] = tree.node_sample_weight[left] + tree.node_sample_weight[right];
        idx
    }

    /// A row of grid values, nudged values, NaN and infinities; sometimes shorter than `n_features`.
    fn random_row(rng: &mut SeededRng, n_features: usize) -> Vec<f32> {
        let len = if rng.chance(0.1) { rng.index(n_features + 1) } else { n_features };
        (0..len)
            .map(|_| match rng.index(10) {
                0 | 1 => f32::NAN,
                2 => [f32::INFINITY, f32::NEG_INFINITY][rng.index(2)],
                3 => rng.next_f64() as f32,
                _ => GRID[rng.index(GRID.len())],
            })
            .collect()
    }

    fn explain(explainer: &TreeExplainer, row: &[f32]) -> Vec<f64> {
        let mut contributions = vec![f64::NAN; explainer.n_features()];
        explainer.explain_row(row, &mut contributions);
        contributions
    }

    fn assert_close(actual: &[f64], expected: &[f64], tolerance: f64, context: &str) {
        assert_eq!(actual.len(), expected.len(), "{context}");
        for (feature, (a, e)) in actual.iter().zip(expected).enumerate() {
            assert!((a - e).abs() <= tolerance, "{context}: feature {feature}: {a} vs {e}\n{actual:?}\n{expected:?}");
        }
    }

    fn keep_going(_: FitProgress) -> ControlFlow<()> {
        ControlFlow::Continue(())
    }

    /// Noisy labels over `n_classes` from a few interacting features, with some missing values.
    fn classification_data(
        n_rows: usize,
        n_features: usize,
        n_classes: u32,
        missing_rate: f64,
        seed: u64,
    ) -> (FeatureMatrix, Vec<u32>) {
        let mut rng = SeededRng::new(seed);
        let mut columns = vec![Vec::with_capacity(n_rows); n_features];
        let mut labels = Vec::with_capacity(n_rows);
        for _ in 0..n_rows {
            let row: Vec<f32> = (0..n_features).map(|_| rng.next_f64() as f32).collect();
            let signal = row[0] + 0.5 * row[1 % n_features] - 0.7 * row[2 % n_features] * row[3 % n_features];
            let label = if rng.chance(0.15) { rng.index(n_classes as usize) as u32 } else { (signal * 2.0) as u32 };
            labels.push(label.min(n_classes - 1));
            for (column, value) in columns.iter_mut().zip(row) {
                column.push(if rng.chance(missing_rate) { f32::NAN } else { value });
            }
        }
        let names = (0..n_features).map(|f| format!("f{f}")).collect();
        (FeatureMatrix::from_columns(names, columns).unwrap(), labels)
    }

    fn fit_forest(matrix: &FeatureMatrix, labels: &[u32], n_trees: usize) -> RandomForest {
        let params = ForestParams {
            n_trees,
            tree: TreeParams { min_samples_leaf: 1, ..Default::default() },
            compute_oob_score: false,
            ..Default::default()
        };
        params.fit(matrix, labels, &mut keep_going).unwrap()
    }

    /// Checks `expected_value + Σ contributions == prediction` on the matrix rows and random rows.
    fn assert_additive(forest: &RandomForest, class_idx: usize, matrix: &FeatureMatrix, seed: u64) {
        let ensemble = forest.shap_ensemble(class_idx);
        let explainer = TreeExplainer::new(&ensemble);
        assert!((explainer.expected_value() - ensemble.expected_value()).abs() < 1e-12);
        let mut rng = SeededRng::new(seed);
        let mut row = Vec::new();
        for row_idx in 0..matrix.n_rows().min(200) {
            matrix.copy_row_into(row_idx, &mut row);
            if row_idx % 2 == 1 {
                row = random_row(&mut rng, matrix.n_features());
                row.resize(matrix.n_features(), f32::NAN);
            }
            let total = explainer.expected_value() + explain(&explainer, &row).iter().sum::<f64>();
            let prediction = forest.predict_proba_row(&row).unwrap()[class_idx];
            assert!((total - ensemble.predict_row(&row)).abs() < 1e-9, "row {row_idx}: {total} vs {prediction}");
            assert!((total - prediction).abs() < 1e-9, "row {row_idx}: {total} vs {prediction}");
        }
    }

    #[test]
    fn a_single_split_gives_the_known_values() {
        let tree = ShapTree {
            children_left: vec![1, LEAF, LEAF],
            children_right: vec![2, LEAF, LEAF],
            children_default: vec![2, LEAF, LEAF],
            features: vec![1, -2, -2],
            thresholds: vec![0.5, 0.0, 0.0],
            values: vec![0.25, 1.0, 0.0],
            node_sample_weight: vec![4.0, 1.0, 3.0],
        };
        let explainer = TreeExplainer::new(&ShapEnsemble { n_features: 2, base_offset: 10.0, trees: vec![tree] });
        assert_eq!(explainer.expected_value(), 10.25);
        assert_close(&explain(&explainer, &[9.0, 0.5]), &[0.0, 0.75], 1e-15, "hot");
        assert_close(&explain(&explainer, &[9.0, f32::NAN]), &[0.0, -0.25], 1e-15, "missing");
    }

    #[test]
    fn matches_brute_force_shapley_values_on_random_trees() {
        let mut rng = SeededRng::new(7);
        for case in 0..400 {
            let n_features = 1 + rng.index(8);
            let n_trees = 1 + rng.index(3);
            let trees = (0..n_trees)
                .map(|_| {
                    let max_depth = 1 + rng.index(8);
                    random_tree(&mut rng, n_features, max_depth)
                })
                .collect();
            let ensemble = ShapEnsemble { n_features, base_offset: rng.next_f64(), trees };
            let explainer = TreeExplainer::new(&ensemble);
            assert!((explainer.expected_value() - ensemble.expected_value()).abs() < 1e-12, "case {case}");
            for _ in 0..8 {
                let row = random_row(&mut rng, n_features);
                let expected = brute_force_shap(&ensemble, &row);
                assert_close(&explain(&explainer, &row), &expected, 1e-12, &format!("case {case}, row {row:?}"));
            }
        }
    }

    #[test]
    fn extra_quadrature_points_in_several_groups_change_nothing() {
        let mut rng = SeededRng::new(8);
        for case in 0..60 {
            let n_features = 1 + rng.index(8);
            let max_depth = 1 + rng.index(8);
            let trees = vec![random_tree(&mut rng, n_features, max_depth)];
            let ensemble = ShapEnsemble { n_features, base_offset: 0.0, trees };
            let mut explainer = TreeExplainer::new(&ensemble);
            explainer.quadrature = Quadrature::for_unique_features(40);
            for _ in 0..4 {
                let row = random_row(&mut rng, n_features);
                let expected = brute_force_shap(&ensemble, &row);
                assert_close(&explain(&explainer, &row), &expected, 1e-12, &format!("case {case}, row {row:?}"));
            }
        }
    }

    #[test]
    fn wide_deep_forests_are_additive() {
        let (matrix, labels) = classification_data(3000, 24, 2, 0.05, 61);
        let forest = fit_forest(&matrix, &labels, 4);
        assert_additive(&forest, 1, &matrix, 62);
    }

    #[test]
    fn deep_forests_grown_to_purity_are_additive_with_missing_values() {
        let (matrix, labels) = classification_data(3000, 6, 2, 0.1, 11);
        let forest = fit_forest(&matrix, &labels, 8);
        assert!(forest.trees().iter().all(|tree| tree.depth() > 12));
        assert_additive(&forest, 1, &matrix, 12);
        assert_additive(&forest, 0, &matrix, 13);
    }

    #[test]
    fn multiclass_forests_are_additive_for_class_two() {
        let (matrix, labels) = classification_data(2000, 5, 3, 0.05, 21);
        let forest = fit_forest(&matrix, &labels, 6);
        assert_eq!(forest.n_classes(), 3);
        assert_additive(&forest, 2, &matrix, 22);
    }

    #[test]
    fn explains_the_forest_probability_of_class_one() {
        let (matrix, labels) = classification_data(1500, 4, 2, 0.0, 31);
        let forest = fit_forest(&matrix, &labels, 10);
        let explainer = TreeExplainer::new(&forest.shap_ensemble(1));
        let shap = explainer.explain_matrix(&matrix);
        assert_eq!((shap.n_rows(), shap.n_features, shap.base_value), (1500, 4, explainer.expected_value()));
        let mut row = Vec::new();
        for row_idx in 0..shap.n_rows() {
            matrix.copy_row_into(row_idx, &mut row);
            let probability = forest.predict_proba_row(&row).unwrap()[1];
            let total = shap.base_value + shap.row(row_idx).iter().sum::<f64>();
            assert!((total - probability).abs() < 1e-9, "row {row_idx}: {total} vs {probability}");
            assert_eq!(shap.row(row_idx), explain(&explainer, &row).as_slice());
        }
        assert!(shap.row(1500).is_empty() && shap.row(usize::MAX).is_empty());
    }

    #[test]
    fn hostile_rows_buffers_and_trees_do_not_panic() {
        let mut rng = SeededRng::new(41);
        let mut ensemble = ShapEnsemble {
            n_features: 3,
            base_offset: 0.0,
            trees: (0..3).map(|_| random_tree(&mut rng, 3, 6)).collect(),
        };
        let explainer = TreeExplainer::new(&ensemble);
        for row in [&[][..], &[f32::NAN], &[f32::INFINITY, f32::NEG_INFINITY, f32::MAX, f32::MIN, 5.0]] {
            for len in [0, 1, 3, 7] {
                let mut contributions = vec![f64::NAN; len];
                explainer.explain_row(row, &mut contributions);
                assert!(contributions.iter().all(|v| v.is_finite()), "{row:?} {contributions:?}");
            }
        }
        // Malformed trees: a cycle, children out of range, a negative feature, an empty tree.
        let mut broken = ensemble.trees[0].clone();
        broken.children_left[0] = 0;
        let mut out_of_range = ensemble.trees[1].clone();
        out_of_range.children_right[0] = 1000;
        // Splits on features the rows lack see missing values, as `predict_row` does.
        let mut out_of_range_feature = ensemble.trees[0].clone();
        out_of_range_feature.features[0] = 99;
        let mut negative_feature = ensemble.trees[2].clone();
        negative_feature.features[0] = -7;
        let odd_features =
            ShapEnsemble { n_features: 3, base_offset: 0.0, trees: vec![out_of_range_feature, negative_feature] };
        let odd_explainer = TreeExplainer::new(&odd_features);
        for _ in 0..20 {
            let row = random_row(&mut rng, 3);
            let total = odd_explainer.expected_value() + explain(&odd_explainer, &row).iter().sum::<f64>();
            assert!((total - odd_features.predict_row(&row)).abs() < 1e-12, "{row:?}");
        }
        let negative_feature = odd_features.trees[1].clone();
        let empty = ShapTree {
            children_left: vec![],
            children_right: vec![],
            children_default: vec![],
            features: vec![],
            thresholds: vec![],
            values: vec![],
            node_sample_weight: vec![],
        };
        ensemble.trees.extend([broken, out_of_range, negative_feature, empty]);
        let explainer = TreeExplainer::new(&ensemble);
        assert!(explain(&explainer, &[0.5, f32::NAN, 0.25]).iter().all(|v| v.is_finite()));
        let nothing = TreeExplainer::new(&ShapEnsemble { n_features: 0, base_offset: 1.5, trees: vec![] });
        assert_eq!(nothing.expected_value(), 1.5);
        assert_eq!(nothing.explain_matrix(&FeatureMatrix::from_columns(vec![], vec![]).unwrap()).n_rows(), 0);
    }

    /// Times explaining 1,000 rows with 100 trees grown to purity on 100k rows x 10 features.
    /// Run with `cargo test --release --lib treeshap::tests::timing -- --ignored --nocapture`.
    #[test]
    #[ignore = "timing, run by hand in --release"]
    fn timing_1000_rows_100_trees_grown_to_purity() {
        let (matrix, labels) = classification_data(100_000, 10, 2, 0.0, 51);
        let start = Instant::now();
        let forest = fit_forest(&matrix, &labels, 100);
        let n_leaves: usize =
            forest.trees().iter().map(|tree| tree.nodes().iter().filter(|node| node.is_leaf()).count()).sum();
        let max_depth = forest.trees().iter().map(|tree| tree.depth()).max().unwrap_or(0);
        println!(
            "fit {:.1}s; {} leaves per tree on average, max depth {max_depth}",
            start.elapsed().as_secs_f64(),
            n_leaves / 100
        );
        let rows = matrix.select_rows(&(0..1000).collect::<Vec<_>>());
        let start = Instant::now();
        let explainer = TreeExplainer::new(&forest.shap_ensemble(1));
        println!("explainer built in {:.3}s", start.elapsed().as_secs_f64());
        for _ in 0..2 {
            let start = Instant::now();
            let shap = explainer.explain_matrix(&rows);
            println!(
                "1000 rows explained in {:.3}s (row 0 sums to {})",
                start.elapsed().as_secs_f64(),
                shap.base_value + shap.row(0).iter().sum::<f64>()
            );
        }
    }
}
