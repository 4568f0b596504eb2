//! The per-row walk of exact path-dependent TreeSHAP over one compact tree.
//!
//! On the path to a leaf, every feature is *hot* (the row satisfies all of that feature's splits
//! so far, one fraction 1) or *cold* (it failed one, one fraction 0); `z_j` is the product of the
//! cover ratios of feature `j`'s splits. With `d` distinct features on the path, `H` the hot ones,
//! `C` the cold ones and `P_C = Π_{j∈C} z_j`, Algorithm 2 of Lundberg et al. adds, for a leaf of
//! value `v`,
//!
//! - to a hot feature `i`: `v · P_C · (1 − z_i) · Σ_k w_d(k) · [Π_{j∈H∖i} (z_j + t)]_k`,
//! - to every cold feature: the same amount, `−v · P_C · Σ_k w_d(k) · [Π_{j∈H} (z_j + t)]_k`,
//!
//! where `w_d(k) = k! (d−1−k)! / d!` and `[p]_k` is the coefficient of `t^k`. This is shap's
//! extend/unwind arithmetic rearranged so that only hot features carry a polynomial. The walk
//! keeps `Π_{j∈H} (z_j + t)` in a depth-indexed stack of slots, so a split on an already cold
//! feature costs O(1), and it never adds the shared cold amount feature by feature: each subtree
//! returns the sum of its leaves' cold amounts, which goes to a feature where it turns cold.
//! A subtree that splits only on cold features is worth a leaf holding its mean, so it is not
//! entered.

use super::compact::{cold_bit, CompactNode};

/// Shapley weights `w_d(k) = k! (d−1−k)! / d!` for every path length `d` up to a maximum.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct ShapleyWeights {
    /// `w_d(0..d)` for `d = 1, 2, ...`, one run after another.
    flat: Vec<f64>,
}

impl ShapleyWeights {
    /// The weights for paths with at most `max_unique_features` distinct features.
    pub fn new(max_unique_features: usize) -> Self {
        let mut flat = Vec::with_capacity(max_unique_features * (max_unique_features + 1) / 2);
        for n_unique in 1..=max_unique_features {
            let mut weight = 1.0 / n_unique as f64;
            for n_known in 0..n_unique {
                flat.push(weight);
                if n_known + 1 < n_unique {
                    weight *= (n_known + 1) as f64 / (n_unique - 1 - n_known) as f64;
                }
            }
        }
        Self { flat }
    }

    /// `w_d(0..d)` for `d = n_unique`.
    fn for_unique(&self, n_unique: usize) -> &[f64] {
        let start = n_unique * n_unique.saturating_sub(1) / 2;
        self.flat.get(start..start + n_unique).unwrap_or(&[])
    }
}

/// The buffers one row's walk needs, allocated once and reused for every tree and row.
#[derive(Debug, Clone)]
pub(super) struct Scratch {
    /// The row, one value per feature slot; NaN where missing.
    row: Vec<f32>,
    /// SHAP values per feature slot, summed over trees.
    phi: Vec<f64>,
    /// Each feature's state on the current path.
    feature_states: Vec<FeatureState>,
    /// Stack of slots, each holding the coefficients of `Π_{j∈H} (z_j + t)`, lowest first.
    polynomial: Vec<f64>,
    /// Stack of slots, each holding the hot features (same offsets as `polynomial`).
    hot_features: Vec<HotFeature>,
}

impl Scratch {
    /// Buffers for `n_slots` feature slots and trees no deeper than `max_depth` with at most
    /// `max_unique_features` distinct features on a path.
    pub fn new(n_slots: usize, max_depth: usize, max_unique_features: usize) -> Self {
        let stack_len = (max_depth + 1) * (max_unique_features + 2);
        Self {
            row: vec![f32::NAN; n_slots],
            phi: vec![0.0; n_slots],
            feature_states: vec![FeatureState::Unseen; n_slots],
            polynomial: vec![0.0; stack_len],
            hot_features: vec![HotFeature { feature: 0, zero_fraction: 0.0 }; stack_len],
        }
    }

