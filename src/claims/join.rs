//! Files that belong together: an entity file (a provider list with its `PotentialFraud`
//! label, a beneficiary file with demographics) left-joined onto the claims by a shared key.
//!
//! The key is the column named on the command line, or else the one column both files
//! share: the same header, or headers that map to the same canonical column (the claims'
//! `Provider` and the list's `PRVDR_NUM` both answer to `provider_id`). A key value that
//! repeats in the entity file would join one claim to several entities, so it is refused
//! with the value and both rows named. Claims whose key the entity file lacks keep missing
//! values in the joined columns and are counted.

use thiserror::Error;

use super::population::gather_rows;
use super::schema::{known_role, ColumnRole};
use super::table::{ClaimsTable, Column, TableError};
use crate::hashing::{KeyedMap, KeyedSet};

/// What a join did, for the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JoinReport {
    /// The entity file.
    pub file: String,
    /// The key's header in the claims.
    pub claims_key: String,
    /// The key's header in the entity file.
    pub entity_key: String,
    /// Rows in the entity file.
    pub n_entity_rows: usize,
    /// Claims that found their entity.
    pub n_matched: usize,
    /// Claims whose key is missing or not in the entity file.
    pub n_unmatched: usize,
    /// Distinct key values of the claims that the entity file lacks.
    pub n_unmatched_keys: usize,
    /// The columns added to the claims, as named there.
    pub added: Vec<String>,
}

impl JoinReport {
    /// One line for the user: what was joined by what, and what did not match.
    pub fn describe(&self) -> String {
        let key = if self.claims_key == self.entity_key {
            format!("'{}'", self.claims_key)
        } else {
            format!("'{}' = '{}'", self.claims_key, self.entity_key)
        };
        format!(
            "{}: joined by {key}, {} columns added ({}); {} claims matched, {} did not ({} key values not in the file)",
            self.file,
            self.added.len(),
            self.added.join(", "),
            self.n_matched,
            self.n_unmatched,
            self.n_unmatched_keys
        )
    }
}

/// Why a join was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum JoinError {
    /// No key was named and the files share none.
    #[error("{file}: no column is shared with the claims (same header or same canonical column); name the key with --join {file}:KEY")]
    NoSharedKey {
        /// The entity file.
        file: String,
    },
    /// Several keys are shared and none is an entity identifier.
    #[error("{file}: the claims share several columns with it ({candidates}); name the key with --join {file}:KEY")]
    AmbiguousKey {
        /// The entity file.
        file: String,
        /// The shared headers.
        candidates: String,
    },
    /// The named key is missing from one side.
    #[error("{file}: the key '{key}' is not a column of the {side}")]
    KeyNotFound {
        /// The entity file.
        file: String,
        /// The key as named.
        key: String,
        /// "claims" or "entity file".
        side: &'static str,
    },
    /// A key value repeats in the entity file.
    #[error("{file}: the key '{key}' repeats the value '{value}' (rows {first} and {second}), so a claim would join two entities")]
    DuplicateKey {
        /// The entity file.
        file: String,
        /// The entity file's key header.
        key: String,
        /// The repeated value.
        value: String,
        /// The 1-based data row of its first appearance.
        first: usize,
        /// The 1-based data row of the repeat.
        second: usize,
    },
    /// The joined table would hold more cells than the reading budget allows.
    #[error("{file}: joining it would give {cells} cells ({rows} claims × {columns} columns), over the budget of {limit}; join fewer columns or raise --max-cells")]
    OverBudget {
        /// The entity file.
        file: String,
        /// Cells the joined table would hold.
        cells: u64,
        /// Claims.
        rows: usize,
        /// Columns after the join.
        columns: usize,
        /// The budget.
        limit: u64,
    },
    /// The joined table could not be built.
    #[error("{file}: {source}")]
    Table {
        /// The entity file.
        file: String,
        /// Why.
        source: TableError,
    },
}

