//! The in-memory claims table: named columns, numeric (f64, NaN = missing) or categorical.
//!
//! Categorical columns are interned: each distinct text is stored once and rows hold a
//! `u32` code, so a million claims with a handful of provider types stay small.

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// The code of a missing categorical value.
pub const MISSING_CODE: u32 = u32::MAX;

/// One column of values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ColumnData {
    /// Numbers; `NaN` is missing.
    Numeric {
        /// The numbers.
        values: Vec<f64>,
    },
    /// Interned text: `levels[code]` is the value; `MISSING_CODE` is missing.
    Categorical {
        /// The distinct texts, in code order.
        levels: Vec<String>,
        /// One code per row.
        codes: Vec<u32>,
    },
}

impl ColumnData {
    /// Number of rows in this column.
    pub fn len(&self) -> usize {
        match self {
            ColumnData::Numeric { values } => values.len(),
            ColumnData::Categorical { codes, .. } => codes.len(),
        }
    }

    /// Whether the column has no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The value at `row_idx` as display text; empty for missing.
    pub fn display(&self, row_idx: usize) -> String {
        match self {
            ColumnData::Numeric { values } => values.get(row_idx).map_or(String::new(), |v| format_number(*v)),
            ColumnData::Categorical { levels, codes } => {
                codes.get(row_idx).and_then(|&code| levels.get(code as usize)).cloned().unwrap_or_default()
            }
        }
    }
}

/// A named column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Column {
    /// The header, as it appears in files and the UI.
    pub name: String,
    /// The values.
    pub data: ColumnData,
}

/// A table of claims: equally long, uniquely named columns.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ClaimsTable {
    n_rows: usize,
    columns: Vec<Column>,
}

/// Why a column could not be added to a table.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TableError {
    /// The column's length differs from the table's.
    #[error("column '{name}' has {actual} rows, but the table has {expected}")]
    LengthMismatch {
        /// The column name.
        name: String,
        /// The length or count required.
        expected: usize,
        /// The length or count found.
        actual: usize,
    },
    /// A column of that name exists already.
    #[error("the table already has a column named '{name}'")]
    DuplicateName {
        /// The column name.
        name: String,
    },
}

impl ClaimsTable {
    /// An empty table with no columns.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a column; the first column fixes the row count.
    pub fn push_column(&mut self, name: impl Into<String>, data: ColumnData) -> Result<(), TableError> {
        let name = name.into();
        if self.column(&name).is_some() {
            return Err(TableError::DuplicateName { name });
        }
        if !self.columns.is_empty() && data.len() != self.n_rows {
            return Err(TableError::LengthMismatch { name, expected: self.n_rows, actual: data.len() });
        }
        self.n_rows = data.len();
        self.columns.push(Column { name, data });
        Ok(())
    }

    /// Number of rows.
    pub fn n_rows(&self) -> usize {
        self.n_rows
    }

    /// All columns, in order.
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    /// The column called `name`, if any.
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// Column names, in order.
    pub fn column_names(&self) -> Vec<String> {
        self.columns.iter().map(|c| c.name.clone()).collect()
    }
}

/// Interns text values into a categorical column, in order of first appearance.
#[derive(Debug, Default)]
pub struct CategoricalBuilder {
    levels: Vec<String>,
    index: std::collections::HashMap<String, u32>,
    codes: Vec<u32>,
}

impl CategoricalBuilder {
    /// A builder whose first levels are `levels`, in that order (handy for fixed vocabularies).
    pub fn with_levels(levels: &[&str]) -> Self {
        let mut builder = Self::default();
        for level in levels {
            builder.intern(level);
        }
        builder
    }

    /// Appends one value; `None` is missing.
    pub fn push(&mut self, value: Option<&str>) {
        let code = value.map_or(MISSING_CODE, |v| self.intern(v));
        self.codes.push(code);
    }

    /// Finishes the column.
    pub fn finish(self) -> ColumnData {
        ColumnData::Categorical { levels: self.levels, codes: self.codes }
    }

    fn intern(&mut self, value: &str) -> u32 {
        if let Some(&code) = self.index.get(value) {
            return code;
        }
        let code = self.levels.len() as u32;
        self.levels.push(value.to_owned());
        self.index.insert(value.to_owned(), code);
        code
    }
}

/// Formats a number without a trailing ".0" for whole values; empty for NaN.
pub fn format_number(value: f64) -> String {
    if value.is_nan() {
        String::new()
    } else if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{}", value as i64)
    } else {
        format!("{value}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_must_agree_and_names_be_unique() {
        let mut table = ClaimsTable::new();
        table.push_column("a", ColumnData::Numeric { values: vec![1.0, 2.5] }).unwrap();
        let err = table.push_column("b", ColumnData::Numeric { values: vec![1.0] }).unwrap_err();
        assert_eq!(err, TableError::LengthMismatch { name: "b".into(), expected: 2, actual: 1 });
        let err = table.push_column("a", ColumnData::Numeric { values: vec![1.0, 2.0] }).unwrap_err();
        assert_eq!(err, TableError::DuplicateName { name: "a".into() });
        assert_eq!(table.column("a").unwrap().data.display(1), "2.5");
        assert_eq!(table.column("a").unwrap().data.display(0), "1");
    }

    #[test]
    fn categorical_builder_interns_in_first_seen_order() {
        let mut builder = CategoricalBuilder::with_levels(&["x"]);
        for v in [Some("y"), Some("x"), None, Some("y")] {
            builder.push(v);
        }
        let data = builder.finish();
        assert_eq!(
            data,
            ColumnData::Categorical { levels: vec!["x".into(), "y".into()], codes: vec![1, 0, MISSING_CODE, 1] }
        );
        assert_eq!(data.display(2), "");
        assert_eq!(data.display(0), "y");
    }
}
