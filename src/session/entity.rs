//! Runs that learn per entity on the page: the session appends each claim's entity
//! aggregates (its provider's claim count, mean amounts, distinct patients, ...) and the
//! entity's label on one claim per entity, so the random forest learns from one row per
//! entity and every claim carries its entity's score, explanation and summary rank.

use crate::claims::schema::{known_role, ColumnRole};
use crate::claims::ClaimsTable;
use crate::pipeline::entity::{entity_feature_columns, entity_training_table};
use crate::protocol::RunRequest;

use super::Session;

/// The name of an entity column on the claims: `mean_InscClaimAmtReimbursed per Provider`.
pub fn entity_column_name(aggregate: &str, key: &str) -> String {
    format!("{aggregate} per {key}")
}

/// The claims' columns a run may learn per: member, provider and pharmacy ids (by the
/// file's own headers), each with more claims than entities.
pub fn entity_choices(claims: &ClaimsTable) -> Vec<String> {
    claims
        .columns()
        .iter()
        .filter(|column| known_role(column.schema_name()) == Some(ColumnRole::Entity))
        .filter(|column| match &column.data {
            crate::claims::ColumnData::Categorical { levels, .. } => levels.len() < claims.n_rows(),
            _ => true,
        })
        .map(|column| column.name.clone())
        .collect()
}

impl Session {
    /// `request` as the session runs it: unchanged for a run per claim; for a run per entity,
    /// with the entity columns appended to the claims (replacing an earlier run's) and the
    /// request reading them: the entity's label (on the first claim of each entity only) and
    /// the aggregates of the chosen features. The same request twice appends nothing new.
    pub(super) fn entity_run(&mut self, request: &RunRequest) -> Result<RunRequest, String> {
        let Some(key) = request.entity.clone() else { return Ok(request.clone()) };
        if request.algorithm.fits_isolation() {
            return Err(format!("A model per {key} learns from a label: choose the random forest alone to train one."));
        }
        let label = request.label_column.clone().ok_or_else(|| format!("Choose the label to learn per {key}."))?;
        let data = self.data.as_mut().ok_or_else(|| "Generate or load claims first.".to_owned())?;
        let table = &data.prepared;
        let key_name =
            table.column(&key).map(|c| c.name.clone()).ok_or_else(|| format!("There is no column {key}."))?;
        let label_name = entity_column_name(&label, &key_name);
        // Aggregates of the claims' own columns and derived features, never of an earlier
        // run's entity columns.
        let features: Vec<String> = request
            .feature_columns
            .iter()
            .filter(|f| **f != label && table.columns().iter().take(data.n_base_columns).any(|c| c.name == **f))
            .cloned()
            .collect();
        let labelled = Some((label.as_str(), request.positive_label.as_deref()));
        let entities = entity_training_table(table, &key_name, labelled, Some(&features)).map_err(|e| e.to_string())?;
        let entity_label = entities.table.column(&table.column(&label).map_or(label.clone(), |c| c.name.clone()));
        let label_header = entity_label.map(|c| c.name.clone()).unwrap_or_default();
        let (chosen, _) = entity_feature_columns(&entities.table, Some(&label_header));
        let table = &mut data.prepared;
        table.truncate_columns(data.n_base_columns);
        // Each claim reads its entity's row; the label sits on each entity's first claim, so
        // the forest learns from and holds out whole entities.
        let mut first_claim_seen = vec![false; entities.table.n_rows()];
        for column in entities.table.columns().iter().skip(1) {
            let is_label = column.name == label_header;
            if !is_label && !chosen.contains(&column.name) {
                continue;
            }
            let values: Vec<f64> = entities
                .entity_of_claim
                .iter()
                .map(|entity| {
                    let Some(entity) = entity.map(|e| e as usize) else { return f64::NAN };
                    let value = column.data.number(entity);
                    if !is_label {
                        return f64::from(value as f32);
                    }
                    let first = !std::mem::replace(&mut first_claim_seen[entity], true);
                    if first {
                        value
                    } else {
                        f64::NAN
                    }
                })
                .collect();
            let name = if is_label { label_name.clone() } else { entity_column_name(&column.name, &key_name) };
            table
                .push_column(name, crate::claims::ColumnData::Numeric { values: values.into_iter().collect() })
                .map_err(|e| e.to_string())?;
        }
        Ok(RunRequest {
            label_column: Some(label_name),
            positive_label: None,
            feature_columns: chosen.iter().map(|name| entity_column_name(name, &key_name)).collect(),
            ..request.clone()
        })
    }
}
