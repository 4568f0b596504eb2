//! The per-row walk of exact path-dependent TreeSHAP over one compact tree.
//!
//! On the path to a leaf every feature is *hot* (the row satisfied all of that feature's splits
//! so far: one fraction `o_j = 1`) or *cold* (it failed one: `o_j = 0`), and `z_j` is the product
//! of the cover ratios of feature `j`'s splits. Algorithm 2 of Lundberg et al. gives the leaf's
//! value `v` the Shapley values of the game `v · Π_{j∈S} o_j · Π_{j∉S} z_j`. As the integral of
//! its multilinear extension, feature `i` receives `v · (o_i − z_i) · ∫₀¹ Π_{j≠i} (z_j + (o_j − z_j)·t) dt`:
//!
//! - a hot feature `i`: `v · P_C · (1 − z_i) · ∫ E(t) / f_i(t) dt`,
//! - every cold feature: `−v · P_C · ∫ E(t) / (1 − t) dt`,
//!
//! where `P_C` is the product of the cold features' `z_j`, `f_j(t) = z_j + (1 − z_j)·t` and
//! `E(t) = Π_{hot j} f_j(t) · (1 − t)^{#cold}`. Each integrand is a polynomial of degree below the
//! number of distinct features on the path, so Gauss–Legendre quadrature with half as many points
//! integrates it exactly. The walk carries `E` at the quadrature points: a split multiplies it by
//! one factor per point, and a leaf scales it by `v · P_C`. Each subtree returns the sum of its
//! leaves' scaled `E`, and a feature's share is read off that sum at the split that changes the
//! feature's state, so no leaf loops over features. A subtree that splits only on cold features
//! is worth a leaf holding its mean, so it is not entered.
//!
//! Points go through the walk in fixed-size groups (padded with zero weights), so every per-point
//! loop has a constant length the compiler unrolls.

use super::compact::{cold_bit, CompactNode};

/// The most quadrature points one walk carries.
const MAX_LANES: usize = 8;

/// Gauss–Legendre quadrature on [0, 1], exact for polynomials of degree below `2 · n_points`,
/// in groups of `lanes` points.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Quadrature {
    /// Points per group: 2, 4, 6 or 8.
    lanes: usize,
    /// Per group, `lanes` points `t_p` in (0, 1); padding points are 0.5.
    points: Vec<f64>,
    /// Per group, `lanes` weights; 0 for padding.
    weights: Vec<f64>,
}

impl Quadrature {
    /// Exact for paths with up to `max_unique_features` distinct features.
    pub fn for_unique_features(max_unique_features: usize) -> Self {
        let n_points = max_unique_features.div_ceil(2).max(1);
        let lanes = n_points.next_multiple_of(2).min(MAX_LANES);
        let (mut points, mut weights) = gauss_legendre(n_points);
        let padded = n_points.next_multiple_of(lanes);
        points.resize(padded, 0.5);
        weights.resize(padded, 0.0);
        Self { lanes, points, weights }
    }
}

/// The buffers the walk needs, allocated once and reused for every tree and row.
///
/// Rows are explained in blocks: each tree is walked for every row of the block before the next
/// tree, so a tree's nodes stay in cache while the block's rows pass through it.
#[derive(Debug, Clone)]
pub(super) struct Scratch {
    /// Values per row.
    n_features: usize,
    /// The block's rows, `n_features` values each; NaN where missing.
    rows: Vec<f32>,
    /// The block's SHAP values, `n_features` per row, summed over trees.
    phi: Vec<f64>,
    /// Each feature's state on the current path.
    feature_states: Vec<FeatureState>,
    /// `1 / f_z` at the points, per depth, for the hot feature whose `z` was set at that depth.
    reciprocals: Vec<[f64; MAX_LANES]>,
}

