//! Turning table columns into the f32 matrix a model reads, and the label into classes.
//!
//! Numeric columns pass through as f32 (NaN stays missing). Categorical columns become
//! their level's code (0, 1, 2, ... in the order the levels were first seen in training);
//! a level the encoder has never seen is encoded as missing, so scoring new data never
//! fails on a new category.

use serde::{Deserialize, Serialize};

use super::PipelineError;
use crate::claims::table::{ClaimsTable, ColumnData, MISSING_CODE};
use crate::ml::FeatureMatrix;

/// How one feature column is encoded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FeatureEncoding {
    /// Numbers as they are.
    Numeric {
        /// The column name.
        name: String,
    },
    /// Levels to codes; `levels[code]` is the text.
    Categorical {
        /// The column name.
        name: String,
        /// The distinct texts, in code order.
        levels: Vec<String>,
    },
}

impl FeatureEncoding {
    /// The column name.
    pub fn name(&self) -> &str {
        match self {
            FeatureEncoding::Numeric { name } | FeatureEncoding::Categorical { name, .. } => name,
        }
    }

    /// The feature value as a reader would say it, e.g. "Knee Surgery" for code 1.
    pub fn describe_value(&self, value: f32) -> String {
        if value.is_nan() {
            return "missing".into();
        }
        match self {
            // The shortest text that reads back as this f32 ("12.3", not "12.300000190734863").
            FeatureEncoding::Numeric { .. } => format!("{value}"),
            FeatureEncoding::Categorical { levels, .. } => {
                levels.get(value as usize).cloned().unwrap_or_else(|| "unknown".into())
            }
        }
    }
}

/// The encodings of all features of a model, in matrix column order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureEncoder {
    features: Vec<FeatureEncoding>,
}

impl FeatureEncoder {
    /// Learns encodings for `feature_columns` of `table`.
    pub fn fit(table: &ClaimsTable, feature_columns: &[String]) -> Result<Self, PipelineError> {
        let features = feature_columns
            .iter()
            .map(|name| {
                let column = table.column(name).ok_or_else(|| PipelineError::MissingColumn { name: name.clone() })?;
                Ok(match &column.data {
                    ColumnData::Numeric { .. } | ColumnData::Date { .. } => {
                        FeatureEncoding::Numeric { name: name.clone() }
                    }
                    ColumnData::Categorical { levels, .. } => {
                        FeatureEncoding::Categorical { name: name.clone(), levels: levels.clone() }
                    }
                })
            })
            .collect::<Result<_, PipelineError>>()?;
        Ok(Self { features })
    }

    /// The encodings, in column order.
    pub fn features(&self) -> &[FeatureEncoding] {
        &self.features
    }

    /// Encodes every row of `table` into a feature matrix.
    pub fn encode(&self, table: &ClaimsTable) -> Result<FeatureMatrix, PipelineError> {
        let names = self.features.iter().map(|f| f.name().to_owned()).collect();
        let columns = self
            .features
            .iter()
            .map(|feature| {
                let column = table
                    .column(feature.name())
                    .ok_or_else(|| PipelineError::MissingColumn { name: feature.name().to_owned() })?;
                Ok(encode_column(feature, &column.data))
            })
            .collect::<Result<_, PipelineError>>()?;
        Ok(FeatureMatrix::from_columns(names, columns)?)
    }
}

fn encode_column(feature: &FeatureEncoding, data: &ColumnData) -> Vec<f32> {
    match (feature, data) {
        (_, ColumnData::Numeric { values }) => values.iter().map(|&v| v as f32).collect(),
        (_, ColumnData::Date { days }) => (0..days.len()).map(|row_idx| data.number(row_idx) as f32).collect(),
        (FeatureEncoding::Categorical { levels: known, .. }, ColumnData::Categorical { levels, codes }) => {
            // Map this table's codes onto the encoder's levels by text.
            let remap: Vec<f32> = levels
                .iter()
                .map(|level| known.iter().position(|k| k == level).map_or(f32::NAN, |code| code as f32))
                .collect();
            codes
                .iter()
                .map(|&code| {
                    if code == MISSING_CODE {
                        f32::NAN
                    } else {
                        remap.get(code as usize).copied().unwrap_or(f32::NAN)
                    }
                })
                .collect()
        }
        (FeatureEncoding::Numeric { .. }, ColumnData::Categorical { levels, codes }) => codes
            .iter()
            .map(|&code| levels.get(code as usize).and_then(|text| text.trim().parse::<f32>().ok()).unwrap_or(f32::NAN))
            .collect(),
    }
}

