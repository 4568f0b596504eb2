//! A trained model with everything needed to score new claims, and its versioned JSON file.
//!
//! The file holds the format tag and version, the feature encodings (so text columns are
//! encoded at scoring time exactly as in training), the algorithm with its parameters and
//! fitted trees, and a summary of training metrics. It has no timestamps: the same data,
//! parameters and seed give a byte-identical file, natively and in wasm.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use thiserror::Error;

mod algorithm_reading;

use super::encoding::{FeatureEncoder, FeatureEncoding};
use super::{FeatureImportance, PipelineError};
use crate::claims::features::{feature_spec, PeerReference};
use crate::claims::ClaimsTable;
use crate::ml::metrics::ConfusionMatrix;
use crate::ml::shap::export::{shap_json, TreeOutput};
use crate::ml::shap::{ShapEnsemble, ShapValues, TreeExplainer};
use crate::ml::{
    FeatureMatrix, FeatureSource, ForestParams, IsolationForest, IsolationForestParams, RandomForest, Rows,
};

/// The `format` tag of every model file.
pub const MODEL_FORMAT: &str = "claimforest-model";
/// The model file version this build writes and reads.
pub const MODEL_FORMAT_VERSION: u32 = 1;

/// The fitted algorithm and what it needs to turn scores into decisions.
///
/// In the file it is one object whose first field, `name`, says which algorithm it is
/// (`random_forest` or `isolation_forest`), read in one pass (`algorithm_reading`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "name", rename_all = "snake_case")]
pub enum Algorithm {
    /// A random forest predicting a binary label; the score is the positive-class probability.
    RandomForest {
        /// The label column it was trained on.
        label_column: String,
        /// The text that marked the positive class, if one was given.
        positive_label: Option<String>,
        /// Scores at or above this are predicted positive.
        decision_threshold: f64,
        /// The parameters, including the seed.
        params: ForestParams,
        /// The fitted forest.
        forest: RandomForest,
    },
    /// An isolation forest; the score is the anomaly score in (0, 1].
    IsolationForest {
        /// The parameters, including the seed.
        params: IsolationForestParams,
        /// The fitted forest.
        forest: IsolationForest,
    },
}

/// Held-out metrics of a supervised model at its decision threshold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeldOutMetrics {
    /// Share of held-out rows predicted correctly.
    pub accuracy: f64,
    /// Share of predicted positives that were positive.
    pub precision: f64,
    /// Share of positives found.
    pub recall: f64,
    /// Harmonic mean of precision and recall.
    pub f1: f64,
    /// ROC AUC, when both classes were held out.
    pub roc_auc: Option<f64>,
    /// Average precision, when positives were held out.
    pub average_precision: Option<f64>,
    /// The confusion matrix.
    pub confusion: ConfusionMatrix,
    /// What the top tenth of held-out rows by score holds against all held-out rows
    /// (when positives were held out).
    #[serde(default)]
    pub top_decile: Option<crate::ml::metrics::LiftAtShare>,
}

/// What training saw and achieved, stored with the model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingSummary {
    /// Rows in the training file.
    pub n_rows: usize,
    /// Rows the model was fitted on.
    pub n_train: usize,
    /// Rows held out for evaluation.
    pub n_test: usize,
    /// Held-out metrics (supervised models with a hold-out only).
    pub held_out: Option<HeldOutMetrics>,
    /// Out-of-bag accuracy (random forests with bootstrap only).
    pub oob_score: Option<f64>,
    /// Features by importance, most important first (random forests only).
    pub feature_importances: Vec<FeatureImportance>,
    /// Training rows at or above the flag threshold (isolation forests only).
    pub n_flagged: Option<usize>,
}

/// A trained model, ready to score, explain and save.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoringModel {
    format: String,
    format_version: u32,
    producer: String,
    features: FeatureEncoder,
    algorithm: Algorithm,
    training: TrainingSummary,
    /// The peer statistics the training claims gave the model's derived features (procedure
    /// means, drugs' usual quantities, ...): a file scored later is compared with these, so a
    /// claim scores alone as it did among the training claims. Absent in older files and in
    /// models that read no derived feature; never read or written by the page, which scores
    /// new claims against the claims it holds (and so keeps this out of its download).
    #[cfg(not(target_arch = "wasm32"))]
    #[serde(default, skip_serializing_if = "PeerReference::is_empty")]
    peers: PeerReference,
    /// For a model of entities (providers, members, ...), the claims' column it groups by:
    /// it reads one row of aggregates per entity ([`super::entity`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    entity: Option<String>,
}

