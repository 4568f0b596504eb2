//! Export of a [`ShapEnsemble`] as shap's custom tree-ensemble JSON (`SHAP_TREES.md`).
//!
//! Anyone can load the file into `shap.TreeExplainer` and check ClaimForest's explanations.

use std::collections::BTreeMap;

use serde::Serialize;

use super::ShapEnsemble;

/// The format tag written into every export.
pub const SHAP_EXPORT_FORMAT: &str = "shap-custom-tree-ensemble/v1";

/// What the exported trees' output means (informational for shap).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TreeOutput {
    /// A class probability (random forest).
    Probability,
    /// A raw value, such as an isolation forest's expected path length.
    RawValue,
}

#[derive(Serialize)]
struct ExportTree<'a> {
    children_left: &'a [i32],
    children_right: &'a [i32],
    children_default: &'a [i32],
    features: &'a [i32],
    thresholds: Vec<f64>,
    values: Vec<[f64; 1]>,
    node_sample_weight: &'a [f64],
}

#[derive(Serialize)]
struct ExportFile<'a> {
    format: &'static str,
    n_features: usize,
    feature_names: &'a [String],
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    categories: &'a BTreeMap<String, Vec<String>>,
    base_offset: f64,
    input_dtype: &'static str,
    tree_output: TreeOutput,
    trees: Vec<ExportTree<'a>>,
}

/// Renders `ensemble` as shap tree-ensemble JSON.
///
/// Thresholds are f32 values widened to f64 and `input_dtype` is `float32`, so shap's
/// `x <= threshold` routes every row exactly as ClaimForest does. `categories` maps a
/// categorical feature's name to its values in code order.
pub fn shap_json(
    ensemble: &ShapEnsemble,
    feature_names: &[String],
    categories: &BTreeMap<String, Vec<String>>,
    tree_output: TreeOutput,
) -> String {
    let trees = ensemble
        .trees
        .iter()
        .map(|tree| ExportTree {
            children_left: &tree.children_left,
            children_right: &tree.children_right,
            children_default: &tree.children_default,
            features: &tree.features,
            thresholds: tree.thresholds.iter().map(|&t| f64::from(t)).collect(),
            values: tree.values.iter().map(|&v| [v]).collect(),
            node_sample_weight: &tree.node_sample_weight,
        })
        .collect();
    let file = ExportFile {
        format: SHAP_EXPORT_FORMAT,
        n_features: ensemble.n_features,
        feature_names,
        categories,
        base_offset: ensemble.base_offset,
        input_dtype: "float32",
        tree_output,
        trees,
    };
    // Serialising plain numbers and strings cannot fail; non-finite floats become null.
    serde_json::to_string(&file).unwrap_or_default()
}