/// Joins `entity`'s columns (all but its key) onto `claims` by the key: `key` names it
/// (a header or canonical name present in both files, or `CLAIMS_KEY=ENTITY_KEY`), or else
/// the one shared column is used. A joined header that the claims already have is suffixed
/// with the entity file's stem (`Gender_beneficiaries`). A join that would give the table
/// more than `max_cells` cells is refused before anything is copied: each entity column
/// becomes a column as long as the claims. On any error `claims` is as it was.
pub fn left_join(
    claims: &mut ClaimsTable,
    entity: &ClaimsTable,
    file: &str,
    key: Option<&str>,
    max_cells: u64,
) -> Result<JoinReport, JoinError> {
    let (claims_key, entity_key) = match key {
        Some(key) => named_key(claims, entity, file, key)?,
        None => shared_key(claims, entity, file)?,
    };
    let columns = claims.columns().len() + entity.columns().len().saturating_sub(1);
    let cells = (claims.n_rows() as u64).saturating_mul(columns as u64);
    if cells > max_cells {
        return Err(JoinError::OverBudget {
            file: file.to_owned(),
            cells,
            rows: claims.n_rows(),
            columns,
            limit: max_cells,
        });
    }
    let entity_rows = entity_index(entity, entity_key, file)?;
    let claims_keys = &claims.columns()[claims_key].data;
    let mut rows = Vec::with_capacity(claims.n_rows());
    let mut unmatched_keys: KeyedSet<String> = KeyedSet::default();
    let mut n_unmatched = 0;
    for row in 0..claims.n_rows() {
        let found = (!claims_keys.is_missing(row)).then(|| claims_keys.display(row)).and_then(|value| {
            let found = entity_rows.get(&value).copied();
            if found.is_none() {
                unmatched_keys.insert(value);
            }
            found
        });
        n_unmatched += usize::from(found.is_none());
        rows.push(found.unwrap_or(usize::MAX));
    }
    let stem = file_stem(file);
    let n_columns_before = claims.columns().len();
    let mut added = Vec::new();
    let claims_key_name = claims.columns()[claims_key].name.clone();
    for (idx, column) in entity.columns().iter().enumerate() {
        if idx == entity_key {
            continue;
        }
        let name = free_name(claims, &column.name, &stem);
        let data = gather_rows(&column.data, &rows);
        if let Err(source) = claims.push_aliased_column(name.clone(), column.canonical.clone(), data) {
            claims.truncate_columns(n_columns_before);
            return Err(JoinError::Table { file: file.to_owned(), source });
        }
        added.push(name);
    }
    let report = JoinReport {
        file: file.to_owned(),
        claims_key: claims_key_name,
        entity_key: entity.columns()[entity_key].name.clone(),
        n_entity_rows: entity.n_rows(),
        n_matched: rows.len() - n_unmatched,
        n_unmatched,
        n_unmatched_keys: unmatched_keys.len(),
        added,
    };
    Ok(report)
}

/// The positions of the key named `key` (or `CLAIMS_KEY=ENTITY_KEY`) in both tables.
fn named_key(claims: &ClaimsTable, entity: &ClaimsTable, file: &str, key: &str) -> Result<(usize, usize), JoinError> {
    let (in_claims, in_entity) = key.split_once('=').unwrap_or((key, key));
    let find = |table: &ClaimsTable, name: &str, side: &'static str| {
        let column = table.column(name.trim()).ok_or_else(|| JoinError::KeyNotFound {
            file: file.to_owned(),
            key: name.trim().to_owned(),
            side,
        })?;
        Ok(position(table, column))
    };
    Ok((find(claims, in_claims, "claims")?, find(entity, in_entity, "entity file")?))
}

/// The one key both tables share: an entity identifier first (member, provider, pharmacy),
/// then any shared column if it is the only one.
fn shared_key(claims: &ClaimsTable, entity: &ClaimsTable, file: &str) -> Result<(usize, usize), JoinError> {
    let mut shared: Vec<(usize, usize)> = Vec::new();
    for (entity_idx, column) in entity.columns().iter().enumerate() {
        let in_claims = claims.columns().iter().position(|c| c.name == column.name).or_else(|| {
            let canonical = column.canonical.as_deref()?;
            claims.columns().iter().position(|c| c.schema_name() == canonical)
        });
        if let Some(claims_idx) = in_claims {
            shared.push((claims_idx, entity_idx));
        }
    }
    let is_entity = |&(_, entity_idx): &(usize, usize)| {
        matches!(known_role(entity.columns()[entity_idx].schema_name()), Some(ColumnRole::Entity))
    };
    let entity_keys: Vec<(usize, usize)> = shared.iter().copied().filter(is_entity).collect();
    match (entity_keys.as_slice(), shared.as_slice()) {
        ([only], _) | ([], [only]) => Ok(*only),
        (_, []) => Err(JoinError::NoSharedKey { file: file.to_owned() }),
        _ => Err(JoinError::AmbiguousKey {
            file: file.to_owned(),
            candidates: shared
                .iter()
                .map(|&(_, entity_idx)| format!("'{}'", entity.columns()[entity_idx].name))
                .collect::<Vec<_>>()
                .join(", "),
        }),
    }
}