    /// Starts a row: copies `row` into the slots (NaN past its end and in the last, missing slot)
    /// and clears the SHAP values.
    pub fn start_row(&mut self, row: &[f32]) {
        let n_features = self.row.len().saturating_sub(1);
        for (slot, value) in self.row.iter_mut().enumerate() {
            *value = if slot < n_features { row.get(slot).copied().unwrap_or(f32::NAN) } else { f32::NAN };
        }
        self.phi.fill(0.0);
    }

    /// The SHAP values per feature slot, summed over the trees walked since `start_row`.
    pub fn contributions(&self) -> &[f64] {
        &self.phi
    }

    /// Adds one tree's SHAP values for the current row.
    pub fn add_tree(&mut self, nodes: &[CompactNode], weights: &ShapleyWeights) {
        if let Some(constant) = self.polynomial.first_mut() {
            *constant = 1.0;
        }
        let mut walk = Walk {
            nodes,
            weights,
            row: &self.row,
            phi: &mut self.phi,
            feature_states: &mut self.feature_states,
            polynomial: &mut self.polynomial,
            hot_features: &mut self.hot_features,
        };
        let root = PathState { hot_start: 0, n_hot: 0, n_unique: 0, cold_product: 1.0, cold_features: 0 };
        walk.visit(0, root);
    }
}

/// Where a feature stands on the current path.
#[derive(Debug, Clone, Copy, PartialEq)]
enum FeatureState {
    /// Not split on yet.
    Unseen,
    /// The row satisfied every split on it; the value is the product of their cover ratios.
    Hot(f64),
    /// The row failed one of its splits.
    Cold,
}

/// A hot feature and its product of cover ratios.
#[derive(Debug, Clone, Copy, PartialEq)]
struct HotFeature {
    feature: u32,
    zero_fraction: f64,
}

/// The path from the root to the current node, as the walk needs it.
#[derive(Debug, Clone, Copy)]
struct PathState {
    /// Where this path's slot starts in the polynomial and hot-feature stacks.
    hot_start: usize,
    /// `|H|`.
    n_hot: usize,
    /// `d`, the number of distinct features.
    n_unique: usize,
    /// `P_C`, the product of the cold features' cover ratios.
    cold_product: f64,
    /// The bits of the cold features, to recognise subtrees that split only on them.
    cold_features: u64,
}

impl PathState {
    /// Where a slot derived from this one starts.
    fn next_slot(&self) -> usize {
        self.hot_start + self.n_hot + 1
    }
}

struct Walk<'a> {
    nodes: &'a [CompactNode],
    weights: &'a ShapleyWeights,
    row: &'a [f32],
    phi: &'a mut [f64],
    feature_states: &'a mut [FeatureState],
    polynomial: &'a mut [f64],
    hot_features: &'a mut [HotFeature],
}

