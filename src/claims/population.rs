//! One population from a history and a new batch, so derived features of new claims compare
//! against the claims a model learned from, never against the batch alone.
//!
//! Provider volumes, peer means and member gaps are properties of a population. Computed
//! over a batch of 1,000 new claims they describe those 1,000 claims, not the population the
//! model was trained on, and the same claim scores differently alone than in its training
//! file. [`combine`] stacks the history's claims and the batch's into one table; the caller
//! derives features over it and keeps the batch's rows ([`gather_rows`]).
//!
//! A batch claim already in the history (same claim id) takes that claim's place, in the
//! history's order, so a batch cut from the training file gets exactly the features it had
//! there; the others follow the history. Without a claim id on both sides, every batch row
//! is new.

use thiserror::Error;

use super::schema::names::CLAIM_ID;
use super::table::{CategoricalBuilder, ClaimsTable, Column, ColumnData, TableError, MISSING_DAY};
use crate::hashing::KeyedMap;

/// The history and the batch as one table, and where the batch's claims sit in it.
#[derive(Debug, Clone)]
pub struct Population {
    /// The history's claims with the batch's in place (see the module docs), with the
    /// batch's columns; a column the history lacks is missing on its rows.
    pub table: ClaimsTable,
    /// For each batch row, its row in [`Population::table`].
    pub batch_rows: Vec<usize>,
    /// How many batch rows took the place of a history claim with the same id.
    pub n_matched: usize,
    /// How many history rows there were.
    pub n_history: usize,
}

/// Why a history and a batch cannot form one population.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum PopulationError {
    /// A column holds different kinds of values in the two files.
    #[error("column '{column}' holds {in_batch} in the new claims but {in_history} in the history")]
    KindMismatch {
        /// The batch's header.
        column: String,
        /// What the batch holds ("numbers", "text", "dates").
        in_batch: &'static str,
        /// What the history holds.
        in_history: &'static str,
    },
    /// The table could not be built.
    #[error(transparent)]
    Table(#[from] TableError),
}

/// The history's claims and the batch's as one population (see the module docs).
pub fn combine(history: &ClaimsTable, batch: &ClaimsTable) -> Result<Population, PopulationError> {
    let n_history = history.n_rows();
    let (order, batch_rows, n_matched) = place_batch(history, batch);
    let mut table = ClaimsTable::new();
    for column in batch.columns() {
        let in_history = history.column(&column.name).or_else(|| history.column(column.schema_name()));
        let data = stack(column, in_history, &order)?;
        table.push_aliased_column(column.name.clone(), column.canonical.clone(), data)?;
    }
    Ok(Population { table, batch_rows, n_matched, n_history })
}

/// `column`'s values at `rows`, in that order.
pub fn gather_rows(column: &ColumnData, rows: &[usize]) -> ColumnData {
    match column {
        ColumnData::Numeric { values } => {
            ColumnData::Numeric { values: rows.iter().map(|&row| values.get(row).unwrap_or(f64::NAN)).collect() }
        }
        ColumnData::Date { days } => {
            ColumnData::Date { days: rows.iter().map(|&row| days.get(row).copied().unwrap_or(MISSING_DAY)).collect() }
        }
        ColumnData::Categorical { levels, codes } => {
            let mut builder = CategoricalBuilder::default();
            for &row in rows {
                builder.push(codes.get(row).and_then(|&code| levels.get(code as usize)));
            }
            builder.finish()
        }
    }
}

/// Where each row of the population comes from.
#[derive(Debug, Clone, Copy)]
enum Source {
    History(usize),
    Batch(usize),
}

