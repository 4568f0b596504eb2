//! Entity tables: one row per member, provider or pharmacy (the distinct values of any key
//! column), made of its claims' aggregates, for models whose label belongs to the entity
//! (a provider list's `PotentialFraud`) rather than to each claim.

use std::borrow::Cow;

use thiserror::Error;

use crate::claims::features::groups::{as_numbers, each_group, group_sizes, sorted_by_group, Keys};
use crate::claims::schema::{known_role, ColumnRole};
use crate::claims::table::{CategoricalBuilder, ClaimsTable, ColumnData, TableError, MISSING_CODE, MISSING_DAY};
use crate::hashing::KeyedMap;

/// The entity table's column holding each entity's claim count.
pub const CLAIM_COUNT_COLUMN: &str = "n_claims";

/// Why an entity table could not be made.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum EntityError {
    /// The key column is not in the claims.
    #[error("the claims have no column named '{0}' to group by")]
    NoKeyColumn(String),
    /// The key column is empty on every claim.
    #[error("the column '{0}' is empty on every claim, so there is no entity to group by")]
    NoEntities(String),
    /// The table could not be built.
    #[error(transparent)]
    Table(#[from] TableError),
}

/// The entities of a claims table and their aggregates.
#[derive(Debug, Clone)]
pub struct EntityTable {
    /// One row per entity, in the order of its key's text: the key, [`CLAIM_COUNT_COLUMN`],
    /// then `mean_`, `max_` and `sum_` of every numeric column, `distinct_` of every text
    /// column and `days_spanned_` of every date column.
    pub table: ClaimsTable,
    /// Each claim's entity (a row of `table`), `None` where its key is missing.
    pub entity_of_claim: Vec<Option<u32>>,
}

/// Groups `claims` by the column `key` (its header or canonical name) and aggregates every
/// other column (or only those named in `only`) except those named in `skip` and those whose
/// schema role is a label. Every aggregate is computed over each entity's values in
/// ascending order, so the table does not depend on the order of the claims.
pub fn entity_table(
    claims: &ClaimsTable,
    key: &str,
    skip: &[&str],
    only: Option<&[String]>,
) -> Result<EntityTable, EntityError> {
    let key_column = claims.column(key).ok_or_else(|| EntityError::NoKeyColumn(key.to_owned()))?;
    let (names, entity_of_claim) = entities_of(&key_column.data);
    if names.is_empty() {
        return Err(EntityError::NoEntities(key_column.name.clone()));
    }
    let codes: Vec<u32> = entity_of_claim.iter().map(|entity| entity.unwrap_or(MISSING_CODE)).collect();
    let keys = Keys::new(Cow::Owned(codes), names.len());
    let mut table = ClaimsTable::new();
    let mut key_levels = CategoricalBuilder::default();
    names.iter().for_each(|name| key_levels.push(Some(name)));
    table.push_aliased_column(key_column.name.clone(), key_column.canonical.clone(), key_levels.finish())?;
    table.push_column(CLAIM_COUNT_COLUMN, numeric(as_numbers(&group_sizes(&keys))))?;
    for column in claims.columns() {
        let skipped = std::ptr::eq(column, key_column)
            || skip.iter().any(|name| claims.column(name).is_some_and(|c| std::ptr::eq(c, column)))
            || matches!(known_role(column.schema_name()), Some(ColumnRole::Label | ColumnRole::LabelDetail))
            || only.is_some_and(|only| {
                !only.iter().any(|name| claims.column(name).is_some_and(|c| std::ptr::eq(c, column)))
            });
        if skipped {
            continue;
        }
        let name = &column.name;
        match &column.data {
            ColumnData::Numeric { values } => {
                let (starts, ordered) = sorted_by_group(&keys, &values.as_f64s());
                let (mut means, mut maxima, mut sums) = (Vec::new(), Vec::new(), Vec::new());
                for group in each_group(&starts, &ordered) {
                    let sum: f64 = group.iter().sum();
                    means.push(if group.is_empty() { f64::NAN } else { sum / group.len() as f64 });
                    maxima.push(group.last().copied().unwrap_or(f64::NAN));
                    sums.push(if group.is_empty() { f64::NAN } else { sum });
                }
                table.push_column(format!("mean_{name}"), numeric(means))?;
                table.push_column(format!("max_{name}"), numeric(maxima))?;
                table.push_column(format!("sum_{name}"), numeric(sums))?;
            }
            ColumnData::Categorical { codes, .. } => {
                let present: Vec<f64> =
                    codes.iter().map(|&code| if code == MISSING_CODE { f64::NAN } else { f64::from(code) }).collect();
                let (starts, ordered) = sorted_by_group(&keys, &present);
                let distinct = each_group(&starts, &ordered).map(|group| group.chunk_by(|a, b| a == b).count() as f64);
                let distinct = distinct.collect();
                table.push_column(format!("distinct_{name}"), numeric(distinct))?;
            }
            ColumnData::Date { days } => {
                let present: Vec<f64> =
                    days.iter().map(|&day| if day == MISSING_DAY { f64::NAN } else { f64::from(day) }).collect();
                let (starts, ordered) = sorted_by_group(&keys, &present);
                let spans = each_group(&starts, &ordered)
                    .map(|group| match (group.first(), group.last()) {
                        (Some(first), Some(last)) => last - first,
                        _ => f64::NAN,
                    })
                    .collect();
                table.push_column(format!("days_spanned_{name}"), numeric(spans))?;
            }
        }
    }
    Ok(EntityTable { table, entity_of_claim })
}