impl Scratch {
    /// Buffers for blocks of `block_rows` rows of `n_features` values, for trees no deeper than
    /// `max_depth`.
    pub fn new(n_features: usize, block_rows: usize, max_depth: usize) -> Self {
        Self {
            n_features,
            rows: vec![f32::NAN; n_features * block_rows],
            phi: vec![0.0; n_features * block_rows],
            feature_states: vec![FeatureState::Unseen; n_features],
            reciprocals: vec![[0.0; MAX_LANES]; max_depth + 2],
        }
    }

    /// Puts `row` at position `row_in_block` (NaN past its end) and clears its SHAP values.
    #[inline(always)]
    pub fn set_row(&mut self, row_in_block: usize, row: &[f32]) {
        let start = row_in_block * self.n_features;
        if let Some(values) = self.rows.get_mut(start..start + self.n_features) {
            for (feature_idx, value) in values.iter_mut().enumerate() {
                *value = row.get(feature_idx).copied().unwrap_or(f32::NAN);
            }
        }
        if let Some(phi) = self.phi.get_mut(start..start + self.n_features) {
            phi.fill(0.0);
        }
    }

    /// The SHAP values of the row at `row_in_block`, summed over the trees walked.
    #[inline(always)]
    pub fn contributions(&self, row_in_block: usize) -> &[f64] {
        let start = row_in_block * self.n_features;
        self.phi.get(start..start + self.n_features).unwrap_or(&[])
    }

    /// Adds one tree's SHAP values for the first `n_rows` rows of the block.
    pub fn add_tree(&mut self, nodes: &[CompactNode], quadrature: &Quadrature, n_rows: usize) {
        match quadrature.lanes {
            2 => self.add_tree_in_groups::<2>(nodes, quadrature, n_rows),
            4 => self.add_tree_in_groups::<4>(nodes, quadrature, n_rows),
            6 => self.add_tree_in_groups::<6>(nodes, quadrature, n_rows),
            _ => self.add_tree_in_groups::<MAX_LANES>(nodes, quadrature, n_rows),
        }
    }

    fn add_tree_in_groups<const LANES: usize>(
        &mut self,
        nodes: &[CompactNode],
        quadrature: &Quadrature,
        n_rows: usize,
    ) {
        let n_features = self.n_features.max(1);
        let Some(&root) = nodes.first() else { return };
        for (group_points, group_weights) in quadrature.points.chunks(LANES).zip(quadrature.weights.chunks(LANES)) {
            let (Ok(points), Ok(weights)) =
                (<[f64; LANES]>::try_from(group_points), <[f64; LANES]>::try_from(group_weights))
            else {
                continue;
            };
            let points = PointGroup::new(points);
            for (row, phi) in self.rows.chunks(n_features).zip(self.phi.chunks_mut(n_features)).take(n_rows) {
                let mut walk = Walk {
                    nodes,
                    points: &points,
                    row,
                    phi: &mut *phi,
                    feature_states: &mut self.feature_states,
                    reciprocals: &mut self.reciprocals,
                };
                walk.visit(root, 0, Level { depth: 0, cold_product: 1.0, cold_features: 0 }, &weights);
            }
        }
    }
}

/// What the walk needs of one group of points.
struct PointGroup<const LANES: usize> {
    /// `t_p`.
    points: [f64; LANES],
    /// `1 − t_p`.
    one_minus_points: [f64; LANES],
    /// `1 / (1 − t_p)`.
    inverse_one_minus_points: [f64; LANES],
}

impl<const LANES: usize> PointGroup<LANES> {
    fn new(points: [f64; LANES]) -> Self {
        Self {
            points,
            one_minus_points: points.map(|t| 1.0 - t),
            inverse_one_minus_points: points.map(|t| 1.0 / (1.0 - t)),
        }
    }
}

/// Where a feature stands on the current path.
#[derive(Debug, Clone, Copy, PartialEq)]
enum FeatureState {
    /// Not split on yet.
    Unseen,
    /// The row satisfied every split on it: `z`, and the depth whose `reciprocals` hold `1 / f_z`.
    Hot { zero_fraction: f64, set_at_depth: usize },
    /// The row failed one of its splits.
    Cold,
}

