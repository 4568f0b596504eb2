//! What-if: a claim's model features as an editable form, and the form back into the
//! feature vector the model scores.

use serde::{Deserialize, Serialize};

use crate::pipeline::ScoringModel;

/// One editable field of the what-if form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WhatIfField {
    /// The feature name.
    pub feature: String,
    /// Numbers are typed; text picks one of `choices`.
    pub kind: WhatIfKind,
    /// The current value as shown in the form ("" when missing).
    pub text: String,
}

/// The kind of a what-if field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum WhatIfKind {
    /// A number input.
    Number,
    /// A select over the levels seen in training.
    Choice {
        /// The levels, in code order.
        choices: Vec<String>,
    },
}

/// A field whose text cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{feature}: '{text}' {reason}")]
pub struct WhatIfError {
    /// The feature.
    pub feature: String,
    /// What was typed.
    pub text: String,
    /// "is not a number" or "is not one of the trained values".
    pub reason: String,
}

/// The form for a claim whose feature vector is `row` (the model's feature order).
pub fn fields_of(model: &ScoringModel, row: &[f32]) -> Vec<WhatIfField> {
    todo!()
}

/// The feature vector of an edited form: numbers parsed (commas allowed; empty = missing),
/// choices looked up. The fields must be the model's, in order.
pub fn vector_of(model: &ScoringModel, fields: &[WhatIfField]) -> Result<Vec<f32>, WhatIfError> {
    todo!()
}