/// The population's rows in order, each batch row's place in it, and how many batch rows
/// matched a history claim.
fn place_batch(history: &ClaimsTable, batch: &ClaimsTable) -> (Vec<Source>, Vec<usize>, usize) {
    let mut order: Vec<Source> = (0..history.n_rows()).map(Source::History).collect();
    let mut batch_rows = vec![usize::MAX; batch.n_rows()];
    let mut n_matched = 0;
    if let (Some(history_ids), Some(batch_ids)) = (history.column(CLAIM_ID), batch.column(CLAIM_ID)) {
        // Claim lines share an id: the batch's lines of a claim take its history lines in order.
        let mut positions: KeyedMap<String, std::collections::VecDeque<usize>> = KeyedMap::default();
        for row in 0..history.n_rows() {
            if !history_ids.data.is_missing(row) {
                positions.entry(history_ids.data.display(row)).or_default().push_back(row);
            }
        }
        for (batch_row, place) in batch_rows.iter_mut().enumerate() {
            if batch_ids.data.is_missing(batch_row) {
                continue;
            }
            let id = batch_ids.data.display(batch_row);
            if let Some(history_row) = positions.get_mut(&id).and_then(std::collections::VecDeque::pop_front) {
                order[history_row] = Source::Batch(batch_row);
                *place = history_row;
                n_matched += 1;
            }
        }
    }
    for (batch_row, place) in batch_rows.iter_mut().enumerate() {
        if *place == usize::MAX {
            *place = order.len();
            order.push(Source::Batch(batch_row));
        }
    }
    (order, batch_rows, n_matched)
}

fn kind_name(data: &ColumnData) -> &'static str {
    match data {
        ColumnData::Numeric { .. } => "numbers",
        ColumnData::Categorical { .. } => "text",
        ColumnData::Date { .. } => "dates",
    }
}