/// Why a model file could not be read.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum ModelFileError {
    /// The text is not JSON.
    #[error("the model file is not valid JSON: {0}")]
    NotJson(String),
    /// JSON, but not a ClaimForest model.
    #[error("this is not a ClaimForest model file (format is {found:?}, expected \"{MODEL_FORMAT}\")")]
    NotAModel {
        /// The format tag found, if any.
        found: Option<String>,
    },
    /// A model written by another version of the format.
    #[error(
        "model file format version {found} is not supported; this build reads version {MODEL_FORMAT_VERSION} \
         (retrain the model, or use the ClaimForest release that wrote it)"
    )]
    UnsupportedVersion {
        /// The version in the file.
        found: u64,
    },
    /// The right format and version, but the content does not fit it.
    #[error("the model file is damaged: {0}")]
    Damaged(String),
}

/// The two fields checked before a model file is read in full; every other field is skipped.
#[derive(Deserialize)]
struct FileHeader {
    format: Option<crate::json_header::HeaderValue>,
    format_version: Option<crate::json_header::HeaderValue>,
}

impl ScoringModel {
    /// Wraps a fitted algorithm with its encodings and training summary.
    pub fn new(features: FeatureEncoder, algorithm: Algorithm, training: TrainingSummary) -> Self {
        Self {
            format: MODEL_FORMAT.to_owned(),
            format_version: MODEL_FORMAT_VERSION,
            producer: concat!("claimforest ", env!("CARGO_PKG_VERSION")).to_owned(),
            features,
            algorithm,
            training,
            #[cfg(not(target_arch = "wasm32"))]
            peers: PeerReference::default(),
            entity: None,
        }
    }

    /// The model as one of entities grouped by the claims' column `key`.
    pub fn with_entity(mut self, key: impl Into<String>) -> Self {
        self.entity = Some(key.into());
        self
    }

    /// The claims' column an entity model groups by; `None` for a model of claims.
    pub fn entity(&self) -> Option<&str> {
        self.entity.as_deref()
    }

    /// The model with the peer statistics of the claims it learned from (see
    /// [`crate::claims::features::record_peers`]).
    #[cfg_attr(target_arch = "wasm32", allow(unused_mut))]
    pub fn with_peers(mut self, peers: PeerReference) -> Self {
        #[cfg(not(target_arch = "wasm32"))]
        {
            self.peers = peers;
        }
        #[cfg(target_arch = "wasm32")]
        drop(peers);
        self
    }

    /// The peer statistics carried in the model (empty when it reads no derived feature,
    /// and always on the page).
    pub fn peers(&self) -> &PeerReference {
        #[cfg(not(target_arch = "wasm32"))]
        return &self.peers;
        #[cfg(target_arch = "wasm32")]
        {
            static NONE: PeerReference = PeerReference { statistics: Vec::new() };
            &NONE
        }
    }

    /// The feature encodings, in the order the model reads them.
    pub fn encoder(&self) -> &FeatureEncoder {
        &self.features
    }

    /// The fitted algorithm.
    pub fn algorithm(&self) -> &Algorithm {
        &self.algorithm
    }

    /// The path of `row` (encoded) through one of the model's trees: tree `tree_idx` when it
    /// exists, else the tree that best stands for the model's prediction (a random forest's
    /// `score`; an isolation forest's mean path length, `explained_value`).
    pub fn tree_path(
        &self,
        row: &[f32],
        tree_idx: Option<usize>,
        score: f64,
        explained_value: f64,
    ) -> crate::ml::tree_path::TreePath {
        match &self.algorithm {
            Algorithm::RandomForest { forest, .. } => forest.tree_path(row, tree_idx, score),
            Algorithm::IsolationForest { forest, .. } => forest.tree_path(row, tree_idx, explained_value),
        }
    }

    /// The training summary.
    pub fn training(&self) -> &TrainingSummary {
        &self.training
    }

    /// The model's feature names, in matrix column order.
    pub fn feature_names(&self) -> Vec<String> {
        self.features.features().iter().map(|f| f.name().to_owned()).collect()
    }