/// What the path to the current node contributes besides `E`.
#[derive(Debug, Clone, Copy)]
struct Level {
    depth: usize,
    /// `P_C`, the product of the cold features' cover ratios.
    cold_product: f64,
    /// The bits of the cold features, to recognise subtrees that split only on them.
    cold_features: u64,
}

struct Walk<'a, const LANES: usize> {
    nodes: &'a [CompactNode],
    points: &'a PointGroup<LANES>,
    row: &'a [f32],
    phi: &'a mut [f64],
    feature_states: &'a mut [FeatureState],
    reciprocals: &'a mut [[f64; MAX_LANES]],
}

impl<const LANES: usize> Walk<'_, LANES> {
    /// Returns the sum of `v · P_C · E` over the leaves below `node` (at `node_idx`, reached with
    /// `E = product`), and adds the shares of the splits below to `phi`.
    fn visit(&mut self, node: CompactNode, node_idx: usize, level: Level, product: &[f64; LANES]) -> [f64; LANES] {
        if let Some(value) = value_if_leaf(&node, &level) {
            return scaled(product, value * level.cold_product);
        }
        let feature = node.feature as usize;
        let Some(&state) = self.feature_states.get(feature) else { return [0.0; LANES] };
        let value = self.row.get(feature).copied().unwrap_or(f32::NAN);
        let goes_left = if value.is_nan() { node.missing_goes_left } else { value <= node.threshold };
        let (left_idx, right_idx) = (node_idx + 1, node.right_child as usize);
        let (hot_idx, hot_fraction, cold_idx, cold_fraction) = if goes_left {
            (left_idx, node.left_fraction, right_idx, node.right_fraction)
        } else {
            (right_idx, node.right_fraction, left_idx, node.left_fraction)
        };
        let child_level = Level { depth: level.depth + 1, ..level };
        let cold_level = Level { cold_features: level.cold_features | cold_bit(node.feature), ..child_level };
        let points = self.points;
        let (sum, share) = match state {
            FeatureState::Cold => {
                let hot_sum = self.child(hot_idx, child_level.times(hot_fraction), product, state, feature);
                let cold_sum = self.child(cold_idx, child_level.times(cold_fraction), product, state, feature);
                (added(&hot_sum, &cold_sum), 0.0)
            }
            FeatureState::Unseen => {
                let (factor, reciprocal) = self.set_reciprocal(child_level.depth, hot_fraction);
                let hot_state = FeatureState::Hot { zero_fraction: hot_fraction, set_at_depth: child_level.depth };
                let hot_product = multiplied(product, &factor);
                let hot_sum = self.child(hot_idx, child_level, &hot_product, hot_state, feature);
                let cold_product = multiplied(product, &points.one_minus_points);
                let cold_sum =
                    self.child(cold_idx, cold_level.times(cold_fraction), &cold_product, FeatureState::Cold, feature);
                let share: [f64; LANES] = lanes(|lane| {
                    (1.0 - hot_fraction) * hot_sum[lane] * reciprocal[lane]
                        - cold_sum[lane] * points.inverse_one_minus_points[lane]
                });
                (added(&hot_sum, &cold_sum), lane_sum(&share))
            }
            FeatureState::Hot { zero_fraction, set_at_depth } => {
                let old_reciprocal = self.reciprocal(set_at_depth);
                let new_fraction = zero_fraction * hot_fraction;
                let (factor, reciprocal) = self.set_reciprocal(child_level.depth, new_fraction);
                let hot_state = FeatureState::Hot { zero_fraction: new_fraction, set_at_depth: child_level.depth };
                let hot_product = lanes(|lane| product[lane] * factor[lane] * old_reciprocal[lane]);
                let hot_sum = self.child(hot_idx, child_level, &hot_product, hot_state, feature);
                let cold_product = lanes(|lane| product[lane] * points.one_minus_points[lane] * old_reciprocal[lane]);
                let cold_level = cold_level.times(zero_fraction * cold_fraction);
                let cold_sum = self.child(cold_idx, cold_level, &cold_product, FeatureState::Cold, feature);
                // An ancestor gave all these leaves the feature's share with the old `z`: take it back.
                let share: [f64; LANES] = lanes(|lane| {
                    (1.0 - new_fraction) * hot_sum[lane] * reciprocal[lane]
                        - cold_sum[lane] * points.inverse_one_minus_points[lane]
                        - (1.0 - zero_fraction) * (hot_sum[lane] + cold_sum[lane]) * old_reciprocal[lane]
                });
                (added(&hot_sum, &cold_sum), lane_sum(&share))
            }
        };
        if let Some(slot) = self.feature_states.get_mut(feature) {
            *slot = state;
        }
        if let Some(phi) = self.phi.get_mut(feature) {
            *phi += share;
        }
        sum
    }

    /// The subtree sum of child `child_idx`, entered with `E = product` and the split's feature
    /// in `state`; nothing when no weight reaches it or its leaves are worth 0.
    #[inline(always)]
    fn child(
        &mut self,
        child_idx: usize,
        level: Level,
        product: &[f64; LANES],
        state: FeatureState,
        feature: usize,
    ) -> [f64; LANES] {
        let Some(&child) = self.nodes.get(child_idx) else { return [0.0; LANES] };
        if level.cold_product == 0.0 {
            return [0.0; LANES];
        }
        if let Some(value) = value_if_leaf(&child, &level) {
            return scaled(product, value * level.cold_product);
        }
        if let Some(slot) = self.feature_states.get_mut(feature) {
            *slot = state;
        }
        self.visit(child, child_idx, level, product)
    }

    #[inline(always)]
    fn reciprocal(&self, depth: usize) -> [f64; LANES] {
        let stored = self.reciprocals.get(depth).copied().unwrap_or([1.0; MAX_LANES]);
        lanes(|lane| stored[lane])
    }

    /// Returns `f_z` and `1 / f_z` at the points for a feature whose `z` is set at `depth`, and
    /// stores the reciprocal there.
    #[inline(always)]
    fn set_reciprocal(&mut self, depth: usize, zero_fraction: f64) -> ([f64; LANES], [f64; LANES]) {
        let points = &self.points.points;
        let factor = lanes(|lane| zero_fraction + (1.0 - zero_fraction) * points[lane]);
        let reciprocal = lanes(|lane| 1.0 / factor[lane]);
        if let Some(stored) = self.reciprocals.get_mut(depth) {
            for (to, &from) in stored.iter_mut().zip(&reciprocal) {
                *to = from;
            }
        }
        (factor, reciprocal)
    }
}