fn numeric(values: Vec<f64>) -> ColumnData {
    ColumnData::Numeric { values: values.into_iter().collect() }
}

/// The distinct key texts in sorted order, and each claim's index among them. A text
/// column's levels are looked up once each, not once per claim.
fn entities_of(key: &ColumnData) -> (Vec<String>, Vec<Option<u32>>) {
    let mut index: KeyedMap<String, usize> = KeyedMap::default();
    let mut first_seen: Vec<String> = Vec::new();
    let mut intern = |text: String| -> Option<usize> {
        if text.trim().is_empty() {
            return None;
        }
        let next = first_seen.len();
        Some(*index.entry(text.clone()).or_insert_with(|| {
            first_seen.push(text);
            next
        }))
    };
    let provisional: Vec<Option<usize>> = match key {
        ColumnData::Categorical { levels, codes } => {
            let of_level: Vec<Option<usize>> = levels.iter().map(|level| intern(level.to_owned())).collect();
            codes.iter().map(|&code| of_level.get(code as usize).copied().flatten()).collect()
        }
        _ => {
            (0..key.len()).map(|claim| if key.is_missing(claim) { None } else { intern(key.display(claim)) }).collect()
        }
    };
    // Levels no claim uses are not entities: renumber the used ones by their text.
    let mut used = vec![false; first_seen.len()];
    provisional.iter().flatten().for_each(|&entity| used[entity] = true);
    let kept: Vec<usize> = (0..first_seen.len()).filter(|&entity| used[entity]).collect();
    let order = crate::sorting::stable_order(kept.len(), &|a, b| first_seen[kept[a]].cmp(&first_seen[kept[b]]));
    let mut rank = vec![0u32; first_seen.len()];
    for (position, &idx) in order.iter().enumerate() {
        rank[kept[idx]] = u32::try_from(position).unwrap_or(u32::MAX);
    }
    let names = order.into_iter().map(|idx| std::mem::take(&mut first_seen[kept[idx]])).collect();
    let of_claim = provisional.into_iter().map(|entity| entity.and_then(|e| rank.get(e).copied())).collect();
    (names, of_claim)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claims::Numbers;

    #[test]
    fn entities_aggregate_their_claims_and_unused_levels_are_none() {
        // Levels B and Z exist, but no claim is Z's; one claim has no key.
        let key = ColumnData::Categorical {
            levels: ["B", "Z", "A"].into_iter().collect(),
            codes: vec![0, 2, 0, MISSING_CODE, 2, 0],
        };
        let mut claims = ClaimsTable::new();
        claims.push_column("provider", key).unwrap();
        let amounts = Numbers::new(vec![10.0, 1.0, 30.0, 99.0, f64::NAN, 20.0]);
        claims.push_column("amount", ColumnData::Numeric { values: amounts }).unwrap();
        let entities = entity_table(&claims, "provider", &[], None).unwrap();
        let column = |name: &str| -> Vec<f64> {
            let data = &entities.table.column(name).unwrap().data;
            (0..entities.table.n_rows()).map(|row| data.number(row)).collect()
        };
        assert_eq!(entities.table.column("provider").unwrap().data.display(0), "A");
        assert_eq!(column(CLAIM_COUNT_COLUMN), [2.0, 3.0]);
        assert_eq!(column("mean_amount"), [1.0, 20.0]);
        assert_eq!(column("max_amount"), [1.0, 30.0]);
        assert_eq!(column("sum_amount"), [1.0, 60.0]);
        assert_eq!(entities.entity_of_claim, [Some(1), Some(0), Some(1), None, Some(0), Some(1)]);
    }
}