    /// Encodes `table` into the matrix the model reads ("the vector view").
    /// A model trained on derived features (member, provider or pharmacy aggregates) scores
    /// a raw file too: the features are built on the fly, each claim compared with the peers
    /// the model carries (its procedure's mean, ...) and its member's, provider's and
    /// pharmacy's aggregates taken over the file's own claims.
    pub fn encode(&self, table: &ClaimsTable) -> Result<FeatureMatrix, PipelineError> {
        let needs_derived = self
            .features
            .features()
            .iter()
            .any(|feature| table.column(feature.name()).is_none() && feature_spec(feature.name()).is_some());
        if needs_derived {
            let (prepared, _) = super::prepare_for_model(table, self)?;
            return self.features.encode(&prepared);
        }
        self.features.encode(table)
    }

    /// One score per claim: the positive-class probability, or the anomaly score.
    pub fn score(&self, table: &ClaimsTable) -> Result<Vec<f64>, PipelineError> {
        self.score_matrix(&self.encode(table)?)
    }

    /// [`Self::score_matrix`] of every row of `rows` (this model's features, as
    /// [`FeatureEncoder::view`] reads them), a block of rows at a time, with the forest
    /// flattened once.
    pub fn score_rows(&self, rows: &dyn FeatureSource) -> Result<Vec<f64>, PipelineError> {
        let all = Rows::all(rows.n_rows());
        Ok(match &self.algorithm {
            Algorithm::RandomForest { forest, .. } => forest.predict_class_proba_rows(rows, &all, 1)?,
            Algorithm::IsolationForest { forest, .. } => forest.score_rows(rows, &all)?,
        })
    }

    /// Scores an already encoded matrix.
    pub fn score_matrix(&self, matrix: &FeatureMatrix) -> Result<Vec<f64>, PipelineError> {
        Ok(match &self.algorithm {
            Algorithm::RandomForest { forest, .. } => forest.predict_class_proba(matrix, 1)?,
            Algorithm::IsolationForest { forest, .. } => forest.score_matrix(matrix),
        })
    }

    /// Scores at or above this are predicted positive (or flagged as anomalies).
    pub fn threshold(&self) -> f64 {
        match &self.algorithm {
            Algorithm::RandomForest { decision_threshold, .. } => *decision_threshold,
            Algorithm::IsolationForest { forest, .. } => forest.threshold(),
        }
    }

    /// The explanation view: the positive-class probability of a random forest, or the
    /// expected path length of an isolation forest (shorter = more anomalous).
    pub fn shap_ensemble(&self) -> ShapEnsemble {
        match &self.algorithm {
            Algorithm::RandomForest { forest, .. } => forest.shap_ensemble(1),
            Algorithm::IsolationForest { forest, .. } => forest.shap_ensemble(),
        }
    }

    /// Exact TreeSHAP values of every claim in `table`.
    pub fn explain(&self, table: &ClaimsTable) -> Result<ShapValues, PipelineError> {
        let matrix = self.encode(table)?;
        Ok(TreeExplainer::new(&self.shap_ensemble()).explain_matrix(&matrix))
    }

    /// The model as shap tree-ensemble JSON, with categorical codes mapped to their texts.
    pub fn shap_export_json(&self) -> String {
        // Inserted one by one: collecting would sort the pairs with a sort compiled for them alone.
        let mut categories: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for feature in self.features.features() {
            if let FeatureEncoding::Categorical { name, levels } = feature {
                categories.insert(name.clone(), levels.clone());
            }
        }
        let output = match self.algorithm {
            Algorithm::RandomForest { .. } => TreeOutput::Probability,
            Algorithm::IsolationForest { .. } => TreeOutput::RawValue,
        };
        shap_json(&self.shap_ensemble(), &self.feature_names(), &categories, output)
    }