impl Walk<'_> {
    /// Adds the hot-feature shares of every leaf below `node_idx` to `phi`, and returns the sum
    /// of their shared cold amounts.
    fn visit(&mut self, node_idx: usize, path: PathState) -> f64 {
        let Some(&node) = self.nodes.get(node_idx) else { return 0.0 };
        if node.is_leaf() || node.subtree_features & !path.cold_features == 0 {
            return self.leaf(node.value, &path);
        }
        let feature = node.feature as usize;
        let Some(&state) = self.feature_states.get(feature) else { return 0.0 };
        let value = self.row.get(feature).copied().unwrap_or(f32::NAN);
        let goes_left = if value.is_nan() { node.missing_goes_left } else { value <= node.threshold };
        let (left, right) = (node_idx + 1, node.right_child as usize);
        let (hot_child, hot_fraction, cold_child, cold_fraction) = if goes_left {
            (left, node.left_fraction, right, node.right_fraction)
        } else {
            (right, node.right_fraction, left, node.left_fraction)
        };
        let turned_cold = PathState { cold_features: path.cold_features | cold_bit(node.feature), ..path };
        match state {
            FeatureState::Cold => {
                self.visit_cold(left, node.left_fraction, path) + self.visit_cold(right, node.right_fraction, path)
            }
            FeatureState::Unseen => {
                let n_unique = path.n_unique + 1;
                self.feature_states[feature] = FeatureState::Hot(hot_fraction);
                let hot_sum = match self.extend(&path, node.feature, hot_fraction) {
                    Some(hot_path) => self.visit(hot_child, PathState { n_unique, ..hot_path }),
                    None => 0.0,
                };
                self.feature_states[feature] = FeatureState::Cold;
                let cold_sum = self.visit_cold(cold_child, cold_fraction, PathState { n_unique, ..turned_cold });
                self.feature_states[feature] = FeatureState::Unseen;
                self.add_phi(feature, cold_sum);
                hot_sum + cold_sum
            }
            FeatureState::Hot(zero_fraction) => {
                let hot_zero_fraction = zero_fraction * hot_fraction;
                self.feature_states[feature] = FeatureState::Hot(hot_zero_fraction);
                let hot_sum = match self.reweigh(&path, node.feature, zero_fraction, hot_zero_fraction) {
                    Some(hot_path) => self.visit(hot_child, hot_path),
                    None => 0.0,
                };
                self.feature_states[feature] = FeatureState::Cold;
                let cold_sum = match self.remove(&turned_cold, node.feature, zero_fraction) {
                    Some(cold_path) => self.visit_cold(cold_child, zero_fraction * cold_fraction, cold_path),
                    None => 0.0,
                };
                self.feature_states[feature] = FeatureState::Hot(zero_fraction);
                self.add_phi(feature, cold_sum);
                hot_sum + cold_sum
            }
        }
    }

    /// Visits a child through which the row's features gain only a cover ratio in `P_C`;
    /// a subtree no weight reaches adds nothing.
    fn visit_cold(&mut self, child_idx: usize, fraction: f64, path: PathState) -> f64 {
        let cold_product = path.cold_product * fraction;
        if cold_product == 0.0 {
            return 0.0;
        }
        self.visit(child_idx, PathState { cold_product, ..path })
    }

    /// A leaf (or a subtree worth one): adds each hot feature's share, returns the cold amount.
    fn leaf(&mut self, value: f64, path: &PathState) -> f64 {
        let scale = value * path.cold_product;
        if scale == 0.0 || path.n_unique == 0 {
            return 0.0;
        }
        let weights = self.weights.for_unique(path.n_unique);
        let hot_end = path.hot_start + path.n_hot;
        let (Some(polynomial), Some(hot_features)) =
            (self.polynomial.get(path.hot_start..=hot_end), self.hot_features.get(path.hot_start..hot_end))
        else {
            return 0.0;
        };
        for hot in hot_features {
            let share =
                scale * (1.0 - hot.zero_fraction) * unwound_weighted_sum(polynomial, hot.zero_fraction, weights);
            if let Some(phi) = self.phi.get_mut(hot.feature as usize) {
                *phi += share;
            }
        }
        if path.n_unique > path.n_hot {
            -scale * polynomial.iter().zip(weights).map(|(coefficient, weight)| coefficient * weight).sum::<f64>()
        } else {
            0.0
        }
    }

    fn add_phi(&mut self, feature: usize, amount: f64) {
        if let Some(phi) = self.phi.get_mut(feature) {
            *phi += amount;
        }
    }

    /// A new slot with `feature` added to `H`: the polynomial times `(zero_fraction + t)`.
    fn extend(&mut self, path: &PathState, feature: u32, zero_fraction: f64) -> Option<PathState> {
        let n_hot = path.n_hot;
        let (parent, child) = split_slots(self.polynomial, path, n_hot + 1, n_hot + 2)?;
        multiply_by_root(parent, zero_fraction, child);
        let (parent, child) = split_slots(self.hot_features, path, n_hot, n_hot + 1)?;
        let (added, copied) = child.split_last_mut()?;
        copied.copy_from_slice(parent);
        *added = HotFeature { feature, zero_fraction };
        Some(PathState { hot_start: path.next_slot(), n_hot: n_hot + 1, ..*path })
    }

    /// A new slot where hot `feature`'s ratio product changes from `old_fraction` to `new_fraction`.
    fn reweigh(&mut self, path: &PathState, feature: u32, old_fraction: f64, new_fraction: f64) -> Option<PathState> {
        let n_hot = path.n_hot;
        let (parent, child) = split_slots(self.polynomial, path, n_hot + 1, n_hot + 1)?;
        let (last, quotient) = child.split_last_mut()?;
        divide_by_root(parent, old_fraction, quotient);
        *last = 0.0;
        multiply_by_root_in_place(child, new_fraction);
        let (parent, child) = split_slots(self.hot_features, path, n_hot, n_hot)?;
        for (to, from) in child.iter_mut().zip(parent) {
            *to = if from.feature == feature { HotFeature { feature, zero_fraction: new_fraction } } else { *from };
        }
        Some(PathState { hot_start: path.next_slot(), ..*path })
    }

    /// A new slot without hot `feature`: the polynomial divided by `(zero_fraction + t)`.
    fn remove(&mut self, path: &PathState, feature: u32, zero_fraction: f64) -> Option<PathState> {
        let n_hot = path.n_hot.checked_sub(1)?;
        let (parent, child) = split_slots(self.polynomial, path, n_hot + 2, n_hot + 1)?;
        divide_by_root(parent, zero_fraction, child);
        let (parent, child) = split_slots(self.hot_features, path, n_hot + 1, n_hot)?;
        for (to, from) in child.iter_mut().zip(parent.iter().filter(|hot| hot.feature != feature)) {
            *to = *from;
        }
        Some(PathState { hot_start: path.next_slot(), n_hot, ..*path })
    }
}