/// Each key value's row in the entity file; a repeated value is refused.
fn entity_index(entity: &ClaimsTable, key: usize, file: &str) -> Result<KeyedMap<String, usize>, JoinError> {
    let column = &entity.columns()[key];
    let mut rows: KeyedMap<String, usize> = KeyedMap::default();
    for row in 0..entity.n_rows() {
        if column.data.is_missing(row) {
            continue;
        }
        let value = column.data.display(row);
        if let Some(&first) = rows.get(&value) {
            return Err(JoinError::DuplicateKey {
                file: file.to_owned(),
                key: column.name.clone(),
                value,
                first: first + 1,
                second: row + 1,
            });
        }
        rows.insert(value, row);
    }
    Ok(rows)
}

fn position(table: &ClaimsTable, column: &Column) -> usize {
    table.columns().iter().position(|c| std::ptr::eq(c, column)).unwrap_or(0)
}

/// `name`, or `name_<stem>` (then `_2`, `_3`, ...) if the table has a column of that name.
fn free_name(table: &ClaimsTable, name: &str, stem: &str) -> String {
    let taken = |candidate: &str| table.columns().iter().any(|c| c.name == candidate);
    if !taken(name) {
        return name.to_owned();
    }
    let base = format!("{name}_{stem}");
    std::iter::once(base.clone())
        .chain((2..).map(|n| format!("{base}_{n}")))
        .find(|candidate| !taken(candidate))
        .unwrap_or(base)
}