    /// The model file text.
    pub fn to_json(&self) -> String {
        // Every field is a plain number, string or list; serialising cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Reads a model file, checking its format and version before anything else.
    pub fn from_json(text: &str) -> Result<Self, ModelFileError> {
        // The header alone first, without building a JSON tree of the (possibly large) file.
        let header: FileHeader =
            serde_json::from_str(text).map_err(|error| match serde_json::from_str::<serde::de::IgnoredAny>(text) {
                Ok(_) => ModelFileError::NotAModel { found: None },
                Err(_) => ModelFileError::NotJson(error.to_string()),
            })?;
        let format = header.format.as_ref().and_then(|f| f.as_str());
        if format != Some(MODEL_FORMAT) {
            return Err(ModelFileError::NotAModel { found: format.map(str::to_owned) });
        }
        match header.format_version.as_ref().and_then(|v| v.as_u64()) {
            Some(version) if version == u64::from(MODEL_FORMAT_VERSION) => {}
            Some(found) => return Err(ModelFileError::UnsupportedVersion { found }),
            None => return Err(ModelFileError::Damaged("format_version is missing".into())),
        }
        let model: Self = serde_json::from_str(text).map_err(|error| ModelFileError::Damaged(error.to_string()))?;
        model.check_consistency()?;
        Ok(model)
    }

    /// The feature count of the encodings and of the forest must agree, the forest must be
    /// valid (one tree per arena, limits in `ml::tree_shape`), and the decision threshold must
    /// be a score.
    fn check_consistency(&self) -> Result<(), ModelFileError> {
        let expected = self.features.features().len();
        if !self.features.canonical_names_fit() {
            return Err(ModelFileError::Damaged("the canonical names do not match the features one for one".into()));
        }
        let (actual, validity) = match &self.algorithm {
            Algorithm::RandomForest { forest, decision_threshold, .. } => {
                if !(0.0..=1.0).contains(decision_threshold) {
                    return Err(ModelFileError::Damaged("the decision threshold is not a score in [0, 1]".into()));
                }
                (forest.feature_names().len(), forest.validate())
            }
            Algorithm::IsolationForest { forest, .. } => (forest.feature_names().len(), forest.validate()),
        };
        if actual != expected {
            return Err(ModelFileError::Damaged(format!("{expected} feature encodings but the forest reads {actual}")));
        }
        validity.map_err(ModelFileError::Damaged)
    }
}

#[cfg(test)]
mod tests {
    use std::ops::ControlFlow;

    use super::*;
    use crate::claims::synth::generate_denial;
    use crate::pipeline::{default_feature_columns, train_anomaly_model, train_model, AnomalyRequest, TrainRequest};

    fn forest_model() -> (ScoringModel, ClaimsTable) {
        let table = generate_denial(400, 3).unwrap();
        let mut request = TrainRequest::default();
        request.forest.n_trees = 5;
        (train_model(&table, &request, &mut |_| ControlFlow::Continue(())).unwrap().0, table)
    }

    #[test]
    fn a_saved_model_loads_and_scores_identically() {
        let (model, table) = forest_model();
        let text = model.to_json();
        let loaded = ScoringModel::from_json(&text).unwrap();
        assert_eq!(loaded.to_json(), text, "saving is byte-stable");
        assert!(loaded == model, "every float survives the round trip");
        assert_eq!(loaded.score(&table).unwrap(), model.score(&table).unwrap());
        // Scoring the rows block by block gives the matrix's scores.
        assert_eq!(model.score_rows(&model.encode(&table).unwrap()).unwrap(), model.score(&table).unwrap());
        assert!(model.training().held_out.as_ref().unwrap().accuracy > 0.8);
    }

    #[test]
    fn unknown_versions_and_other_files_are_clear_errors() {
        let (model, _) = forest_model();
        let newer = model.to_json().replacen("\"format_version\":1", "\"format_version\":2", 1);
        let error = ScoringModel::from_json(&newer).unwrap_err();
        assert_eq!(error, ModelFileError::UnsupportedVersion { found: 2 });
        assert!(error.to_string().contains("version 2 is not supported"));
        assert!(matches!(ScoringModel::from_json("{}"), Err(ModelFileError::NotAModel { found: None })));
        assert!(matches!(ScoringModel::from_json("not json"), Err(ModelFileError::NotJson(_))));
        assert!(matches!(ScoringModel::from_json("[1, 2]"), Err(ModelFileError::NotAModel { found: None })));
        let damaged = model.to_json().replacen("\"left\":1,", "\"left\":0,", 1);
        assert!(matches!(ScoringModel::from_json(&damaged), Err(ModelFileError::Damaged(_))), "a backward child");
        let truncated = &model.to_json()[..200];
        assert!(ScoringModel::from_json(truncated).is_err());
    }