/// Reads a binary label column: class 1 for the positive value, 0 otherwise.
///
/// Numeric labels: any non-zero number is positive. Text labels: `positive` if given,
/// else the usual spellings of "yes" (1, y, yes, true, t, denied, fraud). A missing label
/// is an error naming its row (1-based, as a spreadsheet shows it).
pub fn binary_labels(
    table: &ClaimsTable,
    label_column: &str,
    positive: Option<&str>,
) -> Result<Vec<u32>, PipelineError> {
    let column =
        table.column(label_column).ok_or_else(|| PipelineError::MissingColumn { name: label_column.to_owned() })?;
    let missing_at = |row_idx: usize| PipelineError::MissingLabel { column: label_column.to_owned(), row: row_idx + 1 };
    match &column.data {
        ColumnData::Numeric { values } => values
            .iter()
            .enumerate()
            .map(|(row_idx, &v)| if v.is_nan() { Err(missing_at(row_idx)) } else { Ok(u32::from(v != 0.0)) })
            .collect(),
        ColumnData::Date { .. } => Err(PipelineError::DateLabel { column: label_column.to_owned() }),
        ColumnData::Categorical { levels, codes } => {
            let is_positive: Vec<bool> = levels.iter().map(|level| is_positive_text(level, positive)).collect();
            codes
                .iter()
                .enumerate()
                .map(|(row_idx, &code)| {
                    is_positive.get(code as usize).map(|&p| u32::from(p)).ok_or_else(|| missing_at(row_idx))
                })
                .collect()
        }
    }
}

fn is_positive_text(text: &str, positive: Option<&str>) -> bool {
    let text = text.trim();
    match positive {
        Some(positive) => text.eq_ignore_ascii_case(positive.trim()),
        None => matches!(text.to_ascii_lowercase().as_str(), "1" | "y" | "yes" | "true" | "t" | "denied" | "fraud"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claims::table::CategoricalBuilder;

    fn table(service: &[Option<&str>], label: Vec<f64>) -> ClaimsTable {
        let mut builder = CategoricalBuilder::default();
        service.iter().for_each(|s| builder.push(*s));
        let mut table = ClaimsTable::new();
        table.push_column("service", builder.finish()).unwrap();
        table.push_column("label", ColumnData::Numeric { values: label }).unwrap();
        table
    }

    #[test]
    fn unseen_and_missing_categories_become_missing() {
        let train = table(&[Some("Office"), Some("Knee")], vec![0.0, 1.0]);
        let encoder = FeatureEncoder::fit(&train, &["service".into()]).unwrap();
        let new = table(&[Some("Knee"), Some("Heart"), None], vec![0.0, 0.0, 0.0]);
        let matrix = encoder.encode(&new).unwrap();
        assert_eq!(matrix.get(0, 0), 1.0);
        assert!(matrix.get(1, 0).is_nan() && matrix.get(2, 0).is_nan());
        assert_eq!(encoder.features()[0].describe_value(1.0), "Knee");
    }

    #[test]
    fn labels_from_numbers_and_text() {
        let t = table(&[Some("Y"), Some("no")], vec![2.0, 0.0]);
        assert_eq!(binary_labels(&t, "label", None).unwrap(), vec![1, 0]);
        assert_eq!(binary_labels(&t, "service", None).unwrap(), vec![1, 0]);
        assert_eq!(binary_labels(&t, "service", Some("no")).unwrap(), vec![0, 1]);
        let missing = table(&[Some("a"), None], vec![1.0, f64::NAN]);
        assert_eq!(
            binary_labels(&missing, "label", None),
            Err(PipelineError::MissingLabel { column: "label".into(), row: 2 })
        );
        assert!(matches!(binary_labels(&missing, "nope", None), Err(PipelineError::MissingColumn { .. })));
    }
}
