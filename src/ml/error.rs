//! The typed errors of the `ml` layer: bad shapes, bad parameters, cancelled fits.

use thiserror::Error;

/// Everything that can go wrong when building data for, fitting or applying a model.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum MlError {
    /// Columns of a matrix have different lengths.
    #[error("column '{column}' has {actual} rows, but the matrix has {expected}")]
    RaggedColumns {
        /// The column name.
        column: String,
        /// The length or count required.
        expected: usize,
        /// The length or count found.
        actual: usize,
    },
    /// The feature names do not match the number of columns.
    #[error("{n_names} feature names were given for {n_columns} columns")]
    FeatureNameCount {
        /// Names given.
        n_names: usize,
        /// Columns given.
        n_columns: usize,
    },
    /// There is nothing to learn from.
    #[error("cannot fit a model on {n_rows} rows and {n_columns} features")]
    EmptyData {
        /// Rows given.
        n_rows: usize,
        /// Columns given.
        n_columns: usize,
    },
    /// Labels and rows disagree in number.
    #[error("{n_labels} labels were given for {n_rows} rows")]
    LabelCount {
        /// Labels given.
        n_labels: usize,
        /// Rows given.
        n_rows: usize,
    },
    /// A classifier needs at least two classes in its training labels.
    #[error("the training labels contain only one class ({class}); a classifier needs at least two")]
    SingleClass {
        /// The only class present.
        class: u32,
    },
    /// A parameter is out of its valid range.
    #[error("invalid parameter {name}: {reason}")]
    InvalidParameter {
        /// The column name.
        name: &'static str,
        /// Why it is invalid.
        reason: String,
    },
    /// Rows to score have a different number of features than the model.
    #[error("the model reads {expected} features, but the input has {actual}")]
    FeatureCount {
        /// The length or count required.
        expected: usize,
        /// The length or count found.
        actual: usize,
    },
    /// Work passed between workers is damaged or of another version.
    #[error("the {what} could not be read: {reason}")]
    BadBytes {
        /// What the bytes hold.
        what: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// The caller asked the fit to stop.
    #[error("training was cancelled after {n_trees_done} trees")]
    Cancelled {
        /// Trees finished before the stop.
        n_trees_done: usize,
    },
}
