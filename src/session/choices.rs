//! What the user may choose after loading claims: label columns with their classes, the
//! feature columns (raw and derived) with sensible defaults, and how a positive reads.

use crate::claims::features::{FeaturePlan, ANOMALY_FEATURES};
use crate::claims::schema::{
    known_role, looks_like_decision_name, looks_like_identifier_name, looks_like_label_name, ColumnRole,
};
use crate::claims::table::{ColumnData, MISSING_CODE};
use crate::claims::ClaimsTable;
use crate::pipeline::default_feature_columns;
use crate::protocol::{FeatureChoice, LabelChoice};
use crate::sorting::sort_stable_by;

/// The most classes a label column may have to be offered.
const MAX_LABEL_CLASSES: usize = 10;

/// Columns that can be a binary label. Proposed first, in this order: the schema's label
/// columns, then columns named like a label (`fraud_reported`, `PotentialFraud`) with a
/// positive value, then decision columns (`claim_status`) whose values include one (Denied,
/// Fraud); then, not proposed, any other column with 2 to 10 distinct values (never
/// identifiers, entities or dates). Only a proposed label is ever preselected.
pub fn label_choices(table: &ClaimsTable) -> Vec<LabelChoice> {
    let mut ranked: Vec<(u8, LabelChoice)> = Vec::new();
    for column in table.columns() {
        let role = known_role(column.schema_name());
        if matches!(
            role,
            Some(ColumnRole::Identifier | ColumnRole::Entity | ColumnRole::Date | ColumnRole::LabelDetail)
        ) || looks_like_identifier_name(&column.name)
        {
            continue;
        }
        let Some(classes) = distinct_classes(&column.data) else { continue };
        if classes.len() < 2 {
            continue;
        }
        let default_positive = default_positive(&classes);
        let rank = if role == Some(ColumnRole::Label) {
            0
        } else if default_positive.is_some() && looks_like_label_name(&column.name) {
            1
        } else if default_positive.is_some() && looks_like_decision_name(&column.name) {
            2
        } else {
            3
        };
        let choice = LabelChoice { column: column.name.clone(), classes, default_positive, proposed: rank < 3 };
        ranked.push((rank, choice));
    }
    sort_stable_by(&mut ranked, &|a, b| a.0.cmp(&b.0));
    ranked.into_iter().map(|(_, choice)| choice).collect()
}

/// Every column a model may read: the default feature set (see
/// [`default_feature_columns`]) switched on, the rest listed off with the reason.
pub fn feature_choices(prepared: &ClaimsTable, plan: &FeaturePlan, label: Option<&str>) -> Vec<FeatureChoice> {
    let (features, skipped) = default_feature_columns(prepared, label);
    let is_derived = |name: &str| plan.features.iter().any(|f| f == name);
    let mut choices: Vec<FeatureChoice> = features
        .into_iter()
        .map(|name| FeatureChoice {
            derived: is_derived(&name),
            anomaly_default: prepared.column(&name).is_some_and(|c| ANOMALY_FEATURES.contains(&c.schema_name())),
            name,
            default_on: true,
            note: None,
        })
        .collect();
    choices.extend(skipped.into_iter().filter(|s| Some(s.name.as_str()) != label).map(|s| FeatureChoice {
        derived: is_derived(&s.name),
        anomaly_default: false,
        name: s.name,
        default_on: false,
        note: Some(s.reason),
    }));
    choices
}

/// How a positive prediction of a model trained on `label_column` reads:
/// "is_denied" → "Denied", "is_fraud" → "Fraud", "is_anomaly" → "Anomalous".
pub fn positive_word(label_column: Option<&str>) -> String {
    let Some(column) = label_column else { return "Flagged".into() };
    let lower = column.to_ascii_lowercase();
    let stem = lower.strip_prefix("is_").unwrap_or(&lower);
    match stem {
        "anomaly" | "anomalous" => "Anomalous".into(),
        "denied" | "denial" => "Denied".into(),
        "fraud" | "fraudulent" => "Fraud".into(),
        "" => "Positive".into(),
        other => {
            let spaced = other.replace('_', " ");
            let mut chars = spaced.chars();
            chars
                .next()
                .map_or_else(String::new, |first| std::iter::once(first.to_ascii_uppercase()).chain(chars).collect())
        }
    }
}

/// A column's distinct values as text, in first-seen order, or None past the limit.
fn distinct_classes(data: &ColumnData) -> Option<Vec<String>> {
    let mut classes: Vec<String> = Vec::new();
    match data {
        ColumnData::Numeric { values } => {
            let mut seen: Vec<u64> = Vec::new();
            for value in values.iter().filter(|v| !v.is_nan()) {
                let bits = (value + 0.0).to_bits();
                if !seen.contains(&bits) {
                    if seen.len() == MAX_LABEL_CLASSES {
                        return None;
                    }
                    seen.push(bits);
                    classes.push(crate::claims::table::format_number(value));
                }
            }
        }
        ColumnData::Categorical { levels, codes } => {
            if levels.len() > MAX_LABEL_CLASSES {
                return None;
            }
            let mut seen = vec![false; levels.len()];
            for &code in codes.iter().filter(|&&c| c != MISSING_CODE) {
                if let Some(flag) = seen.get_mut(code as usize) {
                    if !*flag {
                        *flag = true;
                        classes.push(levels.get(code as usize).map(str::to_owned).unwrap_or_default());
                    }
                }
            }
        }
        ColumnData::Date { .. } => return None,
    }
    Some(classes)
}

fn default_positive(classes: &[String]) -> Option<String> {
    const POSITIVE: [&str; 9] = ["1", "y", "yes", "true", "t", "denied", "fraud", "fraudulent", "rejected"];
    classes.iter().find(|c| POSITIVE.contains(&c.trim().to_ascii_lowercase().as_str())).cloned()
}
