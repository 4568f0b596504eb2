//! Models at the entity level: claims grouped by a key (a provider, a member, a pharmacy)
//! into one row of aggregates each, the entity's label taken from its claims, and scores
//! per entity.

use crate::claims::entities::{entity_table, EntityTable};
use crate::claims::table::ColumnData;
use crate::claims::ClaimsTable;

use super::encoding::labels_where_present;
use super::{prepare_for_model, PipelineError, ScoringModel, SkippedColumn};

/// The entities of `claims` grouped by `key`, with their aggregates and, given a label
/// column (and its positive value), each entity's label under the same name: positive when
/// any of its claims is, negative when all its labelled claims are not, missing when none
/// is labelled (a provider the label file lacks).
/// `only` limits the aggregates to those columns (all by default).
pub fn entity_training_table(
    claims: &ClaimsTable,
    key: &str,
    label: Option<(&str, Option<&str>)>,
    only: Option<&[String]>,
) -> Result<EntityTable, PipelineError> {
    let skip: Vec<&str> = label.map(|(column, _)| column).into_iter().collect();
    let mut entities = entity_table(claims, key, &skip, only)?;
    if let Some((column, positive)) = label {
        let header = claims.column(column).map_or(column, |c| c.name.as_str()).to_owned();
        let present = labels_where_present(claims, column, positive)?;
        let mut entity_labels = vec![f64::NAN; entities.table.n_rows()];
        for (entity, class) in entities.entity_of_claim.iter().zip(&present) {
            let (Some(entity), Some(class)) = (entity, class) else { continue };
            if let Some(label) = entity_labels.get_mut(*entity as usize) {
                *label = if label.is_nan() { f64::from(*class) } else { label.max(f64::from(*class)) };
            }
        }
        entities.table.push_column(header, ColumnData::Numeric { values: entity_labels.into_iter().collect() })?;
    }
    Ok(entities)
}

/// The aggregates of an entity table a model should read by default: every one but the key
/// and the label, left out only when empty or the same on every entity (an aggregate is
/// never an identifier, even of an identifier: `distinct_BeneID` counts patients). Each
/// left-out column comes with the reason.
pub fn entity_feature_columns(entities: &ClaimsTable, label: Option<&str>) -> (Vec<String>, Vec<SkippedColumn>) {
    let mut features = Vec::new();
    let mut skipped = Vec::new();
    for column in entities.columns().iter().skip(1) {
        if Some(column.name.as_str()) == label {
            continue;
        }
        let mut present = (0..entities.n_rows()).map(|row| column.data.number(row)).filter(|v| !v.is_nan());
        let first = present.next();
        let reason = match first {
            None => Some("empty on every entity"),
            Some(first) if present.all(|value| value == first) => Some("the same value on every entity"),
            Some(_) => None,
        };
        match reason {
            Some(reason) => skipped.push(SkippedColumn { name: column.name.clone(), reason: reason.to_owned() }),
            None => features.push(column.name.clone()),
        }
    }
    (features, skipped)
}

/// Scores the entities of `claims` with an entity-level `model` (grouped by the key it was
/// trained on), after building the derived features its aggregates read.
pub fn score_entities(model: &ScoringModel, claims: &ClaimsTable) -> Result<(EntityTable, Vec<f64>), PipelineError> {
    let key = model.entity().ok_or(PipelineError::NotAnEntityModel)?;
    let (prepared, _) = prepare_for_model(claims, model)?;
    let entities = entity_table(&prepared, key, &[], None)?;
    let scores = model.score(&entities.table)?;
    Ok((entities, scores))
}
