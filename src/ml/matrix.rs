//! The column-oriented f32 feature matrix every model reads; NaN means missing.

use super::MlError;

/// A dense, column-major matrix of `f32` features, with one name per column.
///
/// Missing values are `NaN`; infinities are stored as `NaN` too, so every present value
/// is finite and can be compared with a JSON-safe threshold. Columns are stored contiguously because both training
/// (binning, histogram building) and explanation walk one feature at a time.
#[derive(Debug, Clone, PartialEq)]
pub struct FeatureMatrix {
    n_rows: usize,
    feature_names: Vec<String>,
    values: Vec<f32>,
}

impl FeatureMatrix {
    /// Builds a matrix from named columns, checking that every column has the same length.
    pub fn from_columns(feature_names: Vec<String>, columns: Vec<Vec<f32>>) -> Result<Self, MlError> {
        if feature_names.len() != columns.len() {
            return Err(MlError::FeatureNameCount { n_names: feature_names.len(), n_columns: columns.len() });
        }
        let n_rows = columns.first().map_or(0, Vec::len);
        for (name, column) in feature_names.iter().zip(&columns) {
            if column.len() != n_rows {
                return Err(MlError::RaggedColumns { column: name.clone(), expected: n_rows, actual: column.len() });
            }
        }
        let values = columns.into_iter().flatten().map(|v| if v.is_finite() { v } else { f32::NAN }).collect();
        Ok(Self { n_rows, feature_names, values })
    }

    /// Builds a matrix from `values` already laid out column by column (`n_rows` per name),
    /// without copying them.
    pub fn from_column_major(feature_names: Vec<String>, n_rows: usize, mut values: Vec<f32>) -> Result<Self, MlError> {
        if n_rows.checked_mul(feature_names.len()) != Some(values.len()) {
            return Err(MlError::FeatureNameCount {
                n_names: feature_names.len(),
                n_columns: values.len().checked_div(n_rows).unwrap_or(0),
            });
        }
        values.iter_mut().filter(|v| !v.is_finite()).for_each(|v| *v = f32::NAN);
        Ok(Self { n_rows, feature_names, values })
    }

    /// Number of rows (samples).
    pub fn n_rows(&self) -> usize {
        self.n_rows
    }

    /// Number of columns (features).
    pub fn n_features(&self) -> usize {
        self.feature_names.len()
    }

    /// The column names, in column order.
    pub fn feature_names(&self) -> &[String] {
        &self.feature_names
    }

    /// All values of feature `feature_idx`, one per row.
    pub fn column(&self, feature_idx: usize) -> &[f32] {
        &self.values[feature_idx * self.n_rows..(feature_idx + 1) * self.n_rows]
    }

    /// The value at (`row_idx`, `feature_idx`).
    pub fn get(&self, row_idx: usize, feature_idx: usize) -> f32 {
        self.values[feature_idx * self.n_rows + row_idx]
    }

    /// Copies row `row_idx` into `out` (cleared first), one value per feature.
    pub fn copy_row_into(&self, row_idx: usize, out: &mut Vec<f32>) {
        out.clear();
        out.extend((0..self.n_features()).map(|feature_idx| self.get(row_idx, feature_idx)));
    }

    /// A new matrix holding only the given rows, in the given order.
    pub fn select_rows(&self, row_indices: &[usize]) -> Self {
        let mut values = Vec::with_capacity(row_indices.len() * self.n_features());
        for feature_idx in 0..self.n_features() {
            let column = self.column(feature_idx);
            values.extend(row_indices.iter().map(|&row_idx| column[row_idx]));
        }
        Self { n_rows: row_indices.len(), feature_names: self.feature_names.clone(), values }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("f{i}")).collect()
    }

    #[test]
    fn columns_and_rows_round_trip() {
        let m = FeatureMatrix::from_columns(names(2), vec![vec![1.0, 2.0, 3.0], vec![4.0, f32::NAN, 6.0]]).unwrap();
        assert_eq!((m.n_rows(), m.n_features()), (3, 2));
        assert_eq!(m.column(0), &[1.0, 2.0, 3.0]);
        assert!(m.get(1, 1).is_nan());
        let mut row = Vec::new();
        m.copy_row_into(2, &mut row);
        assert_eq!(row, vec![3.0, 6.0]);
        let picked = m.select_rows(&[2, 0]);
        assert_eq!(picked.column(1), &[6.0, 4.0]);
    }

    #[test]
    fn ragged_columns_and_wrong_names_are_errors() {
        let ragged = FeatureMatrix::from_columns(names(2), vec![vec![1.0], vec![1.0, 2.0]]);
        assert!(matches!(ragged, Err(MlError::RaggedColumns { expected: 1, actual: 2, .. })));
        let wrong = FeatureMatrix::from_columns(names(1), vec![vec![1.0], vec![2.0]]);
        assert!(matches!(wrong, Err(MlError::FeatureNameCount { n_names: 1, n_columns: 2 })));
    }

    #[test]
    fn column_major_values_make_the_same_matrix() {
        let columns = vec![vec![1.0, f32::INFINITY, 3.0], vec![4.0, f32::NAN, 6.0]];
        let from_columns = FeatureMatrix::from_columns(names(2), columns.clone()).unwrap();
        let flat = FeatureMatrix::from_column_major(names(2), 3, columns.concat()).unwrap();
        assert_eq!(format!("{flat:?}"), format!("{from_columns:?}"), "infinities become missing as well");
        assert!(FeatureMatrix::from_column_major(names(2), 3, vec![1.0; 5]).is_err());
        assert!(FeatureMatrix::from_column_major(names(2), 0, Vec::new()).is_ok());
    }
}