    #[test]
    fn isolation_models_round_trip_and_flag_training_rows() {
        let table = generate_denial(500, 4).unwrap();
        let (features, skipped) = default_feature_columns(&table, None);
        assert_eq!(features, vec!["age", "provider_type", "service_code", "has_pre_auth", "diagnosis_match"]);
        assert_eq!(skipped.len(), 3, "claim_id, is_denied and denial_reason are not features");
        let request = AnomalyRequest::new(features, Default::default());
        let (model, scores) = train_anomaly_model(&table, &request, &mut |_| ControlFlow::Continue(())).unwrap();
        let loaded = ScoringModel::from_json(&model.to_json()).unwrap();
        assert_eq!(loaded.score(&table).unwrap(), scores);
        assert_eq!(loaded.score_rows(&loaded.encode(&table).unwrap()).unwrap(), scores);
        let flagged = scores.iter().filter(|&&s| s >= model.threshold()).count();
        assert_eq!(model.training().n_flagged, Some(flagged));
    }

    #[test]
    fn isolation_models_can_learn_from_chosen_rows_and_score_every_row() {
        let table = generate_denial(500, 4).unwrap();
        let (features, _) = default_feature_columns(&table, None);
        let mut request =
            AnomalyRequest::new(features, IsolationForestParams { contamination: Some(0.1), ..Default::default() });
        let training: Vec<usize> = (0..500).filter(|row| row % 5 != 0).collect();
        request.training_rows = Some(training.clone());
        let (model, scores) = train_anomaly_model(&table, &request, &mut |_| ControlFlow::Continue(())).unwrap();
        assert_eq!((model.training().n_rows, model.training().n_train), (500, 400));
        assert_eq!(scores.len(), 500, "every row is scored");
        assert_eq!(model.score(&table).unwrap(), scores);
        // The contamination threshold flags 10% of the training rows, not of every row.
        let flagged_training = training.iter().filter(|&&row| scores[row] >= model.threshold()).count();
        assert!((38..=42).contains(&flagged_training), "{flagged_training} of 400");
        // A different training set gives a different forest.
        request.training_rows = Some((0..250).collect());
        let (_, other) = train_anomaly_model(&table, &request, &mut |_| ControlFlow::Continue(())).unwrap();
        assert_ne!(other, scores);
        request.training_rows = Some(vec![3, 500]);
        let error = train_anomaly_model(&table, &request, &mut |_| ControlFlow::Continue(())).unwrap_err();
        assert_eq!(error.to_string(), "training row 500 is outside the table's 500 rows");
    }

    #[test]
    fn claims_without_a_label_are_scored_but_neither_learned_from_nor_held_out() {
        use crate::claims::table::ColumnData;
        let mut table = generate_denial(600, 4).unwrap();
        let denied: Vec<f64> = (0..600).map(|row| table.column("is_denied").unwrap().data.number(row)).collect();
        let joined: Vec<f64> =
            denied.iter().enumerate().map(|(row, &d)| if row % 10 == 0 { f64::NAN } else { d }).collect();
        table.push_column("joined_label", ColumnData::Numeric { values: joined.into() }).unwrap();
        let mut request = TrainRequest { label_column: "joined_label".into(), ..TrainRequest::default() };
        request.feature_columns =
            ["age", "provider_type", "service_code", "has_pre_auth", "diagnosis_match"].map(String::from).to_vec();
        request.forest.n_trees = 10;
        let (model, report) = train_model(&table, &request, &mut |_| ControlFlow::Continue(())).unwrap();
        assert_eq!(report.n_train + report.n_test, 540, "the 60 unlabelled claims are in neither set");
        assert!(report.is_test_row.iter().step_by(10).all(|&held_out| !held_out));
        assert_eq!(model.score(&table).unwrap().len(), 600, "every claim is scored");
        assert_eq!(report.scores.len(), 600);
    }

    #[test]
    fn the_shap_export_names_categories_and_matches_the_model() {
        let (model, table) = forest_model();
        let export: serde_json::Value = serde_json::from_str(&model.shap_export_json()).unwrap();
        assert_eq!(export["format"], "shap-custom-tree-ensemble/v1");
        // Levels in code order, lowest denial rate first: an office visit needs no pre-auth.
        let services = export["categories"]["service_code"].as_array().unwrap();
        assert_eq!((services.len(), services[0].as_str()), (3, Some("Office Visit")));
        assert_eq!(export["trees"].as_array().unwrap().len(), 5);
        let shap = model.explain(&table).unwrap();
        let scores = model.score(&table).unwrap();
        for (row_idx, score) in scores.iter().enumerate() {
            let total = shap.base_value + shap.row(row_idx).iter().sum::<f64>();
            assert!((total - score).abs() < 1e-9, "row {row_idx}: {total} vs {score}");
        }
    }
}
