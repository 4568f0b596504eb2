//! The machine-learning core: matrices, binning, trees, forests and metrics.
//!
//! `ml` knows feature matrices and feature names, never claims; it has no web
//! dependencies and builds and tests natively.

pub mod binning;
pub mod bytes;
pub mod error;
pub mod flat;
pub mod forest_job;
pub mod isolation_forest;
pub mod matrix;
pub mod metrics;
pub mod random_forest;
pub mod shap;
pub mod source;
pub mod split;
pub mod tree;
pub mod tree_path;
pub mod tree_shape;

pub use crate::rng::SeededRng;
pub use error::MlError;
pub use isolation_forest::{IsolationForest, IsolationForestParams};
pub use matrix::FeatureMatrix;
pub use random_forest::{ClassWeight, FitProgress, ForestParams, RandomForest};
pub use source::{FeatureSource, Rows};
pub use tree::{MaxFeatures, SplitCriterion, TreeParams};
