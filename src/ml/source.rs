//! Feature values read a column at a time from wherever they live — a [`FeatureMatrix`], or
//! a view that encodes a table's rows on demand — so a million rows never need to be held
//! as one f32 matrix to be binned, sampled or scored (`FlatForest::predict_source` reads a
//! block of rows at a time).

use std::ops::Range;

use super::{FeatureMatrix, MlError};

/// The rows to read: a range, or chosen rows in the order given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rows<'a> {
    /// Consecutive rows.
    Range(Range<usize>),
    /// These rows, in this order (repeats allowed).
    Chosen(&'a [usize]),
}

impl Rows<'_> {
    /// Every row of a source with `n_rows` rows.
    pub fn all(n_rows: usize) -> Rows<'static> {
        Rows::Range(0..n_rows)
    }

    /// How many rows are read.
    pub fn len(&self) -> usize {
        match self {
            Rows::Range(range) => range.len(),
            Rows::Chosen(rows) => rows.len(),
        }
    }

    /// Whether no row is read.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// An error unless every row is below `n_rows`.
    pub fn check(&self, n_rows: usize) -> Result<(), MlError> {
        let past = match self {
            Rows::Range(range) => (range.end > n_rows).then(|| range.end - 1),
            Rows::Chosen(rows) => rows.iter().copied().find(|&row| row >= n_rows),
        };
        match past {
            Some(row) => Err(MlError::InvalidParameter {
                name: "rows",
                reason: format!("row {row} is past the data's {n_rows} rows"),
            }),
            None => Ok(()),
        }
    }

    /// The row at `position` of this selection (below [`Self::len`]).
    pub fn at(&self, position: usize) -> usize {
        match self {
            Rows::Range(range) => range.start + position,
            Rows::Chosen(rows) => rows[position],
        }
    }

    /// The rows from position `positions.start` to `positions.end` of this selection.
    pub(crate) fn part(&self, positions: Range<usize>) -> Rows<'_> {
        match self {
            Rows::Range(range) => Rows::Range(range.start + positions.start..range.start + positions.end),
            Rows::Chosen(rows) => Rows::Chosen(&rows[positions]),
        }
    }
}

/// Named feature columns that can be read a column at a time.
pub trait FeatureSource {
    /// Number of rows.
    fn n_rows(&self) -> usize;

    /// The feature names, in column order.
    fn feature_names(&self) -> &[String];

    /// Appends feature `feature_idx`'s values at `rows` to `out`. Callers pass rows below
    /// [`Self::n_rows`] and a feature below the name count; use [`read_column`], which also
    /// stores non-finite values as NaN, as a [`FeatureMatrix`] does.
    fn extend_column(&self, feature_idx: usize, rows: &Rows<'_>, out: &mut Vec<f32>);
}

impl FeatureSource for FeatureMatrix {
    fn n_rows(&self) -> usize {
        FeatureMatrix::n_rows(self)
    }

    fn feature_names(&self) -> &[String] {
        FeatureMatrix::feature_names(self)
    }

    fn extend_column(&self, feature_idx: usize, rows: &Rows<'_>, out: &mut Vec<f32>) {
        let column = self.column(feature_idx);
        match rows {
            Rows::Range(range) => out.extend_from_slice(&column[range.clone()]),
            Rows::Chosen(rows) => out.extend(rows.iter().map(|&row| column[row])),
        }
    }
}

/// Replaces `out` with feature `feature_idx`'s values at `rows` (checked by the caller),
/// every non-finite value stored as NaN.
pub fn read_column(source: &dyn FeatureSource, feature_idx: usize, rows: &Rows<'_>, out: &mut Vec<f32>) {
    out.clear();
    source.extend_column(feature_idx, rows, out);
    out.iter_mut().filter(|v| !v.is_finite()).for_each(|v| *v = f32::NAN);
}

impl FeatureMatrix {
    /// The matrix of `source`'s rows `rows`, in that order.
    pub fn from_source(source: &dyn FeatureSource, rows: &Rows<'_>) -> Result<Self, MlError> {
        rows.check(source.n_rows())?;
        let n_features = source.feature_names().len();
        let mut values = Vec::with_capacity(rows.len() * n_features);
        for feature_idx in 0..n_features {
            source.extend_column(feature_idx, rows, &mut values);
        }
        FeatureMatrix::from_column_major(source.feature_names().to_vec(), rows.len(), values)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matrix(n_rows: usize) -> FeatureMatrix {
        let names = vec!["a".to_owned(), "b".to_owned()];
        let a = (0..n_rows).map(|i| i as f32).collect();
        let b = (0..n_rows).map(|i| if i % 7 == 0 { f32::NAN } else { -(i as f32) }).collect();
        FeatureMatrix::from_columns(names, vec![a, b]).unwrap()
    }

    #[test]
    fn a_matrix_read_as_a_source_selects_as_select_rows_does() {
        let m = matrix(50);
        let chosen = [49, 0, 7, 7, 13];
        let from_source = FeatureMatrix::from_source(&m, &Rows::Chosen(&chosen)).unwrap();
        assert_eq!(from_source.column(0), m.select_rows(&chosen).column(0));
        let range = FeatureMatrix::from_source(&m, &Rows::Range(10..20)).unwrap();
        assert_eq!(range.column(0), &m.column(0)[10..20]);
        assert!(FeatureMatrix::from_source(&m, &Rows::Chosen(&[50])).is_err());
        assert!(FeatureMatrix::from_source(&m, &Rows::Range(40..51)).is_err());
    }

    #[test]
    fn read_column_stores_non_finite_values_as_missing() {
        struct Odd(Vec<String>);
        impl FeatureSource for Odd {
            fn n_rows(&self) -> usize {
                3
            }
            fn feature_names(&self) -> &[String] {
                &self.0
            }
            fn extend_column(&self, _: usize, rows: &Rows<'_>, out: &mut Vec<f32>) {
                let values = [1.0, f32::INFINITY, f32::NEG_INFINITY];
                match rows {
                    Rows::Range(range) => out.extend_from_slice(&values[range.clone()]),
                    Rows::Chosen(rows) => out.extend(rows.iter().map(|&r| values[r])),
                }
            }
        }
        let mut out = vec![9.0];
        read_column(&Odd(vec!["x".into()]), 0, &Rows::all(3), &mut out);
        assert_eq!(out[0], 1.0);
        assert!(out[1].is_nan() && out[2].is_nan());
        let m = FeatureMatrix::from_source(&Odd(vec!["x".into()]), &Rows::all(3)).unwrap();
        assert!(m.get(1, 0).is_nan());
    }
}
