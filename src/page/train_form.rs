//! The training form as typed text, validated into a [`RunRequest`] with one sentence per
//! bad field.

use super::{parse_seed, InputError};
use crate::ml::IsolationForestParams;
use crate::pipeline::{claims_forest_params, DEFAULT_MAX_DEPTH, DEFAULT_MIN_SAMPLES_LEAF};
use crate::protocol::{AlgorithmChoice, RunRequest};

/// The training form's values as the user typed them.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainForm {
    /// Which algorithms.
    pub algorithm: AlgorithmChoice,
    /// The label column, or None for anomaly detection only.
    pub label_column: Option<String>,
    /// The positive class of the label.
    pub positive_label: Option<String>,
    /// The chosen feature columns, in order.
    pub feature_columns: Vec<String>,
    /// Random forest trees.
    pub n_trees: String,
    /// Deepest node; empty grows to purity.
    pub max_depth: String,
    /// Fewest claims per leaf.
    pub min_samples_leaf: String,
    /// Isolation trees.
    pub isolation_trees: String,
    /// Claims per isolation tree (ψ).
    pub isolation_samples: String,
    /// Percent of claims held out.
    pub test_percent: String,
    /// The seed of everything.
    pub seed: String,
    /// The isolation forest learns from the rule-clean claims.
    pub isolation_on_rule_clean: bool,
}

impl Default for TrainForm {
    fn default() -> Self {
        Self {
            algorithm: AlgorithmChoice::RandomForest,
            label_column: None,
            positive_label: None,
            feature_columns: Vec::new(),
            n_trees: "100".into(),
            max_depth: DEFAULT_MAX_DEPTH.to_string(),
            min_samples_leaf: DEFAULT_MIN_SAMPLES_LEAF.to_string(),
            isolation_trees: "100".into(),
            isolation_samples: "256".into(),
            test_percent: "20".into(),
            seed: super::DEFAULT_SEED.to_string(),
            isolation_on_rule_clean: true,
        }
    }
}

impl TrainForm {
    /// The request, or the first field that cannot be used.
    pub fn to_request(&self) -> Result<RunRequest, InputError> {
        let seed = parse_seed(&self.seed)?;
        let n_trees = bounded("Trees", &self.n_trees, 1, 2_000)?;
        let max_depth = match self.max_depth.trim() {
            "" => None,
            text => Some(bounded("Maximum depth", text, 1, 200)?),
        };
        let min_samples_leaf = bounded("Fewest claims per leaf", &self.min_samples_leaf, 1, 100_000)?;
        let isolation_trees = bounded("Isolation trees", &self.isolation_trees, 1, 2_000)?;
        let isolation_samples = bounded("Claims per isolation tree", &self.isolation_samples, 2, 1_000_000)?;
        let test_percent = bounded("Held out (%)", &self.test_percent, 0, 90)?;
        let mut forest = claims_forest_params();
        forest.n_trees = n_trees;
        forest.seed = seed;
        forest.tree.max_depth = max_depth;
        forest.tree.min_samples_leaf = min_samples_leaf;
        let isolation = IsolationForestParams {
            n_trees: isolation_trees,
            max_samples: isolation_samples,
            seed,
            ..Default::default()
        };
        Ok(RunRequest {
            algorithm: self.algorithm,
            label_column: self.label_column.clone(),
            positive_label: self.positive_label.clone(),
            feature_columns: self
                .feature_columns
                .iter()
                .filter(|f| Some(*f) != self.label_column.as_ref())
                .cloned()
                .collect(),
            forest,
            isolation,
            test_fraction: test_percent as f64 / 100.0,
            split_seed: seed,
            isolation_on_rule_clean: self.isolation_on_rule_clean,
        })
    }
}

fn bounded(field: &'static str, text: &str, min: u64, max: u64) -> Result<usize, InputError> {
    let cleaned: String = text.trim().chars().filter(|c| *c != ',' && *c != '_').collect();
    let value = cleaned.parse::<u64>().map_err(|_| InputError::NotANumber { field, text: text.trim().to_owned() })?;
    if !(min..=max).contains(&value) {
        return Err(InputError::OutOfRange { field, value, min, max });
    }
    Ok(value as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_form_is_a_valid_request_and_drops_the_label_from_features() {
        let form = TrainForm {
            label_column: Some("is_denied".into()),
            feature_columns: vec!["age".into(), "is_denied".into(), "service".into()],
            max_depth: "12".into(),
            seed: "7".into(),
            ..TrainForm::default()
        };
        let request = form.to_request().unwrap();
        assert_eq!(request.feature_columns, vec!["age", "service"]);
        assert_eq!((request.forest.seed, request.isolation.seed, request.split_seed), (7, 7, 7));
        assert_eq!(request.forest.tree.max_depth, Some(12));
        assert_eq!(request.test_fraction, 0.2);
        let default = TrainForm::default().to_request().unwrap().forest;
        assert_eq!((default.tree.max_depth, default.tree.min_samples_leaf), (Some(16), 3));
        // An empty depth grows every tree until its leaves are pure.
        let unlimited = TrainForm { max_depth: " ".into(), ..TrainForm::default() };
        assert_eq!(unlimited.to_request().unwrap().forest.tree.max_depth, None);
    }

    #[test]
    fn bad_fields_are_named() {
        let form = TrainForm { n_trees: "0".into(), ..TrainForm::default() };
        assert_eq!(form.to_request().unwrap_err().to_string(), "Trees: 0 is outside 1..=2000");
        let form = TrainForm { test_percent: "half".into(), ..TrainForm::default() };
        assert_eq!(form.to_request().unwrap_err().to_string(), "Held out (%): 'half' is not a whole number");
    }
}