impl Level {
    /// The level below a split whose child keeps `fraction` of the cover on a cold feature.
    #[inline(always)]
    fn times(self, fraction: f64) -> Self {
        Self { cold_product: self.cold_product * fraction, ..self }
    }
}

/// The value a node is worth as a leaf: a leaf's own, or the mean of a subtree whose splits are
/// all on cold features (whatever is known, its expectation is that mean).
#[inline(always)]
fn value_if_leaf(node: &CompactNode, level: &Level) -> Option<f64> {
    (node.is_leaf() || node.subtree_features & !level.cold_features == 0).then_some(node.value)
}

#[inline(always)]
fn lanes<const LANES: usize>(value: impl Fn(usize) -> f64) -> [f64; LANES] {
    std::array::from_fn(value)
}

#[inline(always)]
fn added<const LANES: usize>(a: &[f64; LANES], b: &[f64; LANES]) -> [f64; LANES] {
    lanes(|lane| a[lane] + b[lane])
}

#[inline(always)]
fn multiplied<const LANES: usize>(a: &[f64; LANES], b: &[f64; LANES]) -> [f64; LANES] {
    lanes(|lane| a[lane] * b[lane])
}

#[inline(always)]
fn scaled<const LANES: usize>(a: &[f64; LANES], scale: f64) -> [f64; LANES] {
    lanes(|lane| a[lane] * scale)
}

