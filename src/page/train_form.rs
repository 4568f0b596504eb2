//! The training form as typed text, validated into a [`RunRequest`] with one sentence per
//! bad field.

use super::{parse_seed, InputError};
use crate::ml::IsolationForestParams;
use crate::pipeline::{claims_forest_params, DEFAULT_MAX_DEPTH, DEFAULT_MIN_SAMPLES_LEAF};
use crate::protocol::{proposed_label, AlgorithmChoice, FeatureChoice, LabelChoice, RunRequest};

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

/// One of the form's typed numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrainField {
    /// Random forest trees.
    Trees,
    /// Deepest node.
    MaxDepth,
    /// Fewest claims per leaf.
    MinLeaf,
    /// Percent held out.
    TestPercent,
    /// Isolation trees.
    IsolationTrees,
    /// Claims per isolation tree.
    IsolationSamples,
    /// The seed.
    Seed,
}

/// A change the user makes to the training form.
#[derive(Debug, Clone, PartialEq)]
pub enum TrainEdit {
    /// Choose the label column ("" for none: anomaly detection).
    Label(String),
    /// Choose the positive class.
    Positive(String),
    /// Choose the algorithms.
    Algorithm(AlgorithmChoice),
    /// Switch one feature on or off.
    Feature {
        /// The feature's name.
        name: String,
        /// On or off.
        on: bool,
    },
    /// The default features.
    DefaultFeatures,
    /// The features an isolation forest should read (the peer comparisons).
    AnomalyFeatures,
    /// Every feature.
    AllFeatures,
    /// No feature.
    NoFeatures,
    /// Type into one of the numbers.
    Text(TrainField, String),
    /// Whether the isolation forest learns from the rule-clean claims.
    RuleClean(bool),
}

impl TrainForm {
    /// The form for newly loaded claims: the proposed label (else anomaly detection with the
    /// isolation forest and its features), its default positive class and the default
    /// features; the typed numbers are kept.
    pub fn for_loaded(&self, labels: &[LabelChoice], features: &[FeatureChoice]) -> TrainForm {
        let proposed = proposed_label(labels);
        let label = proposed.map(|l| l.column.clone());
        let anomaly: Vec<String> = features.iter().filter(|f| f.anomaly_default).map(|f| f.name.clone()).collect();
        let feature_columns = if label.is_none() && !anomaly.is_empty() {
            anomaly
        } else {
            features.iter().filter(|f| f.default_on).map(|f| f.name.clone()).collect()
        };
        TrainForm {
            algorithm: if label.is_some() { self.algorithm } else { AlgorithmChoice::IsolationForest },
            positive_label: proposed.and_then(|l| l.default_positive.clone()),
            label_column: label,
            feature_columns,
            ..self.clone()
        }
    }

    /// Applies `edit`, with the label and feature choices the loaded claims offer.
    pub fn edit(&mut self, edit: TrainEdit, labels: &[LabelChoice], features: &[FeatureChoice]) {
        let names = |keep: &dyn Fn(&FeatureChoice) -> bool| -> Vec<String> {
            features.iter().filter(|c| keep(c)).map(|c| c.name.clone()).collect()
        };
        match edit {
            TrainEdit::Label(column) => {
                let choice = labels.iter().find(|l| l.column == column);
                self.positive_label =
                    choice.and_then(|c| c.default_positive.clone().or_else(|| c.classes.last().cloned()));
                self.label_column = choice.map(|c| c.column.clone());
                if self.label_column.is_none() {
                    self.algorithm = AlgorithmChoice::IsolationForest;
                }
            }
            TrainEdit::Positive(class) => self.positive_label = Some(class),
            TrainEdit::Algorithm(algorithm) => {
                self.algorithm = algorithm;
                if algorithm == AlgorithmChoice::IsolationForest {
                    self.edit(TrainEdit::AnomalyFeatures, labels, features);
                }
            }
            TrainEdit::Feature { name, on } => {
                self.feature_columns.retain(|n| n != &name);
                if on {
                    self.feature_columns.push(name);
                }
            }
            TrainEdit::AnomalyFeatures => {
                let anomaly = names(&|c| c.anomaly_default);
                if !anomaly.is_empty() {
                    self.feature_columns = anomaly;
                }
            }
            TrainEdit::DefaultFeatures | TrainEdit::AllFeatures => {
                let all = edit == TrainEdit::AllFeatures;
                let label = self.label_column.clone();
                self.feature_columns = names(&|c| Some(&c.name) != label.as_ref() && (all || c.default_on));
            }
            TrainEdit::NoFeatures => self.feature_columns.clear(),
            TrainEdit::Text(field, text) => *self.text_mut(field) = text,
            TrainEdit::RuleClean(on) => self.isolation_on_rule_clean = on,
        }
    }

    /// The text of a typed number.
    pub fn text(&self, field: TrainField) -> &str {
        match field {
            TrainField::Trees => &self.n_trees,
            TrainField::MaxDepth => &self.max_depth,
            TrainField::MinLeaf => &self.min_samples_leaf,
            TrainField::TestPercent => &self.test_percent,
            TrainField::IsolationTrees => &self.isolation_trees,
            TrainField::IsolationSamples => &self.isolation_samples,
            TrainField::Seed => &self.seed,
        }
    }

    fn text_mut(&mut self, field: TrainField) -> &mut String {
        match field {
            TrainField::Trees => &mut self.n_trees,
            TrainField::MaxDepth => &mut self.max_depth,
            TrainField::MinLeaf => &mut self.min_samples_leaf,
            TrainField::TestPercent => &mut self.test_percent,
            TrainField::IsolationTrees => &mut self.isolation_trees,
            TrainField::IsolationSamples => &mut self.isolation_samples,
            TrainField::Seed => &mut self.seed,
        }
    }

    /// The chosen features other than the label.
    pub fn n_chosen(&self) -> usize {
        self.feature_columns.iter().filter(|n| Some(*n) != self.label_column.as_ref()).count()
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