/// The parent's slot (`parent_len` items from `path.hot_start`) and the child's (`child_len`
/// items from `path.next_slot()`), or `None` if the buffer is too short.
fn split_slots<'b, T>(
    buffer: &'b mut [T],
    path: &PathState,
    parent_len: usize,
    child_len: usize,
) -> Option<(&'b [T], &'b mut [T])> {
    let (before, after) = buffer.split_at_mut_checked(path.next_slot())?;
    Some((before.get(path.hot_start..path.hot_start + parent_len)?, after.get_mut(..child_len)?))
}

/// `product = factor · (zero_fraction + t)`, where `product` has one more coefficient.
fn multiply_by_root(factor: &[f64], zero_fraction: f64, product: &mut [f64]) {
    let mut lower = 0.0;
    for (out, &coefficient) in product.iter_mut().zip(factor) {
        *out = zero_fraction * coefficient + lower;
        lower = coefficient;
    }
    if let Some(top) = product.get_mut(factor.len()) {
        *top = lower;
    }
}

/// Multiplies `polynomial` by `(zero_fraction + t)` in place; its top coefficient must be 0.
fn multiply_by_root_in_place(polynomial: &mut [f64], zero_fraction: f64) {
    let mut lower = 0.0;
    for coefficient in polynomial.iter_mut() {
        let original = *coefficient;
        *coefficient = zero_fraction * original + lower;
        lower = original;
    }
}

/// `quotient = dividend / (zero_fraction + t)`, top coefficient first, which is stable for
/// ratios in [0, 1]; `quotient` has one coefficient fewer.
fn divide_by_root(dividend: &[f64], zero_fraction: f64, quotient: &mut [f64]) {
    let mut higher = 0.0;
    for (out, &coefficient) in quotient.iter_mut().rev().zip(dividend.iter().rev()) {
        higher = coefficient - zero_fraction * higher;
        *out = higher;
    }
}

/// `Σ_k weights[k] · [polynomial / (zero_fraction + t)]_k`, without storing the quotient.
fn unwound_weighted_sum(polynomial: &[f64], zero_fraction: f64, weights: &[f64]) -> f64 {
    let n_hot = polynomial.len().saturating_sub(1);
    let mut higher = 0.0;
    let mut total = 0.0;
    for (&coefficient, &weight) in polynomial.iter().skip(1).rev().zip(weights.iter().take(n_hot).rev()) {
        higher = coefficient - zero_fraction * higher;
        total += weight * higher;
    }
    total
}