/// The batch column's values with the history's where `order` says, missing where the
/// history lacks the column.
fn stack(column: &Column, in_history: Option<&Column>, order: &[Source]) -> Result<ColumnData, PopulationError> {
    let batch = &column.data;
    let history = in_history.map(|c| &c.data);
    if let Some(history) = history {
        if std::mem::discriminant(history) != std::mem::discriminant(batch) {
            return Err(PopulationError::KindMismatch {
                column: column.name.clone(),
                in_batch: kind_name(batch),
                in_history: kind_name(history),
            });
        }
    }
    Ok(match batch {
        ColumnData::Numeric { values } => {
            let history_value = |row: usize| history.map_or(f64::NAN, |h| h.number(row));
            let value = |source: &Source| match *source {
                Source::History(row) => history_value(row),
                Source::Batch(row) => values.get(row).unwrap_or(f64::NAN),
            };
            ColumnData::Numeric { values: order.iter().map(value).collect() }
        }
        ColumnData::Date { days } => {
            let day_of = |data: &ColumnData, row: usize| match data {
                ColumnData::Date { days } => days.get(row).copied().unwrap_or(MISSING_DAY),
                _ => MISSING_DAY,
            };
            let value = |source: &Source| match *source {
                Source::History(row) => history.map_or(MISSING_DAY, |h| day_of(h, row)),
                Source::Batch(row) => days.get(row).copied().unwrap_or(MISSING_DAY),
            };
            ColumnData::Date { days: order.iter().map(value).collect() }
        }
        ColumnData::Categorical { levels, codes } => {
            let text_of = |levels: &super::Levels, codes: &[u32], row: usize| {
                codes.get(row).and_then(|&code| levels.get(code as usize)).map(str::to_owned)
            };
            let mut builder = CategoricalBuilder::default();
            for source in order {
                let text = match *source {
                    Source::History(row) => match history {
                        Some(ColumnData::Categorical { levels, codes }) => text_of(levels, codes, row),
                        _ => None,
                    },
                    Source::Batch(row) => text_of(levels, codes, row),
                };
                builder.push(text.as_deref());
            }
            builder.finish()
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claims::Numbers;

    fn table(ids: &[&str], amounts: &[f64]) -> ClaimsTable {
        let mut id_column = CategoricalBuilder::default();
        ids.iter().for_each(|id| id_column.push(Some(id)));
        let mut table = ClaimsTable::new();
        table.push_aliased_column("Claim Number", Some(CLAIM_ID.to_owned()), id_column.finish()).unwrap();
        table.push_column("amount", ColumnData::Numeric { values: Numbers::new(amounts.to_vec()) }).unwrap();
        table
    }

    #[test]
    fn batch_claims_in_the_history_take_their_place_and_new_ones_follow() {
        let history = table(&["C1", "C2", "C2", "C3"], &[1.0, 2.0, 3.0, 4.0]);
        let batch = table(&["C9", "C2", "C2", "C1"], &[90.0, 20.0, 30.0, 10.0]);
        let population = combine(&history, &batch).unwrap();
        assert_eq!(population.batch_rows, vec![4, 1, 2, 0]);
        assert_eq!(population.n_matched, 3);
        let amounts: Vec<f64> = (0..5).map(|row| population.table.columns()[1].data.number(row)).collect();
        assert_eq!(amounts, vec![10.0, 20.0, 30.0, 4.0, 90.0], "the batch's version of a claim wins");
        let ids = gather_rows(&population.table.columns()[0].data, &population.batch_rows);
        assert_eq!((0..4).map(|row| ids.display(row)).collect::<Vec<_>>(), ["C9", "C2", "C2", "C1"]);
    }

    #[test]
    fn a_history_with_other_headers_is_matched_by_canonical_name_and_kinds_must_agree() {
        let mut history = ClaimsTable::new();
        let mut ids = CategoricalBuilder::default();
        ids.push(Some("C1"));
        history.push_aliased_column("CLM_ID", Some(CLAIM_ID.to_owned()), ids.finish()).unwrap();
        history.push_column("amount", ColumnData::Date { days: vec![3] }).unwrap();
        let batch = table(&["C1"], &[5.0]);
        let error = combine(&history, &batch).unwrap_err();
        assert_eq!(error.to_string(), "column 'amount' holds numbers in the new claims but dates in the history");
        history.truncate_columns(1);
        let population = combine(&history, &batch).unwrap();
        assert_eq!((population.n_matched, population.batch_rows.clone()), (1, vec![0]));
        assert!(population.table.columns()[1].data.number(0) == 5.0);
    }

    /// Proptest is a native-only dev-dependency (the wasm tests run in a browser).
    #[cfg(not(target_arch = "wasm32"))]
    mod random {
        use super::*;

        proptest::proptest! {
            /// Any ids on either side (repeated, missing): every batch row lands on its own row of
            /// the population, holding the batch's values, and nothing panics.
            #[test]
            fn every_batch_row_lands_once_with_its_own_values(
                history_ids in proptest::collection::vec(proptest::option::of("[a-c]"), 0..10),
                batch_ids in proptest::collection::vec(proptest::option::of("[a-d]"), 0..10),
            ) {
                let build = |ids: &[Option<String>], offset: f64| {
                    let mut column = CategoricalBuilder::default();
                    ids.iter().for_each(|id| column.push(id.as_deref()));
                    let mut table = ClaimsTable::new();
                    table.push_aliased_column("id", Some(CLAIM_ID.to_owned()), column.finish()).unwrap();
                    let amounts = (0..ids.len()).map(|row| row as f64 + offset).collect();
                    table.push_column("amount", ColumnData::Numeric { values: Numbers::new(amounts) }).unwrap();
                    table
                };
                let (history, batch) = (build(&history_ids, 0.0), build(&batch_ids, 1000.0));
                let population = combine(&history, &batch).unwrap();
                let mut seen = population.batch_rows.clone();
                seen.sort_unstable();
                seen.dedup();
                proptest::prop_assert_eq!(seen.len(), batch_ids.len());
                for (batch_row, &row) in population.batch_rows.iter().enumerate() {
                    proptest::prop_assert_eq!(population.table.columns()[1].data.number(row), batch_row as f64 + 1000.0);
                }
                proptest::prop_assert_eq!(population.table.n_rows(), history_ids.len() + batch_ids.len() - population.n_matched);
            }
        }
    }
}
