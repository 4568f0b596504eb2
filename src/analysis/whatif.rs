//! What-if: a claim's model features as an editable form, and the form back into the
//! feature vector the model scores.

use serde::{Deserialize, Serialize};

use crate::pipeline::{FeatureEncoding, ScoringModel};

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

/// The form for a claim whose feature vector is `row` (the model's feature order). A shorter
/// `row` reads its missing tail as missing. Numbers are shown as the shortest text that reads
/// back as the same f32, so an unedited form gives back the same vector.
pub fn fields_of(model: &ScoringModel, row: &[f32]) -> Vec<WhatIfField> {
    model
        .encoder()
        .features()
        .iter()
        .enumerate()
        .map(|(feature_idx, encoding)| {
            let value = row.get(feature_idx).copied().filter(|value| value.is_finite());
            match encoding {
                FeatureEncoding::Numeric { name } => WhatIfField {
                    feature: name.clone(),
                    kind: WhatIfKind::Number,
                    text: value.map(|value| format!("{value}")).unwrap_or_default(),
                },
                FeatureEncoding::Categorical { name, levels } => WhatIfField {
                    feature: name.clone(),
                    kind: WhatIfKind::Choice { choices: levels.clone() },
                    text: value.and_then(|code| level_of(levels, code)).cloned().unwrap_or_default(),
                },
            }
        })
        .collect()
}

/// The feature vector of an edited form: numbers parsed (commas allowed; empty = missing),
/// choices looked up. The fields must be the model's, in order.
///
/// Each field is read as the model encodes its feature, whatever its `kind` says. A choice
/// matches a level exactly (after trimming), else ignoring case; empty is missing. A field
/// that is missing, misnamed or extra is an error ("is not in the form", "is not a feature
/// of the model"), as is a number that is not finite.
pub fn vector_of(model: &ScoringModel, fields: &[WhatIfField]) -> Result<Vec<f32>, WhatIfError> {
    let encodings = model.encoder().features();
    if let Some(extra) = fields.get(encodings.len()) {
        return Err(error(&extra.feature, &extra.text, "is not a feature of the model"));
    }
    encodings
        .iter()
        .enumerate()
        .map(|(feature_idx, encoding)| {
            let field = fields
                .get(feature_idx)
                .filter(|field| field.feature == encoding.name())
                .ok_or_else(|| error(encoding.name(), "", "is not in the form"))?;
            let text = field.text.trim();
            if text.is_empty() {
                return Ok(f32::NAN);
            }
            match encoding {
                FeatureEncoding::Numeric { .. } => {
                    let cleaned: String = text.chars().filter(|&ch| ch != ',').collect();
                    match cleaned.parse::<f32>() {
                        Ok(value) if value.is_finite() => Ok(value),
                        _ => Err(error(&field.feature, &field.text, "is not a number")),
                    }
                }
                FeatureEncoding::Categorical { levels, .. } => levels
                    .iter()
                    .position(|level| level.trim() == text)
                    .or_else(|| levels.iter().position(|level| level.trim().eq_ignore_ascii_case(text)))
                    .map(|code| code as f32)
                    .ok_or_else(|| error(&field.feature, &field.text, "is not one of the trained values")),
            }
        })
        .collect()
}

/// The level of a code, if the code is a whole number naming one.
fn level_of(levels: &[String], code: f32) -> Option<&String> {
    if code < 0.0 || code.fract() != 0.0 {
        return None;
    }
    levels.get(code as usize)
}

fn error(feature: &str, text: &str, reason: &str) -> WhatIfError {
    WhatIfError { feature: feature.to_owned(), text: text.to_owned(), reason: reason.to_owned() }
}

#[cfg(test)]
mod tests {
    use std::ops::ControlFlow;

    use super::*;
    use crate::claims::synth::generate_denial;
    use crate::pipeline::{train_model, TrainRequest};

    fn model() -> ScoringModel {
        let table = generate_denial(200, 2).unwrap();
        let mut request = TrainRequest::default();
        request.forest.n_trees = 2;
        request.feature_columns = vec!["age".into(), "service_code".into(), "has_pre_auth".into()];
        train_model(&table, &request, &mut |_| ControlFlow::Continue(())).unwrap().0
    }

    fn service_levels(model: &ScoringModel) -> Vec<String> {
        match &model.encoder().features()[1] {
            FeatureEncoding::Categorical { levels, .. } => levels.clone(),
            FeatureEncoding::Numeric { .. } => panic!("service is text"),
        }
    }

    #[test]
    fn a_claim_becomes_a_form_and_back() {
        let model = model();
        let levels = service_levels(&model);
        let fields = fields_of(&model, &[67.5, 1.0, f32::NAN]);
        assert_eq!(fields.len(), 3);
        assert_eq!(
            (fields[0].feature.as_str(), &fields[0].kind, fields[0].text.as_str()),
            ("age", &WhatIfKind::Number, "67.5")
        );
        assert_eq!(fields[1].kind, WhatIfKind::Choice { choices: levels.clone() });
        assert_eq!(fields[1].text, levels[1]);
        assert_eq!(fields[2].text, "", "missing values are empty");
        let vector = vector_of(&model, &fields).unwrap();
        assert_eq!(vector[..2], [67.5, 1.0]);
        assert!(vector[2].is_nan());
    }

    #[test]
    fn unedited_forms_give_back_the_same_bits() {
        let model = model();
        for value in [0.1f32, 1.0 / 3.0, 123_456.79, -0.000_123, 1e20] {
            let vector = vector_of(&model, &fields_of(&model, &[value, 0.0, 1.0])).unwrap();
            assert_eq!(vector[0].to_bits(), value.to_bits(), "{value}");
        }
    }

    #[test]
    fn edited_text_is_parsed_or_refused_with_a_sentence() {
        let model = model();
        let levels = service_levels(&model);
        let mut fields = fields_of(&model, &[30.0, 0.0, 1.0]);
        fields[0].text = " 1,234.5 ".into();
        fields[1].text = levels[2].to_ascii_uppercase();
        assert_eq!(vector_of(&model, &fields).unwrap(), [1234.5, 2.0, 1.0]);

        fields[0].text = "old".into();
        let error = vector_of(&model, &fields).unwrap_err();
        assert_eq!(error.to_string(), "age: 'old' is not a number");
        fields[0].text = "inf".into();
        assert!(vector_of(&model, &fields).is_err());
        fields[0].text = "40".into();
        fields[1].text = "Brain Surgery".into();
        let error = vector_of(&model, &fields).unwrap_err();
        assert_eq!(error.to_string(), "service_code: 'Brain Surgery' is not one of the trained values");
    }

    #[test]
    fn forms_that_do_not_fit_the_model_are_refused() {
        let model = model();
        let fields = fields_of(&model, &[30.0]);
        assert_eq!(fields[1].text, "", "a short row is missing at the end");
        assert!(vector_of(&model, &fields[..2]).unwrap_err().to_string().contains("has_pre_auth"));
        let mut swapped = fields.clone();
        swapped.swap(0, 2);
        assert!(vector_of(&model, &swapped).is_err());
        let mut extra = fields.clone();
        extra.push(WhatIfField { feature: "zip".into(), kind: WhatIfKind::Number, text: "1".into() });
        assert_eq!(vector_of(&model, &extra).unwrap_err().reason, "is not a feature of the model");
        assert_eq!(fields_of(&model, &[0.0, 99.0])[1].text, "", "an unknown code shows as missing");
    }
}