/// The file's name without folders or extensions (`data/Train_Beneficiary.csv.gz` →
/// `Train_Beneficiary`).
fn file_stem(file: &str) -> String {
    let name = file.rsplit(['/', '\\']).next().unwrap_or(file);
    name.split('.').next().filter(|stem| !stem.is_empty()).unwrap_or("joined").to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claims::table::{CategoricalBuilder, ColumnData};

    fn text(values: &[Option<&str>]) -> ColumnData {
        let mut builder = CategoricalBuilder::default();
        values.iter().for_each(|v| builder.push(*v));
        builder.finish()
    }

    fn claims() -> ClaimsTable {
        let mut table = ClaimsTable::new();
        table
            .push_aliased_column("ClaimID", Some("claim_id".into()), text(&[Some("C1"), Some("C2"), Some("C3"), None]))
            .unwrap();
        let providers = text(&[Some("PRV1"), Some("PRV9"), Some("PRV2"), Some("PRV1")]);
        table.push_aliased_column("Provider", Some("provider_id".into()), providers).unwrap();
        table
    }

    fn providers(ids: &[&str], fraud: &[&str]) -> ClaimsTable {
        let mut table = ClaimsTable::new();
        let ids: Vec<Option<&str>> = ids.iter().map(|id| Some(*id)).collect();
        table.push_aliased_column("PRVDR_NUM", Some("provider_id".into()), text(&ids)).unwrap();
        let fraud: Vec<Option<&str>> = fraud.iter().map(|f| Some(*f)).collect();
        table.push_column("PotentialFraud", text(&fraud)).unwrap();
        table
    }

    #[test]
    fn a_provider_list_joins_by_its_canonical_key_and_unmatched_claims_are_counted() {
        let mut joined = claims();
        let entity = providers(&["PRV1", "PRV2"], &["Yes", "No"]);
        let report = left_join(&mut joined, &entity, "lists/Train.csv", None, u64::MAX).unwrap();
        let fraud = &joined.column("PotentialFraud").unwrap().data;
        assert_eq!((0..4).map(|row| fraud.display(row)).collect::<Vec<_>>(), ["Yes", "", "No", "Yes"]);
        assert_eq!((report.n_matched, report.n_unmatched, report.n_unmatched_keys), (3, 1, 1));
        assert_eq!((report.claims_key.as_str(), report.entity_key.as_str()), ("Provider", "PRVDR_NUM"));
        assert_eq!(
            report.describe(),
            "lists/Train.csv: joined by 'Provider' = 'PRVDR_NUM', 1 columns added (PotentialFraud); 3 claims matched, \
             1 did not (1 key values not in the file)"
        );
    }

    #[test]
    fn a_repeated_key_is_refused_with_its_value_and_rows() {
        let mut table = claims();
        let entity = providers(&["PRV1", "PRV2", "PRV1"], &["Yes", "No", "No"]);
        let error = left_join(&mut table, &entity, "p.csv", None, u64::MAX).unwrap_err();
        assert_eq!(table, claims(), "a refused join leaves the claims as they were");
        assert_eq!(
            error.to_string(),
            "p.csv: the key 'PRVDR_NUM' repeats the value 'PRV1' (rows 1 and 3), so a claim would join two entities"
        );
    }

    #[test]
    fn keys_are_named_or_found_and_clashing_headers_take_the_files_stem() {
        let mut entity = providers(&["PRV1"], &["Yes"]);
        entity.push_column("ClaimID", text(&[Some("C1")])).unwrap();
        // Two shared columns, but only one entity identifier: the provider is the key.
        let mut joined = claims();
        let report = left_join(&mut joined, &entity, "dir/providers.csv", None, u64::MAX).unwrap();
        assert_eq!(report.entity_key, "PRVDR_NUM");
        assert!(joined.columns().iter().any(|c| c.name == "ClaimID_providers"));
        // A named key wins; one that is missing is refused.
        let report = left_join(&mut claims(), &entity, "p.csv", Some("ClaimID"), u64::MAX).unwrap();
        assert_eq!((report.claims_key.as_str(), report.n_matched), ("ClaimID", 1));
        let error = left_join(&mut claims(), &entity, "p.csv", Some("Provider=NPI"), u64::MAX).unwrap_err();
        assert_eq!(error.to_string(), "p.csv: the key 'NPI' is not a column of the entity file");
        let mut unrelated = ClaimsTable::new();
        unrelated.push_column("x", text(&[Some("1")])).unwrap();
        let error = left_join(&mut claims(), &unrelated, "u.csv", None, u64::MAX).unwrap_err();
        assert!(error.to_string().starts_with("u.csv: no column is shared with the claims"), "{error}");
    }

    #[test]
    fn a_join_past_the_cell_budget_is_refused_before_copying() {
        // 4 claims × (2 + 1) columns = 12 cells.
        let entity = providers(&["PRV1"], &["Yes"]);
        assert!(left_join(&mut claims(), &entity, "p.csv", None, 12).is_ok());
        let error = left_join(&mut claims(), &entity, "p.csv", None, 11).unwrap_err();
        assert_eq!(
            error.to_string(),
            "p.csv: joining it would give 12 cells (4 claims × 3 columns), over the budget of 11; join fewer columns \
             or raise --max-cells"
        );
    }

    /// Proptest is a native-only dev-dependency (the wasm tests run in a browser).
    #[cfg(not(target_arch = "wasm32"))]
    mod random {
        use super::*;

        proptest::proptest! {
            /// Any two small tables, any key: a join gives a table or an error, never a panic, and
            /// a joined table keeps every claim.
            #[test]
            fn joins_of_any_tables_never_panic(
                claim_keys in proptest::collection::vec(proptest::option::of("[a-c]{0,2}"), 0..12),
                entity_keys in proptest::collection::vec(proptest::option::of("[a-c]{0,2}"), 1..8),
                key in proptest::option::of("[a-zA-Z=_]{0,6}"),
            ) {
                let mut claims = ClaimsTable::new();
                let keys: Vec<Option<&str>> = claim_keys.iter().map(|k| k.as_deref()).collect();
                claims.push_aliased_column("k", Some("provider_id".into()), text(&keys)).unwrap();
                let mut entity = ClaimsTable::new();
                let keys: Vec<Option<&str>> = entity_keys.iter().map(|k| k.as_deref()).collect();
                entity.push_column("k", text(&keys)).unwrap();
                entity.push_column("v", text(&keys)).unwrap();
                let mut joined = claims.clone();
                if let Ok(report) = left_join(&mut joined, &entity, "e.csv", key.as_deref(), u64::MAX) {
                    proptest::prop_assert_eq!(joined.n_rows(), claim_keys.len());
                    proptest::prop_assert_eq!(report.n_matched + report.n_unmatched, claim_keys.len());
                } else {
                    proptest::prop_assert_eq!(joined, claims);
                }
            }
        }
    }
}