/// The sum of the lanes, added pairwise.
#[inline(always)]
fn lane_sum<const LANES: usize>(values: &[f64; LANES]) -> f64 {
    let mut values = *values;
    let mut width = LANES;
    while width > 1 {
        let half = width / 2;
        for lane in 0..half {
            values[lane] += values[lane + half];
        }
        if width % 2 == 1 {
            values[0] += values[width - 1];
        }
        width = half;
    }
    values[0]
}

/// Gauss–Legendre points and weights on [0, 1], by Newton's method on the Legendre polynomial.
///
/// Only `+ − × ÷` are used (no `cos` from the platform's libm), so the points are bit-identical
/// natively and in wasm.
fn gauss_legendre(n_points: usize) -> (Vec<f64>, Vec<f64>) {
    let n = n_points as f64;
    let mut points = Vec::with_capacity(n_points);
    let mut weights = Vec::with_capacity(n_points);
    for idx in 0..n_points {
        let mut x = cosine(std::f64::consts::PI * (idx as f64 + 0.75) / (n + 0.5));
        for _ in 0..100 {
            let (value, slope) = legendre(n_points, x);
            let step = value / slope;
            x -= step;
            if step.abs() <= 1e-16 {
                break;
            }
        }
        let (_, slope) = legendre(n_points, x);
        points.push(0.5 * (1.0 - x));
        weights.push(1.0 / ((1.0 - x * x) * slope * slope));
    }
    (points, weights)
}

/// `P_n(x)` and `P_n'(x)` by the three-term recurrence.
fn legendre(n: usize, x: f64) -> (f64, f64) {
    if n == 0 {
        return (1.0, 0.0);
    }
    let (mut previous, mut current) = (1.0, x);
    for k in 2..=n {
        let k = k as f64;
        let next = ((2.0 * k - 1.0) * x * current - (k - 1.0) * previous) / k;
        previous = current;
        current = next;
    }
    (current, n as f64 * (x * current - previous) / (x * x - 1.0))
}

/// `cos(angle)` for `angle` in [0, π] by its Taylor series: a starting point for Newton.
fn cosine(angle: f64) -> f64 {
    let square = angle * angle;
    let mut term = 1.0;
    let mut total = 1.0;
    for k in 1..40 {
        term *= -square / ((2 * k - 1) as f64 * (2 * k) as f64);
        total += term;
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gauss_legendre_integrates_polynomials_below_twice_its_points_exactly() {
        for n_points in 1..=40 {
            let (points, weights) = gauss_legendre(n_points);
            assert!(points.iter().all(|&t| t > 0.0 && t < 1.0), "{n_points}: {points:?}");
            for degree in 0..2 * n_points {
                let integral: f64 = points.iter().zip(&weights).map(|(&t, &w)| w * t.powi(degree as i32)).sum();
                let exact = 1.0 / (degree + 1) as f64;
                assert!((integral - exact).abs() < 1e-14, "{n_points} points, degree {degree}: {integral} vs {exact}");
            }
        }
    }

    #[test]
    fn points_come_in_padded_groups() {
        for (max_unique_features, lanes, n_groups) in
            [(0, 2, 1), (4, 2, 1), (5, 4, 1), (10, 6, 1), (16, 8, 1), (17, 8, 2)]
        {
            let quadrature = Quadrature::for_unique_features(max_unique_features);
            assert_eq!(quadrature.lanes, lanes, "{max_unique_features}");
            assert_eq!(quadrature.points.len(), lanes * n_groups, "{max_unique_features}");
            assert!((quadrature.weights.iter().sum::<f64>() - 1.0).abs() < 1e-15);
        }
    }
}
