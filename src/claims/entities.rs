//! Entity tables: one row per member, provider or pharmacy (the distinct values of any key
//! column), made of its claims' aggregates, for models whose label belongs to the entity
//! (a provider list's `PotentialFraud`) rather than to each claim.

use thiserror::Error;

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

impl EntityTable {
    /// The claims of each entity, in file order.
    pub fn claims_of_entities(&self) -> Vec<Vec<usize>> {
        let mut claims = vec![Vec::new(); self.table.n_rows()];
        for (claim, entity) in self.entity_of_claim.iter().enumerate() {
            if let Some(list) = entity.and_then(|entity| claims.get_mut(entity as usize)) {
                list.push(claim);
            }
        }
        claims
    }
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
    let n_entities = names.len();
    let starts = counting_starts(n_entities, &entity_of_claim);
    let mut table = ClaimsTable::new();
    let mut key_levels = CategoricalBuilder::default();
    names.iter().for_each(|name| key_levels.push(Some(name)));
    table.push_aliased_column(key_column.name.clone(), key_column.canonical.clone(), key_levels.finish())?;
    let counts: Vec<f64> = starts.windows(2).map(|bounds| (bounds[1] - bounds[0]) as f64).collect();
    table.push_column(CLAIM_COUNT_COLUMN, numeric(counts))?;
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
                let present: Vec<f64> = values.iter().map(|v| if v.is_finite() { v } else { f64::NAN }).collect();
                let groups = sorted_groups(&starts, &entity_of_claim, &present);
                let (mut means, mut maxima, mut sums) = (Vec::new(), Vec::new(), Vec::new());
                for group in each_group(&starts, &groups) {
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
                let groups = sorted_groups(&starts, &entity_of_claim, &present);
                let distinct = each_group(&starts, &groups).map(|group| distinct_count(group) as f64).collect();
                table.push_column(format!("distinct_{name}"), numeric(distinct))?;
            }
            ColumnData::Date { days } => {
                let present: Vec<f64> =
                    days.iter().map(|&day| if day == MISSING_DAY { f64::NAN } else { f64::from(day) }).collect();
                let groups = sorted_groups(&starts, &entity_of_claim, &present);
                let spans = each_group(&starts, &groups)
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

/// The distinct key texts in sorted order, and each claim's index among them.
fn entities_of(key: &ColumnData) -> (Vec<String>, Vec<Option<u32>>) {
    let text_of = |claim: usize| -> Option<String> {
        if key.is_missing(claim) {
            return None;
        }
        Some(key.display(claim)).filter(|text| !text.trim().is_empty())
    };
    let mut index: KeyedMap<String, usize> = KeyedMap::default();
    let mut first_seen: Vec<String> = Vec::new();
    let mut provisional = Vec::with_capacity(key.len());
    for claim in 0..key.len() {
        provisional.push(text_of(claim).map(|text| {
            let next = first_seen.len();
            *index.entry(text.clone()).or_insert_with(|| {
                first_seen.push(text);
                next
            })
        }));
    }
    let order = crate::sorting::stable_order(first_seen.len(), &|a, b| first_seen[a].cmp(&first_seen[b]));
    let mut rank = vec![0u32; first_seen.len()];
    for (position, &entity) in order.iter().enumerate() {
        rank[entity] = u32::try_from(position).unwrap_or(u32::MAX);
    }
    let names = order.into_iter().map(|entity| std::mem::take(&mut first_seen[entity])).collect();
    let of_claim = provisional.into_iter().map(|entity| entity.and_then(|e| rank.get(e).copied())).collect();
    (names, of_claim)
}

/// Where each entity's claims start in a list grouped by entity (one past the end last).
fn counting_starts(n_entities: usize, entity_of_claim: &[Option<u32>]) -> Vec<usize> {
    let mut starts = vec![0usize; n_entities + 1];
    for entity in entity_of_claim.iter().flatten() {
        if let Some(count) = starts.get_mut(*entity as usize + 1) {
            *count += 1;
        }
    }
    for idx in 1..starts.len() {
        starts[idx] += starts[idx - 1];
    }
    starts
}

/// Each entity's present values (`values` per claim, NaN where missing), together and ascending.
fn sorted_groups(starts: &[usize], entity_of_claim: &[Option<u32>], values: &[f64]) -> Vec<f64> {
    let mut next = starts.to_vec();
    let mut filled = vec![0usize; starts.len()];
    let mut ordered = vec![f64::NAN; starts.last().copied().unwrap_or(0)];
    for (claim, entity) in entity_of_claim.iter().enumerate() {
        let (Some(entity), Some(&value)) = (entity, values.get(claim).filter(|v| !v.is_nan())) else { continue };
        let entity = *entity as usize;
        if let (Some(slot), Some(count)) = (next.get_mut(entity), filled.get_mut(entity)) {
            if let Some(target) = ordered.get_mut(*slot) {
                *target = value;
            }
            *slot += 1;
            *count += 1;
        }
    }
    // Each entity's present values first, ascending; its missing ones (NaN) after them.
    for (entity, bounds) in starts.windows(2).enumerate() {
        if let Some(group) = ordered.get_mut(bounds[0]..bounds[1]) {
            let present = filled.get(entity).copied().unwrap_or(0).min(group.len());
            group[..present].sort_unstable_by(f64::total_cmp);
        }
    }
    ordered
}

/// Each entity's present values (see [`sorted_groups`]).
fn each_group<'a>(starts: &'a [usize], ordered: &'a [f64]) -> impl Iterator<Item = &'a [f64]> + 'a {
    starts.windows(2).map(|bounds| {
        let group = ordered.get(bounds[0]..bounds[1]).unwrap_or(&[]);
        let present = group.iter().take_while(|value| !value.is_nan()).count();
        &group[..present]
    })
}

fn distinct_count(sorted: &[f64]) -> usize {
    sorted.chunk_by(|a, b| a == b).count()
}
